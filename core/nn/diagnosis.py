"""What a training run's curves say, in words, judged on the trend of a window of epochs.

The window is the last WINDOW_SHARE of the finished epochs (at least MIN_WINDOW). On it:
- the trend of the training loss is the Theil–Sen slope s of log L_e (the median of the pairwise
  slopes (log L_j − log L_i)/(j − i)), so a few noisy epochs cannot tilt it; the change over the
  window is c = s·W (log units, W epochs) and the relative change exp(c) − 1;
- its noise σ is 1.4826 · median |r_e − median r| of the residuals r_e = log L_e − s·e (a robust
  standard deviation);
- the trend is significant when |c| > NOISE_FACTOR·σ and |exp(c) − 1| ≥ MIN_CHANGE.

The verdicts, in the order they are decided:
- "untrained": no epoch yet;
- "diverged": the trainer stopped on a non-finite loss, or the training loss grew to more than
  DIVERGED_GROWTH times where it started;
- "early": fewer than MIN_EPOCHS epochs, too few to judge a trend;
- "unstable" (rising): in the window the training loss rose significantly;
- "overfitting": over the window the test loss rose significantly (by at least OVERFIT_RISE, and
  by OVERFIT_SHARE_OF_START of its untrained value) while the gap test − train grew (its
  Theil–Sen slope is positive);
- "learned": the training metric (accuracy or R²), its median over the window's last half, is at
  least LEARNED_METRIC, or the loss is below LOW_LOSS_SHARE of where it started and flat (a loss
  that jumps or swings is said too);
- "improving": the training loss falls significantly (the rate is stated);
- "unstable" (swinging): without a significant trend, the training loss jumped up by more than
  JUMP_FACTOR times from one epoch to the next at least MIN_JUMPS times in the window, or its
  noise σ is at least NOISY_LOSS;
- "stuck": the training metric stayed at most CHANCE_MARGIN above chance (the majority class's
  share, or R² = 0) through the whole window and the loss is not falling;
- "settled": the loss is flat (its change below SETTLED_CHANGE, its noise below CALM_LOSS) at a
  metric below LEARNED_METRIC: the model fits no better as it is; otherwise "unstable" (no clear
  trend: a change or a bouncing that does not stand out of the noise).

Every number a sentence shows is finite.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.nn.losses import REGRESSION
from core.nn.training import DIVERGED, History, Trainer

WINDOW_SHARE = 0.25
MIN_WINDOW = 5
MIN_EPOCHS = 10
NOISE_FACTOR = 3.0
MIN_CHANGE = 0.01
"""A trend smaller than 1 % over the window is flat, however clean the curve."""
SLOW_CHANGE = 0.05
"""A fall of less than 5 % over the window is called slow."""
OVERFIT_RISE = 0.05
OVERFIT_SHARE_OF_START = 0.01
"""...and by at least 1 % of the untrained network's test loss (not at the noise floor near 0)."""
JUMP_FACTOR = 1.5
MIN_JUMPS = 2
SETTLED_CHANGE = 0.02
"""A loss that changed less than 2 % over the window (and is calm) has levelled off."""
CALM_LOSS = 0.03
"""Below this robust deviation of log L (±3 %) a flat loss has levelled off."""
NOISY_LOSS = 0.1
"""A robust deviation of log L above 0.1 (the loss ±10 % around its trend) is a swinging loss."""
LEARNED_METRIC = 0.98
LOW_LOSS_SHARE = 0.01
CHANCE_MARGIN = 0.05
DIVERGED_GROWTH = 10.0
ROBUST_SCALE = 1.4826
"""median |x − median x| · 1.4826 is the standard deviation of normal noise."""
KINDS = (
    "untrained",
    "early",
    "diverged",
    "unstable",
    "overfitting",
    "learned",
    "stuck",
    "improving",
    "settled",
)


@dataclass(frozen=True)
class TrainingDiagnosis:
    """kind (one of KINDS), a short headline and a message with the numbers."""

    kind: str
    headline: str
    message: str


