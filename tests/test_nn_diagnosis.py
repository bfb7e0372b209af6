"""Network Lab verdicts follow the numbers: each verdict's claims are recomputed from the history
with other estimators (least squares instead of Theil–Sen, means instead of medians, a recount of
the classes), on real training runs of the app's data sets and on synthetic curves of each kind."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from core.nn.datasets import DATASETS, make_dataset
from core.nn.diagnosis import KINDS, diagnose_trainer, diagnose_training
from core.nn.losses import BINARY, REGRESSION, losses_for
from core.nn.training import DIVERGED, History, Trainer, TrainingConfig

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")


# ----- independent recomputation -------------------------------------------------------------
def window_of(history: History) -> int:
    """A quarter of the epochs, at least 5 (what the verdicts promise to look back over)."""
    return min(history.epochs, max(5, round(history.epochs / 4)))


def least_squares_fall(values, window: int) -> float:
    """1 − exp(slope · window) of a least-squares line through log values of the last window."""
    tail = np.log(np.asarray(values[-window - 1 :], dtype=float))
    slope = np.polyfit(np.arange(tail.size), tail, 1)[0]
    return -math.expm1(slope * window)


def least_squares_scatter(losses) -> float:
    """The spread of log losses around their least-squares line: the interquartile range of the
    residuals / 1.349 (the standard deviation for normal noise, blind to a rare spike)."""
    logs = np.log(np.asarray(losses, dtype=float))
    steps = np.arange(logs.size)
    low, high = np.percentile(logs - np.polyval(np.polyfit(steps, logs, 1), steps), [25, 75])
    return float((high - low) / 1.349)


def repeated_median_fall(values, window: int) -> float:
    """1 − exp(slope · window) with Siegel's repeated-median slope of the log values (for each
    epoch the median slope to every other, then the median of those): robust to a bump."""
    tail = np.log(np.asarray(values[-window - 1 :], dtype=float))
    steps = np.arange(tail.size)
    slopes = []
    for i in steps:
        others = steps != i
        slopes.append(np.median((tail[others] - tail[i]) / (steps[others] - i)))
    return -math.expm1(float(np.median(slopes)) * window)


def majority_share(targets) -> float:
    counts = np.bincount(np.asarray(targets, dtype=int))
    return counts.max() / counts.sum()


def percentages(message: str) -> list[float]:
    return [float(value) / 100 for value in re.findall(r"(\d+) %", message)]


def check_claims(history: History, verdict, chance: float | None) -> None:
    """Every claim the verdict makes, recomputed from the history without the diagnosis code."""
    assert verdict.kind in KINDS
    assert not re.search(r"\b(inf|nan)\b", verdict.message, re.IGNORECASE), verdict.message
    assert all(math.isfinite(float(n)) for n in NUMBER.findall(verdict.message))
    window = window_of(history)
    if history.epochs >= 10:
        assert f"last {window} epochs" in verdict.message or verdict.kind in ("learned", "diverged")
    train_metric = np.asarray(history.train_metric[-window - 1 :])
    train_loss = np.asarray(history.train_loss[-window - 1 :])
    fall = least_squares_fall(history.train_loss, window) if history.epochs >= 10 else 0.0
    if verdict.kind == "learned":
        assert (
            np.median(train_metric[-max(1, window // 2) :]) >= 0.97
            or history.train_loss[-1] <= 0.01 * (history.train_loss[0])
        )
    elif verdict.kind == "improving":
        stated = percentages(verdict.message)[0]
        robust = repeated_median_fall(history.train_loss, window)
        assert max(fall, robust) > 0.005
        tolerance = max(0.02, 0.3 * min(fall, robust))
        assert min(fall, robust) - tolerance <= stated <= max(fall, robust) + tolerance, (
            stated,
            fall,
            robust,
        )
        assert np.mean(train_metric[-3:]) < 0.99
    elif verdict.kind == "stuck":
        assert chance is not None
        assert np.max(train_metric) <= chance + 0.05 + 1e-12
        assert abs(fall) < 0.05
    elif verdict.kind == "settled":
        robust = repeated_median_fall(history.train_loss, window)
        assert max(abs(fall), abs(robust)) < 0.05 and least_squares_scatter(train_loss) < 0.05
        assert np.median(train_metric[-max(1, window // 2) :]) < 0.98
    elif verdict.kind == "overfitting":
        test = np.asarray(history.test_loss[-window - 1 :])
        gap = test - np.asarray(history.train_loss[-window - 1 :])
        steps = np.arange(test.size)
        assert np.polyfit(steps, np.log(test), 1)[0] > 0 and np.polyfit(steps, gap, 1)[0] > 0
        assert test[-5:].mean() > test[:5].mean()
        start, end = (
            float(n) for n in re.findall(r"grew from (\S+) to (\S+) ", verdict.message)[0]
        )
        assert end > start
    elif verdict.kind == "unstable":
        train = np.asarray(history.train_loss[-window - 1 :])
        jumps = int(np.sum(train[1:] / train[:-1] > 1.5))
        rising = least_squares_fall(history.train_loss, window) < -0.01
        unclear = "no clear trend" in verdict.message
        assert jumps >= 2 or rising or unclear or least_squares_scatter(train) > 0.05


# ----- real training runs of the app's data sets ---------------------------------------------
def app_trainer(name: str, epochs: int = 200, **fields) -> Trainer:
    """The Network Lab's defaults: 400 points, noise 0.1, (8, 8) tanh, SGD lr 0.1, batch 32."""
    spec = DATASETS[name]
    loss = "bce" if spec.task == BINARY else losses_for(spec.task)[0]
    settings = {"loss": loss, "hyperparameters": (("lr", 0.1),), "epochs": epochs, **fields}
    return Trainer(make_dataset(name), TrainingConfig(**settings), keep_snapshots=False)


