"""The Network Lab under AppTest: every data set loads, the buttons train, the preset builds the
textbook network, bad links are cleaned with a notice, and the on-demand views compute."""

from __future__ import annotations

import pytest
from page_testing import assert_clean, open_page
from streamlit.testing.v1 import AppTest

from app.network_session import MAX_COMPARE_UPDATES, SESSION_KEY, comparison_epochs
from core import optimizer_names
from core.nn.datasets import DATASETS


def _page(**query: str) -> AppTest:
    return open_page("network.py", **query)


def _button(app: AppTest, label: str):
    return next(button for button in app.button if button.label == label)


def _trainer(app: AppTest):
    return app.session_state[SESSION_KEY].trainer


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_data_set_loads_with_a_chart_and_losses_that_fit_its_task(name):
    app = _page(net_data=name)
    assert_clean(app)
    assert len(app.get("plotly_chart")) >= 2
    loss_box = next(box for box in app.selectbox if box.label == "Loss")
    expected = {"regression": ["mse", "mae"], "binary": ["mse", "bce", "cce"],
                "multiclass": ["cce"]}[DATASETS[name].task]  # fmt: skip
    assert list(loss_box.options) == expected


def test_step_one_epoch_advances_and_reset_returns_to_the_start():
    app = _page()
    first_loss = _trainer(app).history.train_loss[0]
    _button(app, "Step one epoch").click().run()
    assert_clean(app)
    assert _trainer(app).epoch == 1
    assert _trainer(app).history.train_loss[-1] != first_loss
    _button(app, "Reset").click().run()
    assert _trainer(app).epoch == 0
    assert _trainer(app).history.train_loss == [first_loss]


def test_train_runs_epochs_and_offers_pause():
    app = _page(net_epochs="20")
    _button(app, "Train").click().run()
    assert_clean(app)
    assert _trainer(app).epoch >= 1
    labels = [button.label for button in app.button]
    assert "Pause" in labels or _trainer(app).done


def test_the_textbook_preset_builds_dense_64_relu_32_relu_softmax_with_sgd():
    app = _page()
    _button(
        app, "Textbook preset: Dense 64 relu → Dense 32 relu → softmax, SGD, batch 32"
    ).click().run()
    assert_clean(app)
    trainer = _trainer(app)
    assert trainer.network.sizes == (2, 64, 32, 3)
    assert trainer.network.activation_name == "relu"
    assert trainer.config.loss == "cce" and trainer.config.batch_size == 32
    assert trainer.optimizer.name == "sgd" and trainer.optimizer.hyperparameters["momentum"] == 0.0
    assert trainer.dataset.spec.name == "blobs"
    _button(app, "Step one epoch").click().run()
    assert _trainer(app).history.test_metric[-1] > 0.5  # accuracy, three classes


def test_bad_link_values_are_replaced_with_a_notice():
    app = _page(net_units1="999", net_data="banana", lr="lots")
    assert not app.exception
    notice = " ".join(warning.value for warning in app.warning)
    assert "banana" in notice and "999" in notice and "lots" in notice
    trainer = _trainer(app)
    assert trainer.network.sizes[1] == 64
    assert trainer.dataset.spec.name == "circle"


def test_a_link_round_trips_into_the_network():
    app = _page(net_data="xor", net_layers="1", net_units1="5", net_activation="relu",
                net_features_unused="1", net_xy="true")  # fmt: skip
    assert_clean(app)
    trainer = _trainer(app)
    assert trainer.network.sizes == (3, 5, 1)
    assert trainer.dataset.feature_names == ("x", "y", "xy")


def test_newton_is_refused_with_a_clear_message():
    app = _page(optimizer="newton")
    assert not app.exception
    assert any("Hessian" in error.value for error in app.error)


def test_a_huge_learning_rate_is_diagnosed_as_diverged():
    app = _page(net_data="trend", net_normalise="false", net_layers="0", lr="1")
    _button(app, "Step one epoch").click().run()
    assert not app.exception
    assert any("Diverg" in error.value for error in app.error)


def test_the_landscape_and_the_comparison_compute_on_demand():
    app = _page(net_epochs="15")
    for _ in range(3):
        _button(app, "Step one epoch").click().run()
    charts_before = len(app.get("plotly_chart"))
    _button(app, "Compute the landscape").click().run()
    assert_clean(app)
    view = app.session_state[SESSION_KEY].landscape
    assert view is not None and view.epoch == 3
    _button(app, "Compare").click().run()
    assert_clean(app)
    compared = app.session_state[SESSION_KEY].comparison
    assert [trainer.optimizer.name for trainer in compared] == ["sgd", "adam"]
    assert len(app.get("plotly_chart")) == charts_before + 3


def test_a_diverged_network_offers_no_landscape_but_says_why():
    app = _page(net_data="trend", net_normalise="false", net_layers="0", lr="1")
    for _ in range(4):
        _button(app, "Step one epoch").click().run()
    assert _trainer(app).status == "diverged"
    _button(app, "Compute the landscape").click().run()
    assert not app.exception
    assert any("No landscape" in error.value for error in app.error)
    assert app.session_state[SESSION_KEY].landscape is None


@pytest.mark.parametrize("optimizer", [name for name in optimizer_names() if name != "newton"])
def test_every_first_order_optimizer_trains_an_epoch(optimizer):
    app = _page(optimizer=optimizer, lr="0.01")
    _button(app, "Step one epoch").click().run()
    assert_clean(app)
    trainer = _trainer(app)
    assert trainer.optimizer.name == optimizer and trainer.epoch == 1
    assert trainer.history.train_loss[-1] != trainer.history.train_loss[0]


def test_the_comparison_is_capped_by_updates_for_tiny_batches():
    app = _page(net_points="1000", net_batch="1", net_epochs="2000")
    trainer = _trainer(app)
    epochs = comparison_epochs(trainer)
    assert epochs * trainer.dataset.targets_train.size <= MAX_COMPARE_UPDATES
    assert epochs >= 1
    assert any(f"over {epochs} epochs" in block.value for block in app.markdown)
