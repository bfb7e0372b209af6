"""Two-parameter model losses as core surfaces: the bridge from 2-D functions to networks.

Each surface is a loss over a model's two parameters (w, b) on a small seeded data set (x_i, y_i):
z_i = w·x_i + b, f(w, b) = mean_i ℓ(z_i, y_i) + l1·|w| + ½·l2·w². With ℓ' and ℓ'' the
derivatives of ℓ in z, the chain rule gives every surface from three functions of (z, y):
∇f = mean(ℓ'·(x, 1)) + (l1·sign w + l2·w, 0) and ∇²f = mean(ℓ''·[[x², x], [x, 1]]) + diag(l2, 0).

- linear-regression-mse: ℓ = (z − y)²              convex; a ravine with the raw feature
- linear-regression-mae: ℓ = |z − y|               convex, piecewise linear: ∇f never shrinks
- logistic-regression-bce: ℓ = log(1 + e^z) − y·z   convex
- logistic-regression-mse: ℓ = (σ(z) − y)²          not convex: flat plateaus where σ saturates

The surfaces register themselves in core.surfaces on import (core imports this module). With
batch_size below the data size, `stochastic_gradient_components` draws a fresh random batch at
every call, so descend follows true mini-batch gradients while recording the exact one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.nn.activations import sigmoid
from core.surfaces import (
    GLOBAL_MINIMUM,
    ParameterSpec,
    StationaryPoint,
    Surface,
    SurfaceEntry,
    register_surface,
)

LINEAR_POINTS = 40
LOGISTIC_POINTS = 60
SearchStart = tuple[float, float]


@dataclass(frozen=True)
class PointLoss:
    """ℓ(z, y) with its first and second derivatives in z, all element-wise."""

    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    first: Callable[[np.ndarray, np.ndarray], np.ndarray]
    second: Callable[[np.ndarray, np.ndarray], np.ndarray]
    smooth: bool = True


def _logistic_mse_second(z, y):
    p = sigmoid(z)
    slope = p * (1.0 - p)
    return 2.0 * slope * slope + 2.0 * (p - y) * slope * (1.0 - 2.0 * p)


POINT_LOSSES = {
    "squared": PointLoss(
        lambda z, y: (z - y) ** 2, lambda z, y: 2.0 * (z - y), lambda z, y: 2.0 + 0.0 * z
    ),
    "absolute": PointLoss(
        lambda z, y: np.abs(z - y), lambda z, y: np.sign(z - y), lambda z, y: 0.0 * z, smooth=False
    ),
    "cross_entropy": PointLoss(
        lambda z, y: np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z))),
        lambda z, y: sigmoid(z) - y,
        lambda z, y: sigmoid(z) * (1.0 - sigmoid(z)),
    ),
    "sigmoid_squared": PointLoss(
        lambda z, y: (sigmoid(z) - y) ** 2,
        lambda z, y: 2.0 * (sigmoid(z) - y) * sigmoid(z) * (1.0 - sigmoid(z)),
        _logistic_mse_second,
    ),
}


def _data_means(function, w, b, xs: np.ndarray, ys: np.ndarray, powers: tuple[int, ...]):
    """mean_i function(w·x_i + b, y_i)·x_i^k for each k in powers.

    w and b are floats (vectorised over the data) or equal-shaped arrays (a loop over the data,
    so a 400 × 400 grid never holds grid × data numbers at once).
    """
    if np.ndim(w) == 0 and np.ndim(b) == 0:
        terms = function(w * xs + b, ys)
        return tuple(float(np.mean(terms * xs**k)) for k in powers)
    totals = [np.zeros(np.broadcast(w, b).shape) for _ in powers]
    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        term = function(w * x + b, y)
        for total, k in zip(totals, powers, strict=True):
            total += term * x**k
    return tuple(total / xs.size for total in totals)


@dataclass(frozen=True)
class ModelLoss:
    """f(w, b) for one point loss, data set and penalty: value, gradient and Hessian components."""

    point_loss: PointLoss
    xs: np.ndarray
    ys: np.ndarray
    l1: float
    l2: float

    def value(self, w, b):
        (data,) = _data_means(self.point_loss.value, w, b, self.xs, self.ys, (0,))
        return data + self.l1 * np.abs(w) + 0.5 * self.l2 * w * w

    def gradient(self, w, b):
        along_w, along_b = _data_means(self.point_loss.first, w, b, self.xs, self.ys, (1, 0))
        return along_w + self._l1_gradient(w, along_w) + self.l2 * w, along_b

    def _l1_gradient(self, w, data_gradient):
        """l1·sign(w); at the kink w = 0 the subgradient of least norm, −clip(g, −l1, l1), so the
        gradient vanishes exactly where the L1 penalty holds w at 0."""
        kink = -np.clip(data_gradient, -self.l1, self.l1)
        return np.where(w == 0, kink, self.l1 * np.sign(w))

    def hessian(self, w, b):
        ww, wb, bb = _data_means(self.point_loss.second, w, b, self.xs, self.ys, (2, 1, 0))
        return ww + self.l2, wb, bb

    def on_batch(self, indices: np.ndarray) -> ModelLoss:
        return ModelLoss(self.point_loss, self.xs[indices], self.ys[indices], self.l1, self.l2)


def _stochastic(model: ModelLoss, batch_size: int):
    """(w, b, rng) -> the gradient on a fresh random batch of batch_size points (no repeats)."""

    def sampled(w, b, rng: np.random.Generator):
        indices = rng.choice(model.xs.size, size=batch_size, replace=False)
        return model.on_batch(indices).gradient(w, b)

    return sampled


# ----- the minimum, found numerically at build time -----------------------------------------
def _minimise(model: ModelLoss, start: SearchStart) -> tuple[float, float]:
    """Pattern search in 8 directions from `start` (robust at kinks), then Newton polishing."""
    w, b = start
    best, step = float(model.value(w, b)), 1.0
    directions = [(math.cos(a), math.sin(a)) for a in np.arange(8) * math.pi / 4]
    while step > 1e-11:
        moved = False
        for dw, db in directions:
            trial = float(model.value(w + step * dw, b + step * db))
            if trial < best:
                best, w, b, moved = trial, w + step * dw, b + step * db, True
                break
        if not moved:
            step *= 0.5
    if model.l1 > 0.0 and abs(w) < 1e-8:
        w = 0.0  # the L1 kink: the minimum sits exactly on w = 0, where sign(w) = 0
    if model.point_loss.smooth and (model.l1 == 0.0 or w != 0.0):
        w, b = _newton_polish(model, w, b)
    return w, b


def _newton_polish(model: ModelLoss, w: float, b: float) -> tuple[float, float]:
    for _ in range(8):
        g_w, g_b = model.gradient(w, b)
        h_ww, h_wb, h_bb = model.hessian(w, b)
        determinant = h_ww * h_bb - h_wb * h_wb
        if not determinant > 0:
            break
        step_w = (h_bb * g_w - h_wb * g_b) / determinant
        step_b = (h_ww * g_b - h_wb * g_w) / determinant
        if model.value(w - step_w, b - step_b) > model.value(w, b) + 1e-15:
            break
        w, b = w - step_w, b - step_b
    return float(w), float(b)


# ----- data sets ------------------------------------------------------------------------------
def linear_data(seed: int, normalised: bool) -> tuple[np.ndarray, np.ndarray]:
    """x uniform in [0, 100] (standardised if asked), y = 0.04·x_raw + 1 + N(0, 0.3²)."""
    rng = np.random.default_rng([int(seed), 7])
    raw = rng.uniform(0.0, 100.0, LINEAR_POINTS)
    targets = 0.04 * raw + 1.0 + 0.3 * rng.standard_normal(LINEAR_POINTS)
    features = (raw - raw.mean()) / raw.std() if normalised else raw
    return features, targets


def logistic_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """x uniform in [−3, 3], label 1 with probability σ(2x − 1): overlapping classes."""
    rng = np.random.default_rng([int(seed), 8])
    features = rng.uniform(-3.0, 3.0, LOGISTIC_POINTS)
    labels = (rng.uniform(size=LOGISTIC_POINTS) < sigmoid(2.0 * features - 1.0)).astype(float)
    return features, labels


# ----- building the surfaces ------------------------------------------------------------------
@dataclass(frozen=True)
class ModelSurfaceKind:
    """What differs between the four model surfaces."""

    name: str
    title: str
    point_loss: str
    logistic: bool
    note: str
    latex: str


def _search_start(kind: ModelSurfaceKind, xs: np.ndarray, ys: np.ndarray) -> SearchStart:
    """Least squares for the linear models; the BCE fit (by Newton) for the logistic ones."""
    if not kind.logistic:
        slope, intercept = np.polyfit(xs, ys, 1)
        return float(slope), float(intercept)
    unpenalised = ModelLoss(POINT_LOSSES["cross_entropy"], xs, ys, 0.0, 0.0)
    return _newton_polish(unpenalised, 0.0, 0.0)


def _model_data(kind: ModelSurfaceKind, seed: int, normalised: bool):
    return logistic_data(seed) if kind.logistic else linear_data(seed, normalised)


def _domain_around(w: float, b: float, pad: float) -> tuple[float, float, float, float]:
    """The box holding the origin (where training starts) and the minimum, padded."""
    return (min(0.0, w) - pad, max(0.0, w) + pad, min(0.0, b) - pad, max(0.0, b) + pad)


def build_model_surface(
    kind: ModelSurfaceKind,
    normalised: float = 1.0,
    l1: float = 0.0,
    l2: float = 0.0,
    batch_size: float = 0.0,
    seed: float = 0.0,
) -> Surface:
    """The surface of `kind` over (w, b) on its seeded data; batch_size 0 (or ≥ n) is full batch."""
    xs, ys = _model_data(kind, int(seed), bool(round(normalised)))
    model = ModelLoss(POINT_LOSSES[kind.point_loss], xs, ys, float(l1), float(l2))
    w, b = _minimise(model, _search_start(kind, xs, ys))
    domain = _domain_around(w, b, 3.0 if kind.logistic else 2.0)
    start = (-2.5, 2.0) if kind.logistic else (domain[0] + 0.5, domain[2] + 0.5)
    batch = round(batch_size)
    raw = "" if kind.logistic or round(normalised) else " Raw feature x in [0, 100]."
    parameters = dict(normalised=normalised, l1=l1, l2=l2, batch_size=batch_size, seed=seed)
    return Surface(
        kind.name, kind.title, model.value, model.gradient, model.hessian, domain, start,
        kind.note + raw, (StationaryPoint(GLOBAL_MINIMUM, (w, b), float(model.value(w, b))),),
        log_colors=not kind.logistic, latex=kind.latex,
        parameters={key: float(value) for key, value in parameters.items()},
        stochastic_gradient_components=_stochastic(model, batch) if 0 < batch < xs.size else None,
    )  # fmt: skip


KINDS = (
    ModelSurfaceKind(
        "linear-regression-mse",
        "Linear regression, MSE",
        "squared",
        False,
        "Loss of ŷ = w·x + b over (w, b). Standardised x gives a round bowl; the raw "
        "feature a ravine where descent zig-zags or diverges.",
        r"\tfrac1n \sum_i (w x_i + b - y_i)^2",
    ),
    ModelSurfaceKind(
        "linear-regression-mae",
        "Linear regression, MAE",
        "absolute",
        False,
        "Mean absolute error: a faceted cone; its gradient keeps its size up to the "
        "minimum, so a constant learning rate overshoots for ever.",
        r"\tfrac1n \sum_i |w x_i + b - y_i|",
    ),
    ModelSurfaceKind(
        "logistic-regression-bce",
        "Logistic regression, cross-entropy",
        "cross_entropy",
        True,
        "Binary cross-entropy of p̂ = σ(w·x + b): convex, one minimum, no plateaus.",
        r"\tfrac1n \sum_i \log(1 + e^{z_i}) - y_i z_i,\ z_i = w x_i + b",
    ),
    ModelSurfaceKind(
        "logistic-regression-mse",
        "Logistic regression, MSE",
        "sigmoid_squared",
        True,
        "Squared error on a sigmoid: flat plateaus where σ saturates and the gradient "
        "vanishes. Why classification uses cross-entropy.",
        r"\tfrac1n \sum_i (\sigma(w x_i + b) - y_i)^2",
    ),
)


def _parameter_specs(kind: ModelSurfaceKind) -> tuple[ParameterSpec, ...]:
    size = LOGISTIC_POINTS if kind.logistic else LINEAR_POINTS
    specs = (
        ParameterSpec("l1", 0.0, 0.0, 2.0, "L1 penalty l1·|w|: pulls w to exactly 0."),
        ParameterSpec("l2", 0.0, 0.0, 2.0, "L2 penalty ½·l2·w²: pulls w toward 0."),
        ParameterSpec(
            "batch_size",
            0.0,
            0.0,
            float(size - 1),
            f"Points per mini-batch, a fresh random batch each step; 0 uses all {size}.",
            integer=True,
        ),
        ParameterSpec("seed", 0.0, 0.0, 99.0, "Which random data set.", integer=True),
    )
    if kind.logistic:
        return specs
    return (
        ParameterSpec(
            "normalised",
            1.0,
            0.0,
            1.0,
            "1: standardised feature (round bowl); 0: raw x in [0, 100].",
            integer=True,
        ),
        *specs,
    )


def _builder(kind: ModelSurfaceKind):
    def build(**parameters: float) -> Surface:
        return build_model_surface(kind, **parameters)

    return build


def register_model_surfaces() -> None:
    """Add the four model surfaces to core.surfaces.SURFACES (group "models")."""
    for kind in KINDS:
        register_surface(
            SurfaceEntry(kind.name, _builder(kind), _parameter_specs(kind), group="models")
        )
