"""The work model's constant: operations per CPU-second on this machine (core.work).

A few representative computations are estimated in operations and timed (CPU time, best of a
few); the constant is the geometric mean of operations / seconds, so that the estimate/measured
ratios spread evenly around 1. Run: python -m benchmarks.bench_work; with --pages, each page's
most expensive request after the budget (estimate and measured CPU) and before it.
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
    """The largest network the Network Lab allows, on the most data, at batch size 1."""
    trainer = largest_trainer()
    data, config = trainer.dataset, trainer.config
    weights, points = trainer.network.params.size, data.targets_train.shape[0]

    def train() -> None:
        Trainer(data, config).train(1)

    trainer.train(2)
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
            11,
        )

    return [
        (
            "training 4 hidden layers of 64 units, 1 epoch of 700 points, batch 1",
            work.training_operations(weights, points, 1, 1),
            train,
        ),
        (
            "an 11 × 11 landscape of that network",
            11 * 11 * work.forward_operations(weights, points),
            landscape,
        ),
    ]


def surfaces_main(starts: int = 16_384, steps: int = 40) -> None:
    """Print core.work.MEASURED_STEP_COSTS as measured here: operations per start and step of a
    batched SGD step, a batched Newton step and a single path's step."""
    for name in core.surface_names():
        if name != "custom":
            print(_surface_cost(core.surface(name), starts, steps))


def _surface_cost(surface: core.Surface, starts: int, steps: int) -> str:
    x_min, x_max, y_min, y_max = surface.domain
    points = np.random.default_rng(0).uniform((x_min, y_min), (x_max, y_max), (starts, 2))

    def batch(rule: str) -> float:
        optimizer = core.optimizer(rule, lr=1e-7)
        seconds = cpu_seconds(
            lambda: core.descend(surface, optimizer, points, steps, tolerance=0.0, record="final")
        )
        return seconds * work.OPERATIONS_PER_SECOND / (starts * steps)

    plain = core.optimizer("sgd", lr=1e-7)
    single_seconds = cpu_seconds(
        lambda: core.descend(surface, plain, surface.default_start, 500, tolerance=0.0)
    )
    single = single_seconds * work.OPERATIONS_PER_SECOND / 500
    return (
        f'    "{surface.name}": SurfaceStepCost({batch("sgd"):.0f}, {batch("newton"):.0f}, '
        f"{single:_.0f}),"
    )


def main() -> None:
    measured = [(name, operations, cpu_seconds(job)) for name, operations, job in cases()]
    rates = [operations / seconds for _, operations, seconds in measured]
    fitted = math.exp(sum(math.log(rate) for rate in rates) / len(rates))
    print(f"fitted OPERATIONS_PER_SECOND = {fitted:.3g}")
    print(f"(in core.work: {work.OPERATIONS_PER_SECOND:.3g})")
    print("\n| computation | estimate (s) | measured CPU (s) | estimate / measured |")
    print("|---|---:|---:|---:|")
    for name, operations, seconds in measured:
        estimate = work.seconds(operations)
        print(f"| {name} | {estimate:.3f} | {seconds:.3f} | {estimate / seconds:.2f} |")


# ----- each page's most expensive request, before and after the budget ------------------------
def _stopped_after(limit: float):
    """A progress callback that stops the work after `limit` CPU seconds (for 'before' runs)."""
    started = time.process_time()

    def progress(_: float) -> None:
        if time.process_time() - started > limit:
            raise TimeoutError

    return progress


def _cpu_once(job: Callable[[], object]) -> float:
    started = time.process_time()
    job()
    return time.process_time() - started


def page_rows() -> list[tuple[str, str, float, float]]:
    """(page and request, what the budget made of it, estimate s, measured CPU s)."""
    from app import network_session, sweep_settings
    from app.explorer_runs import budgeted
    from app.explorer_settings import ExplorerSettings

    long = long_surface()
    newton = core.optimizer("newton", lr=1e-3)
    newtons = (newton,) * 4
    settings = ExplorerSettings(long, newtons, (0, 1, 2, 3), (1.1, 1.3), 5_000, 0.0, 0, None)
    rows = []
    cut, _ = budgeted(settings)
    estimate = work.descent_request("", long, newtons, cut.steps).estimate_seconds()
    measured = _cpu_once(
        lambda: [core.descend(long, o, cut.start, cut.steps) for o in cut.optimizers]
    )
    rows.append(
        ("Explorer: 4 Newton runs × 5,000 steps", f"{cut.steps:,} steps", estimate, measured)
    )

    inputs = sweep_settings.StudyInputs(settings, sweeps.MAX_SWEEP_STEPS)
    fitted, side = sweep_settings.fit_basins(inputs, sweeps.MAX_BASIN_RESOLUTION)
    request = work.descent_request("", long, (newton,), fitted.steps, grid_side=side)
    measured = _cpu_once(lambda: sweeps.basin_map(long, newton, side, fitted.steps))
    rows.append(
        (
            "Learning-rate lab: basins 200 × 200 × 2,000 Newton steps",
            f"{side} × {side} starts × {fitted.steps} steps",
            request.estimate_seconds(),
            measured,
        )
    )
    fitted, count = sweep_settings.fit_sweep(inputs, sweeps.MAX_LEARNING_RATES)
    request = work.descent_request("", long, newtons, fitted.steps, starts=count)
    rates = sweeps.learning_rate_grid(1e-4, 1.0, count)
    measured = _cpu_once(
        lambda: [
            sweeps.learning_rate_sweep(long, o, (1.1, 1.3), fitted.steps, rates) for o in newtons
        ]
    )
    rows.append(
        (
            "Learning-rate lab: sweep, 4 Newton × 200 rates × 2,000 steps",
            f"{count} rates × {fitted.steps} steps",
            request.estimate_seconds(),
            measured,
        )
    )
    fitted, side = sweep_settings.fit_momentum(inputs, sweeps.MAX_MOMENTUM_GRID)
    heavy_ball = core.optimizer("sgd", momentum=0.9)
    request = work.descent_request("", long, (heavy_ball,), fitted.steps, grid_side=side)
    measured = _cpu_once(
        lambda: sweeps.momentum_map(
            long,
            (1.1, 1.3),
            fitted.steps,
            sweeps.learning_rate_grid(1e-4, 1e-2, side),
            sweeps.momentum_grid(side),
        )
    )
    rows.append(
        (
            "Learning-rate lab: lr × momentum 60 × 60 × 2,000 steps",
            f"{side} × {side} × {fitted.steps} steps",
            request.estimate_seconds(),
            measured,
        )
    )
    fitted, count = sweep_settings.fit_starts(inputs, sweeps.MAX_RANDOM_STARTS)
    request = work.descent_request("", long, (newton,), fitted.steps, starts=count)
    measured = _cpu_once(lambda: sweeps.random_starts(long, newton, count, fitted.steps))
    rows.append(
        (
            "Learning-rate lab: 10,000 random starts × 2,000 Newton steps",
            f"{count:,} starts × {fitted.steps} steps",
            request.estimate_seconds(),
            measured,
        )
    )
    rows += network_page_rows(network_session)
    return rows


