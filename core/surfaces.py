"""Two-dimensional test surfaces: value, gradient and Hessian, with their stationary points.

A surface is f(x, y) with its analytic first and second derivatives. The formulas are written once,
on components: `value_components(x, y) -> f`, `gradient_components(x, y) -> (f_x, f_y)` and
`hessian_components(x, y) -> (f_xx, f_xy, f_yy)`, where x and y are Python floats (one descent
path, fast) or NumPy arrays of any equal shape (a batch of starts, a contour grid). The public
methods take points of shape (..., 2) and return (...), (..., 2) and (..., 2, 2).

The catalogue follows the classic test-function tables (Surjanovic & Bingham's Virtual Library of
Simulation Experiments; Wikipedia's "Test functions for optimization"); every listed stationary
point was recomputed as a root of the gradient and classified by its Hessian.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.elementwise import square, where

PI = math.pi

GLOBAL_MINIMUM = "global minimum"
LOCAL_MINIMUM = "local minimum"
SADDLE = "saddle"
LOCAL_MAXIMUM = "local maximum"
DEGENERATE = "degenerate"
POINT_KINDS = (GLOBAL_MINIMUM, LOCAL_MINIMUM, SADDLE, LOCAL_MAXIMUM, DEGENERATE)

ESCAPE_FACTOR = 10.0
"""A run diverges when it leaves the domain widened this many times around its centre."""


@dataclass(frozen=True)
class StationaryPoint:
    """A point where the gradient vanishes: its kind (one of POINT_KINDS), place and value."""

    kind: str
    point: tuple[float, float]
    value: float

    @property
    def is_minimum(self) -> bool:
        return self.kind in (GLOBAL_MINIMUM, LOCAL_MINIMUM)

    def label(self) -> str:
        """'local minimum (3.584, -1.848), f = 0' — for legends and messages."""
        x, y = self.point
        return f"{self.kind} ({x:.4g}, {y:.4g}), f = {self.value:.4g}"


@dataclass(frozen=True)
class ParameterSpec:
    """A surface's own parameter (the bowl's condition number, say): default, range and help;
    `integer` for a count or a seed (the surface uses it as a whole number)."""

    name: str
    default: float
    minimum: float
    maximum: float
    help: str
    log_scale: bool = False
    integer: bool = False


@dataclass(frozen=True, eq=False)
class Surface:
    """A 2-D function f(x, y) with analytic derivatives, its plot domain and stationary points.

    domain is (x_min, x_max, y_min, y_max): the box the contour shows and start points come from.
    A run that leaves the escape box (the domain widened ESCAPE_FACTOR times about its centre)
    has diverged.
    """

    name: str
    title: str
    value_components: Callable[[Any, Any], Any]
    gradient_components: Callable[[Any, Any], tuple[Any, Any]]
    hessian_components: Callable[[Any, Any], tuple[Any, Any, Any]]
    domain: tuple[float, float, float, float]
    default_start: tuple[float, float]
    note: str
    stationary_points: tuple[StationaryPoint, ...] = ()
    log_colors: bool = False
    latex: str = ""
    parameters: dict[str, float] = field(default_factory=dict)
    bounded_below: bool = True
    no_minimum_reason: str = ""
    """Why f has no minimum to descend to (a pole, or f falling beyond the domain), in words;
    empty when it has one. Set together with bounded_below=False."""
    stochastic_gradient_components: (
        Callable[[Any, Any, np.random.Generator], tuple[Any, Any]] | None
    ) = None
    """For model surfaces in mini-batch mode: (x, y, rng) -> the gradient of a random batch's
    loss. descend gives it to the optimizer (instead of the exact gradient plus noise) and still
    records the exact gradient."""

    # ----- vectorised public interface -------------------------------------------------------
    def value(self, points: np.ndarray) -> np.ndarray:
        """f at points of shape (..., 2) -> (...)."""
        points = np.asarray(points, dtype=np.float64)
        with np.errstate(all="ignore"):
            return np.asarray(self.value_components(points[..., 0], points[..., 1]), np.float64)

    def grad(self, points: np.ndarray) -> np.ndarray:
        """∇f at points of shape (..., 2) -> (..., 2)."""
        points = np.asarray(points, dtype=np.float64)
        with np.errstate(all="ignore"):
            f_x, f_y = self.gradient_components(points[..., 0], points[..., 1])
        return _stack_last(points.shape[:-1], f_x, f_y)

    def hessian(self, points: np.ndarray) -> np.ndarray:
        """∇²f at points of shape (..., 2) -> (..., 2, 2), symmetric."""
        points = np.asarray(points, dtype=np.float64)
        with np.errstate(all="ignore"):
            f_xx, f_xy, f_yy = self.hessian_components(points[..., 0], points[..., 1])
        shape = points.shape[:-1]
        return np.stack([_stack_last(shape, f_xx, f_xy), _stack_last(shape, f_xy, f_yy)], axis=-2)

    # ----- the table of stationary points -----------------------------------------------------
    @property
    def minima(self) -> tuple[StationaryPoint, ...]:
        return tuple(p for p in self.stationary_points if p.is_minimum)

    @property
    def global_minima(self) -> tuple[StationaryPoint, ...]:
        return tuple(p for p in self.stationary_points if p.kind == GLOBAL_MINIMUM)

    @property
    def saddles(self) -> tuple[StationaryPoint, ...]:
        return tuple(p for p in self.stationary_points if p.kind in (SADDLE, DEGENERATE))

    @property
    def minimum_value(self) -> float | None:
        """f* (the global minimum's value), or None for a surface unbounded below."""
        values = [p.value for p in self.global_minima]
        return min(values) if values else None

    @property
    def escape_box(self) -> tuple[float, float, float, float]:
        x_min, x_max, y_min, y_max = self.domain
        x_mid, y_mid = (x_min + x_max) / 2, (y_min + y_max) / 2
        x_half, y_half = ESCAPE_FACTOR * (x_max - x_min) / 2, ESCAPE_FACTOR * (y_max - y_min) / 2
        return (x_mid - x_half, x_mid + x_half, y_mid - y_half, y_mid + y_half)

    @property
    def scale(self) -> float:
        """The domain's diagonal: the length that distances on this surface are measured against."""
        x_min, x_max, y_min, y_max = self.domain
        return math.hypot(x_max - x_min, y_max - y_min)

    def contains(self, points: np.ndarray) -> np.ndarray:
        """Whether points (..., 2) lie in the plot domain (boundary included)."""
        points = np.asarray(points, dtype=np.float64)
        x_min, x_max, y_min, y_max = self.domain
        x, y = points[..., 0], points[..., 1]
        return (x >= x_min) & (x <= x_max) & (y >= y_min) & (y <= y_max)

    def clamp_to_domain(self, point: Iterable[float]) -> tuple[float, float]:
        x, y = (float(v) for v in point)
        x_min, x_max, y_min, y_max = self.domain
        return (min(max(x, x_min), x_max), min(max(y, y_min), y_max))


def _stack_last(shape: tuple[int, ...], first: Any, second: Any) -> np.ndarray:
    """Stack two components (arrays or constants) into shape + (2,)."""
    return np.stack(
        [
            np.broadcast_to(np.asarray(first, np.float64), shape),
            np.broadcast_to(np.asarray(second, np.float64), shape),
        ],
        axis=-1,
    )


def _points(kind: str, *entries: tuple[float, float, float]) -> tuple[StationaryPoint, ...]:
    return tuple(StationaryPoint(kind, (float(x), float(y)), float(v)) for x, y, v in entries)


def _mirrored(kind: str, x: float, y: float, value: float) -> tuple[StationaryPoint, ...]:
    """(x, y) and (-x, -y): the '±a, ±b' pairs of a point-symmetric surface."""
    return _points(kind, (x, y, value), (-x, -y, value))


# ----- quadratic bowl -------------------------------------------------------------------------
def bowl(kappa: float = 10.0, angle: float = 0.0) -> Surface:
    """f = ½ pᵀ A p with A = Rᵀ diag(1, κ) R, R the rotation by `angle` degrees.

    Eigenvalues 1 and κ: plain gradient descent converges iff 0 < γ < 2/κ (for κ ≥ 1).
    """
    kappa, angle = float(kappa), float(angle)
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    a_xx = c * c + kappa * s * s
    a_xy = (1.0 - kappa) * c * s
    a_yy = s * s + kappa * c * c

    def value(x, y):
        return 0.5 * (a_xx * x * x + 2.0 * a_xy * x * y + a_yy * y * y)

    def gradient(x, y):
        return a_xx * x + a_xy * y, a_xy * x + a_yy * y

    def hessian(x, y):
        return a_xx + 0.0 * x, a_xy + 0.0 * x, a_yy + 0.0 * x

    return Surface(
        name="bowl",
        title=f"Quadratic bowl (κ = {kappa:g}, rotated {angle:g}°)",
        value_components=value,
        gradient_components=gradient,
        hessian_components=hessian,
        domain=(-2.0, 2.0, -2.0, 2.0),
        default_start=(-1.8, 1.2),
        note=(
            f"An ellipse-shaped valley; curvatures 1 and κ = {kappa:g}. Plain descent is stable "
            f"only for a learning rate below 2/κ = {2 / max(kappa, 1.0):.3g}."
        ),
        stationary_points=_points(GLOBAL_MINIMUM, (0.0, 0.0, 0.0)),
        latex=r"\tfrac12\,(u^2 + \kappa v^2),\ (u, v) = R_\varphi (x, y)",
        parameters={"kappa": kappa, "angle": angle},
    )


# ----- rosenbrock -----------------------------------------------------------------------------
def _rosenbrock_value(x, y):
    return (1.0 - x) * (1.0 - x) + 100.0 * (y - x * x) * (y - x * x)


def _rosenbrock_gradient(x, y):
    """∂f/∂x = 2(x − 1) + 400x(x² − y) = x(2 + 400(x² − y)) − 2,  ∂f/∂y = −200(x² − y).

    Written in place on its own temporaries: it is the benchmark's inner loop."""
    excess = square(x)
    excess -= y
    gradient_x = 400.0 * excess
    gradient_x += 2.0
    gradient_x *= x
    gradient_x -= 2.0
    excess *= -200.0
    return gradient_x, excess


def _rosenbrock_hessian(x, y):
    return 2.0 - 400.0 * y + 1200.0 * x * x, -400.0 * x, 200.0 + 0.0 * x


# ----- himmelblau -----------------------------------------------------------------------------
def _himmelblau_value(x, y):
    first, second = x * x + y - 11.0, x + y * y - 7.0
    return first * first + second * second


def _himmelblau_gradient(x, y):
    first, second = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * x * first + 2.0 * second, 2.0 * first + 4.0 * y * second


def _himmelblau_hessian(x, y):
    first, second = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * first + 8.0 * x * x + 2.0, 4.0 * x + 4.0 * y, 2.0 + 4.0 * second + 8.0 * y * y


# ----- rastrigin (A = 10) ---------------------------------------------------------------------
def _rastrigin_value(x, y):
    return 20.0 + x * x - 10.0 * np.cos(2 * PI * x) + y * y - 10.0 * np.cos(2 * PI * y)


def _rastrigin_gradient(x, y):
    return 2.0 * x + 20.0 * PI * np.sin(2 * PI * x), 2.0 * y + 20.0 * PI * np.sin(2 * PI * y)


def _rastrigin_hessian(x, y):
    return (
        2.0 + 40.0 * PI * PI * np.cos(2 * PI * x),
        0.0 * x,
        2.0 + 40.0 * PI * PI * np.cos(2 * PI * y),
    )


def _rastrigin_minima() -> tuple[StationaryPoint, ...]:
    """The 121 lattice minima in the box: 1-D roots of 2x + 20π sin 2πx near each integer."""
    roots = []
    for integer in range(-5, 6):
        x = float(integer)
        for _ in range(50):
            x -= (2 * x + 20 * PI * math.sin(2 * PI * x)) / (
                2 + 40 * PI * PI * math.cos(2 * PI * x)
            )
        roots.append(x)
    points = []
    for x in roots:
        for y in roots:
            value = float(_rastrigin_value(x, y))
            kind = GLOBAL_MINIMUM if x == 0.0 and y == 0.0 else LOCAL_MINIMUM
            points.append(StationaryPoint(kind, (x, y), value))
    return tuple(points)


# ----- ackley ---------------------------------------------------------------------------------
def _ackley_value(x, y):
    radius = np.sqrt(0.5 * (x * x + y * y))
    waves = np.exp(0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y)))
    return -20.0 * np.exp(-0.2 * radius) - waves + 20.0 + math.e


