"""What a training run's curves say, in words: diverged, overfitting, underfitting, converged.

Decided in this order from a History (one entry per epoch, index 0 before training):
- "diverged": the trainer stopped on a non-finite loss, or the training loss has grown to more
  than DIVERGED_GROWTH times where it started;
- "overfitting": the test loss has risen by more than OVERFIT_RISE above its best while the
  training loss kept falling since that best epoch;
- "converged" / "underfitting": the training loss changed by less than PLATEAU_CHANGE (relative)
  over the last PLATEAU_SHARE of the epochs; converged if the training metric is good (accuracy
  or R² at least GOOD_METRIC), underfitting if not;
- "unstable": the training loss rose over the last PLATEAU_SHARE of the epochs;
- "learning": still improving — more epochs would help;
- "untrained": no epoch yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.nn.training import DIVERGED, History

OVERFIT_RISE = 0.1
PLATEAU_CHANGE = 0.01
PLATEAU_SHARE = 0.2
GOOD_METRIC = 0.9
DIVERGED_GROWTH = 10.0
KINDS = (
    "untrained",
    "diverged",
    "overfitting",
    "converged",
    "underfitting",
    "unstable",
    "learning",
)


@dataclass(frozen=True)
class TrainingDiagnosis:
    """kind (one of KINDS), a short headline and a message with the numbers."""

    kind: str
    headline: str
    message: str


def diagnose_training(
    history: History, status: str, reason: str = "", metric_name: str = "accuracy"
) -> TrainingDiagnosis:
    """The verdict on a run so far (see the module docstring for the rules); metric_name is
    what the history's metric is called in the message (accuracy or R²)."""
    if status == DIVERGED:
        message = reason or "the loss became non-finite"
        return TrainingDiagnosis("diverged", "Diverged", message[:1].upper() + message[1:] + ".")
    if history.epochs < 1:
        return TrainingDiagnosis("untrained", "Not trained yet", "Press Train or Step.")
    verdict = _growing(history) or _overfitting(history) or _plateau(history, metric_name)
    if verdict is not None:
        return verdict
    if _fall(history) < 0:
        return TrainingDiagnosis(
            "unstable",
            "Unstable",
            f"The training loss rose {-_fall(history):.0%} over the last {_window(history)} "
            "epochs: the learning rate may be too large for this point of training.",
        )
    return TrainingDiagnosis(
        "learning",
        "Still learning",
        f"The training loss is still falling ({_fall(history):.0%} over the last "
        f"{_window(history)} epochs): more epochs would help.",
    )


def _growing(history: History) -> TrainingDiagnosis | None:
    first, last = history.train_loss[0], history.train_loss[-1]
    if not last > DIVERGED_GROWTH * max(first, 1e-12):
        return None
    return TrainingDiagnosis(
        "diverged",
        "Diverging",
        f"The training loss grew from {first:.3g} to {last:.3g}: each step overshoots further. "
        "The learning rate is too large for this network and data.",
    )


def _overfitting(history: History) -> TrainingDiagnosis | None:
    test = np.asarray(history.test_loss)
    train = np.asarray(history.train_loss)
    best = int(np.argmin(test))
    rise = (test[-1] - test[best]) / max(abs(test[best]), 1e-12)
    if best == test.size - 1 or rise <= OVERFIT_RISE or not train[-1] < train[best]:
        return None
    return TrainingDiagnosis(
        "overfitting",
        "Overfitting",
        f"The test loss was lowest at epoch {best} ({test[best]:.3g}) and has risen {rise:.0%} "
        f"since, while the training loss kept falling to {train[-1]:.3g}: the network is "
        "memorising the training points. Try L2, fewer units, more data or stop earlier.",
    )


def _plateau(history: History, name: str) -> TrainingDiagnosis | None:
    if abs(_fall(history)) >= PLATEAU_CHANGE or history.epochs < 10:
        return None
    score = history.train_metric[-1]
    if score >= GOOD_METRIC:
        return TrainingDiagnosis(
            "converged",
            "Converged",
            f"The training loss has settled at {history.train_loss[-1]:.3g} with a training "
            f"{name} of {score:.3g} (test {history.test_metric[-1]:.3g}).",
        )
    return TrainingDiagnosis(
        "underfitting",
        "Underfitting",
        f"The training loss has stopped falling at {history.train_loss[-1]:.3g} with a training "
        f"{name} of only {score:.3g}: the model cannot fit the data. Add units or layers, a "
        "non-linear activation or features, or lower the regularisation.",
    )


def _window(history: History) -> int:
    return max(2, round(PLATEAU_SHARE * history.epochs))


def _fall(history: History) -> float:
    """Relative fall of the training loss over the last window of epochs."""
    train = history.train_loss
    window = min(_window(history), history.epochs)
    before, now = train[-1 - window], train[-1]
    return (before - now) / max(abs(before), 1e-12)
