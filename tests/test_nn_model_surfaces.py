"""The 2-parameter model surfaces: derivatives, minima, the lessons they teach, mini-batches."""

import numpy as np
import pytest
from test_surfaces import central_difference, random_points

import core
from core.nn.model_surfaces import KINDS, LINEAR_POINTS
from core.surfaces import SURFACES

NAMES = [kind.name for kind in KINDS]
SMOOTH = [name for name in NAMES if "mae" not in name]


def test_every_model_surface_is_registered_on_import_core_in_the_models_group():
    for name in NAMES:
        assert name in core.surface_names()
        assert SURFACES[name].group == "models"
        assert all(isinstance(spec.default, float) for spec in SURFACES[name].parameters)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("parameters", [{}, {"l2": 0.5}, {"l1": 0.2, "seed": 3.0}])
def test_gradient_matches_finite_differences(name, parameters):
    surface = core.surface(name, **parameters)
    points = random_points(surface)
    expected = central_difference(surface.value, points)
    np.testing.assert_allclose(surface.grad(points), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", SMOOTH)
def test_hessian_matches_finite_differences_of_the_gradient(name):
    surface = core.surface(name, l2=0.3)
    points = random_points(surface, seed=1)
    expected = central_difference(surface.grad, points)  # (n, 2 components, 2 axes)
    np.testing.assert_allclose(surface.hessian(points), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("parameters", [{}, {"l2": 1.0}, {"l1": 0.3}])
def test_the_listed_minimum_is_lowest_and_smooth_ones_have_zero_gradient(name, parameters):
    surface = core.surface(name, **parameters)
    (minimum,) = surface.global_minima
    centre = np.array(minimum.point)
    assert surface.value(centre) == pytest.approx(minimum.value)
    assert surface.contains(centre)
    around = centre + np.random.default_rng(2).normal(scale=0.05, size=(400, 2))
    assert np.all(surface.value(around) >= minimum.value - 1e-12)
    if name in SMOOTH:
        assert np.linalg.norm(surface.grad(centre)) < 1e-7


def test_raw_feature_makes_the_mse_bowl_a_ravine():
    def condition(normalised: float) -> float:
        surface = core.surface("linear-regression-mse", normalised=normalised)
        eigenvalues = np.linalg.eigvalsh(surface.hessian(np.array(surface.minima[0].point)))
        return eigenvalues.max() / eigenvalues.min()

    assert condition(1.0) < 5
    assert condition(0.0) > 1000


def test_l2_moves_the_minimum_toward_the_origin():
    weights = [
        abs(core.surface("logistic-regression-bce", l2=l2).minima[0].point[0])
        for l2 in (0.0, 0.1, 1.0)
    ]
    assert weights[0] > weights[1] > weights[2]


def test_mse_on_a_sigmoid_has_a_plateau_that_cross_entropy_lacks():
    far = np.array([-3.0, 3.0])  # confidently wrong: σ saturates
    mse = np.linalg.norm(core.surface("logistic-regression-mse").grad(far))
    bce = np.linalg.norm(core.surface("logistic-regression-bce").grad(far))
    assert mse < 0.05 * bce


def test_mini_batches_give_a_fresh_random_gradient_that_averages_to_the_exact_one():
    surface = core.surface("linear-regression-mse", batch_size=8.0)
    rng = np.random.default_rng(0)
    point = (0.5, 1.0)
    draws = np.array([surface.stochastic_gradient_components(*point, rng) for _ in range(4000)])
    assert np.std(draws[:, 0]) > 0.1
    np.testing.assert_allclose(draws.mean(axis=0), surface.grad(np.array(point)), rtol=0.05)
    assert core.surface("linear-regression-mse").stochastic_gradient_components is None
    assert (
        core.surface(
            "linear-regression-mse", batch_size=LINEAR_POINTS - 1.0
        ).stochastic_gradient_components
        is not None
    )


def test_descend_follows_mini_batch_gradients_and_records_the_exact_ones():
    surface = core.surface("linear-regression-mse", batch_size=4.0)
    run = core.descend(surface, core.optimizer("sgd", lr=0.05), start=(0.0, 0.0), steps=50)
    np.testing.assert_allclose(run.gradients[:-1], surface.grad(run.points[:-1]))
    assert not np.allclose(run.gradients_used, run.gradients[: len(run.gradients_used)])
    again = core.descend(surface, core.optimizer("sgd", lr=0.05), start=(0.0, 0.0), steps=50)
    np.testing.assert_array_equal(run.points, again.points)


def test_a_batch_of_starts_and_a_grid_work_on_arrays():
    surface = core.surface("logistic-regression-mse")
    grid = np.stack(np.meshgrid(np.linspace(-3, 3, 40), np.linspace(-3, 3, 30)), axis=-1)
    assert surface.value(grid).shape == (30, 40)
    starts = random_points(surface, count=6)
    run = core.descend(surface, core.optimizer("adam", lr=0.1), start=starts, steps=20)
    assert run.points.shape == (21, 6, 2)
