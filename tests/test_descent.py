"""The descent loop: stopping rules, records, batches, noise and determinism."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core
from core import descent
from core.optimizers import per_start


def bowl():
    return core.surface("bowl", kappa=10.0)


@pytest.mark.parametrize(("lr", "status"), [(0.19, "converged"), (0.21, "diverged")])
def test_gradient_descent_on_the_bowl_obeys_two_over_lambda_max(lr, status):
    run = core.descend(bowl(), core.optimizer("sgd", lr=lr), (-1.8, 1.2), 2000)
    assert run.status == status
    if status == "diverged":
        assert "0.2" in run.diagnosis.message and "2/λmax" in run.diagnosis.message
        assert not np.all(bowl().contains(run.points[-1]))  # drawn leaving the box


def test_saddle_run_leaves_the_box():
    surface = core.surface("saddle")
    run = core.descend(surface, core.optimizer("sgd", lr=0.1), (1.0, 0.001), 3000)
    assert run.status == "diverged"
    y_high = surface.escape_box[3]
    assert abs(run.points[-1, 1]) > y_high and np.all(np.isfinite(run.points))
    assert run.diagnosis.kind == "diverged" and "no bottom" in run.diagnosis.message


def test_himmelblau_starts_reach_different_named_minima():
    surface = core.surface("himmelblau")
    ends = {}
    for start in [(0.0, 0.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0)]:
        run = core.descend(surface, core.optimizer("sgd", lr=0.01), start, 1000)
        assert run.diagnosis.kind == "global_minimum"
        point = run.diagnosis.point.point
        assert f"({point[0]:.4g}, {point[1]:.4g})" in run.diagnosis.message
        ends[start] = point
    assert len(set(ends.values())) == 4


def test_records_are_consistent_step_by_step():
    surface = core.surface("rosenbrock")
    optimizer = core.optimizer("adam", lr=0.02)
    run = core.descend(surface, optimizer, (-1.5, 2.0), 60)
    k = run.steps_taken
    assert run.points.shape == (k + 1, 2) and run.values.shape == (k + 1,)
    assert run.gradients.shape == (k + 1, 2) and run.updates.shape == (k, 2)
    assert np.allclose(run.points[1:], run.points[:-1] + run.updates)
    assert np.allclose(run.gradients, surface.grad(run.points))
    assert np.allclose(run.values, surface.value(run.points))
    # the recorded state is what the optimizer's own step produces
    state = optimizer.init(run.points[0])
    for step in range(k):
        _, state = optimizer.step(state, run.gradients_used[step], run.points[step], step + 1, 0.02)
        first_scale, second_scale = optimizer.state_scales
        assert np.allclose(run.states["exp_avg"][step], first_scale * state[0])
        assert np.allclose(run.states["exp_avg_sq"][step], second_scale * state[1])


def test_converged_run_stops_at_the_tolerance():
    run = core.descend(bowl(), core.optimizer("sgd", lr=0.1), (1.0, 1.0), 5000, tolerance=1e-6)
    assert run.status == "converged"
    assert np.linalg.norm(run.gradients[-1]) < 1e-6 <= np.linalg.norm(run.gradients[-2])
    assert run.stop_step == run.steps_taken == len(run.updates)


OPTIMIZER_SETTINGS = [
    ("sgd", {"lr": 0.01, "momentum": 0.9}),
    ("adam", {"lr": 0.05}),
    ("rmsprop", {"lr": 0.01, "centered": True}),
    ("nadam", {"lr": 0.05}),
]


@pytest.mark.parametrize(("name", "hyperparameters"), OPTIMIZER_SETTINGS)
def test_a_batch_of_1000_starts_matches_1000_single_runs(name, hyperparameters):
    surface = core.surface("himmelblau")
    optimizer = core.optimizer(name, **hyperparameters)
    starts = np.random.default_rng(3).uniform(-6, 6, (1000, 2))
    batch = core.descend(surface, optimizer, starts, 150, tolerance=1e-6)
    for i, start in enumerate(starts):
        single = core.descend(surface, optimizer, start, 150, tolerance=1e-6)
        assert batch.status[i] == single.status
        assert batch.stop_step[i] == single.stop_step
        assert np.array_equal(batch.final_points[i], single.final_points)
        assert np.array_equal(batch.points[: single.stop_step + 1, i], single.points)
        assert np.all(batch.points[single.stop_step :, i] == single.points[-1])


BLOCK_CASES = [
    ("adam", {"lr": 0.05}, {}),
    ("sgd", {"lr": 0.01, "momentum": 0.9}, {"momentum": np.linspace(0.0, 0.95, 60)}),
    ("newton", {"lr": 0.5}, {}),
]


@pytest.mark.parametrize(("name", "hyperparameters", "rows"), BLOCK_CASES)
@pytest.mark.parametrize("record", ["full", "path", "final"])
def test_a_batch_run_block_by_block_equals_one_block(
    monkeypatch, name, hyperparameters, rows, record
):
    """Blocks of 7 starts (the last one shorter) give what one block of 60 gives, bit for bit,
    with per-start hyperparameters and stops (converged, diverged) inside the blocks."""
    surface = core.surface("himmelblau")
    optimizer = core.optimizer(name, **hyperparameters)
    if rows:
        optimizer = per_start(optimizer, **rows)
    starts = np.random.default_rng(5).uniform(-6, 6, (60, 2))
    starts[3] = (3.0, 2.0)  # a minimum: converged at step 0
    starts[11] = (90.0, 0.0)  # outside the escape box: diverged at step 0

    def run():
        return core.descend(surface, optimizer, starts, 80, tolerance=1e-6, record=record, every=3)

    whole = run()
    monkeypatch.setattr(descent, "BLOCK_SIZE", 7)
    blocked = run()
    assert {"converged", "diverged"} <= set(whole.status)
    assert np.array_equal(blocked.status, whole.status)
    assert np.array_equal(blocked.stop_step, whole.stop_step)
    assert np.array_equal(blocked.final_points, whole.final_points)
    for name_of_array in ("points", "gradients", "updates", "learning_rates"):
        first, second = getattr(blocked, name_of_array), getattr(whole, name_of_array)
        assert (first is None and second is None) or np.array_equal(first, second, equal_nan=True)
    for key, values in whole.states.items():
        assert np.array_equal(blocked.states[key], values, equal_nan=True)


def test_record_modes_keep_only_what_is_asked():
    surface = core.surface("rastrigin")
    optimizer = core.optimizer("sgd", lr=0.002)
    starts = np.random.default_rng(0).uniform(-5, 5, (50, 2))
    full = core.descend(surface, optimizer, starts, 100)
    path = core.descend(surface, optimizer, starts, 100, record="path", every=7)
    final = core.descend(surface, optimizer, starts, 100, record="final")
    assert final.points is None and final.states == {}
    assert np.array_equal(final.final_points, full.final_points)
    assert np.array_equal(final.stop_step, full.stop_step)
    assert (
        list(path.recorded_steps)
        == [*range(0, full.steps_taken + 1, 7), full.steps_taken][: len(path.recorded_steps)]
    )
    assert np.array_equal(path.points, full.points[path.recorded_steps])


def test_newton_single_path_has_single_shapes():
    run = core.descend(core.surface("rosenbrock"), core.optimizer("newton"), (-1.2, 1.0), 50)
    assert run.points.ndim == 2 and run.points.shape[1] == 2
    assert run.status == "converged" and isinstance(run.stop_step, int)
    assert run.states["damped"].shape == (run.stop_step, 2)


def test_noise_is_seeded_and_recorded_apart_from_the_exact_gradient():
    surface, optimizer = bowl(), core.optimizer("sgd", lr=0.05)
    first = core.descend(surface, optimizer, (1.0, 1.0), 100, noise=0.5, seed=4)
    again = core.descend(surface, optimizer, (1.0, 1.0), 100, noise=0.5, seed=4)
    other = core.descend(surface, optimizer, (1.0, 1.0), 100, noise=0.5, seed=5)
    batch = core.descend(surface, optimizer, np.array([[1.0, 1.0]]), 100, noise=0.5, seed=4)
    assert np.array_equal(first.points, again.points)
    assert not np.array_equal(first.points, other.points)
    assert np.array_equal(batch.points[:, 0], first.points)
    assert np.allclose(first.gradients[:-1], surface.grad(first.points[:-1]))
    assert not np.allclose(first.gradients_used, first.gradients[:-1])


def test_zero_steps_and_bad_arguments():
    run = core.descend(bowl(), core.optimizer("sgd"), (1.0, 1.0), 0)
    assert run.points.shape == (1, 2) and run.status == "max_steps"
    with pytest.raises(ValueError, match="start"):
        core.descend(bowl(), core.optimizer("sgd"), (1.0, 2.0, 3.0), 5)
    with pytest.raises(ValueError, match="steps"):
        core.descend(bowl(), core.optimizer("sgd"), (1.0, 1.0), -3)
    with pytest.raises(ValueError, match="noise"):
        core.descend(bowl(), core.optimizer("sgd"), (1.0, 1.0), 3, noise=float("inf"))


def test_a_start_outside_the_escape_box_is_diverged_at_step_zero():
    run = core.descend(bowl(), core.optimizer("sgd"), (500.0, 0.0), 10)
    assert run.status == "diverged" and run.stop_step == 0


SURFACE_NAMES = [n for n, e in core.surfaces.SURFACES.items() if e.group == "test functions"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(SURFACE_NAMES),
    optimizer_name=st.sampled_from(core.optimizer_names()),
    lr_exponent=st.floats(-6, 2),
    steps=st.integers(0, 200),
    fraction=st.tuples(st.floats(-4.0, 5.0), st.floats(-4.0, 5.0)),
    noise=st.sampled_from([0.0, 0.1, 10.0]),
)
def test_no_setting_makes_descend_raise_or_hide_a_non_finite_point(
    name, optimizer_name, lr_exponent, steps, fraction, noise
):
    surface = core.surface(name)
    x_min, x_max, y_min, y_max = surface.domain
    start = (x_min + fraction[0] * (x_max - x_min), y_min + fraction[1] * (y_max - y_min))
    optimizer = core.optimizer(optimizer_name, lr=10.0**lr_exponent)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = core.descend(surface, optimizer, start, steps, noise=noise)
        diagnosis = run.diagnosis
    assert run.status in core.descent.STATUSES and diagnosis.message
    if run.status != "diverged":
        assert np.all(np.isfinite(run.points)) and np.all(np.isfinite(run.values))
