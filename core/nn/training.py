"""Training a network with any core optimizer and schedule: epochs of shuffled mini-batches.

A `Trainer` owns a network, its optimizer state, a history per epoch and weight snapshots, and
advances by whole epochs (`train(epochs)`), so a page can run a few epochs per rerun and a notebook
can run them all at once with the same result: the shuffling generator lives in the trainer, so
chunks of epochs and one long call give the same weights, bit for bit.

Each update: g = ∂L_batch/∂θ (mean over the batch, plus regularisation), (Δ, state) =
optimizer.step(state, g, θ, t, γ_e), θ ← θ + Δ; t counts updates from 1; γ_e is the schedule's
rate for epoch e (schedules step once per epoch, as `scheduler.step()` after each epoch in torch).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.nn.datasets import Dataset
from core.nn.losses import BINARY, REGRESSION, loss, losses_for
from core.nn.mlp import MLP, parameter_count
from core.optimizers import Optimizer, optimizer
from core.schedules import schedule
from core.work import chunk_operations, training_operations

MAX_EPOCHS = 2000
MAX_SNAPSHOTS = 100
MAX_SNAPSHOT_BYTES = 8_000_000
"""A trainer keeps at most MAX_SNAPSHOTS weight vectors, and at most this many bytes of them."""
READY, TRAINING, FINISHED, DIVERGED = "ready", "training", "finished", "diverged"


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that defines a training run besides the data (all plain values)."""

    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    loss: str = "bce"
    l1: float = 0.0
    l2: float = 0.0
    optimizer: str = "sgd"
    hyperparameters: tuple[tuple[str, Any], ...] = (("lr", 0.1),)
    schedule: str = "constant"
    schedule_parameters: tuple[tuple[str, float], ...] = ()
    batch_size: int = 32
    epochs: int = 200
    seed: int = 0

    def build_optimizer(self) -> Optimizer:
        """The core optimizer; ValueError for Newton, which needs a Hessian no network has here."""
        built = optimizer(self.optimizer, **dict(self.hyperparameters))
        if not built.elementwise:
            raise ValueError(
                f"{self.optimizer} needs the full Hessian of the loss (one row per weight); "
                "a network trains with a first-order optimizer: choose sgd, adam, rmsprop, ..."
            )
        return built

    def learning_rates(self, lr: float) -> np.ndarray:
        """γ_e for epochs e = 0..epochs−1, shape (epochs,)."""
        rule = schedule(self.schedule, **dict(self.schedule_parameters))
        return rule.learning_rates(lr, self.epochs)


