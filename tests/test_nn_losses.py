"""Each loss against its formula on hand-computed cases; the cross-entropies at extreme logits."""

import math

import numpy as np
import pytest

from core.nn.losses import LOSSES, loss, losses_for, softmax


def test_mse_and_mae_on_a_hand_computed_case():
    outputs = np.array([[1.0], [3.0]])
    targets = np.array([0.0, 5.0])
    np.testing.assert_allclose(loss("mse").value(outputs, targets), [1.0, 4.0])
    np.testing.assert_allclose(loss("mse").gradient(outputs, targets), [[2.0], [-4.0]])
    np.testing.assert_allclose(loss("mae").value(outputs, targets), [1.0, 2.0])
    np.testing.assert_allclose(loss("mae").gradient(outputs, targets), [[1.0], [-1.0]])


def test_bce_is_minus_log_of_the_right_probability():
    outputs = np.array([[0.0], [2.0], [-1.0]])
    labels = np.array([1.0, 0.0, 0.0])
    probability = 1 / (1 + np.exp(-outputs[:, 0]))
    expected = [
        -math.log(probability[0]),
        -math.log(1 - probability[1]),
        -math.log(1 - probability[2]),
    ]
    np.testing.assert_allclose(loss("bce").value(outputs, labels), expected)
    np.testing.assert_allclose(loss("bce").gradient(outputs, labels)[:, 0], probability - labels)


def test_cce_is_minus_log_softmax_of_the_right_class():
    outputs = np.array([[1.0, 2.0, 3.0]])
    expected = -math.log(math.exp(2.0) / (math.exp(1) + math.exp(2) + math.exp(3)))
    assert loss("cce").value(outputs, np.array([1]))[0] == pytest.approx(expected)
    gradient = loss("cce").gradient(outputs, np.array([1]))
    np.testing.assert_allclose(gradient, softmax(outputs) - [[0.0, 1.0, 0.0]])


@pytest.mark.parametrize("logit", [1e4, -1e4, 800.0, -800.0])
def test_bce_is_finite_and_exact_at_extreme_logits(logit):
    outputs = np.array([[logit]])
    right = loss("bce").value(outputs, np.array([1.0 if logit > 0 else 0.0]))[0]
    wrong = loss("bce").value(outputs, np.array([0.0 if logit > 0 else 1.0]))[0]
    assert right == pytest.approx(0.0, abs=1e-300)
    assert wrong == pytest.approx(abs(logit))
    assert np.all(np.isfinite(loss("bce").gradient(outputs, np.array([1.0]))))


def test_cce_is_finite_and_exact_at_extreme_logits():
    outputs = np.array([[1e4, 0.0, -1e4]])
    assert loss("cce").value(outputs, np.array([0]))[0] == pytest.approx(0.0, abs=1e-300)
    assert loss("cce").value(outputs, np.array([2]))[0] == pytest.approx(2e4)
    np.testing.assert_allclose(
        loss("cce").gradient(outputs, np.array([0])), [[0, 0, 0]], atol=1e-300
    )


def test_links_turn_outputs_into_probabilities():
    outputs = np.array([[0.0, math.log(3.0)]])
    np.testing.assert_allclose(loss("cce").link(outputs), [[0.25, 0.75]])
    np.testing.assert_allclose(loss("bce").link(np.array([[0.0]])), [[0.5]])


def test_losses_for_each_task_fit_it():
    assert losses_for("regression") == ["mse", "mae"]
    assert losses_for("multiclass") == ["cce"]
    assert set(losses_for("binary")) == {"mse", "bce", "cce"}
    assert all(entry.note for entry in LOSSES.values())


def test_unknown_loss_names_the_choices():
    with pytest.raises(ValueError, match="bce"):
        loss("hinge")
