"""Network training speed against torch: MLP 2-16-16-1 (tanh), 500 points, 1,000 full-batch
epochs of binary cross-entropy on logits, with plain SGD and with Adam (the loop core.nn.Trainer
runs). Both sides start from the same weights, in float64 (torch also in its default float32),
and the final losses are compared."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

import core
from benchmarks.common import best_seconds, report, run_torch_side
from core.nn import MLP, make_dataset

SIZES, POINTS, EPOCHS = [2, 16, 16, 1], 500, 1000
OPTIMIZERS = {"sgd": {"lr": 0.1}, "adam": {"lr": 0.01}}


def train(network: MLP, initial: np.ndarray, inputs, targets, name: str) -> float:
    """EPOCHS full-batch updates from `initial`; the final training loss."""
    optimizer = core.optimizer(name, **OPTIMIZERS[name])
    network.params = initial
    state, step = optimizer.init(network.params.copy()), optimizer.step
    for t in range(1, EPOCHS + 1):
        gradient = network.gradient(inputs, targets, "bce")
        update, state = step(state, gradient, network.params, t, optimizer.lr)
        network.params += update
    return network.loss(inputs, targets, "bce")


def main() -> None:
    data = make_dataset("circle", count=POINTS, train_share=0.9, seed=0)
    inputs = np.concatenate([data.features_train, data.features_test])
    targets = np.concatenate([data.targets_train, data.targets_test])
    network = MLP(SIZES, activation="tanh", seed=0)
    initial = network.params.copy()
    ours = {
        name: best_seconds(lambda n=name: train(network, initial, inputs, targets, n), 3)
        for name in OPTIMIZERS
    }
    losses = {name: train(network, initial, inputs, targets, name) for name in OPTIMIZERS}
    with tempfile.TemporaryDirectory() as folder:
        np.savez(
            Path(folder) / "problem.npz",
            inputs=inputs,
            targets=targets,
            initial=initial,
            sizes=np.array(SIZES),
        )
        torch = run_torch_side(
            "mlp.py", str(Path(folder) / "problem.npz"), str(EPOCHS), json.dumps(OPTIMIZERS)
        )
    rows = []
    for name in OPTIMIZERS:
        task = f"MLP 2-16-16-1, {POINTS} points, {EPOCHS} full-batch {name} epochs"
        rows.append((task + " (torch float64)", ours[name], torch and torch[name]["float64"]))
        rows.append((task + " (torch float32)", ours[name], torch and torch[name]["float32"]))
    report(rows)
    for name in OPTIMIZERS:
        theirs = torch[name]["loss"] if torch else "torch not installed"
        print(f"\nfinal loss, {name}: Descent Lab {losses[name]:.10g}, torch float64 {theirs}")
    if torch:
        print(f"\ntorch used {torch['threads']} thread(s).")


if __name__ == "__main__":
    main()