def _ackley_parts(x, y):
    """r, r with the origin replaced by 1 (to divide safely), e^{-0.2 r} and the cosine wave."""
    radius = np.sqrt(0.5 * (x * x + y * y))
    at_origin = radius == 0.0
    safe_radius = where(at_origin, 1.0, radius)
    cone = np.exp(-0.2 * radius)
    waves = np.exp(0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y)))
    return at_origin, safe_radius, cone, waves


def _ackley_gradient(x, y):
    # The cone term's gradient is 0/0 at the origin; its subgradient 0 is used there.
    at_origin, radius, cone, waves = _ackley_parts(x, y)
    cone_x = where(at_origin, 0.0, 2.0 * cone * x / radius)
    cone_y = where(at_origin, 0.0, 2.0 * cone * y / radius)
    return (
        cone_x + PI * waves * np.sin(2 * PI * x),
        cone_y + PI * waves * np.sin(2 * PI * y),
    )


def _ackley_hessian(x, y):
    # The cone's curvature is infinite at the origin; only the cosine part is returned there.
    at_origin, r, cone, waves = _ackley_parts(x, y)
    inverse_r, inverse_r2, inverse_r3 = 1.0 / r, 1.0 / (r * r), 1.0 / (r * r * r)
    cone_xx = 2.0 * cone * (inverse_r - 0.1 * x * x * inverse_r2 - 0.5 * x * x * inverse_r3)
    cone_yy = 2.0 * cone * (inverse_r - 0.1 * y * y * inverse_r2 - 0.5 * y * y * inverse_r3)
    cone_xy = -2.0 * cone * x * y * (0.1 * inverse_r2 + 0.5 * inverse_r3)
    sin_x, sin_y = np.sin(2 * PI * x), np.sin(2 * PI * y)
    wave_xx = PI * PI * waves * (2.0 * np.cos(2 * PI * x) - sin_x * sin_x)
    wave_yy = PI * PI * waves * (2.0 * np.cos(2 * PI * y) - sin_y * sin_y)
    wave_xy = -PI * PI * waves * sin_x * sin_y
    return (
        where(at_origin, 0.0, cone_xx) + wave_xx,
        where(at_origin, 0.0, cone_xy) + wave_xy,
        where(at_origin, 0.0, cone_yy) + wave_yy,
    )


