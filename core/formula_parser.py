"""Read a typed formula f(x, y) safely: a whitelist over Python's own expression grammar.

The text is never executed. In order:
1. at most MAXIMUM_LENGTH characters, all from ALLOWED_CHARACTERS (plain ASCII: a look-alike
   letter such as the Cyrillic 'х' is refused with its column, and a sign the app itself prints,
   such as ×, ² or π, with the ASCII to type instead);
2. `^` becomes `**` (a column map remembers where each character came from);
3. `ast.parse(text, mode="eval")`, its SyntaxError, ValueError, MemoryError, RecursionError and
   OverflowError turned into a FormulaError;
4. a walk that accepts only numbers (exactly int or float, converted to float64), the names x, y,
   pi and e, + − * / ** and unary ±, and calls of a plain name from the function table with the
   exact arity, no keywords and no starred arguments; at most MAXIMUM_NODES nodes and
   MAXIMUM_DEPTH levels, where a chain of + and − (or of * and /) counts as one level, since
   x + x + ... + x is flat to a reader although Python nests it;
5. every part without x or y is computed once: a non-finite constant (9^9^9, 1/0, log(0)) is
   refused where it stands.
Every refusal is a FormulaError with a message for a student and the 1-based column; text that
Python cannot read is searched for the usual typos (x^^2, sin x, 2x, x y) to say which one.
"""

from __future__ import annotations

import ast
import re
import string
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.formula_functions import ARITY_WORDS, FUNCTIONS, PUBLIC_FUNCTIONS
from core.formula_program import Program
from core.formula_render import to_text
from core.formula_tree import Binary, Call, Negation, Node, Number, Variable

MAXIMUM_LENGTH = 200
MAXIMUM_NODES = 150
MAXIMUM_DEPTH = 32
ALLOWED_CHARACTERS = frozenset(string.ascii_letters + string.digits + " +-*/^().,_")
VARIABLES = ("x", "y")
NAMED_CONSTANTS = {"pi": float(np.pi), "e": float(np.e)}
SUGGESTIONS = {
    "ln": "log",
    "atan": "arctan",
    "asin": "arcsin",
    "acos": "arccos",
    "X": "x",
    "Y": "y",
    "PI": "pi",
    "Pi": "pi",
    "sqr": "x^2",
    "pow": "^",
    "power": "^",
    "exponential": "exp",
    "sgn": "abs",
    "minimum": "min",
    "maximum": "max",
    "logistic": "sigmoid",
}
ASCII_FOR = {
    "×": "*",
    "·": "*",
    "⋅": "*",
    "∗": "*",
    "−": "-",
    "–": "-",
    "—": "-",
    "÷": "/",
    "∕": "/",
    "⁄": "/",
    "²": "^2",
    "³": "^3",
    "⁴": "^4",
    "¹": "^1",
    "⁰": "^0",
    "½": "0.5",
    "π": "pi",
    "√": "sqrt(...)",
    "ˆ": "^",
    "＾": "^",
    "（": "(",
    "）": ")",
}
"""Signs the app prints (or a keyboard offers) and the ASCII a formula spells them with."""
SIGN_NAMES = {"*": "times", "-": "minus", "/": "divided by", "sqrt(...)": "the square root"}
OPERATOR_RUN = r"[-+*/^](?:\s*[-+*/^])+"
VALID_OPERATOR_RUN = r"(?:\*\*|[-+*/^])[-+]*"
NUMBER_BEFORE_TERM = (
    r"(?<![A-Za-z0-9_.])(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)\s*([A-Za-z_]\w*|\()"
)
NAME_THEN_TERM = r"\b([A-Za-z_]\w*)\s+([A-Za-z_]\w*|\d+\.?\d*|\.\d+)"
TERM_THEN_TERM = r"([\w.)])\s+([A-Za-z_(]|\d)"
"""Patterns of the usual typos, searched only in text that Python could not read."""
BINARY_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
REFUSED_NODES = {
    "Attribute": "a dot after a name (attribute access) is not allowed",
    "Subscript": "square brackets are not allowed",
    "Lambda": "'lambda' is not allowed",
    "Compare": "comparisons are not allowed",
    "BoolOp": "'and' and 'or' are not allowed",
    "IfExp": "'if ... else' is not allowed",
    "Tuple": "a comma is only allowed between the arguments of min or max",
    "GeneratorExp": "'for' inside a formula is not allowed",
    "Starred": "a '*' in front of an argument is not allowed",
    "Await": "'await' is not allowed",
    "Yield": "'yield' is not allowed",
    "NamedExpr": "':=' is not allowed",
}
REFUSED_OPERATORS = {
    "FloorDiv": "'//' is not allowed",
    "Not": "'not' is not allowed",
}