def chance_of(trainer: Trainer) -> float:
    if trainer.dataset.task == REGRESSION:
        return 0.0
    return majority_share(trainer.dataset.targets_train)


@pytest.fixture(scope="module")
def default_runs() -> dict[str, Trainer]:
    runs = {}
    for name in DATASETS:
        trainer = app_trainer(name)
        trainer.train(200)
        runs[name] = trainer
    return runs


@pytest.mark.parametrize("name", list(DATASETS))
def test_default_settings_get_a_verdict_their_history_supports(default_runs, name):
    trainer = default_runs[name]
    verdict = diagnose_trainer(trainer)
    check_claims(trainer.history, verdict, chance_of(trainer))
    metric = np.asarray(trainer.history.train_metric[-10:])
    if metric.min() >= 0.99:  # a run at 100 % is not "still learning"
        assert verdict.kind == "learned", verdict


def test_default_settings_do_not_all_get_the_same_verdict(default_runs):
    kinds = {diagnose_trainer(trainer).kind for trainer in default_runs.values()}
    assert "learned" in kinds and len(kinds) >= 2


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("xor", {"hidden": ()}),  # a straight line cannot separate xor
        ("circle", {"hidden": (), "hyperparameters": (("lr", 0.001),)}),
        ("spiral", {"hyperparameters": (("lr", 5.0),)}),
        ("moons", {"optimizer": "adam", "hyperparameters": (("lr", 0.01),)}),
        ("sine", {"hyperparameters": (("lr", 0.001),)}),
        ("blobs", {"batch_size": 280}),
    ],
)
def test_variations_get_a_verdict_their_history_supports(name, fields):
    trainer = app_trainer(name, epochs=150, **fields)
    trainer.train(150)
    verdict = diagnose_trainer(trainer)
    check_claims(trainer.history, verdict, chance_of(trainer))


def test_a_model_that_cannot_beat_chance_is_stuck():
    # a logistic model on the raw x, y of noiseless xor: no straight line beats chance
    data = make_dataset("xor", count=400, noise=0.0, seed=3)
    trainer = Trainer(
        data, TrainingConfig(hidden=(), epochs=100, hyperparameters=(("lr", 0.1),)), False
    )
    trainer.train(100)
    chance = majority_share(data.targets_train)
    verdict = diagnose_trainer(trainer)
    assert np.max(trainer.history.train_metric[-26:]) <= chance + 0.05  # the recount says so
    assert verdict.kind == "stuck", verdict
    check_claims(trainer.history, verdict, chance)
    assert f"{chance:.1%}".replace("%", " %") in verdict.message


def test_the_overfitting_lesson_is_diagnosed_as_overfitting():
    data = make_dataset("gaussians", count=80, noise=0.6, train_share=0.5, seed=0)
    config = TrainingConfig(
        hidden=(32, 32), optimizer="adam", hyperparameters=(("lr", 0.01),), epochs=500
    )
    trainer = Trainer(data, config, keep_snapshots=False)
    trainer.train(500)
    verdict = diagnose_trainer(trainer)
    assert verdict.kind == "overfitting"
    check_claims(trainer.history, verdict, chance_of(trainer))


@pytest.mark.parametrize("name", ["spiral", "sine"])
def test_at_2000_epochs_the_verdict_does_not_flip_on_the_last_epochs(name):
    trainer = app_trainer(name, epochs=2000)
    trainer.train(1990)
    before = diagnose_trainer(trainer)
    trainer.train(10)
    after = diagnose_trainer(trainer)
    check_claims(trainer.history, after, chance_of(trainer))
    # the trend did not change: the least-squares fall over the window is about the same
    early = History(*(getattr(trainer.history, f)[:1991] for f in ("train_loss", "test_loss",
                      "train_metric", "test_metric")))  # fmt: skip
    assert least_squares_fall(early.train_loss, 498) == pytest.approx(
        least_squares_fall(trainer.history.train_loss, 500), abs=0.05
    )
    assert before.kind == after.kind, (before, after)


