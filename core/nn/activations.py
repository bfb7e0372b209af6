"""Activation functions of the hidden layers, each with its derivative, in a name -> entry registry.

An activation maps the pre-activation z (n, units) to a = φ(z) element-wise. Backpropagation needs
φ'(z); every entry computes it from z and a together, so tanh and sigmoid reuse the forward value
(φ' = 1 − a², a(1 − a)) instead of recomputing exponentials.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01
"""The slope of leaky relu for z < 0 (Keras's and torch's default)."""


@dataclass(frozen=True)
class Activation:
    """φ and φ' for one activation: forward(z) -> a; derivative(z, a) -> φ'(z); all (n, units)."""

    name: str
    title: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]
    note: str


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^−z), computed without overflow for large |z| (via tanh)."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _relu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # The subgradient at z = 0 is taken as 0, as torch and Keras do.
    return (z > 0.0).astype(np.float64)


def _leaky_relu(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0.0, z, LEAKY_SLOPE * z)


def _leaky_relu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.where(z > 0.0, 1.0, LEAKY_SLOPE)


def _tanh_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    squared = a * a
    return np.subtract(1.0, squared, out=squared)


def _sigmoid_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return a * (1.0 - a)


def _identity(z: np.ndarray) -> np.ndarray:
    return z


def _ones(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


ACTIVATIONS: dict[str, Activation] = {
    entry.name: entry
    for entry in (
        Activation(
            "relu",
            "ReLU",
            _relu,
            _relu_derivative,
            "max(0, z): cheap and does not saturate for z > 0; a unit stuck at z < 0 dies.",
        ),
        Activation(
            "leaky_relu",
            "Leaky ReLU",
            _leaky_relu,
            _leaky_relu_derivative,
            f"z for z > 0, {LEAKY_SLOPE}·z below: a ReLU whose units cannot die.",
        ),
        Activation(
            "tanh",
            "tanh",
            np.tanh,
            _tanh_derivative,
            "Smooth, centred on 0, saturates at ±1 (its gradient vanishes there).",
        ),
        Activation(
            "sigmoid",
            "sigmoid",
            sigmoid,
            _sigmoid_derivative,
            "Smooth, between 0 and 1, gradient at most 1/4: deep sigmoid nets learn slowly.",
        ),
        Activation(
            "linear",
            "linear",
            _identity,
            _ones,
            "No non-linearity: any stack of linear layers is one linear map.",
        ),
    )
}


def activation(name: str) -> Activation:
    """The activation called `name`; ValueError naming the choices otherwise."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]
