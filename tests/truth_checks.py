"""Independent checks of what a diagnosis claims, for the truth test.

Nothing here uses the code that wrote the sentence: derivatives are finite differences of f's
values, the stability edge is found by bisection on the spectral radius of the linearised
iteration (built from the update rules of reference/optimizers.md, not from the closed forms in
core), the global minimum comes from a fine grid, and counts are recounted from the recorded path.
A claim whose check is not clear-cut (a rate within a few percent of the edge, a point where f is
not smooth enough for finite differences) is left out and counted as such.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

GRID = 801
EDGE_TOLERANCE = 0.03
"""Rates within this relative distance of the edge are not clear-cut."""
NUMBER = r"(-?[0-9][0-9,]*\.?[0-9]*(?:e[+-]?[0-9]+)?)"


def number(text: str) -> float:
    return float(text.replace(",", ""))


# ----- finite differences ---------------------------------------------------------------------
def value(surface, point) -> float:
    with np.errstate(all="ignore"):
        return float(np.asarray(surface.value(np.asarray(point, np.float64))))


def fd_gradient(surface, point, relative: float = 1e-6) -> np.ndarray:
    point = np.asarray(point, np.float64)
    result = np.empty(2)
    for axis in range(2):
        h = relative * max(1.0, abs(point[axis]))
        offset = np.zeros(2)
        offset[axis] = h
        result[axis] = (value(surface, point + offset) - value(surface, point - offset)) / (2 * h)
    return result


def forward_gradient(surface, point, relative: float = 1e-6) -> np.ndarray:
    """One-sided differences: they disagree with central ones where f has a kink."""
    point = np.asarray(point, np.float64)
    centre, result = value(surface, point), np.empty(2)
    for axis in range(2):
        h = relative * max(1.0, abs(point[axis]))
        offset = np.zeros(2)
        offset[axis] = h
        result[axis] = (value(surface, point + offset) - centre) / h
    return result


def fd_hessian(surface, point, relative: float = 1e-4) -> np.ndarray:
    point = np.asarray(point, np.float64)
    h = relative * max(1.0, float(np.max(np.abs(point))))
    hessian = np.empty((2, 2))
    unit = np.eye(2) * h
    centre = value(surface, point)
    for i in range(2):
        for j in range(2):
            if i == j:
                hessian[i, i] = (
                    value(surface, point + unit[i]) - 2 * centre + value(surface, point - unit[i])
                ) / h**2
            else:
                hessian[i, j] = (
                    value(surface, point + unit[i] + unit[j])
                    - value(surface, point + unit[i] - unit[j])
                    - value(surface, point - unit[i] + unit[j])
                    + value(surface, point - unit[i] - unit[j])
                ) / (4 * h**2)
    return 0.5 * (hessian + hessian.T)


RESOLUTION = 1e-5
"""Curvatures below this are within the rounding noise of the finite differences."""


def smooth_hessian(surface, point, resolved: bool = False) -> np.ndarray | None:
    """The finite-difference Hessian where two step sizes agree (f smooth there), else None.

    With `resolved`, also None where an eigenvalue is too close to 0 for finite differences to
    tell its sign (the edge of damped Newton and a flat edge depend on it)."""
    first, second = fd_hessian(surface, point, 1e-4), fd_hessian(surface, point, 2e-4)
    if not (np.all(np.isfinite(first)) and np.all(np.isfinite(second))):
        return None
    size = max(1.0, float(np.max(np.abs(first))))
    if np.max(np.abs(first - second)) > 1e-3 * size:
        return None
    if resolved and np.min(np.abs(np.linalg.eigvalsh(first))) < RESOLUTION * size:
        return None
    return first


# ----- the stability edge, from the linearised iteration ---------------------------------------
def iteration_matrix(optimizer, curvature: float, lr: float, shift: float = 0.0) -> np.ndarray:
    """The linear map of one update along an eigenvector of H with eigenvalue `curvature`, on
    the state (θ, buffer) where the rule keeps a buffer. `shift` is Newton's δ."""
    hp = optimizer.hyperparameters
    if optimizer.name == "newton":
        return np.array([[1.0 - lr * curvature / (curvature + shift)]])
    g = curvature + float(hp["weight_decay"])  # the gradient is (λ + wd)·θ
    momentum, dampening = float(hp["momentum"]), float(hp["dampening"])
    if momentum == 0:
        return np.array([[1.0 - lr * g]])
    # b' = μb + (1−τ)gθ;  d = gθ + μb' (Nesterov) or b';  θ' = θ − γd
    buffer_theta, buffer_buffer = (1 - dampening) * g, momentum
    if hp["nesterov"]:
        direction_theta, direction_buffer = g + momentum * buffer_theta, momentum * buffer_buffer
    else:
        direction_theta, direction_buffer = buffer_theta, buffer_buffer
    return np.array(
        [[1.0 - lr * direction_theta, -lr * direction_buffer], [buffer_theta, buffer_buffer]]
    )


