"""The network: backpropagation against central finite differences, the weight layout, the caps."""

import itertools
import zlib

import numpy as np
import pytest

from core.nn.activations import ACTIVATIONS
from core.nn.losses import LOSSES
from core.nn.mlp import MLP, layer_views, parameter_count

REGULARISATIONS = {"none": (0.0, 0.0), "l1": (0.05, 0.0), "l2": (0.0, 0.3), "both": (0.05, 0.3)}


def _targets(loss_name: str, rng: np.random.Generator, count: int, outputs: int) -> np.ndarray:
    if loss_name == "cce":
        return rng.integers(0, outputs, count)
    if loss_name == "bce":
        return rng.integers(0, 2, count).astype(float)
    return rng.normal(size=(count, outputs)) if outputs > 1 else rng.normal(size=count)


def _central_differences(network: MLP, loss_at) -> np.ndarray:
    """∂L/∂θ_i ≈ (L(θ + h e_i) − L(θ − h e_i)) / 2h, h = 1e-6·max(1, |θ_i|)."""
    centre = network.params.copy()
    result = np.empty_like(centre)
    for index in range(centre.size):
        h = 1e-6 * max(1.0, abs(centre[index]))
        shifted = centre.copy()
        shifted[index] += h
        network.params = shifted
        above = loss_at()
        shifted[index] -= 2 * h
        network.params = shifted
        below = loss_at()
        result[index] = (above - below) / (2 * h)
    network.params = centre
    return result


@pytest.mark.parametrize(
    ("activation", "loss_name", "regularisation"),
    list(itertools.product(ACTIVATIONS, LOSSES, REGULARISATIONS)),
)
def test_backpropagation_matches_finite_differences(activation, loss_name, regularisation):
    rng = np.random.default_rng(zlib.crc32(f"{activation}{loss_name}{regularisation}".encode()))
    outputs = 3 if loss_name == "cce" else 1
    network = MLP([2, 4, 3, outputs], activation=activation, seed=3)
    # Move biases off zero so that every parameter tensor is tested away from special values.
    network.params = network.params + 0.1 * rng.normal(size=network.params.size)
    inputs = rng.normal(size=(9, 2))
    targets = _targets(loss_name, rng, 9, outputs)
    l1, l2 = REGULARISATIONS[regularisation]
    value, gradient = network.loss_and_grad(inputs, targets, loss_name, l1, l2)
    expected = _central_differences(
        network, lambda: network.loss(inputs, targets, loss_name, l1, l2)
    )
    assert value == pytest.approx(network.loss(inputs, targets, loss_name, l1, l2))
    np.testing.assert_allclose(gradient, expected, rtol=1e-5, atol=1e-7)


def test_every_parameter_tensor_gets_a_nonzero_gradient():
    network = MLP([2, 5, 1], activation="tanh", seed=0)
    rng = np.random.default_rng(0)
    _, gradient = network.loss_and_grad(rng.normal(size=(20, 2)), rng.normal(size=20), "mse")
    weight_grads, bias_grads = layer_views(gradient, network.sizes)
    for tensor in (*weight_grads, *bias_grads):
        assert np.any(tensor != 0.0)


def test_weight_layout_is_layer_by_layer_weights_then_biases_row_major():
    network = MLP([3, 2, 4], activation="linear", seed=0)
    network.params = np.arange(parameter_count([3, 2, 4]), dtype=float)
    assert network.weights[0][1, 0] == 1 * 2 + 0  # W1[i, j] at offset i·units + j
    assert list(network.biases[0]) == [6.0, 7.0]
    assert network.weights[1][0, 0] == 8.0
    assert list(network.biases[1]) == [16.0, 17.0, 18.0, 19.0]
    assert network.parameter_names()[:3] == ["W1[0, 0]", "W1[0, 1]", "W1[1, 0]"]
    assert network.parameter_names()[6] == "b1[0]"


def test_forward_is_the_documented_formula():
    network = MLP([2, 3, 1], activation="tanh", seed=1)
    inputs = np.array([[0.5, -1.0], [2.0, 0.3]])
    hidden = np.tanh(inputs @ network.weights[0] + network.biases[0])
    expected = hidden @ network.weights[1] + network.biases[1]
    np.testing.assert_allclose(network.predict(inputs), expected)
    np.testing.assert_allclose(network.predict(inputs, "bce"), 1 / (1 + np.exp(-expected)))


def test_setting_params_changes_the_network_and_checks_the_shape():
    network = MLP([2, 3, 1], seed=0)
    network.params = np.zeros(network.params.size)
    assert np.all(network.predict(np.ones((4, 2))) == 0.0)
    with pytest.raises(ValueError, match="shape"):
        network.params = np.zeros(3)


def test_same_seed_same_weights_different_seed_different_weights():
    first, second = MLP([2, 8, 1], seed=5), MLP([2, 8, 1], seed=5)
    np.testing.assert_array_equal(first.params, second.params)
    assert not np.array_equal(first.params, MLP([2, 8, 1], seed=6).params)


def test_l2_penalty_is_half_l2_times_squared_weights_without_biases():
    network = MLP([1, 1], activation="linear", seed=0)
    network.params = np.array([3.0, 10.0])  # w = 3, b = 10
    assert network.penalty(l1=0.0, l2=2.0) == pytest.approx(9.0)
    assert network.penalty(l1=0.5, l2=0.0) == pytest.approx(1.5)


@pytest.mark.parametrize("sizes", [[2], [2, 65, 1], [2, 8, 8, 8, 8, 8, 1], [0, 4, 1], [2, 4, 0]])
def test_sizes_outside_the_caps_are_refused(sizes):
    with pytest.raises(ValueError, match=r"units|layers"):
        MLP(sizes)


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="relu"):
        MLP([2, 1], activation="swish")
