"""The four studies of the learning-rate lab, each drawn by one function from the shared inputs.

STUDY_VIEWS maps a study's name (the `study` URL parameter) to the function that draws its
controls, runs it (cached, with a progress bar) and shows its figures and a few words on what
they mean. The page script only picks one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

from app import sweep_figures as figures
from app import sweep_settings as lab
from app.classroom import show_figure
from core import sweeps

CHART_CONFIG = {"displaylogo": False, "scrollZoom": False}


def _ordered_range(lowest: float, highest: float) -> tuple[float, float]:
    """The sweep's range with the ends in order (a notice if they were not)."""
    if lowest < highest:
        return lowest, highest
    st.warning(
        f"The smallest learning rate ({lowest:g}) must be below the largest "
        f"({highest:g}); the sweep uses [{min(lowest, highest):g}, "
        f"{max(lowest, highest) * (1 if lowest != highest else 10):g}]."
    )
    if lowest == highest:
        return lowest, highest * 10
    return highest, lowest


# ----- learning-rate sweep --------------------------------------------------------------------
def show_sweep(inputs: lab.StudyInputs) -> None:
    lowest, highest, count, target = lab.draw_row(st, lab.sweep_controls())
    lowest, highest = _ordered_range(lowest, highest)
    results = lab.learning_rate_sweeps(inputs, (lowest, highest, int(count)), target)
    surface = inputs.settings.surface
    show_figure(
        figures.sweep_figure(results, surface.minimum_value),
        key="sweep_chart",
        config=CHART_CONFIG,
        html_name="learning-rate-sweep",
    )
    st.caption(
        "Each optimizer runs from the same start at every learning rate, all at once. Top: "
        "where it ended (crosses along the top: diverged). Bottom: the steps it took to reach "
        "the target. The dashed line is each optimizer's stability edge at the start, the "
        "dotted one the same at the minimum the runs reach: on a quadratic bowl it is exact, "
        "elsewhere it is the edge of the local quadratic model."
    )
    st.dataframe(_sweep_summary(results), hide_index=True)
    _show_sweep_paths(inputs, results)


def _sweep_summary(results: list[sweeps.LearningRateSweep]) -> list[dict]:
    rows = []
    for sweep in results:
        best = sweep.best_index
        rows.append(
            {
                "optimizer": sweep.optimizer_label,
                "fastest γ": _number(sweep.learning_rates[best]) if best >= 0 else "–",
                "steps to target": _number(sweep.steps_to_target[best]) if best >= 0 else "–",
                "first diverging γ": _number(sweep.divergence_threshold),
                "stability edge at the start": _edge_text(sweep),
            }
        )
    return rows


def _edge_text(sweep: sweeps.LearningRateSweep) -> str:
    if sweep.edge_formula is None:
        return "none fixed (adaptive)"
    rate = sweep.critical_lr
    return f"{sweep.edge_formula} = {rate:.3g}" if math.isfinite(rate) else "none here"


def _number(value: float) -> str:
    return f"{value:.3g}" if math.isfinite(value) else "–"


def _show_sweep_paths(inputs: lab.StudyInputs, results: list[sweeps.LearningRateSweep]) -> None:
    st.subheader("Paths at a few telling rates")
    names = [f"{number + 1} · {sweep.optimizer_label}" for number, sweep in enumerate(results)]
    chosen = 0
    if len(results) > 1:
        chosen = names.index(st.radio("Paths of", names, horizontal=True, key="sweep_paths"))
    surface = inputs.settings.surface
    show_figure(
        figures.sweep_paths_figure(surface, results[chosen]),
        key="sweep_paths_chart",
        config=CHART_CONFIG,
        html_name="sweep-paths",
    )
    st.caption(
        "Too small crawls, a good rate arrives, too large zig-zags, past the edge the "
        "steps grow until the path leaves (a cross marks where it stopped)."
    )


# ----- basins of attraction -------------------------------------------------------------------
def _remember_clicked_start() -> None:
    """A click on the basin map moves the shared start there (the sidebar follows)."""
    start = lab.clicked_start(st.session_state.get("basin_chart"))
    if start is not None:
        st.session_state["x0"], st.session_state["y0"] = start
        st.session_state["basin_clicked"] = start