def growth(optimizer, hessian: np.ndarray, lr: float) -> float:
    """The spectral radius of the linearised iteration over the directions that curve up.

    Along a direction that curves down (λ + wd ≤ 0, or λ ≤ 0 for Newton) every rate moves away
    from the stationary point: that is an escape, not the overshooting a rate causes.
    """
    eigenvalues = np.linalg.eigvalsh(hessian)
    shift = 0.0
    if optimizer.name == "newton":
        shift = (
            0.0
            if eigenvalues[0] > 0
            else 2 * abs(eigenvalues[0]) + float(optimizer.hyperparameters["damping"])
        )
        up = eigenvalues[eigenvalues > 0]
    else:
        up = eigenvalues[eigenvalues + float(optimizer.hyperparameters["weight_decay"]) > 0]
    radii = [
        np.max(np.abs(np.linalg.eigvals(iteration_matrix(optimizer, float(lam), lr, shift))))
        for lam in up
    ]
    return float(max(radii, default=0.0))


def measured_edge(optimizer, hessian: np.ndarray) -> float:
    """The largest rate at which the linearised iteration does not grow (inf if none grows)."""
    low, high = 1e-12, 1e12
    if growth(optimizer, hessian, high) <= 1 + 1e-9:
        return math.inf
    for _ in range(200):
        middle = math.sqrt(low * high)
        if growth(optimizer, hessian, middle) > 1 + 1e-9:
            high = middle
        else:
            low = middle
        if high / low < 1 + 1e-7:
            break
    return low


# ----- the fine grid ----------------------------------------------------------------------------
@dataclass
class GridTruth:
    lowest: float
    spread: float
    lowest_points: np.ndarray

    def distance(self, point) -> float:
        """From `point` to the nearest grid point where f is within 0.1 % of its lowest."""
        return float(np.min(np.linalg.norm(self.lowest_points - np.asarray(point), axis=1)))


_GRIDS: dict[tuple, GridTruth] = {}


def grid_truth(surface) -> GridTruth:
    key = (surface.name, surface.latex, surface.domain)
    if key not in _GRIDS:
        x_min, x_max, y_min, y_max = surface.domain
        xs, ys = np.linspace(x_min, x_max, GRID), np.linspace(y_min, y_max, GRID)
        points = np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2)
        with np.errstate(all="ignore"):
            values = np.asarray(surface.value(points), np.float64)
        finite = np.isfinite(values)
        lowest, spread = float(values[finite].min()), float(np.ptp(values[finite]))
        near_lowest = finite & (values <= lowest + 1e-3 * spread)
        _GRIDS[key] = GridTruth(lowest, spread, points[near_lowest][:5000])
    return _GRIDS[key]


# ----- the checks -------------------------------------------------------------------------------
@dataclass
class Verdict:
    """The outcome of checking one sentence: failures found, claims checked, claims left out."""

    failures: list[str] = field(default_factory=list)
    checked: int = 0
    unclear: int = 0

    def claim(self, holds: bool, text: str) -> None:
        self.checked += 1
        if not holds:
            self.failures.append(text)


def check_edge_number(verdict, optimizer, surface, point, stated: float, lr_range) -> None:
    hessian = smooth_hessian(surface, point, resolved=True)
    if hessian is None:
        verdict.unclear += 1
        return
    truth = measured_edge(optimizer, hessian)
    verdict.claim(
        math.isfinite(truth) and abs(stated / truth - 1) < 0.02,
        f"edge {stated:.4g} stated, {truth:.4g} measured at {np.round(point, 4)}",
    )


def relation_is_clear(rate: float, truth: float) -> bool:
    return not (math.isfinite(truth) and abs(rate / truth - 1) < EDGE_TOLERANCE)


