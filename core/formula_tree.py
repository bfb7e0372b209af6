"""The expression tree of a typed formula f(x, y), and constructors that simplify as they build.

A tree has five kinds of node: Number (a float64 literal, or the named constants pi and e),
Variable (x or y), Negation (−u), Binary (u + v, u − v, u·v, u/v, u^v) and Call (a function of
the table in core.formula_functions applied to its arguments). Nodes are immutable and compared
by identity, so a derivative can share the subtrees it reuses.

The parser builds nodes directly, keeping the formula exactly as typed (for display). The
derivative rules build through `add`, `subtract`, `multiply`, `divide`, `power` and `negate`,
which fold constants and drop the identities 0 + u, 1·u, 0·u, u^1, u^0 and −(−u), and move signs
and constant factors outward (−(c·u) = (−c)·u, (−u) + v = v − u): enough to keep derivatives short,
not a computer-algebra system.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Number:
    """A float64 constant; `symbol` is "pi" or "e" for a named constant, "" for a literal."""

    value: float
    symbol: str = ""


@dataclass(frozen=True, eq=False)
class Variable:
    """The coordinate x or y."""

    name: str


@dataclass(frozen=True, eq=False)
class Negation:
    """−operand."""

    operand: Node


@dataclass(frozen=True, eq=False)
class Binary:
    """left ∘ right for ∘ one of + − * / ^ (the key of BINARY_OPERATORS)."""

    operator: str
    left: Node
    right: Node


@dataclass(frozen=True, eq=False)
class Call:
    """function(arguments...), the function named in core.formula_functions.FUNCTIONS."""

    function: str
    arguments: tuple[Node, ...]


Node = Number | Variable | Negation | Binary | Call

BINARY_OPERATORS: dict[str, Callable] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "^": operator.pow,
}
"""Each operator on float64 scalars or arrays (numpy semantics: inf and nan, never an exception)."""

ZERO = Number(0.0)
ONE = Number(1.0)
TWO = Number(2.0)
HALF = Number(0.5)


def children(node: Node) -> tuple[Node, ...]:
    """The direct subtrees of `node`, left to right."""
    if isinstance(node, Negation):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.arguments
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def variables_of(node: Node) -> frozenset[str]:
    """The names of the variables the tree depends on."""
    return frozenset(n.name for n in walk(node) if isinstance(n, Variable))


def is_number(node: Node, value: float | None = None) -> bool:
    """Whether `node` is a constant (equal to `value`, when one is given)."""
    return isinstance(node, Number) and (value is None or node.value == value)


def folded(function: Callable, *values: float) -> Number:
    """Number(function(values...)) computed in float64, inf or nan rather than an exception."""
    with np.errstate(all="ignore"):
        return Number(float(function(*(np.float64(v) for v in values))))


def add(left: Node, right: Node) -> Node:
    """left + right, simplified."""
    if is_number(left) and is_number(right):
        return folded(operator.add, left.value, right.value)
    if is_number(left, 0.0):
        return right
    if is_number(right, 0.0):
        return left
    if isinstance(right, Negation):
        return Binary("-", left, right.operand)
    if isinstance(left, Negation):
        return subtract(right, left.operand)
    return Binary("+", left, right)


def subtract(left: Node, right: Node) -> Node:
    """left − right, simplified."""
    if is_number(left) and is_number(right):
        return folded(operator.sub, left.value, right.value)
    if is_number(right, 0.0):
        return left
    if is_number(left, 0.0):
        return negate(right)
    if isinstance(right, Negation):
        return Binary("+", left, right.operand)
    return Binary("-", left, right)


def multiply(left: Node, right: Node) -> Node:
    """left · right, simplified (a constant factor moves to the front)."""
    if is_number(left) and is_number(right):
        return folded(operator.mul, left.value, right.value)
    if is_number(right):
        left, right = right, left
    if is_number(left, 0.0):
        return ZERO
    if is_number(left, 1.0):
        return right
    if is_number(left, -1.0):
        return negate(right)
    if isinstance(left, Negation):
        return negate(multiply(left.operand, right))
    if isinstance(right, Negation):
        return negate(multiply(left, right.operand))
    if is_number(left) and _is_scaled(right):
        return multiply(folded(operator.mul, left.value, right.left.value), right.right)
    if _is_scaled(right):
        return multiply(right.left, multiply(left, right.right))
    if _is_scaled(left):
        return multiply(left.left, multiply(left.right, right))
    return Binary("*", left, right)


def _is_scaled(node: Node) -> bool:
    """Whether node is c·u with c a constant (so that a·(c·u) folds to (ac)·u)."""
    return isinstance(node, Binary) and node.operator == "*" and is_number(node.left)


def divide(left: Node, right: Node) -> Node:
    """left / right, simplified."""
    if is_number(left) and is_number(right):
        return folded(operator.truediv, left.value, right.value)
    if is_number(right, 1.0):
        return left
    if is_number(left, 0.0):
        return ZERO
    if isinstance(left, Negation):
        return negate(divide(left.operand, right))
    return Binary("/", left, right)


def power(base: Node, exponent: Node) -> Node:
    """base ^ exponent, simplified."""
    if is_number(base) and is_number(exponent):
        return folded(operator.pow, base.value, exponent.value)
    if is_number(exponent, 1.0):
        return base
    if is_number(exponent, 0.0):
        return ONE
    return Binary("^", base, exponent)


def negate(operand: Node) -> Node:
    """−operand, simplified."""
    if is_number(operand):
        return Number(-operand.value)
    if isinstance(operand, Negation):
        return operand.operand
    if _is_scaled(operand):
        return multiply(Number(-operand.left.value), operand.right)
    return Negation(operand)
