"""The work model's constant: operations per CPU-second on this machine (core.work).

A few representative computations are estimated in operations and timed (CPU time, best of a
few); the constant is the geometric mean of operations / seconds, so that the estimate/measured
ratios spread evenly around 1. Run: python -m benchmarks.bench_work
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

import core
from core import sweeps, work
from core.nn.datasets import make_dataset
from core.nn.landscape import loss_slice, pca_directions
from core.nn.training import Trainer, TrainingConfig

LONG_FORMULA = (
    "x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y"
    "+y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x"
    "+x^x^x^x^x^x^x^x^x^x^x^x^x^x"
)
"""147 parts of nested powers within the parser's bounds: a Hessian of about 1,700 operations."""
LONG_DOMAIN = (0.5, 1.5, 0.5, 1.5)


def cpu_seconds(function: Callable[[], object], repeats: int = 3) -> float:
    """The smallest CPU time of `repeats` calls (after one warm-up call)."""
    function()
    best = math.inf
    for _ in range(repeats):
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best


def long_surface() -> core.Surface:
    return core.surface("custom", formula=LONG_FORMULA, domain=LONG_DOMAIN)


def cases() -> list[tuple[str, float, Callable[[], object]]]:
    """(name, estimated operations, the computation)."""
    rosenbrock, long = core.surface("rosenbrock"), long_surface()
    adam, newton = core.optimizer("adam", lr=0.01), core.optimizer("newton", lr=1e-3)
    starts = np.random.default_rng(0).uniform((0.6, 0.6), (1.4, 1.4), size=(2_500, 2))
    rows = [
        (
            "one Adam path on Rosenbrock, 3,000 steps",
            work.descent_operations(rosenbrock, adam, 1, 3_000),
            lambda: core.descend(rosenbrock, adam, (-1.5, 2.0), 3_000, tolerance=0.0),
        ),
        (
            "one Adam path on the long formula, 300 steps",
            work.descent_operations(long, adam, 1, 300),
            lambda: core.descend(long, adam, (0.9, 1.1), 300, tolerance=0.0),
        ),
        (
            "one Newton path on the long formula, 100 steps",
            work.descent_operations(long, newton, 1, 100),
            lambda: core.descend(long, newton, (0.9, 1.1), 100, tolerance=0.0),
        ),
        (
            "40,000 Adam starts on Rosenbrock, 100 steps",
            work.descent_operations(rosenbrock, adam, 40_000, 100),
            lambda: sweeps.basin_map(rosenbrock, adam, 200, 100),
        ),
        (
            "2,500 Newton starts on the long formula, 10 steps",
            work.descent_operations(long, newton, 2_500, 10),
            lambda: core.descend(long, newton, starts, 10, tolerance=0.0, record="final"),
        ),
    ]
    rows += network_cases()
    return rows


def network_cases() -> list[tuple[str, float, Callable[[], object]]]:
    data = make_dataset("spiral", count=400, noise=0.1, seed=0)
    config = TrainingConfig(
        hidden=(32, 32), batch_size=8, epochs=20, optimizer="adam", hyperparameters=(("lr", 0.01),)
    )
    trainer = Trainer(data, config)
    weights, points = trainer.network.params.size, data.targets_train.shape[0]

    def train() -> None:
        Trainer(data, config).train(20)

    trainer.train(5)
    centre, snapshots = trainer.network.params.copy(), trainer.snapshot_matrix()
    directions = pca_directions(snapshots, centre)

    def landscape() -> None:
        loss_slice(
            trainer.network,
            data.features_train,
            data.targets_train,
            config.loss,
            centre,
            directions,
            snapshots,
            31,
        )

    return [
        (
            "training a 2-32-32 network, 20 epochs, batch 8",
            work.training_operations(weights, points, 8, 20),
            train,
        ),
        (
            "a 31 × 31 landscape of that network",
            31 * 31 * work.forward_operations(weights, points),
            landscape,
        ),
    ]


def main() -> None:
    measured = [(name, operations, cpu_seconds(job)) for name, operations, job in cases()]
    rates = [operations / seconds for _, operations, seconds in measured]
    fitted = math.exp(sum(math.log(rate) for rate in rates) / len(rates))
    print(
        f"fitted OPERATIONS_PER_SECOND = {fitted:.3g} (in core.work: {work.OPERATIONS_PER_SECOND:.3g})"
    )
    print("\n| computation | estimate (s) | measured CPU (s) | estimate / measured |")
    print("|---|---:|---:|---:|")
    for name, operations, seconds in measured:
        estimate = work.seconds(operations)
        print(f"| {name} | {estimate:.3f} | {seconds:.3f} | {estimate / seconds:.2f} |")


if __name__ == "__main__":
    main()
