"""Element-wise maths that works on a Python float or a NumPy array alike.

The optimizer rules and the surface formulas are written once and run in two shapes: on plain
Python floats for a single descent path (one coordinate at a time, which is an order of magnitude
faster than NumPy on two-element arrays) and on arrays for a batch of starts or a network's weights.
Python's own `**` and `math` functions raise on overflow or a negative root; these helpers return
inf and nan instead, as NumPy does, so both shapes follow the same arithmetic.
"""

from __future__ import annotations

import math

import numpy as np

Scalar = float | np.ndarray


def sqrt(value: Scalar) -> Scalar:
    """√value; nan for a negative float (as NumPy), never a complex number or an exception."""
    if isinstance(value, float):
        return math.sqrt(value) if value >= 0.0 else math.nan
    return np.sqrt(value)


def square(value: Scalar) -> Scalar:
    """value², bit for bit value * value. On arrays np.square reads its input once, where
    value * value reads it twice: on a batch it takes about half the time."""
    if isinstance(value, np.ndarray):
        return np.square(value)
    return value * value


def divide_into(numerator: Scalar, denominator: Scalar) -> Scalar:
    """numerator / denominator, written over `denominator` when it is an array of the result's
    shape: the caller hands over a temporary it owns, and a large batch allocates one array less."""
    if isinstance(denominator, np.ndarray) and denominator.shape == np.shape(numerator):
        return np.divide(numerator, denominator, out=denominator)
    return numerator / denominator


def maximum(first: Scalar, second: Scalar) -> Scalar:
    """Element-wise maximum; nan wins, as in np.maximum."""
    if isinstance(first, float) and isinstance(second, float):
        if first != first or second != second:
            return math.nan
        return first if first >= second else second
    return np.maximum(first, second)


def where(condition, if_true: Scalar, if_false: Scalar) -> Scalar:
    """Element-wise choice that keeps a float a float."""
    if isinstance(condition, bool | np.bool_) and not isinstance(if_true, np.ndarray):
        return if_true if condition else if_false
    return np.where(condition, if_true, if_false)
