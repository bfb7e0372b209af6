"""The Explorer's figures: pure functions from numbers to Plotly figures (no Streamlit here).

- `surface_grid`: f on a regular grid over the domain (float32), with the colour values: log10 of
  f − f_low + δ where the surface asks for log colours (Rosenbrock spans eight decades).
- `contour_figure`: the contour, an invisible grid of click targets, the stationary points (global
  minima as stars, local minima as diamonds, saddles as crosses, maxima as triangles), every path
  in its own colour with its start, a cross where a diverging path left the domain, and frames that
  play the paths (at most MAX_FRAMES, so the figure stays small however long the run).
- `surface_3d_figure`: the same surface in 3-D with the paths lifted onto it.
- `loss_figure`: f − f* (log), the gradient norm (log) and, under a schedule, the learning rate.

Paths are decimated for drawing (at most MAX_DRAWN_POINTS per path, the first, last and exit
points always kept); the runs themselves are never decimated.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import core
from app.theme import CONTOUR_SCALE, path_colour

MAX_DRAWN_POINTS = 600
MAX_FRAMES = 100
FRAME_POINT_BUDGET = 5_000
"""Points over all frames and paths: frames are cumulative, so F frames of n paths cost ≈ n·F²/2."""
SCRUB_POSITIONS = 20
"""Positions on the scrubbing slider: Plotly draws each one, so a hundred slow every rerun."""
CLICK_GRID = 24
CONTOUR_LEVELS = 20
"""Fewer levels and click markers redraw faster on every slider press (measured: 30 levels and a
32 x 32 grid cost about 70 ms more per press in Chromium; filled bands instead of a smoothed
heatmap under the lines, about 50 ms less)."""
CONTOUR_RESOLUTION = 90
SURFACE_3D_RESOLUTION = 60
MAX_CURVE_POINTS = 300
PLOT_HEIGHT = 560

_MARKERS = {
    "global minimum": ("star", 18, "#FFD700"),
    "local minimum": ("diamond", 11, "#FFFFFF"),
    "saddle": ("x", 11, "#FFFFFF"),
    "degenerate": ("x", 11, "#FFFFFF"),
    "local maximum": ("triangle-up", 11, "#FFFFFF"),
}
"""Stationary-point kind -> (marker symbol, size, fill colour); all drawn with a black outline."""


@dataclass(frozen=True)
class SurfaceGrid:
    """f sampled on a grid: xs (nx,), ys (ny,), values (ny, nx); colours are what the map shows."""

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    colours: np.ndarray
    colour_title: str
    floor: float
    offset: float

    def colour_of(self, values: np.ndarray) -> np.ndarray:
        """The colour-scale value of f values (log10(f − floor + offset) or f itself)."""
        values = np.asarray(values, dtype=np.float64)
        if not self.offset:
            return values
        with np.errstate(all="ignore"):
            return np.log10(np.maximum(values - self.floor, 0.0) + self.offset)


@dataclass(frozen=True)
class PathView:
    """One optimizer's run as drawn: its slot (0..3), legend label, colour and run."""

    slot: int
    label: str
    colour: str
    run: core.Run


def path_views(runs: list[core.Run], slots: list[int]) -> list[PathView]:
    """Label ('1 · sgd (lr 0.1)') and colour each run by its slot."""
    return [
        PathView(slot, f"{slot + 1} · {run.optimizer.label()}", path_colour(slot), run)
        for run, slot in zip(runs, slots, strict=True)
    ]