def largest_trainer() -> Trainer:
    from core.nn.datasets import MAX_POINTS
    from core.nn.mlp import MAX_HIDDEN_LAYERS, MAX_UNITS

    data = make_dataset("spiral", count=MAX_POINTS, seed=0)
    hidden = (MAX_UNITS,) * MAX_HIDDEN_LAYERS
    return Trainer(data, TrainingConfig(hidden=hidden, batch_size=1, epochs=2_000))


def network_page_rows(network_session) -> list[tuple[str, str, float, float]]:
    from core.nn.training import compare_optimizers, config_with

    trainer = largest_trainer()
    weights, points = trainer.network.params.size, trainer.dataset.targets_train.shape[0]
    epochs, _ = network_session.comparison_plan(trainer, 3)
    chosen = [("sgd", (("lr", 0.01),)), ("adam", (("lr", 0.001),)), ("rmsprop", (("lr", 0.001),))]
    config = config_with(trainer.config, epochs=epochs)
    measured = _cpu_once(lambda: compare_optimizers(trainer.dataset, config, chosen))
    estimate = work.seconds(3 * work.training_operations(weights, points, 1, epochs))
    rows = [
        (
            "Network Lab: compare 3 optimizers, 4 × 64 units, 1,000 points, batch 1",
            f"{epochs} epochs each",
            estimate,
            measured,
        )
    ]
    trainer.train(2)
    side, _ = network_session.landscape_plan(trainer, 41)
    session = network_session.TrainingSession(None, trainer)
    measured = _cpu_once(lambda: network_session.compute_landscape(session, "pca", 41, None))
    estimate = work.seconds((side**2 + 51) * work.forward_operations(weights, points))
    rows.append(
        ("Network Lab: landscape 41 × 41 of that network", f"{side} × {side}", estimate, measured)
    )
    return rows


def before_rows() -> list[tuple[str, str]]:
    """The worst requests without the budget (stopped after 60 s of CPU where longer)."""
    long = long_surface()
    newton = core.optimizer("newton", lr=1e-3)
    rows = []
    one = _cpu_once(lambda: core.descend(long, newton, (1.1, 1.3), 5_000))
    rows.append(("Explorer: 4 Newton runs × 5,000 steps", f"{4 * one:.0f} s (4 × {one:.1f} s)"))
    try:
        started = time.process_time()
        sweeps.basin_map(long, newton, 200, 2_000, progress=_stopped_after(60.0))
        rows.append(
            ("Basins 200 × 200 × 2,000 Newton steps", f"{time.process_time() - started:.0f} s")
        )
    except TimeoutError:
        rows.append(("Basins 200 × 200 × 2,000 Newton steps", "> 60 s (stopped)"))
    trainer = largest_trainer()
    from core.nn.training import compare_optimizers, config_with

    config = config_with(trainer.config, epochs=20_000 // trainer.dataset.targets_train.shape[0])
    one = _cpu_once(lambda: compare_optimizers(trainer.dataset, config, [("adam", ())]))
    rows.append(
        ("Network Lab: compare 3 optimizers (old cap)", f"{3 * one:.0f} s (3 × {one:.1f} s)")
    )
    return rows


def pages_main() -> None:
    print("| page: most expensive request | after the budget | estimate (s) | measured CPU (s) |")
    print("|---|---|---:|---:|")
    for name, cut, estimate, measured in page_rows():
        print(f"| {name} | {cut} | {estimate:.2f} | {measured:.2f} |")
    print("\n| before: worst request | measured CPU |")
    print("|---|---:|")
    for name, value in before_rows():
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    import sys

    if "--surfaces" in sys.argv:
        surfaces_main()
    else:
        pages_main() if "--pages" in sys.argv else main()