class FormulaError(ValueError):
    """A formula that cannot be used: `message` says why, `column` (1-based) where, if known."""

    def __init__(self, problem: str, column: int | None = None, hint: str = "") -> None:
        self.problem, self.column, self.hint = problem, column, hint
        where = f" at column {column}" if column is not None else ""
        message = f"{problem}{where}" + (f": {hint}" if hint else "")
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self)


@dataclass
class _Source:
    """The text given to ast.parse and, for each of its characters, the user's column."""

    text: str
    columns: list[int]

    def column(self, node: ast.AST) -> int:
        offset = node.col_offset
        return self.columns[min(offset, len(self.columns) - 1)] if self.columns else 1


def parse_tree(text: object) -> Node:
    """The formula tree of `text`, exactly as typed; FormulaError for anything else."""
    source = _checked_source(text)
    expression = _python_tree(source, str(text))
    reader = _Reader(source)
    return reader.read(expression.body, depth=1)


def _checked_source(text: object) -> _Source:
    if not isinstance(text, str):
        raise FormulaError("the formula must be text")
    if len(text) > MAXIMUM_LENGTH:
        raise FormulaError(f"the formula is longer than {MAXIMUM_LENGTH} characters")
    for index, character in enumerate(text):
        if character not in ALLOWED_CHARACTERS:
            raise _character_error(character, index + 1)
    if not text.strip():
        raise FormulaError("the formula is empty", hint="type one such as x^2 + 3*y^2")
    return _powers_spelt_for_python(text)


def _character_error(character: str, column: int) -> FormulaError:
    if character in ASCII_FOR:
        ascii_text = ASCII_FOR[character]
        return FormulaError(
            f"the sign {character!r} is not plain ASCII",
            column,
            f"type {ascii_text} instead"
            + (f" (for {SIGN_NAMES[ascii_text]})" if ascii_text in SIGN_NAMES else ""),
        )
    if character.isalpha():
        return FormulaError(
            f"the letter {character!r} is not a plain Latin letter",
            column,
            "type x, y and function names with an English keyboard",
        )
    return FormulaError(
        f"unexpected character {character!r}",
        column,
        "use numbers, x, y, pi, e, + - * / ^, brackets and functions like sin(x)",
    )


def _powers_spelt_for_python(text: str) -> _Source:
    """Leading spaces dropped, ^ written **, with the user's 1-based column of each character."""
    start = len(text) - len(text.lstrip())
    characters, columns = [], []
    for index in range(start, len(text)):
        pieces = "**" if text[index] == "^" else text[index]
        characters.append(pieces)
        columns.extend([index + 1] * len(pieces))
    return _Source("".join(characters), columns)


def _python_tree(source: _Source, typed: str) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # "1if x": a refusal follows anyway
            return ast.parse(source.text, mode="eval")
    except SyntaxError as error:
        raise (_typo(typed) or _syntax_error(source, error)) from None
    except (ValueError, MemoryError, RecursionError, OverflowError):
        raise FormulaError("the formula is too complicated to read") from None


def _syntax_error(source: _Source, error: SyntaxError) -> FormulaError:
    opened, closed = source.text.count("("), source.text.count(")")
    at_end = not error.offset or error.offset > len(source.text.rstrip())
    end_column = source.columns[-1] + 1
    column = end_column if at_end else source.columns[error.offset - 1]
    if opened > closed:
        return FormulaError("a bracket is not closed", column, "add the missing ')'")
    if closed > opened:
        return FormulaError("there is a ')' without its '('", column)
    if at_end:
        return FormulaError("the formula stops too early", column, "it needs one more term")
    return FormulaError(
        "the formula cannot be read", column, "check for a missing operator: write 2*x, not 2x"
    )


