"""The stability edge: the largest learning rate at which an optimizer's step stays stable on the
local quadratic model of a surface, and how to say it in words.

Near a point θ0 a surface is f(θ0 + d) ≈ f(θ0) + gᵀd + ½dᵀHd. On that model every rule with a
fixed edge (plain descent, heavy ball, Nesterov, damped Newton; see `StabilityRule` in
core.optimizers) contracts below the edge and overshoots with a growing oscillation above it. The
edge depends on the rule's own hyperparameters (momentum, dampening, Nesterov, weight decay) and on
the Hessian's eigenvalues, so the diagnosis, the caption under the learning-rate control, the
learning-rate lab and the lessons all ask this module, never a formula of their own.

Under a schedule the rate changes from step to step; what matters is the rate actually used at a
step against the edge where the path is then (`first_step_above_edge`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.optimizers import Optimizer
from core.surfaces import Surface

FLAT_CURVATURE = 1e-6
"""Below this |λmax| the surface is flat in its steepest direction, not curved."""


@dataclass(frozen=True)
class StabilityEdge:
    """The edge at one point.

    rate: the largest stable constant rate; inf where nothing limits it (no direction curves up);
    nan where the Hessian is not defined; None where the rule has no fixed edge (adaptive rules).
    curvature: λmax of the Hessian at the point (nan where undefined). formula: the edge's
    formula in plain text ("2(1+μ)/λmax"), None without a fixed edge.
    """

    rate: float | None
    curvature: float
    formula: str | None

    @property
    def applies(self) -> bool:
        """True when the rule has a fixed edge and the curvature is defined here."""
        return self.rate is not None and not math.isnan(self.rate)

    @property
    def finite(self) -> bool:
        """True when there is a finite positive rate above which the step overshoots."""
        return self.rate is not None and math.isfinite(self.rate) and self.rate > 0

    def phrase(self) -> str:
        """'2(1+μ)/λmax = 0.136', or why there is no number, in words (never inf or nan)."""
        if self.rate is None:
            return "no fixed edge (the step length depends on the gradient history)"
        if math.isnan(self.rate):
            return "not defined here (the curvature of f is not finite)"
        if self.finite:
            return f"{self.formula} = {self.rate:.3g}"
        return f"none: {self.missing_reason()}"

    def missing_reason(self) -> str:
        """Why no finite rate overshoots here, in words ('' where there is one)."""
        if self.finite or self.rate is None or math.isnan(self.rate):
            return ""
        if abs(self.curvature) <= FLAT_CURVATURE:
            return "the surface is flat here, so no rate overshoots"
        if self.curvature < 0:
            return "the surface curves down in every direction here, so no rate overshoots"
        return "with these settings no rate overshoots here"


def hessian_eigenvalues(surface: Surface, point) -> np.ndarray | None:
    """The ascending eigenvalues (2,) of the Hessian at `point`, None where it is not finite."""
    with np.errstate(all="ignore"):
        hessian = np.asarray(surface.hessian(np.asarray(point, dtype=np.float64)), np.float64)
    if not np.all(np.isfinite(hessian)):
        return None
    return np.linalg.eigvalsh(hessian)


def stability_edge(optimizer: Optimizer, surface: Surface, point) -> StabilityEdge:
    """The edge of `optimizer`'s step on the quadratic model of `surface` at `point`."""
    formula = optimizer.stability_formula()
    eigenvalues = hessian_eigenvalues(surface, point)
    if eigenvalues is None:
        return StabilityEdge(None if formula is None else math.nan, math.nan, formula)
    curvature = float(eigenvalues[-1])
    return StabilityEdge(optimizer.stability_edge(eigenvalues), curvature, formula)


def edges_along(optimizer: Optimizer, surface: Surface, points: np.ndarray) -> np.ndarray:
    """The edge rate at each of points (K, 2), (K,): nan where undefined or without an edge.

    The Hessians and their eigenvalues are computed in one batched call each; only the rule's
    scalar formula runs per point.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    rates = np.full(len(points), np.nan)
    if optimizer.rule.stability is None or len(points) == 0:
        return rates
    with np.errstate(all="ignore"):
        hessians = np.asarray(surface.hessian(points), np.float64).reshape(-1, 2, 2)
    defined = np.all(np.isfinite(hessians), axis=(1, 2))
    eigenvalues = np.linalg.eigvalsh(np.where(defined[:, None, None], hessians, 0.0))
    for index in np.flatnonzero(defined):
        rates[index] = optimizer.stability_edge(eigenvalues[index])
    return rates


def first_step_above_edge(
    optimizer: Optimizer, surface: Surface, points: np.ndarray, learning_rates: np.ndarray
) -> int | None:
    """The first update k (0-based) whose rate exceeds the edge at the point it starts from.

    points (K+1, 2) and learning_rates (K,) as a Run records them; None when every rate used
    stays at or below the edge along the path (or no edge applies).
    """
    count = min(len(learning_rates), len(points))
    if count == 0:
        return None
    edges = edges_along(optimizer, surface, points[:count])
    with np.errstate(invalid="ignore"):
        above = np.asarray(learning_rates[:count]) > edges
    hits = np.flatnonzero(above)
    return int(hits[0]) if hits.size else None


def learning_rate_range(optimizer: Optimizer) -> tuple[float, float]:
    """The range the learning-rate control offers for this rule: advice stays inside it."""
    spec = next(spec for spec in optimizer.rule.hyperparameters if spec.name == "lr")
    return float(spec.minimum), float(spec.maximum)
