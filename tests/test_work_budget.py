"""Every request bounded: the work model, the budget's cuts, progress, stopping and memory.

Nothing here is timed. Work is counted: gradient and Hessian evaluations through a counting
surface, batches through the trainer, loss evaluations through a counting network, chunks
through the progress callback; the formula's operations by an independent structural count.
"""

from __future__ import annotations

import dataclasses
import math
import tracemalloc

import numpy as np
import pytest

import core
from app import network_session, sweep_settings
from app.explorer_runs import budgeted
from app.explorer_settings import MAX_OPTIMIZERS, MAX_STEPS, ExplorerSettings
from core import sweeps, work
from core.formula_tree import Binary, Call, Negation, Number, Variable
from core.nn.datasets import MAX_POINTS, make_dataset
from core.nn.landscape import loss_slice, pca_directions
from core.nn.mlp import MAX_HIDDEN_LAYERS, MAX_UNITS, MLP
from core.nn.training import MAX_SNAPSHOT_BYTES, Trainer, TrainingConfig, compare_optimizers

LONG_FORMULA = (
    "x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y"
    "+y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x^y^x"
    "+x^x^x^x^x^x^x^x^x^x^x^x^x^x"
)
"""147 parts of nested powers: the longest derivative program the parser's bounds allow."""
COUNT_FACTOR = 3.0
"""The estimate and the counted work agree within this factor: the estimate adds what no counter
sees (the descent loop's and the optimizer's own operations; a network's update, its loss
evaluations after each epoch and the calls' overhead)."""


@pytest.fixture(scope="module")
def long_surface() -> core.Surface:
    return core.surface("custom", formula=LONG_FORMULA, domain=(0.5, 1.5, 0.5, 1.5))


@pytest.fixture(autouse=True)
def default_budget(monkeypatch):
    monkeypatch.delenv(work.BUDGET_VARIABLE, raising=False)


# ----- counting helpers -------------------------------------------------------------------------
class Counter:
    """Point-evaluations of the gradient and the Hessian, and calls."""

    def __init__(self) -> None:
        self.gradients = self.hessians = self.gradient_calls = 0


def counting(surface: core.Surface, counter: Counter) -> core.Surface:
    def gradient(x, y):
        counter.gradients += np.size(x)
        counter.gradient_calls += 1
        return surface.gradient_components(x, y)

    def hessian(x, y):
        counter.hessians += np.size(x)
        return surface.hessian_components(x, y)

    return dataclasses.replace(surface, gradient_components=gradient, hessian_components=hessian)


def structural_operations(trees) -> int:
    """Distinct operations of trees, equal subtrees counted once: an independent recount."""
    keys: set = set()

    def key(node):
        if isinstance(node, Number):
            return ("number", node.value)
        if isinstance(node, Variable):
            return ("variable", node.name)
        if isinstance(node, Negation):
            entry = ("neg", key(node.operand))
        elif isinstance(node, Binary):
            entry = (node.operator, key(node.left), key(node.right))
        elif isinstance(node, Call):
            entry = (node.function, *(key(argument) for argument in node.arguments))
        keys.add(entry)
        return entry

    for tree in trees:
        key(tree)
    return len(keys)


class Stop(Exception):
    """What a page's progress bar raises when the visitor moves on."""


def stopping_after(chunks: int):
    """A progress callback that raises at its (chunks + 1)-th call, and the list of calls."""
    calls: list[float] = []

    def progress(fraction: float) -> None:
        calls.append(fraction)
        if len(calls) > chunks:
            raise Stop

    return progress, calls


# ----- the work model against counted work ------------------------------------------------------
def test_a_formula_costs_its_distinct_derivative_operations(long_surface):
    formula = work.formula_of(long_surface)
    assert work.gradient_operations(long_surface) == structural_operations(formula.gradient_trees)
    assert work.hessian_operations(long_surface) == structural_operations(formula.hessian_trees)
    assert work.hessian_operations(long_surface) > 1_000
    assert work.formula_of(core.surface("rosenbrock")) is None


@pytest.mark.parametrize("name", ["adam", "newton"])
def test_a_descent_estimate_agrees_with_the_counted_evaluations(long_surface, name):
    counter = Counter()
    surface = counting(long_surface, counter)
    optimizer = core.optimizer(name, lr=1e-4)
    starts = np.random.default_rng(1).uniform(0.9, 1.1, size=(300, 2))
    steps = 40
    core.descend(surface, optimizer, starts, steps, tolerance=0.0, record="final")
    per_element, _ = work.step_operations(long_surface, optimizer)
    weight = work.FORMULA_ELEMENT_WEIGHT
    counted = weight * counter.gradients * structural_operations(
        work.formula_of(long_surface).gradient_trees
    ) + weight * counter.hessians * structural_operations(
        work.formula_of(long_surface).hessian_trees
    )
    element_part = steps * per_element * starts.shape[0]
    assert counter.gradients == steps * starts.shape[0]
    assert (counter.hessians > 0) == (name == "newton")
    assert 1 <= element_part / counted <= COUNT_FACTOR
    assert work.descent_operations(long_surface, optimizer, 300, steps) >= element_part