# ----- beale ----------------------------------------------------------------------------------
_BEALE_CONSTANTS = (1.5, 2.25, 2.625)


def _beale_terms(x, y):
    """For i = 1, 2, 3: a_i = c_i − x + x yⁱ and its partial derivatives."""
    terms = []
    for power, constant in enumerate(_BEALE_CONSTANTS, start=1):
        y_power = y**power
        y_power_less = y ** (power - 1)
        a = constant - x + x * y_power
        a_x = y_power - 1.0
        a_y = power * x * y_power_less
        a_xy = power * y_power_less
        a_yy = power * (power - 1) * x * y ** max(power - 2, 0) if power > 1 else 0.0 * x
        terms.append((a, a_x, a_y, a_xy, a_yy))
    return terms


def _beale_value(x, y):
    return sum(a * a for a, *_ in _beale_terms(x, y))


def _beale_gradient(x, y):
    terms = _beale_terms(x, y)
    return (
        sum(2.0 * a * a_x for a, a_x, _, _, _ in terms),
        sum(2.0 * a * a_y for a, _, a_y, _, _ in terms),
    )


def _beale_hessian(x, y):
    terms = _beale_terms(x, y)
    return (
        sum(2.0 * a_x * a_x for _, a_x, _, _, _ in terms),
        sum(2.0 * (a_x * a_y + a * a_xy) for a, a_x, a_y, a_xy, _ in terms),
        sum(2.0 * (a_y * a_y + a * a_yy) for a, _, a_y, _, a_yy in terms),
    )