def _typo(typed: str) -> FormulaError | None:
    """The first usual typo in text Python could not read, with the fix; None if none is seen."""
    for run in re.finditer(OPERATOR_RUN, typed):
        signs = re.sub(r"\s", "", run.group())
        if not re.fullmatch(VALID_OPERATOR_RUN, signs):
            power = signs.replace("**", "^").startswith("^")
            return FormulaError(
                f"two operators in a row ({signs!r})",
                run.start() + 1,
                "write one ^ (or **) for a power, as in x^2"
                if power
                else "keep one of them, or put a number or a variable between them",
            )
    for match in re.finditer(NAME_THEN_TERM, typed):
        name, argument = match.groups()
        if name in PUBLIC_FUNCTIONS:
            return FormulaError(
                f"{name} needs its argument in brackets",
                match.start() + 1,
                f"write {name}({argument})",
            )
    for match in re.finditer(NUMBER_BEFORE_TERM, typed):
        number, term = match.groups()
        return FormulaError(
            f"a number stands right before {'a bracket' if term == '(' else repr(term)}",
            match.start() + 1,
            f"write {number}*{term} (a * between factors)",
        )
    for match in re.finditer(TERM_THEN_TERM, typed):
        return FormulaError(
            "two terms stand side by side without an operator",
            match.start(2) + 1,
            "write * between factors, as in x*y",
        )
    return None


