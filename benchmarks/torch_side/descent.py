"""torch.optim side of bench_descent.py: Adam on Rosenbrock, one path and a batch, float64.

Prints one JSON line: {"single": seconds, "batch": seconds, "threads": n}.
"""

import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.common import best_seconds


def rosenbrock(points: torch.Tensor) -> torch.Tensor:
    x, y = points[..., 0], points[..., 1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def descend(start: torch.Tensor, steps: int, lr: float) -> torch.Tensor:
    points = start.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([points], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        rosenbrock(points).sum().backward()
        optimizer.step()
    return points.detach()


def main() -> None:
    single_steps, batch_count, batch_steps = (int(v) for v in sys.argv[1:4])
    single = torch.tensor([-1.5, 2.0], dtype=torch.float64)
    generator = torch.Generator().manual_seed(0)
    batch = torch.rand(batch_count, 2, dtype=torch.float64, generator=generator) * 4 - 2
    result = {
        "single": best_seconds(lambda: descend(single, single_steps, 0.01), 5),
        "batch": best_seconds(lambda: descend(batch, batch_steps, 0.01), 3),
        "threads": torch.get_num_threads(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
