"""Descent speed against torch.optim: one 1,000-step Adam path on Rosenbrock, and 40,000 starts
x 300 steps (a basin map's worth) keeping only the final points. Both sides in float64."""

from __future__ import annotations

import numpy as np

import core
from benchmarks.common import best_seconds, report, run_torch_side

SINGLE_STEPS, BATCH_COUNT, BATCH_STEPS = 1000, 40_000, 300


def main() -> None:
    surface, optimizer = core.surface("rosenbrock"), core.optimizer("adam", lr=0.01)
    starts = np.random.default_rng(0).uniform(-2, 2, (BATCH_COUNT, 2))
    single = best_seconds(
        lambda: core.descend(surface, optimizer, (-1.5, 2.0), SINGLE_STEPS, tolerance=0.0), 10
    )
    batch = best_seconds(
        lambda: core.descend(surface, optimizer, starts, BATCH_STEPS, record="final"), 3
    )
    torch = run_torch_side("descent.py", str(SINGLE_STEPS), str(BATCH_COUNT), str(BATCH_STEPS))
    report(
        [
            ("one Adam path, 1,000 steps, full record", single, torch and torch["single"]),
            ("40,000 starts x 300 Adam steps, final points", batch, torch and torch["batch"]),
        ]
    )
    if torch:
        print(f"\ntorch used {torch['threads']} thread(s).")


if __name__ == "__main__":
    main()
