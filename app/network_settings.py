"""The Network Lab's controls: data, network, training; every one bound to the URL.

Controls are the shared `app.widgets` descriptions, so one list draws the sidebar and validates a
link (`url_table`). The optimizer, learning rate, hyperparameters and schedule reuse the
Explorer's controls (same keys, so a choice carries from one page to the other). The sidebar
returns a `NetworkSettings`: the data-set arguments and a core `TrainingConfig`, or an error to
show when the combination cannot train (Newton; a loss that does not fit the task).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app import explorer_settings as shared
from app.url_state import UrlParameter, clean_values
from app.widgets import ChoiceControl, Control, NumberControl, ToggleControl
from core.nn.activations import ACTIVATIONS
from core.nn.datasets import DATASETS, MAX_POINTS, MIN_POINTS
from core.nn.losses import LOSSES, losses_for
from core.nn.mlp import MAX_HIDDEN_LAYERS, MAX_UNITS
from core.nn.training import MAX_EPOCHS, TrainingConfig

DEFAULT_DATASET = "circle"
MAX_COMPARED = 3
"""Optimizers the comparison trains side by side (the sidebar's and two more)."""
FEATURE_KEYS = {"x²": "net_x2", "y²": "net_y2", "xy": "net_xy", "sin x": "net_sinx",
                "sin y": "net_siny"}  # fmt: skip


def data_controls() -> tuple[Control, ...]:
    return (
        ChoiceControl(
            "net_data",
            "Data set",
            tuple(DATASETS),
            DEFAULT_DATASET,
            "Classification (circle, xor, gaussians, spiral, moons, three blobs) or "
            "regression (plane, sine, a raw-feature trend).",
        ),
        NumberControl(
            "net_noise",
            "Noise",
            0.1,
            0.0,
            1.0,
            "Jitter on the points (classification) or the targets (regression).",
        ),
        NumberControl(
            "net_points",
            "Points",
            400,
            MIN_POINTS,
            MAX_POINTS,
            "How many points to draw, training and test together.",
            integer=True,
        ),
        NumberControl(
            "net_train",
            "Training share",
            0.7,
            0.1,
            0.9,
            "The share of points the network trains on; the rest test it.",
        ),
        ToggleControl(
            "net_normalise",
            "Normalise inputs",
            True,
            "Standardise every input column with the training mean and deviation.",
        ),
    )


def feature_controls() -> tuple[ToggleControl, ...]:
    return tuple(ToggleControl(key, name, False) for name, key in FEATURE_KEYS.items())


def network_controls() -> tuple[Control, ...]:
    return (
        NumberControl(
            "net_layers",
            "Hidden layers",
            2,
            0,
            MAX_HIDDEN_LAYERS,
            "0 is a linear (or logistic) model; each layer adds a non-linear stage.",
            integer=True,
        ),
        ChoiceControl(
            "net_activation",
            "Activation",
            tuple(ACTIVATIONS),
            "tanh",
            "The non-linearity after every hidden layer.",
        ),
    )


def units_control(layer: int) -> NumberControl:
    return NumberControl(
        f"net_units{layer + 1}",
        f"Units in layer {layer + 1}",
        8,
        1,
        MAX_UNITS,
        "Neurons in this hidden layer.",
        integer=True,
    )


def loss_control(task: str) -> ChoiceControl:
    choices = tuple(losses_for(task))
    return ChoiceControl(
        "net_loss",
        "Loss",
        choices,
        choices[0] if task != "binary" else "bce",
        "Only the losses that fit the task are offered.",
    )


def training_controls() -> tuple[Control, ...]:
    return (
        ChoiceControl(
            "net_penalty",
            "Regularisation",
            ("none", "l1", "l2"),
            "none",
            "L1 (rate·Σ|w|) pushes weights to exactly 0; L2 (½·rate·Σw²) shrinks them.",
        ),
        NumberControl(
            "net_rate",
            "Regularisation rate",
            1e-3,
            1e-5,
            1.0,
            "How strongly the penalty pulls the weights toward zero.",
            log_scale=True,
        ),
        NumberControl(
            "net_batch",
            "Batch size",
            32,
            1,
            MAX_POINTS,
            "Points per update; at least the training set is full-batch descent.",
            integer=True,
        ),
        NumberControl(
            "net_epochs",
            "Epochs",
            200,
            1,
            MAX_EPOCHS,
            "Passes over the training set (the schedule spans them).",
            integer=True,
        ),
        NumberControl(
            "net_seed",
            "Seed",
            0,
            0,
            9999,
            "The same seed gives the same data, weights and batches.",
            integer=True,
        ),
    )


def url_table(link: Mapping[str, Any] | None = None) -> tuple[UrlParameter, ...]:
    """Every control of the page (all layers and every optimizer's hyperparameters). The loss
    offers the losses of the task of the data set `link` names (a raw query string or a lesson's
    settings; the default data set without one), as the sidebar does."""
    data_parameter = data_controls()[0].url_parameter()
    given = (link or {}).get(data_parameter.key)
    data_values, _ = clean_values((data_parameter,), {} if given is None else {"net_data": given})
    task = DATASETS[data_values[data_parameter.key]].task
    controls: list[Any] = [
        *data_controls(),
        *feature_controls(),
        *network_controls(),
        *training_controls(),
        shared.schedule_control(),
    ]
    controls += [units_control(layer) for layer in range(MAX_HIDDEN_LAYERS)]
    controls.append(loss_control(task))
    for slot in range(MAX_COMPARED):
        controls += [shared.optimizer_control(slot), shared.lr_control(slot)]
        for name in shared.OPTIMIZERS:
            controls += [entry.control for entry in shared.hyperparameter_controls(slot, name)]
    for name in shared.SCHEDULES:
        controls += shared.schedule_parameter_controls(name)
    return tuple(control.url_parameter() for control in controls)


# ----- the settings a sidebar yields ----------------------------------------------------------
@dataclass(frozen=True)
class DataSettings:
    """make_dataset's arguments."""

    name: str
    count: int
    noise: float
    train_share: float
    seed: int
    extra_features: tuple[str, ...]
    normalise: bool

    def arguments(self) -> dict[str, Any]:
        return dict(
            name=self.name,
            count=self.count,
            noise=self.noise,
            train_share=self.train_share,
            seed=self.seed,
            extra_features=self.extra_features,
            normalise=self.normalise,
        )


@dataclass(frozen=True)
class NetworkSettings:
    """What the sidebar shows: the data, the training configuration, and why it cannot train."""

    data: DataSettings
    config: TrainingConfig
    error: str = ""


def penalty_rates(penalty: str, rate: float) -> tuple[float, float]:
    """(l1, l2) for the regularisation choice."""
    return (rate if penalty == "l1" else 0.0, rate if penalty == "l2" else 0.0)


def pair_betas(values: Mapping[str, Any]) -> dict[str, Any]:
    """The sliders beta1 and beta2 back into torch's betas pair."""
    values = dict(values)
    if "beta1" in values:
        values["betas"] = (float(values.pop("beta1")), float(values.pop("beta2")))
    return values


def draw_optimizer(container: Any, slot: int) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """One optimizer's controls (the Explorer's): its name and hyperparameters as sorted items."""
    name = shared.optimizer_control(slot).draw(container)
    values: dict[str, Any] = {"lr": float(shared.lr_control(slot).draw(container))}
    advanced = None
    for entry in shared.hyperparameter_controls(slot, name):
        if not entry.main and advanced is None:
            advanced = container.popover("Advanced hyperparameters", icon=":material/tune:")
        values[entry.keyword] = entry.control.draw(container if entry.main else advanced)
    return name, tuple(sorted(pair_betas(values).items()))


def draw_schedule(container: Any) -> tuple[str, tuple[tuple[str, float], ...]]:
    name = shared.schedule_control().draw(container)
    values = {
        control.key.removeprefix(f"{name}_"): float(control.draw(container))
        for control in shared.schedule_parameter_controls(name)
    }
    return name, tuple(sorted(values.items()))


def draw_controls() -> NetworkSettings:
    """Draw the sidebar and return the settings it shows."""
    import streamlit as st

    sidebar = st.sidebar
    data = _draw_data(sidebar.expander("Data", expanded=True))
    task = DATASETS[data.name].task
    hidden, activation = _draw_network(sidebar.expander("Network", expanded=True))
    training = sidebar.expander("Training", expanded=True)
    loss = _draw_loss(training, task)
    training.caption(LOSSES[loss].note)
    optimizer, hyperparameters = draw_optimizer(training, 0)
    penalty_control, rate_control, *rest = training_controls()
    penalty = penalty_control.draw(training)
    rate = rate_control.draw(training) if penalty != "none" else 0.0
    batch, epochs, seed = (control.draw(training) for control in rest)
    schedule_box = sidebar.expander("Learning-rate schedule")
    schedule_box.caption("Networks change the rate once per epoch, as `scheduler.step()` does.")
    schedule, schedule_parameters = draw_schedule(schedule_box)
    l1, l2 = penalty_rates(penalty, float(rate))
    config = TrainingConfig(
        hidden,
        activation,
        loss,
        l1,
        l2,
        optimizer,
        hyperparameters,
        schedule,
        schedule_parameters,
        int(batch),
        int(epochs),
        int(seed),
    )
    data = DataSettings(**{**data.__dict__, "seed": int(seed)})
    return NetworkSettings(data, config, _training_error(config))


def _draw_data(container: Any) -> DataSettings:
    name, noise, points, share, normalise = (control.draw(container) for control in data_controls())
    chosen = _draw_features(container, DATASETS[name].inputs)
    return DataSettings(name, int(points), float(noise), float(share), 0, chosen, bool(normalise))


def _draw_features(container: Any, inputs: int) -> tuple[str, ...]:
    """The extra-feature toggles in one row (no y features for one-input data)."""
    container.caption("Extra input features, as in TensorFlow Playground")
    row = container.container(horizontal=True)
    usable = [control for control in feature_controls() if inputs == 2 or "y" not in control.label]
    return tuple(control.label for control in usable if control.draw(row))


def _draw_loss(container: Any, task: str) -> str:
    """The loss select box; a loss kept from another data set's task falls back to the default."""
    import streamlit as st

    control = loss_control(task)
    if st.session_state.get(control.key, control.default) not in control.choices:
        st.session_state[control.key] = control.default
    return control.draw(container)


def _draw_network(container: Any) -> tuple[tuple[int, ...], str]:
    layers_control, activation_control = network_controls()
    layers = int(layers_control.draw(container))
    hidden = tuple(int(units_control(layer).draw(container)) for layer in range(layers))
    return hidden, activation_control.draw(container)


def _training_error(config: TrainingConfig) -> str:
    try:
        config.build_optimizer()
        config.learning_rates(dict(config.hyperparameters)["lr"])
    except ValueError as error:
        return str(error)
    return ""


TEXTBOOK_PRESET: dict[str, Any] = {
    "net_data": "blobs", "net_layers": 2, "net_units1": 64, "net_units2": 32,
    "net_activation": "relu", "net_loss": "cce", "optimizer": "sgd", "lr": 0.01,
    "sgd_momentum": 0.0, "net_batch": 32, "net_epochs": 100, "net_penalty": "none",
    "schedule": "constant", "net_normalise": True,
}  # fmt: skip
"""Dense 64 relu, Dense 32 relu, softmax output, plain SGD, categorical cross-entropy, batch 32,
accuracy as the metric, on the three-class blobs."""


def apply_preset(values: Mapping[str, Any]) -> None:
    """A button callback: set the widgets' values before they are drawn."""
    import streamlit as st

    for key, value in values.items():
        st.session_state[key] = value
