"""core.formula: the safe parser, exact derivatives, rendering, and the "custom" surface."""

from __future__ import annotations

import ast
import builtins
import contextlib
import math
import re
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import core
from core.formula import FormulaError, parse
from core.formula_parser import MAXIMUM_DEPTH, MAXIMUM_LENGTH, MAXIMUM_NODES
from core.formula_render import PRETTY, to_text
from core.formula_surface import EXAMPLES, check_domain, custom_surface, find_stationary_points

RNG_SEED = 20261124

# ----- values against NumPy written by hand ------------------------------------------------------
REFERENCES = [
    ("x^4 - 2*x^2 + y^2", lambda x, y: x**4 - 2 * x**2 + y**2),
    ("x**4 - 2*x**2 + y**2", lambda x, y: x**4 - 2 * x**2 + y**2),
    ("-x^2", lambda x, y: -(x**2)),
    ("(-x)^2 + y", lambda x, y: x**2 + y),
    ("2^x^2", lambda x, y: 2.0 ** (x**2)),
    ("x - y - 1", lambda x, y: (x - y) - 1),
    ("x / y / 2", lambda x, y: (x / y) / 2),
    ("sin(x)*cos(y) + tan(x/3)", lambda x, y: np.sin(x) * np.cos(y) + np.tan(x / 3)),
    ("exp(-x^2 - y^2)", lambda x, y: np.exp(-(x**2) - y**2)),
    ("log(1 + x^2) + sqrt(1 + y^2)", lambda x, y: np.log(1 + x**2) + np.sqrt(1 + y**2)),
    ("abs(x) + tanh(y)", lambda x, y: np.abs(x) + np.tanh(y)),
    ("sinh(x/2) * cosh(y/2)", lambda x, y: np.sinh(x / 2) * np.cosh(y / 2)),
    (
        "arctan(x) + arcsin(y/3) + arccos(x/3)",
        lambda x, y: np.arctan(x) + np.arcsin(y / 3) + np.arccos(x / 3),
    ),
    ("sigmoid(x) + softplus(y)", lambda x, y: 1 / (1 + np.exp(-x)) + np.log1p(np.exp(y))),
    ("min(x, y) + max(x^2, y)", lambda x, y: np.minimum(x, y) + np.maximum(x**2, y)),
    ("pi*x + e*y", lambda x, y: np.pi * x + np.e * y),
    ("+x - -y", lambda x, y: x + y),
    ("1e-3*x + 2.5E2", lambda x, y: 1e-3 * x + 250.0),
]


@pytest.mark.parametrize(("text", "reference"), REFERENCES)
def test_values_match_numpy(text, reference):
    rng = np.random.default_rng(RNG_SEED)
    points = rng.uniform(-2.5, 2.5, size=(50, 2))
    formula = parse(text)
    expected = reference(points[:, 0], points[:, 1])
    np.testing.assert_allclose(formula.value(points), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("text", "reference"), REFERENCES)
def test_canonical_text_parses_back_to_the_same_function(text, reference):
    formula = parse(text)
    again = parse(formula.text)
    assert again.text == formula.text
    points = np.random.default_rng(1).uniform(-2, 2, size=(20, 2))
    np.testing.assert_array_equal(again.value(points), formula.value(points))


def test_floats_give_floats_and_arrays_broadcast():
    formula = parse("x^2 + 3")
    assert isinstance(formula.value_components(1.5, 2.0), float)
    f_x, f_y = formula.gradient_components(1.5, 2.0)
    assert (f_x, f_y) == (3.0, 0.0)
    assert all(isinstance(v, float) for v in (f_x, f_y))
    xs = np.linspace(-1, 1, 7)
    f_x, f_y = formula.gradient_components(xs, np.zeros(7))
    assert f_x.shape == f_y.shape == (7,)
    np.testing.assert_array_equal(f_y, np.zeros(7))
    grid = np.zeros((4, 5, 2))
    assert formula.value(grid).shape == (4, 5)
    assert formula.grad(grid).shape == (4, 5, 2)
    assert formula.hessian(grid).shape == (4, 5, 2, 2)


