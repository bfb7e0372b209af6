"""A multilayer perceptron in NumPy: forward pass, hand-written backpropagation, one weight vector.

    net = MLP([2, 16, 16, 1], activation="tanh", seed=0)
    loss, gradient = net.loss_and_grad(X, y, loss="bce", l2=1e-3)
    net.params = net.params - 0.1 * gradient

Layer l maps a_{l−1} (n, m) to z_l = a_{l−1} W_l + b_l (n, u), W_l (m, u), b_l (u,); hidden
layers apply the activation a_l = φ(z_l); the last layer is linear (its raw output o = z_L is a
logit for the cross-entropies, whose link σ / softmax lives in the loss).

Weight layout of `params` (float64, length Σ_l (m_l + 1)·u_l): layer by layer from the input,
and within a layer first W_l flattened in row-major (C) order — entry W_l[i, j], the weight from
input i to unit j, at offset i·u_l + j — then b_l. `weights` and `biases` are views into it, so
setting `params` updates them and an optimizer can work on the flat vector directly.

Regularisation on the weights W only (biases are never penalised, as in Keras and sklearn):
R = l1·Σ|W| + ½·l2·ΣW², whose gradient l2·W is torch's weight_decay.
Backpropagation: δ_L = ∂ℓ/∂o / n; ∂L/∂W_l = a_{l−1}ᵀ δ_l; ∂L/∂b_l = Σ_rows δ_l;
δ_{l−1} = (δ_l W_lᵀ) ⊙ φ'(z_{l−1}).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.nn.activations import Activation
from core.nn.activations import activation as find_activation
from core.nn.losses import Loss
from core.nn.losses import loss as find_loss

MAX_HIDDEN_LAYERS = 4
MAX_UNITS = 64
MAX_INPUTS = 16
MAX_OUTPUTS = 16


@dataclass(frozen=True)
class Trace:
    """A forward pass kept for backpropagation: inputs (n, m), then per layer z_l and a_l."""

    inputs: np.ndarray
    pre_activations: tuple[np.ndarray, ...]
    activations: tuple[np.ndarray, ...]

    @property
    def outputs(self) -> np.ndarray:
        """The raw output o = z_L, shape (n, k)."""
        return self.pre_activations[-1]


class MLP:
    """A fully connected network; sizes = [inputs, hidden..., outputs]. See the module docstring."""

    def __init__(self, sizes: Sequence[int], activation: str = "tanh", seed: int = 0) -> None:
        self.sizes = _checked_sizes(sizes)
        self.activation_name = activation
        self.activation: Activation = find_activation(activation)
        self._params = np.zeros(parameter_count(self.sizes))
        self.weights, self.biases = layer_views(self._params, self.sizes)
        self.initialise(seed)

    # ----- the weight vector ----------------------------------------------------------------
    @property
    def params(self) -> np.ndarray:
        """The flat float64 weight vector (a view: copy it before changing it in place)."""
        return self._params

    @params.setter
    def params(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        if values.shape != self._params.shape:
            raise ValueError(f"params must have shape {self._params.shape}, not {values.shape}")
        self._params[:] = values

    def initialise(self, seed: int) -> None:
        """Draw fresh weights: He-normal for (leaky) relu, Glorot-uniform otherwise; biases 0."""
        rng = np.random.default_rng(seed)
        for weight in self.weights:
            fan_in, fan_out = weight.shape
            if self.activation_name in ("relu", "leaky_relu"):
                weight[:] = rng.standard_normal(weight.shape) * np.sqrt(2.0 / fan_in)
            else:
                limit = np.sqrt(6.0 / (fan_in + fan_out))
                weight[:] = rng.uniform(-limit, limit, weight.shape)
        for bias in self.biases:
            bias[:] = 0.0

    def parameter_names(self) -> list[str]:
        """A readable name for every entry of params, in layout order: 'W1[0, 3]', 'b2[5]'."""
        names: list[str] = []
        for layer, weight in enumerate(self.weights, start=1):
            rows, columns = weight.shape
            names += [f"W{layer}[{i}, {j}]" for i in range(rows) for j in range(columns)]
            names += [f"b{layer}[{j}]" for j in range(columns)]
        return names

    # ----- forward and backward -------------------------------------------------------------
    def forward(self, inputs: np.ndarray) -> Trace:
        """The forward pass on inputs (n, m): every z_l and a_l, kept for backpropagation."""
        with np.errstate(all="ignore"):
            return self._forward(inputs)

    def _forward(self, inputs: np.ndarray) -> Trace:
        """forward without its own np.errstate (the callers hold one)."""
        inputs = np.asarray(inputs, dtype=np.float64)
        current, pre, post = inputs, [], []
        last = len(self.weights) - 1
        for layer, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = current @ weight
            z += bias
            current = z if layer == last else self.activation.forward(z)
            pre.append(z)
            post.append(current)
        return Trace(inputs, tuple(pre), tuple(post))

    def predict(self, inputs: np.ndarray, loss_name: str | None = None) -> np.ndarray:
        """Raw outputs (n, k); with a loss name, its link applied (σ for bce, softmax for cce)."""
        outputs = self.forward(inputs).outputs
        if loss_name is None:
            return outputs
        with np.errstate(all="ignore"):
            return find_loss(loss_name).link(outputs)

    def loss(self, inputs, targets, loss: str = "mse", l1: float = 0.0, l2: float = 0.0) -> float:
        """The mean loss on (inputs, targets) plus the regularisation, without the gradient."""
        entry: Loss = find_loss(loss)
        with np.errstate(all="ignore"):
            data = float(np.mean(entry.value(self._forward(inputs).outputs, targets)))
        return data + self.penalty(l1, l2)

    def penalty(self, l1: float = 0.0, l2: float = 0.0) -> float:
        """R = l1·Σ|W| + ½·l2·ΣW² over the weights (not the biases)."""
        if not (l1 or l2):
            return 0.0
        with np.errstate(all="ignore"):
            return float(sum(l1 * np.abs(w).sum() + 0.5 * l2 * (w * w).sum() for w in self.weights))

    def loss_and_grad(
        self, inputs, targets, loss: str = "mse", l1: float = 0.0, l2: float = 0.0
    ) -> tuple[float, np.ndarray]:
        """The mean loss (plus regularisation) and its gradient as a flat vector like params."""
        entry: Loss = find_loss(loss)
        with np.errstate(all="ignore"):
            trace = self._forward(inputs)
            value = float(np.mean(entry.value(trace.outputs, targets))) + self.penalty(l1, l2)
            return value, self._gradient(trace, entry, targets, l1, l2)

    def gradient(
        self, inputs, targets, loss: str = "mse", l1: float = 0.0, l2: float = 0.0
    ) -> np.ndarray:
        """The gradient alone (P,): what a training step needs, without evaluating the loss."""
        entry: Loss = find_loss(loss)
        with np.errstate(all="ignore"):
            trace = self._forward(inputs)
            return self._gradient(trace, entry, targets, l1, l2)

    def _gradient(self, trace: Trace, entry: Loss, targets, l1: float, l2: float) -> np.ndarray:
        outputs = trace.outputs
        delta = entry.gradient(outputs, targets)
        delta /= outputs.shape[0]
        return self._backpropagate(trace, delta, l1, l2)

    def _backpropagate(self, trace: Trace, delta: np.ndarray, l1: float, l2: float) -> np.ndarray:
        """∂L/∂params from δ_L = ∂L/∂o (n, k), layer by layer from the output."""
        gradient = np.empty_like(self._params)
        weight_grads, bias_grads = layer_views(gradient, self.sizes)
        # Column sums as a product with ones: several times faster than sum(axis=0) here.
        ones = np.ones(delta.shape[0])
        for layer in range(len(self.weights) - 1, -1, -1):
            below = trace.activations[layer - 1] if layer else trace.inputs
            np.matmul(below.T, delta, out=weight_grads[layer])
            np.matmul(ones, delta, out=bias_grads[layer])
            if l2:
                weight_grads[layer] += l2 * self.weights[layer]
            if l1:
                weight_grads[layer] += l1 * np.sign(self.weights[layer])
            if layer:
                derivative = self.activation.derivative(
                    trace.pre_activations[layer - 1], trace.activations[layer - 1]
                )
                # A contiguous Wᵀ takes BLAS's fast path; the transposed view does not.
                delta = delta @ np.ascontiguousarray(self.weights[layer].T)
                delta *= derivative
        return gradient


def parameter_count(sizes: Sequence[int]) -> int:
    """Σ_l (m_l + 1)·u_l: the length of the flat weight vector."""
    return sum((m + 1) * u for m, u in itertools.pairwise(sizes))


def layer_views(flat: np.ndarray, sizes: Sequence[int]) -> tuple[list, list]:
    """Views W_l (m, u) and b_l (u,) into a flat vector, in the documented layout."""
    weights, biases, offset = [], [], 0
    for m, u in itertools.pairwise(sizes):
        weights.append(flat[offset : offset + m * u].reshape(m, u))
        offset += m * u
        biases.append(flat[offset : offset + u])
        offset += u
    return weights, biases


def _checked_sizes(sizes: Sequence[int]) -> tuple[int, ...]:
    sizes = tuple(int(size) for size in sizes)
    if len(sizes) < 2 or len(sizes) > MAX_HIDDEN_LAYERS + 2:
        raise ValueError(
            f"sizes needs an input and an output size and at most {MAX_HIDDEN_LAYERS} hidden "
            f"layers, not {list(sizes)}"
        )
    limits = (MAX_INPUTS, *([MAX_UNITS] * (len(sizes) - 2)), MAX_OUTPUTS)
    for size, limit in zip(sizes, limits, strict=True):
        if not 1 <= size <= limit:
            raise ValueError(f"every layer needs 1 to {limit} units, not {size} in {list(sizes)}")
    return sizes
