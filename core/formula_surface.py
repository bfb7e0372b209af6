"""The "custom" catalogue entry: a surface built from a typed formula over a domain the user sets.

    core.surface("custom", formula="x^4 - 2*x^2 + y^2", domain=(-2, 2, -2, 2))

The formula is parsed by core.formula (FormulaError, a ValueError, for bad text); the domain must
be finite, ordered and not degenerate (ValueError otherwise). Since nobody has tabulated the
stationary points of a typed function, they are found numerically: Newton's method
p ← p − H⁻¹∇f from a grid of seeds over the domain, the converged points inside it kept once
each and classified by the Hessian's eigenvalues (a flat Hessian is settled by comparing f on a
small ring around the point). The lowest minimum is global unless f is lower somewhere else in
the domain (then every minimum found is local).

The start is a point where f and ∇f are finite: a point on the upper slopes, or, where f is not
defined there, the nearest point of the sample grid where it is. "No minimum here"
(bounded_below=False and a no_minimum_reason) when f falls without bound at a pole inside the
domain (zooming in on the lowest sample, f keeps dropping as far at every tenfold zoom, and by
more than its whole sampled range), or keeps falling beyond the domain.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from core.formula import Formula, FormulaError, parse
from core.formula_render import PRETTY, to_text
from core.surfaces import (
    DEGENERATE,
    GLOBAL_MINIMUM,
    LOCAL_MAXIMUM,
    LOCAL_MINIMUM,
    SADDLE,
    StationaryPoint,
    Surface,
    SurfaceEntry,
    register_surface,
)

DEFAULT_FORMULA = "x^4 - 2*x^2 + y^2"
DEFAULT_DOMAIN = (-2.0, 2.0, -2.0, 2.0)
MAXIMUM_COORDINATE = 1e6
"""No domain edge lies further from the origin than this."""
MINIMUM_WIDTH = 1e-3
SEED_GRID = 40
"""Newton starts from SEED_GRID² points spread over the domain."""
NEWTON_STEPS = 40
SAMPLE_GRID = 101
"""f is sampled on SAMPLE_GRID² points to find its range, its lowest value and a start."""
RING_DIRECTIONS = 16
ZOOMS = 6
"""Tenfold zooms on the lowest sample that tell a pole (f keeps dropping) from a minimum."""
ZOOM_GRID = 21
POLE_DEPTH = 2.0
POLE_STEEPNESS = 100.0
MAXIMUM_STATIONARY_POINTS = 200
LOG_COLOUR_RATIO = 250.0
"""Log colours when f's range exceeds this many times the spread of its lowest tenth."""
TITLE_LENGTH = 60


@dataclass(frozen=True)
class Example:
    """A formula to start from, with the domain that shows it well and why it is interesting."""

    name: str
    formula: str
    domain: tuple[float, float, float, float]
    note: str


EXAMPLES: tuple[Example, ...] = (
    Example(
        "double well",
        DEFAULT_FORMULA,
        DEFAULT_DOMAIN,
        "Two equal valleys and a saddle between: the start decides the valley.",
    ),
    Example(
        "tilted ravine",
        "20*(y - 0.5*x)^2 + 0.1*(x - 1)^2",
        (-3.0, 3.0, -3.0, 3.0),
        "A narrow valley at an angle: plain descent zig-zags, momentum runs along it.",
    ),
    Example(
        "plateau",
        "1 - exp(-(x - 1)^2 - (y + 0.5)^2)",
        (-4.0, 4.0, -4.0, 4.0),
        "Flat far from the well: the gradient almost vanishes and descent stalls.",
    ),
    Example(
        "saddle between valleys",
        "x^2 - y^2 + 0.25*y^4",
        (-2.5, 2.5, -2.5, 2.5),
        "A start on the ridge line slows at the saddle before falling to either side.",
    ),
    Example(
        "rippled bowl",
        "x^2 + y^2 + 2*sin(3*x)*sin(3*y)",
        (-3.0, 3.0, -3.0, 3.0),
        "Ripples on a bowl: many local minima trap plain descent.",
    ),
    Example(
        "kink",
        "abs(x) + (y - 1)^2",
        (-2.0, 2.0, -1.0, 3.0),
        "A corner along x = 0: the gradient jumps, so a fixed step bounces across it. The "
        "minimum sits on the corner, where no gradient vanishes.",
    ),
)