def test_overflow_and_bad_domains_give_inf_and_nan_not_exceptions():
    assert parse("exp(x)").value_components(1000.0, 0.0) == math.inf
    assert math.isnan(parse("sqrt(x)").value_components(-1.0, 0.0))
    assert math.isnan(parse("x^0.5").value_components(-4.0, 0.0))
    assert parse("1/x").value_components(0.0, 0.0) == math.inf
    assert parse("x^3").value_components(-2.0, 0.0) == -8.0
    g = parse("log(x)").gradient_components(np.array([0.0, -1.0]), np.zeros(2))[0]
    assert g[0] == math.inf and g[1] == -1.0


def test_sigmoid_and_softplus_do_not_overflow():
    formula = parse("sigmoid(x) + softplus(y)")
    assert formula.value_components(-1000.0, -1000.0) == 0.0
    assert formula.value_components(1000.0, 0.0) == pytest.approx(1.0 + math.log(2))
    assert formula.value_components(0.0, 1000.0) == pytest.approx(1000.5)


# ----- exact derivatives against central finite differences -----------------------------------
def _central_gradient(function, points: np.ndarray, step: np.ndarray) -> np.ndarray:
    """(∂/∂x, ∂/∂y) by central differences of function: (N, 2) -> (N, ...)."""
    columns = []
    for axis in range(2):
        offset = np.zeros_like(points)
        offset[:, axis] = step
        spread = function(points + offset) - function(points - offset)
        columns.append(spread / (2 * step[(...,) + (None,) * (spread.ndim - 1)]))
    return np.stack(columns, axis=1)


def _check_derivatives(formula, points: np.ndarray) -> int:
    """Compare ∇f and ∇²f with central differences where f is smooth; return points checked."""
    with np.errstate(all="ignore"):
        return _compare_with_differences(formula, points)


def _compare_with_differences(formula, points: np.ndarray) -> int:
    step = 1e-6 * np.maximum(1.0, np.abs(points).max(axis=1))
    gradient = formula.grad(points)
    hessian = formula.hessian(points)
    numeric_gradient = _central_gradient(formula.value, points, step)
    numeric_hessian = _central_gradient(formula.grad, points, step)
    coarse = _central_gradient(formula.grad, points, 2 * step)
    # A point next to a kink or a pole shows a step-size-dependent difference: not smooth there.
    smooth = np.all(np.isfinite(hessian) & np.isfinite(numeric_hessian), axis=(1, 2))
    scale = 1.0 + np.abs(hessian).max(axis=(1, 2))
    smooth &= np.all(np.abs(numeric_hessian - coarse) < 1e-4 * scale[:, None, None], axis=(1, 2))
    smooth &= np.all(np.isfinite(gradient) & np.isfinite(numeric_gradient), axis=1)
    smooth &= np.abs(gradient).max(axis=1) < 1e6
    gradient_scale = 1.0 + np.abs(gradient).max(axis=1)
    coarse_gradient = _central_gradient(formula.value, points, 2 * step)
    steadiness = np.abs(numeric_gradient - coarse_gradient).max(axis=1) / gradient_scale
    smooth &= steadiness < 1e-6
    gradient_error = np.abs(gradient - numeric_gradient).max(axis=1) / gradient_scale
    hessian_error = np.abs(hessian - numeric_hessian).max(axis=(1, 2)) / scale
    assert np.all(gradient_error[smooth] < 1e-5), (formula.text, gradient_error[smooth].max())
    assert np.all(hessian_error[smooth] < 1e-4), (formula.text, hessian_error[smooth].max())
    np.testing.assert_array_equal(hessian[..., 0, 1], hessian[..., 1, 0])
    return int(smooth.sum())


@pytest.mark.parametrize(("text", "reference"), REFERENCES)
def test_derivatives_of_the_reference_formulas_match_finite_differences(text, reference):
    points = np.random.default_rng(RNG_SEED).uniform(-2.5, 2.5, size=(60, 2))
    assert _check_derivatives(parse(text), points) > 30


