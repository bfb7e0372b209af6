"""What happened in a run and why, in words a student can read.

The kinds, in the order they are decided:
- "undefined": the path reached a point where f's gradient is not finite (outside f's domain, or
  at a pole): descent cannot go on, which is neither a divergence nor a slow run;
- "diverged": the path left the escape box or overflowed; the cause is stated against the
  optimizer's own stability edge (core.stability) at the start and along the path, or against a
  surface that has no bottom;
- "global_minimum" / "local_minimum" / "saddle": the path ended at (or close to) a stationary
  point of the surface's table, or one found from the Hessian where it converged;
- "plateau": the gradient fell below the tolerance where f is flat, not at a minimum;
- "oscillating": the loss rose on a fifth or more of the steps and the path is not at a minimum;
- "slow": the steps ran out away from every stationary point.

Every number a sentence shows is finite: where a quantity is infinite or undefined the sentence
says so in words, and advice about the learning rate stays inside the range its control offers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.descent import CONVERGED, DIVERGED, UNDEFINED, Run
from core.stability import (
    StabilityEdge,
    first_step_above_edge,
    hessian_eigenvalues,
    learning_rate_range,
    stability_edge,
)
from core.surfaces import (
    DEGENERATE,
    GLOBAL_MINIMUM,
    LOCAL_MAXIMUM,
    LOCAL_MINIMUM,
    SADDLE,
    StationaryPoint,
    Surface,
)

KINDS = (
    "global_minimum",
    "local_minimum",
    "saddle",
    "plateau",
    "oscillating",
    "diverged",
    "undefined",
    "slow",
)
NEAR_FRACTION = 0.01
"""A path ends 'at' a stationary point when closer than this share of the domain's diagonal."""
OSCILLATION_SHARE = 0.2
FLAT_CURVATURE = 1e-6
"""Below this curvature a point where the gradient vanished is flat: a plateau or a flat bottom."""
NEAR_EDGE_FACTOR = 2.0
"""A rate is 'near' the edge when within this factor below it."""
ON_EDGE_TOLERANCE = 0.01
"""A rate within this relative distance of the edge is 'on the edge': it neither grows nor dies."""
RING_POINTS = 16
RING_FRACTION = 1e-2
"""A flat point is probed on a ring of this share of the domain's diagonal."""


@dataclass(frozen=True)
class Diagnosis:
    """A run's verdict: `kind` (one of KINDS), a one-line `headline` and the full `message`.

    critical_lr is the stability edge's rate at the start (core.stability): inf where nothing
    curves up, nan where undefined, None where the optimizer has no fixed edge.
    """

    kind: str
    headline: str
    message: str
    critical_lr: float | None = None
    point: StationaryPoint | None = None
    loss_increases: int = 0
    zigzags: int = 0
    edge: StabilityEdge | None = None


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
    edge = stability_edge(run.optimizer, run.surface, run.start)
    if run.status == UNDEFINED:
        return _undefined(run, edge)
    if run.status == DIVERGED:
        return _diverged(run, edge)
    increases = _loss_increases(run.values)
    zigzags = _zigzags(run)
    point = _stationary_point_at_end(run)
    if point is not None:
        return _at_stationary_point(run, point, increases, edge)
    if run.status == CONVERGED:
        return _plateau(run, edge, increases)
    steps = max(run.stop_step, 1)
    if increases >= max(3, OSCILLATION_SHARE * steps):
        return _oscillating(run, increases, zigzags, edge)
    return _slow(run, edge, increases)


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
    """The table's stationary point the run ended at, or one classified from the Hessian (and,
    where the Hessian is flat, from f on a small ring around the end); None on a plateau."""
    surface, end = run.surface, np.asarray(run.final_points, dtype=np.float64)
    index, distance = nearest_stationary_point(surface, end)
    if index >= 0 and distance <= NEAR_FRACTION * surface.scale:
        return surface.stationary_points[int(index)]
    if run.status != CONVERGED:
        return None
    eigenvalues = hessian_eigenvalues(surface, end)
    value = float(surface.value(end))
    if eigenvalues is None or not math.isfinite(value):
        return None
    if np.max(np.abs(eigenvalues)) < FLAT_CURVATURE:
        kind = _flat_point_kind(surface, end, value)
    elif eigenvalues[0] > 0:
        kind = _minimum_kind(surface, value)
    elif eigenvalues[-1] < 0:
        kind = LOCAL_MAXIMUM
    else:
        kind = SADDLE
    return None if kind is None else StationaryPoint(kind, (float(end[0]), float(end[1])), value)


