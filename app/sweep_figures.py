"""Figures of the learning-rate lab: pure functions from core.sweeps results to Plotly figures.

Each builder takes results (and the surface for a contour) and returns a go.Figure; nothing here
computes a run or touches Streamlit, so the figures are tested without a server. Arrays go out as
float32 (or small integers), so a 200 x 200 basin map costs about 100 kB on the wire.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.figures import surface_grid
from app.theme import CONTOUR_SCALE, OKABE_ITO, path_colour
from core.surfaces import Surface
from core.sweeps import (
    DIVERGED,
    NOT_CONVERGED,
    OTHER_MINIMUM,
    SADDLE,
    BasinMap,
    LearningRateSweep,
    MomentumMap,
    Outcome,
    RandomStarts,
)

MINIMUM_COLOURS = tuple(c for c in OKABE_ITO if c != "#000000")
"""One colour per minimum of a basin map (cycled when a surface lists more)."""
NEUTRAL_OUTCOME_COLOURS = {
    DIVERGED: "#3b3b3b",
    NOT_CONVERGED: "#c8c8c8",
    SADDLE: "#8a8a8a",
    OTHER_MINIMUM: "#f2f2f2",
}
LEGEND_OUTCOMES = 10
"""The basin legend lists this many outcomes; the rest are summed in one entry."""
CLICK_GRID = 40
"""A basin map is clickable through a grid of at most CLICK_GRID² invisible markers."""
CONTOUR_RESOLUTION = 60
SMALL_CONTOUR_RESOLUTION = 40
LOSS_FLOOR = 1e-16
"""Loss gaps are drawn on a log axis; exact zeros sit at this floor."""
BASE_LAYOUT = dict(
    template="none",
    font=dict(family="sans-serif", size=13, color="#222222"),
    paper_bgcolor="white",
    plot_bgcolor="white",
    margin=dict(l=60, r=20, t=40, b=50),
    legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
)


def outcome_colour(label: int) -> str:
    """The colour of an outcome label: a minimum's own colour, or a neutral grey."""
    if label >= 0:
        return MINIMUM_COLOURS[label % len(MINIMUM_COLOURS)]
    return NEUTRAL_OUTCOME_COLOURS[label]


# ----- contours -------------------------------------------------------------------------------
def contour_trace(surface: Surface, resolution: int, filled: bool = True) -> go.Contour:
    """The surface's contour (the Explorer's colouring, log for log_colors surfaces): filled,
    or as faint lines to lay over an image."""
    grid = surface_grid(surface, resolution)
    return go.Contour(
        x=grid.xs,
        y=grid.ys,
        z=grid.colours,
        colorscale=CONTOUR_SCALE,
        showscale=False,
        ncontours=20,
        contours=dict(coloring="fill" if filled else "lines"),
        line=dict(width=0.5 if filled else 1.0),
        opacity=1.0 if filled else 0.35,
        hoverinfo="skip",
    )


def _domain_axes(figure: go.Figure, surface: Surface, **where) -> None:
    x_min, x_max, y_min, y_max = surface.domain
    figure.update_xaxes(range=[x_min, x_max], showgrid=False, zeroline=False, **where)
    figure.update_yaxes(range=[y_min, y_max], showgrid=False, zeroline=False, **where)


# ----- learning-rate sweep --------------------------------------------------------------------
def loss_gaps(sweep: LearningRateSweep, minimum_value: float | None) -> np.ndarray:
    """f_end − f* (f_end where f* is unknown), floored at LOSS_FLOOR for a log axis: (M,)."""
    offset = 0.0 if minimum_value is None else minimum_value
    with np.errstate(all="ignore"):
        return np.maximum(sweep.final_values - offset, LOSS_FLOOR)