# ----- the grid -------------------------------------------------------------------------------
def surface_grid(surface: core.Surface, resolution: int = CONTOUR_RESOLUTION) -> SurfaceGrid:
    """f on a resolution x resolution grid over the domain, float32 (capped at 400 x 400)."""
    resolution = int(min(max(resolution, 2), 400))
    x_min, x_max, y_min, y_max = surface.domain
    xs = np.linspace(x_min, x_max, resolution)
    ys = np.linspace(y_min, y_max, resolution)
    values = surface.value(np.stack(np.meshgrid(xs, ys), axis=-1))
    finite = values[np.isfinite(values)]
    floor, offset, title = 0.0, 0.0, "f"
    if surface.log_colors and finite.size:
        best = surface.minimum_value
        floor = float(finite.min()) if best is None else min(float(finite.min()), best)
        offset = max(1e-4 * (float(finite.max()) - floor), 1e-12)
        title = "log₁₀(f − f*)" if best is not None else "log₁₀(f − min f)"
    grid = SurfaceGrid(
        xs.astype(np.float32),
        ys.astype(np.float32),
        values.astype(np.float32),
        values.astype(np.float32),
        title,
        floor,
        offset,
    )
    if offset:
        grid = SurfaceGrid(
            grid.xs,
            grid.ys,
            grid.values,
            grid.colour_of(values).astype(np.float32),
            title,
            floor,
            offset,
        )
    return grid


# ----- paths for drawing ----------------------------------------------------------------------
def decimate_indices(count: int, maximum: int, keep: tuple[int, ...] = ()) -> np.ndarray:
    """At most about `maximum` sorted indices into range(count): evenly spread, with the first,
    the last and every index in `keep` included."""
    if count <= maximum:
        return np.arange(count)
    chosen = np.linspace(0, count - 1, maximum).round().astype(np.int64)
    extra = np.asarray([k for k in keep if 0 <= k < count], dtype=np.int64)
    return np.unique(np.concatenate([chosen, extra]))


def finite_points(points: np.ndarray) -> np.ndarray:
    """The leading run of finite points (a path that overflowed ends at its last finite one)."""
    finite = np.all(np.isfinite(points), axis=-1)
    if finite.all():
        return points
    return points[: int(np.argmin(finite))]


def exit_point(points: np.ndarray, domain) -> tuple[int, np.ndarray] | None:
    """Where a path first leaves the domain box: (index of the first point outside, the point on
    the boundary where the segment into it crosses), or None if it never leaves.

    points (K+1, 2), finite. The crossing is p + t(q − p) for the smallest t in (0, 1] that puts
    it on the box's edge.
    """
    x_min, x_max, y_min, y_max = domain
    inside = (
        (points[:, 0] >= x_min)
        & (points[:, 0] <= x_max)
        & (points[:, 1] >= y_min)
        & (points[:, 1] <= y_max)
    )
    if inside.all() or not inside[0]:
        return None
    index = int(np.argmin(inside))
    before, after = points[index - 1], points[index]
    delta = after - before
    fractions = [1.0]
    for axis, (low, high) in enumerate(((x_min, x_max), (y_min, y_max))):
        if delta[axis] != 0:
            for edge in (low, high):
                t = (edge - before[axis]) / delta[axis]
                if 0 < t <= 1:
                    fractions.append(t)
    return index, before + min(fractions) * delta


def drawn_path(points: np.ndarray, domain) -> tuple[np.ndarray, tuple[int, np.ndarray] | None]:
    """(decimated finite points (M, 2) float32, exit) for one path."""
    finite = finite_points(points)
    exit = exit_point(finite, domain) if len(finite) else None
    keep = (exit[0] - 1, exit[0]) if exit else ()
    indices = decimate_indices(len(finite), MAX_DRAWN_POINTS, keep)
    return finite[indices].astype(np.float32), exit


# ----- the contour ----------------------------------------------------------------------------
def contour_figure(
    surface: core.Surface,
    grid: SurfaceGrid,
    paths: list[PathView],
    start: tuple[float, float],
    frames: bool = True,
) -> go.Figure:
    """The contour with the paths, the start, the stationary points and the play controls.

    Trace order: 0 contour, 1 click grid, stationary-point traces, one line per path and one
    trace of the paths' heads (the animated traces), the start, and exit crosses.
    """
    figure = go.Figure()
    figure.add_trace(_contour_trace(grid))
    figure.add_trace(_click_grid_trace(surface.domain))
    for trace in _stationary_traces(surface):
        figure.add_trace(trace)
    drawn = [drawn_path(view.run.points, surface.domain) for view in paths]
    first_animated = len(figure.data)
    for view, (points, _) in zip(paths, drawn, strict=True):
        figure.add_trace(_path_trace(view, points))
    if paths:
        figure.add_trace(_heads_trace(paths, [points[-1] for points, _ in drawn]))
    figure.add_trace(_start_trace(start))
    for view, (_, exit) in zip(paths, drawn, strict=True):
        if exit is not None and view.run.status == core.DIVERGED:
            figure.add_trace(_exit_trace(view, exit))
    _fix_axes(figure, surface)
    if frames and paths:
        _add_frames(figure, paths, first_animated)
    return figure


