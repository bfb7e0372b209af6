"""The descent loop: run an optimizer on a surface and record every step.

`descend(surface, optimizer, start, steps)` runs one path (start of shape (2,)) or N paths at once
(start of shape (N, 2)); each path stops on its own:

- "converged" at step k when ‖∇f(θ_k)‖ < tolerance (no update is applied at θ_k);
- "diverged" at step k when θ_k leaves the surface's escape box (the plot domain widened
  ESCAPE_FACTOR times) or becomes non-finite, or when ∇f(θ_{k−1}) is non-finite; θ_k is kept, so
  a drawing shows the path leaving;
- "max_steps" when all steps were taken.

Nothing is clipped. The arithmetic is float64 under a local np.errstate, so no warning reaches the
console. A single path runs on Python floats, one coordinate at a time (every rule but Newton's is
element-wise); a batch runs on (N,) arrays and keeps only what `record` asks for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np

from core.elementwise import square
from core.optimizers import Optimizer
from core.schedules import Schedule
from core.surfaces import Surface

if TYPE_CHECKING:
    from core.diagnosis import Diagnosis

CONVERGED = "converged"
DIVERGED = "diverged"
MAX_STEPS = "max_steps"
UNDEFINED = "undefined"
"""The path reached a point inside the box where f's gradient is not finite (log(x) at x ≤ 0,
sqrt(x) at x < 0, a pole): the function is not defined there, which is not a divergence."""
STATUSES = (CONVERGED, DIVERGED, MAX_STEPS, UNDEFINED)
_STATUS_DTYPE = f"<U{max(map(len, STATUSES))}"

DEFAULT_TOLERANCE = 1e-8
Record = Literal["full", "path", "final"]


@dataclass(eq=False)
class Run:
    """What a descent did. Shapes for a single path of K = steps_taken updates:

    points (K+1, 2), values (K+1,), gradients (K+1, 2) — the exact ∇f at each point (the last one
    may be non-finite after a divergence) — gradients_used (K, 2) — what the optimizer received,
    noise included — updates (K, 2) with points[k+1] = points[k] + updates[k], learning_rates (K,),
    states {name: (K, 2)}: the optimizer's state after each update.

    A batch of N starts records (K+1, N, 2) and so on, K the longest path; a path that stopped
    earlier repeats its final point. With record="path" only points (every `every`-th step, and
    the last) are kept; with record="final" only the final points, values, stop steps and statuses.
    """

    surface: Surface
    optimizer: Optimizer
    start: np.ndarray
    steps: int
    schedule: Schedule | None
    noise: float
    seed: int
    tolerance: float
    status: str | np.ndarray
    stop_step: int | np.ndarray
    final_points: np.ndarray
    final_values: np.ndarray
    reason: str = ""
    points: np.ndarray | None = None
    values: np.ndarray | None = None
    gradients: np.ndarray | None = None
    gradients_used: np.ndarray | None = None
    updates: np.ndarray | None = None
    learning_rates: np.ndarray | None = None
    states: dict[str, np.ndarray] = field(default_factory=dict)
    recorded_steps: np.ndarray | None = None

    @property
    def batched(self) -> bool:
        return self.start.ndim == 2

    @property
    def steps_taken(self) -> int:
        return int(np.max(self.stop_step)) if self.batched else int(self.stop_step)

    @property
    def statuses(self) -> np.ndarray:
        return np.atleast_1d(np.asarray(self.status))

    @cached_property
    def diagnosis(self) -> Diagnosis:
        """What happened and why, in words (single paths only)."""
        from core.diagnosis import diagnose

        if self.batched:
            raise ValueError("a batched run has no single diagnosis; diagnose one start at a time")
        return diagnose(self)


def descend(
    surface: Surface,
    optimizer: Optimizer,
    start,
    steps: int,
    schedule: Schedule | None = None,
    noise: float = 0.0,
    seed: int = 0,
    tolerance: float = DEFAULT_TOLERANCE,
    record: Record = "full",
    every: int = 1,
) -> Run:
    """Run `optimizer` on `surface` from `start` ((2,) or (N, 2)) for at most `steps` updates.

    noise σ adds σ·ξ, ξ ~ N(0, I) from np.random.default_rng(seed), to every gradient the
    optimizer sees (a simulated mini-batch); the exact gradient is still recorded. The schedule
    gives the learning rate of each update (constant at optimizer.lr when None).
    """
    start_array = _checked_start(start)
    steps = _checked_count(steps, "steps")
    every = max(1, _checked_count(every, "every"))
    noise = float(noise)
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"Invalid noise: {noise!r} (must be a finite number >= 0)")
    learning_rates = (
        schedule.learning_rates(optimizer.lr, steps)
        if schedule is not None
        else np.full(steps, optimizer.lr)
    )
    context = dict(
        surface=surface,
        optimizer=optimizer,
        start=start_array,
        steps=steps,
        schedule=schedule,
        noise=noise,
        seed=int(seed),
        tolerance=float(tolerance),
    )
    with np.errstate(all="ignore"):
        if start_array.ndim == 1 and optimizer.elementwise and record == "full":
            return _descend_single(context, learning_rates)
        run = _descend_batch(context, learning_rates, record, every)
    return _unbatched(run) if start_array.ndim == 1 else run


def _checked_start(start) -> np.ndarray:
    array = np.array(start, dtype=np.float64)
    if array.shape[-1:] != (2,) or array.ndim not in (1, 2):
        raise ValueError(f"start must have shape (2,) or (N, 2), not {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("start must be finite")
    return array


def _checked_count(value, name: str) -> int:
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise ValueError(f"Invalid {name}: {value!r} (must be a whole number >= 0)")
    return int(value)


def _escape_test(surface: Surface):
    x_low, x_high, y_low, y_high = surface.escape_box

    def inside(x, y):
        return (x >= x_low) & (x <= x_high) & (y >= y_low) & (y <= y_high)

    return inside


def _all_inside_box(surface: Surface, x: np.ndarray, y: np.ndarray) -> bool:
    """True when every point is finite and inside the escape box.

    Four reductions instead of nine element-wise passes: min and max propagate nan, which then
    fails the comparison, so a non-finite point is never taken for an inside one.
    """
    if x.size == 0:
        return True
    x_low, x_high, y_low, y_high = surface.escape_box
    return bool(
        _smallest(x) >= x_low
        and _largest(x) <= x_high
        and _smallest(y) >= y_low
        and _largest(y) <= y_high
    )


# The ufuncs' reductions, called directly: ndarray.min and .max add a Python wrapper to every
# call, and a batch makes six of them per step.
_smallest, _largest = np.minimum.reduce, np.maximum.reduce


# ----- one path, on Python floats -----------------------------------------------------------
def _descend_single(context: dict, learning_rates: np.ndarray) -> Run:
    surface, optimizer = context["surface"], context["optimizer"]
    steps, tolerance = context["steps"], context["tolerance"]
    gradient, step = surface.gradient_components, optimizer.step
    inside = _escape_test(surface)
    x, y = (float(v) for v in context["start"])
    noise_values = _noise_table(context, steps)
    sampled = surface.stochastic_gradient_components
    rng = np.random.default_rng([context["seed"], 1])
    rates = learning_rates.tolist()
    state_x, state_y = optimizer.init(x), optimizer.init(y)
    xs, ys, gxs, gys, uxs, uys, used, states = [x], [y], [], [], [], [], [], []
    tolerance_squared = tolerance * tolerance
    status, reason, stop = MAX_STEPS, f"ran all {steps} steps", steps
    if not inside(x, y):
        status, reason, stop = DIVERGED, "the start lies outside the escape box", 0
        steps = 0
    for k in range(steps):
        g_x, g_y = gradient(x, y)
        gxs.append(g_x)
        gys.append(g_y)
        norm_squared = g_x * g_x + g_y * g_y
        if not norm_squared < math.inf:
            status, reason, stop = UNDEFINED, undefined_reason(g_x, g_y, x, y, k), k
            break
        if norm_squared < tolerance_squared:
            status, stop = CONVERGED, k
            reason = (
                f"the gradient norm {math.sqrt(norm_squared):.2g} fell below the "
                f"tolerance {tolerance:g} at step {k}"
            )
            break
        if sampled is not None:
            g_x, g_y = (float(v) for v in sampled(x, y, rng))
        if noise_values is not None:
            g_x, g_y = g_x + noise_values[k][0], g_y + noise_values[k][1]
        used.append((g_x, g_y))
        t, lr = k + 1, rates[k]
        update_x, state_x = step(state_x, g_x, x, t, lr)
        update_y, state_y = step(state_y, g_y, y, t, lr)
        x, y = x + update_x, y + update_y
        xs.append(x)
        ys.append(y)
        uxs.append(update_x)
        uys.append(update_y)
        states.append((state_x, state_y))
        if not inside(x, y):
            status, stop = DIVERGED, k + 1
            reason = _left_box_reason(surface, x, y, k + 1)
            break
    if len(gxs) < len(xs):
        g_x, g_y = gradient(x, y)
        gxs.append(g_x)
        gys.append(g_y)
    points = np.column_stack([np.asarray(xs, np.float64), np.asarray(ys, np.float64)])
    values = surface.value(points)
    run = Run(
        **context,
        status=status,
        stop_step=stop,
        reason=reason,
        final_points=points[-1].copy(),
        final_values=values[-1],
        points=points,
        values=values,
        gradients=np.column_stack([np.asarray(gxs, np.float64), np.asarray(gys, np.float64)]),
        gradients_used=np.asarray(used, np.float64).reshape(-1, 2),
        updates=np.column_stack([np.asarray(uxs, np.float64), np.asarray(uys, np.float64)]),
        learning_rates=np.asarray(rates[:stop], np.float64),
        states=_state_arrays(optimizer, states),
        recorded_steps=np.arange(stop + 1),
    )
    return _cut_where_undefined(run)


def _cut_where_undefined(run: Run) -> Run:
    """End a single path at its first finite point where f itself is nan.

    A gradient can stay finite where f is not defined (d/dx log x = 1/x at x < 0), so the loop's
    gradient test misses such points; the values, computed once for the whole path, find them.
    """
    undefined = np.flatnonzero(np.isnan(run.values) & np.isfinite(run.points).all(axis=1))
    if undefined.size == 0:
        return run
    step = int(undefined[0])
    x, y = (float(v) for v in run.points[step])
    run.status, run.stop_step = UNDEFINED, step
    run.reason = f"f is not defined at ({x:.4g}, {y:.4g}), reached at step {step}"
    run.points, run.values = run.points[: step + 1], run.values[: step + 1]
    run.gradients = run.gradients[: step + 1]
    run.gradients_used, run.updates = run.gradients_used[:step], run.updates[:step]
    run.learning_rates = run.learning_rates[:step]
    run.states = {name: table[:step] for name, table in run.states.items()}
    run.recorded_steps = run.recorded_steps[: step + 1]
    run.final_points, run.final_values = run.points[-1].copy(), run.values[-1]
    return run


def _noise_table(context: dict, steps: int) -> list | None:
    if context["noise"] == 0.0:
        return None
    rng = np.random.default_rng(context["seed"])
    return (context["noise"] * rng.standard_normal((steps, 2))).tolist()


def _state_arrays(optimizer: Optimizer, states: list) -> dict[str, np.ndarray]:
    """[(state_x, state_y) per step] -> {name: (K, 2)}, in torch's scale."""
    names, scales = optimizer.state_names, optimizer.state_scales
    if not states:
        return {name: np.empty((0, 2)) for name in names}
    table = np.asarray(states, dtype=np.float64)  # (K, 2 coordinates, number of entries)
    return {name: scales[index] * table[:, :, index] for index, name in enumerate(names)}


