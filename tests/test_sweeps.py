"""core.sweeps and core.optimizers.per_start: many runs in one batch agree with single runs."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core import sweeps
from core.optimizers import per_start

BOWL_START = (-1.8, 1.2)


def _single_final(surface, optimizer, start, steps):
    """The final point and status of one run, as a batch of one (same arithmetic as a batch)."""
    run = core.descend(surface, optimizer, np.array([start]), steps, record="final")
    return run.final_points[0], run.status[0]


# ----- per_start ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adagrad", "nadam", "newton"])
def test_per_start_learning_rates_match_separate_runs(name):
    surface = core.surface("rosenbrock")
    base = core.optimizer(name)
    rates = np.array([1e-3, 1e-2, 0.1, 0.6]) * (10 if name == "newton" else 1)
    starts = np.tile(surface.default_start, (rates.size, 1))
    batch = core.descend(surface, per_start(base, lr=rates), starts, 150, record="final")
    for row, rate in enumerate(rates):
        single = base.with_lr(float(rate))
        point, status = _single_final(surface, single, surface.default_start, 150)
        np.testing.assert_array_equal(batch.final_points[row], point)
        assert batch.status[row] == status


@pytest.mark.parametrize("name", ["sgd", "rmsprop"])
def test_per_start_momentum_matches_separate_runs(name):
    surface = core.surface("bowl", kappa=20, angle=30)
    rates, momenta = np.array([0.01, 0.05, 0.09, 0.2]), np.array([0.0, 0.5, 0.9, 0.95])
    starts = np.tile(BOWL_START, (rates.size, 1))
    optimizer = per_start(core.optimizer(name), lr=rates, momentum=momenta)
    batch = core.descend(surface, optimizer, starts, 200, record="final")
    assert len(np.unique(batch.final_points, axis=0)) == rates.size, "every row ends elsewhere"
    for row in range(rates.size):
        single = core.optimizer(name, lr=float(rates[row]), momentum=float(momenta[row]))
        point, status = _single_final(surface, single, BOWL_START, 200)
        np.testing.assert_array_equal(batch.final_points[row], point)
        assert batch.status[row] == status


def test_a_per_start_row_without_momentum_ignores_dampening_as_torch_does():
    surface = core.surface("bowl", kappa=20, angle=30)
    momenta = np.array([0.0, 0.5, 0.9])
    base = core.optimizer("sgd", lr=0.02, dampening=0.3)
    optimizer = per_start(base, momentum=momenta)
    batch = core.descend(surface, optimizer, np.tile(BOWL_START, (3, 1)), 60, record="final")
    for row, momentum in enumerate(momenta):
        single = core.optimizer("sgd", lr=0.02, dampening=0.3, momentum=float(momentum))
        point, _ = _single_final(surface, single, BOWL_START, 60)
        np.testing.assert_array_equal(batch.final_points[row], point)


def test_per_start_rate_table_follows_a_schedule_per_start():
    surface = core.surface("bowl", kappa=5)
    cosine = core.schedule("cosine", T_max=50, eta_min=0.01)
    rates = np.array([0.05, 0.3])
    table = np.stack([cosine.learning_rates(rate, 80) for rate in rates])
    optimizer = per_start(core.optimizer("sgd", momentum=0.5), lr=table)
    batch = core.descend(surface, optimizer, np.tile(BOWL_START, (2, 1)), 80, record="final")
    for row, rate in enumerate(rates):
        single = core.descend(
            surface,
            core.optimizer("sgd", lr=float(rate), momentum=0.5),
            BOWL_START,
            80,
            schedule=cosine,
        )
        np.testing.assert_allclose(
            batch.final_points[row], single.final_points, rtol=1e-12, atol=1e-15
        )


def test_per_start_full_record_names_the_inner_state():
    optimizer = per_start(core.optimizer("sgd"), lr=[0.01, 0.1], momentum=[0.5, 0.9])
    run = core.descend(core.surface("bowl"), optimizer, np.tile(BOWL_START, (2, 1)), 5)
    assert set(run.states) == {"momentum_buffer"}
    # the first buffer is the first gradient, whatever the momentum
    np.testing.assert_allclose(run.states["momentum_buffer"][0], run.gradients_used[0])


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("adam", {"momentum": [0.1]}, "cannot vary 'momentum'"),
        ("sgd", {"dampening": [0.1]}, "cannot vary 'dampening'"),
        ("sgd", {"lr": [0.1, -1.0]}, "Invalid lr"),
        ("sgd", {"lr": [0.1, np.nan]}, "Invalid lr"),
        ("sgd", {"lr": [[0.1, np.inf]]}, "Invalid lr"),
        ("sgd", {"momentum": [0.0, 0.5], "lr": [0.1, 0.1]}, None),
        ("sgd", {"momentum": [[0.1]]}, "shape"),
        ("sgd", {"lr": []}, "shape"),
    ],
)
def test_per_start_accepts_good_values_and_names_bad_ones(name, values, message):
    if message is None:
        assert per_start(core.optimizer(name), **values).name == name
        return
    with pytest.raises(ValueError, match=message):
        per_start(core.optimizer(name), **values)


def test_per_start_checks_every_value_against_the_rule():
    with pytest.raises(ValueError, match="nesterov"):
        per_start(core.optimizer("sgd", momentum=0.9, nesterov=True), momentum=[0.0, 0.9])


# ----- learning-rate sweep ------------------------------------------------------------------


def test_learning_rate_grid_is_log_spaced_and_capped():
    grid = sweeps.learning_rate_grid(1e-3, 1.0, 4)
    np.testing.assert_allclose(grid, [1e-3, 1e-2, 1e-1, 1.0])
    with pytest.raises(ValueError, match="number of learning rates"):
        sweeps.learning_rate_grid(1e-3, 1.0, sweeps.MAX_LEARNING_RATES + 1)
    with pytest.raises(ValueError, match="range"):
        sweeps.learning_rate_grid(1.0, 0.1, 10)
    with pytest.raises(ValueError, match="range"):
        sweeps.learning_rate_grid(0.0, 0.1, 10)


@pytest.mark.parametrize(
    ("surface_name", "name"), [("rosenbrock", "adam"), ("bowl", "sgd"), ("himmelblau", "rmsprop")]
)
def test_sweep_agrees_with_single_runs(surface_name, name):
    surface = core.surface(surface_name)
    base = core.optimizer(name, **({"momentum": 0.5} if name == "sgd" else {}))
    rates = sweeps.learning_rate_grid(1e-3, 1.0, 12)
    sweep = sweeps.learning_rate_sweep(surface, base, surface.default_start, 150, rates)
    for row in (0, 5, 8, 11):
        single = core.descend(surface, base.with_lr(float(rates[row])), surface.default_start, 150)
        assert sweep.statuses[row] == single.status
        assert sweep.stop_steps[row] == single.stop_step
        np.testing.assert_allclose(
            sweep.final_values[row], single.final_values, rtol=1e-9, atol=1e-12
        )
        gap = single.values - surface.minimum_value
        above = np.flatnonzero(gap > sweep.target_fraction * gap[0])
        expected = np.nan if above.size and above[-1] == gap.size - 1 else above[-1] + 1
        np.testing.assert_equal(sweep.steps_to_target[row], expected)
        path = sweep.paths[:, row]
        np.testing.assert_allclose(path[-1], single.final_points, rtol=1e-5, atol=1e-6)


def test_a_path_that_dips_below_the_target_and_climbs_out_has_not_reached_it():
    surface = core.surface("rosenbrock")
    rates = sweeps.learning_rate_grid(0.05, 0.5, 10)
    sweep = sweeps.learning_rate_sweep(surface, core.optimizer("rmsprop"), surface.default_start,
                                       300, rates)  # fmt: skip
    gaps = surface.value(sweep.paths) - surface.minimum_value  # (P, M), decimated
    target = sweep.target_fraction * gaps[0]
    dipped = (gaps <= target).any(axis=0) & (gaps[-1] > target)
    assert dipped.any(), "rmsprop at large rates passes the valley floor and leaves it"
    assert np.isnan(sweep.steps_to_target[dipped]).all()
    settled = np.isfinite(sweep.steps_to_target)
    assert (gaps[-1, settled] <= target[settled]).all()


def test_sweep_with_a_schedule_matches_single_scheduled_runs():
    surface = core.surface("bowl", kappa=4)
    step_schedule = core.schedule("step", step_size=20, gamma=0.5)
    rates = np.array([0.05, 0.2, 0.45])
    sweep = sweeps.learning_rate_sweep(
        surface, core.optimizer("sgd"), surface.default_start, 60, rates, schedule=step_schedule
    )
    for row, rate in enumerate(rates):
        single = core.descend(
            surface,
            core.optimizer("sgd", lr=float(rate)),
            surface.default_start,
            60,
            schedule=step_schedule,
        )
        np.testing.assert_allclose(sweep.final_values[row], single.final_values, rtol=1e-9)


def test_gd_divergence_threshold_on_a_bowl_is_within_one_grid_step_of_two_over_lambda_max():
    for kappa in (4.0, 10.0, 50.0):
        surface = core.surface("bowl", kappa=kappa, angle=25)
        rates = sweeps.learning_rate_grid(1e-3, 1.0, 60)
        sweep = sweeps.learning_rate_sweep(
            surface, core.optimizer("sgd"), surface.default_start, 400, rates
        )
        critical = 2.0 / kappa
        assert sweep.critical_lr == pytest.approx(critical)
        assert sweep.critical_lr_at_minimum == pytest.approx(critical)
        threshold = sweep.divergence_threshold
        ratio = rates[1] / rates[0]
        assert critical <= threshold <= critical * ratio * (1 + 1e-12), (kappa, threshold)
        assert not sweep.diverged[rates < critical].any()


def test_representative_rates_span_too_small_to_diverging():
    surface = core.surface("bowl", kappa=10)
    rates = sweeps.learning_rate_grid(1e-4, 1.0, 40)
    sweep = sweeps.learning_rate_sweep(
        surface, core.optimizer("sgd"), surface.default_start, 200, rates
    )
    picks = dict(sweep.representative_indices())
    assert list(picks) == ["too small", "good", "too large", "diverging"]
    assert picks["too small"] < picks["good"] < picks["too large"] < picks["diverging"]
    assert sweep.diverged[picks["diverging"]] and not sweep.diverged[picks["too large"]]
    assert sweep.steps_to_target[picks["good"]] == np.nanmin(sweep.steps_to_target)


def test_sweep_caps_steps():
    surface = core.surface("bowl")
    with pytest.raises(ValueError, match="steps"):
        sweeps.learning_rate_sweep(
            surface, core.optimizer("sgd"), (1, 1), sweeps.MAX_SWEEP_STEPS + 1, [0.1, 0.2]
        )


# ----- basins -------------------------------------------------------------------------------
def test_himmelblau_basins_label_every_converged_start_with_one_of_the_four_minima():
    surface = core.surface("himmelblau")
    basins = sweeps.basin_map(surface, core.optimizer("sgd", lr=0.005), 60, 400)
    assert basins.labels.shape == (60, 60) and basins.steps.shape == (60, 60)
    assert len(basins.minima) == 4
    run = core.descend(
        surface,
        core.optimizer("sgd", lr=0.005),
        np.stack(np.meshgrid(basins.xs, basins.ys), -1).reshape(-1, 2),
        400,
        record="final",
    )
    converged = (run.status == "converged").reshape(60, 60)
    assert converged.mean() > 0.9
    assert set(np.unique(basins.labels[converged])) == {0, 1, 2, 3}
    for number, minimum in enumerate(basins.minima):
        near = np.hypot(*np.meshgrid(basins.xs - minimum.point[0], basins.ys - minimum.point[1]))
        assert (basins.labels[near < 0.6] == number).all(), minimum
        assert (near < 0.6).sum() >= 4


def test_every_start_on_a_convex_bowl_ends_in_its_one_minimum():
    surface = core.surface("bowl", kappa=5, angle=40)
    basins = sweeps.basin_map(surface, core.optimizer("adam", lr=0.05), 30, 1000)
    assert (basins.labels == 0).all()
    assert [o.share for o in basins.outcomes()] == [1.0]


def test_basin_labels_separate_divergence_saddles_and_unlisted_minima():
    bowl = core.surface("bowl", kappa=10)
    too_fast = sweeps.basin_map(bowl, core.optimizer("sgd", lr=0.5), 10, 200)
    assert (too_fast.labels == sweeps.DIVERGED).all()
    saddle = core.surface("saddle")
    on_ridge = sweeps.label_endpoints(
        saddle, np.array([[0.0, 0.0], [1.0, 0.5]]), np.array(["converged", "max_steps"])
    )
    assert on_ridge.tolist() == [sweeps.SADDLE, sweeps.NOT_CONVERGED]
    levi = core.surface("levi13")
    ripples = sweeps.basin_map(levi, core.optimizer("sgd", lr=0.002), 20, 2000)
    assert (ripples.labels == sweeps.OTHER_MINIMUM).any()
    ends = ripples.labels == sweeps.OTHER_MINIMUM
    assert not (ripples.labels[~ends] == sweeps.OTHER_MINIMUM).any()


def test_basin_map_caps_its_resolution():
    with pytest.raises(ValueError, match="resolution"):
        sweeps.basin_map(
            core.surface("bowl"), core.optimizer("sgd"), sweeps.MAX_BASIN_RESOLUTION + 1, 10
        )


def test_outcome_shares_list_minima_first_and_sum_to_one():
    minima = core.surface("himmelblau").minima
    labels = np.array([2, 2, -1, 0, -2, 2, 0, -3])
    outcomes = sweeps.outcome_shares(labels, minima)
    assert [o.label for o in outcomes] == [0, 2, -1, -2, -3]
    assert [o.count for o in outcomes] == [2, 3, 1, 1, 1]
    assert sum(o.share for o in outcomes) == pytest.approx(1.0)
    assert outcomes[1].point == minima[2] and outcomes[2].point is None


# ----- random starts ------------------------------------------------------------------------
def test_random_starts_are_seeded_and_agree_with_their_basins():
    surface = core.surface("himmelblau")
    optimizer = core.optimizer("adam", lr=0.05)
    first = sweeps.random_starts(surface, optimizer, 300, 400, seed=7)
    again = sweeps.random_starts(surface, optimizer, 300, 400, seed=7)
    other = sweeps.random_starts(surface, optimizer, 300, 400, seed=8)
    np.testing.assert_array_equal(first.labels, again.labels)
    assert not np.array_equal(first.starts, other.starts)
    assert surface.contains(first.starts).all()
    for row in (0, 1, 2, 3):
        single = core.descend(surface, optimizer, first.starts[row], 400)
        index, _ = core.diagnosis.nearest_stationary_point(surface, single.final_points)
        expected = surface.minima.index(surface.stationary_points[int(index)])
        assert first.labels[row] == expected
    assert sum(o.count for o in first.outcomes()) == 300


# ----- lr x momentum ------------------------------------------------------------------------
@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_momentum_map_matches_the_analytic_region_away_from_the_border(kappa):
    surface = core.surface("bowl", kappa=kappa, angle=30)
    rates = sweeps.learning_rate_grid(1e-3 / kappa, 10.0 / kappa, 40)
    study = sweeps.momentum_map(
        surface, surface.default_start, 600, rates, sweeps.momentum_grid(30)
    )
    assert study.quadratic and study.curvatures == pytest.approx((1.0, kappa))
    edge = 2 * (1 + study.momenta[:, None]) / kappa
    away = np.abs(np.log(study.learning_rates[None, :] / edge)) > np.log(1.15)
    away &= study.learning_rates[None, :] * 1.0 > 5e-3  # slow runs need many steps to show
    analytic, empirical = study.analytic_stable(), study.empirical_stable()
    assert analytic[away].any() and (~analytic[away]).any()
    np.testing.assert_array_equal(empirical[away], analytic[away])
    np.testing.assert_allclose(study.boundary_learning_rates(), edge[:, 0])


def test_momentum_map_rows_agree_with_single_heavy_ball_runs():
    surface = core.surface("rosenbrock")
    rates, momenta = np.array([1e-4, 1e-3, 3e-3]), np.array([0.0, 0.9])
    study = sweeps.momentum_map(surface, surface.default_start, 300, rates, momenta)
    assert not study.quadratic
    for row, beta in enumerate(momenta):
        for column, rate in enumerate(rates):
            single = core.descend(
                surface, core.optimizer("sgd", lr=rate, momentum=beta), surface.default_start, 300
            )
            assert study.statuses[row, column] == single.status
            np.testing.assert_allclose(
                study.final_gaps[row, column], single.final_values, rtol=1e-9, atol=1e-300
            )


def test_the_sweep_edge_is_taken_at_the_minimum_the_runs_reach():
    """Himmelblau has four minima; the edge line belongs to the one the runs settle in."""
    surface = core.surface("himmelblau")
    rates = sweeps.learning_rate_grid(1e-3, 0.1, 60)
    sweep = sweeps.learning_rate_sweep(surface, core.optimizer("sgd"), (-3.5, -3.0), 500, rates)
    survivors = np.flatnonzero(~sweep.diverged)
    last_end = sweep.paths[-1, survivors[-1]].astype(np.float64)
    minima = np.array([m.point for m in surface.minima])
    nearest = minima[np.argmin(np.linalg.norm(minima - last_end, axis=1))]
    assert np.allclose(nearest, sweep.minimum_reached)
    assert not np.allclose(nearest, surface.minima[0].point)  # not simply the first listed
    hessian = np.empty((2, 2))
    h = 1e-4
    for i in range(2):
        for j in range(2):
            step_i, step_j = np.eye(2)[i] * h, np.eye(2)[j] * h
            point = np.asarray(sweep.minimum_reached)
            hessian[i, j] = (
                surface.value(point + step_i + step_j)
                - surface.value(point + step_i - step_j)
                - surface.value(point - step_i + step_j)
                + surface.value(point - step_i - step_j)
            ) / (4 * h * h)
    assert sweep.critical_lr_at_minimum == pytest.approx(2 / np.linalg.eigvalsh(hessian)[-1], 1e-4)
    assert sweep.edge_formula == "2/λmax"


def test_the_momentum_map_marks_the_measured_best_where_the_model_is_not_exact():
    rosenbrock = core.surface("rosenbrock")
    study = sweeps.momentum_map(
        rosenbrock,
        (-1.5, 2.0),
        300,
        sweeps.learning_rate_grid(1e-4, 1e-2, 12),
        sweeps.momentum_grid(6),
    )
    gamma, beta = study.fastest_measured()
    finite = np.isfinite(study.rates)
    row, column = list(study.momenta).index(beta), list(study.learning_rates).index(gamma)
    assert finite[row, column] and study.rates[row, column] == np.min(study.rates[finite])
    assert study.statuses[row, column] != core.DIVERGED


def test_the_momentum_map_on_the_saddle_is_undefined():
    study = sweeps.momentum_map(
        core.surface("saddle"),
        (1.5, 0.001),
        100,
        sweeps.learning_rate_grid(1e-4, 1e-2, 4),
        sweeps.momentum_grid(3),
    )
    assert not study.defined and study.fastest_measured() is None