# ----- booth and matyas (quadratics) ----------------------------------------------------------
def _booth_value(x, y):
    first, second = x + 2.0 * y - 7.0, 2.0 * x + y - 5.0
    return first * first + second * second


def _booth_gradient(x, y):
    first, second = x + 2.0 * y - 7.0, 2.0 * x + y - 5.0
    return 2.0 * first + 4.0 * second, 4.0 * first + 2.0 * second


def _booth_hessian(x, y):
    return 10.0 + 0.0 * x, 8.0 + 0.0 * x, 10.0 + 0.0 * x


def _matyas_value(x, y):
    return 0.26 * (x * x + y * y) - 0.48 * x * y


def _matyas_gradient(x, y):
    return 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


def _matyas_hessian(x, y):
    return 0.52 + 0.0 * x, -0.48 + 0.0 * x, 0.52 + 0.0 * x


# ----- goldstein-price ------------------------------------------------------------------------
def _square_times_polynomial(line, line_x, line_y, poly, poly_x, poly_y, poly_xx, poly_xy, poly_yy):
    """Value, gradient and Hessian of ℓ²·q for a linear ℓ (constant slopes) and a quadratic q."""
    value = line * line * poly
    grad_x = 2.0 * line * line_x * poly + line * line * poly_x
    grad_y = 2.0 * line * line_y * poly + line * line * poly_y
    hess_xx = 2.0 * line_x * line_x * poly + 4.0 * line * line_x * poly_x + line * line * poly_xx
    hess_yy = 2.0 * line_y * line_y * poly + 4.0 * line * line_y * poly_y + line * line * poly_yy
    hess_xy = (
        2.0 * line_x * line_y * poly
        + 2.0 * line * line_x * poly_y
        + 2.0 * line * line_y * poly_x
        + line * line * poly_xy
    )
    return value, (grad_x, grad_y), (hess_xx, hess_xy, hess_yy)


def _goldstein_price_factors(x, y):
    """The two factors P = 1 + s²A and Q = 30 + d²B with their derivatives."""
    s = x + y + 1.0
    a = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
    a_x = -14.0 + 6.0 * x + 6.0 * y
    first = _square_times_polynomial(s, 1.0, 1.0, a, a_x, a_x, 6.0, 6.0, 6.0)
    d = 2.0 * x - 3.0 * y
    b = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
    b_x = -32.0 + 24.0 * x - 36.0 * y
    b_y = 48.0 - 36.0 * x + 54.0 * y
    second = _square_times_polynomial(d, 2.0, -3.0, b, b_x, b_y, 24.0, -36.0, 54.0)
    return (1.0 + first[0], *first[1:]), (30.0 + second[0], *second[1:])


def _goldstein_price_value(x, y):
    (p, _, _), (q, _, _) = _goldstein_price_factors(x, y)
    return p * q


def _goldstein_price_gradient(x, y):
    (p, (p_x, p_y), _), (q, (q_x, q_y), _) = _goldstein_price_factors(x, y)
    return p_x * q + p * q_x, p_y * q + p * q_y


def _goldstein_price_hessian(x, y):
    first, second = _goldstein_price_factors(x, y)
    (p, (p_x, p_y), (p_xx, p_xy, p_yy)) = first
    (q, (q_x, q_y), (q_xx, q_xy, q_yy)) = second
    return (
        p_xx * q + 2.0 * p_x * q_x + p * q_xx,
        p_xy * q + p_x * q_y + p_y * q_x + p * q_xy,
        p_yy * q + 2.0 * p_y * q_y + p * q_yy,
    )


# ----- camels ---------------------------------------------------------------------------------
def _three_hump_value(x, y):
    x2 = x * x
    return 2.0 * x2 - 1.05 * x2 * x2 + x2 * x2 * x2 / 6.0 + x * y + y * y


def _three_hump_gradient(x, y):
    x2 = x * x
    return 4.0 * x - 4.2 * x2 * x + x2 * x2 * x + y, x + 2.0 * y