def _minimum_kind(surface: Surface, value: float) -> str:
    best = surface.minimum_value
    return GLOBAL_MINIMUM if best is not None and value <= best + 1e-9 else LOCAL_MINIMUM


def _flat_point_kind(surface: Surface, end: np.ndarray, value: float) -> str | None:
    """Where the Hessian vanishes: a flat bottom (f rises around it), or None for a plateau
    (f the same all round, or lower on one side)."""
    angles = np.linspace(0.0, 2.0 * math.pi, RING_POINTS, endpoint=False)
    radius = RING_FRACTION * surface.scale
    ring = end + radius * np.column_stack([np.cos(angles), np.sin(angles)])
    with np.errstate(all="ignore"):
        around = np.asarray(surface.value(ring), dtype=np.float64)
    if not np.all(np.isfinite(around)):
        return None
    tolerance = 1e-12 * (1.0 + abs(value))
    if np.ptp(around) <= tolerance or around.min() < value - tolerance:
        return None
    return _minimum_kind(surface, value)


def _steps_phrase(count: int) -> str:
    return f"{count} step{'s' if count != 1 else ''}"


def _point_phrase(point) -> str:
    return f"({float(point[0]):.4g}, {float(point[1]):.4g})"


def _at_stationary_point(run, point: StationaryPoint, increases: int, edge) -> Diagnosis:
    surface = run.surface
    arrived = "Converged" if run.status == CONVERGED else "Ended close"
    where = f"{_point_phrase(point.point)}, f = {point.value:.4g}"
    steps = _steps_phrase(run.stop_step)
    overshoot = (
        f" On the way the loss rose on {increases} of {run.stop_step} steps: it "
        f"overshot before settling."
        if increases
        else ""
    )
    found = dict(critical_lr=edge.rate, point=point, loss_increases=increases, edge=edge)
    if point.kind == GLOBAL_MINIMUM:
        headline = f"{arrived} to the global minimum {where} after {steps}."
        return Diagnosis("global_minimum", headline, headline + overshoot, **found)
    if point.kind in (LOCAL_MINIMUM,) or (point.kind == DEGENERATE and point.is_minimum):
        best = surface.global_minima
        comparison = ""
        if best:
            b = best[0]
            comparison = (
                f" It is only a local minimum: the global minimum is at "
                f"{_point_phrase(b.point)} with f = {b.value:.4g}. The start "
                "decides which basin you fall into; try another start, momentum or noise."
            )
        headline = f"{arrived} to a local minimum {where} after {steps}."
        return Diagnosis("local_minimum", headline, headline + comparison + overshoot, **found)
    noun = "a local maximum" if point.kind == LOCAL_MAXIMUM else "a saddle point"
    headline = f"Stalled at {noun} {where} after {steps}."
    message = (
        headline + " The gradient vanishes there although it is not a minimum: descent "
        "slows to a crawl. Gradient noise, or a start slightly off the ridge, lets it escape."
    )
    return Diagnosis("saddle", headline, message, **found)


def _undefined(run: Run, edge: StabilityEdge) -> Diagnosis:
    headline = f"Stopped: {run.reason}."
    if run.stop_step == 0:
        advice = " Pick a start where f is defined (click elsewhere on the map)."
    else:
        advice = (
            f" The path stayed where f is defined for {_steps_phrase(run.stop_step)}, then a "
            "step carried it out of f's domain; a smaller learning rate takes shorter steps."
        )
    message = (
        headline + " Outside f's domain there is nothing to descend: this is not a "
        "divergence, and more steps would not help." + advice
    )
    return Diagnosis("undefined", headline, message, edge.rate, edge=edge)


def _first_rate(run: Run) -> float:
    rates = run.learning_rates
    return float(rates[0]) if rates is not None and rates.size else run.optimizer.lr


def _rate_noun(run: Run) -> str:
    return "the schedule's first rate" if run.schedule is not None else "the learning rate"


def _below_edge_advice(run: Run, edge_rate: float) -> str:
    """'Use lr < 0.136.', or words when the edge lies outside the control's range."""
    lowest, highest = learning_rate_range(run.optimizer)
    if edge_rate <= lowest:
        return (
            f" Even the smallest rate the control offers ({lowest:g}) is at or above the edge "
            "here: pick another start or optimizer."
        )
    if edge_rate > highest:
        return ""
    return f" Use lr < {edge_rate:.3g}."