def _contour_trace(grid: SurfaceGrid) -> go.Contour:
    return go.Contour(
        x=grid.xs,
        y=grid.ys,
        z=grid.colours,
        colorscale=CONTOUR_SCALE,
        ncontours=CONTOUR_LEVELS,
        contours=dict(coloring="fill", showlines=True),
        line=dict(width=0.5, color="white"),
        colorbar=dict(title=dict(text=grid.colour_title), thickness=14, len=0.8),
        hoverinfo="skip",
        name="f",
    )


def _click_grid_trace(domain) -> go.Scatter:
    """Invisible markers tiling the domain: a click on one reports its (x, y) as a selection."""
    x_min, x_max, y_min, y_max = domain
    xs, ys = np.meshgrid(
        np.linspace(x_min, x_max, CLICK_GRID), np.linspace(y_min, y_max, CLICK_GRID)
    )
    return go.Scatter(
        x=xs.ravel().astype(np.float32),
        y=ys.ravel().astype(np.float32),
        mode="markers",
        marker=dict(size=14, opacity=0, color="white"),
        name="click to start here",
        hovertemplate="start here: (%{x:.3g}, %{y:.3g})<extra></extra>",
        showlegend=False,
        selected=dict(marker=dict(opacity=0)),
        unselected=dict(marker=dict(opacity=0)),
    )


def _stationary_traces(surface: core.Surface) -> list[go.Scatter]:
    traces = []
    for kind, (symbol, size, fill) in _MARKERS.items():
        points = [p for p in surface.stationary_points if p.kind == kind]
        if not points:
            continue
        table = np.asarray([p.point for p in points], dtype=np.float32)
        traces.append(
            go.Scatter(
                x=table[:, 0],
                y=table[:, 1],
                mode="markers",
                name=kind,
                marker=dict(
                    symbol=symbol, size=size, color=fill, line=dict(width=1.5, color="black")
                ),
                text=[p.label() for p in points],
                hovertemplate="%{text}<extra></extra>",
                unselected=dict(marker=dict(opacity=1)),
            )
        )
    return traces


def _path_trace(view: PathView, points: np.ndarray) -> go.Scatter:
    return go.Scatter(
        x=points[:, 0],
        y=points[:, 1],
        mode="lines+markers",
        name=view.label,
        line=dict(color=view.colour, width=2.5),
        marker=dict(size=4, color=view.colour),
        hovertemplate=f"{view.label}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
        unselected=dict(marker=dict(opacity=1)),
        legendgroup=view.label,
    )


def _heads_trace(paths: list[PathView], heads: list[np.ndarray]) -> go.Scatter:
    """Every path's current point, in its colour: what moves when the animation plays."""
    table = np.asarray(heads, dtype=np.float32).reshape(-1, 2)
    return go.Scatter(
        x=table[:, 0],
        y=table[:, 1],
        mode="markers",
        showlegend=False,
        name="current point",
        marker=dict(
            size=11, color=[view.colour for view in paths], line=dict(width=1.5, color="black")
        ),
        hoverinfo="skip",
        unselected=dict(marker=dict(opacity=1)),
    )


def _start_trace(start: tuple[float, float]) -> go.Scatter:
    return go.Scatter(
        x=np.asarray([start[0]], np.float32),
        y=np.asarray([start[1]], np.float32),
        mode="markers",
        name="start",
        hovertemplate="start (%{x:.4g}, %{y:.4g})<extra></extra>",
        marker=dict(symbol="circle", size=13, color="white", line=dict(width=2.5, color="black")),
        unselected=dict(marker=dict(opacity=1)),
    )