def test_training_and_landscape_estimates_count_batches_and_loss_evaluations(monkeypatch):
    rows: list[int] = []
    forward = MLP._forward

    def counted_forward(self, inputs):
        rows.append(inputs.shape[0])
        return forward(self, inputs)

    monkeypatch.setattr(MLP, "_forward", counted_forward)
    data = make_dataset("moons", count=400, seed=0)
    config = TrainingConfig(hidden=(64, 64), batch_size=20, epochs=3)
    trainer = Trainer(data, config)
    rows.clear()
    trainer.train(3)
    points = data.targets_train.shape[0]
    weights = trainer.network.params.size
    # counted: every point passed forward (a multiply-add per weight), and per update the
    # backward pass over its batch (two more per weight and point)
    counted = 2 * weights * sum(rows) + trainer.updates * 2 * 20 * weights
    assert trainer.updates == 3 * math.ceil(points / 20)
    assert 1 <= work.training_operations(weights, points, 20, 3) / counted < COUNT_FACTOR
    monkeypatch.setattr(MLP, "_forward", forward)

    losses = []
    original = MLP.loss

    def counted_loss(self, *arguments, **keywords):
        losses.append(1)
        return original(self, *arguments, **keywords)

    monkeypatch.setattr(MLP, "loss", counted_loss)
    centre, snapshots = trainer.network.params.copy(), trainer.snapshot_matrix()
    directions = pca_directions(snapshots, centre)
    inputs, targets = data.features_train, data.targets_train
    loss_slice(trainer.network, inputs, targets, config.loss, centre, directions, snapshots, 9)
    assert len(losses) == 9 * 9


# ----- the budget cuts and refuses --------------------------------------------------------------
def test_a_request_over_budget_is_cut_steps_first_and_the_notice_says_so(long_surface):
    newton = core.optimizer("newton")
    request = work.descent_request("This basin map", long_surface, (newton,), 2_000, grid_side=200)
    cut, notice = work.fit_to_budget(request)
    assert request.estimate_seconds() > 100 * work.budget_seconds()
    assert cut.estimate_seconds() <= work.budget_seconds()
    assert cut.value("steps") == 50 and cut.value("grid") < 200
    larger = cut.with_value("grid", cut.value("grid") + 1)
    assert larger.estimate_seconds() > work.budget_seconds()
    text = notice.text
    assert "50 steps instead of 2,000" in text and "instead of a 200 × 200 grid" in text
    assert "2.0 s" in text and not notice.refused
    assert "inf" not in text and "nan" not in text


def test_a_request_within_budget_is_left_alone_and_an_impossible_one_refused(long_surface):
    adam = core.optimizer("adam")
    small = work.descent_request("A run", long_surface, (adam,), 100)
    assert work.fit_to_budget(small) == (small, None)
    cut, notice = work.fit_to_budget(small, budget=1e-9)
    assert cut is None and notice.refused and "not run" in notice.text


def test_the_budget_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(work.BUDGET_VARIABLE, "30")
    assert work.budget_seconds() == 30.0
    for bad in ("-1", "nan", "inf", "fast", "0"):
        monkeypatch.setenv(work.BUDGET_VARIABLE, bad)
        assert work.budget_seconds() == work.DEFAULT_BUDGET_SECONDS


# ----- every page's most expensive request fits after cutting -----------------------------------
def worst_settings(surface: core.Surface) -> ExplorerSettings:
    newtons = tuple(core.optimizer("newton", lr=0.5) for _ in range(MAX_OPTIMIZERS))
    return ExplorerSettings(
        surface, newtons, tuple(range(MAX_OPTIMIZERS)), (1.1, 1.3), MAX_STEPS, 0.0, 0, None
    )


def test_the_explorers_worst_request_fits(long_surface):
    settings = worst_settings(long_surface)
    cut, notice = budgeted(settings)
    estimate = work.descent_request("", long_surface, cut.optimizers, cut.steps).estimate_seconds()
    assert notice is not None and cut.steps < MAX_STEPS
    assert estimate <= work.budget_seconds()


@pytest.mark.parametrize(
    ("fit", "size", "largest"),
    [
        (sweep_settings.fit_sweep, "starts", sweeps.MAX_LEARNING_RATES),
        (sweep_settings.fit_basins, "grid", sweeps.MAX_BASIN_RESOLUTION),
        (sweep_settings.fit_momentum, "grid", sweeps.MAX_MOMENTUM_GRID),
        (sweep_settings.fit_starts, "starts", sweeps.MAX_RANDOM_STARTS),
    ],
)
def test_the_learning_rate_labs_worst_requests_fit(long_surface, fit, size, largest):
    settings = worst_settings(long_surface)
    inputs = sweep_settings.StudyInputs(settings, sweeps.MAX_SWEEP_STEPS)
    cut, value = fit(inputs, largest)
    optimizers = (
        (core.optimizer("sgd", momentum=0.9),)
        if size == "grid" and fit is (sweep_settings.fit_momentum)
        else settings.optimizers[
            : len(settings.optimizers) if fit is sweep_settings.fit_sweep else 1
        ]
    )
    request = work.descent_request(
        "", long_surface, optimizers, cut.steps,
        **({"grid_side": value} if size == "grid" else {"starts": value}),
    )  # fmt: skip
    assert request.estimate_seconds() <= work.budget_seconds()
    assert cut.steps < sweeps.MAX_SWEEP_STEPS