@dataclass(frozen=True)
class Trend:
    """The robust trend of a series over a window: slope per epoch, noise, epochs spanned and
    the trend line's value at the window's first epoch."""

    slope: float
    noise: float
    epochs: int
    start: float = 0.0

    @property
    def end(self) -> float:
        """The trend line's value at the window's last epoch."""
        return self.start + self.change

    @property
    def change(self) -> float:
        """slope · epochs: the trend's change over the window."""
        return self.slope * self.epochs

    def significant(self, at_least: float = MIN_CHANGE) -> bool:
        """The change stands out of the noise and is at least `at_least` (relative, log scale)."""
        return (
            abs(self.change) > NOISE_FACTOR * self.noise
            and abs(math.expm1(min(self.change, 50.0))) >= at_least
        )

    @property
    def falling(self) -> bool:
        return self.change < 0 and self.significant()

    @property
    def rising(self) -> bool:
        return self.change > 0 and self.significant()


def robust_trend(values: Sequence[float]) -> Trend:
    """Theil–Sen slope of values against their index and the robust noise of the residuals."""
    series = np.asarray(values, dtype=float)
    index = np.arange(series.size, dtype=float)
    if series.size < 2:
        return Trend(0.0, 0.0, 0)
    first, second = np.triu_indices(series.size, k=1)
    slope = float(np.median((series[second] - series[first]) / (second - first)))
    residual = series - slope * index
    start = float(np.median(residual))
    noise = ROBUST_SCALE * float(np.median(np.abs(residual - start)))
    return Trend(slope, noise, series.size - 1, start)


def window_size(epochs: int) -> int:
    """Epochs the verdict looks back over: WINDOW_SHARE of them, at least MIN_WINDOW."""
    return min(epochs, max(MIN_WINDOW, round(WINDOW_SHARE * epochs)))


def chance_level(trainer: Trainer) -> float:
    """The metric a network reaches without learning: the majority class's share of the training
    targets (always answering it), or R² = 0 (always answering the mean) for regression."""
    if trainer.dataset.task == REGRESSION:
        return 0.0
    _, counts = np.unique(trainer.dataset.targets_train, return_counts=True)
    return float(counts.max() / counts.sum())


def diagnose_trainer(trainer: Trainer, metric_name: str | None = None) -> TrainingDiagnosis:
    """The verdict on a trainer's run so far, with its data set's chance level."""
    name = metric_name or ("R²" if trainer.dataset.task == REGRESSION else "accuracy")
    return diagnose_training(
        trainer.history, trainer.status, trainer.reason, name, chance_level(trainer)
    )


def diagnose_training(
    history: History,
    status: str,
    reason: str = "",
    metric_name: str = "accuracy",
    chance: float | None = None,
) -> TrainingDiagnosis:
    """The verdict on a run so far (see the module docstring for the rules). metric_name is what
    the history's metric is called (accuracy or R²); chance is the metric without learning
    (None: no "stuck" verdict)."""
    if status == DIVERGED or not _finite(history):
        message = reason or "the loss became non-finite"
        return TrainingDiagnosis("diverged", "Diverged", message[:1].upper() + message[1:] + ".")
    if history.epochs < 1:
        return TrainingDiagnosis("untrained", "Not trained yet", "Press Train or Step.")
    growing = _growing(history)
    if growing is not None:
        return growing
    if history.epochs < MIN_EPOCHS:
        return _early(history)
    window = Window(history, window_size(history.epochs))
    metric = _Metric(metric_name)
    return (
        _rising(window)
        or _overfitting(window)
        or _learned(window, metric)
        or _improving(window, metric)
        or _swinging(window)
        or _stuck(window, metric, chance)
        or _settled(window, metric)
    )


