"""Show a formula tree as canonical text (which parses back to the same tree) or as LaTeX.

The raw text a user typed is never shown: these renderers write the tree, so what reaches a
LaTeX viewer is built only from numbers, x, y and this module's own commands.

Precedence, loosest first: + − (1), * / (2), unary minus (3), ^ (4), atoms (5). A child gets
brackets when it binds more loosely than its place needs; + − * / group to the left and ^ to the
right, as in Python and in mathematics (−x^2 = −(x^2), x^y^z = x^(y^z)).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.formula_functions import FUNCTIONS
from core.formula_tree import Binary, Call, Negation, Node, Number, Variable

PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}
NEGATION_PRECEDENCE = 3
ATOM_PRECEDENCE = 5
LATEX_SYMBOLS = {"pi": r"\pi", "e": "e"}


def precedence(node: Node) -> int:
    """How tightly the node's own text binds (a negative literal counts as a negation)."""
    if isinstance(node, Binary):
        return PRECEDENCE[node.operator]
    if isinstance(node, Negation) or (isinstance(node, Number) and node.value < 0):
        return NEGATION_PRECEDENCE
    return ATOM_PRECEDENCE


def _operand_needs_brackets(parent: Binary, child: Node, side: str) -> bool:
    """Whether `child`, the `side` ("left" or "right") operand of `parent`, needs brackets."""
    own, inner = PRECEDENCE[parent.operator], precedence(child)
    if parent.operator == "^":
        return inner <= own if side == "left" else inner < own
    return inner < own if side == "left" else inner <= own


def number_text(value: float) -> str:
    """The shortest text that reads back as the same float64: 2, 0.5, 1e-05."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


@dataclass(frozen=True)
class Notation:
    """How plain text writes the operators: ASCII that parses back, or Unicode for titles."""

    symbols: dict[str, str]
    superscripts: bool = False


CANONICAL = Notation({"+": "+", "-": "-", "*": "*", "/": "/", "^": "^", "negation": "-"})
PRETTY = Notation(
    {"+": "+", "-": "−", "*": "·", "/": "/", "^": "^", "negation": "−"}, superscripts=True
)
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def to_text(node: Node, notation: Notation = CANONICAL) -> str:
    """Canonical text `x^4 - 2*x^2 + y^2` (parses back to the same tree), or with
    notation=PRETTY the Unicode `x⁴ − 2·x² + y²` for titles (no Markdown sign in it)."""
    if isinstance(node, Number):
        return node.symbol or number_text(node.value)
    if isinstance(node, Variable):
        return node.name
    if isinstance(node, Negation):
        inner = _bracketed_text(
            node.operand, precedence(node.operand) < NEGATION_PRECEDENCE, notation
        )
        return notation.symbols["negation"] + inner
    if isinstance(node, Call):
        arguments = ", ".join(to_text(a, notation) for a in node.arguments)
        return f"{node.function}({arguments})"
    left = _bracketed_text(node.left, _operand_needs_brackets(node, node.left, "left"), notation)
    if node.operator == "^" and notation.superscripts and _small_whole_number(node.right):
        return left + number_text(node.right.value).translate(_SUPERSCRIPT_DIGITS)
    right = _bracketed_text(
        node.right, _operand_needs_brackets(node, node.right, "right"), notation
    )
    spacer = " " if node.operator in "+-" else ""
    return f"{left}{spacer}{notation.symbols[node.operator]}{spacer}{right}"


def _small_whole_number(node: Node) -> bool:
    return isinstance(node, Number) and not node.symbol and node.value in range(0, 100)


def _bracketed_text(node: Node, brackets: bool, notation: Notation) -> str:
    text = to_text(node, notation)
    return f"({text})" if brackets else text


def number_latex(value: float) -> str:
    """1.5e-05 -> 1.5 \\cdot 10^{-5}."""
    text = number_text(value)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"


def to_latex(node: Node) -> str:
    """LaTeX for KaTeX: x^{4} - 2 x^{2} + y^{2}, \\frac{...}{...}, \\sin\\left(x\\right)."""
    if isinstance(node, Number):
        return LATEX_SYMBOLS[node.symbol] if node.symbol else number_latex(node.value)
    if isinstance(node, Variable):
        return node.name
    if isinstance(node, Negation):
        fraction = isinstance(node.operand, Binary) and node.operand.operator == "/"
        brackets = precedence(node.operand) < NEGATION_PRECEDENCE and not fraction
        return "-" + _bracketed_latex(node.operand, brackets)
    if isinstance(node, Call):
        template = FUNCTIONS[node.function].latex
        return template.format(*(to_latex(a) for a in node.arguments))
    return _LATEX_BINARY[node.operator](node)


def _bracketed_latex(node: Node, brackets: bool) -> str:
    latex = to_latex(node)
    return rf"\left({latex}\right)" if brackets else latex


def _operands_latex(node: Binary) -> tuple[str, str]:
    left = _bracketed_latex(node.left, _operand_needs_brackets(node, node.left, "left"))
    right = _bracketed_latex(node.right, _operand_needs_brackets(node, node.right, "right"))
    return left, right


def _sum_latex(node: Binary) -> str:
    left, right = _operands_latex(node)
    return f"{left} {node.operator} {right}"


def _product_latex(node: Binary) -> str:
    """Juxtaposed (2 x, x \\sin(y)) unless the right factor starts with a digit or a sign.
    A product on the right needs no brackets on paper: a (b c) = a b c."""
    left, right = _operands_latex(node)
    if isinstance(node.right, Binary) and node.right.operator == "*":
        right = to_latex(node.right)
    starts_with_number = right[:1].isdigit() or right.startswith(("-", "."))
    return rf"{left} \cdot {right}" if starts_with_number else f"{left}\\,{right}"


def _quotient_latex(node: Binary) -> str:
    return rf"\frac{{{to_latex(node.left)}}}{{{to_latex(node.right)}}}"


def _power_latex(node: Binary) -> str:
    """{base}^{exponent}; the base is bracketed unless it is a letter or a plain number."""
    base = to_latex(node.left)
    simple = isinstance(node.left, Variable) or (base.replace(".", "").isdigit())
    if not simple and not (isinstance(node.left, Number) and node.left.symbol):
        base = rf"\left({base}\right)"
    return f"{{{base}}}^{{{to_latex(node.right)}}}"


_LATEX_BINARY = {
    "+": _sum_latex,
    "-": _sum_latex,
    "*": _product_latex,
    "/": _quotient_latex,
    "^": _power_latex,
}
