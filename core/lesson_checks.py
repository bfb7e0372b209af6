"""The claims a lesson can make about its run, by name: each check looks at one result (a Run, a
BasinMap, a LearningRateSweep or a trained Trainer) and, for a comparison, a second one, and
returns (passed, the numbers that decided it). A lesson names its checks in its `expect` tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.descent import Run
from core.nn.diagnosis import diagnose_training
from core.nn.training import Trainer
from core.stability import stability_edge
from core.sweeps import BasinMap, LearningRateSweep


@dataclass(frozen=True)
class Check:
    """A named claim about a result (and, for comparisons, a second result to compare with)."""

    function: Callable[..., tuple[bool, str]]
    result_type: type
    arguments: tuple[str, ...] = ()
    compares: bool = False


def _gap(run: Run) -> float:
    """f(θ_end) − f*, the final loss above the best value (the final value without an f*)."""
    best = run.surface.minimum_value
    return float(run.final_values) - (0.0 if best is None else best)


def _diagnosis(run: Run, kinds: Sequence[str]) -> tuple[bool, str]:
    found = run.diagnosis.kind
    return found in kinds, f"diagnosis {found!r} ({run.diagnosis.headline})"


def _ends_at(run: Run, point: Sequence[float], within: float) -> tuple[bool, str]:
    distance = float(np.linalg.norm(np.asarray(run.final_points) - np.asarray(point, float)))
    return distance <= within, f"ended at {np.round(run.final_points, 4)}, {distance:.3g} away"


def _above_critical(run: Run) -> tuple[bool, str]:
    edge = stability_edge(run.optimizer, run.surface, run.start)
    return (
        edge.finite and run.optimizer.lr > edge.rate,
        f"lr {run.optimizer.lr:g} vs {edge.phrase()}",
    )


def _fewer_steps(run: Run, other: Run) -> tuple[bool, str]:
    """run converged, in fewer steps than `other` (or `other` never converged)."""
    passed = run.status == "converged" and (
        other.status != "converged" or run.stop_step < other.stop_step
    )
    return passed, f"{run.stop_step} steps ({run.status}) vs {other.stop_step} ({other.status})"


def _lower_loss(run: Run, other: Run, factor: float) -> tuple[bool, str]:
    mine, theirs = _gap(run), _gap(other)
    return mine * factor <= theirs, f"f − f* {mine:.3g} vs {theirs:.3g} (factor {factor:g})"


def _loss_increases(run: Run, at_least: int) -> tuple[bool, str]:
    increases = int(np.count_nonzero(np.diff(run.values) > 0))
    return increases >= at_least, f"the loss rose on {increases} of {run.stop_step} steps"


def _fewer_loss_increases(run: Run, other: Run) -> tuple[bool, str]:
    mine = int(np.count_nonzero(np.diff(run.values) > 0))
    theirs = int(np.count_nonzero(np.diff(other.values) > 0))
    return mine < theirs, f"the loss rose on {mine} steps vs {theirs}"


def _sign_flips(run: Run, axis: int, at_least: int) -> tuple[bool, str]:
    """The update's coordinate `axis` changes sign at least `at_least` times: a zig-zag."""
    signs = np.sign(run.updates[:, axis])
    signs = signs[signs != 0]
    flips = int(np.count_nonzero(signs[1:] != signs[:-1]))
    return flips >= at_least, f"the step along {'xy'[axis]} changed sign {flips} times"


def _global_share(basins: BasinMap, at_most: float) -> tuple[bool, str]:
    share = sum(
        o.share
        for o in basins.outcomes()
        if o.point is not None and o.point.kind == "global minimum"
    )
    return share <= at_most, f"{share:.1%} of the starts ended in a global minimum"


def _minima_reached(basins: BasinMap, at_least: int) -> tuple[bool, str]:
    reached = sum(1 for o in basins.outcomes() if o.point is not None and o.count > 0)
    return reached >= at_least, f"the starts ended in {reached} different minima"


