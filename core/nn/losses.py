"""Losses on a network's raw output, with their gradients, in a name -> entry registry.

Every loss takes the raw outputs o (n, k) of the last layer (logits for the cross-entropies) and
the targets t, and returns the per-sample losses (n,) and ∂ℓ_i/∂o_i (n, k). The mean over the
batch and the regularisation are added by the network.

- mse:  ℓ = Σ_j (o_j − t_j)² / k                 ∂ℓ/∂o = 2(o − t)/k
- mae:  ℓ = Σ_j |o_j − t_j| / k                  ∂ℓ/∂o = sign(o − t)/k (0 at a tie)
- bce:  ℓ = log(1 + e^o) − t·o  (k = 1)          ∂ℓ/∂o = σ(o) − t
        = max(o, 0) − t·o + log(1 + e^−|o|), finite for any logit
- cce:  ℓ = logsumexp(o) − o_t  (softmax)        ∂ℓ/∂o = softmax(o) − onehot(t)
        logsumexp shifted by max(o), finite for any logit

Targets: mse and mae take real targets (n, k); bce takes 0/1 labels (n,) or (n, 1); cce takes
class indices (n,) in 0..k−1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.nn.activations import sigmoid

REGRESSION = "regression"
BINARY = "binary"
MULTICLASS = "multiclass"
TASKS = (REGRESSION, BINARY, MULTICLASS)


@dataclass(frozen=True)
class Loss:
    """One loss: per-sample value and gradient on raw outputs, and the link to predictions.

    tasks: the data-set tasks it fits; output_units(classes) the width of the last layer it needs;
    link(o) turns raw outputs into predictions (identity, σ, softmax).
    """

    name: str
    title: str
    tasks: tuple[str, ...]
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray]
    link: Callable[[np.ndarray], np.ndarray]
    output_units: Callable[[int], int]
    note: str


def softmax(outputs: np.ndarray) -> np.ndarray:
    """softmax over the last axis, shifted by the maximum so no exponential overflows."""
    shifted = outputs - outputs.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def _column(targets: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """Targets reshaped to the outputs' (n, k)."""
    return np.asarray(targets, np.float64).reshape(outputs.shape)


def _mse_value(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    residual = outputs - _column(targets, outputs)
    return np.mean(residual * residual, axis=1)


def _mse_gradient(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return (2.0 / outputs.shape[1]) * (outputs - _column(targets, outputs))


def _mae_value(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return np.mean(np.abs(outputs - _column(targets, outputs)), axis=1)


def _mae_gradient(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return np.sign(outputs - _column(targets, outputs)) / outputs.shape[1]


def _bce_value(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    labels = _column(targets, outputs)
    losses = np.maximum(outputs, 0.0) - labels * outputs + np.log1p(np.exp(-np.abs(outputs)))
    return losses[:, 0]


def _bce_gradient(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return sigmoid(outputs) - _column(targets, outputs)


def _class_indices(targets: np.ndarray) -> np.ndarray:
    return np.asarray(targets).reshape(-1).astype(np.intp)


def _cce_value(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    largest = outputs.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(outputs - largest).sum(axis=1)) + largest[:, 0]
    chosen = outputs[np.arange(outputs.shape[0]), _class_indices(targets)]
    return log_sum - chosen


def _cce_gradient(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    gradient = softmax(outputs)
    gradient[np.arange(outputs.shape[0]), _class_indices(targets)] -= 1.0
    return gradient


def _identity(outputs: np.ndarray) -> np.ndarray:
    return outputs


LOSSES: dict[str, Loss] = {
    entry.name: entry
    for entry in (
        Loss(
            "mse",
            "mean squared error",
            (REGRESSION, BINARY),
            _mse_value,
            _mse_gradient,
            _identity,
            lambda classes: 1,
            "Squares the error: big misses dominate. The natural loss for regression; on 0/1 "
            "labels it works but punishes confident right answers, so BCE fits better.",
        ),
        Loss(
            "mae",
            "mean absolute error",
            (REGRESSION,),
            _mae_value,
            _mae_gradient,
            _identity,
            lambda classes: 1,
            "The absolute error: robust to outliers, but its gradient never shrinks near the "
            "minimum, so a constant learning rate keeps overshooting.",
        ),
        Loss(
            "bce",
            "binary cross-entropy",
            (BINARY,),
            _bce_value,
            _bce_gradient,
            sigmoid,
            lambda classes: 1,
            "−log of the probability σ(o) given to the right label: the loss of logistic "
            "regression, convex in the last layer, for two classes.",
        ),
        Loss(
            "cce",
            "categorical cross-entropy",
            (BINARY, MULTICLASS),
            _cce_value,
            _cce_gradient,
            softmax,
            lambda classes: classes,
            "−log of the softmax probability of the right class: one output per class.",
        ),
    )
}


def loss(name: str) -> Loss:
    """The loss called `name`; ValueError naming the choices otherwise."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    return LOSSES[name]


def losses_for(task: str) -> list[str]:
    """The loss names that fit a task (regression, binary, multiclass), in registry order."""
    return [name for name, entry in LOSSES.items() if task in entry.tasks]