def undefined_reason(g_x: float, g_y: float, x: float, y: float, step: int) -> str:
    """Why the gradient at (x, y) is unusable: nan (f not defined) or infinite (a pole)."""
    where = f"({x:.4g}, {y:.4g})"
    if math.isnan(g_x) or math.isnan(g_y):
        return f"f is not defined at {where}, reached at step {step}"
    return f"the gradient of f is infinite at {where}, reached at step {step}"


def _left_box_reason(surface: Surface, x: float, y: float, step: int) -> str:
    if not (math.isfinite(x) and math.isfinite(y)):
        return f"the point overflowed to a non-finite value at step {step}"
    x_low, x_high, y_low, y_high = surface.escape_box
    return (
        f"the point ({x:.3g}, {y:.3g}) left the box [{x_low:g}, {x_high:g}] × "
        f"[{y_low:g}, {y_high:g}] at step {step}"
    )


# ----- N paths, on arrays ---------------------------------------------------------------------
@dataclass
class _Recorder:
    """Preallocated arrays for what a batch keeps; rows are steps, columns starts."""

    record: Record
    every: int
    steps: int
    count: int
    state_names: tuple[str, ...]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.record == "final":
            return
        rows = self.steps + 1 if self.record == "full" else self.steps // self.every + 2
        self.arrays["points"] = np.full((rows, self.count, 2), np.nan)
        if self.record == "full":
            for name in (
                "gradients",
                "gradients_used",
                "updates",
                *(f"state:{n}" for n in self.state_names),
            ):
                rows_here = rows if name == "gradients" else self.steps
                self.arrays[name] = np.full((rows_here, self.count, 2), np.nan)

    def row(self, step: int) -> int | None:
        """The row where the point after `step` updates goes, or None if it is not kept."""
        if self.record == "full":
            return step
        if self.record == "path" and step % self.every == 0:
            return step // self.every
        return None

    def point(self, step: int, index: np.ndarray, x, y) -> None:
        row = self.row(step)
        if row is not None:
            self.arrays["points"][row, index, 0] = x
            self.arrays["points"][row, index, 1] = y

    def pair(self, name: str, row: int, index: np.ndarray, first, second) -> None:
        if self.record == "full":
            self.arrays[name][row, index, 0] = first
            self.arrays[name][row, index, 1] = second