def check_sentence(run, message: str, lr_range: tuple[float, float]) -> Verdict:
    """Every claim of `message` about `run` that an independent computation can decide."""
    verdict = Verdict()
    verdict.claim(
        re.search(r"\b(inf|nan|NaN|Infinity)\b|∞", message) is None, "a non-finite number"
    )
    surface, optimizer = run.surface, run.optimizer
    first = float(run.learning_rates[0]) if run.learning_rates.size else optimizer.lr
    for stated in re.findall(r"(?:try lr ≈|Use lr <) " + NUMBER, message):
        verdict.claim(
            lr_range[0] <= number(stated) <= lr_range[1], f"advice lr {stated} out of range"
        )
    _check_outcome(verdict, run, message)
    above = re.search(r"is above the stability edge .*? = " + NUMBER + " at the start", message)
    within = re.search(r"is within the stability edge at the start \([^)]*? = " + NUMBER, message)
    for match, should_exceed in ((above, True), (within, False)):
        if match is None:
            continue
        stated = number(match.group(1))
        check_edge_number(verdict, optimizer, surface, run.start, stated, lr_range)
        hessian = smooth_hessian(surface, run.start, resolved=True)
        if hessian is not None:
            truth = measured_edge(optimizer, hessian)
            if relation_is_clear(first, truth):
                verdict.claim((first > truth) == should_exceed, f"rate {first:.4g} vs {truth:.4g}")
            else:
                verdict.unclear += 1
    grows = re.search(
        r"(curvature grows|edge falls) along the path: at step (\d+) it reached \(.*?\), "
        r"where λmax = " + NUMBER + " and the edge is " + NUMBER,
        message,
    )
    if grows:
        _check_growing_curvature(
            verdict,
            run,
            int(grows.group(2)),
            number(grows.group(3)),
            number(grows.group(4)),
            grows.group(1) == "curvature grows",
        )
    relation = re.search(
        r"is (above|near|on) (?:\(within a factor of 2 below\) )?the stab", message
    )
    if relation and run.schedule is None:
        hessian = smooth_hessian(surface, run.start, resolved=True)
        truth = None if hessian is None else measured_edge(optimizer, hessian)
        if truth is None or not math.isfinite(truth):
            verdict.unclear += 1
        else:
            kind = relation.group(1)
            ratio = first / truth
            if kind == "on":
                verdict.claim(abs(ratio - 1) < 0.02, f"'on the edge' at ratio {ratio:.3g}")
            elif kind == "above" and relation_is_clear(first, truth):
                verdict.claim(ratio > 1, f"'above' at ratio {ratio:.3g}")
            elif kind == "near" and relation_is_clear(first, truth):
                verdict.claim(0.5 / (1 + EDGE_TOLERANCE) <= ratio <= 1, f"'near' at {ratio:.3g}")
    below = re.search(
        r"((?:more than )?[0-9][0-9,]*)x below the stability edge .*? = " + NUMBER, message
    )
    if below:
        end = np.asarray(run.final_points, np.float64)
        hessian = smooth_hessian(surface, end, resolved=True)
        if hessian is None:
            verdict.unclear += 1
        else:
            truth = measured_edge(optimizer, hessian)
            rate = (
                float(run.learning_rates[-1]) if "schedule shrank" in message else run.optimizer.lr
            )
            verdict.claim(
                math.isfinite(truth) and abs(number(below.group(2)) / truth - 1) < 0.02,
                f"edge where it stopped {below.group(2)} vs {truth:.4g}",
            )
            stated_ratio, actual = below.group(1), truth / rate
            verdict.claim(
                actual > 1000
                if stated_ratio.startswith("more than")
                else abs(number(stated_ratio) - actual) <= 0.5 + 0.02 * actual,
                f"ratio {stated_ratio} vs {actual:.4g}",
            )
    return verdict


def _check_growing_curvature(
    verdict, run, step: int, stated_curvature: float, stated_edge: float, grows: bool
) -> None:
    surface, optimizer = run.surface, run.optimizer
    there = smooth_hessian(surface, run.points[step], resolved=True)
    start = smooth_hessian(surface, run.start)
    if there is None or start is None:
        verdict.unclear += 1
        return
    largest_there = float(np.linalg.eigvalsh(there)[-1])
    largest_start = float(np.linalg.eigvalsh(start)[-1])
    verdict.claim(
        abs(stated_curvature - largest_there) <= 1e-2 * max(1.0, abs(largest_there)),
        f"λmax {stated_curvature:.4g} stated at step {step}, {largest_there:.4g} measured",
    )
    if grows:
        verdict.claim(
            largest_there > largest_start,
            f"'curvature grows' but λmax {largest_there:.4g} ≤ {largest_start:.4g} at the start",
        )
    truth = measured_edge(optimizer, there)
    verdict.claim(
        math.isfinite(truth) and abs(stated_edge / truth - 1) < 0.02,
        f"edge {stated_edge:.4g} stated at step {step}, {truth:.4g} measured",
    )
    rate = float(run.learning_rates[step])
    if relation_is_clear(rate, truth):
        verdict.claim(rate > truth, f"rate {rate:.4g} not above the edge {truth:.4g} there")
    else:
        verdict.unclear += 1