@dataclass
class History:
    """Per finished epoch (index 0 is before training): losses, metrics and learning rate."""

    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    test_metric: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Finished epochs (the history has one more entry: the untrained network)."""
        return max(0, len(self.train_loss) - 1)


class Trainer:
    """A network in training: weights, optimizer state, history and snapshots. See the module."""

    def __init__(
        self, dataset: Dataset, config: TrainingConfig, keep_snapshots: bool = True
    ) -> None:
        _check_config(dataset, config)
        self.dataset, self.config = dataset, config
        self.optimizer = config.build_optimizer()
        outputs = loss(config.loss).output_units(dataset.classes)
        sizes = [dataset.features_train.shape[1], *config.hidden, outputs]
        self.network = MLP(sizes, activation=config.activation, seed=config.seed)
        self.initial_params = self.network.params.copy()
        self.state = self.optimizer.init(self.network.params.copy())
        self.rates = config.learning_rates(self.optimizer.lr)
        self.rng = np.random.default_rng([config.seed, 2])
        self.updates, self.status, self.reason = 0, READY, ""
        self.history = History()
        self.snapshots: list[np.ndarray] = []
        self.snapshot_epochs: list[int] = []
        self._snapshot_stride = 1
        self.keep_snapshots = keep_snapshots
        self._record_epoch()

    @property
    def epoch(self) -> int:
        return self.history.epochs

    @property
    def done(self) -> bool:
        return self.status in (FINISHED, DIVERGED)

    def train(self, epochs: int = 1) -> None:
        """Run up to `epochs` more epochs (never past config.epochs; nothing after a divergence)."""
        with np.errstate(all="ignore"):
            for _ in range(int(epochs)):
                if self.done:
                    return
                self._train_epoch()

    def batches(self, rng: np.random.Generator) -> list[np.ndarray]:
        """One epoch's mini-batches: index arrays of a fresh shuffle of the training set."""
        order = rng.permutation(self.dataset.targets_train.shape[0])
        size = self.config.batch_size
        return [order[start : start + size] for start in range(0, order.size, size)]

    def _train_epoch(self) -> None:
        data = self.dataset
        rate = float(self.rates[self.epoch])
        network, step = self.network, self.optimizer.step
        for batch in self.batches(self.rng):
            gradient = network.gradient(
                data.features_train[batch],
                data.targets_train[batch],
                self.config.loss,
                self.config.l1,
                self.config.l2,
            )
            self.updates += 1
            update, self.state = step(self.state, gradient, network.params, self.updates, rate)
            network.params += update
        self.history.learning_rate.append(rate)
        self._record_epoch()

    def _record_epoch(self) -> None:
        """Append losses and metrics, take a snapshot, update the status."""
        data, config, network = self.dataset, self.config, self.network
        for inputs, targets, losses, metrics in (
            (
                data.features_train,
                data.targets_train,
                self.history.train_loss,
                self.history.train_metric,
            ),
            (
                data.features_test,
                data.targets_test,
                self.history.test_loss,
                self.history.test_metric,
            ),
        ):
            losses.append(network.loss(inputs, targets, config.loss, config.l1, config.l2))
            metrics.append(metric(network, inputs, targets, data.task, config.loss))
        self._snapshot()
        self._update_status()

    def _update_status(self) -> None:
        latest = self.history.train_loss[-1]
        if not (math.isfinite(latest) and np.all(np.isfinite(self.network.params))):
            self.status = DIVERGED
            self.reason = (
                f"the training loss became non-finite at epoch {self.epoch}: the "
                "learning rate is too large for this network and data"
            )
        elif self.epoch >= self.config.epochs:
            self.status, self.reason = FINISHED, f"ran all {self.config.epochs} epochs"
        elif self.epoch:
            self.status, self.reason = TRAINING, ""

    def _snapshot(self) -> None:
        """Keep the weights every `stride` epochs; past MAX_SNAPSHOTS keep every other one."""
        if not self.keep_snapshots or (self.epoch % self._snapshot_stride and not self.done):
            return
        self.snapshots.append(self.network.params.copy())
        self.snapshot_epochs.append(self.epoch)
        if len(self.snapshots) > self.snapshot_limit:
            self.snapshots = self.snapshots[::2]
            self.snapshot_epochs = self.snapshot_epochs[::2]
            self._snapshot_stride *= 2

    @property
    def snapshot_limit(self) -> int:
        """Snapshots kept before thinning: MAX_SNAPSHOTS, fewer for a large network so that
        they hold at most MAX_SNAPSHOT_BYTES (at least 4, for a path to project)."""
        return max(4, min(MAX_SNAPSHOTS, MAX_SNAPSHOT_BYTES // self.network.params.nbytes))

    def snapshot_matrix(self) -> np.ndarray:
        """The snapshots (S, P), the current weights always last."""
        rows = list(self.snapshots)
        if not self.snapshot_epochs or self.snapshot_epochs[-1] != self.epoch:
            rows.append(self.network.params.copy())
        return np.asarray(rows)


def metric(network: MLP, inputs, targets, task: str, loss_name: str) -> float:
    """Accuracy for classification; R² = 1 − SS_res/SS_tot for regression."""
    with np.errstate(all="ignore"):
        outputs = network.forward(inputs).outputs
        if task == REGRESSION:
            residual = outputs[:, 0] - targets
            spread = targets - targets.mean()
            return float(1.0 - residual @ residual / max(spread @ spread, 1e-300))
        return float(np.mean(predicted_classes(outputs, task, loss_name) == targets))


def predicted_classes(outputs: np.ndarray, task: str, loss_name: str) -> np.ndarray:
    """The class each raw output (n, k) votes for: argmax, or a threshold for one output."""
    if outputs.shape[1] > 1:
        return np.argmax(outputs, axis=1).astype(np.float64)
    threshold = 0.0 if loss_name == "bce" else 0.5
    return (outputs[:, 0] > threshold).astype(np.float64) if task == BINARY else outputs[:, 0]


def _check_config(dataset: Dataset, config: TrainingConfig) -> None:
    entry = loss(config.loss)
    if dataset.task not in entry.tasks:
        raise ValueError(
            f"the {entry.title} loss does not fit a {dataset.task} task; "
            f"use one of {', '.join(losses_for(dataset.task))}"
        )
    if not 1 <= config.epochs <= MAX_EPOCHS:
        raise ValueError(f"epochs must be between 1 and {MAX_EPOCHS}, not {config.epochs}")
    if config.batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {config.batch_size}")
    for name, value in (("l1", config.l1), ("l2", config.l2)):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")


def config_with(config: TrainingConfig, **changes: Any) -> TrainingConfig:
    """A copy of config with some fields changed (dicts become sorted item tuples)."""
    fields = {**config.__dict__, **changes}
    for key in ("hyperparameters", "schedule_parameters"):
        if isinstance(fields[key], Mapping):
            fields[key] = tuple(sorted(fields[key].items()))
    return TrainingConfig(**fields)


def compare_optimizers(
    dataset: Dataset,
    config: TrainingConfig,
    optimizers: list[tuple[str, tuple[tuple[str, Any], ...]]],
    progress: Callable[[float], None] | None = None,
) -> list[Trainer]:
    """Train the same network on the same data once per (name, hyperparameters), all from the
    same initial weights and the same batches (one seed), for config.epochs each (curves only:
    no weight snapshots are kept). progress(done fraction) is called after every chunk of about
    core.work.CHUNK_SECONDS of estimated work; an exception it raises stops the comparison."""
    trainers = []
    chunk = _epochs_per_chunk(dataset, config)
    for index, (name, hyperparameters) in enumerate(optimizers):
        changed = config_with(config, optimizer=name, hyperparameters=hyperparameters)
        trainer = Trainer(dataset, changed, keep_snapshots=False)
        for epoch in range(config.epochs):
            trainer.train(1)
            if progress is not None and ((epoch + 1) % chunk == 0 or trainer.done):
                progress((index + (epoch + 1) / config.epochs) / len(optimizers))
            if trainer.done:
                break
        trainers.append(trainer)
    return trainers


def _epochs_per_chunk(dataset: Dataset, config: TrainingConfig) -> int:
    """Epochs of training between two progress reports (core.work's chunk of work)."""
    weights = parameter_count(
        [
            dataset.features_train.shape[1],
            *config.hidden,
            loss(config.loss).output_units(dataset.classes),
        ]
    )
    per_epoch = training_operations(weights, dataset.targets_train.shape[0], config.batch_size, 1)
    return max(1, int(chunk_operations() // per_epoch))
