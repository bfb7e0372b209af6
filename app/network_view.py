"""The Network Lab's sections: header, training buttons, live view, one step, landscape, compare.

Each function draws one part of the page from the session (app.network_session) with the figure
builders (app.network_figures); the page script only calls them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from app import network_figures as figures
from app import network_session as actions
from app.classroom import offer_download, show_figure
from app.computations import show_notice
from app.exports import history_csv
from app.network_session import SESSION_KEY, TrainingSession
from app.network_settings import MAX_COMPARED, TEXTBOOK_PRESET, apply_preset, draw_optimizer
from app.untrusted_text import MESSAGE_LIMIT, escape_markdown
from core.nn.anatomy import StepAnatomy, step_anatomy
from core.nn.diagnosis import diagnose_trainer
from core.nn.training import DIVERGED

LIVE_INTERVAL = 0.4
"""Seconds between live updates while training."""
DIAGNOSIS_STYLE = {"diverged": st.error, "unstable": st.warning, "overfitting": st.warning,
                   "learned": st.success, "stuck": st.warning, "improving": st.info,
                   "settled": st.warning, "untrained": st.info, "early": st.info}  # fmt: skip


def show_header() -> None:
    st.title("Network Lab")
    st.caption(
        "Train a small neural network with the same optimizers as the Explorer and watch it learn: "
        "the boundary it draws, its loss curves, a single step in slow motion, and the loss "
        "landscape around the weights it found."
    )
    st.button(
        "Textbook preset: Dense 64 relu → Dense 32 relu → softmax, SGD, batch 32",
        on_click=apply_preset,
        args=(TEXTBOOK_PRESET,),
        help="The classic first network: three-class data, categorical cross-entropy, "
        "plain SGD at lr 0.01, batch size 32, accuracy as the metric.",
    )


def show_lab(session: TrainingSession) -> None:
    """Everything below the header for a session that can train."""
    show_architecture(session)
    show_buttons(session)
    show_live(session)
    step_tab, weights_tab, landscape_tab, compare_tab = st.tabs(
        ["One step, slowly", "The network", "Loss landscape", "Compare optimizers"]
    )
    with weights_tab:
        show_network(session)
    with step_tab:
        show_anatomy(session)
    with landscape_tab:
        show_landscape(session)
    with compare_tab:
        show_comparison(session)


def show_architecture(session: TrainingSession) -> None:
    network, trainer = session.trainer.network, session.trainer
    sizes = " → ".join(str(size) for size in network.sizes)
    output = {"cce": "softmax", "bce": "sigmoid"}.get(trainer.config.loss, "linear")
    hidden = f"{network.activation_name} hidden" if len(network.sizes) > 2 else "no hidden layer"
    st.caption(
        f"Network {sizes} ({hidden}, {output} output), "
        f"{network.params.size:,} weights · inputs {', '.join(trainer.dataset.feature_names)} · "
        f"{trainer.dataset.targets_train.size} training and {trainer.dataset.targets_test.size} "
        f"test points · {trainer.optimizer.label()} · batch {trainer.config.batch_size}"
    )


@dataclass(frozen=True)
class ControlButton:
    """One training button: its label, icon, action on the session and when it is disabled."""

    label: str
    icon: str
    action: Callable[[TrainingSession], None]
    needs_training_left: bool
    primary: bool = False


def _training_buttons(running: bool) -> tuple[ControlButton, ...]:
    first = (
        ControlButton("Pause", ":material/pause:", actions.pause, False)
        if running
        else ControlButton("Train", ":material/play_arrow:", actions.start, True, primary=True)
    )
    return (
        first,
        ControlButton("Step one epoch", ":material/skip_next:", actions.step_epoch, True),
        ControlButton("Reset", ":material/restart_alt:", actions.reset, False),
    )


def show_buttons(session: TrainingSession) -> None:
    """Train (or Pause while training), Step one epoch, Reset."""
    for column, button in zip(st.columns(4), _training_buttons(session.running), strict=False):
        column.button(
            button.label, icon=button.icon, on_click=button.action, args=(session,),
            type="primary" if button.primary else "secondary",
            disabled=button.needs_training_left and session.trainer.done,
            use_container_width=True,
        )  # fmt: skip


def show_live(session: TrainingSession) -> None:
    """The boundary, curves, progress and diagnosis; refreshed on a timer while training."""
    interval = LIVE_INTERVAL if session.running else None
    st.fragment(run_every=interval)(_live_body)()


def _live_body() -> None:
    session: TrainingSession = st.session_state[SESSION_KEY]
    trainer = session.trainer
    if session.running:
        actions.advance(session)
        if not session.running:
            st.rerun()  # finished: redraw the page once more without the timer
    history, task = trainer.history, trainer.dataset.task
    st.progress(
        trainer.epoch / trainer.config.epochs,
        text=f"Epoch {trainer.epoch} of {trainer.config.epochs}"
        + (" · training…" if session.running else ""),
    )
    _show_diagnosis(session)
    left, right = st.columns([1, 1], gap="medium")
    title = f"Epoch {trainer.epoch}: test {figures.metric_name(task)} {history.test_metric[-1]:.3f}"
    show_figure(
        figures.boundary_figure(trainer.network, trainer.dataset, trainer.config.loss, title),
        key="boundary",
        container=left,
        html_name=f"network-{trainer.dataset.spec.name}-epoch-{trainer.epoch}",
    )
    show_figure(figures.curves_figure(history, task), key="curves", container=right)
    offer_download(
        "Download the training history as CSV",
        lambda: history_csv(history),
        f"training-history-{trainer.dataset.spec.name}.csv",
        container=right,
        key="history_csv",
        help="One row per epoch: train and test loss and metric, and the learning rate used.",
    )
    picture = (
        "The black line is what the network predicts for every x"
        if trainer.dataset.spec.inputs == 1
        else "The heatmap is what the network predicts everywhere in the plane"
    )
    right.caption(
        f"{picture}; filled points train it, hollow ones test it. A test curve that turns up "
        "while the training curve keeps falling is overfitting."
    )


def _show_diagnosis(session: TrainingSession) -> None:
    trainer = session.trainer
    verdict = diagnose_trainer(trainer, figures.metric_name(trainer.dataset.task))
    DIAGNOSIS_STYLE[verdict.kind](f"**{verdict.headline}.** {verdict.message}")
    if trainer.status == DIVERGED:
        st.caption("Lower the learning rate, normalise the inputs, or pick an adaptive optimizer.")


# ----- one step, slowly -----------------------------------------------------------------------
@dataclass(frozen=True)
class Stage:
    """One stage of the step as a column: heading, what happens, and its number."""

    heading: str
    caption: str
    label: str
    value: str
    delta: str | None = None
    help: str | None = None


def anatomy_stages(trainer, anatomy: StepAnatomy) -> tuple[Stage, ...]:
    """The four stages of the textbook loop with the numbers of this step filled in."""
    shapes = " → ".join(f"{rows}×{units}" for rows, units in anatomy.layer_shapes)
    rule = trainer.optimizer.rule
    first_sentence = rule.summary.split(". ")[0].rstrip(".")
    name = anatomy.parameter_name
    return (
        Stage("1 · Forward pass",
              f"A batch of {anatomy.batch_size} points flows through z = a·W + b, a = φ(z): "
              f"{shapes}.", "first point's raw output",
              ", ".join(f"{v:.3g}" for v in anatomy.first_output),
              help=f"its target is {anatomy.first_target:g}"),
        Stage("2 · Loss", f"The mean {trainer.config.loss} over the batch, plus the penalty.",
              "batch loss", f"{anatomy.loss_before:.5g}"),
        Stage("3 · Backpropagation",
              f"The chain rule from the output back to {name}; ‖∇L‖ = "
              f"{anatomy.gradient_norm:.3g}.", f"∂L/∂{name}", f"{anatomy.gradient:.4g}"),
        Stage("4 · Update",
              f"{rule.title} at lr {anatomy.learning_rate:.3g}: {first_sentence}.",
              name, f"{anatomy.value_after:.5g}", delta=f"{anatomy.update:+.3g}",
              help=f"before the step: {anatomy.value_before:.5g}"),
    )  # fmt: skip


def show_anatomy(session: TrainingSession) -> None:
    trainer = session.trainer
    st.markdown(
        "For the **next mini-batch**, the four stages of one training step, following one "
        "weight. Nothing changes until you train or step."
    )
    anatomy = step_anatomy(trainer, _pick_weight(trainer.network))
    for column, stage in zip(st.columns(4), anatomy_stages(trainer, anatomy), strict=True):
        column.markdown(f"**{stage.heading}**")
        column.caption(stage.caption)
        column.metric(stage.label, stage.value, delta=stage.delta, delta_color="off",
                      help=stage.help)  # fmt: skip
    change = anatomy.loss_after - anatomy.loss_before
    st.markdown(
        f"After the step the batch loss is **{anatomy.loss_after:.5g}** "
        f"({'down' if change < 0 else 'up'} {abs(change):.3g})."
    )


def _pick_weight(network) -> int:
    """A tensor (W1, b1, ...) and an entry of it, as the index into params."""
    names = network.parameter_names()
    tensors = [f"{kind}{layer + 1}" for layer in range(len(network.weights)) for kind in "Wb"]
    columns = st.columns(3)
    tensor = columns[0].selectbox(
        "Tensor",
        tensors,
        key="net_anatomy_tensor",
        help="W: weights into a layer (inputs × units); b: its biases.",
    )
    layer = int(tensor[1:]) - 1
    rows, units = network.weights[layer].shape
    unit = columns[2].number_input("Unit", 0, units - 1, 0, key="net_anatomy_unit")
    if tensor.startswith("b"):
        return names.index(f"{tensor}[{unit}]")
    row = columns[1].number_input("Input", 0, rows - 1, 0, key="net_anatomy_input")
    return names.index(f"{tensor}[{row}, {unit}]")


# ----- the network ----------------------------------------------------------------------------
OUTPUT_NAMES = {"bce": "P(class 1)", "cce": "class", "mse": "ŷ", "mae": "ŷ"}


def show_network(session: TrainingSession) -> None:
    trainer = session.trainer
    figure = figures.network_diagram(
        trainer.network, trainer.dataset.feature_names, OUTPUT_NAMES[trainer.config.loss]
    )
    show_figure(figure, key="diagram")
    st.caption(
        f"Epoch {trainer.epoch}. Each line is a weight: orange positive, blue negative, wider when "
        "larger. Step an epoch and watch the lines change; a unit whose lines all fade has "
        "stopped contributing (with relu, a dead unit)."
    )


# ----- landscape ------------------------------------------------------------------------------
def show_landscape(session: TrainingSession) -> None:
    st.markdown(
        "The training loss on a plane through the current weights θ*: L(θ* + α·d₁ + β·d₂). "
        "Along the path's principal directions the path lies almost in the plane; random "
        "filter-normalised directions (Li et al., 2018) show the typical neighbourhood."
    )
    columns = st.columns([2, 1, 1])
    kind = columns[0].radio(
        "Directions",
        list(actions.LANDSCAPE_KINDS),
        format_func=actions.LANDSCAPE_KINDS.get,
        horizontal=True,
        key="net_landscape_kind",
    )
    resolution = columns[1].slider("Resolution", 11, 41, 25, step=2, key="net_landscape_size")
    show_notice(actions.landscape_plan(session.trainer, resolution)[1])
    if columns[2].button("Compute the landscape", icon=":material/landscape:"):
        bar = st.progress(0.0, text="Slicing the loss…")
        try:
            session.landscape = actions.compute_landscape(
                session, kind, resolution, lambda share: bar.progress(share, text="Slicing…")
            )
        except ValueError as error:
            st.error(f"No landscape: {escape_markdown(str(error), limit=MESSAGE_LIMIT)}.")
        bar.empty()
    _draw_landscape(session)


def _draw_landscape(session: TrainingSession) -> None:
    view = session.landscape
    if view is None:
        st.info("Train a little, then compute the landscape around the weights.")
        return
    explained = view.slice.directions.explained_variance
    title = f"{actions.LANDSCAPE_KINDS[view.kind]}, at epoch {view.epoch}"
    if view.kind == "pca":
        st.caption(
            f"The two directions explain {explained[0]:.1%} and {explained[1]:.1%} of the "
            "path's variance: the path drawn is (almost) the real one."
        )
    left, right = st.columns([3, 2])
    show_figure(figures.landscape_figure(view.slice, title), key="landscape", container=left)
    show_figure(
        figures.interpolation_figure(view.steps, view.values), key="interpolation", container=right
    )
    right.caption(
        "A loss that falls monotonically along the straight line means the optimizer "
        "had no barrier to cross between the initial and the trained weights."
    )


# ----- compare optimizers ---------------------------------------------------------------------
def show_comparison(session: TrainingSession) -> None:
    st.markdown(
        "Train the same network on the same data from the same initial weights with up "
        f"to {MAX_COMPARED} optimizers (the first is the sidebar's), and overlay their "
        f"curves (at most {actions.MAX_COMPARE_EPOCHS} epochs each, fewer when the work "
        "budget asks for it)."
    )
    count = st.radio("Optimizers", [2, 3], horizontal=True, key="net_compare_count")
    show_notice(actions.comparison_plan(session.trainer, count)[1])
    chosen = [(session.trainer.config.optimizer, session.trainer.config.hyperparameters)]
    columns = st.columns(count - 1)
    for slot in range(1, count):
        chosen.append(draw_optimizer(columns[slot - 1].container(border=True), slot))
    if st.button("Compare", icon=":material/compare_arrows:"):
        bar = st.progress(0.0, text="Training…")
        _run_comparison(session, chosen, bar)
    if session.comparison:
        show_figure(
            figures.comparison_figure(session.comparison, session.trainer.dataset.task),
            key="comparison",
        )


def _run_comparison(session: TrainingSession, chosen: list, bar: Any) -> None:
    try:
        session.comparison = actions.compute_comparison(
            session, chosen, lambda share: bar.progress(min(share, 1.0), text="Training…")
        )
    except ValueError as error:
        st.error(f"Cannot compare: {escape_markdown(str(error), limit=MESSAGE_LIMIT)}")
    bar.empty()
