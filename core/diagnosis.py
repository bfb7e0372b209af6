"""What happened in a run and why, in words a student can read.

The kinds, in the order they are decided:
- "diverged": the path left the escape box or overflowed; the cause is stated against the
  critical learning rate 2/λmax (heavy ball: 2(1+β)/λmax) of the Hessian at the start, or against
  a surface that has no bottom;
- "global_minimum" / "local_minimum" / "saddle": the path ended at (or close to) a stationary
  point of the surface's table, or one found from the Hessian where it converged;
- "oscillating": the loss rose on a fifth or more of the steps and the path is not at a minimum;
- "slow": the steps ran out far from any stationary point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.descent import CONVERGED, DIVERGED, Run
from core.surfaces import (
    GLOBAL_MINIMUM,
    LOCAL_MAXIMUM,
    LOCAL_MINIMUM,
    SADDLE,
    StationaryPoint,
    Surface,
)

KINDS = ("global_minimum", "local_minimum", "saddle", "oscillating", "diverged", "slow")
NEAR_FRACTION = 0.01
"""A path ends 'at' a stationary point when closer than this share of the domain's diagonal."""
OSCILLATION_SHARE = 0.2
FLAT_CURVATURE = 1e-6
"""Below this curvature a point where the gradient vanished is a plateau, not a stationary point."""


@dataclass(frozen=True)
class Diagnosis:
    """A run's verdict: `kind` (one of KINDS), a one-line `headline` and the full `message`."""

    kind: str
    headline: str
    message: str
    critical_lr: float | None = None
    point: StationaryPoint | None = None
    loss_increases: int = 0
    zigzags: int = 0


def critical_learning_rate(surface: Surface, point, momentum: float = 0.0) -> float:
    """2(1+β)/λmax, λmax the largest Hessian eigenvalue at `point`; inf where λmax ≤ 0.

    Gradient descent on the quadratic model at `point` is stable below this rate (heavy-ball
    momentum β: γλ < 2(1+β) for every eigenvalue λ).
    """
    largest = largest_curvature(surface, point)
    if not largest > 0:
        return math.inf
    return 2.0 * (1.0 + momentum) / largest


def largest_curvature(surface: Surface, point) -> float:
    """λmax of the Hessian at `point` (nan where the Hessian is not finite)."""
    hessian = surface.hessian(np.asarray(point, dtype=np.float64))
    if not np.all(np.isfinite(hessian)):
        return math.nan
    return float(np.linalg.eigvalsh(hessian)[-1])


def nearest_stationary_point(surface: Surface, points: np.ndarray):
    """For points (..., 2): the index into surface.stationary_points of the nearest one and the
    distance to it, (...) each; index −1 (distance inf) when the surface lists none."""
    points = np.asarray(points, dtype=np.float64)
    table = np.array([p.point for p in surface.stationary_points], dtype=np.float64)
    if table.size == 0:
        return np.full(points.shape[:-1], -1), np.full(points.shape[:-1], np.inf)
    with np.errstate(invalid="ignore"):
        distances = np.linalg.norm(points[..., None, :] - table, axis=-1)
    distances = np.where(np.isfinite(distances), distances, np.inf)
    index = np.argmin(distances, axis=-1)
    return index, np.take_along_axis(distances, index[..., None], axis=-1)[..., 0]


def diagnose(run: Run) -> Diagnosis:
    """The diagnosis of a single-path run."""
    surface, optimizer = run.surface, run.optimizer
    critical = critical_learning_rate(surface, run.start, optimizer.momentum)
    if run.status == DIVERGED:
        return _diverged(run, critical)
    increases = _loss_increases(run.values)
    zigzags = _zigzags(run)
    point = _stationary_point_at_end(run)
    if point is not None:
        return _at_stationary_point(run, point, increases, critical)
    steps = max(run.stop_step, 1)
    if increases >= max(3, OSCILLATION_SHARE * steps):
        return _oscillating(run, increases, zigzags, critical)
    return _slow(run, critical, increases)