def _check_outcome(verdict: Verdict, run, message: str) -> None:
    """The kind of ending the headline names, against the recorded path and f itself."""
    surface = run.surface
    end = np.asarray(run.final_points, np.float64)
    grid = grid_truth(surface)
    tolerance = 1e-3 * grid.spread + 1e-9
    end_value = value(surface, end)
    gradient = fd_gradient(surface, end)
    if message.startswith("Diverged"):
        x_low, x_high, y_low, y_high = surface.escape_box
        last = run.points[-1]
        outside = not (
            np.all(np.isfinite(last)) and x_low <= last[0] <= x_high and y_low <= last[1] <= y_high
        )
        verdict.claim(outside or run.stop_step == 0, "'diverged' but the path is inside the box")
    elif "not defined" in message.split(".")[0] or "is infinite at" in message.split(".")[0]:
        defined = math.isfinite(end_value) and np.all(np.isfinite(gradient))
        verdict.claim(not defined, f"'undefined' but f and ∇f are finite at {end}")
    elif "to the global minimum" in message:
        near = message.startswith("Ended close") and grid.distance(end) <= 0.015 * surface.scale
        verdict.claim(
            end_value <= grid.lowest + tolerance or near,
            f"'global minimum' at f = {end_value:.6g}, the grid's lowest is {grid.lowest:.6g}",
        )
    elif "to a local minimum" in message:
        verdict.claim(
            end_value > grid.lowest + tolerance or end_value > grid.lowest + 1e-6,
            f"'only a local minimum' at f = {end_value:.6g}, the lowest is {grid.lowest:.6g}",
        )
    elif "flat plateau" in message:
        verdict.claim(
            end_value > grid.lowest + 1e-9 * (1 + abs(grid.lowest)),
            "'plateau, not a minimum' at the lowest value",
        )
        verdict.claim(bool(np.linalg.norm(gradient) < 1e-5), "'plateau' where f slopes")
    elif message.startswith("Oscillating"):
        stated = re.search(r"rose on (\d+) of (\d+) steps", message)
        recount = int(np.count_nonzero(np.diff(run.values) > 0))
        verdict.claim(
            stated is not None and int(stated.group(1)) == recount,
            f"'rose on {stated and stated.group(1)}' steps, recount {recount}",
        )
    elif message.startswith("Too slow"):
        stated = re.search(r"‖∇f‖ = " + NUMBER, message)
        norm = float(np.linalg.norm(gradient))
        coarse = float(np.linalg.norm(fd_gradient(surface, end, 1e-4)))
        one_sided = float(np.linalg.norm(forward_gradient(surface, end)))
        smooth = max(abs(coarse - norm), abs(one_sided - norm)) <= 1e-3 * max(norm, 1e-6)
        if not smooth:
            verdict.unclear += 1
        elif stated and math.isfinite(norm):
            verdict.claim(
                abs(number(stated.group(1)) - norm) <= 1e-2 * norm + 1e-9,
                f"‖∇f‖ {stated.group(1)} stated, {norm:.4g} measured",
            )
        verdict.claim(run.status == "max_steps", "'too slow' but the steps did not run out")


def check_caption(run, caption: str) -> Verdict:
    """The caption under the learning-rate control: the edge's number and 'above it'."""
    verdict = Verdict()
    verdict.claim(re.search(r"\b(inf|nan)\b|∞", caption) is None, "a non-finite number")
    stated = re.search(r"at the start: \*\*" + NUMBER + r"\*\*", caption)
    hessian = smooth_hessian(run.surface, run.start, resolved=stated is not None)
    if hessian is None:
        verdict.unclear += 1
        return verdict
    truth = (
        measured_edge(run.optimizer, hessian) if run.optimizer.rule.stability is not None else None
    )
    if stated:
        rate = number(stated.group(1))
        verdict.claim(
            truth is not None and math.isfinite(truth) and abs(rate / truth - 1) < 0.02,
            f"caption edge {rate:.4g}, measured {truth}",
        )
        if truth is not None and relation_is_clear(run.optimizer.lr, truth):
            verdict.claim(
                ("above it" in caption) == (run.optimizer.lr > truth),
                f"'above it' is {'above it' in caption} at lr {run.optimizer.lr:.4g}, "
                f"edge {truth:.4g}",
            )
    elif "none:" in caption:
        largest = float(np.linalg.eigvalsh(hessian)[-1])
        flat = abs(largest) <= 1e-5 and "flat" in caption
        verdict.claim(
            flat or (truth is not None and math.isinf(truth)), f"'none' but the edge is {truth}"
        )
    return verdict
