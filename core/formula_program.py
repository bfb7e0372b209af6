"""Evaluate formula trees fast: flatten them once into a list of NumPy operations.

`Program(outputs)` numbers every distinct subtree of the output trees (equal subtrees, such as
the cos(x) that appears in both ∂f/∂x and ∂²f/∂x², share one slot) in an order where arguments
come first. `program.run(x, y)` then walks that list once: slot 0 is x, slot 1 is y, constants
are preloaded, and each operation reads its argument slots and appends its result.

Arithmetic is float64 under np.errstate: an overflow is inf, a negative root nan, never an
exception. x and y may be Python floats (the result is a tuple of floats) or arrays of shapes
that broadcast together (the results are arrays of the broadcast shape).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from core.formula_functions import FUNCTIONS
from core.formula_tree import BINARY_OPERATORS, Binary, Call, Negation, Node, Number, Variable

VARIABLE_SLOTS = {"x": 0, "y": 1}
EVALUATION_BLOCK = 16_384
"""Points per block of a large evaluation: with intermediates freed after their last use, a
block of a 2,000-operation Hessian holds a few tens of MB, never one array per operation."""
Operation = tuple[Callable, tuple[int, ...]]


class Program:
    """The output trees compiled to a flat list of operations over numbered slots."""

    def __init__(self, outputs: tuple[Node, ...]) -> None:
        self._slot_of_key: dict[tuple, int] = {("variable", "x"): 0, ("variable", "y"): 1}
        self._slot_of_node: dict[Node, int] = {}
        self.constants: list[np.float64] = []
        self.operations: list[Operation] = []
        outputs_slots = tuple(self._slot(node) for node in outputs)
        base = 2 + len(self.constants)
        self._steps = [
            (function, *(_index(a, base) for a in arguments), *((-1,) * (2 - len(arguments))))
            for function, arguments in self.operations
        ]
        self._outputs = tuple(_index(slot, base) for slot in outputs_slots)
        self._freed = _last_uses(self._steps, base, self._outputs)

    @property
    def size(self) -> int:
        """The number of distinct operations (a measure of evaluation cost)."""
        return len(self.operations)

    def _slot(self, node: Node) -> int:
        if node not in self._slot_of_node:
            self._slot_of_node[node] = self._new_slot(node)
        return self._slot_of_node[node]

    def _new_slot(self, node: Node) -> int:
        if isinstance(node, Variable):
            return VARIABLE_SLOTS[node.name]
        if isinstance(node, Number):
            return self._constant_slot(node.value)
        function, arguments = self._operation(node)
        key = ("operation", function, arguments)
        if key not in self._slot_of_key:
            self.operations.append((function, arguments))
            self._slot_of_key[key] = -len(self.operations)
        return self._slot_of_key[key]

    def _constant_slot(self, value: float) -> int:
        key = ("constant", value)
        if key not in self._slot_of_key:
            self.constants.append(np.float64(value))
            self._slot_of_key[key] = 1 + len(self.constants)
        return self._slot_of_key[key]

    def _operation(self, node: Node) -> Operation:
        if isinstance(node, Negation):
            return operator.neg, (self._slot(node.operand),)
        if isinstance(node, Binary):
            function = BINARY_OPERATORS[node.operator]
            return function, (self._slot(node.left), self._slot(node.right))
        if isinstance(node, Call):
            arguments = tuple(self._slot(argument) for argument in node.arguments)
            return FUNCTIONS[node.function].evaluate, arguments
        raise TypeError(f"not a formula node: {node!r}")

    def run(self, x: Any, y: Any) -> tuple[Any, ...]:
        """The outputs at (x, y): floats for scalar inputs, broadcast arrays for arrays."""
        if isinstance(x, float) and isinstance(y, float):  # one descent path: the hot case
            return tuple(float(v) for v in self._evaluate(np.float64(x), np.float64(y)))
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        shape = np.broadcast_shapes(x.shape, y.shape)
        if math.prod(shape) > EVALUATION_BLOCK:
            return self._run_in_blocks(x, y, shape)
        results = self._evaluate_freeing(x, y)
        if shape == ():
            return tuple(float(result) for result in results)
        return tuple(_shaped(result, shape) for result in results)

    def _evaluate(self, x: Any, y: Any) -> list[Any]:
        """Every operation in order; the output slots' values (scalars or arrays, unshaped)."""
        slots: list[Any] = [x, y, *self.constants]
        append = slots.append
        with np.errstate(all="ignore"):
            for function, first, second in self._steps:
                if second < 0:
                    append(function(slots[first]))
                else:
                    append(function(slots[first], slots[second]))
        return [slots[index] for index in self._outputs]

    def _run_in_blocks(self, x: np.ndarray, y: np.ndarray, shape: tuple[int, ...]) -> tuple:
        """The outputs over a large broadcast shape, EVALUATION_BLOCK points at a time."""
        flat_x, flat_y = (np.broadcast_to(v, shape).reshape(-1) for v in (x, y))
        outputs = tuple(np.empty(flat_x.size) for _ in self._outputs)
        for first in range(0, flat_x.size, EVALUATION_BLOCK):
            part = slice(first, first + EVALUATION_BLOCK)
            for output, result in zip(
                outputs, self._evaluate_freeing(flat_x[part], flat_y[part]), strict=True
            ):
                output[part] = result
        return tuple(output.reshape(shape) for output in outputs)

    def _evaluate_freeing(self, x: Any, y: Any) -> list[Any]:
        """Like _evaluate, dropping each intermediate array after its last use, so that at most
        the live intermediates are held (a long formula on a large batch would otherwise keep
        one array per operation until the end)."""
        slots: list[Any] = [x, y, *self.constants]
        append = slots.append
        with np.errstate(all="ignore"):
            for (function, first, second), freed in zip(self._steps, self._freed, strict=True):
                if second < 0:
                    append(function(slots[first]))
                else:
                    append(function(slots[first], slots[second]))
                for slot in freed:
                    slots[slot] = None
        return [slots[index] for index in self._outputs]


def _last_uses(steps: list, base: int, outputs: tuple[int, ...]) -> list[tuple[int, ...]]:
    """For each step, the intermediate slots (not inputs, constants or outputs) that no later
    step reads: they can be dropped once that step has run."""
    last: dict[int, int] = {}
    for position, (_, first, second) in enumerate(steps):
        for argument in (first, second):
            if argument >= base:
                last[argument] = position
    kept = set(outputs)
    freed: list[list[int]] = [[] for _ in steps]
    for slot, position in last.items():
        if slot not in kept:
            freed[position].append(slot)
    return [tuple(slots) for slots in freed]


def _index(slot: int, base: int) -> int:
    """Operations are numbered −1, −2, … and stored after x, y and the constants."""
    return slot if slot >= 0 else base - 1 - slot


def _shaped(result: Any, shape: tuple[int, ...]) -> np.ndarray:
    """An output as a float64 array of the broadcast shape (a constant output is filled)."""
    array = np.asarray(result, np.float64)
    return array if array.shape == shape else np.full(shape, array)