def check_domain(domain) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) as floats, or ValueError saying what is wrong."""
    try:
        values = tuple(float(v) for v in domain)
    except (TypeError, ValueError):
        raise ValueError("the domain must be four numbers: x min, x max, y min, y max") from None
    if len(values) != 4:
        raise ValueError("the domain must be four numbers: x min, x max, y min, y max")
    if not all(math.isfinite(v) and abs(v) <= MAXIMUM_COORDINATE for v in values):
        raise ValueError(f"the domain's edges must be numbers within ±{MAXIMUM_COORDINATE:g}")
    x_min, x_max, y_min, y_max = values
    for axis, low, high in (("x", x_min, x_max), ("y", y_min, y_max)):
        if not high - low >= MINIMUM_WIDTH:
            raise ValueError(f"{axis} min must be below {axis} max (by at least {MINIMUM_WIDTH:g})")
    return values


def custom_surface(
    formula: str = DEFAULT_FORMULA,
    domain=DEFAULT_DOMAIN,
    start=None,
) -> Surface:
    """The surface f(x, y) = `formula` over `domain`; `start` (inside the domain) or a chosen one.

    Raises FormulaError for a formula that cannot be read or has no finite value in the domain,
    ValueError for a bad domain or start.
    """
    parsed = parse(formula)
    box = check_domain(domain)
    samples = _sample(parsed, box, SAMPLE_GRID)
    values = samples[..., 2]
    if not np.isfinite(values).any():
        raise FormulaError(f"{parsed.text} has no finite value anywhere in the domain")
    lowest = float(np.nanmin(_finite(values)))
    points = find_stationary_points(parsed, box, lowest)
    chosen = _checked_start(start, box) if start is not None else _defined_start(parsed, samples)
    surface = Surface(
        name="custom",
        title=_title(to_text(parsed.tree, PRETTY)),
        value_components=parsed.value_components,
        gradient_components=parsed.gradient_components,
        hessian_components=parsed.hessian_components,
        domain=box,
        default_start=chosen,
        note=_note(points),
        stationary_points=points,
        log_colors=_wants_log_colours(values),
        latex=parsed.latex,
    )
    reason = no_minimum_reason(parsed, samples, surface.escape_box, lowest)
    if not reason:
        return surface
    return dataclasses.replace(
        surface, bounded_below=False, no_minimum_reason=reason, note=_note(points, reason)
    )


def no_minimum_reason(formula: Formula, samples: np.ndarray, escape_box, lowest: float) -> str:
    """Why f has no minimum to descend to in the domain, or "" when it has one."""
    pole = _pole(formula, samples)
    if pole is not None:
        return (
            f"No minimum here: f falls without bound near ({pole[0]:.3g}, {pole[1]:.3g}), a "
            "pole where it is not defined, so descent has no bottom to reach."
        )
    if not _bounded_below(formula, escape_box, lowest):
        return (
            "No minimum here: f keeps falling beyond the domain, so a descent that leaves it "
            "has no bottom."
        )
    return ""


def _pole(formula: Formula, samples: np.ndarray) -> tuple[float, float] | None:
    """Where f falls without bound, found by zooming in tenfold on the lowest sample ZOOMS times.

    With S the spread of the sampled values (5th to 95th percentile) and h a grid cell: a pole
    when the zooms reach a value more than POLE_DEPTH·S below the 5th percentile where |∇f| is
    above POLE_STEEPNESS·S/h (or not finite). At a minimum, however narrow and deep, the
    gradient vanishes; on a kink or the domain's edge f drops by a cell's worth at most. The
    zooms stay inside the domain (the samples' corners). None where f is bounded below there.
    """
    values = _finite(samples[..., 2])
    low_value, high_value = np.nanpercentile(values, [5, 95])
    spread = max(float(high_value - low_value), 1e-12 * (1.0 + abs(float(low_value))))
    rows = samples.reshape(-1, 3)
    centre, value = rows[int(np.nanargmin(values)), :2], float(np.nanmin(values))
    half = np.array([np.ptp(samples[..., 0]), np.ptp(samples[..., 1])]) / (samples.shape[0] - 1)
    cell = float(np.hypot(*half))
    low_edge, high_edge = rows[:, :2].min(axis=0), rows[:, :2].max(axis=0)
    for _ in range(ZOOMS):
        low, high = np.maximum(centre - half, low_edge), np.minimum(centre + half, high_edge)
        window = _sample(formula, (low[0], high[0], low[1], high[1]), ZOOM_GRID).reshape(-1, 3)
        zoomed = _finite(window[:, 2])
        if not np.isnan(zoomed).all() and np.nanmin(zoomed) < value:
            index = int(np.nanargmin(zoomed))
            centre, value = window[index, :2], float(zoomed[index])
        half = half / 10
    if not float(low_value) - value > POLE_DEPTH * spread:
        return None
    with np.errstate(all="ignore"):
        steepness = float(np.hypot(*formula.grad(centre)))
    if math.isfinite(steepness) and not steepness > POLE_STEEPNESS * spread / cell:
        return None
    return (
        _rounded(float(centre[0]), samples[..., 0]) + 0.0,
        _rounded(float(centre[1]), samples[..., 1]) + 0.0,
    )


def _title(text: str) -> str:
    shown = text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"
    return f"Your function f = {shown}"


def _finite(values: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(values), values, np.nan)


def _grid(domain: tuple[float, ...], count: int, margin: float = 0.0) -> np.ndarray:
    """count × count points (count, count, 2) over the domain shrunk by `margin` of each side."""
    x_min, x_max, y_min, y_max = domain
    x_pad, y_pad = margin * (x_max - x_min), margin * (y_max - y_min)
    xs = np.linspace(x_min + x_pad, x_max - x_pad, count)
    ys = np.linspace(y_min + y_pad, y_max - y_pad, count)
    return np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)


def _sample(formula: Formula, domain, count: int, margin: float = 0.0) -> np.ndarray:
    """(count, count, 3): x, y and f on a grid over the domain."""
    grid = _grid(domain, count, margin)
    return np.concatenate([grid, formula.value(grid)[..., None]], axis=-1)


# ----- stationary points ------------------------------------------------------------------------
def find_stationary_points(
    formula: Formula, domain, lowest_value: float | None = None
) -> tuple[StationaryPoint, ...]:
    """Stationary points of f inside the domain, minima first, each classified.

    lowest_value is the least f seen on a grid over the domain: when it is below the lowest
    minimum found, that minimum is only local (f goes lower at the edge of the domain).
    """
    box = check_domain(domain)
    scale = math.hypot(box[1] - box[0], box[3] - box[2])
    seeds = _grid(box, SEED_GRID, margin=0.5 / SEED_GRID).reshape(-1, 2)
    converged = _newton(formula, seeds, scale)
    inside = _inside(converged, box)
    unique = _deduplicated(converged[inside], 1e-6 * scale)[:MAXIMUM_STATIONARY_POINTS]
    kinds = [_classify(formula, point, scale) for point in unique]
    values = formula.value(unique) if len(unique) else np.empty(0)
    kinds = _with_global_minimum(kinds, values, lowest_value)
    order = sorted(range(len(unique)), key=lambda i: (_KIND_ORDER[kinds[i]], values[i]))
    return tuple(
        StationaryPoint(kinds[i], (float(unique[i][0]), float(unique[i][1])), float(values[i]))
        for i in order
    )


PLURALS = {
    GLOBAL_MINIMUM: "global minima",
    LOCAL_MINIMUM: "local minima",
    SADDLE: "saddles",
    DEGENERATE: "degenerate points",
    LOCAL_MAXIMUM: "local maxima",
}
_KIND_ORDER = {GLOBAL_MINIMUM: 0, LOCAL_MINIMUM: 1, SADDLE: 2, DEGENERATE: 3, LOCAL_MAXIMUM: 4}


def _newton(formula: Formula, points: np.ndarray, scale: float) -> np.ndarray:
    """Newton's iteration on ∇f = 0 from every row of points (N, 2); non-converged rows are nan.

    A row has converged when its last step is below 1e-9 of the domain's diagonal (a flat region
    keeps taking large steps, so it never counts as converged).
    """
    points = points.copy()
    step_length = np.full(len(points), np.inf)
    with np.errstate(all="ignore"):
        for _ in range(NEWTON_STEPS):
            f_x, f_y = formula.gradient_components(points[:, 0], points[:, 1])
            h_xx, h_xy, h_yy = formula.hessian_components(points[:, 0], points[:, 1])
            determinant = h_xx * h_yy - h_xy * h_xy
            step_x = (h_yy * f_x - h_xy * f_y) / determinant
            step_y = (h_xx * f_y - h_xy * f_x) / determinant
            points -= np.stack([step_x, step_y], axis=-1)
            step_length = np.hypot(step_x, step_y)
            far = ~(np.abs(points) < 10 * (MAXIMUM_COORDINATE + scale)).all(axis=-1)
            points[far] = np.nan
            if not (step_length > 1e-12 * scale).any():
                break
    points[~(step_length <= 1e-9 * scale)] = np.nan
    return points


def _inside(points: np.ndarray, domain) -> np.ndarray:
    x_min, x_max, y_min, y_max = domain
    x, y = points[:, 0], points[:, 1]
    with np.errstate(invalid="ignore"):
        return (x >= x_min) & (x <= x_max) & (y >= y_min) & (y <= y_max)


def _deduplicated(points: np.ndarray, tolerance: float) -> np.ndarray:
    """The rows of points (N, 2) with near-duplicates (closer than tolerance) dropped."""
    kept: list[np.ndarray] = []
    for point in points:
        if not kept or np.min(np.hypot(*(np.asarray(kept) - point).T)) > tolerance:
            kept.append(point)
    return np.asarray(kept, np.float64).reshape(-1, 2)


def _classify(formula: Formula, point: np.ndarray, scale: float) -> str:
    """Minimum, maximum or saddle from the Hessian's eigenvalues; a ring test where it is flat."""
    hessian = formula.hessian(point)
    if not np.isfinite(hessian).all():
        return _ring_kind(formula, point, scale)
    low, high = np.linalg.eigvalsh(hessian)
    tolerance = 1e-7 * max(1.0, abs(low), abs(high))
    if low > tolerance:
        return LOCAL_MINIMUM
    if high < -tolerance:
        return LOCAL_MAXIMUM
    if low < -tolerance and high > tolerance:
        return SADDLE
    return _ring_kind(formula, point, scale)


