"""The functions a formula may call: how each is computed, differentiated and typeset.

Each entry of FUNCTIONS says, next to each other, the NumPy evaluation (float64 scalars or arrays;
inf and nan flow, nothing raises), the partial derivatives as trees (for the chain rule
d f(u₁, …, uₙ) = Σ ∂f/∂uᵢ · duᵢ) and the LaTeX. `sign` is internal: the derivative of abs, min
and max uses it, but a formula cannot call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.formula_tree import (
    HALF,
    ONE,
    TWO,
    ZERO,
    Call,
    Node,
    add,
    divide,
    folded,
    is_number,
    multiply,
    negate,
    power,
    subtract,
)


def sigmoid(value):
    """σ(u) = 1 / (1 + e^{−u}), written as ½(1 + tanh(u/2)) so that it never overflows."""
    return 0.5 + 0.5 * np.tanh(0.5 * value)


def softplus(value):
    """log(1 + e^u) without overflow."""
    return np.logaddexp(0.0, value)


Partials = Callable[[Call], tuple[Node, ...]]
"""Given the call node f(u₁, …, uₙ), the trees ∂f/∂u₁, …, ∂f/∂uₙ."""


@dataclass(frozen=True)
class FunctionSpec:
    """One callable function: its arity, evaluation, partial derivatives and LaTeX.

    latex is a template with {0} (and {1}) for the typeset arguments.
    """

    name: str
    arity: int
    evaluate: Callable
    partials: Partials
    latex: str
    public: bool = True


def apply(name: str, *arguments: Node) -> Node:
    """The call name(arguments...), folded to a Number when every argument is constant."""
    spec = FUNCTIONS[name]
    if all(is_number(argument) for argument in arguments):
        return folded(spec.evaluate, *(argument.value for argument in arguments))
    return Call(name, tuple(arguments))


def _one(rule: Callable[[Node, Node], Node]) -> Partials:
    """Partials of a one-argument function from rule(call, u) = f'(u)."""
    return lambda call: (rule(call, call.arguments[0]),)


def _sign_of_difference(call: Call) -> Node:
    first, second = call.arguments
    return apply("sign", subtract(first, second))


def _minimum_partials(call: Call) -> tuple[Node, Node]:
    """∂min(a, b)/∂a = (1 − sign(a − b))/2 and ∂/∂b = (1 + sign(a − b))/2 (½ each at a tie)."""
    sign = _sign_of_difference(call)
    return multiply(HALF, subtract(ONE, sign)), multiply(HALF, add(ONE, sign))


def _maximum_partials(call: Call) -> tuple[Node, Node]:
    """∂max(a, b)/∂a = (1 + sign(a − b))/2 and ∂/∂b = (1 − sign(a − b))/2."""
    sign = _sign_of_difference(call)
    return multiply(HALF, add(ONE, sign)), multiply(HALF, subtract(ONE, sign))


def _inverse_root_of_one_minus_square(u: Node) -> Node:
    """1/√(1 − u²), the slope of arcsin."""
    return divide(ONE, apply("sqrt", subtract(ONE, power(u, TWO))))


_SPECS = (
    FunctionSpec("sin", 1, np.sin, _one(lambda c, u: apply("cos", u)), r"\sin\left({0}\right)"),
    FunctionSpec(
        "cos", 1, np.cos, _one(lambda c, u: negate(apply("sin", u))), r"\cos\left({0}\right)"
    ),
    FunctionSpec(
        "tan", 1, np.tan, _one(lambda c, u: add(ONE, power(c, TWO))), r"\tan\left({0}\right)"
    ),
    FunctionSpec("exp", 1, np.exp, _one(lambda c, u: c), r"e^{{{0}}}"),
    FunctionSpec("log", 1, np.log, _one(lambda c, u: divide(ONE, u)), r"\ln\left({0}\right)"),
    FunctionSpec("sqrt", 1, np.sqrt, _one(lambda c, u: divide(HALF, c)), r"\sqrt{{{0}}}"),
    FunctionSpec("abs", 1, np.abs, _one(lambda c, u: apply("sign", u)), r"\left|{0}\right|"),
    FunctionSpec(
        "tanh",
        1,
        np.tanh,
        _one(lambda c, u: subtract(ONE, power(c, TWO))),
        r"\tanh\left({0}\right)",
    ),
    FunctionSpec("sinh", 1, np.sinh, _one(lambda c, u: apply("cosh", u)), r"\sinh\left({0}\right)"),
    FunctionSpec("cosh", 1, np.cosh, _one(lambda c, u: apply("sinh", u)), r"\cosh\left({0}\right)"),
    FunctionSpec(
        "arctan",
        1,
        np.arctan,
        _one(lambda c, u: divide(ONE, add(ONE, power(u, TWO)))),
        r"\arctan\left({0}\right)",
    ),
    FunctionSpec(
        "arcsin",
        1,
        np.arcsin,
        _one(lambda c, u: _inverse_root_of_one_minus_square(u)),
        r"\arcsin\left({0}\right)",
    ),
    FunctionSpec(
        "arccos",
        1,
        np.arccos,
        _one(lambda c, u: negate(_inverse_root_of_one_minus_square(u))),
        r"\arccos\left({0}\right)",
    ),
    FunctionSpec(
        "sigmoid",
        1,
        sigmoid,
        _one(lambda c, u: multiply(c, subtract(ONE, c))),
        r"\sigma\left({0}\right)",
    ),
    FunctionSpec(
        "softplus",
        1,
        softplus,
        _one(lambda c, u: apply("sigmoid", u)),
        r"\operatorname{{softplus}}\left({0}\right)",
    ),
    FunctionSpec("min", 2, np.minimum, _minimum_partials, r"\min\left({0}, {1}\right)"),
    FunctionSpec("max", 2, np.maximum, _maximum_partials, r"\max\left({0}, {1}\right)"),
    FunctionSpec(
        "sign",
        1,
        np.sign,
        _one(lambda c, u: ZERO),
        r"\operatorname{{sign}}\left({0}\right)",
        public=False,
    ),
)

FUNCTIONS: dict[str, FunctionSpec] = {spec.name: spec for spec in _SPECS}
PUBLIC_FUNCTIONS: tuple[str, ...] = tuple(spec.name for spec in _SPECS if spec.public)
ARITY_WORDS = {1: "one argument", 2: "two arguments"}