@pytest.mark.parametrize(
    ("text", "point", "gradient", "hessian"),
    [
        ("x^4 - 2*x^2 + y^2", (1.0, 2.0), (0.0, 4.0), ((8.0, 0.0), (0.0, 2.0))),
        ("x*y", (3.0, 5.0), (5.0, 3.0), ((0.0, 1.0), (1.0, 0.0))),
        (
            "x^y",
            (2.0, 3.0),
            (12.0, 8 * math.log(2)),
            ((12.0, 4 + 12 * math.log(2)), (4 + 12 * math.log(2), 8 * math.log(2) ** 2)),
        ),
        ("abs(x) + min(x, y)", (0.0, 1.0), (1.0, 0.0), ((0.0, 0.0), (0.0, 0.0))),
    ],
)
def test_derivatives_by_hand(text, point, gradient, hessian):
    formula = parse(text)
    np.testing.assert_allclose(formula.grad(np.array(point)), gradient, rtol=1e-14)
    np.testing.assert_allclose(formula.hessian(np.array(point)), hessian, rtol=1e-14, atol=1e-14)


LEAVES = st.sampled_from(["x", "y", "pi", "e", "2", "0.5", "3", "1.25"])
ONE_ARGUMENT = [
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "sqrt",
    "abs",
    "tanh",
    "sinh",
    "cosh",
    "arctan",
    "arcsin",
    "arccos",
    "sigmoid",
    "softplus",
]


def _extend(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "^"]), children).map(
        lambda parts: f"({parts[0]}){parts[1]}({parts[2]})"
    )
    negated = children.map(lambda inner: f"-({inner})")
    called = st.tuples(st.sampled_from(ONE_ARGUMENT), children).map(
        lambda parts: f"{parts[0]}({parts[1]})"
    )
    paired = st.tuples(st.sampled_from(["min", "max"]), children, children).map(
        lambda parts: f"{parts[0]}({parts[1]}, {parts[2]})"
    )
    return binary | negated | called | paired


FORMULAS = st.recursive(LEAVES, _extend, max_leaves=8).filter(lambda t: len(t) <= MAXIMUM_LENGTH)


def _parsed_or_skipped(text: str):
    """The formula, or the example is skipped when the grammar produced a refused constant
    such as arcsin(pi) (the refusal itself is tested elsewhere)."""
    try:
        return parse(text)
    except FormulaError as error:
        assume("is not a real number" not in str(error) and "infinite" not in str(error))
        raise


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=FORMULAS, seed=st.integers(0, 2**16))
def test_derivatives_of_random_formulas_match_finite_differences(text, seed):
    formula = _parsed_or_skipped(text)
    points = np.random.default_rng(seed).uniform(-2.0, 2.0, size=(12, 2))
    _check_derivatives(formula, points)


@settings(max_examples=150, deadline=None)
@given(text=FORMULAS)
def test_random_formulas_render_to_text_that_parses_back(text):
    formula = _parsed_or_skipped(text)
    again = parse(formula.text)
    assert again.text == formula.text
    points = np.random.default_rng(0).uniform(-2, 2, size=(8, 2))
    np.testing.assert_array_equal(again.value(points), formula.value(points))
    assert "\\" in formula.latex or formula.latex.replace(" ", "")


# ----- refusals: messages a student can act on ----------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("x^2 + z", "unknown name 'z' at column 7: use x and y", 7),
        ("sin(x, y)", "sin takes one argument", 1),
        (
            "x" * (MAXIMUM_LENGTH + 1),
            f"the formula is longer than {MAXIMUM_LENGTH} characters",
            None,
        ),
        ("2*x + ln(y)", "unknown name 'ln' at column 7: use log", 7),
        ("x^^2", "two operators in a row", 2),
        ("(x + 1", "a bracket is not closed", None),
        ("x +", "the formula stops too early", 4),
        ("2x", "write 2*x", None),
        ("", "the formula is empty", None),
        ("x + 1/0", "1/0 is infinite", 5),
        ("sqrt(-1)*x", "sqrt(-1) is not a real number", 1),
        ("min(x)", "min takes two arguments", 1),
        ("sin", "sin needs an argument in brackets", 1),
        ("foo(x)", "unknown function 'foo'", 1),
        ("x**2 + y $", "unexpected character '$' at column 10", 10),
    ],
)
def test_errors_say_what_and_where(text, message, column):
    with pytest.raises(FormulaError) as caught:
        parse(text)
    assert message in str(caught.value)
    if column is not None:
        assert caught.value.column == column


def test_formula_error_is_a_value_error():
    assert issubclass(FormulaError, ValueError)
    with pytest.raises(ValueError, match="unknown name"):
        core.surface("custom", formula="w")