def _exit_trace(view: PathView, exit: tuple[int, np.ndarray]) -> go.Scatter:
    step, point = exit
    return go.Scatter(
        x=np.asarray([point[0]], np.float32),
        y=np.asarray([point[1]], np.float32),
        mode="markers",
        name=f"left the domain (step {step})",
        legendgroup=view.label,
        marker=dict(symbol="x", size=16, color=view.colour, line=dict(width=2, color="black")),
        hovertemplate=f"{view.label} left the domain at step {step}<extra></extra>",
        unselected=dict(marker=dict(opacity=1)),
    )


def _fix_axes(figure: go.Figure, surface: core.Surface) -> None:
    """Axes fixed to the domain. Not scale-anchored: Plotly's aspect constraint doubles the
    browser's drawing time on every rerun, and most domains are square anyway."""
    x_min, x_max, y_min, y_max = surface.domain
    figure.update_layout(
        height=PLOT_HEIGHT,
        margin=dict(l=10, r=10, t=30, b=10),
        clickmode="event+select",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        uirevision=surface.name,
        xaxis=dict(range=[x_min, x_max], autorange=False, title="x"),
        yaxis=dict(range=[y_min, y_max], autorange=False, title="y"),
    )


# ----- animation ------------------------------------------------------------------------------
def frame_count(longest: int, paths: int) -> int:
    """How many frames: at most MAX_FRAMES, one per step for short runs, fewer for many paths."""
    budget = int(math.sqrt(2 * FRAME_POINT_BUDGET / max(paths, 1)))
    return max(1, min(MAX_FRAMES, longest, budget))


def frame_steps(longest: int, count: int) -> np.ndarray:
    """`count` step numbers from 0 to longest − 1 (the last point), evenly spread, unique."""
    return np.unique(np.linspace(0, longest - 1, count).round().astype(np.int64))


def _add_frames(figure: go.Figure, paths: list[PathView], first_animated: int) -> None:
    """Frames that grow every path from its start, at the frame steps; one trace of heads.

    Frame data are typed-array dictionaries, not go.Scatter objects: Plotly's validation of a
    hundred frames would cost more than the rest of the rerun.
    """
    finite = [finite_points(view.run.points) for view in paths]
    longest = max(len(points) for points in finite)
    steps = frame_steps(longest, frame_count(longest, len(paths)))
    indices = list(range(first_animated, first_animated + len(paths) + 1))
    frames = []
    for step in steps:
        data, heads = [], []
        for points in finite:
            last = min(int(step), len(points) - 1)
            shown = points[np.append(steps[steps < last], last)]
            data.append(_scatter_data(shown))
            heads.append(shown[-1])
        data.append(_scatter_data(np.asarray(heads)))
        frames.append(dict(data=data, traces=indices, name=str(int(step))))
    figure.frames = frames
    figure.update_layout(updatemenus=[_play_buttons()], sliders=[_scrubber(steps)])


