"""How much work a computation is, before it starts, and one budget that bounds it.

Every study a page can start is estimated in abstract *operations*: one operation is one
element of one NumPy array operation. An array operation on n elements costs n + CALL (the fixed
cost of a call, paid even for one element); a single path on Python floats pays SCALAR_CALL per
operation instead:

    descent   steps × (e × starts + c × blocks × CALL), e and c the element operations and the
              calls of one step: g [+ h + NEWTON_SOLVE] + UPDATE + LOOP, a formula's weighted
    training  epochs × (batches × (3·b·W + NETWORK_UPDATE·W + BATCH_CALLS·CALL) + 3 forwards)
    forward   FORWARD·n·W + FORWARD_CALLS·CALL; a landscape is points × a forward pass

g and h are the operations of one gradient and one Hessian: for a typed formula the distinct
subtrees of its derivative trees (core.formula), for a built-in surface BUILT_IN_OPERATIONS; W the
network's weights, b the batch size, n the data points. The estimate is an upper bound on the
work (it assumes no start stops early). OPERATIONS_PER_SECOND, measured on the reference machine
by benchmarks/bench_work.py, turns operations into seconds.

One budget bounds every page update: DEFAULT_BUDGET_SECONDS of CPU, or the number of seconds in
the environment variable DESCENT_LAB_WORK_BUDGET_SECONDS (a private server may allow more).
`fit_to_budget(request)` cuts a request that is over it, sizes in the order the request lists
them (fewer steps first, then a coarser grid or fewer starts), or refuses it, and says why.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from core.formula import Formula
from core.formula_program import Program
from core.optimizers import Optimizer
from core.surfaces import Surface

OPERATIONS_PER_SECOND = 2.2e9
"""Operations per CPU-second on the reference machine (fitted by benchmarks/bench_work.py)."""
CALL_OPERATIONS = 2_000
"""The fixed cost of one NumPy call, in element operations."""
SCALAR_CALL_OPERATIONS = 300
"""One operation of a single path on Python floats (core.descend's single-path loop)."""
FORMULA_ELEMENT_WEIGHT = 3
"""Element operations per operation of a typed formula (powers, exponentials, logarithms)."""
BUILT_IN_OPERATIONS = 12
"""Operations of a built-in surface's gradient or Hessian (a few terms of a closed form)."""
UPDATE_OPERATIONS = 12
"""Operations of one optimizer update per coordinate (Adam's is the longest)."""
LOOP_OPERATIONS = 14
"""The descent loop's own operations per step: norms, the box test, recording."""
NEWTON_SOLVE_OPERATIONS = 40
"""Assembling and solving the 2 × 2 Newton system, eigenvalue shift included."""
BATCH_CALLS = 100
NETWORK_UPDATE_OPERATIONS = 45
"""Operations per weight of one mini-batch update besides the batch's own products: the
optimizer's update and the backward pass's per-weight work (dominant at small batches)."""
FORWARD_OPERATIONS = 2
EPOCH_EVALUATIONS = 3
"""Forward passes over the training set's size after an epoch (loss and metric, train and test)."""
"""Operations per weight and data point of a forward pass and its loss (a multiply and an add)."""
"""NumPy and Python calls of one forward and backward pass and update of a network."""
FORWARD_CALLS = 12
"""NumPy calls of one forward pass and loss."""
BLOCK_STARTS = 16_384
"""Starts per block of a batched descent (core.descent.BLOCK_SIZE)."""
CHUNK_SECONDS = 0.15
"""Work between two progress reports: short enough for a page to stop soon after a visitor
leaves, long enough that reporting costs nothing."""


@dataclass(frozen=True)
class SurfaceStepCost:
    """Measured operations of one descent step on a built-in surface, per start: a batched
    first-order step, a batched Newton step, and one step of a single path on Python floats."""

    batch: float
    newton: float
    single: float


MEASURED_STEP_COSTS: dict[str, SurfaceStepCost] = {
    "bowl": SurfaceStepCost(22, 186, 6_185),
    "rosenbrock": SurfaceStepCost(24, 239, 7_095),
    "himmelblau": SurfaceStepCost(39, 243, 6_259),
    "rastrigin": SurfaceStepCost(141, 323, 5_797),
    "ackley": SurfaceStepCost(234, 740, 12_305),
    "beale": SurfaceStepCost(223, 593, 10_231),
    "booth": SurfaceStepCost(23, 139, 3_550),
    "matyas": SurfaceStepCost(17, 133, 3_710),
    "goldstein-price": SurfaceStepCost(218, 464, 10_195),
    "three-hump-camel": SurfaceStepCost(23, 164, 3_619),
    "six-hump-camel": SurfaceStepCost(26, 158, 3_646),
    "styblinski-tang": SurfaceStepCost(304, 407, 3_630),
    "mccormick": SurfaceStepCost(57, 237, 5_149),
    "levi13": SurfaceStepCost(260, 721, 9_430),
    "saddle": SurfaceStepCost(13, 129, 5_714),
    "monkey-saddle": SurfaceStepCost(26, 246, 5_899),
    "easom": SurfaceStepCost(265, 838, 8_907),
    "linear-regression-mse": SurfaceStepCost(244, 664, 68_371),
    "linear-regression-mae": SurfaceStepCost(288, 669, 101_203),
    "logistic-regression-bce": SurfaceStepCost(697, 2070, 61_361),
    "logistic-regression-mse": SurfaceStepCost(1678, 3226, 124_297),
}
"""The built-in surfaces differ by two orders of magnitude (a bowl's gradient is a few products,
a model loss sums over its data set), so their step costs are measured, not modelled:
`python -m benchmarks.bench_work --surfaces` prints this table (CPU time × OPERATIONS_PER_SECOND
per start and step, best of three). The estimate takes the larger of the model and the table."""

DEFAULT_BUDGET_SECONDS = 2.0
BUDGET_VARIABLE = "DESCENT_LAB_WORK_BUDGET_SECONDS"

Progress = Callable[[float], None]
"""progress(done_fraction): called between chunks of work; raising from it stops the work."""


def budget_seconds() -> float:
    """The CPU seconds one page update may use: DESCENT_LAB_WORK_BUDGET_SECONDS if it holds a
    positive finite number, else DEFAULT_BUDGET_SECONDS."""
    text = os.environ.get(BUDGET_VARIABLE, "")
    try:
        value = float(text)
    except ValueError:
        return DEFAULT_BUDGET_SECONDS
    return value if math.isfinite(value) and value > 0 else DEFAULT_BUDGET_SECONDS


def seconds(operations: float) -> float:
    """Estimated CPU seconds of `operations` on the reference machine."""
    return operations / OPERATIONS_PER_SECOND


def chunk_operations() -> float:
    """Operations between two progress reports (CHUNK_SECONDS of work)."""
    return CHUNK_SECONDS * OPERATIONS_PER_SECOND


# ----- surfaces and descents ------------------------------------------------------------------
def formula_of(surface: Surface) -> Formula | None:
    """The typed formula behind a custom surface, None for a built-in one."""
    owner = getattr(surface.gradient_components, "__self__", None)
    return owner if isinstance(owner, Formula) else None


def tree_operations(trees: tuple) -> int:
    """Operations of evaluating expression trees together: their distinct subtrees that are not
    numbers or variables (equal subtrees are computed once, as core.formula_program does)."""
    return Program(tuple(trees)).size


@lru_cache(maxsize=64)
def _formula_operations(formula: Formula) -> tuple[int, int]:
    return tree_operations(formula.gradient_trees), tree_operations(formula.hessian_trees)


def gradient_operations(surface: Surface) -> int:
    """Operations of one evaluation of ∇f at one point."""
    formula = formula_of(surface)
    return BUILT_IN_OPERATIONS if formula is None else max(1, _formula_operations(formula)[0])


def hessian_operations(surface: Surface) -> int:
    """Operations of one evaluation of ∇²f at one point."""
    formula = formula_of(surface)
    return BUILT_IN_OPERATIONS if formula is None else max(1, _formula_operations(formula)[1])


def step_operations(surface: Surface, optimizer: Optimizer) -> tuple[float, int]:
    """(element operations per path, array calls) of one descent step.

    A formula's operations are weighted FORMULA_ELEMENT_WEIGHT per element (its powers,
    exponentials and logarithms cost several additions each) but are one call each.
    """
    calls = gradient_operations(surface) + UPDATE_OPERATIONS + LOOP_OPERATIONS
    if not optimizer.elementwise:
        calls += hessian_operations(surface) + NEWTON_SOLVE_OPERATIONS
    weight = 1 if formula_of(surface) is None else FORMULA_ELEMENT_WEIGHT
    derivatives = gradient_operations(surface)
    if not optimizer.elementwise:
        derivatives += hessian_operations(surface)
    elements = calls + (weight - 1) * derivatives
    measured = MEASURED_STEP_COSTS.get(surface.name) if formula_of(surface) is None else None
    if measured is not None:
        elements = max(elements, measured.batch if optimizer.elementwise else measured.newton)
    return float(elements), calls


def runs_on_floats(optimizer: Optimizer, starts: int) -> bool:
    """Whether core.descend runs this as one path on Python floats (no array calls)."""
    return starts == 1 and optimizer.elementwise


def descent_operations(surface: Surface, optimizer: Optimizer, starts: int, steps: int) -> float:
    """Operations of one descent of `starts` paths for `steps` steps (no path stopping early):
    steps × (element operations × starts + calls × blocks × the cost of a call)."""
    elements, calls = step_operations(surface, optimizer)
    if runs_on_floats(optimizer, starts):
        measured = MEASURED_STEP_COSTS.get(surface.name) if formula_of(surface) is None else None
        single = 0.0 if measured is None else measured.single
        return float(steps) * max(calls * SCALAR_CALL_OPERATIONS, single)
    blocks = max(1, math.ceil(starts / BLOCK_STARTS))
    return float(steps) * (elements * starts + calls * blocks * CALL_OPERATIONS)


def steps_per_chunk(surface: Surface, optimizer: Optimizer, starts: int) -> int:
    """Steps of a descent of `starts` paths between two progress reports."""
    per_step = descent_operations(surface, optimizer, starts, 1)
    return max(1, int(chunk_operations() // max(per_step, 1.0)))


# ----- networks -------------------------------------------------------------------------------
def training_operations(weights: int, points: int, batch_size: int, epochs: int) -> float:
    """Operations of `epochs` epochs of mini-batch training of a network of `weights` weights on
    `points` training points (each epoch also evaluates the loss on all the data)."""
    batch_size = max(1, min(batch_size, points))
    batches = math.ceil(points / batch_size)
    per_batch = (
        3 * batch_size * weights
        + NETWORK_UPDATE_OPERATIONS * weights
        + BATCH_CALLS * CALL_OPERATIONS
    )
    # after each epoch: the loss and the metric on the training and the test data
    per_epoch = batches * per_batch + EPOCH_EVALUATIONS * forward_operations(weights, points)
    return float(epochs) * per_epoch


def forward_operations(weights: int, points: int) -> float:
    """Operations of one loss evaluation of a network on `points` data points."""
    return float(FORWARD_OPERATIONS) * points * weights + FORWARD_CALLS * CALL_OPERATIONS


# ----- requests and the budget --------------------------------------------------------------
@dataclass(frozen=True)
class Size:
    """One size of a request that may be cut: its value, the smallest it may become, and how it
    reads ("steps": "300 steps"; a squared size is a grid side: "a 50 × 50 grid")."""

    name: str
    value: int
    smallest: int = 1
    squared: bool = False

    def phrase(self, value: int | None = None) -> str:
        value = self.value if value is None else value
        if self.squared:
            return f"a {value:,} × {value:,} {self.name}"
        return f"{value:,} {self.name}"


@dataclass(frozen=True)
class Request:
    """A computation a page wants to start: what it is, its sizes in the order they are cut,
    and its cost in operations as a function of the sizes {name: value}."""

    what: str
    sizes: tuple[Size, ...]
    operations: Callable[[dict[str, int]], float]

    def value(self, name: str) -> int:
        return next(size.value for size in self.sizes if size.name == name)

    def estimate_operations(self) -> float:
        return float(self.operations({size.name: size.value for size in self.sizes}))

    def estimate_seconds(self) -> float:
        return seconds(self.estimate_operations())

    def with_value(self, name: str, value: int) -> Request:
        sizes = tuple(
            replace(size, value=int(value)) if size.name == name else size for size in self.sizes
        )
        return replace(self, sizes=sizes)


@dataclass(frozen=True)
class Notice:
    """What a page says about a cut or refused request (plain text, finite numbers only)."""

    text: str
    refused: bool = False


def fit_to_budget(
    request: Request, budget: float | None = None
) -> tuple[Request | None, Notice | None]:
    """(the request cut to fit the budget, a notice) — (request, None) when it fits as it is,
    (None, notice) when even its smallest form does not fit.

    Sizes are cut one at a time in the request's order, each to the largest value that fits
    (found by bisection: the cost grows with every size), or to its smallest before the next.
    """
    budget = budget_seconds() if budget is None else float(budget)
    estimate = request.estimate_seconds()
    if estimate <= budget:
        return request, None
    cut = request
    for size in request.sizes:
        smallest = cut.with_value(size.name, size.smallest)
        if smallest.estimate_seconds() > budget:
            cut = smallest
            continue
        low, high = size.smallest, size.value  # low fits, high does not
        while high - low > 1:
            middle = (low + high) // 2
            if cut.with_value(size.name, middle).estimate_seconds() <= budget:
                low = middle
            else:
                high = middle
        cut = cut.with_value(size.name, low)
        return cut, Notice(_cut_text(request, cut, estimate, budget))
    return None, Notice(_refusal_text(request, cut, estimate, budget), refused=True)


def format_seconds(value: float) -> str:
    """A duration for a sentence: '0.4 s', '12 s', '730 s' (finite values only)."""
    if not math.isfinite(value):
        return "a very long time"
    return f"{value:.1f} s" if value < 10 else f"{value:,.0f} s"


def _why(request: Request, estimate: float, budget: float) -> str:
    text = (
        f"{request.what} as set would take about {format_seconds(estimate)} of computing, "
        f"more than the {format_seconds(budget)} this server allows per page update"
    )
    return text[0].upper() + text[1:]


def _cut_text(original: Request, cut: Request, estimate: float, budget: float) -> str:
    changes = [
        f"{size.phrase(cut.value(size.name))} instead of {size.phrase()}"
        for size in original.sizes
        if cut.value(size.name) != size.value
    ]
    return (
        f"{_why(original, estimate, budget)}, so it runs {_joined(changes)} "
        f"(about {format_seconds(cut.estimate_seconds())})."
    )


def _refusal_text(original: Request, smallest: Request, estimate: float, budget: float) -> str:
    floor = _joined([size.phrase() for size in smallest.sizes])
    return (
        f"{_why(original, estimate, budget)}, and even {floor} would take about "
        f"{format_seconds(smallest.estimate_seconds())}, so it was not run: choose smaller "
        "settings."
    )


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def descent_request(
    what: str,
    surface: Surface,
    optimizers: tuple[Optimizer, ...] | list[Optimizer],
    steps: int,
    starts: int = 1,
    grid_side: int | None = None,
    smallest_steps: int = 50,
    smallest_starts: int = 1,
) -> Request:
    """A request for descents of every optimizer: `starts` paths, or a grid_side² grid of starts,
    for `steps` steps. Cut order: steps (to no fewer than `smallest_steps`, enough for most
    runs to show where they go), then the grid side or the number of starts."""
    optimizers = tuple(optimizers)

    def operations(values: dict[str, int]) -> float:
        count = values["grid"] ** 2 if grid_side is not None else values.get("starts", starts)
        return sum(
            descent_operations(surface, optimizer, count, values["steps"])
            for optimizer in optimizers
        )

    sizes = [Size("steps", int(steps), min(int(steps), smallest_steps))]
    if grid_side is not None:
        sizes.append(Size("grid", int(grid_side), min(int(grid_side), 2), squared=True))
    elif starts > 1:
        sizes.append(Size("starts", int(starts), min(int(starts), smallest_starts)))
    return Request(what, tuple(sizes), operations)