def _loss_increases(values: np.ndarray | None) -> int:
    if values is None or values.size < 2:
        return 0
    return int(np.count_nonzero(np.diff(values) > 0))


def _zigzags(run: Run) -> int:
    """Sign changes of the update along the steepest direction of the Hessian at the start."""
    if run.updates is None or len(run.updates) < 2:
        return 0
    hessian = run.surface.hessian(run.start)
    if not np.all(np.isfinite(hessian)):
        return 0
    steepest = np.linalg.eigh(hessian)[1][:, -1]
    along = np.sign(run.updates @ steepest)
    along = along[along != 0]
    return int(np.count_nonzero(along[1:] != along[:-1]))


def _stationary_point_at_end(run: Run) -> StationaryPoint | None:
    """The table's stationary point the run ended at, or one classified from the Hessian."""
    surface, end = run.surface, np.asarray(run.final_points, dtype=np.float64)
    index, distance = nearest_stationary_point(surface, end)
    if index >= 0 and distance <= NEAR_FRACTION * surface.scale:
        return surface.stationary_points[int(index)]
    if run.status != CONVERGED:
        return None
    eigenvalues = np.linalg.eigvalsh(surface.hessian(end))
    value = float(surface.value(end))
    if np.max(np.abs(eigenvalues)) < FLAT_CURVATURE:
        return None
    if eigenvalues[0] > 0:
        best = surface.minimum_value
        kind = GLOBAL_MINIMUM if best is not None and value <= best + 1e-9 else LOCAL_MINIMUM
    elif eigenvalues[-1] < 0:
        kind = LOCAL_MAXIMUM
    else:
        kind = SADDLE
    return StationaryPoint(kind, (float(end[0]), float(end[1])), value)


def _steps_phrase(run: Run) -> str:
    return f"{run.stop_step} step{'s' if run.stop_step != 1 else ''}"


def _at_stationary_point(run, point: StationaryPoint, increases: int, critical) -> Diagnosis:
    surface = run.surface
    arrived = "Converged" if run.status == CONVERGED else "Ended close"
    where_ = f"({point.point[0]:.4g}, {point.point[1]:.4g}), f = {point.value:.4g}"
    overshoot = (
        f" On the way the loss rose on {increases} of {run.stop_step} steps: it "
        f"overshot before settling."
        if increases
        else ""
    )
    if point.kind == GLOBAL_MINIMUM:
        headline = f"{arrived} to the global minimum {where_} after {_steps_phrase(run)}."
        return Diagnosis(
            "global_minimum", headline, headline + overshoot, critical, point, increases
        )
    if point.kind == LOCAL_MINIMUM:
        best = surface.global_minima
        comparison = ""
        if best:
            b = best[0]
            comparison = (
                f" It is only a local minimum: the global minimum is at "
                f"({b.point[0]:.4g}, {b.point[1]:.4g}) with f = {b.value:.4g}. The start "
                "decides which basin you fall into; try another start, momentum or noise."
            )
        headline = f"{arrived} to a local minimum {where_} after {_steps_phrase(run)}."
        return Diagnosis(
            "local_minimum", headline, headline + comparison + overshoot, critical, point, increases
        )
    noun = "a local maximum" if point.kind == LOCAL_MAXIMUM else "a saddle point"
    headline = f"Stalled at {noun} {where_} after {_steps_phrase(run)}."
    message = (
        headline + " The gradient vanishes there although it is not a minimum: descent "
        "slows to a crawl. Gradient noise, or a start slightly off the ridge, lets it escape."
    )
    return Diagnosis("saddle", headline, message, critical, point, increases)