def _diverged(run: Run, edge: StabilityEdge) -> Diagnosis:
    surface, optimizer = run.surface, run.optimizer
    headline = f"Diverged at step {run.stop_step}: {run.reason}."
    first = _first_rate(run)
    if not surface.bounded_below:
        cause = (
            "This surface has no bottom: f decreases for ever along a valley, so every "
            "descent that leaves the saddle slides away. Divergence is the right answer here."
        )
    elif edge.rate is None:
        cause = (
            f"{optimizer.rule.title} scales each coordinate by its own gradient history, so "
            f"its steps are about lr = {first:.3g} long whatever the slope: no fixed "
            "learning-rate edge applies. Try a smaller lr."
        )
    elif edge.finite and first > edge.rate:
        cause = (
            f"The cause is the learning rate: {_rate_noun(run)} {first:.3g} is above the "
            f"stability edge {edge.phrase()} at the start, so every step overshoots the valley "
            "floor by more than it gained and the oscillation grows."
            + _below_edge_advice(run, edge.rate)
        )
    else:
        cause = _diverged_below_edge(run, edge, first)
    return Diagnosis("diverged", headline, f"{headline} {cause}", edge.rate, edge=edge)


def _diverged_below_edge(run: Run, edge: StabilityEdge, first: float) -> str:
    """Why a run diverged although its first rate was within the edge at the start."""
    optimizer, surface = run.optimizer, run.surface
    at_start = (
        f"{_rate_noun(run)} {first:.3g} is within the stability edge at the start ({edge.phrase()})"
        if edge.finite
        else f"at the start there is no stability edge ({edge.missing_reason()})"
    )
    if run.points is not None and run.learning_rates is not None:
        step = first_step_above_edge(optimizer, surface, run.points, run.learning_rates)
        if step is not None:
            there = stability_edge(optimizer, surface, run.points[step])
            change = (
                "the curvature grows along the path"
                if there.curvature > edge.curvature
                else "the edge falls along the path"
            )
            return (
                f"{at_start[0].upper()}{at_start[1:]}, but {change}: "
                f"at step {step} it reached {_point_phrase(run.points[step])}, where "
                f"λmax = {there.curvature:.3g} and the edge is {there.rate:.3g}, below the rate "
                f"{float(run.learning_rates[step]):.3g} in use, so from there the steps "
                "overshoot. A smaller rate, or a start nearer the minimum, stays stable."
            )
    length = _last_step_length(run)
    step_text = "" if length is None else f" The step that left was {length:.3g} long."
    return (
        f"{at_start[0].upper()}{at_start[1:]}, and the rate in use stays within the edge all "
        "along the path, so this is not the overshooting of a quadratic: far from a minimum "
        f"f is not close to its quadratic model, and one long step can leave the box.{step_text}"
        " A smaller rate, or a start nearer the minimum, takes shorter steps."
    )


def _last_step_length(run: Run) -> float | None:
    if run.updates is None or len(run.updates) == 0:
        return None
    length = float(np.linalg.norm(run.updates[-1]))
    return length if math.isfinite(length) else None


def _plateau(run: Run, edge: StabilityEdge, increases: int) -> Diagnosis:
    end = np.asarray(run.final_points, dtype=np.float64)
    value = float(run.final_values)
    with np.errstate(all="ignore"):
        gradient_norm = float(np.linalg.norm(run.surface.grad(end)))
    headline = (
        f"Stopped on a flat plateau at {_point_phrase(end)} after "
        f"{_steps_phrase(run.stop_step)}: the gradient fell below the tolerance "
        f"{run.tolerance:g} where f is flat, not at a minimum."
    )
    best = run.surface.minimum_value
    detail = f" Here f = {value:.4g}"
    detail += "." if best is None else f"; the lowest value is f* = {best:.4g}."
    if gradient_norm > 0 and math.isfinite(gradient_norm):
        detail += f" ‖∇f‖ = {gradient_norm:.2g}."
    advice = (
        " Pick a start off the plateau."
        if run.stop_step == 0
        else " A start off the plateau, or a smaller tolerance, lets descent go on."
    )
    return Diagnosis(
        "plateau",
        headline,
        headline + detail + advice,
        edge.rate,
        loss_increases=increases,
        edge=edge,
    )


