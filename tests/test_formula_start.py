"""A typed formula starts where f is defined, and a function without a minimum says so.

f is evaluated independently with numpy (and its gradient by central differences), never with
the formula evaluator that chose the start or judged the minimum."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.formula import parse
from core.formula_surface import SAMPLE_GRID, _chosen_start, _sample

WITH_UNDEFINED_REGIONS = {
    "sqrt(x)+y^2": lambda x, y: np.sqrt(x) + y**2,
    "log(x*y)": lambda x, y: np.log(x * y),
    "1/(x^2+y^2-1)": lambda x, y: 1 / (x**2 + y**2 - 1),
    "log(x) + y^2": lambda x, y: np.log(x) + y**2,
    "sqrt(1 - x^2 - y^2)": lambda x, y: np.sqrt(1 - x**2 - y**2),
    "abs(x)^0.3 + y^2": lambda x, y: np.abs(x) ** 0.3 + y**2,
    "sqrt(x - 1) + sqrt(y - 1)": lambda x, y: np.sqrt(x - 1) + np.sqrt(y - 1),
}
DOMAINS = [(-2.0, 2.0, -2.0, 2.0), (-1.3, 2.1, -1.7, 2.9), (-3.0, 1.5, -0.5, 2.5)]


def numpy_defined(function, x, y, step=1e-6) -> np.ndarray:
    """f finite, and on each axis its forward and backward differences finite and agreeing (a
    cusp such as |x|^0.3 at 0 has none), from numpy alone."""
    with np.errstate(all="ignore"):
        value = function(x, y)
        defined = np.isfinite(value)
        for dx, dy in ((step, 0.0), (0.0, step)):
            forward = (function(x + dx, y + dy) - value) / step
            backward = (value - function(x - dx, y - dy)) / step
            agree = np.abs(forward - backward) <= 1e-3 * (1 + np.abs(forward) + np.abs(backward))
            defined &= np.isfinite(forward) & np.isfinite(backward) & agree
    return defined


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("text", list(WITH_UNDEFINED_REGIONS))
def test_a_new_formula_starts_where_f_and_its_gradient_are_finite(text, domain):
    function = WITH_UNDEFINED_REGIONS[text]
    x_min, x_max, y_min, y_max = domain
    xs, ys = np.meshgrid(np.linspace(x_min, x_max, 401), np.linspace(y_min, y_max, 401))
    if not numpy_defined(function, xs, ys).any():
        pytest.skip("f is defined nowhere in this domain")  # not a failure: nothing to start at
    surface = core.surface("custom", formula=text, domain=domain)
    x, y = surface.default_start
    assert x_min <= x <= x_max and y_min <= y <= y_max
    assert numpy_defined(function, np.array(x), np.array(y)), (text, domain, (x, y))
    with np.errstate(all="ignore"):
        assert surface.value(np.array([x, y])) == pytest.approx(function(x, y), rel=1e-12)


@pytest.mark.parametrize("text", list(WITH_UNDEFINED_REGIONS))
def test_the_start_is_the_nearest_defined_grid_point_to_the_usual_choice(text):
    domain = DOMAINS[0]
    function = WITH_UNDEFINED_REGIONS[text]
    samples = _sample(parse(text), domain, SAMPLE_GRID)
    preferred = np.array(_chosen_start(samples))
    grid = np.stack(
        np.meshgrid(np.linspace(-2, 2, SAMPLE_GRID), np.linspace(-2, 2, SAMPLE_GRID)), -1
    ).reshape(-1, 2)
    usable = grid[numpy_defined(function, grid[:, 0], grid[:, 1])]
    nearest = np.min(np.hypot(*(usable - preferred).T))
    start = np.array(core.surface("custom", formula=text, domain=domain).default_start)
    cell = 4 / (SAMPLE_GRID - 1)
    assert np.hypot(*(start - preferred)) <= nearest + cell / 2
    if numpy_defined(function, *preferred):
        assert tuple(start) == tuple(preferred)  # a defined default start is kept exactly


def test_a_formula_defined_everywhere_keeps_its_usual_start():
    surface = core.surface("custom", formula="x^4 - 2*x^2 + y^2")
    samples = _sample(parse("x^4 - 2*x^2 + y^2"), (-2, 2, -2, 2), SAMPLE_GRID)
    assert surface.default_start == _chosen_start(samples)


# each function with points where f sinks without bound: near a pole inside the domain (k is the
# closeness 10^-k) or far beyond it (k is the distance 10^k)
WITNESS = {
    "1/x": (lambda x, y: 1 / x, lambda k: (-(10.0**-k), 0.5)),
    "x + y": (lambda x, y: x + y, lambda k: (-(10.0**k), -(10.0**k))),
    "-x^2 - y^2": (lambda x, y: -(x**2) - y**2, lambda k: (10.0**k, 0.0)),
    "log(x*y)": (lambda x, y: np.log(x * y), lambda k: (10.0**-k, 10.0**-k)),
    "1/(x^2+y^2-1)": (lambda x, y: 1 / (x**2 + y**2 - 1), lambda k: (1 - 10.0**-k, 0.0)),
    "tan(x) + y^2": (lambda x, y: np.tan(x) + y**2, lambda k: (np.pi / 2 + 10.0**-k, 0.0)),
    "x/y": (lambda x, y: x / y, lambda k: (1.0, -(10.0**-k))),
    "log(x^2 + y^2)": (lambda x, y: np.log(x**2 + y**2), lambda k: (10.0**-k, 0.0)),
    "x^3 + y^2": (lambda x, y: x**3 + y**2, lambda k: (-(10.0**k), 0.0)),
}
WITH_A_MINIMUM = {
    "x^4 - 2*x^2 + y^2": lambda x, y: x**4 - 2 * x**2 + y**2,
    "sqrt(x) + y^2": lambda x, y: np.sqrt(x) + y**2,
    "sqrt(x^2 + y^2)": lambda x, y: np.sqrt(x**2 + y**2),
    "abs(x)^0.3 + y^2": lambda x, y: np.abs(x) ** 0.3 + y**2,
    "sin(1/x) + y^2": lambda x, y: np.sin(1 / x) + y**2,
    "sin(20*x) + y^2": lambda x, y: np.sin(20 * x) + y**2,
    "x^2 + y^2 - 50*exp(-400*((x - 0.013)^2 + (y - 0.017)^2))": lambda x, y: (
        x**2 + y**2 - 50 * np.exp(-400 * ((x - 0.013) ** 2 + (y - 0.017) ** 2))
    ),
    "1/(x^2 + y^2 + 1) + 0.1*(x^2 + y^2)": lambda x, y: 1 / (x**2 + y**2 + 1) + 0.1 * (x**2 + y**2),
}


def numpy_lowest(function, box, count) -> float:
    x_min, x_max, y_min, y_max = box
    xs, ys = np.meshgrid(np.linspace(x_min, x_max, count), np.linspace(y_min, y_max, count))
    with np.errstate(all="ignore"):
        values = function(xs, ys)
    return float(np.min(values[np.isfinite(values)]))


@pytest.mark.parametrize("text", list(WITNESS))
def test_a_pole_or_a_slope_without_bottom_is_no_minimum_here(text):
    function, witness = WITNESS[text]
    surface = core.surface("custom", formula=text, domain=(-2, 2, -2, 2))
    assert not surface.bounded_below
    assert surface.no_minimum_reason.startswith("No minimum here")
    assert surface.no_minimum_reason in surface.note
    assert "inf" not in surface.note and "nan" not in surface.note
    # numpy agrees: along the witness points f keeps sinking, below anything on a fine grid
    values = [function(*witness(k)) for k in range(1, 7)]
    assert all(np.isfinite(values)) and np.all(np.diff(values) < 0)
    assert values[-1] < numpy_lowest(function, (-2, 2, -2, 2), 101) - 1


@pytest.mark.parametrize("text", list(WITH_A_MINIMUM))
def test_a_function_with_a_minimum_is_not_called_bottomless(text):
    surface = core.surface("custom", formula=text, domain=(-2, 2, -2, 2))
    assert surface.bounded_below and surface.no_minimum_reason == ""
    assert "No minimum" not in surface.note
    function = WITH_A_MINIMUM[text]
    coarse = numpy_lowest(function, (-2, 2, -2, 2), 101)
    assert numpy_lowest(function, (-2, 2, -2, 2), 2001) > coarse - (abs(coarse) + 1)


def test_the_pole_named_is_where_numpy_finds_f_plunging():
    surface = core.surface("custom", formula="1/(x^2+y^2-1)", domain=(-2, 2, -2, 2))
    reason = surface.no_minimum_reason
    inside = reason[reason.index("near (") + 6 : reason.index(")")]
    x, y = (float(value) for value in inside.split(", "))
    assert abs(np.hypot(x, y) - 1) < 0.01  # on the unit circle, where the denominator vanishes


@pytest.mark.parametrize("example", core.formula_surface.EXAMPLES, ids=lambda e: e.name)
def test_no_example_is_called_bottomless_by_a_pole(example):
    surface = core.surface("custom", formula=example.formula, domain=example.domain)
    assert "pole" not in surface.no_minimum_reason