class Window:
    """The last `size` epochs of a history (size + 1 entries) and their trends."""

    def __init__(self, history: History, size: int) -> None:
        self.history, self.size = history, size
        self.train = np.asarray(history.train_loss[-size - 1 :], dtype=float)
        self.test = np.asarray(history.test_loss[-size - 1 :], dtype=float)
        self.metric = np.asarray(history.train_metric[-size - 1 :], dtype=float)
        self.train_trend = robust_trend(np.log(np.maximum(self.train, 1e-300)))
        self.test_trend = robust_trend(np.log(np.maximum(self.test, 1e-300)))
        self.gap_trend = robust_trend(self.test - self.train)

    @property
    def first_epoch(self) -> int:
        return self.history.epochs - self.size

    @property
    def tail(self) -> int:
        """The last half of the window, whose median metric is the window's end metric."""
        return max(1, self.size // 2)

    def end_metric(self) -> float:
        """The training metric at the end of the window: the median over its last half, so a
        metric that wavers around a threshold does not flip the verdict epoch by epoch."""
        return float(np.median(self.metric[-self.tail :]))


@dataclass(frozen=True)
class _Metric:
    name: str

    def format(self, value: float) -> str:
        if self.name == "accuracy":
            return f"{value:.1%}".replace("%", " %")
        return f"{value:.3f}"


def _finite(history: History) -> bool:
    return bool(np.all(np.isfinite(history.train_loss)) and np.all(np.isfinite(history.test_loss)))


def _relative(change: float) -> float:
    """exp(change) − 1, the relative change of a log-scale change (bounded: no overflow)."""
    return math.expm1(min(change, 50.0))


def _percent(share: float) -> str:
    """The size of a relative change in words: "less than 1 %", "12 %", "more than tenfold"."""
    if abs(share) < 0.005:
        return "less than 1 %"
    if abs(share) >= 10:
        return "more than tenfold"
    return f"{abs(share):.0%}".replace("%", " %")


def _change(trend: Trend) -> str:
    """The trend's relative change over its window, in words."""
    share = _relative(trend.change)
    verb = "fell" if share < 0 else "rose"
    return f"{verb} {_percent(share)} over the last {trend.epochs} epochs"


def _early(history: History) -> TrainingDiagnosis:
    first, last = history.train_loss[0], history.train_loss[-1]
    return TrainingDiagnosis(
        "early",
        "Just started",
        f"After {history.epochs} epoch{'s' * (history.epochs > 1)} the training loss went from "
        f"{first:.3g} to {last:.3g}; a verdict needs at least {MIN_EPOCHS} epochs of trend.",
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


def loss_jumps(losses: Sequence[float]) -> int:
    """Epochs on which the loss rose by more than JUMP_FACTOR times over the epoch before."""
    values = np.asarray(losses, dtype=float)
    return int(np.sum(values[1:] > JUMP_FACTOR * values[:-1]))


def _restless(window: Window) -> str:
    """How the training loss jumps or swings in the window, as a sentence; "" when it is calm."""
    jumps = loss_jumps(window.train)
    if jumps >= MIN_JUMPS:
        return (
            f"The training loss jumped up by more than {JUMP_FACTOR:g} times on {jumps} of the "
            f"last {window.size} epochs"
        )
    if window.train_trend.noise >= NOISY_LOSS:
        return (
            f"The training loss swings by about ±{_percent(_relative(window.train_trend.noise))} "
            f"around its trend over the last {window.size} epochs"
        )
    return ""


def _swinging(window: Window) -> TrainingDiagnosis | None:
    restless = _restless(window)
    if not restless:
        return None
    return TrainingDiagnosis(
        "unstable",
        "Unstable",
        f"{restless} (between {window.train.min():.3g} and {window.train.max():.3g}) without a "
        "clear trend: the learning rate is too large for this point of training. Lower it or "
        "use a decaying schedule.",
    )


def _settling_advice(window: Window) -> str:
    restless = _restless(window)
    if not restless:
        return ""
    return f" {restless}: a smaller learning rate or a decaying schedule would let it settle."


def _rising(window: Window) -> TrainingDiagnosis | None:
    trend = window.train_trend
    if not trend.rising:
        return None
    return TrainingDiagnosis(
        "unstable",
        "Unstable",
        f"The training loss rose {_percent(_relative(trend.change))} over the last "
        f"{window.size} epochs (to {window.train[-1]:.3g}): the learning rate may be too large "
        "for this point of training.",
    )


def _overfitting(window: Window) -> TrainingDiagnosis | None:
    test = window.test_trend
    if not (test.change > 0 and test.significant(OVERFIT_RISE) and window.gap_trend.slope > 0):
        return None
    rise = window.test[-1] - math.exp(test.start)
    if not rise > OVERFIT_SHARE_OF_START * window.history.test_loss[0]:
        return None  # a rise at the noise floor of a loss near 0 is no memorising
    gap = window.gap_trend
    return TrainingDiagnosis(
        "overfitting",
        "Overfitting",
        f"Over the last {window.size} epochs the test loss rose {_percent(_relative(test.change))}"
        f" (to {window.test[-1]:.3g}) while the gap between test and training loss grew from "
        f"{gap.start:.3g} to {gap.end:.3g} (its trend line): the network is memorising the "
        "training points. Try L2, fewer units, more data or stop earlier.",
    )


def _learned(window: Window, metric: _Metric) -> TrainingDiagnosis | None:
    score, trend = window.end_metric(), window.train_trend
    history = window.history
    low_and_flat = window.train[-1] <= LOW_LOSS_SHARE * history.train_loss[0] and not trend.falling
    if score < LEARNED_METRIC and not low_and_flat:
        return None
    test = metric.format(history.test_metric[-1])
    still = _settling_advice(window)
    if not still and trend.falling:
        still = (
            f" The loss still falls ({_percent(_relative(trend.change))} over the last "
            f"{window.size} epochs): more epochs would add little."
        )
    return TrainingDiagnosis(
        "learned",
        "Learned it",
        f"A training {metric.name} of {metric.format(score)} (the median of the last "
        f"{window.tail} epochs; test {test}) at a training loss of {window.train[-1]:.3g}: the "
        f"network has learned these data.{still}",
    )


def _stuck(window: Window, metric: _Metric, chance: float | None) -> TrainingDiagnosis | None:
    if chance is None or window.train_trend.falling:
        return None
    if not np.all(window.metric <= chance + CHANCE_MARGIN):
        return None
    return TrainingDiagnosis(
        "stuck",
        "Stuck near chance",
        f"Through the last {window.size} epochs the training {metric.name} stayed between "
        f"{metric.format(window.metric.min())} and {metric.format(window.metric.max())}, no more "
        f"than {CHANCE_MARGIN * 100:.0f} points above the {metric.format(chance)} that "
        + (
            "always answering the mean"
            if metric.name != "accuracy"
            else "always answering the most common class"
        )
        + f" reaches, and the loss barely moves ({_change(window.train_trend)}): the network "
        "has learned nothing. Try another learning rate, a non-linear activation, more units or "
        "extra features.",
    )


def _improving(window: Window, metric: _Metric) -> TrainingDiagnosis | None:
    trend = window.train_trend
    if not trend.falling:
        return None
    pace = ", though slowly" if abs(_relative(trend.change)) < SLOW_CHANGE else ""
    return TrainingDiagnosis(
        "improving",
        "Still improving",
        f"The training loss fell {_percent(_relative(trend.change))} over the last "
        f"{window.size} epochs (to {window.train[-1]:.3g}; training {metric.name} "
        f"{metric.format(window.metric[-1])}): more epochs would help{pace}."
        + _settling_advice(window),
    )


def _settled(window: Window, metric: _Metric) -> TrainingDiagnosis:
    trend = window.train_trend
    if abs(_relative(trend.change)) >= SETTLED_CHANGE or trend.noise >= CALM_LOSS:
        return TrainingDiagnosis(
            "unstable",
            "No clear trend",
            f"The training loss {_change(trend)}, but it bounces by about "
            f"±{_percent(_relative(trend.noise))} around that trend: no clear trend yet. Train "
            "longer to see where it goes, or lower the learning rate if it keeps bouncing.",
        )
    return TrainingDiagnosis(
        "settled",
        "Stopped improving",
        f"The training loss has levelled off at {window.train[-1]:.3g} (it "
        f"{_change(window.train_trend)}) "
        f"with a training {metric.name} of {metric.format(window.end_metric())}: the model fits "
        "no better as it is. Add units or layers, a non-linear activation or features, lower the "
        "regularisation, or try another learning rate.",
    )