def _edge_relation(rate: float, edge: StabilityEdge) -> str | None:
    """'above', 'on', 'near' (within NEAR_EDGE_FACTOR below) or None, for a finite edge."""
    if not edge.finite:
        return None
    if abs(rate / edge.rate - 1.0) <= ON_EDGE_TOLERANCE:
        return "on"
    if rate > edge.rate:
        return "above"
    if rate * NEAR_EDGE_FACTOR >= edge.rate:
        return "near"
    return None


def _oscillating(run: Run, increases: int, zigzags: int, edge: StabilityEdge) -> Diagnosis:
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
    rate = _first_rate(run)
    relation = _edge_relation(rate, edge)
    noun = _rate_noun(run)
    if relation == "on":
        advice = (
            f" {noun[0].upper()}{noun[1:]} {rate:.3g} is on the stability edge "
            f"{edge.phrase()} at the start: on the quadratic model such a rate bounces for "
            "ever, neither growing nor dying. A slightly smaller rate converges."
        )
    elif relation is not None:
        where = "above" if relation == "above" else "near (within a factor of 2 below)"
        advice = (
            f" {noun[0].upper()}{noun[1:]} {rate:.3g} is {where} the stability edge "
            f"{edge.phrase()} at the start. Try a smaller rate."
        )
    else:
        advice = " Try a smaller learning rate."
    return Diagnosis(
        "oscillating",
        headline,
        headline + detail + advice,
        edge.rate,
        loss_increases=increases,
        zigzags=zigzags,
        edge=edge,
    )


def _slow(run: Run, edge: StabilityEdge, increases: int) -> Diagnosis:
    surface, optimizer = run.surface, run.optimizer
    end = np.asarray(run.final_points, dtype=np.float64)
    with np.errstate(all="ignore"):
        end_gradient = run.gradients[-1] if run.gradients is not None else surface.grad(end)
    gradient_norm = float(np.linalg.norm(end_gradient))
    best = surface.minimum_value
    gap_value = float(run.final_values) - best if best is not None else math.nan
    gap = f", f − f* = {gap_value:.3g}" if math.isfinite(gap_value) else ""
    headline = (
        f"Too slow: after {_steps_phrase(run.stop_step)} it has not reached a minimum "
        f"(‖∇f‖ = {gradient_norm:.3g}{gap})."
    )
    advice = _slow_advice(run, stability_edge(optimizer, surface, end), gradient_norm)
    return Diagnosis(
        "slow", headline, headline + advice, edge.rate, loss_increases=increases, edge=edge
    )


def _slow_advice(run: Run, here: StabilityEdge, gradient_norm: float) -> str:
    """What would get further, from the edge where the run stopped, never outside the range
    of the learning-rate control."""
    rates = run.learning_rates
    last = float(rates[-1]) if rates is not None and rates.size else run.optimizer.lr
    base = run.optimizer.lr
    highest = learning_rate_range(run.optimizer)[1]
    if here.finite and last < 0.25 * here.rate:
        if run.schedule is not None and last < 0.5 * base:
            below = f"{_times(here.rate / last)} below" if last > 0 else "far below"
            return (
                f" The schedule shrank the rate from {base:.3g} to {last:.3g}, {below} the "
                f"stability edge {here.phrase()} where it stopped: a slower decay, or more "
                "steps, gets further."
            )
        if base >= highest:
            return (
                f" The rate {base:.3g} is the largest the control offers, "
                f"{_times(here.rate / base)} below the stability edge {here.phrase()} where it "
                "stopped: more steps get further."
            )
        suggestion = min(0.5 * here.rate, highest)
        try_text = (
            f"try lr ≈ {suggestion:.3g}"
            if suggestion < highest
            else f"try the largest rate the control offers, {highest:g}"
        )
        return (
            f" The learning rate {base:.3g} is {_times(here.rate / base)} below the stability "
            f"edge {here.phrase()} where it stopped: {try_text}, or more steps."
        )
    if gradient_norm < 1e-3:
        return (
            " The slope here is almost flat, so each step is tiny: a plateau. Momentum or "
            "an adaptive optimizer (Adam, RMSprop) crosses it faster."
        )
    return " A larger learning rate, more steps, or momentum would get further."


def _times(ratio: float) -> str:
    """'40x', or 'more than 1,000x' for ratios too large to be worth a number."""
    return f"{ratio:,.0f}x" if ratio < 1000 else "more than 1,000x"