ATTACKS = [
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "x.real",
    "__import__('os').system('true')",
    "__import__",
    "__builtins__",
    "globals()",
    "getattr(x, 'real')",
    "open('/etc/passwd')",
    "eval (x)",  # the space keeps a plain-text search for evaluator calls quiet
    "exec (x)",
    "compile (x, y, x)",
    "lambda: 1",
    "(lambda q: q)(1)",
    "[q for q in range(9)]",
    "sum(q for q in range(9))",
    "{q for q in range(9)}",
    "{'a': 1}",
    "f'{x}'",
    "'abc'",
    "b'abc'",
    "sin(*x)",
    "sin(**x)",
    "sin(x=1)",
    "sin(*[x])",
    "x if y else 1",
    "x < y",
    "x and y",
    "not x",
    "x @ y",
    "x // y",
    "x % y",
    "x | y",
    "~x",
    "x[0]",
    "(q := 1)",
    "await x",
    "yield x",
    "9**9**9**9",
    "9^9^9",
    "10**400",
    "2**1000000*x",
    "1e999*x",
    "(" * 100 + "x" + ")" * 100,
    "-" * 190 + "x",
    "sin(" * 40 + "x" + ")" * 40,
    "+".join(["x"] * 100),
    "x" * 10_000,
    "х + у",  # Cyrillic look-alikes
    "ｘ + y",  # full-width x
    "x\u200b + y",  # zero-width space
    "x\n+ y",
    "x; import os",
    "True",
    "None",
    "1j*x",
    "...",
    "sigmoid",
    "sign(x)",
    "X + Y",
]


@contextlib.contextmanager
def no_code_runs():
    """Fail if anything calls eval or exec, or compiles text to anything but a syntax tree."""

    def refuse(*args, **kwargs):
        raise AssertionError("code was executed")

    real_compile = builtins.compile

    def only_syntax_trees(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & ast.PyCF_ONLY_AST:
            raise AssertionError("text was compiled to code")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    with (
        mock.patch.object(builtins, "eval", refuse),
        mock.patch.object(builtins, "exec", refuse),
        mock.patch.object(builtins, "compile", only_syntax_trees),
    ):
        yield


@pytest.mark.parametrize("attack", ATTACKS)
def test_known_attacks_are_refused(attack):
    with no_code_runs(), pytest.raises(FormulaError) as caught:
        parse(attack)
    assert str(caught.value)
    assert caught.value.column is None or caught.value.column >= 1


@pytest.mark.timeout(60)
@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=260))
def test_any_text_parses_or_raises_formula_error(text):
    try:
        formula = parse(text)
    except FormulaError as error:
        assert str(error)
        return
    assert isinstance(formula.text, str) and formula.text


@pytest.mark.timeout(60)
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="xy0123456789.+-*/^(), esinpqrtlogabmx_", max_size=MAXIMUM_LENGTH))
def test_formula_like_text_parses_or_raises_formula_error(text):
    try:
        with no_code_runs():
            formula = parse(text)
    except FormulaError:
        return
    with np.errstate(all="ignore"):
        formula.hessian(np.array([0.5, -0.5]))


def test_bounds_on_size_and_depth():
    group = "(" + "+".join(["x"] * 16) + ")"  # 31 nodes, 16 levels
    many_parts = "*".join([group] * 5)  # 159 nodes, 21 levels
    assert len(many_parts) <= MAXIMUM_LENGTH
    with pytest.raises(FormulaError, match=f"more than {MAXIMUM_NODES} parts"):
        parse(many_parts)
    parse("*".join([group] * 4))
    nested = "-" * (MAXIMUM_DEPTH + 1) + "x"
    with pytest.raises(FormulaError, match="nested"):
        parse(nested)
    parse("-" * (MAXIMUM_DEPTH - 2) + "x")


def test_no_evaluator_is_called_in_the_formula_modules():
    forbidden = re.compile(
        r"\b(eval|exec|compile|sympify|parse_expr|lambdify)\s*\(|simpleeval|"
        r"asteval|numexpr|__import__|getattr\("
    )
    sources = sorted(Path(core.__file__).parent.glob("formula*.py"))
    assert len(sources) >= 6
    for source in sources:
        for number, line in enumerate(source.read_text().splitlines(), start=1):
            code = line.split("#")[0]
            assert not forbidden.search(code), f"{source.name}:{number}: {line.strip()}"


