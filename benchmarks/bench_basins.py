"""Basin map speed against torch.optim: 200 x 200 starts x 300 Adam steps on Rosenbrock (float64).

Descent Lab's side is the whole `core.sweeps.basin_map` (one batched descent of 40,000 starts plus
labelling each end with its minimum) and, separately, the figure the page draws from it. The
torch side is torch.optim.Adam on a (40000, 2) tensor with autograd, the same steps and rate
(benchmarks/torch_side/descent.py); it runs only where torch imports (see benchmarks/common.py).
"""

from __future__ import annotations

import core
from app.sweep_figures import basin_figure
from benchmarks.common import best_seconds, report, run_torch_side
from core.sweeps import basin_map

RESOLUTION, STEPS, LEARNING_RATE = 200, 300, 0.01


def main() -> None:
    surface = core.surface("rosenbrock")
    optimizer = core.optimizer("adam", lr=LEARNING_RATE)
    basins = basin_map(surface, optimizer, RESOLUTION, STEPS)
    ours = best_seconds(lambda: basin_map(surface, optimizer, RESOLUTION, STEPS), 3)
    drawing = best_seconds(lambda: basin_figure(surface, basins).to_json(), 3)
    torch = run_torch_side("descent.py", "1", str(RESOLUTION * RESOLUTION), str(STEPS))
    report([(f"basin map {RESOLUTION} x {RESOLUTION} starts x {STEPS} Adam steps", ours,
             torch and torch["batch"])])  # fmt: skip
    print(f"\nbasin figure built and serialised in {drawing * 1e3:.0f} ms "
          f"({len(basin_figure(surface, basins).to_json()) / 1e3:.0f} kB).")  # fmt: skip
    if torch is None:
        print("torch is not installed: set DESCENT_LAB_TORCH_PYTHON to a Python that has it.")
    else:
        print(f"torch used {torch['threads']} thread(s).")


if __name__ == "__main__":
    main()