def test_a_diverged_run_is_said_without_non_finite_numbers():
    trainer = app_trainer("trend", epochs=50, hyperparameters=(("lr", 5.0),))
    trainer.train(50)
    assert trainer.status == DIVERGED
    verdict = diagnose_trainer(trainer)
    assert verdict.kind == "diverged"
    check_claims(trainer.history, verdict, None)


# ----- synthetic histories of each kind ------------------------------------------------------
def synthetic(train, test=None, metric=0.8, test_metric=None) -> History:
    train = list(map(float, train))
    test = train if test is None else list(map(float, test))
    metric = np.broadcast_to(metric, len(train)).tolist()
    test_metric = metric if test_metric is None else np.broadcast_to(test_metric, len(train))
    return History(train, test, metric, list(test_metric))


def noisy(curve, seed, scale=0.01):
    """curve × exp(N(0, scale²)) per epoch: multiplicative epoch-to-epoch jitter."""
    rng = np.random.default_rng(seed)
    return np.asarray(curve) * np.exp(scale * rng.standard_normal(len(curve)))


EPOCHS = np.arange(401)
SYNTHETIC = {
    "learned": lambda seed: synthetic(noisy(0.7 * np.exp(-EPOCHS / 60) + 0.01, seed), metric=1.0),
    "improving": lambda seed: synthetic(noisy(0.7 * np.exp(-EPOCHS / 300), seed), metric=0.8),
    "stuck": lambda seed: synthetic(
        noisy(np.full(401, 0.69), seed), metric=0.52 + 0.01 * np.sin(EPOCHS)
    ),
    "settled": lambda seed: synthetic(noisy(0.3 + 0.4 * np.exp(-EPOCHS / 30), seed), metric=0.85),
    "overfitting": lambda seed: synthetic(
        noisy(0.7 * np.exp(-EPOCHS / 100), seed),
        noisy(0.3 + 0.4 * np.exp(-EPOCHS / 50) + 0.001 * np.maximum(EPOCHS - 150, 0), seed + 1),
        metric=1.0,
    ),
    "unstable": lambda seed: synthetic(
        0.5 * np.exp(np.abs(np.random.default_rng(seed).standard_normal(401))), metric=0.7
    ),
}


@pytest.mark.parametrize("kind", list(SYNTHETIC))
@pytest.mark.parametrize("seed", range(5))
def test_synthetic_histories_of_each_kind(kind, seed):
    history = SYNTHETIC[kind](seed)
    verdict = diagnose_training(history, "finished", chance=0.5)
    assert verdict.kind == kind, verdict
    check_claims(history, verdict, 0.5)


@pytest.mark.parametrize("kind", list(SYNTHETIC))
def test_synthetic_verdicts_agree_ten_epochs_apart(kind):
    for seed in range(5, 10):
        history = SYNTHETIC[kind](seed)
        shorter = History(*(getattr(history, f)[:-10] for f in ("train_loss", "test_loss",
                            "train_metric", "test_metric")))  # fmt: skip
        assert diagnose_training(shorter, "training", chance=0.5).kind == kind


def test_a_loss_that_rises_steadily_is_unstable():
    history = synthetic(noisy(0.2 * np.exp(EPOCHS / 400), 0), metric=0.8)
    verdict = diagnose_training(history, "finished", chance=0.5)
    assert verdict.kind == "unstable"
    stated = percentages(verdict.message)[0]
    assert stated == pytest.approx(math.expm1(100 / 400), abs=0.03)


def test_non_finite_losses_and_early_runs():
    nan_history = synthetic([0.7, 0.5, float("nan")])
    verdict = diagnose_training(nan_history, "training")
    assert verdict.kind == "diverged" and "nan" not in verdict.message.lower()
    early = diagnose_training(synthetic([0.7, 0.6, 0.5]), "training")
    assert early.kind == "early" and "0.7" in early.message and "0.5" in early.message
    assert diagnose_training(synthetic([0.7]), "ready").kind == "untrained"


def test_a_tiny_loss_that_rises_is_said_in_words():
    history = synthetic(
        np.concatenate([np.geomspace(1.0, 1e-200, 300), np.geomspace(1e-200, 1e-3, 101)])
    )
    verdict = diagnose_training(history, "finished")
    assert verdict.kind == "unstable" and "tenfold" in verdict.message
    check_claims(history, verdict, None)