def sweep_figure(sweeps: Sequence[LearningRateSweep], minimum_value: float | None) -> go.Figure:
    """Final loss gap (top) and steps to the target (bottom) against the learning rate, log axes,
    one curve per optimizer; diverged rates as crosses along the top edge; 2/λmax as lines."""
    figure = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06
    )
    top = _top_edge(sweeps, minimum_value)
    for number, sweep in enumerate(sweeps):
        _add_sweep_curves(figure, sweep, minimum_value, path_colour(number), top)
    if sweeps:
        _add_critical_lines(figure, sweeps[0], top)
    gap_title = "final loss gap f − f*" if minimum_value is not None else "final loss f"
    target = sweeps[0].target_fraction if sweeps else 1e-3
    figure.update_layout(**BASE_LAYOUT, height=520, hovermode="x unified")
    figure.update_xaxes(type="log", title_text="learning rate γ", row=2, col=1)
    figure.update_xaxes(type="log", row=1, col=1)
    figure.update_yaxes(type="log", title_text=gap_title, exponentformat="power", row=1, col=1)
    figure.update_yaxes(title_text=f"steps to {target:g}·gap₀", rangemode="tozero", row=2, col=1)
    return figure


def _top_edge(sweeps: Sequence[LearningRateSweep], minimum_value: float | None) -> float:
    """A height above every finite gap, where the diverged markers sit."""
    highest = 1.0
    for sweep in sweeps:
        gaps = loss_gaps(sweep, minimum_value)
        finite = gaps[np.isfinite(gaps) & ~sweep.diverged]
        highest = max(highest, float(finite.max())) if finite.size else highest
    return 10.0 ** (math.ceil(math.log10(max(highest, LOSS_FLOOR))) + 1)