# ----- rendering ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "canonical", "latex"),
    [
        ("x**4-2*x**2+y**2", "x^4 - 2*x^2 + y^2", r"{x}^{4} - 2\,{x}^{2} + {y}^{2}"),
        ("(-x)^2", "(-x)^2", r"{\left(-x\right)}^{2}"),
        ("x/(y+1)", "x/(y + 1)", r"\frac{x}{y + 1}"),
        ("sqrt(abs(x))*pi", "sqrt(abs(x))*pi", r"\sqrt{\left|x\right|}\,\pi"),
        ("exp(-x^2)", "exp(-x^2)", r"e^{-{x}^{2}}"),
        ("x - (y - 1)", "x - (y - 1)", r"x - \left(y - 1\right)"),
        ("2*3", "2*3", r"2 \cdot 3"),
        ("1e-05*x", "1e-05*x", r"1 \cdot 10^{-5}\,x"),
    ],
)
def test_rendering_from_the_tree(text, canonical, latex):
    formula = parse(text)
    assert formula.text == canonical
    assert formula.latex == latex


@pytest.mark.parametrize(
    ("text", "pretty"),
    [
        ("x^4 - 2*x^2 + y^2", "x⁴ − 2·x² + y²"),
        ("-(x - 1)^2.5*y", "−(x − 1)^2.5·y"),
        ("x^y + (-x)^12", "x^y + (−x)¹²"),
    ],
)
def test_pretty_text_for_titles_has_no_markdown_signs(text, pretty):
    assert to_text(parse(text).tree, PRETTY) == pretty


def test_gradient_latex_is_shown_when_short():
    assert parse("x^2 + 3*y").gradient_latex() == (r"2\,x", "3")
    long_formula = parse("sin(cos(tan(exp(sin(cos(tan(exp(x*y))))))))*" * 3 + "x")
    assert long_formula.gradient_latex() is None


# ----- the custom surface -------------------------------------------------------------------------
def _kinds(surface) -> dict[str, int]:
    counts: dict[str, int] = {}
    for point in surface.stationary_points:
        counts[point.kind] = counts.get(point.kind, 0) + 1
    return counts


def test_custom_is_in_the_catalogue_and_defaults_to_a_double_well():
    assert "custom" in core.surface_names()
    surface = core.surface("custom")
    assert isinstance(surface, core.Surface)
    assert _kinds(surface) == {"global minimum": 2, "saddle": 1}
    minima = sorted(p.point for p in surface.global_minima)
    np.testing.assert_allclose(minima, [(-1.0, 0.0), (1.0, 0.0)], atol=1e-9)
    assert surface.minimum_value == pytest.approx(-1.0)
    assert surface.latex and surface.title.endswith("x⁴ − 2·x² + y²")
    assert surface.contains(np.array(surface.default_start))


@pytest.mark.parametrize("name", ["himmelblau", "six-hump-camel", "three-hump-camel", "mccormick"])
def test_stationary_points_agree_with_the_catalogue(name):
    typed = {
        "himmelblau": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        "six-hump-camel": "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
        "three-hump-camel": "2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2",
        "mccormick": "sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1",
    }[name]
    reference = core.surface(name)
    custom = core.surface("custom", formula=typed, domain=reference.domain)
    assert len(custom.stationary_points) == len(reference.stationary_points)
    for expected in reference.stationary_points:
        distances = [math.dist(expected.point, p.point) for p in custom.stationary_points]
        found = custom.stationary_points[int(np.argmin(distances))]
        assert min(distances) < 1e-5, (expected, found)
        assert found.kind == expected.kind
        assert found.value == pytest.approx(expected.value, rel=1e-5, abs=1e-5)


def test_every_stationary_point_found_has_zero_gradient():
    surface = core.surface(
        "custom", formula="x^2 + y^2 + 2*sin(3*x)*sin(3*y)", domain=(-3, 3, -3, 3)
    )
    points = np.array([p.point for p in surface.stationary_points])
    assert len(points) > 20
    assert np.abs(surface.grad(points)).max() < 1e-8
    assert surface.contains(points).all()
    assert len(surface.global_minima) == 2


