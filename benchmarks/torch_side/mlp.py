"""torch side of bench_mlp.py: the same MLP, data, initial weights and optimizer, trained in torch.

Arguments: the .npz problem file (inputs, targets, initial weights in Descent Lab's layout,
sizes), the number of epochs, and the optimizers as JSON {name: {hyperparameters}}.
Prints one JSON line:
{name: {"float64": s, "float32": s, "loss": final float64 loss}, "threads": n}.
"""

import itertools
import json
import sys
from pathlib import Path

import numpy as np
import torch

# This script runs in the torch interpreter as a file: make the project importable for its timer.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.common import best_seconds


def build(sizes, initial: np.ndarray, dtype) -> torch.nn.Sequential:
    """tanh MLP with W_l (in, out) row-major then b_l per layer, as in core.nn.mlp."""
    layers, offset = [], 0
    for index, (m, u) in enumerate(itertools.pairwise(sizes)):
        linear = torch.nn.Linear(m, u, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(initial[offset : offset + m * u].reshape(m, u).T))
            offset += m * u
            linear.bias.copy_(torch.tensor(initial[offset : offset + u]))
            offset += u
        layers.append(linear)
        if index < len(sizes) - 2:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def train(problem, epochs: int, name: str, hyperparameters: dict, dtype) -> float:
    network = build(problem["sizes"].tolist(), problem["initial"], dtype)
    inputs = torch.tensor(problem["inputs"], dtype=dtype)
    targets = torch.tensor(problem["targets"], dtype=dtype).reshape(-1, 1)
    optimizer = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[name](
        network.parameters(), **hyperparameters
    )
    loss_function = torch.nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_function(network(inputs), targets)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return float(loss_function(network(inputs), targets))


def main() -> None:
    problem = dict(np.load(sys.argv[1]))
    epochs, optimizers = int(sys.argv[2]), json.loads(sys.argv[3])
    result = {"threads": torch.get_num_threads()}
    for name, hyperparameters in optimizers.items():

        def run(dtype, name=name, hyperparameters=hyperparameters) -> float:
            return train(problem, epochs, name, hyperparameters, dtype)

        result[name] = {
            "float64": best_seconds(lambda: run(torch.float64), 3),
            "float32": best_seconds(lambda: run(torch.float32), 3),
            "loss": run(torch.float64),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