def _ring_kind(formula: Formula, point: np.ndarray, scale: float) -> str:
    """Compare f on a small ring around the point: all higher is a minimum, all lower a maximum."""
    angles = np.linspace(0.0, 2 * np.pi, RING_DIRECTIONS, endpoint=False)
    ring = point + 1e-3 * scale * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    centre = float(formula.value(point))
    differences = formula.value(ring) - centre
    tolerance = 1e-12 * (1.0 + abs(centre))
    if (differences >= -tolerance).all():
        return LOCAL_MINIMUM
    if (differences <= tolerance).all():
        return LOCAL_MAXIMUM
    return DEGENERATE


def _with_global_minimum(kinds: list[str], values: np.ndarray, lowest_value) -> list[str]:
    """The lowest minima become global, unless f is lower elsewhere in the domain."""
    minima = [value for kind, value in zip(kinds, values, strict=True) if kind == LOCAL_MINIMUM]
    if not minima:
        return kinds
    best = min(minima)
    tolerance = 1e-9 * (1.0 + abs(best))
    if lowest_value is not None and lowest_value < best - tolerance:
        return kinds
    return [
        GLOBAL_MINIMUM if kind == LOCAL_MINIMUM and value <= best + tolerance else kind
        for kind, value in zip(kinds, values, strict=True)
    ]


