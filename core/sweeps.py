"""Many runs at once: learning-rate sweeps, basins of attraction, lr x momentum maps, random starts.

What a single path cannot show. Each study is one batched `core.descend` (every start stops on its
own), never a Python loop over runs; the per-start learning rates and momenta of a sweep ride in
the optimizer state (`core.optimizers.per_start`). The results hold only arrays, numbers and
stationary points, so they pickle (a web page may cache them), and their sizes are capped here.

Outcome labels of a start, used by the basin map and the random starts:
  0, 1, ...        the index into `surface.minima` of the minimum the run ended at
  DIVERGED         it left the escape box or overflowed
  NOT_CONVERGED    the steps ran out away from every stationary point
  SADDLE           it stalled at a listed saddle, maximum or degenerate point
  OTHER_MINIMUM    it converged to a minimum the surface's table does not list
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.descent import CONVERGED, descend
from core.descent import DIVERGED as DIVERGED_STATUS
from core.diagnosis import NEAR_FRACTION, nearest_stationary_point
from core.optimizers import Optimizer, per_start
from core.optimizers import optimizer as make_optimizer
from core.schedules import Schedule
from core.stability import stability_edge
from core.surfaces import StationaryPoint, Surface

MIN_LEARNING_RATES, MAX_LEARNING_RATES = 2, 200
MAX_BASIN_RESOLUTION = 200
MAX_MOMENTUM_GRID = 60
"""Learning rates and momenta per axis of the lr x momentum map (at most 3,600 runs)."""
MAX_RANDOM_STARTS = 10_000
MAX_SWEEP_STEPS = 2_000
MAX_MOMENTUM = 0.99
PATH_POINTS = 200
"""A learning-rate sweep keeps each path decimated to about this many points (float32)."""

DIVERGED, NOT_CONVERGED, SADDLE, OTHER_MINIMUM = -1, -2, -3, -4
OUTCOME_NAMES = {
    DIVERGED: "diverged",
    NOT_CONVERGED: "not converged",
    SADDLE: "stalled at a saddle or maximum",
    OTHER_MINIMUM: "a minimum not in the table",
}


# ----- checks ---------------------------------------------------------------------------------
def _checked_count(value: int, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or int(value) != value or not low <= value <= high:
        raise ValueError(f"Invalid {name}: {value!r} (must be a whole number in [{low}, {high}])")
    return int(value)


def _checked_range(low: float, high: float, name: str, floor: float = 0.0) -> tuple[float, float]:
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high) and floor < low < high):
        raise ValueError(f"Invalid {name} range [{low:g}, {high:g}] (need {floor:g} < low < high)")
    return low, high


def learning_rate_grid(lowest: float, highest: float, count: int) -> np.ndarray:
    """`count` learning rates spaced evenly on a log scale from `lowest` to `highest`: (count,)."""
    count = _checked_count(
        count, "number of learning rates", MIN_LEARNING_RATES, MAX_LEARNING_RATES
    )
    lowest, highest = _checked_range(lowest, highest, "learning-rate")
    return np.geomspace(lowest, highest, count)


# ----- labelling where runs ended ---------------------------------------------------------------
def label_endpoints(surface: Surface, final_points: np.ndarray, statuses: np.ndarray) -> np.ndarray:
    """The outcome label (module docstring) of runs ending at final_points (N, 2): (N,) int.

    A run ends at a listed stationary point when it stops within NEAR_FRACTION of the domain's
    diagonal from it (the diagnosis's rule); a converged run far from every listed point is
    classified by its Hessian.
    """
    final_points = np.asarray(final_points, dtype=np.float64)
    labels = np.full(final_points.shape[0], NOT_CONVERGED, dtype=np.int32)
    table = surface.stationary_points
    if table:
        index, distance = nearest_stationary_point(surface, final_points)
        minimum_number = _minimum_numbers(surface)[index]
        near = distance <= NEAR_FRACTION * surface.scale
        labels[near] = np.where(minimum_number[near] >= 0, minimum_number[near], SADDLE)
    unlisted = (labels == NOT_CONVERGED) & (np.asarray(statuses) == CONVERGED)
    labels[unlisted & _positive_definite(surface, final_points)] = OTHER_MINIMUM
    labels[np.asarray(statuses) == DIVERGED_STATUS] = DIVERGED
    return labels


def _minimum_numbers(surface: Surface) -> np.ndarray:
    """For each entry of surface.stationary_points, its index in surface.minima or −1."""
    minima = surface.minima
    return np.array([minima.index(p) if p.is_minimum else -1 for p in surface.stationary_points])


def _positive_definite(surface: Surface, points: np.ndarray) -> np.ndarray:
    hessian = surface.hessian(points)
    with np.errstate(invalid="ignore"):
        determinant = hessian[:, 0, 0] * hessian[:, 1, 1] - hessian[:, 0, 1] ** 2
        return (hessian[:, 0, 0] > 0) & (determinant > 0)


@dataclass(frozen=True)
class Outcome:
    """One bar of a 'which minimum wins' chart."""

    label: int
    name: str
    count: int
    share: float
    point: StationaryPoint | None = None


def outcome_shares(labels: np.ndarray, minima: tuple[StationaryPoint, ...]) -> list[Outcome]:
    """How many runs ended with each label, minima first (in table order), then the rest."""
    labels = np.asarray(labels).ravel()
    values, counts = np.unique(labels, return_counts=True)
    total = max(labels.size, 1)
    found = dict(zip(values.tolist(), counts.tolist(), strict=True))
    order = sorted(found, key=lambda label: (label < 0, label if label >= 0 else -label))
    return [
        Outcome(
            label,
            minima[label].label() if label >= 0 else OUTCOME_NAMES[label],
            found[label],
            found[label] / total,
            minima[label] if label >= 0 else None,
        )
        for label in order
    ]


# ----- learning-rate sweep ----------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LearningRateSweep:
    """One optimizer from one start at M learning rates.

    learning_rates, final_values, statuses, stop_steps, steps_to_target: (M,); steps_to_target is
    the step from which on f − f* ≤ target_fraction·(f(θ0) − f*) holds to the end (a path that
    dips below and climbs out again has not reached it), nan where it never settles (f* the
    global minimum's value; without one, the step where the gradient vanished). paths (P, M, 2)
    float32 are the points at `path_steps` (P,), about PATH_POINTS per run. critical_lr is the
    optimizer's stability edge (core.stability) at the start; critical_lr_at_minimum the same at
    the minimum that the largest non-diverging rates reach (nan if none reaches one, or the rule
    has no fixed edge); edge_formula names the edge ("2(1+μ)/λmax"), None without one.
    """

    optimizer_label: str
    learning_rates: np.ndarray
    final_values: np.ndarray
    statuses: np.ndarray
    stop_steps: np.ndarray
    steps_to_target: np.ndarray
    initial_value: float
    target_fraction: float
    critical_lr: float
    critical_lr_at_minimum: float
    paths: np.ndarray
    path_steps: np.ndarray
    edge_formula: str | None = None
    minimum_reached: tuple[float, float] | None = None

    @property
    def diverged(self) -> np.ndarray:
        return self.statuses == DIVERGED_STATUS

    @property
    def divergence_threshold(self) -> float:
        """The smallest swept rate that diverged (nan if none did)."""
        rates = self.learning_rates[self.diverged]
        return float(rates.min()) if rates.size else math.nan

    @property
    def best_index(self) -> int:
        """The rate that reached the target in the fewest steps, else the one with the lowest
        final loss among the runs that did not diverge (−1 if every run diverged)."""
        if np.isfinite(self.steps_to_target).any():
            return int(np.nanargmin(self.steps_to_target))
        values = np.where(self.diverged, np.inf, self.final_values)
        return int(np.argmin(values)) if np.isfinite(values).any() else -1

    def representative_indices(self) -> list[tuple[str, int]]:
        """A few telling rates as (caption, index): the smallest ('too small'), the best ('good'),
        the largest that did not diverge ('too large') and the smallest that diverged."""
        best, stable = self.best_index, np.flatnonzero(~self.diverged)
        picks = []
        if stable.size and stable[0] != best:
            picks.append(("too small", int(stable[0])))
        if best >= 0:
            picks.append(("good", best))
        if stable.size and stable[-1] > best:
            picks.append(("too large", int(stable[-1])))
        if self.diverged.any():
            picks.append(("diverging", int(np.flatnonzero(self.diverged)[0])))
        return picks


def learning_rate_sweep(
    surface: Surface,
    optimizer: Optimizer,
    start,
    steps: int,
    learning_rates: np.ndarray,
    schedule: Schedule | None = None,
    noise: float = 0.0,
    seed: int = 0,
    target_fraction: float = 1e-3,
) -> LearningRateSweep:
    """Run `optimizer` (its other hyperparameters as given) from `start` at every learning rate.

    One batched descend of M identical starts, each with its own rate (and its own schedule of
    rates when `schedule` is given). The target step is found from every point; the paths are
    then kept at a stride of about steps / PATH_POINTS.
    """
    steps = _checked_count(steps, "steps", 1, MAX_SWEEP_STEPS)
    rates = np.asarray(learning_rates, dtype=np.float64)
    _checked_count(rates.size, "number of learning rates", MIN_LEARNING_RATES, MAX_LEARNING_RATES)
    start_point = np.asarray(start, dtype=np.float64).reshape(2)
    rows = (
        rates
        if schedule is None
        else np.stack([schedule.learning_rates(rate, steps) for rate in rates])
    )
    run = descend(
        surface,
        per_start(optimizer, lr=rows),
        np.tile(start_point, (rates.size, 1)),
        steps,
        noise=noise,
        seed=seed,
        record="path",
        every=1,
    )
    values = surface.value(run.points)  # (K+1, M)
    stride = max(1, run.points.shape[0] // PATH_POINTS)
    kept = np.unique(np.append(np.arange(0, run.points.shape[0], stride), run.points.shape[0] - 1))
    reached = _minimum_reached(surface, run.final_points, run.status, rates)
    return LearningRateSweep(
        optimizer_label=optimizer.name,
        learning_rates=rates,
        final_values=run.final_values,
        statuses=run.status,
        stop_steps=run.stop_step,
        steps_to_target=_steps_to_target(surface, values, run, target_fraction),
        initial_value=float(values[0, 0]),
        target_fraction=float(target_fraction),
        critical_lr=_edge_rate(optimizer, surface, start_point),
        critical_lr_at_minimum=math.nan
        if reached is None
        else _edge_rate(optimizer, surface, reached),
        paths=run.points[kept].astype(np.float32),
        path_steps=run.recorded_steps[kept],
        edge_formula=optimizer.stability_formula(),
        minimum_reached=reached,
    )


def _steps_to_target(surface: Surface, values: np.ndarray, run, fraction: float) -> np.ndarray:
    """The step from which on f − f* ≤ fraction·(f(θ0) − f*) holds, per column of values (K+1, M)
    (rows after a run stopped repeat its final value, so 'to the end' means to its end)."""
    best = surface.minimum_value
    if best is None:
        return np.where(run.status == CONVERGED, run.stop_step, np.nan).astype(np.float64)
    with np.errstate(invalid="ignore"):
        reached = (values - best) <= fraction * (values[0] - best)
    settled = np.flip(np.logical_and.accumulate(np.flip(reached, axis=0), axis=0), axis=0)
    first = np.argmax(settled, axis=0).astype(np.float64)
    return np.where(settled[-1], first, np.nan)


def _edge_rate(optimizer: Optimizer, surface: Surface, point) -> float:
    """The stability edge's rate at `point`, nan where the rule has none or it is undefined."""
    rate = stability_edge(optimizer, surface, point).rate
    return math.nan if rate is None else rate


def _minimum_reached(
    surface: Surface, final_points: np.ndarray, statuses: np.ndarray, rates: np.ndarray
) -> tuple[float, float] | None:
    """The listed minimum where the largest swept rate that ends at one ends, or None.

    The edge that matters for the cliff is the curvature where the runs settle, which need not
    be the first listed minimum (Himmelblau has four).
    """
    labels = label_endpoints(surface, final_points, statuses)
    at_minimum = np.flatnonzero(labels >= 0)
    if at_minimum.size == 0:
        return None
    largest = at_minimum[np.argmax(rates[at_minimum])]
    point = surface.minima[int(labels[largest])].point
    return (float(point[0]), float(point[1]))


# ----- basins of attraction ---------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class BasinMap:
    """Where each start of a grid ends. xs (nx,) and ys (ny,) are the cell centres; labels and
    steps are (ny, nx) (row = y), labels as in the module docstring, steps the update at which the
    run stopped; minima is the surface's table of minima that labels index into."""

    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray
    steps: np.ndarray
    minima: tuple[StationaryPoint, ...]
    steps_run: int

    def outcomes(self) -> list[Outcome]:
        return outcome_shares(self.labels, self.minima)


def grid_centres(low: float, high: float, count: int) -> np.ndarray:
    """`count` cell centres splitting [low, high] evenly: (count,)."""
    width = (high - low) / count
    return low + width * (np.arange(count) + 0.5)


def basin_map(
    surface: Surface,
    optimizer: Optimizer,
    resolution: int,
    steps: int,
    noise: float = 0.0,
    seed: int = 0,
    schedule: Schedule | None = None,
) -> BasinMap:
    """Run `optimizer` from every cell centre of a resolution x resolution grid over the domain
    (one batch of resolution² starts, keeping only where each ends) and label each end."""
    resolution = _checked_count(resolution, "resolution", 2, MAX_BASIN_RESOLUTION)
    steps = _checked_count(steps, "steps", 1, MAX_SWEEP_STEPS)
    x_min, x_max, y_min, y_max = surface.domain
    xs, ys = grid_centres(x_min, x_max, resolution), grid_centres(y_min, y_max, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    starts = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    labels, stop_steps = _where_starts_end(surface, optimizer, starts, steps, noise, seed, schedule)
    shape = (resolution, resolution)
    return BasinMap(
        xs,
        ys,
        labels.reshape(shape),
        stop_steps.reshape(shape).astype(np.int32),
        surface.minima,
        steps,
    )


def _where_starts_end(surface, optimizer, starts, steps, noise, seed, schedule):
    """One batched descent of starts (N, 2) keeping only the ends: labels (N,), stop steps (N,)."""
    run = descend(
        surface, optimizer, starts, steps, schedule=schedule, noise=noise, seed=seed, record="final"
    )
    return label_endpoints(surface, run.final_points, run.status), run.stop_step


# ----- random starts ----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RandomStarts:
    """N seeded uniform starts over the domain: starts (N, 2), labels and steps (N,)."""

    starts: np.ndarray
    labels: np.ndarray
    steps: np.ndarray
    minima: tuple[StationaryPoint, ...]
    seed: int

    def outcomes(self) -> list[Outcome]:
        return outcome_shares(self.labels, self.minima)


def random_starts(
    surface: Surface,
    optimizer: Optimizer,
    count: int,
    steps: int,
    seed: int = 0,
    noise: float = 0.0,
    schedule: Schedule | None = None,
) -> RandomStarts:
    """Draw `count` starts uniformly over the domain from np.random.default_rng(seed), run them as
    one batch and label where each ends."""
    count = _checked_count(count, "number of starts", 1, MAX_RANDOM_STARTS)
    steps = _checked_count(steps, "steps", 1, MAX_SWEEP_STEPS)
    x_min, x_max, y_min, y_max = surface.domain
    rng = np.random.default_rng(seed)
    starts = rng.uniform((x_min, y_min), (x_max, y_max), size=(count, 2))
    labels, stop_steps = _where_starts_end(surface, optimizer, starts, steps, noise, seed, schedule)
    return RandomStarts(starts, labels, stop_steps, surface.minima, int(seed))


# ----- learning rate x momentum -----------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class MomentumMap:
    """Heavy-ball SGD from one start over a grid of L learning rates x B momenta.

    final_gaps, statuses, stop_steps and rates are (B, L) (row = momentum). final_gaps is
    f(θ_end) − f* (f* the global minimum's value, or f's value at the reference point);
    rates is the loss contraction per step (gap_end / gap_0)^(1/steps): below 1 converges, nan where
    the run diverged. curvatures (λmin, λmax) are the Hessian's eigenvalues at the reference point
    (the global minimum, or the start when there is none); `quadratic` says whether the Hessian is
    the same everywhere, in which case the analytic region is exact.
    """

    learning_rates: np.ndarray
    momenta: np.ndarray
    final_gaps: np.ndarray
    statuses: np.ndarray
    stop_steps: np.ndarray
    rates: np.ndarray
    initial_gap: float
    curvatures: tuple[float, float]
    quadratic: bool
    reference: str = "minimum"
    """Where the curvatures are taken: "minimum" (the global one) or "start"."""

    def analytic_stable(self) -> np.ndarray:
        """(B, L): heavy ball converges on the quadratic model iff 0 ≤ β < 1 and
        0 < γλ < 2(1+β) for both eigenvalues λ (Polyak; Goh, Distill 2017)."""
        gamma, beta = self.learning_rates[None, :], self.momenta[:, None]
        low, high = self.curvatures
        return (beta < 1) & (gamma * low > 0) & (gamma * high < 2 * (1 + beta))

    def boundary_learning_rates(self) -> np.ndarray:
        """The largest stable rate 2(1+β)/λmax for each momentum: (B,) (inf when λmax ≤ 0)."""
        high = self.curvatures[1]
        return 2 * (1 + self.momenta) / high if high > 0 else np.full(self.momenta.shape, np.inf)

    @property
    def defined(self) -> bool:
        """Whether the loss gap has a meaning: the start lies above the reference value (on a
        surface without a minimum the reference is the start itself, and every gap is 0)."""
        return math.isfinite(self.initial_gap) and self.initial_gap > 0

    def fastest_measured(self) -> tuple[float, float] | None:
        """(γ, β) of the cell with the smallest measured contraction per step, None if none."""
        finite = np.isfinite(self.rates)
        if not finite.any():
            return None
        row, column = np.unravel_index(
            np.argmin(np.where(finite, self.rates, np.inf)), self.rates.shape
        )
        return float(self.learning_rates[column]), float(self.momenta[row])

    def empirical_stable(self) -> np.ndarray:
        """(B, L): the run did not diverge and ended below its starting loss gap."""
        return (self.statuses != DIVERGED_STATUS) & (self.final_gaps < self.initial_gap)


def momentum_grid(count: int) -> np.ndarray:
    """`count` momenta evenly from 0 to MAX_MOMENTUM: (count,)."""
    count = _checked_count(count, "number of momenta", 2, MAX_MOMENTUM_GRID)
    return np.linspace(0.0, MAX_MOMENTUM, count)


def momentum_map(
    surface: Surface,
    start,
    steps: int,
    learning_rates: np.ndarray,
    momenta: np.ndarray,
) -> MomentumMap:
    """Run heavy-ball SGD (dampening 0) at every (momentum, learning rate) pair as one batch."""
    steps = _checked_count(steps, "steps", 1, MAX_SWEEP_STEPS)
    rates, betas = np.asarray(learning_rates, np.float64), np.asarray(momenta, np.float64)
    _checked_count(rates.size, "number of learning rates", 2, MAX_MOMENTUM_GRID)
    _checked_count(betas.size, "number of momenta", 2, MAX_MOMENTUM_GRID)
    grid_rates, grid_betas = np.meshgrid(rates, betas)  # (B, L)
    heavy_ball = per_start(
        make_optimizer("sgd", momentum=float(betas.max())),
        lr=grid_rates.ravel(),
        momentum=grid_betas.ravel(),
    )
    start_point = np.asarray(start, dtype=np.float64).reshape(2)
    run = descend(
        surface, heavy_ball, np.tile(start_point, (grid_rates.size, 1)), steps, record="final"
    )
    reference = _reference_point(surface, start_point)
    floor = surface.minimum_value
    floor = float(surface.value(reference)) if floor is None else floor
    initial_gap = float(surface.value(start_point)) - floor
    gaps = (run.final_values - floor).reshape(grid_rates.shape)
    statuses = run.status.reshape(grid_rates.shape)
    stop_steps = run.stop_step.reshape(grid_rates.shape)
    return MomentumMap(
        rates,
        betas,
        gaps,
        statuses,
        stop_steps,
        _contraction(gaps, initial_gap, stop_steps, statuses),
        initial_gap,
        _curvatures(surface, reference),
        _hessian_is_constant(surface),
        "minimum" if surface.global_minima else "start",
    )


def _reference_point(surface: Surface, start: np.ndarray) -> np.ndarray:
    minima = surface.global_minima
    return np.asarray(minima[0].point if minima else start, dtype=np.float64)


def _contraction(gaps, initial_gap, stop_steps, statuses) -> np.ndarray:
    """(gap_end / gap_0)^(1/k) per run; nan where it diverged or took no step."""
    with np.errstate(all="ignore"):
        ratio = np.maximum(gaps, 0.0) / initial_gap
        rate = ratio ** (1.0 / np.maximum(stop_steps, 1))
    return np.where((statuses == DIVERGED_STATUS) | (stop_steps == 0), np.nan, rate)


def _curvatures(surface: Surface, point: np.ndarray) -> tuple[float, float]:
    eigenvalues = np.linalg.eigvalsh(surface.hessian(point))
    return float(eigenvalues[0]), float(eigenvalues[-1])


def _hessian_is_constant(surface: Surface) -> bool:
    """Whether the Hessian is the same on a 5 x 5 grid over the domain (a quadratic surface)."""
    x_min, x_max, y_min, y_max = surface.domain
    grid = np.stack(np.meshgrid(np.linspace(x_min, x_max, 5), np.linspace(y_min, y_max, 5)), -1)
    hessians = surface.hessian(grid.reshape(-1, 2))
    return bool(np.allclose(hessians, hessians[:1], rtol=1e-9, atol=1e-12))