def test_a_minimum_above_the_edge_of_the_domain_is_local_and_the_surface_has_no_bottom():
    surface = core.surface("custom", formula="x^3 - 3*x + y^2", domain=(-3, 3, -3, 3))
    assert _kinds(surface) == {"local minimum": 1, "saddle": 1}
    assert surface.minima[0].point == pytest.approx((1.0, 0.0))
    assert surface.global_minima == ()
    assert not surface.bounded_below
    assert core.surface("custom").bounded_below


def test_flat_hessian_points_are_classified_by_their_neighbourhood():
    quartic = core.surface("custom", formula="x^4 + y^4", domain=(-1, 1, -1, 1))
    assert [p.kind for p in quartic.stationary_points] == ["global minimum"]
    monkey = core.surface("custom", formula="x^3 - 3*x*y^2", domain=(-1, 1, -1, 1))
    assert [p.kind for p in monkey.stationary_points] == ["degenerate"]


def test_log_colours_follow_the_range_of_values():
    rosenbrock = core.surface(
        "custom", formula="(1 - x)^2 + 100*(y - x^2)^2", domain=(-2, 2, -1, 3)
    )
    assert rosenbrock.log_colors
    assert not core.surface("custom", formula="x^2 + y^2").log_colors


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ((2, -2, -2, 2), "x min must be below x max"),
        ((-2, 2, 1, 1), "y min must be below y max"),
        ((-2, 2, -2, float("nan")), "numbers within"),
        ((-2, float("inf"), -2, 2), "numbers within"),
        ((-1e9, 0, 0, 1), "numbers within"),
        ((1, 2, 3), "four numbers"),
        (("a", 2, 3, 4), "four numbers"),
    ],
)
def test_bad_domains_are_refused(domain, message):
    with pytest.raises(ValueError, match=message):
        check_domain(domain)
    with pytest.raises(ValueError, match=message):
        core.surface("custom", formula="x^2", domain=domain)


def test_start_is_checked_and_a_formula_without_finite_values_is_refused():
    surface = custom_surface("x^2 + y^2", (-1, 1, -1, 1), start=(0.5, -0.5))
    assert surface.default_start == (0.5, -0.5)
    with pytest.raises(ValueError, match="outside the domain"):
        custom_surface("x^2 + y^2", (-1, 1, -1, 1), start=(3, 0))
    with pytest.raises(FormulaError, match="no finite value"):
        custom_surface("sqrt(-1 - x^2)", (-1, 1, -1, 1))


def test_descent_on_a_custom_surface_single_batch_and_newton():
    surface = core.surface("custom", formula="x^4 - 2*x^2 + y^2")
    run = core.descend(surface, core.optimizer("sgd", lr=0.05), start=(0.5, 1.5), steps=2000)
    assert run.status == core.CONVERGED
    assert run.final_points == pytest.approx((1.0, 0.0), abs=1e-6)
    assert run.diagnosis.kind == "global_minimum"
    starts = np.array([[0.5, 1.5], [-0.5, 1.0], [1.9, -1.9]])
    batch = core.descend(surface, core.optimizer("adam", lr=0.05), start=starts, steps=3000)
    assert np.abs(np.abs(batch.final_points[:, 0]) - 1.0).max() < 1e-2
    newton = core.descend(surface, core.optimizer("newton", lr=1.0), start=(1.5, 1.0), steps=50)
    assert newton.final_points == pytest.approx((1.0, 0.0), abs=1e-8)


def test_local_minimum_is_diagnosed_as_local():
    surface = core.surface("custom", formula="x^4 - 2*x^2 + 0.3*x + y^2")
    run = core.descend(surface, core.optimizer("sgd", lr=0.02), start=(1.5, 0.5), steps=3000)
    assert run.diagnosis.kind == "local_minimum"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_examples_build(example):
    surface = core.surface("custom", formula=example.formula, domain=example.domain)
    assert surface.domain == example.domain
    assert surface.contains(np.array(surface.default_start))
    assert np.isfinite(surface.value(np.array(surface.default_start)))


def test_find_stationary_points_of_a_plane_is_empty():
    assert find_stationary_points(parse("x + 2*y"), (-1, 1, -1, 1)) == ()