def _diverged(run: Run, critical: float) -> Diagnosis:
    optimizer, surface = run.optimizer, run.surface
    headline = f"Diverged at step {run.stop_step}: {run.reason}."
    lr = optimizer.lr
    if not surface.bounded_below:
        cause = (
            "This surface has no bottom: f decreases for ever along a valley, so every "
            "descent that leaves the saddle slides away. Divergence is the right answer here."
        )
    elif optimizer.name == "sgd":
        rule = (
            "2/λmax" if optimizer.momentum == 0 else f"2(1+β)/λmax with β = {optimizer.momentum:g}"
        )
        if lr > critical:
            cause = (
                f"The cause is the learning rate: lr {lr:.3g} is above {rule} = "
                f"{critical:.3g} at the start, so every step overshoots the valley floor "
                f"by more than it gained and the oscillation grows. Use lr < {critical:.3g}."
            )
        else:
            cause = (
                f"lr {lr:.3g} is below {rule} = {critical:.3g} at the start, but the "
                "curvature grows along the path: where λmax is larger the same rate "
                "overshoots. A smaller rate, or a start nearer the minimum, stays stable."
            )
    elif optimizer.name == "newton":
        cause = (
            "Newton's step −H⁻¹g is huge where the Hessian is nearly singular; "
            "a smaller lr (a damped Newton step) keeps it in the box."
        )
    else:
        cause = (
            f"{optimizer.rule.title} scales each coordinate by its own gradient history, "
            f"so steps are about lr = {lr:.3g} long whatever the slope; the bound "
            f"2/λmax = {critical:.3g} of plain descent does not apply directly. "
            "A smaller lr keeps it stable."
        )
    return Diagnosis("diverged", headline, f"{headline} {cause}", critical)


def _oscillating(run: Run, increases: int, zigzags: int, critical: float) -> Diagnosis:
    headline = (
        f"Oscillating: the loss rose on {increases} of {run.stop_step} steps "
        f"and the path has not settled."
    )
    detail = (
        (
            f" The step along the steepest direction flipped sign {zigzags} times: the path "
            "zig-zags across the valley instead of running along it."
        )
        if zigzags
        else ""
    )
    advice = ""
    if run.optimizer.name == "sgd" and math.isfinite(critical):
        advice = (
            f" The critical rate at the start is {critical:.3g}; lr {run.optimizer.lr:.3g} "
            f"is {'above' if run.optimizer.lr > critical else 'near'} it. "
            "A smaller rate, or momentum, damps the zig-zag."
        )
    else:
        advice = " A smaller learning rate damps it."
    return Diagnosis(
        "oscillating",
        headline,
        headline + detail + advice,
        critical,
        loss_increases=increases,
        zigzags=zigzags,
    )


def _slow(run: Run, critical: float, increases: int) -> Diagnosis:
    surface, optimizer = run.surface, run.optimizer
    end_gradient = (
        run.gradients[-1] if run.gradients is not None else surface.grad(run.final_points)
    )
    gradient_norm = float(np.linalg.norm(end_gradient))
    best = surface.minimum_value
    gap = "" if best is None else f", f − f* = {float(run.final_values) - best:.3g}"
    headline = (
        f"Too slow: after {run.stop_step} steps it is still far from any minimum "
        f"(‖∇f‖ = {gradient_norm:.3g}{gap})."
    )
    lr = optimizer.lr
    here = critical_learning_rate(surface, run.final_points, optimizer.momentum)
    if optimizer.name == "sgd" and math.isfinite(here) and lr < 0.25 * here:
        advice = (
            f" The learning rate {lr:.3g} is {here / lr:.0f}x below the critical rate "
            f"{here:.3g} where it stopped: try lr ≈ {0.5 * here:.3g}, or more steps."
        )
    elif gradient_norm < 1e-3:
        advice = (
            " The slope here is almost flat, so each step is tiny: a plateau. Momentum or "
            "an adaptive optimizer (Adam, RMSprop) crosses it faster."
        )
    else:
        advice = " A larger learning rate, more steps, or momentum would get further."
    return Diagnosis("slow", headline, headline + advice, critical, loss_increases=increases)
