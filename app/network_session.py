"""What the Network Lab keeps between reruns, and the actions its buttons take.

One `TrainingSession` lives in st.session_state[SESSION_KEY]: the settings it was built from, the
core Trainer (weights, optimizer state, history, snapshots), whether it is training, and the
landscape and comparison computed on demand. New settings replace it with a fresh session.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.network_settings import NetworkSettings
from core.nn.datasets import make_dataset
from core.nn.landscape import (
    LandscapeSlice,
    interpolation,
    loss_slice,
    pca_directions,
    random_directions,
)
from core.nn.training import DIVERGED, Trainer, compare_optimizers, config_with
from core.work import Notice, Request, Size, fit_to_budget, forward_operations, training_operations

SESSION_KEY = "network_session"
CHUNK_SECONDS = 0.35
"""Training time per live update: long enough to move, short enough to keep the page alive."""
UPDATES_PER_RUN = 60
"""A run is shown in about this many live updates (fewer when an epoch is slow)."""
MAX_COMPARE_EPOCHS = 500
INTERPOLATION_POINTS = 51
"""Points of the 1-D line from the initial to the current weights (core.nn.landscape)."""
LANDSCAPE_KINDS = {"pca": "PCA of the training path", "random": "random, filter-normalised"}


@dataclass(frozen=True)
class LandscapeView:
    """A computed landscape: the slice, the 1-D interpolation, and the epoch it was taken at."""

    kind: str
    slice: LandscapeSlice
    steps: np.ndarray
    values: np.ndarray
    epoch: int


@dataclass
class TrainingSession:
    """The page's state between reruns (see the module docstring)."""

    settings: NetworkSettings
    trainer: Trainer
    running: bool = False
    landscape: LandscapeView | None = None
    comparison: list[Trainer] | None = None


def build_session(settings: NetworkSettings) -> TrainingSession:
    """A fresh, untrained session (raises ValueError when the settings cannot train)."""
    dataset = make_dataset(**settings.data.arguments())
    return TrainingSession(settings, Trainer(dataset, settings.config))


def current_session(state, settings: NetworkSettings) -> TrainingSession:
    """The session for these settings from `state` (st.session_state), rebuilt if they changed."""
    session = state.get(SESSION_KEY)
    if not isinstance(session, TrainingSession) or session.settings != settings:
        session = build_session(settings)
        state[SESSION_KEY] = session
    return session


def advance(session: TrainingSession) -> None:
    """One live update: about epochs / UPDATES_PER_RUN epochs, at most CHUNK_SECONDS of work."""
    trainer = session.trainer
    chunk = max(1, math.ceil(trainer.config.epochs / UPDATES_PER_RUN))
    started = time.perf_counter()
    for _ in range(chunk):
        trainer.train(1)
        if trainer.done or time.perf_counter() - started > CHUNK_SECONDS:
            break
    session.running = session.running and not trainer.done


def start(session: TrainingSession) -> None:
    session.running = not session.trainer.done


def pause(session: TrainingSession) -> None:
    session.running = False


def step_epoch(session: TrainingSession) -> None:
    session.running = False
    session.trainer.train(1)


def reset(session: TrainingSession) -> None:
    """Back to the initial weights (same seed), keeping the settings."""
    fresh = build_session(session.settings)
    session.trainer, session.running = fresh.trainer, False
    session.landscape, session.comparison = None, None


def compute_landscape(
    session: TrainingSession, kind: str, resolution: int, progress: Callable[[float], None]
) -> LandscapeView:
    """The slice through the current weights along `kind` directions, and the 1-D line."""
    trainer = session.trainer
    resolution, _ = landscape_plan(trainer, resolution)
    if resolution == 0:
        raise ValueError("even the smallest landscape of this network is over the work budget")
    if trainer.status == DIVERGED:
        raise ValueError(
            "the training diverged, so the weights describe no useful landscape; "
            "reset and lower the learning rate"
        )
    data, loss = trainer.dataset, trainer.config.loss
    centre = trainer.network.params.copy()
    snapshots = trainer.snapshot_matrix()
    if kind == "pca":
        directions = pca_directions(snapshots, centre)
    else:
        directions = random_directions(trainer.network, centre, seed=trainer.config.seed)
    result = loss_slice(
        trainer.network,
        data.features_train,
        data.targets_train,
        loss,
        centre,
        directions,
        snapshots,
        resolution,
        progress=progress,
    )
    steps, values = interpolation(
        trainer.network,
        data.features_train,
        data.targets_train,
        loss,
        trainer.initial_params,
        centre,
        INTERPOLATION_POINTS,
    )
    return LandscapeView(kind, result, steps, values, trainer.epoch)


def compute_comparison(
    session: TrainingSession, optimizers: list, progress: Callable[[float], None]
) -> list[Trainer]:
    """Train the session's network once per optimizer, for the epochs the budget allows (none
    when even one epoch each is over it)."""
    epochs, _ = comparison_plan(session.trainer, len(optimizers))
    if epochs == 0:
        return []
    capped = config_with(session.trainer.config, epochs=epochs)
    return compare_optimizers(session.trainer.dataset, capped, optimizers, progress)


def _sizes(trainer: Trainer) -> tuple[int, int, int]:
    """(weights, training points, batch size) of the trainer's network and data."""
    points = trainer.dataset.targets_train.shape[0]
    return trainer.network.params.size, points, trainer.config.batch_size


def comparison_plan(trainer: Trainer, count: int) -> tuple[int, Notice | None]:
    """Epochs per compared optimizer: the planned ones capped at MAX_COMPARE_EPOCHS, then cut to
    the work budget for `count` optimizers (0 if refused), and the notice saying so."""
    weights, points, batch = _sizes(trainer)
    planned = min(trainer.config.epochs, MAX_COMPARE_EPOCHS)
    request = Request(
        f"Comparing {count} optimizers",
        (Size("epochs", planned, 1),),
        lambda values: count * training_operations(weights, points, batch, values["epochs"]),
    )
    cut, notice = fit_to_budget(request)
    return (0 if cut is None else cut.value("epochs")), notice


def comparison_epochs(trainer: Trainer, count: int = 1) -> int:
    """The epochs a comparison of `count` optimizers runs (see comparison_plan)."""
    return comparison_plan(trainer, count)[0]


def landscape_plan(trainer: Trainer, resolution: int) -> tuple[int, Notice | None]:
    """The landscape's grid side cut to the work budget (0 if refused), and the notice."""
    weights, points, _ = _sizes(trainer)
    request = Request(
        "This landscape",
        (Size("grid", int(resolution), min(int(resolution), 5), squared=True),),
        lambda values: (
            (values["grid"] ** 2 + INTERPOLATION_POINTS) * forward_operations(weights, points)
        ),
    )
    cut, notice = fit_to_budget(request)
    return (0 if cut is None else cut.value("grid")), notice