def _three_hump_hessian(x, y):
    x2 = x * x
    return 4.0 - 12.6 * x2 + 5.0 * x2 * x2, 1.0 + 0.0 * x, 2.0 + 0.0 * x


def _six_hump_value(x, y):
    x2, y2 = x * x, y * y
    return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2


def _six_hump_gradient(x, y):
    x2 = x * x
    return 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y, x - 8.0 * y + 16.0 * y * y * y


def _six_hump_hessian(x, y):
    x2 = x * x
    return 8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0 + 0.0 * x, -8.0 + 48.0 * y * y


# ----- styblinski-tang ------------------------------------------------------------------------
def _styblinski_tang_value(x, y):
    return 0.5 * (x**4 - 16.0 * x * x + 5.0 * x + y**4 - 16.0 * y * y + 5.0 * y)


def _styblinski_tang_gradient(x, y):
    return 2.0 * x**3 - 16.0 * x + 2.5, 2.0 * y**3 - 16.0 * y + 2.5


def _styblinski_tang_hessian(x, y):
    return 6.0 * x * x - 16.0, 0.0 * x, 6.0 * y * y - 16.0


# ----- mccormick ------------------------------------------------------------------------------
def _mccormick_value(x, y):
    return np.sin(x + y) + (x - y) * (x - y) - 1.5 * x + 2.5 * y + 1.0


def _mccormick_gradient(x, y):
    wave = np.cos(x + y)
    return wave + 2.0 * (x - y) - 1.5, wave - 2.0 * (x - y) + 2.5


def _mccormick_hessian(x, y):
    wave = np.sin(x + y)
    return 2.0 - wave, -2.0 - wave, 2.0 - wave


# ----- levi13 ---------------------------------------------------------------------------------
def _levi13_value(x, y):
    s3x, s3y, s2y = np.sin(3 * PI * x), np.sin(3 * PI * y), np.sin(2 * PI * y)
    return s3x * s3x + (x - 1.0) ** 2 * (1.0 + s3y * s3y) + (y - 1.0) ** 2 * (1.0 + s2y * s2y)


def _levi13_gradient(x, y):
    s3y, s2y = np.sin(3 * PI * y), np.sin(2 * PI * y)
    return (
        3 * PI * np.sin(6 * PI * x) + 2.0 * (x - 1.0) * (1.0 + s3y * s3y),
        3 * PI * (x - 1.0) ** 2 * np.sin(6 * PI * y)
        + 2.0 * (y - 1.0) * (1.0 + s2y * s2y)
        + 2 * PI * (y - 1.0) ** 2 * np.sin(4 * PI * y),
    )


def _levi13_hessian(x, y):
    s3y, s2y = np.sin(3 * PI * y), np.sin(2 * PI * y)
    return (
        18 * PI * PI * np.cos(6 * PI * x) + 2.0 * (1.0 + s3y * s3y),
        6 * PI * (x - 1.0) * np.sin(6 * PI * y),
        18 * PI * PI * (x - 1.0) ** 2 * np.cos(6 * PI * y)
        + 2.0 * (1.0 + s2y * s2y)
        + 8 * PI * (y - 1.0) * np.sin(4 * PI * y)
        + 8 * PI * PI * (y - 1.0) ** 2 * np.cos(4 * PI * y),
    )


# ----- saddles --------------------------------------------------------------------------------
def _saddle_value(x, y):
    return x * x - y * y


def _saddle_gradient(x, y):
    return 2.0 * x, -2.0 * y


def _saddle_hessian(x, y):
    return 2.0 + 0.0 * x, 0.0 * x, -2.0 + 0.0 * x


def _monkey_saddle_value(x, y):
    return x * x * x - 3.0 * x * y * y


def _monkey_saddle_gradient(x, y):
    return 3.0 * x * x - 3.0 * y * y, -6.0 * x * y


def _monkey_saddle_hessian(x, y):
    return 6.0 * x, -6.0 * y, -6.0 * x


# ----- easom ----------------------------------------------------------------------------------
def _easom_envelope(x, y):
    return np.exp(-((x - PI) * (x - PI) + (y - PI) * (y - PI)))


def _easom_slope(t):
    """g(t) = sin t + 2(t − π) cos t, so that ∂f/∂x = e·cos y·g(x)."""
    return np.sin(t) + 2.0 * (t - PI) * np.cos(t)


def _easom_value(x, y):
    return -np.cos(x) * np.cos(y) * _easom_envelope(x, y)


def _easom_gradient(x, y):
    envelope = _easom_envelope(x, y)
    return envelope * np.cos(y) * _easom_slope(x), envelope * np.cos(x) * _easom_slope(y)


def _easom_hessian(x, y):
    envelope = _easom_envelope(x, y)
    slope_x, slope_y = _easom_slope(x), _easom_slope(y)
    curve_x = 3.0 * np.cos(x) - 2.0 * (x - PI) * np.sin(x) - 2.0 * (x - PI) * slope_x
    curve_y = 3.0 * np.cos(y) - 2.0 * (y - PI) * np.sin(y) - 2.0 * (y - PI) * slope_y
    return (
        envelope * np.cos(y) * curve_x,
        -envelope * slope_x * slope_y,
        envelope * np.cos(x) * curve_y,
    )


