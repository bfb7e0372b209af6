"""A function f(x, y) typed by a user: parsed safely, with its exact gradient and Hessian.

    formula = core.formula.parse("x^4 - 2*x^2 + y^2")
    formula.text, formula.latex                 # rendered from the parsed tree
    formula.value(points)                       # (..., 2) -> (...)
    formula.grad(points), formula.hessian(points)   # (..., 2) and (..., 2, 2)
    formula.gradient_components(x, y)           # floats or arrays, like a core surface

`parse` raises FormulaError (a ValueError with a message and a column) for anything that is not
a formula; see core.formula_parser for the whitelist and the bounds. The derivatives are exact:
the parsed tree is differentiated by the rules of calculus (core.formula_derivative), not by
finite differences, and evaluated by core.formula_program. Nothing here calls Python's eval,
exec or compile on the text, and no third-party expression evaluator is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.formula_derivative import Differentiator
from core.formula_functions import PUBLIC_FUNCTIONS, apply
from core.formula_parser import MAXIMUM_LENGTH, FormulaError, parse_tree
from core.formula_program import Program
from core.formula_render import to_latex, to_text
from core.formula_tree import (
    Binary,
    Call,
    Negation,
    Node,
    Number,
    Variable,
    add,
    children,
    divide,
    multiply,
    negate,
    power,
    subtract,
    variables_of,
)

__all__ = ["MAXIMUM_LENGTH", "PUBLIC_FUNCTIONS", "Formula", "FormulaError", "parse"]

DISPLAY_LIMIT = 120
"""Derivatives longer than this many nodes are not typeset (they would not help a reader)."""

_SIMPLIFYING = {"+": add, "-": subtract, "*": multiply, "/": divide, "^": power}


@dataclass(frozen=True, eq=False)
class Formula:
    """A parsed f(x, y): its tree as typed, canonical text, LaTeX and derivative trees.

    gradient_trees are (∂f/∂x, ∂f/∂y); hessian_trees are (∂²f/∂x², ∂²f/∂x∂y, ∂²f/∂y²).
    """

    tree: Node
    text: str
    latex: str
    gradient_trees: tuple[Node, Node]
    hessian_trees: tuple[Node, Node, Node]
    _programs: dict[str, Program] = field(repr=False)

    @property
    def variables(self) -> frozenset[str]:
        """The variables f depends on: a subset of {"x", "y"}."""
        return variables_of(self.tree)

    # ----- components: x and y floats or arrays of broadcastable shapes --------------------
    def value_components(self, x: Any, y: Any) -> Any:
        """f(x, y)."""
        return self._programs["value"].run(x, y)[0]

    def gradient_components(self, x: Any, y: Any) -> tuple[Any, Any]:
        """(∂f/∂x, ∂f/∂y) at (x, y)."""
        return self._programs["gradient"].run(x, y)

    def hessian_components(self, x: Any, y: Any) -> tuple[Any, Any, Any]:
        """(∂²f/∂x², ∂²f/∂x∂y, ∂²f/∂y²) at (x, y)."""
        return self._programs["hessian"].run(x, y)

    # ----- points of shape (..., 2) ----------------------------------------------------------
    def value(self, points: Any) -> np.ndarray:
        """f at points (..., 2) -> (...)."""
        points = np.asarray(points, np.float64)
        return np.asarray(self._programs["value"].run(points[..., 0], points[..., 1])[0])

    def grad(self, points: Any) -> np.ndarray:
        """∇f at points (..., 2) -> (..., 2)."""
        points = np.asarray(points, np.float64)
        f_x, f_y = self._programs["gradient"].run(points[..., 0], points[..., 1])
        return np.stack([f_x, f_y], axis=-1)

    def hessian(self, points: Any) -> np.ndarray:
        """∇²f at points (..., 2) -> (..., 2, 2), symmetric."""
        points = np.asarray(points, np.float64)
        f_xx, f_xy, f_yy = self._programs["hessian"].run(points[..., 0], points[..., 1])
        return np.stack([np.stack([f_xx, f_xy], -1), np.stack([f_xy, f_yy], -1)], -2)

    # ----- display ------------------------------------------------------------------------------
    def gradient_latex(self) -> tuple[str, str] | None:
        """LaTeX of ∂f/∂x and ∂f/∂y, or None when either is too long to be worth reading."""
        if not all(_fits(tree, DISPLAY_LIMIT) for tree in self.gradient_trees):
            return None
        f_x, f_y = self.gradient_trees
        return to_latex(f_x), to_latex(f_y)


def parse(text: object) -> Formula:
    """The Formula typed in `text`, or FormulaError saying what is wrong and at which column."""
    tree = parse_tree(text)
    computed = simplified(tree)
    by_x, by_y = Differentiator("x"), Differentiator("y")
    f_x, f_y = by_x(computed), by_y(computed)
    f_xx, f_xy, f_yy = by_x(f_x), by_y(f_x), by_y(f_y)
    programs = {
        "value": Program((computed,)),
        "gradient": Program((f_x, f_y)),
        "hessian": Program((f_xx, f_xy, f_yy)),
    }
    return Formula(tree, to_text(tree), to_latex(tree), (f_x, f_y), (f_xx, f_xy, f_yy), programs)


def simplified(node: Node) -> Node:
    """The same function rebuilt through the simplifying constructors (constants folded)."""
    if isinstance(node, Number | Variable):
        return node
    parts = tuple(simplified(child) for child in children(node))
    if isinstance(node, Negation):
        return negate(parts[0])
    if isinstance(node, Binary):
        return _SIMPLIFYING[node.operator](*parts)
    if isinstance(node, Call):
        return apply(node.function, *parts)
    raise TypeError(f"not a formula node: {node!r}")


def _fits(node: Node, limit: int) -> bool:
    """Whether the tree, written out in full, has at most `limit` nodes (stops counting early)."""
    stack, count = [node], 0
    while stack:
        count += 1
        if count > limit:
            return False
        stack.extend(children(stack.pop()))
    return True