def typed_array(values: np.ndarray) -> dict:
    """A float32 array in Plotly's base64 typed-array form (what plotly.py sends for numpy)."""
    data = np.ascontiguousarray(values, dtype=np.float32)
    return {"dtype": "f4", "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def _scatter_data(points: np.ndarray) -> dict:
    return {"type": "scatter", "x": typed_array(points[:, 0]), "y": typed_array(points[:, 1])}


def _play_buttons() -> dict:
    play = dict(
        frame=dict(duration=60, redraw=True),
        fromcurrent=False,
        transition=dict(duration=0),
        mode="immediate",
    )
    pause = dict(frame=dict(duration=0, redraw=False), mode="immediate")
    return dict(
        type="buttons",
        direction="left",
        x=0.0,
        y=-0.02,
        xanchor="left",
        yanchor="top",
        pad=dict(r=8, t=8),
        showactive=False,
        buttons=[
            dict(label="▶ Play", method="animate", args=[None, play]),
            dict(label="❚❚ Pause", method="animate", args=[[None], pause]),
        ],
    )


def _scrubber(steps: np.ndarray) -> dict:
    """A slider over about SCRUB_POSITIONS of the frames (each position costs the browser time)."""
    shown = steps[:: max(1, len(steps) // SCRUB_POSITIONS)]
    return dict(
        active=len(shown) - 1,
        x=0.2,
        len=0.8,
        y=-0.02,
        yanchor="top",
        pad=dict(t=8),
        currentvalue=dict(prefix="step ", visible=True),
        steps=[
            dict(
                label=str(int(step)),
                method="animate",
                args=[
                    [str(int(step))],
                    dict(frame=dict(duration=0, redraw=True), mode="immediate"),
                ],
            )
            for step in shown
        ],
    )


# ----- 3-D ------------------------------------------------------------------------------------
def surface_3d_figure(surface: core.Surface, grid: SurfaceGrid, paths: list[PathView]) -> go.Figure:
    """The surface in 3-D (colour values as height) with each path lifted onto it."""
    figure = go.Figure(
        go.Surface(
            x=grid.xs,
            y=grid.ys,
            z=grid.colours,
            colorscale=CONTOUR_SCALE,
            showscale=False,
            opacity=0.9,
            hoverinfo="skip",
        )
    )
    for view in paths:
        points, _ = drawn_path(view.run.points, surface.domain)
        inside = surface.contains(points)
        points = points[inside]
        heights = grid.colour_of(surface.value(points)).astype(np.float32)
        figure.add_trace(
            go.Scatter3d(
                x=points[:, 0],
                y=points[:, 1],
                z=heights,
                mode="lines+markers",
                name=view.label,
                line=dict(color=view.colour, width=5),
                marker=dict(size=2.5, color=view.colour),
            )
        )
    x_min, x_max, y_min, y_max = surface.domain
    figure.update_layout(
        height=PLOT_HEIGHT,
        margin=dict(l=0, r=0, t=30, b=0),
        scene=dict(
            xaxis=dict(range=[x_min, x_max], title="x"),
            yaxis=dict(range=[y_min, y_max], title="y"),
            zaxis=dict(title=grid.colour_title),
            aspectmode="cube",
        ),
    )
    return figure


# ----- loss curves ----------------------------------------------------------------------------
def loss_figure(surface: core.Surface, paths: list[PathView], scheduled: bool) -> go.Figure:
    """f − f* on a log axis (f itself where f* is unknown), ‖∇f‖ on a log axis and, when a
    schedule is on, the learning rate of each step; x is the step number."""
    best = surface.minimum_value
    rows = 3 if scheduled else 2
    titles = ["f − f*" if best is not None else "f", "‖∇f‖", "learning rate"][:rows]
    figure = make_subplots(
        rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.06, subplot_titles=titles
    )
    for view in paths:
        for row, (steps, values) in enumerate(_curves(view.run, best, scheduled), start=1):
            figure.add_trace(
                go.Scatter(
                    x=steps,
                    y=values,
                    mode="lines",
                    name=view.label,
                    legendgroup=view.label,
                    showlegend=row == 1,
                    line=dict(color=view.colour, width=2),
                ),
                row=row,
                col=1,
            )
    figure.update_yaxes(type="log", exponentformat="power", row=2, col=1)
    if best is not None:
        figure.update_yaxes(type="log", exponentformat="power", row=1, col=1)
    figure.update_xaxes(title="step", row=rows, col=1)
    figure.update_layout(
        height=200 * rows + 60,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.04, x=0),
    )
    return figure


LOG_FLOOR = 1e-16
"""f − f* below this (a run that reached the minimum to rounding) is drawn at it on a log axis."""


def _curves(run: core.Run, best: float | None, scheduled: bool):
    """[(steps, values)] per subplot row, decimated, float32, non-finite values left out."""
    values = run.values if best is None else np.maximum(run.values - best, LOG_FLOOR)
    norms = np.linalg.norm(run.gradients, axis=-1)
    curves = [values, norms] + ([run.learning_rates] if scheduled else [])
    result = []
    for curve in curves:
        indices = decimate_indices(len(curve), MAX_CURVE_POINTS)
        chosen = curve[indices]
        finite = np.isfinite(chosen)
        result.append((indices[finite].astype(np.int32), chosen[finite].astype(np.float32)))
    return result