def show_basins(inputs: lab.StudyInputs) -> None:
    resolution, colour_by = lab.draw_row(st, lab.basin_controls())
    basins = lab.basin_map(inputs, int(resolution))
    surface, optimizer = inputs.settings.surface, inputs.settings.optimizers[0]
    show_figure(
        figures.basin_figure(surface, basins, colour_by, inputs.settings.start),
        key="basin_chart",
        on_select=_remember_clicked_start,
        selection_mode="points",
        config=CHART_CONFIG,
        html_name="basins",
    )
    _show_clicked_start()
    st.caption(
        f"Every pixel is a start of {optimizer.label()} run for {inputs.steps} steps; its colour "
        "is the minimum it ends in (stars). Greys: diverged, stalled at a saddle, or still "
        "on its way when the steps ran out. Click a pixel to open that start in the Explorer."
    )
    st.dataframe(_outcome_rows(basins.outcomes()), hide_index=True)


def _show_clicked_start() -> None:
    start = st.session_state.get("basin_clicked")
    if start is None:
        return
    link = lab.explorer_link_for_start(start)
    st.markdown(
        f"Start **({start[0]:.4g}, {start[1]:.4g})** selected: [open it in the Explorer]({link})"
    )


def _outcome_rows(outcomes: list[sweeps.Outcome]) -> list[dict]:
    return [
        {"ends in": o.name, "starts": o.count, "share": f"{100 * o.share:.1f} %"} for o in outcomes
    ]


# ----- learning rate x momentum -----------------------------------------------------------------
def show_momentum(inputs: lab.StudyInputs) -> None:
    controls = (*lab.sweep_controls()[:2], *lab.momentum_controls())
    lowest, highest, count, show = lab.draw_row(st, controls)
    lowest, highest = _ordered_range(lowest, highest)
    study = lab.momentum_map(inputs, (lowest, highest), int(count))
    show_figure(
        figures.momentum_figure(study, show),
        key="momentum_chart",
        config=CHART_CONFIG,
        html_name="learning-rate-momentum",
    )
    st.caption(_momentum_caption(study, inputs.steps))


def _momentum_caption(study: sweeps.MomentumMap, steps: int) -> str:
    low, high = study.curvatures
    text = (
        f"Heavy-ball SGD (torch's momentum, dampening 0; exact gradients, constant rates) "
        f"from the start for {steps} steps at every pair. Blank cells diverged."
    )
    if not study.defined:
        return text + (
            " This surface has no minimum below the start to measure the loss against, so "
            "the contraction per step is not defined and the map stays blank: every run's "
            "loss gap is measured from the start itself."
        )
    if high > 0:
        text += (
            f" The dashed line is the analytic edge γλmax = 2(1+β) with λmax = {high:.3g}: "
            "heavy ball converges left of it."
        )
    else:
        text += " Nothing curves up at the reference point, so no analytic edge is drawn."
    if study.quadratic:
        agreement = (study.empirical_stable() == study.analytic_stable()).mean()
        return text + (
            f" This surface is quadratic, so the edge is exact: the runs agree with "
            f"it on {100 * agreement:.0f} % of the cells (the rest sit on the edge, "
            f"where convergence is too slow to show in {steps} steps)."
        )
    return text + (
        " This surface is not quadratic: the edge is that of the quadratic model "
        f"at the {study.reference} (curvatures {low:.3g} and {high:.3g}); the map is the truth, "
        "and the star marks its fastest measured cell."
    )


# ----- random starts ----------------------------------------------------------------------------
def show_starts(inputs: lab.StudyInputs) -> None:
    count, seed = lab.draw_row(st, lab.start_count_controls())
    result = lab.random_starts(inputs, int(count), int(seed))
    optimizer = inputs.settings.optimizers[0]
    show_figure(
        figures.outcome_bars_figure(result),
        key="starts_chart",
        config=CHART_CONFIG,
        html_name="random-starts",
    )
    st.caption(
        f"{int(count):,} starts drawn uniformly over the domain (seed {int(seed)}), each "
        f"run with {optimizer.label()} for {inputs.steps} steps: the share that ends in "
        "each minimum is the size of its basin as this optimizer sees it."
    )


STUDY_VIEWS: dict[str, Callable[[lab.StudyInputs], None]] = {
    "sweep": show_sweep,
    "basins": show_basins,
    "momentum": show_momentum,
    "starts": show_starts,
}
