"""The formula box's messages help: each typo class is named with its fix, and the fix, typed in,
parses; the caps say their true numbers; depth counts real nesting, not a flat chain."""

from __future__ import annotations

import re

import pytest

from core.formula import FormulaError, parse
from core.formula_parser import MAXIMUM_DEPTH, MAXIMUM_LENGTH, MAXIMUM_NODES


def refusal(text: str) -> FormulaError:
    with pytest.raises(FormulaError) as caught:
        parse(text)
    return caught.value


# (typed, what the message must say, the corrected text a student would type after reading it)
TYPOS = [
    ("x^^2", "two operators in a row", "x^2"),
    ("x**^2 + y", "two operators in a row", "x**2 + y"),
    ("x ^ ^ 3", "two operators in a row", "x ^ 3"),
    ("x^*2", "two operators in a row", "x^2"),
    ("x*/y", "two operators in a row", "x/y"),
    ("x +* y", "two operators in a row", "x + y"),
    ("sin x", "sin needs its argument in brackets", "sin(x)"),
    ("cos y + x^2", "cos needs its argument in brackets", "cos(y) + x^2"),
    ("exp 2 * x", "exp needs its argument in brackets", "exp(2) * x"),
    ("x^2 + log x", "log needs its argument in brackets", "x^2 + log(x)"),
    ("2x", "a number stands right before 'x'", "2*x"),
    ("x^2 + 3y^2", "a number stands right before 'y'", "x^2 + 3*y^2"),
    ("0.5 x + y", "a number stands right before 'x'", "0.5 *x + y"),
    ("1e3x", "a number stands right before 'x'", "1e3*x"),
    ("4sin(x)", "a number stands right before 'sin'", "4*sin(x)"),
    ("x y", "two terms stand side by side", "x*y"),
    ("(x+1) y", "two terms stand side by side", "(x+1)*y"),
]


@pytest.mark.parametrize(("typed", "message", "fixed"), TYPOS)
def test_typos_are_named_and_their_fix_parses(typed, message, fixed):
    error = refusal(typed)
    assert message in str(error), str(error)
    assert error.column is not None and 1 <= error.column <= len(typed)
    assert "missing operator: write 2*x, not 2x" not in str(error) or "2" in typed
    parse(fixed)  # the corrected text is a formula


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [("sin x", "sin(x)"), ("log y + x", "log(y)"), ("2x", "2*x"), ("3.5y", "3.5*y"),
     ("sinx", "sin(x)"), ("cosy + 1", "cos(y)"), ("xy", "x*y"), ("2(x + 1)", "2*(")],
)  # fmt: skip
def test_the_fix_is_spelt_out(typed, suggestion):
    assert f"write {suggestion}" in str(refusal(typed))


def test_a_bracket_after_a_bracket_asks_for_a_times():
    assert "(...)*(...)" in str(refusal("(x + 1)(y - 1)"))


# the signs the app prints in its own formulas and captions, and what to type for each
SIGNS = {"×": "*", "·": "*", "⋅": "*", "−": "-", "–": "-", "÷": "/", "²": "^2", "³": "^3",
         "π": "pi", "√": "sqrt("}  # fmt: skip


@pytest.mark.parametrize("sign", list(SIGNS))
def test_a_sign_the_app_prints_says_which_ascii_to_type(sign):
    typed = {"²": "x² + y", "³": "x³ + y", "π": "π*x + y", "√": "√(x^2) + y"}.get(
        sign, f"x {sign} y"
    )
    error = refusal(typed)
    assert error.column == typed.index(sign) + 1
    assert "not plain ASCII" in str(error)
    assert re.search(rf"type {re.escape(SIGNS[sign])}", str(error)), str(error)
    ascii_text = SIGNS[sign] if sign != "√" else "sqrt"
    parse(typed.replace(sign, ascii_text))  # typing what it says gives a formula


def test_a_look_alike_letter_is_still_refused_as_a_letter():
    assert "not a plain Latin letter" in str(refusal("х + y"))  # Cyrillic х


def test_the_length_cap_says_its_true_number():
    fits = " + ".join(["x^2"] * 40)[:MAXIMUM_LENGTH].rstrip(" +^")
    assert len(fits) <= MAXIMUM_LENGTH
    parse(fits)
    padded = "x + y" + " " * (MAXIMUM_LENGTH - 4)
    assert len(padded) == MAXIMUM_LENGTH + 1
    assert f"longer than {MAXIMUM_LENGTH} characters" in str(refusal(padded))
    assert MAXIMUM_LENGTH == 200


@pytest.mark.parametrize(
    "flat",
    [
        "+".join(["x"] * 40),
        "-".join(["y"] * 35) + " + x",
        "*".join(["x"] * 60),
        "/".join(["(x + 2)"] * 25),
        " + ".join(f"{k}*x*y" for k in range(1, 24)),
        "x + (" * 33 + "y" + ")" * 33,  # a + (b + (c + ...)) regroups to a flat sum
    ],
)
def test_a_flat_chain_is_not_called_nested(flat):
    assert len(flat) <= MAXIMUM_LENGTH
    parse(flat)


@pytest.mark.parametrize(
    "nested",
    [
        "sin(" * 33 + "x" + ")" * 33,
        "-" * 40 + "x",
        "2^" * 34 + "x",
        "x - (" * 33 + "y" + ")" * 33,  # a − (b − (c − ...)) is real nesting
        "exp(-(" * 17 + "x" + "))" * 17,
    ],
)
def test_real_nesting_is_refused_with_the_depth(nested):
    assert len(nested) <= MAXIMUM_LENGTH
    assert f"nested more than {MAXIMUM_DEPTH} levels deep" in str(refusal(nested))


def test_nesting_just_under_the_cap_is_accepted():
    parse("sin(" * (MAXIMUM_DEPTH - 2) + "x" + ")" * (MAXIMUM_DEPTH - 2))


def test_the_node_cap_still_bounds_a_flat_chain():
    chain = "+".join(["x"] * 90)
    error = refusal(chain)
    assert f"more than {MAXIMUM_NODES} parts" in str(error)
    assert "nested" not in str(error)