def test_the_network_labs_worst_requests_fit():
    data = make_dataset("spiral", count=MAX_POINTS, seed=0)
    hidden = (MAX_UNITS,) * MAX_HIDDEN_LAYERS
    trainer = Trainer(data, TrainingConfig(hidden=hidden, batch_size=1, epochs=2000))
    weights, points = trainer.network.params.size, data.targets_train.shape[0]
    epochs, notice = network_session.comparison_plan(trainer, 3)
    assert notice is not None and 1 <= epochs < network_session.MAX_COMPARE_EPOCHS
    assert work.seconds(3 * work.training_operations(weights, points, 1, epochs)) <= 2.0
    side, notice = network_session.landscape_plan(trainer, 41)
    assert notice is not None and 5 <= side < 41
    assert work.seconds((side**2 + 51) * work.forward_operations(weights, points)) <= 2.0
    assert len(trainer.snapshots) * trainer.network.params.nbytes <= MAX_SNAPSHOT_BYTES
    assert trainer.snapshot_limit * trainer.network.params.nbytes <= MAX_SNAPSHOT_BYTES


# ----- progress and stopping --------------------------------------------------------------------
def test_a_stop_after_k_chunks_ends_a_batch_descent_within_k_plus_one():
    counter = Counter()
    rosenbrock = core.surface("rosenbrock")
    surface = counting(rosenbrock, counter)
    adam = core.optimizer("adam", lr=1e-5)
    starts = np.random.default_rng(2).uniform(-0.5, 0.5, size=(2_000, 2))
    chunk = work.steps_per_chunk(rosenbrock, adam, starts.shape[0])
    progress, calls = stopping_after(3)
    with pytest.raises(Stop):
        core.descend(
            surface, adam, starts, 100 * chunk, tolerance=0.0, record="final", progress=progress
        )
    assert len(calls) == 4
    assert counter.gradients <= (3 + 1) * chunk * starts.shape[0]
    assert calls == sorted(calls) and 0 < calls[0] < calls[-1] < 1


def test_a_chunk_is_a_bounded_amount_of_work(long_surface):
    """Between two reports at most about CHUNK_SECONDS of estimated work is done."""
    for surface, name, count in ((long_surface, "newton", 40_000), (long_surface, "adam", 1)):
        optimizer = core.optimizer(name)
        chunk = work.steps_per_chunk(surface, optimizer, count)
        per_chunk = work.descent_operations(surface, optimizer, count, chunk)
        per_step = work.descent_operations(surface, optimizer, count, 1)
        assert work.seconds(per_chunk) <= max(work.CHUNK_SECONDS, work.seconds(per_step))


def test_progress_reaches_one_and_a_basin_map_stops_on_request():
    rosenbrock = core.surface("rosenbrock")
    adam = core.optimizer("adam", lr=1e-3)
    calls: list[float] = []
    sweeps.basin_map(rosenbrock, adam, 20, 50, progress=calls.append)
    assert calls[-1] == 1.0
    counter = Counter()
    surface = counting(rosenbrock, counter)
    block = math.ceil(200 * 200 / math.ceil(200 * 200 / work.BLOCK_STARTS))
    chunk = work.steps_per_chunk(rosenbrock, adam, block)
    progress, calls = stopping_after(1)
    with pytest.raises(Stop):
        sweeps.basin_map(surface, adam, 200, 2_000, progress=progress)
    assert counter.gradients <= 2 * chunk * block


def test_a_comparison_stops_on_request():
    data = make_dataset("moons", count=200, seed=0)
    config = TrainingConfig(hidden=(8,), batch_size=200, epochs=2_000)
    progress, calls = stopping_after(2)
    with pytest.raises(Stop):
        compare_optimizers(data, config, [("sgd", (("lr", 0.1),)), ("adam", ())], progress)
    assert len(calls) == 3


# ----- memory -----------------------------------------------------------------------------------
def test_a_long_formula_on_a_large_batch_stays_small_in_memory(long_surface):
    points = np.random.default_rng(3).uniform(0.9, 1.1, size=(100_000, 2))
    tracemalloc.start()
    try:
        hessian = long_surface.hessian(points)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    operations = work.hessian_operations(long_surface)
    without_freeing = operations * points.shape[0] * 8
    assert hessian.shape == (100_000, 2, 2)
    assert peak < 100e6 < without_freeing


def test_every_built_in_surface_has_a_measured_step_cost():
    """A surface without one would be estimated as a bowl, and a model loss costs 80 times more."""
    from core.work import MEASURED_STEP_COSTS

    built_in = {name for name in core.surface_names() if name != "custom"}
    assert built_in <= set(MEASURED_STEP_COSTS)
    costs = [MEASURED_STEP_COSTS[name].batch for name in built_in]
    assert max(costs) > 20 * min(costs)  # the spread the table exists for