# ----- the catalogue --------------------------------------------------------------------------
def _fixed(
    name: str,
    title: str,
    functions: tuple[Callable, Callable, Callable],
    domain: tuple[float, float, float, float],
    default_start: tuple[float, float],
    note: str,
    stationary_points: tuple[StationaryPoint, ...],
    latex: str,
    log_colors: bool = False,
    bounded_below: bool = True,
) -> Callable[[], Surface]:
    """A builder for a surface without parameters."""
    value, gradient, hessian = functions

    def build() -> Surface:
        return Surface(
            name=name,
            title=title,
            value_components=value,
            gradient_components=gradient,
            hessian_components=hessian,
            domain=domain,
            default_start=default_start,
            note=note,
            stationary_points=stationary_points,
            log_colors=log_colors,
            latex=latex,
            bounded_below=bounded_below,
        )

    build.__doc__ = f"{title}: f = {latex}"
    return build


@dataclass(frozen=True)
class SurfaceEntry:
    """A catalogue entry: how to build the surface and which parameters it takes."""

    name: str
    build: Callable[..., Surface]
    parameters: tuple[ParameterSpec, ...] = ()
    group: str = "test functions"


_SIX_HUMP_POINTS = (
    _mirrored(GLOBAL_MINIMUM, 0.0898420, -0.7126564, -1.0316285)
    + _mirrored(LOCAL_MINIMUM, 1.703607, -0.796084, -0.215464)
    + _mirrored(LOCAL_MINIMUM, 1.607105, 0.568651, 2.104250)
    + _mirrored(LOCAL_MAXIMUM, 1.230230, 0.162335, 2.496295)
    + _points(SADDLE, (0.0, 0.0, 0.0))
    + _mirrored(SADDLE, 1.109205, -0.768268, 0.543719)
    + _mirrored(SADDLE, 1.638068, 0.228674, 2.229357)
    + _mirrored(SADDLE, 1.296070, 0.605084, 2.229471)
)