def _add_sweep_curves(figure, sweep, minimum_value, colour: str, top: float) -> None:
    rates = sweep.learning_rates.astype(np.float32)
    gaps = np.where(sweep.diverged, np.nan, loss_gaps(sweep, minimum_value)).astype(np.float32)
    name = sweep.optimizer_label
    figure.add_trace(
        go.Scatter(
            x=rates,
            y=gaps,
            mode="lines+markers",
            name=name,
            legendgroup=name,
            line=dict(color=colour, width=2),
            marker=dict(size=5),
            customdata=sweep.stop_steps.astype(np.int32),
            hovertemplate=f"{name}: %{{y:.3g}} after %{{customdata}} steps<extra></extra>",
        ),
        row=1,
        col=1,
    )
    diverged = sweep.diverged
    if diverged.any():
        figure.add_trace(
            go.Scatter(
                x=rates[diverged],
                y=np.full(int(diverged.sum()), top, np.float32),
                mode="markers",
                name=f"{name} diverged",
                legendgroup=name,
                marker=dict(symbol="x", size=9, color=colour),
                customdata=sweep.stop_steps[diverged].astype(np.int32),
                hovertemplate=f"{name}: diverged at step %{{customdata}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
    figure.add_trace(
        go.Scatter(
            x=rates,
            y=sweep.steps_to_target.astype(np.float32),
            mode="lines+markers",
            name=f"{name} steps",
            legendgroup=name,
            showlegend=False,
            line=dict(color=colour, width=2, dash="dot"),
            marker=dict(size=4),
            hovertemplate=f"{name}: target after %{{y:.0f}} steps<extra></extra>",
        ),
        row=2,
        col=1,
    )


def _add_critical_lines(figure, sweep: LearningRateSweep, top: float) -> None:
    if sweep.edge_formula is None:
        return
    lines = [(f"{sweep.edge_formula} at the start", sweep.critical_lr, "dash")]
    at_minimum = sweep.critical_lr_at_minimum
    if math.isfinite(at_minimum) and not math.isclose(at_minimum, sweep.critical_lr, rel_tol=0.01):
        lines.append((f"{sweep.edge_formula} at the minimum reached", at_minimum, "dot"))
    for caption, rate, dash in lines:
        if not (math.isfinite(rate) and rate > 0):
            continue
        figure.add_trace(
            go.Scatter(
                x=np.array([rate, rate], np.float32),
                y=np.array([LOSS_FLOOR, top], np.float32),
                mode="lines",
                name=f"{caption} = {rate:.3g}",
                line=dict(color="#555555", dash=dash),
                hovertemplate=f"{caption} = {rate:.3g}<extra></extra>",
            ),
            row=1,
            col=1,
        )


def sweep_paths_figure(surface: Surface, sweep: LearningRateSweep) -> go.Figure:
    """A row of small contour plots with the paths at the sweep's telling learning rates."""
    picks = sweep.representative_indices()
    columns = max(len(picks), 1)
    titles = [f"{caption}: γ = {sweep.learning_rates[i]:.3g}" for caption, i in picks]
    figure = make_subplots(
        rows=1, cols=columns, subplot_titles=titles or [""], horizontal_spacing=0.03
    )
    contour = contour_trace(surface, SMALL_CONTOUR_RESOLUTION)
    for column, (_, index) in enumerate(picks, start=1):
        figure.add_trace(contour, row=1, col=column)
        _add_path(figure, sweep, index, column)
    figure.update_layout(
        **{**BASE_LAYOUT, "margin": dict(l=20, r=20, t=50, b=20)}, height=280, showlegend=False
    )
    _domain_axes(figure, surface)
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False)
    return figure


def _add_path(figure: go.Figure, sweep: LearningRateSweep, index: int, column: int) -> None:
    path = sweep.paths[:, index]
    status = str(sweep.statuses[index])
    colour = "#D55E00" if status == "diverged" else "white"
    figure.add_trace(
        go.Scatter(
            x=path[:, 0],
            y=path[:, 1],
            mode="lines+markers",
            line=dict(color=colour, width=2),
            marker=dict(size=3, color=colour),
            customdata=sweep.path_steps.astype(np.int32),
            hovertemplate="step %{customdata}: (%{x:.3g}, %{y:.3g})<extra></extra>",
        ),
        row=1,
        col=column,
    )
    figure.add_trace(
        go.Scatter(
            x=path[-1:, 0],
            y=path[-1:, 1],
            mode="markers",
            marker=dict(
                symbol="x" if status == "diverged" else "circle",
                size=10,
                color=colour,
                line=dict(color="black", width=1),
            ),
            hovertemplate=f"end: {status} at step {int(sweep.stop_steps[index])}<extra></extra>",
        ),
        row=1,
        col=column,
    )


# ----- basins of attraction -------------------------------------------------------------------
def basin_figure(
    surface: Surface,
    basins: BasinMap,
    colour_by: str = "outcome",
    start: tuple[float, float] | None = None,
) -> go.Figure:
    """The basin map as an image over the contour lines: one colour per minimum, greys for the
    rest, the legend listing each outcome with its share (colour_by="outcome"); or the number of
    steps each start took (colour_by="steps"). `start` is marked; invisible markers make every
    start clickable."""
    image = _steps_image(basins) if colour_by == "steps" else _outcome_image(basins)
    figure = go.Figure(image)
    figure.add_trace(contour_trace(surface, CONTOUR_RESOLUTION, filled=False))
    _add_minima_markers(figure, basins)
    if start is not None:
        figure.add_trace(_start_marker(start))
    if colour_by != "steps":
        _add_outcome_legend(figure, basins.outcomes())
    figure.add_trace(click_grid_trace(basins))
    figure.update_layout(**BASE_LAYOUT, height=560, clickmode="event+select", dragmode="pan")
    figure.update_layout(legend=dict(orientation="v", x=1.02, y=1, yanchor="top"))
    _domain_axes(figure, surface)
    figure.update_yaxes(scaleanchor="x", scaleratio=1)
    return figure


def _outcome_image(basins: BasinMap) -> go.Heatmap:
    labels, colours = _outcome_slots(basins.outcomes())
    slots = np.searchsorted(labels, basins.labels).astype(
        np.int8 if len(labels) < 128 else np.int16
    )
    return go.Heatmap(
        x=basins.xs.astype(np.float32),
        y=basins.ys.astype(np.float32),
        z=slots,
        colorscale=_stepped_scale(colours),
        zmin=-0.5,
        zmax=len(colours) - 0.5,
        showscale=False,
        hovertemplate="start (%{x:.3g}, %{y:.3g})<extra></extra>",
    )


def _steps_image(basins: BasinMap) -> go.Heatmap:
    return go.Heatmap(
        x=basins.xs.astype(np.float32),
        y=basins.ys.astype(np.float32),
        z=basins.steps.astype(np.int16),
        colorscale="Cividis",
        zmin=0,
        zmax=basins.steps_run,
        colorbar=dict(title=dict(text="steps taken"), x=1.02),
        hovertemplate="start (%{x:.3g}, %{y:.3g})<br>stopped after %{z} steps<extra></extra>",
    )


def _start_marker(start: tuple[float, float]) -> go.Scatter:
    return go.Scatter(
        x=[start[0]],
        y=[start[1]],
        mode="markers",
        name="the sidebar's start",
        marker=dict(symbol="circle-open", size=14, color="black", line=dict(width=3)),
        hovertemplate="the sidebar's start (%{x:.3g}, %{y:.3g})<extra></extra>",
    )


def _outcome_slots(outcomes: Sequence[Outcome]) -> tuple[np.ndarray, list[str]]:
    """The sorted labels present and the colour of each (the heatmap draws slot numbers)."""
    labels = np.array(sorted(o.label for o in outcomes), dtype=np.int32)
    return labels, [outcome_colour(int(label)) for label in labels]


def _stepped_scale(colours: Sequence[str]) -> list[tuple[float, str]]:
    """A colour scale that paints the integer slot k in colours[k], with hard edges."""
    if len(colours) == 1:
        return [(0.0, colours[0]), (1.0, colours[0])]
    scale = []
    for slot, colour in enumerate(colours):
        scale += [(slot / len(colours), colour), ((slot + 1) / len(colours), colour)]
    return scale


def _add_minima_markers(figure: go.Figure, basins: BasinMap) -> None:
    if not basins.minima:
        return
    points = np.array([m.point for m in basins.minima], dtype=np.float32)
    figure.add_trace(
        go.Scatter(
            x=points[:, 0],
            y=points[:, 1],
            mode="markers",
            name="minima",
            showlegend=False,
            marker=dict(symbol="star", size=12, color="white", line=dict(color="black", width=1)),
            text=[m.label() for m in basins.minima],
            hovertemplate="%{text}<extra></extra>",
        )
    )


def outcome_caption(outcome: Outcome) -> str:
    """'global minimum (3, 2), f = 0 · 25.1 %'."""
    return f"{outcome.name} · {100 * outcome.share:.1f} %"


def _add_outcome_legend(figure: go.Figure, outcomes: Sequence[Outcome]) -> None:
    """Legend entries (markers without data) for the most common outcomes."""
    ranked = sorted(outcomes, key=lambda o: -o.count)
    for outcome in ranked[:LEGEND_OUTCOMES]:
        figure.add_trace(_legend_entry(outcome_caption(outcome), outcome_colour(outcome.label)))
    rest = ranked[LEGEND_OUTCOMES:]
    if rest:
        share = 100 * sum(o.share for o in rest)
        figure.add_trace(_legend_entry(f"{len(rest)} more outcomes · {share:.1f} %", "#ffffff"))


def _legend_entry(name: str, colour: str) -> go.Scatter:
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        name=name,
        hoverinfo="skip",
        marker=dict(symbol="square", size=13, color=colour, line=dict(color="#444444", width=1)),
    )