# ----- the rest of the surface ------------------------------------------------------------------
def _bounded_below(formula: Formula, escape_box, lowest_in_domain: float) -> bool:
    """False when f is lowest on the edge of the escape box (the domain widened ESCAPE_FACTOR
    times) and lower there than anywhere in the domain: a descent that leaves has no bottom."""
    values = _finite(_sample(formula, escape_box, 41)[..., 2])
    if np.isnan(values).all():
        return True
    row, column = np.unravel_index(np.nanargmin(values), values.shape)
    on_edge = row in (0, values.shape[0] - 1) or column in (0, values.shape[1] - 1)
    lower = np.nanmin(values) < lowest_in_domain - 1e-9 * (1.0 + abs(lowest_in_domain))
    return not (on_edge and lower)


def _wants_log_colours(values: np.ndarray) -> bool:
    """Log colours when the range of f dwarfs the spread of its lowest tenth (a deep, narrow
    valley under high walls, as for Rosenbrock, Beale or Goldstein–Price)."""
    finite = values[np.isfinite(values)]
    if finite.size < 2:
        return False
    low = float(finite.min())
    lowest_tenth = float(np.percentile(finite, 10)) - low
    spread = float(finite.max()) - low
    return lowest_tenth > 0 and spread > LOG_COLOUR_RATIO * lowest_tenth