_CATALOGUE: tuple[SurfaceEntry, ...] = (
    SurfaceEntry(
        "bowl",
        bowl,
        (
            ParameterSpec(
                "kappa",
                10.0,
                1.0,
                1000.0,
                "Condition number: the ratio of the "
                "steepest to the flattest curvature. 1 is a round bowl.",
                log_scale=True,
            ),
            ParameterSpec(
                "angle",
                0.0,
                0.0,
                90.0,
                "Rotation of the valley in degrees. Adaptive "
                "optimizers (Adam, RMSprop) behave differently once it is rotated.",
            ),
        ),
    ),
    SurfaceEntry(
        "rosenbrock",
        _fixed(
            "rosenbrock",
            "Rosenbrock's banana valley",
            (_rosenbrock_value, _rosenbrock_gradient, _rosenbrock_hessian),
            (-2.0, 2.0, -1.0, 3.0),
            (-1.5, 2.0),
            "A curved, flat-bottomed valley: easy to fall into, slow to follow to (1, 1).",
            _points(GLOBAL_MINIMUM, (1.0, 1.0, 0.0)),
            r"(1 - x)^2 + 100\,(y - x^2)^2",
            log_colors=True,
        ),
    ),
    SurfaceEntry(
        "himmelblau",
        _fixed(
            "himmelblau",
            "Himmelblau's function",
            (_himmelblau_value, _himmelblau_gradient, _himmelblau_hessian),
            (-5.0, 5.0, -5.0, 5.0),
            (-0.5, 0.5),
            "Four minima, all with value 0: which one you reach depends on where you start.",
            _points(
                GLOBAL_MINIMUM,
                (3.0, 2.0, 0.0),
                (-2.805118, 3.131312, 0.0),
                (-3.779310, -3.283186, 0.0),
                (3.584428, -1.848126, 0.0),
            )
            + _points(LOCAL_MAXIMUM, (-0.270845, -0.923039, 181.617))
            + _points(
                SADDLE,
                (3.385154, 0.073852, 13.3119),
                (0.086678, 2.884255, 67.7192),
                (-3.073026, -0.081353, 104.0152),
                (-0.127961, -1.953715, 178.3372),
            ),
            r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            log_colors=True,
        ),
    ),
    SurfaceEntry(
        "rastrigin",
        _fixed(
            "rastrigin",
            "Rastrigin's function",
            (_rastrigin_value, _rastrigin_gradient, _rastrigin_hessian),
            (-5.12, 5.12, -5.12, 5.12),
            (3.1, 2.3),
            "An egg-crate of 121 local minima on a bowl: plain descent stops in the nearest one.",
            _rastrigin_minima(),
            r"20 + \sum_i \left[x_i^2 - 10\cos(2\pi x_i)\right]",
        ),
    ),
    SurfaceEntry(
        "ackley",
        _fixed(
            "ackley",
            "Ackley's function",
            (_ackley_value, _ackley_gradient, _ackley_hessian),
            (-5.0, 5.0, -5.0, 5.0),
            (2.3, 1.7),
            "A funnel riddled with ripples: a sharp global minimum at the origin, local ones "
            "around.",
            _points(GLOBAL_MINIMUM, (0.0, 0.0, 0.0))
            + _points(
                LOCAL_MINIMUM,
                (0.952167, 0.0, 2.579928),
                (-0.952167, 0.0, 2.579928),
                (0.0, 0.952167, 2.579928),
                (0.0, -0.952167, 2.579928),
                (0.968478, 0.968478, 3.574452),
                (-0.968478, 0.968478, 3.574452),
                (0.968478, -0.968478, 3.574452),
                (-0.968478, -0.968478, 3.574452),
            ),
            r"-20e^{-0.2\sqrt{(x^2+y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + 20 + e",
        ),
    ),
    SurfaceEntry(
        "beale",
        _fixed(
            "beale",
            "Beale's function",
            (_beale_value, _beale_gradient, _beale_hessian),
            (-4.5, 4.5, -4.5, 4.5),
            (-1.0, 1.5),
            "Steep walls and flat arms; a saddle at (0, 1) on a line where ∂f/∂y vanishes.",
            _points(GLOBAL_MINIMUM, (3.0, 0.5, 0.0))
            + _points(SADDLE, (0.0, 1.0, 14.203125), (0.100538, -2.644514, 9.864512)),
            r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
            log_colors=True,
        ),
    ),
    SurfaceEntry(
        "booth",
        _fixed(
            "booth",
            "Booth's function",
            (_booth_value, _booth_gradient, _booth_hessian),
            (-10.0, 10.0, -10.0, 10.0),
            (-8.0, -6.0),
            "A convex quadratic with curvatures 2 and 18: a tilted, moderately narrow bowl.",
            _points(GLOBAL_MINIMUM, (1.0, 3.0, 0.0)),
            r"(x + 2y - 7)^2 + (2x + y - 5)^2",
        ),
    ),
    SurfaceEntry(
        "matyas",
        _fixed(
            "matyas",
            "Matyas function",
            (_matyas_value, _matyas_gradient, _matyas_hessian),
            (-10.0, 10.0, -10.0, 10.0),
            (8.0, 2.0),
            "A convex bowl with curvatures 0.04 and 1 along the diagonals: a rotated ravine.",
            _points(GLOBAL_MINIMUM, (0.0, 0.0, 0.0)),
            r"0.26\,(x^2 + y^2) - 0.48\,xy",
        ),
    ),
    SurfaceEntry(
        "goldstein-price",
        _fixed(
            "goldstein-price",
            "Goldstein–Price function",
            (_goldstein_price_value, _goldstein_price_gradient, _goldstein_price_hessian),
            (-2.0, 2.0, -2.0, 2.0),
            (1.2, 1.5),
            "Values from 3 to a million: three local minima hide beside the global one at (0, −1).",
            _points(GLOBAL_MINIMUM, (0.0, -1.0, 3.0))
            + _points(LOCAL_MINIMUM, (-0.6, -0.4, 30.0), (1.8, 0.2, 84.0), (1.2, 0.8, 840.0))
            + _points(LOCAL_MAXIMUM, (0.8, 0.2, 1155.0))
            + _points(
                SADDLE, (-0.4, -0.6, 35.0), (1.2, -0.2, 99.0), (1.4, 0.6, 980.0), (0.6, 0.4, 990.0)
            ),
            r"[1 + (x+y+1)^2(19 - 14x + 3x^2 - 14y + 6xy + 3y^2)]"
            r"\,[30 + (2x-3y)^2(18 - 32x + 12x^2 + 48y - 36xy + 27y^2)]",
            log_colors=True,
        ),
    ),
    SurfaceEntry(
        "three-hump-camel",
        _fixed(
            "three-hump-camel",
            "Three-hump camel",
            (_three_hump_value, _three_hump_gradient, _three_hump_hessian),
            (-2.0, 2.0, -2.0, 2.0),
            (-1.9, 1.4),
            "A global minimum between two shallow local ones, separated by saddles.",
            _points(GLOBAL_MINIMUM, (0.0, 0.0, 0.0))
            + _mirrored(LOCAL_MINIMUM, 1.747552, -0.873776, 0.298638)
            + _mirrored(SADDLE, 1.070542, -0.535271, 0.877362),
            r"2x^2 - 1.05x^4 + x^6/6 + xy + y^2",
        ),
    ),
    SurfaceEntry(
        "six-hump-camel",
        _fixed(
            "six-hump-camel",
            "Six-hump camel",
            (_six_hump_value, _six_hump_gradient, _six_hump_hessian),
            (-3.0, 3.0, -2.0, 2.0),
            (-1.2, -1.2),
            "Two global minima, four local ones, saddles and maxima: a zoo of stationary points.",
            _SIX_HUMP_POINTS,
            r"(4 - 2.1x^2 + x^4/3)\,x^2 + xy + (4y^2 - 4)\,y^2",
        ),
    ),
    SurfaceEntry(
        "styblinski-tang",
        _fixed(
            "styblinski-tang",
            "Styblinski–Tang function",
            (_styblinski_tang_value, _styblinski_tang_gradient, _styblinski_tang_hessian),
            (-5.0, 5.0, -5.0, 5.0),
            (4.5, 4.5),
            "Four basins of different depths: starting on the wrong side lands in a worse minimum.",
            _points(GLOBAL_MINIMUM, (-2.903534, -2.903534, -78.332331))
            + _points(
                LOCAL_MINIMUM,
                (-2.903534, 2.746803, -64.195612),
                (2.746803, -2.903534, -64.195612),
                (2.746803, 2.746803, -50.058893),
            )
            + _points(LOCAL_MAXIMUM, (0.156731, 0.156731, 0.391225))
            + _points(
                SADDLE,
                (-2.903534, 0.156731, -38.970553),
                (0.156731, -2.903534, -38.970553),
                (2.746803, 0.156731, -24.833834),
                (0.156731, 2.746803, -24.833834),
            ),
            r"\tfrac12 \sum_i (x_i^4 - 16x_i^2 + 5x_i)",
        ),
    ),
    SurfaceEntry(
        "mccormick",
        _fixed(
            "mccormick",
            "McCormick function",
            (_mccormick_value, _mccormick_gradient, _mccormick_hessian),
            (-1.5, 4.0, -3.0, 4.0),
            (3.5, 3.5),
            "A tilted valley with a wave in it: one global and one local minimum, a saddle "
            "between.",
            _points(GLOBAL_MINIMUM, (-0.5471976, -1.5471976, -1.9132230))
            + _points(LOCAL_MINIMUM, (2.594395, 1.594395, 1.228370))
            + _points(SADDLE, (1.547198, 0.547198, 1.913223)),
            r"\sin(x + y) + (x - y)^2 - 1.5x + 2.5y + 1",
        ),
    ),
    SurfaceEntry(
        "levi13",
        _fixed(
            "levi13",
            "Lévi function N.13",
            (_levi13_value, _levi13_gradient, _levi13_hessian),
            (-4.0, 4.0, -4.0, 4.0),
            (0.0, 0.0),
            "A rippled valley with dozens of local minima; only (1, 1) reaches zero.",
            _points(GLOBAL_MINIMUM, (1.0, 1.0, 0.0)),
            r"\sin^2 3\pi x + (x-1)^2(1 + \sin^2 3\pi y) + (y-1)^2(1 + \sin^2 2\pi y)",
        ),
    ),
    SurfaceEntry(
        "saddle",
        _fixed(
            "saddle",
            "Saddle x² − y²",
            (_saddle_value, _saddle_gradient, _saddle_hessian),
            (-2.0, 2.0, -2.0, 2.0),
            (1.5, 0.001),
            "Downhill in y, uphill in x: descent slows near the centre, then slides away for ever.",
            _points(SADDLE, (0.0, 0.0, 0.0)),
            r"x^2 - y^2",
            bounded_below=False,
        ),
    ),
    SurfaceEntry(
        "monkey-saddle",
        _fixed(
            "monkey-saddle",
            "Monkey saddle x³ − 3xy²",
            (_monkey_saddle_value, _monkey_saddle_gradient, _monkey_saddle_hessian),
            (-2.0, 2.0, -2.0, 2.0),
            (1.5, 0.2),
            "Three valleys meet at a flat point where gradient and curvature both vanish.",
            _points(DEGENERATE, (0.0, 0.0, 0.0)),
            r"x^3 - 3xy^2",
            bounded_below=False,
        ),
    ),
    SurfaceEntry(
        "easom",
        _fixed(
            "easom",
            "Easom's function",
            (_easom_value, _easom_gradient, _easom_hessian),
            (0.0, 2 * PI, 0.0, 2 * PI),
            (2.2, 2.6),
            "Flat almost everywhere with one narrow well at (π, π): far starts feel no slope.",
            _points(GLOBAL_MINIMUM, (PI, PI, -1.0)),
            r"-\cos x \cos y\, e^{-(x-\pi)^2 - (y-\pi)^2}",
        ),
    ),
)

SURFACES: dict[str, SurfaceEntry] = {entry.name: entry for entry in _CATALOGUE}


def register_surface(entry: SurfaceEntry) -> None:
    """Add a catalogue entry (the custom formula and the model surfaces register themselves)."""
    SURFACES[entry.name] = entry


def surface_names() -> list[str]:
    """Every surface name, in catalogue order."""
    return list(SURFACES)


def surface(name: str, **parameters: Any) -> Surface:
    """Build the surface called `name`; parameters (bowl: kappa, angle) are checked against ranges.

    Raises ValueError for an unknown name, an unknown parameter or a value out of range.
    """
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; choose one of {', '.join(SURFACES)}")
    entry = SURFACES[name]
    if not entry.parameters:
        return entry.build(**parameters)
    specs = {spec.name: spec for spec in entry.parameters}
    for key, value in parameters.items():
        if key not in specs:
            raise ValueError(
                f"surface {name!r} has no parameter {key!r}; it has {', '.join(specs)}"
            )
        spec = specs[key]
        number = float(value)
        if not (spec.minimum <= number <= spec.maximum):
            raise ValueError(
                f"{key} = {number:g} is outside [{spec.minimum:g}, {spec.maximum:g}] for {name!r}"
            )
    return entry.build(**parameters)