def _minimum_shares(basins: BasinMap, at_least: float, at_most: float) -> tuple[bool, str]:
    """Every listed minimum's basin holds between at_least and at_most of the starts."""
    shares = [o.share for o in basins.outcomes() if o.label >= 0]
    shares += [0.0] * (len(basins.minima) - len(shares))
    passed = all(at_least <= share <= at_most for share in shares)
    return passed, "basin shares " + ", ".join(f"{share:.1%}" for share in shares)


def _never_diverges(sweep: LearningRateSweep) -> tuple[bool, str]:
    count = int(np.count_nonzero(sweep.diverged))
    return count == 0, f"{count} of {sweep.learning_rates.size} rates diverged"


def _threshold_near_critical(sweep: LearningRateSweep, grid_steps: int) -> tuple[bool, str]:
    """The smallest diverging rate lies within `grid_steps` grid steps above 2/λmax."""
    ratio = sweep.learning_rates[1] / sweep.learning_rates[0]
    threshold, critical = sweep.divergence_threshold, sweep.critical_lr_at_minimum
    passed = critical <= threshold <= critical * ratio**grid_steps
    return passed, f"first divergence at lr {threshold:.4g}, 2/λmax = {critical:.4g}"


def _training_diagnosis(trainer: Trainer, kinds: Sequence[str]) -> tuple[bool, str]:
    verdict = diagnose_training(trainer.history, trainer.status, trainer.reason)
    return verdict.kind in kinds, f"training diagnosis {verdict.kind!r}"


def _test_metric_at_most(trainer: Trainer, value: float) -> tuple[bool, str]:
    final = trainer.history.test_metric[-1]
    return final <= value, f"test metric {final:.3f} (at most {value:g} claimed)"


def _test_metric_at_least(trainer: Trainer, value: float) -> tuple[bool, str]:
    final = trainer.history.test_metric[-1]
    return final >= value, f"test metric {final:.3f} (at least {value:g} claimed)"


def _smaller_weights(trainer: Trainer, other: Trainer, factor: float) -> tuple[bool, str]:
    mine = float(np.linalg.norm(trainer.network.params))
    theirs = float(np.linalg.norm(other.network.params))
    return mine * factor <= theirs, f"weight norm {mine:.3g} vs {theirs:.3g}"


def _metric_gap(trainer: Trainer) -> float:
    return trainer.history.train_metric[-1] - trainer.history.test_metric[-1]


def _smaller_metric_gap(trainer: Trainer, other: Trainer) -> tuple[bool, str]:
    mine, theirs = _metric_gap(trainer), _metric_gap(other)
    return mine < theirs, f"train − test metric {mine:.3f} vs {theirs:.3f}"


CHECKS: dict[str, Check] = {
    "diagnosis": Check(_diagnosis, Run, ("kinds",)),
    "ends_at": Check(_ends_at, Run, ("point", "within")),
    "above_critical": Check(_above_critical, Run),
    "fewer_steps": Check(_fewer_steps, Run, compares=True),
    "lower_loss": Check(_lower_loss, Run, ("factor",), compares=True),
    "loss_increases": Check(_loss_increases, Run, ("at_least",)),
    "fewer_loss_increases": Check(_fewer_loss_increases, Run, compares=True),
    "sign_flips": Check(_sign_flips, Run, ("axis", "at_least")),
    "global_share": Check(_global_share, BasinMap, ("at_most",)),
    "minima_reached": Check(_minima_reached, BasinMap, ("at_least",)),
    "minimum_shares": Check(_minimum_shares, BasinMap, ("at_least", "at_most")),
    "never_diverges": Check(_never_diverges, LearningRateSweep),
    "threshold_near_critical": Check(_threshold_near_critical, LearningRateSweep, ("grid_steps",)),
    "training_diagnosis": Check(_training_diagnosis, Trainer, ("kinds",)),
    "test_metric_at_most": Check(_test_metric_at_most, Trainer, ("value",)),
    "test_metric_at_least": Check(_test_metric_at_least, Trainer, ("value",)),
    "smaller_weights": Check(_smaller_weights, Trainer, ("factor",), compares=True),
    "smaller_metric_gap": Check(_smaller_metric_gap, Trainer, compares=True),
}
"""Every claim a lesson can make, by name: (function, what it inspects, its arguments)."""
