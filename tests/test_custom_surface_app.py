"""AppTest of the formula box (app.custom_surface): draws, refuses, keeps the last good formula."""

from __future__ import annotations

import pytest
from page_testing import assert_clean, open_page
from streamlit.testing.v1 import AppTest

from core.formula import parse
from core.formula_render import PRETTY, to_text
from core.formula_surface import DEFAULT_DOMAIN, DEFAULT_FORMULA, EXAMPLES


def _script():
    import streamlit as st

    from app.custom_surface import custom_surface_controls

    surface = custom_surface_controls()
    st.text(f"title: {surface.title}")
    st.text(f"domain: {surface.domain}")
    st.text(f"minima: {len(surface.minima)}")


def _app(**query: str) -> AppTest:
    app = AppTest.from_function(_script, default_timeout=30)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def _pretty(text: str) -> str:
    """How a title writes the formula (x⁴ − 2·x² + y²)."""
    return to_text(parse(text).tree, PRETTY)


def _shown(app: AppTest) -> dict[str, str]:
    return dict(element.value.split(": ", 1) for element in app.text)


def _latex(app: AppTest) -> str:
    """The first LaTeX element's body (Streamlit wraps it in $$ lines)."""
    return app.latex[0].value.strip("$\n")


def _errors(app: AppTest) -> str:
    return " ".join(element.value for element in app.error)


def test_default_formula_draws_from_its_parsed_tree():
    app = _app()
    assert not app.exception
    assert app.text_input(key="formula").value == DEFAULT_FORMULA
    assert _shown(app)["title"].endswith(_pretty(DEFAULT_FORMULA))
    assert _shown(app)["minima"] == "2"
    assert _latex(app) == "f(x, y) = " + parse(DEFAULT_FORMULA).latex
    assert not app.error and not app.warning


def test_a_valid_formula_draws():
    app = _app()
    app.text_input(key="formula").set_value("x^2 + 3*y^2").run()
    assert not app.exception
    assert _shown(app)["title"].endswith(_pretty("x^2 + 3*y^2"))
    assert _shown(app)["minima"] == "1"
    assert _latex(app) == "f(x, y) = " + parse("x^2 + 3*y^2").latex
    assert not app.error


def test_an_invalid_formula_shows_the_error_and_keeps_the_previous_surface():
    app = _app()
    app.text_input(key="formula").set_value("x^2 + 3*y^2").run()
    app.text_input(key="formula").set_value("x^2 + z").run()
    assert not app.exception
    assert "unknown name" in _errors(app) and "column 7" in _errors(app)
    assert _shown(app)["title"].endswith(_pretty("x^2 + 3*y^2"))
    assert _latex(app) == "f(x, y) = " + parse("x^2 + 3*y^2").latex
    assert any("last formula that worked" in caption.value for caption in app.caption)
    app.text_input(key="formula").set_value("sin(x) + y^2").run()
    assert not app.error
    assert _shown(app)["title"].endswith(_pretty("sin(x) + y^2"))


@pytest.mark.parametrize(
    "attack",
    [
        "__import__('os').system('echo pwned')",
        "().__class__.__bases__[0].__subclasses__()",
        "9**9**9**9",
        "x" * 5000,
        "lambda: open('/etc/passwd')",
    ],
)
def test_a_link_carrying_an_attack_opens_the_default_with_a_notice(attack):
    app = _app(formula=attack)
    assert not app.exception
    assert app.text_input(key="formula").value == DEFAULT_FORMULA
    assert _shown(app)["title"].endswith(_pretty(DEFAULT_FORMULA))
    notices = " ".join(element.value for element in app.warning)
    assert "refused" in notices
    assert not app.error


def test_a_link_with_a_good_formula_and_domain_opens_it():
    app = _app(formula="(x - 1)^2 + y^2", xmin="-3", xmax="3", ymin="-1", ymax="1")
    assert not app.exception and not app.warning
    assert _shown(app)["title"].endswith(_pretty("(x - 1)^2 + y^2"))
    assert _shown(app)["domain"] == "(-3.0, 3.0, -1.0, 1.0)"


@pytest.mark.parametrize(
    "domain",
    [
        {"xmin": "banana"},
        {"xmin": "5", "xmax": "1"},
        {"ymax": "nan"},
    ],
)
def test_a_link_with_a_bad_domain_opens_a_valid_one_with_a_notice(domain):
    app = _app(**domain)
    assert not app.exception
    assert app.warning
    x_min, x_max, y_min, y_max = eval_free_domain(_shown(app)["domain"])
    assert x_min < x_max and y_min < y_max


def eval_free_domain(text: str) -> tuple[float, ...]:
    """'(-2.0, 2.0, -2.0, 2.0)' -> the four floats."""
    return tuple(float(part) for part in text.strip("()").split(","))


def test_choosing_an_example_fills_formula_and_domain():
    example = EXAMPLES[2]
    app = _app()
    app.selectbox(key="formula_example").set_value(example.name).run()
    assert not app.exception
    assert app.text_input(key="formula").value == example.formula
    assert eval_free_domain(_shown(app)["domain"]) == example.domain
    assert _shown(app)["title"].endswith(_pretty(example.formula))


def test_a_bad_domain_typed_in_shows_an_error_and_keeps_the_last_domain():
    app = _app()
    app.number_input(key="xmin").set_value(3.0).run()
    assert not app.exception
    assert "x min must be below x max" in _errors(app)
    assert eval_free_domain(_shown(app)["domain"]) == DEFAULT_DOMAIN


def test_a_formula_without_finite_values_is_refused_beside_the_box():
    app = _app()
    app.text_input(key="formula").set_value("sqrt(-1 - x^2)").run()
    assert not app.exception
    assert "no finite value" in _errors(app)
    assert _shown(app)["title"].endswith(_pretty(DEFAULT_FORMULA))


def test_the_explorer_descends_a_formula_from_the_link():
    app = open_page("explorer.py", surface="custom", formula="(x - 1)^2 + 2*(y + 0.5)^2")
    assert_clean(app)
    assert app.text_input(key="formula").value == "(x - 1)^2 + 2*(y + 0.5)^2"
    verdicts = " ".join(element.value for element in app.success)
    assert "global minimum (1, -0.5)" in verdicts


def test_the_explorer_opens_an_attack_link_with_the_default_formula():
    app = open_page("explorer.py", surface="custom", formula="getattr(x, '__class__')")
    assert_clean(app)
    assert app.text_input(key="formula").value == DEFAULT_FORMULA
    assert "refused" in " ".join(element.value for element in app.warning)
