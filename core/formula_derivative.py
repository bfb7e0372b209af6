"""Exact partial derivatives of a formula tree, by the rules of calculus applied node by node.

`Differentiator(variable)` returns ∂node/∂variable as a new tree that shares the subtrees it
reuses; it remembers every node it has differentiated, so the derivative of a tree of n nodes has
O(n) new nodes and the Hessian (the derivative of the gradient) stays small too.

Rules: (u ± v)' = u' ± v'; (uv)' = u'v + uv'; (u/v)' = u'/v − u v'/v²;
(u^c)' = c u^{c−1} u' for an exponent free of the variable; (c^v)' = c^v ln c · v';
(u^v)' = u^v (v' ln u + v u'/u) otherwise; f(u₁, …, uₙ)' = Σ ∂f/∂uᵢ · uᵢ' (chain rule).
"""

from __future__ import annotations

from collections.abc import Callable

from core.formula_functions import FUNCTIONS, apply
from core.formula_tree import (
    ONE,
    TWO,
    ZERO,
    Binary,
    Call,
    Negation,
    Node,
    Number,
    Variable,
    add,
    divide,
    is_number,
    multiply,
    negate,
    power,
    subtract,
)


class Differentiator:
    """∂/∂variable for the trees of one formula (one instance per variable, reused)."""

    def __init__(self, variable: str) -> None:
        self.variable = variable
        self._known: dict[Node, Node] = {}

    def __call__(self, node: Node) -> Node:
        if node not in self._known:
            rule = _NODE_RULES[type(node)]
            self._known[node] = rule(self, node)
        return self._known[node]


def _number(d: Differentiator, node: Number) -> Node:
    return ZERO


def _variable(d: Differentiator, node: Variable) -> Node:
    return ONE if node.name == d.variable else ZERO


def _negation(d: Differentiator, node: Negation) -> Node:
    return negate(d(node.operand))


def _binary(d: Differentiator, node: Binary) -> Node:
    return _BINARY_RULES[node.operator](d, node.left, node.right, node)


def _call(d: Differentiator, node: Call) -> Node:
    total: Node = ZERO
    partials = FUNCTIONS[node.function].partials(node)
    for argument, partial in zip(node.arguments, partials, strict=True):
        total = add(total, multiply(partial, d(argument)))
    return total


def _sum(d: Differentiator, left: Node, right: Node, node: Binary) -> Node:
    return add(d(left), d(right))


def _difference(d: Differentiator, left: Node, right: Node, node: Binary) -> Node:
    return subtract(d(left), d(right))


def _product(d: Differentiator, left: Node, right: Node, node: Binary) -> Node:
    return add(multiply(d(left), right), multiply(left, d(right)))


def _quotient(d: Differentiator, left: Node, right: Node, node: Binary) -> Node:
    numerator_part = divide(d(left), right)
    denominator_part = divide(multiply(left, d(right)), power(right, TWO))
    return subtract(numerator_part, denominator_part)


def _power(d: Differentiator, base: Node, exponent: Node, node: Binary) -> Node:
    d_base, d_exponent = d(base), d(exponent)
    if is_number(d_exponent, 0.0):
        return multiply(multiply(exponent, power(base, subtract(exponent, ONE))), d_base)
    logarithm = apply("log", base)
    if is_number(d_base, 0.0):
        return multiply(multiply(node, logarithm), d_exponent)
    inner = add(multiply(d_exponent, logarithm), divide(multiply(exponent, d_base), base))
    return multiply(node, inner)


_NODE_RULES: dict[type, Callable[[Differentiator, Node], Node]] = {
    Number: _number,
    Variable: _variable,
    Negation: _negation,
    Binary: _binary,
    Call: _call,
}

_BINARY_RULES: dict[str, Callable[[Differentiator, Node, Node, Binary], Node]] = {
    "+": _sum,
    "-": _difference,
    "*": _product,
    "/": _quotient,
    "^": _power,
}