def click_grid_trace(basins: BasinMap) -> go.Scatter:
    """Invisible markers on every k-th cell centre (at most CLICK_GRID per axis): a click selects
    one, and its (x, y) is a start of the map, so the Explorer repeats that pixel's run (sent
    as float64, so the start is the pixel's to the last bit)."""
    stride_x = max(1, math.ceil(basins.xs.size / CLICK_GRID))
    stride_y = max(1, math.ceil(basins.ys.size / CLICK_GRID))
    grid_x, grid_y = np.meshgrid(
        basins.xs[stride_x // 2 :: stride_x], basins.ys[stride_y // 2 :: stride_y]
    )
    return go.Scatter(
        x=grid_x.ravel().astype(np.float64),
        y=grid_y.ravel().astype(np.float64),
        mode="markers",
        name="click a start",
        showlegend=False,
        marker=dict(size=max(4, 400 // CLICK_GRID), color="rgba(0,0,0,0)"),
        selected=dict(marker=dict(color="rgba(0,0,0,0.6)")),
        unselected=dict(marker=dict(opacity=0)),
        hovertemplate="open (%{x:.3g}, %{y:.3g}) in the Explorer<extra></extra>",
    )


# ----- random starts --------------------------------------------------------------------------
def outcome_bars_figure(starts: RandomStarts) -> go.Figure:
    """One bar per outcome: the share of the random starts that ended there."""
    outcomes = sorted(starts.outcomes(), key=lambda o: -o.count)[: 2 * LEGEND_OUTCOMES]
    names = [o.name for o in outcomes]
    figure = go.Figure(
        go.Bar(
            x=np.array([100 * o.share for o in outcomes], np.float32),
            y=names,
            orientation="h",
            marker=dict(
                color=[outcome_colour(o.label) for o in outcomes],
                line=dict(color="#444444", width=1),
            ),
            text=[f"{100 * o.share:.1f} % ({o.count})" for o in outcomes],
            textposition="auto",
            hovertemplate="%{y}: %{x:.1f} %<extra></extra>",
        )
    )
    figure.update_layout(**BASE_LAYOUT, height=max(220, 60 + 36 * len(outcomes)), showlegend=False)
    figure.update_layout(margin=dict(l=20, r=20, t=30, b=50))
    figure.update_xaxes(
        title_text=f"share of {starts.labels.size} random starts (%)", range=[0, 100]
    )
    figure.update_yaxes(autorange="reversed", automargin=True)
    return figure


# ----- learning rate x momentum ---------------------------------------------------------------
def momentum_figure(study: MomentumMap, show: str = "rate") -> go.Figure:
    """Heatmap over (learning rate, momentum) of the loss contraction per step (show="rate") or
    log10 of the final loss gap (show="loss"); diverged cells are left blank (grey background);
    the analytic boundary γ = 2(1+β)/λmax as a line, and the optimal pair on a quadratic."""
    if show == "rate":
        z, title, scale = study.rates, "loss contraction per step", "Viridis"
    else:
        with np.errstate(all="ignore"):
            z = np.log10(np.maximum(study.final_gaps, LOSS_FLOOR))
        z = np.where(study.statuses == "diverged", np.nan, z)
        title, scale = "log₁₀ final loss gap", "Viridis"
    figure = go.Figure(
        go.Heatmap(
            x=study.learning_rates.astype(np.float32),
            y=study.momenta.astype(np.float32),
            z=z.astype(np.float32),
            colorscale=scale,
            colorbar=dict(title=dict(text=title)),
            customdata=study.stop_steps.astype(np.int32),
            hovertemplate="γ = %{x:.3g}, β = %{y:.2f}<br>" + title + " %{z:.3g}"
            "<br>stopped at step %{customdata}<extra></extra>",
        )
    )
    _add_momentum_boundary(figure, study)
    figure.update_layout(**{**BASE_LAYOUT, "plot_bgcolor": "#9a9a9a"}, height=480)
    figure.update_xaxes(
        type="log",
        title_text="learning rate γ",
        range=np.log10(study.learning_rates[[0, -1]]).tolist(),
        showgrid=False,
    )
    figure.update_yaxes(
        title_text="momentum β", range=[0, float(study.momenta[-1])], showgrid=False
    )
    return figure


def _add_momentum_boundary(figure: go.Figure, study: MomentumMap) -> None:
    high = study.curvatures[1]
    if not high > 0:
        return
    betas = np.linspace(0.0, float(study.momenta[-1]), 100)
    where = "" if study.quadratic else f" (at the {study.reference})"
    figure.add_trace(
        go.Scatter(
            x=(2 * (1 + betas) / high).astype(np.float32),
            y=betas.astype(np.float32),
            mode="lines",
            name=f"γλmax = 2(1+β){where}",
            line=dict(color="white", width=3, dash="dash"),
            hovertemplate="analytic edge: γ = %{x:.3g} at β = %{y:.2f}<extra></extra>",
        )
    )
    best = _best_pair(study)
    if best is not None:
        name, gamma, beta = best
        figure.add_trace(
            go.Scatter(
                x=[gamma],
                y=[beta],
                mode="markers",
                name=f"{name}: γ = {gamma:.3g}, β = {beta:.2f}",
                marker=dict(
                    symbol="star", size=14, color="white", line=dict(color="black", width=1)
                ),
            )
        )


def _best_pair(study: MomentumMap) -> tuple[str, float, float] | None:
    """The fastest pair: the analytic optimum where the quadratic model is exact (a quadratic
    surface that curves up in both directions), else the fastest cell actually measured."""
    low, high = study.curvatures
    if study.quadratic and low > 0:
        gamma = 4 / (math.sqrt(high) + math.sqrt(low)) ** 2
        kappa = high / low
        beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
        return "optimal", gamma, beta
    measured = study.fastest_measured() if study.defined else None
    return None if measured is None else ("fastest measured", *measured)