BLOCK_SIZE = 16_384
"""Starts per block of a large batch. A block's arrays (a dozen of 128 KB) stay in the core's
cache for all its steps; running 40,000 starts as one block spills them and is ~15% slower."""


@dataclass
class _Outcome:
    """Where each start of a batch ended: filled block by block."""

    status: np.ndarray
    stop_step: np.ndarray
    final: np.ndarray
    recorder: _Recorder


def _descend_batch(context: dict, learning_rates: np.ndarray, record: Record, every: int) -> Run:
    """N starts: run block by block (each start is independent), unless the gradient noise is
    drawn for the whole batch at once, which ties every start to one random stream."""
    optimizer, steps = context["optimizer"], context["steps"]
    start = np.atleast_2d(context["start"])
    count = start.shape[0]
    outcome = _Outcome(
        status=np.full(count, MAX_STEPS, dtype=_STATUS_DTYPE),
        stop_step=np.full(count, steps, dtype=np.int64),
        final=start.copy(),
        recorder=_Recorder(record, every, steps, count, optimizer.state_names),
    )
    if optimizer.elementwise:
        state = (optimizer.init(start[:, 0].copy()), optimizer.init(start[:, 1].copy()))
    else:
        state = optimizer.init(start.copy())
    random = context["noise"] or context["surface"].stochastic_gradient_components is not None
    blocks = 1 if random else -(-count // BLOCK_SIZE)
    for rows in np.array_split(np.arange(count), blocks):
        block_state = state if blocks == 1 else _take_state(state, rows, optimizer.elementwise)
        _descend_block(context, learning_rates, outcome, rows, block_state)
    return _batch_run(
        context, outcome.recorder, outcome.status, outcome.stop_step, outcome.final, learning_rates
    )


def _descend_block(context, learning_rates, outcome: _Outcome, index: np.ndarray, state) -> None:
    """Run the starts `index` (global row numbers) to their ends, writing into `outcome`."""
    surface, optimizer = context["surface"], context["optimizer"]
    steps, tolerance = context["steps"], context["tolerance"]
    gradient, step = surface.gradient_components, optimizer.step
    inside = _escape_test(surface)
    count = context["start"].shape[0] if context["start"].ndim == 2 else 1
    rng = np.random.default_rng(context["seed"]) if context["noise"] else None
    sampled = surface.stochastic_gradient_components
    sample_rng = np.random.default_rng([context["seed"], 1])
    recorder, status, stop_step, final = (
        outcome.recorder,
        outcome.status,
        outcome.stop_step,
        outcome.final,
    )
    x, y = final[index, 0], final[index, 1]
    recorder.point(0, index, x, y)

    def finish(mask: np.ndarray, kind: str, at_step: int) -> None:
        nonlocal index, x, y, state
        chosen = index[mask]
        status[chosen] = kind
        stop_step[chosen] = at_step
        final[chosen, 0], final[chosen, 1] = x[mask], y[mask]
        if recorder.record == "path" and recorder.row(at_step) is None:
            recorder.arrays["points"][-1, chosen, 0] = x[mask]
            recorder.arrays["points"][-1, chosen, 1] = y[mask]
        keep = ~mask
        index, x, y = index[keep], x[keep], y[keep]
        state = _take_state(state, keep, optimizer.elementwise)

    outside = ~inside(x, y)
    if outside.any():
        finish(outside, DIVERGED, 0)
    tolerance_squared = tolerance * tolerance
    for k in range(steps):
        if index.size == 0:
            break
        g_x, g_y = gradient(x, y)
        g_x, g_y = _full(g_x, x), _full(g_y, x)
        recorder.pair("gradients", k, index, g_x, g_y)
        norm_squared = square(g_x)
        norm_squared += square(g_y)
        if not (_smallest(norm_squared) >= tolerance_squared and _largest(norm_squared) < math.inf):
            bad = ~(norm_squared < math.inf)
            if bad.any():
                finish(bad, UNDEFINED, k)
                g_x, g_y, norm_squared = g_x[~bad], g_y[~bad], norm_squared[~bad]
            converged = norm_squared < tolerance_squared
            if converged.any():
                finish(converged, CONVERGED, k)
                g_x, g_y = g_x[~converged], g_y[~converged]
            if index.size == 0:
                break
        if sampled is not None:
            g_x, g_y = (_full(c, x) for c in sampled(x, y, sample_rng))
        if rng is not None:
            draws = context["noise"] * rng.standard_normal((count, 2))[index]
            g_x, g_y = g_x + draws[:, 0], g_y + draws[:, 1]
        recorder.pair("gradients_used", k, index, g_x, g_y)
        t, lr = k + 1, float(learning_rates[k])
        update_x, update_y, state = _batch_update(
            optimizer, step, state, surface, x, y, g_x, g_y, t, lr
        )
        x += update_x
        y += update_y
        recorder.pair("updates", k, index, update_x, update_y)
        if recorder.record == "full":
            names = optimizer.state_names
            for number, name in enumerate(names):
                first, second = _state_component(state, number, optimizer.elementwise)
                recorder.pair(f"state:{name}", k, index, first, second)
        recorder.point(k + 1, index, x, y)
        if not _all_inside_box(surface, x, y):
            finish(~inside(x, y), DIVERGED, k + 1)
    final[index, 0], final[index, 1] = x, y
    if recorder.record == "path" and recorder.row(steps) is None:
        recorder.arrays["points"][-1, index, 0] = x
        recorder.arrays["points"][-1, index, 1] = y
    if recorder.record == "full" and index.size:
        g_x, g_y = gradient(x, y)
        recorder.pair("gradients", steps, index, _full(g_x, x), _full(g_y, x))


def _full(component, like: np.ndarray) -> np.ndarray:
    """A gradient component as an array shaped like x (constants broadcast)."""
    if isinstance(component, np.ndarray) and component.shape == like.shape:
        return component
    return np.broadcast_to(np.asarray(component, np.float64), like.shape)


def _batch_update(optimizer, step, state, surface, x, y, g_x, g_y, t, lr):
    if optimizer.elementwise:
        update_x, state_x = step(state[0], g_x, x, t, lr)
        update_y, state_y = step(state[1], g_y, y, t, lr)
        return update_x, update_y, (state_x, state_y)
    theta = np.column_stack([x, y])
    h_xx, h_xy, h_yy = (_full(c, x) for c in surface.hessian_components(x, y))
    hessian = np.stack([np.stack([h_xx, h_xy], -1), np.stack([h_xy, h_yy], -1)], -2)
    update, new_state = step(state, np.column_stack([g_x, g_y]), theta, t, lr, hessian)
    return update[:, 0], update[:, 1], new_state


def _take_state(state, keep: np.ndarray, elementwise: bool):
    if elementwise:
        return tuple(tuple(_take(part, keep) for part in coordinate) for coordinate in state)
    return tuple(_take(part, keep) for part in state)


def _take(part, keep: np.ndarray):
    return part[keep] if isinstance(part, np.ndarray) and part.ndim >= 1 else part


def _state_component(state, number: int, elementwise: bool):
    """The x and y parts of the state entry `number`."""
    if elementwise:
        return state[0][number], state[1][number]
    entry = state[number]
    return (entry[:, 0], entry[:, 1]) if entry.ndim == 2 else (entry, entry)


def _batch_run(context, recorder, status, stop_step, final, learning_rates) -> Run:
    surface = context["surface"]
    taken = int(stop_step.max()) if stop_step.size else 0
    arrays = recorder.arrays
    run = Run(
        **context,
        status=status,
        stop_step=stop_step,
        final_points=final,
        final_values=surface.value(final),
    )
    if recorder.record == "final":
        return run
    points = arrays["points"]
    if recorder.record == "full":
        points = _hold_after_stop(points[: taken + 1], stop_step, final)
        run.points, run.values = points, surface.value(points)
        run.gradients = arrays["gradients"][: taken + 1]
        run.gradients_used = arrays["gradients_used"][:taken]
        run.updates = arrays["updates"][:taken]
        run.learning_rates = learning_rates[:taken].copy()
        scales = context["optimizer"].state_scales
        run.states = {
            name: scale * arrays[f"state:{name}"][:taken]
            for name, scale in zip(recorder.state_names, scales, strict=True)
        }
        run.recorded_steps = np.arange(taken + 1)
    else:
        kept = np.arange(0, taken + 1, recorder.every)
        if kept[-1] != taken:
            points = np.concatenate([points[: kept.size], points[-1:]])
            kept = np.append(kept, taken)
        else:
            points = points[: kept.size]
        points = _hold_after_stop(points, stop_step, final, kept)
        run.points, run.recorded_steps = points, kept
    return run


def _hold_after_stop(points, stop_step, final, rows_steps=None) -> np.ndarray:
    """Repeat each start's final point on the rows after it stopped."""
    rows_steps = np.arange(points.shape[0]) if rows_steps is None else rows_steps
    after = rows_steps[:, None] > stop_step[None, :]
    points = points.copy()
    points[after] = np.broadcast_to(final[None, :, :], points.shape)[after]
    return points


def _unbatched(run: Run) -> Run:
    """A (1, 2) batch turned back into a single path (Newton, or record != 'full')."""
    taken = int(run.stop_step[0])
    run.status, run.stop_step = str(run.status[0]), taken
    run.final_points, run.final_values = run.final_points[0], run.final_values[0]
    run.reason = _batch_reason(run)
    for name in ("points", "values", "gradients", "gradients_used", "updates"):
        array = getattr(run, name)
        if array is not None:
            setattr(run, name, array[:, 0] if array.ndim >= 2 else array)
    run.states = {name: array[:, 0] for name, array in run.states.items()}
    if run.points is not None and run.recorded_steps is not None:
        keep = run.recorded_steps <= taken
        run.points, run.recorded_steps = run.points[keep], run.recorded_steps[keep]
        if run.values is not None:
            run.values = run.values[keep]
    if run.gradients is not None:
        run.gradients = run.gradients[: taken + 1]
    if run.values is not None and run.updates is not None and run.learning_rates is not None:
        run = _cut_where_undefined(run)
    return run


def _batch_reason(run: Run) -> str:
    x, y = (float(v) for v in run.final_points)
    if run.status == CONVERGED:
        return (
            f"the gradient norm fell below the tolerance {run.tolerance:g} at step {run.stop_step}"
        )
    if run.status == UNDEFINED:
        with np.errstate(all="ignore"):
            gradient = np.ravel(run.surface.grad(run.final_points))
        g_x, g_y = (float(v) for v in gradient)
        return undefined_reason(g_x, g_y, x, y, run.stop_step)
    if run.status == DIVERGED:
        if run.stop_step == 0 or np.isfinite(run.final_points).all():
            return _left_box_reason(run.surface, x, y, run.stop_step)
        return f"the point overflowed to a non-finite value at step {run.stop_step}"
    return f"ran all {run.steps} steps"
