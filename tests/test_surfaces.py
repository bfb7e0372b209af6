"""Surfaces against outside truth: finite differences and the stationary-point table."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.surfaces import DEGENERATE, LOCAL_MAXIMUM, SADDLE, SURFACES

FIXED_SURFACES = [name for name, entry in SURFACES.items() if entry.group == "test functions"]
BOWLS = [dict(kappa=1.0), dict(kappa=10.0, angle=30.0), dict(kappa=250.0, angle=75.0)]


def surfaces_to_check():
    for name in FIXED_SURFACES:
        if name == "bowl":
            for parameters in BOWLS:
                yield pytest.param(name, parameters, id=f"bowl-{parameters}")
        else:
            yield pytest.param(name, {}, id=name)


def random_points(surface, count=300, seed=0):
    x_min, x_max, y_min, y_max = surface.domain
    rng = np.random.default_rng(seed)
    points = np.column_stack([rng.uniform(x_min, x_max, count), rng.uniform(y_min, y_max, count)])
    if surface.name == "ackley":  # the cone's kink at the origin
        points = points[np.linalg.norm(points, axis=1) > 1e-2]
    return points


def central_difference(function, points):
    """∂function/∂x and ∂/∂y by central differences, h = 1e-6·max(1, |coordinate|)."""
    columns = []
    for axis in range(2):
        step = 1e-6 * np.maximum(1.0, np.abs(points[:, axis]))
        offset = np.zeros_like(points)
        offset[:, axis] = step
        shape = (-1,) + (1,) * (function(points).ndim - 1)
        columns.append(
            (function(points + offset) - function(points - offset)) / (2 * step.reshape(shape))
        )
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize(("name", "parameters"), list(surfaces_to_check()))
def test_gradient_matches_finite_differences(name, parameters):
    surface = core.surface(name, **parameters)
    points = random_points(surface)
    exact, numeric = surface.grad(points), central_difference(surface.value, points)
    scale = 1.0 + np.abs(exact) + 1e-7 * np.abs(surface.value(points))[:, None]
    assert np.max(np.abs(exact - numeric) / scale) < 1e-5


@pytest.mark.parametrize(("name", "parameters"), list(surfaces_to_check()))
def test_hessian_matches_finite_differences_and_is_symmetric(name, parameters):
    surface = core.surface(name, **parameters)
    points = random_points(surface)
    exact = surface.hessian(points)
    numeric = np.swapaxes(central_difference(surface.grad, points), -1, -2)
    assert np.allclose(exact, np.swapaxes(exact, -1, -2))
    scale = (
        1.0 + np.abs(exact) + 1e-7 * np.linalg.norm(surface.grad(points), axis=-1)[:, None, None]
    )
    assert np.max(np.abs(exact - numeric) / scale) < 1e-5


def newton_polish(surface, point, iterations=30):
    point = np.array(point, dtype=float)
    for _ in range(iterations):
        point = point - np.linalg.solve(surface.hessian(point), surface.grad(point))
    return point


STATIONARY = [
    pytest.param(name, index, id=f"{name}-{index}")
    for name in FIXED_SURFACES
    if name not in ("bowl", "monkey-saddle")
    for index in range(min(len(core.surface(name).stationary_points), 40))
]


@pytest.mark.parametrize(("name", "index"), STATIONARY)
def test_every_listed_stationary_point_is_one(name, index):
    surface = core.surface(name)
    listed = surface.stationary_points[index]
    polished = newton_polish(surface, listed.point)
    assert np.linalg.norm(surface.grad(polished)) < 1e-9
    assert np.linalg.norm(polished - listed.point) < 2e-5 * max(1.0, np.linalg.norm(polished))
    value = float(surface.value(polished))
    assert abs(value - listed.value) <= 1e-5 * max(1.0, abs(listed.value)) + 1e-6
    eigenvalues = np.linalg.eigvalsh(surface.hessian(polished))
    if listed.is_minimum:
        assert eigenvalues[0] > 0
    elif listed.kind == SADDLE:
        assert eigenvalues[0] < 0 < eigenvalues[-1]
    elif listed.kind == LOCAL_MAXIMUM:
        assert eigenvalues[-1] < 0


def test_global_minima_are_the_lowest_listed_points():
    for name in FIXED_SURFACES:
        surface = core.surface(name)
        if not surface.global_minima:
            assert not surface.bounded_below
            continue
        lowest = min(p.value for p in surface.stationary_points)
        assert all(abs(p.value - lowest) < 1e-6 for p in surface.global_minima)


def test_monkey_saddle_origin_is_degenerate():
    surface = core.surface("monkey-saddle")
    (point,) = surface.stationary_points
    assert point.kind == DEGENERATE
    assert np.all(surface.grad(point.point) == 0) and np.all(surface.hessian(point.point) == 0)


def test_rastrigin_lists_the_121_lattice_minima():
    surface = core.surface("rastrigin")
    assert len(surface.minima) == 121
    nearest = min(
        (p for p in surface.minima if p.point[1] == 0.0 and p.point[0] > 0),
        key=lambda p: p.point[0],
    )
    assert nearest.point[0] == pytest.approx(0.994959, abs=1e-6)
    assert nearest.value == pytest.approx(0.994959, abs=1e-6)


def test_ackley_gradient_is_defined_at_its_kink():
    surface = core.surface("ackley")
    assert np.array_equal(surface.grad(np.zeros(2)), np.zeros(2))
    assert np.all(np.isfinite(surface.hessian(np.zeros(2))))
    assert surface.value(np.zeros(2)) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rosenbrock", (0.39936, 1001.60)),
        ("booth", (2.0, 18.0)),
        ("matyas", (0.04, 1.0)),
    ],
)
def test_curvatures_at_the_minimum_match_the_table(name, expected):
    surface = core.surface(name)
    eigenvalues = np.linalg.eigvalsh(surface.hessian(surface.global_minima[0].point))
    assert eigenvalues == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("angle", [0.0, 30.0, 90.0])
def test_bowl_eigenvalues_are_one_and_kappa(angle):
    surface = core.surface("bowl", kappa=25.0, angle=angle)
    eigenvalues = np.linalg.eigvalsh(surface.hessian(np.array([0.3, -1.1])))
    assert eigenvalues == pytest.approx([1.0, 25.0])


def test_vectorised_over_any_leading_shape_and_equal_to_scalar_calls():
    surface = core.surface("himmelblau")
    points = np.random.default_rng(1).uniform(-4, 4, (3, 4, 2))
    assert surface.value(points).shape == (3, 4)
    assert surface.grad(points).shape == (3, 4, 2)
    assert surface.hessian(points).shape == (3, 4, 2, 2)
    x, y = (float(v) for v in points[1, 2])
    assert surface.value_components(x, y) == pytest.approx(surface.value(points)[1, 2])
    assert surface.gradient_components(x, y) == pytest.approx(tuple(surface.grad(points)[1, 2]))


def test_every_surface_has_a_domain_start_and_note():
    for name in FIXED_SURFACES:
        surface = core.surface(name)
        x_min, x_max, y_min, y_max = surface.domain
        assert x_min < x_max and y_min < y_max
        assert surface.contains(np.array(surface.default_start))
        assert surface.note and surface.title and surface.latex


def test_bad_surface_requests_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown surface 'nope'"):
        core.surface("nope")
    with pytest.raises(ValueError, match="kappa"):
        core.surface("bowl", kappa=0.5)
    with pytest.raises(ValueError, match="no parameter 'tilt'"):
        core.surface("bowl", tilt=3)