def _chosen_start(samples: np.ndarray) -> tuple[float, float]:
    """A start on the upper slopes: the point of a 9 × 9 grid over the inner 80 % of the domain
    whose value is nearest the 75th percentile of those nine-by-nine values."""
    count = samples.shape[0]
    picks = np.linspace(0.1 * (count - 1), 0.9 * (count - 1), 9).round().astype(int)
    grid = samples[np.ix_(picks, picks)].reshape(-1, 3)
    finite = grid[np.isfinite(grid[:, 2])]
    if finite.size == 0:
        return (float(grid[0, 0]), float(grid[0, 1]))
    target = np.percentile(finite[:, 2], 75)
    best = finite[np.argmin(np.abs(finite[:, 2] - target))]
    return (_rounded(best[0], samples[..., 0]), _rounded(best[1], samples[..., 1]))


def _defined_start(formula: Formula, samples: np.ndarray) -> tuple[float, float]:
    """The chosen start where f and ∇f are finite there; else the point of the sample grid
    nearest to it (in shares of the domain's width and height) where they are."""
    preferred = _chosen_start(samples)
    if _defined(formula, np.array([preferred]))[0]:
        return preferred
    grid = samples[..., :2].reshape(-1, 2)
    usable = grid[_defined(formula, grid)]
    if usable.size == 0:
        return preferred
    widths = np.array([np.ptp(samples[..., 0]), np.ptp(samples[..., 1])])
    nearest = usable[np.argmin(np.hypot(*((usable - preferred) / widths).T))]
    rounded = (_rounded(nearest[0], samples[..., 0]), _rounded(nearest[1], samples[..., 1]))
    if _defined(formula, np.array([rounded]))[0]:
        return rounded
    return (float(nearest[0]), float(nearest[1]))


def _defined(formula: Formula, points: np.ndarray) -> np.ndarray:
    """Whether f and both components of ∇f are finite at each row of points (N, 2)."""
    with np.errstate(all="ignore"):
        values = np.broadcast_to(formula.value(points), points.shape[:1])
        gradients = np.broadcast_to(formula.grad(points), points.shape)
    return np.isfinite(values) & np.isfinite(gradients).all(axis=-1)


def _rounded(value: float, coordinates: np.ndarray) -> float:
    """value to three significant digits of the domain's width (a start a person can read)."""
    width = float(coordinates.max() - coordinates.min())
    return float(round(value, max(0, 3 - math.floor(math.log10(width)))))


def _checked_start(start, domain) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in start)
    except (TypeError, ValueError):
        raise ValueError("the start must be two numbers x, y") from None
    x_min, x_max, y_min, y_max = domain
    if not (x_min <= x <= x_max and y_min <= y <= y_max):
        raise ValueError(f"the start ({x:g}, {y:g}) lies outside the domain")
    return (x, y)


def _note(points: tuple[StationaryPoint, ...], no_minimum: str = "") -> str:
    counts: dict[str, int] = {}
    for point in points:
        counts[point.kind] = counts.get(point.kind, 0) + 1
    found = (
        ", ".join(
            f"{count} {kind if count == 1 else PLURALS[kind]}" for kind, count in counts.items()
        )
        or "no stationary point"
    )
    note = f"Your own function. Found numerically in the domain: {found}."
    return f"{note} {no_minimum}" if no_minimum else note


register_surface(SurfaceEntry("custom", custom_surface, (), group="your own function"))