class _Reader:
    """Converts the whitelisted Python nodes into formula nodes, counting and bounding them."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.count = 0

    def read(self, node: ast.AST, depth: int) -> Node:
        column = self.source.column(node)
        self.count += 1
        if self.count > MAXIMUM_NODES:
            raise FormulaError(
                f"the formula has more than {MAXIMUM_NODES} parts",
                column,
                "write a shorter formula",
            )
        if depth > MAXIMUM_DEPTH:
            raise FormulaError(
                f"the formula is nested more than {MAXIMUM_DEPTH} levels deep", column
            )
        reader = _READERS.get(type(node))
        if reader is None:
            problem = REFUSED_NODES.get(
                type(node).__name__, "this kind of expression is not allowed in a formula"
            )
            raise FormulaError(problem, column)
        result = reader(self, node, depth + 1)
        _check_constant(result, column)
        return result

    def constant(self, node: ast.Constant, depth: int) -> Node:
        if type(node.value) not in (int, float):
            raise FormulaError("only numbers are allowed as constants", self.source.column(node))
        try:
            value = float(node.value)
        except OverflowError:
            value = np.inf
        if not np.isfinite(value):
            raise FormulaError("the number is too large", self.source.column(node))
        return Number(value)

    def name(self, node: ast.Name, depth: int) -> Node:
        if node.id in VARIABLES:
            return Variable(node.id)
        if node.id in NAMED_CONSTANTS:
            return Number(NAMED_CONSTANTS[node.id], node.id)
        raise _unknown_name(node.id, self.source.column(node), called=False)

    def unary(self, node: ast.UnaryOp, depth: int) -> Node:
        operand = self.read(node.operand, depth)
        if isinstance(node.op, ast.USub):
            return Negation(operand)
        if isinstance(node.op, ast.UAdd):
            return operand
        raise _operator_error(node.op, self.source.column(node))

    def binary(self, node: ast.BinOp, depth: int) -> Node:
        symbol = BINARY_SYMBOLS.get(type(node.op))
        if symbol is None:
            raise _operator_error(node.op, self.source.column(node))
        left_depth = depth - 1 if _same_chain(node, node.left, left=True) else depth
        right_depth = depth - 1 if _same_chain(node, node.right, left=False) else depth
        return Binary(symbol, self.read(node.left, left_depth), self.read(node.right, right_depth))

    def call(self, node: ast.Call, depth: int) -> Node:
        column = self.source.column(node)
        if not isinstance(node.func, ast.Name):
            factor = (
                f"{node.func.value:g}*(...)"
                if isinstance(node.func, ast.Constant) and type(node.func.value) in (int, float)
                else "(...)*(...)"
            )
            raise FormulaError(
                "only a function name such as sin can be followed by brackets",
                column,
                f"write {factor} (a * between factors)",
            )
        name = node.func.id
        if name not in PUBLIC_FUNCTIONS:
            raise _unknown_name(name, column, called=True)
        if node.keywords:
            raise FormulaError(f"{name} takes no named arguments", column)
        arity = FUNCTIONS[name].arity
        if len(node.args) != arity:
            raise FormulaError(
                f"{name} takes {ARITY_WORDS[arity]}", column, f"it was given {len(node.args)}"
            )
        return Call(name, tuple(self.read(argument, depth) for argument in node.args))


CHAINS = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))
"""Operators whose chains read flat: a + b − c + d is one level, as are a*b/c*d."""


def _same_chain(parent: ast.BinOp, child: ast.AST, left: bool) -> bool:
    """Whether child continues parent's chain: any operand of the same chain on the left (Python
    nests a + b + c to the left), and on the right only a + (b + c) or a*(b*c), which regroup."""
    if not isinstance(child, ast.BinOp):
        return False
    for chain in CHAINS:
        if isinstance(parent.op, chain) and isinstance(child.op, chain):
            return left or (type(parent.op) is type(child.op) is chain[0])
    return False


_READERS: dict[type, Callable[[_Reader, ast.AST, int], Node]] = {
    ast.Constant: _Reader.constant,
    ast.Name: _Reader.name,
    ast.UnaryOp: _Reader.unary,
    ast.BinOp: _Reader.binary,
    ast.Call: _Reader.call,
}


def _unknown_name(name: str, column: int, called: bool) -> FormulaError:
    if name in PUBLIC_FUNCTIONS:
        return FormulaError(f"{name} needs an argument in brackets", column, f"write {name}(x)")
    if called and name in (*VARIABLES, *NAMED_CONSTANTS):
        return FormulaError(f"{name} is not a function", column, f"write {name}*(...)")
    if name in SUGGESTIONS:
        return FormulaError(f"unknown name {name!r}", column, f"use {SUGGESTIONS[name]}")
    if set(name) <= set(VARIABLES):
        return FormulaError(
            f"unknown name {name!r}", column, f"write {'*'.join(name)} (a * between factors)"
        )
    for function in sorted(PUBLIC_FUNCTIONS, key=len, reverse=True):
        rest = name[len(function) :]
        if name.startswith(function) and rest and (rest in VARIABLES or rest.isdigit()):
            return FormulaError(
                f"unknown name {name!r}", column, f"write {function}({rest}) (brackets)"
            )
    if called:
        return FormulaError(
            f"unknown function {name!r}", column, f"use one of {', '.join(PUBLIC_FUNCTIONS)}"
        )
    return FormulaError(f"unknown name {name!r}", column, "use x and y")


def _operator_error(operator: ast.AST, column: int) -> FormulaError:
    problem = REFUSED_OPERATORS.get(type(operator).__name__, "this operator is not allowed")
    return FormulaError(problem, column, "use + - * / and ^")


def _check_constant(node: Node, column: int) -> None:
    """Refuse a part without x and y whose value is not a finite number."""
    if isinstance(node, Number | Variable) or not _is_constant(node):
        return
    (value,) = Program((node,)).run(0.0, 0.0)
    if not np.isfinite(value):
        result = "not a real number" if np.isnan(value) else "infinite (too large to compute)"
        raise FormulaError(f"{to_text(node)} is {result}", column)


def _is_constant(node: Node) -> bool:
    if isinstance(node, Variable):
        return False
    if isinstance(node, Negation):
        return _is_constant(node.operand)
    if isinstance(node, Binary):
        return _is_constant(node.left) and _is_constant(node.right)
    if isinstance(node, Call):
        return all(_is_constant(argument) for argument in node.arguments)
    return True
