"""The Explorer's figures: pure functions from numbers to Plotly figures (no Streamlit here).

- `surface_grid`: f on a regular grid over the domain (float32), with the colour values: log10 of
  f − f_low + δ where the surface asks for log colours (Rosenbrock spans eight decades).
- `descent_figure`, the Explorer's one chart: the contour map (a picture of bands and isolines,
  app.contour_image, under an invisible grid of click targets that also carries the colour bar),
  the stationary points (global minima as stars, local minima as diamonds, saddles as crosses,
  maxima as triangles), every path in its own colour with its start, a cross where a diverging
  path left the domain, frames that play the paths (at most MAX_FRAMES, so the figure stays small
  however long the run); and beside the map, the loss curves.
- `contour_figure` and `loss_figure`: the map and the curves, each alone.
- `surface_3d_figure`: the same surface in 3-D with the paths lifted onto it.

The map and curves are built as plain dictionaries (`plain_figure`): on every slider press the
server builds them and the browser redraws them, so both are kept lean. Each chart on a page costs
the browser a redraw per rerun, hence one chart for map and curves.

Paths are decimated for drawing (at most MAX_DRAWN_POINTS per path, the first, last and exit
points always kept); the runs themselves are never decimated.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import plotly.graph_objects as go

import core
from app.contour_image import colour_range, contour_image_uri
from app.theme import CONTOUR_SCALE, path_colour
from app.widgets import nice_step

MAX_DRAWN_POINTS = 600
MAX_FRAMES = 60
FRAME_POINT_BUDGET = 3_000
"""Points over all frames and paths: frames are cumulative, so F frames of n paths cost ≈ n·F²/2."""
SCRUB_POSITIONS = 10
"""Positions on the scrubbing slider: Plotly draws each one on every rerun (20 cost about 15 ms
more per slider press than 10)."""
CLICK_GRID = 14
"""Click targets per side. The browser draws every marker, even an invisible one, on every
rerun: 24 x 24 cost about 30 ms more per slider press than 14 x 14."""
CLICK_MARKER_SIZE = 30
HOVER_DISTANCE = 32
"""Pixels within which the pointer picks a point: with CLICK_GRID targets a side, a click
anywhere on the map lands on the nearest one."""
MARKED_STEPS = 80
"""At most this many markers on a path (Plotly thins them evenly); its line keeps every drawn
point."""
CONTOUR_LEVELS = 20
CONTOUR_RESOLUTION = 280
"""Samples per side of the map's picture (its pixels)."""
MAP_SHARE = 0.55
"""The share of the Explorer figure's width the map takes; the curves take the rest."""
MAP_ALONE_SHARE = 0.88
"""The map's share of a figure without curves: the rest holds its colour bar."""
CURVES_GAP = 0.17
"""Paper width between the map and the curves, where the map's colour bar sits."""
CURVES_ROW_GAP = 0.1
CONTROLS_Y = -0.13
"""The play buttons and the scrubber, in plot heights below the map (under the x axis's title)."""
LEGEND_ENTRY_PIXELS = 45
LEGEND_CHARACTER_PIXELS = 7
LEGEND_ROW_PIXELS = 700
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

    @cached_property
    def image(self) -> str:
        """The map of the colours as a PNG data: URI (made on first use, then kept)."""
        return contour_image_uri(self.colours, CONTOUR_LEVELS, CONTOUR_SCALE)

    @property
    def colour_range(self) -> tuple[float, float]:
        """(low, high) of the finite colours: the ends of the map's colour bar."""
        return colour_range(self.colours)

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
    # float32 is what the browser gets; values beyond its range are drawn at its largest.
    largest = float(np.finfo(np.float32).max)
    shown = np.clip(values, -largest, largest).astype(np.float32)
    grid = SurfaceGrid(
        xs.astype(np.float32),
        ys.astype(np.float32),
        shown,
        shown.copy(),
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


# ----- figures from plain specs ---------------------------------------------------------------
class PlainFigure(go.Figure):
    """A go.Figure built from trace, layout and frame dictionaries without plotly.py's validation,
    its frames kept as the plain dictionaries they were built as.

    On every slider press the server builds the Explorer's figure, and plotly.py's validation of
    its traces, and even its unvalidated construction of sixty frames, took most of the rerun.
    The specs here are fixed by this module, not typed by anyone: the tests validate every
    builder's output instead (tests/test_figures.py). The frames join the figure in `to_dict`,
    which is what Streamlit, `to_json` and the HTML export read; `figure.frames` is empty.
    """

    def __init__(self, data: list[dict], layout: dict, frames: list[dict] | None = None):
        super().__init__({"data": data, "layout": layout}, _validate=False)
        self._plain_frames = list(frames or ())

    def to_dict(self) -> dict:
        figure = super().to_dict()
        if self._plain_frames:
            figure["frames"] = self._plain_frames
        return figure


def plain_figure(data: list[dict], layout: dict, frames: list[dict] | None = None) -> go.Figure:
    """The figure of these dictionaries (see PlainFigure)."""
    return PlainFigure(data, layout, frames)


_TYPE_CODES = {np.dtype(np.float32): "f4", np.dtype(np.float64): "f8", np.dtype(np.int32): "i4"}


def typed_array(values: np.ndarray, dtype: type = np.float32) -> dict:
    """An array in Plotly's base64 typed-array form (what plotly.py sends for numpy): float32,
    float64 (where a value read back from the browser must be exact) or int32."""
    data = np.ascontiguousarray(values, dtype=dtype)
    code = _TYPE_CODES[data.dtype]
    return {"dtype": code, "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def _points_data(points: np.ndarray) -> dict:
    return {"x": typed_array(points[:, 0]), "y": typed_array(points[:, 1])}


# ----- the contour map ------------------------------------------------------------------------
@dataclass(frozen=True)
class MapPlacement:
    """Where the map sits in its figure: the x share of the width it spans (paper units)."""

    left: float = 0.0
    right: float = 1.0


def contour_figure(
    surface: core.Surface,
    grid: SurfaceGrid,
    paths: list[PathView],
    start: tuple[float, float],
    frames: bool = True,
) -> go.Figure:
    """The contour map alone: the map of `descent_figure` without the loss curves."""
    return _descent_figure(surface, grid, paths, start, frames, None)


def descent_figure(
    surface: core.Surface,
    grid: SurfaceGrid,
    paths: list[PathView],
    start: tuple[float, float],
    scheduled: bool,
    frames: bool = True,
) -> go.Figure:
    """The Explorer's figure: the contour map on the left, the loss curves on the right.

    One figure rather than two, because every chart costs the browser a redraw on every rerun.
    """
    return _descent_figure(surface, grid, paths, start, frames, scheduled)


def _descent_figure(
    surface: core.Surface,
    grid: SurfaceGrid,
    paths: list[PathView],
    start: tuple[float, float],
    frames: bool,
    scheduled: bool | None,
) -> go.Figure:
    """The map (traces on x/y) and, unless `scheduled` is None, the curves (x2/y2, x3/y3 ...).

    Trace order: the colour bar's one-point trace, the click grid, the stationary points, one
    line per path and one trace of the paths' heads (the animated traces), the start, exit
    crosses, then the curves.
    """
    with_curves = scheduled is not None and bool(paths)
    # The map keeps its place without paths (a lesson hides them), so nothing jumps on reveal.
    placement = MapPlacement(0.0, MAP_SHARE if scheduled is not None else MAP_ALONE_SHARE)
    drawn = [drawn_path(view.run.points, surface.domain) for view in paths]
    data = [_colour_bar_trace(grid, placement), _click_grid_trace(surface)]
    data += _stationary_traces(surface)
    first_animated = len(data)
    data += [_path_trace(view, points) for view, (points, _) in zip(paths, drawn, strict=True)]
    if paths:
        data.append(_heads_trace(paths, [points[-1] for points, _ in drawn]))
    data.append(_start_trace(start))
    for view, (_, exit) in zip(paths, drawn, strict=True):
        if exit is not None and view.run.status == core.DIVERGED:
            data.append(_exit_trace(view, exit))
    layout = _map_layout(surface, grid, placement)
    first_curve = len(data)
    if with_curves:
        curve_data, curve_layout = _curves_panel(
            surface,
            paths,
            bool(scheduled),
            left=placement.right + CURVES_GAP,
            first_axis=2,
            legend=False,
        )
        data += curve_data
        layout.update(curve_layout)
    animation = []
    if frames and paths:
        steps, animation = _frames(paths, first_animated, range(first_curve, len(data)))
        layout["updatemenus"] = [_play_buttons(placement)]
        layout["sliders"] = [_scrubber(steps, placement)]
    layout["margin"] = fixed_margins(data, bool(animation))
    return plain_figure(data, layout, animation)


def fixed_margins(data: list[dict], play_controls: bool) -> dict:
    """Margins that hold the legend (above), the tick labels and titles and the play controls
    (below), fixed in advance.

    Plotly otherwise grows the margins to fit its legend, colour bar and controls after a first
    drawing, then draws the whole figure again: fixing them halves the browser's drawing time on
    every rerun (measured: 66 ms against 31 ms for the Explorer's figure). The legend's rows are
    estimated from its labels (LEGEND_ENTRY_PIXELS per entry, LEGEND_CHARACTER_PIXELS per
    character) for a legend LEGEND_ROW_PIXELS wide: narrower than the figure on a laptop, so a
    narrower window still fits its legend.
    """
    labels = [t.get("name", "") for t in data if t.get("showlegend", True) and t.get("name")]
    width = sum(LEGEND_ENTRY_PIXELS + LEGEND_CHARACTER_PIXELS * len(label) for label in labels)
    rows = max(1, math.ceil(width / LEGEND_ROW_PIXELS)) if labels else 0
    return {
        "l": 55,
        "r": 10,
        "t": 20 + 24 * rows,
        "b": 135 if play_controls else 50,
        "autoexpand": False,
    }


def _map_layout(surface: core.Surface, grid: SurfaceGrid, placement: MapPlacement) -> dict:
    """Axes fixed to the domain, and the map itself as an image under the traces.

    Not scale-anchored: Plotly's aspect constraint doubles the browser's drawing time on every
    rerun, and most domains are square anyway. The image's pixels are centred on the grid's
    samples, so it reaches half a pixel past the domain on each side (clipped by the axes).
    """
    x_min, x_max, y_min, y_max = surface.domain
    half_x = (x_max - x_min) / (2 * max(len(grid.xs) - 1, 1))
    half_y = (y_max - y_min) / (2 * max(len(grid.ys) - 1, 1))
    return {
        "height": PLOT_HEIGHT,
        "clickmode": "event+select",
        "hoverdistance": HOVER_DISTANCE,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        "uirevision": surface.name,
        "xaxis": {
            "range": [x_min, x_max],
            "autorange": False,
            "title": {"text": "x"},
            "domain": [placement.left, placement.right],
            "showgrid": False,
            "zeroline": False,
        },
        "yaxis": {
            "range": [y_min, y_max],
            "autorange": False,
            "title": {"text": "y"},
            "showgrid": False,
            "zeroline": False,
        },
        "images": [
            {
                "source": grid.image,
                "xref": "x",
                "yref": "y",
                "x": x_min - half_x,
                "y": y_max + half_y,
                "sizex": x_max - x_min + 2 * half_x,
                "sizey": y_max - y_min + 2 * half_y,
                "xanchor": "left",
                "yanchor": "top",
                "sizing": "stretch",
                "layer": "below",
            }
        ],
    }


def click_targets(low: float, high: float) -> np.ndarray:
    """CLICK_GRID coordinates from low to high, evenly spread, each rounded to the start
    slider's step (the ends kept exact), so that a click starts at a short number."""
    step = nice_step(low, high)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    targets = np.round(np.linspace(low, high, CLICK_GRID), decimals)
    targets[0], targets[-1] = low, high
    return targets


def _click_grid_trace(surface: core.Surface) -> dict:
    """Invisible markers tiling the domain: a click on one reports its (x, y) as a selection,
    and hovering tells f there. Their coordinates are sent as float64, so the start a click
    sets is exactly the target's."""
    x_min, x_max, y_min, y_max = surface.domain
    xs, ys = np.meshgrid(click_targets(x_min, x_max), click_targets(y_min, y_max))
    points = np.stack([xs.ravel(), ys.ravel()], axis=-1)
    return {
        "type": "scatter",
        "x": typed_array(points[:, 0], np.float64),
        "y": typed_array(points[:, 1], np.float64),
        "customdata": typed_array(surface.value(points)),
        "mode": "markers",
        "marker": {"size": CLICK_MARKER_SIZE, "opacity": 0, "color": "white"},
        "name": "click to start here",
        "hovertemplate": "start here: (%{x:.3g}, %{y:.3g})<br>f = %{customdata:.4g}<extra></extra>",
        "showlegend": False,
        "selected": {"marker": {"opacity": 0}},
        "unselected": {"marker": {"opacity": 0}},
    }


def _colour_bar_trace(grid: SurfaceGrid, placement: MapPlacement) -> dict:
    """The map's colour bar, carried by a trace with one point that is never drawn."""
    low, high = grid.colour_range
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {
            "color": [low],
            "cmin": low,
            "cmax": high,
            "colorscale": CONTOUR_SCALE,
            "showscale": True,
            "colorbar": {
                "title": {"text": grid.colour_title, "side": "right"},
                "thickness": 14,
                "len": 0.8,
                "x": placement.right + 0.005,
                "xanchor": "left",
            },
        },
        "name": "colour scale",
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _stationary_traces(surface: core.Surface) -> list[dict]:
    traces = []
    for kind, (symbol, size, fill) in _MARKERS.items():
        points = [p for p in surface.stationary_points if p.kind == kind]
        if not points:
            continue
        table = np.asarray([p.point for p in points], dtype=np.float32)
        traces.append(
            {
                "type": "scatter",
                **_points_data(table),
                "mode": "markers",
                "name": kind,
                "marker": {
                    "symbol": symbol,
                    "size": size,
                    "color": fill,
                    "line": {"width": 1.5, "color": "black"},
                },
                "text": [p.label() for p in points],
                "hovertemplate": "%{text}<extra></extra>",
                "unselected": {"marker": {"opacity": 1}},
            }
        )
    return traces


def _path_trace(view: PathView, points: np.ndarray) -> dict:
    return {
        "type": "scatter",
        **_points_data(points),
        "mode": "lines+markers",
        "name": view.label,
        "line": {"color": view.colour, "width": 2.5},
        "marker": {"size": 4, "color": view.colour, "maxdisplayed": MARKED_STEPS},
        "hovertemplate": f"{view.label}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
        "unselected": {"marker": {"opacity": 1}},
        "legendgroup": view.label,
    }


def _heads_trace(paths: list[PathView], heads: list[np.ndarray]) -> dict:
    """Every path's current point, in its colour: what moves when the animation plays."""
    table = np.asarray(heads, dtype=np.float32).reshape(-1, 2)
    return {
        "type": "scatter",
        **_points_data(table),
        "mode": "markers",
        "showlegend": False,
        "name": "current point",
        "marker": {
            "size": 11,
            "color": [view.colour for view in paths],
            "line": {"width": 1.5, "color": "black"},
        },
        "hoverinfo": "skip",
        "unselected": {"marker": {"opacity": 1}},
    }


def _start_trace(start: tuple[float, float]) -> dict:
    return {
        "type": "scatter",
        **_points_data(np.asarray([start], dtype=np.float32)),
        "mode": "markers",
        "name": "start",
        "hovertemplate": "start (%{x:.4g}, %{y:.4g})<extra></extra>",
        "marker": {
            "symbol": "circle",
            "size": 13,
            "color": "white",
            "line": {"width": 2.5, "color": "black"},
        },
        "unselected": {"marker": {"opacity": 1}},
    }


def _exit_trace(view: PathView, exit: tuple[int, np.ndarray]) -> dict:
    index, point = exit
    step = int(recorded_steps(view.run)[index])
    return {
        "type": "scatter",
        **_points_data(np.asarray([point], dtype=np.float32)),
        "mode": "markers",
        "name": f"left the domain (step {step})",
        "legendgroup": view.label,
        "marker": {
            "symbol": "x",
            "size": 16,
            "color": view.colour,
            "line": {"width": 2, "color": "black"},
        },
        "hovertemplate": f"{view.label} left the domain at step {step}<extra></extra>",
        "unselected": {"marker": {"opacity": 1}},
    }


# ----- animation ------------------------------------------------------------------------------
def frame_count(longest: int, paths: int) -> int:
    """How many frames: at most MAX_FRAMES, one per step for short runs, fewer for many paths."""
    budget = int(math.sqrt(2 * FRAME_POINT_BUDGET / max(paths, 1)))
    return max(1, min(MAX_FRAMES, longest, budget))


def evenly_spread(values: np.ndarray, count: int) -> np.ndarray:
    """At most `count` entries of `values`, evenly spread by position, the first and the last
    always among them (all of them when there are no more than `count`)."""
    if len(values) <= count:
        return values
    positions = np.unique(np.linspace(0, len(values) - 1, max(count, 2)).round().astype(np.int64))
    return values[positions]


def recorded_steps(run: core.Run) -> np.ndarray:
    """The step number of each recorded point of a single-path run: 0 (the start) up to the
    step the run stopped at."""
    if run.recorded_steps is None:
        return np.arange(len(run.points), dtype=np.int64)
    return np.asarray(run.recorded_steps, dtype=np.int64)


def frame_steps(paths: list[PathView]) -> np.ndarray:
    """The steps the frames show: recorded steps of the paths, evenly spread, from 0 to the last
    step any path stopped at (at most frame_count of them)."""
    steps = np.unique(np.concatenate([recorded_steps(view.run) for view in paths]))
    return evenly_spread(steps, frame_count(len(steps), len(paths)))


def _frames(
    paths: list[PathView], first_animated: int, kept: range = range(0)
) -> tuple[np.ndarray, list[dict]]:
    """(frame steps, frames) that grow every path from its start; one trace of heads.

    The frame of step s shows each path through its points at the frame steps up to s and its
    point at s (the last one before s where the path stopped or overflowed earlier).

    Every frame also lists the `kept` traces (the loss curves) with no change: a transition
    between frames (Plotly.animate's defaults, as a notebook or an HTML page that plays on
    load uses) redraws only the subplots of the traces a frame lists and empties the others
    until the animation ends.
    """
    steps = frame_steps(paths)
    indices = list(range(first_animated, first_animated + len(paths) + 1)) + list(kept)
    tracks = []
    for view in paths:
        points = finite_points(view.run.points)
        steps_of_points = recorded_steps(view.run)[: len(points)]
        tracks.append((points, steps_of_points, np.flatnonzero(np.isin(steps_of_points, steps))))
    frames = []
    for step in steps:
        data, heads = [], []
        for points, steps_of_points, at_frame_steps in tracks:
            last = max(int(np.searchsorted(steps_of_points, step, side="right")) - 1, 0)
            earlier = at_frame_steps[at_frame_steps < last]
            shown = points[np.concatenate([earlier, [last]])]
            data.append({"type": "scatter", **_points_data(shown)})
            heads.append(shown[-1])
        data.append({"type": "scatter", **_points_data(np.asarray(heads))})
        data += [{} for _ in kept]
        frames.append({"data": data, "traces": indices, "name": str(int(step))})
    return steps, frames


def _play_buttons(placement: MapPlacement) -> dict:
    play = {
        "frame": {"duration": 60, "redraw": True},
        "fromcurrent": False,
        "transition": {"duration": 0},
        "mode": "immediate",
    }
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
    return {
        "type": "buttons",
        "direction": "left",
        "x": placement.left,
        "y": CONTROLS_Y,
        "xanchor": "left",
        "yanchor": "top",
        "pad": {"r": 8, "t": 8},
        "showactive": False,
        "buttons": [
            {"label": "▶ Play", "method": "animate", "args": [None, play]},
            {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]},
        ],
    }


def _scrubber(steps: np.ndarray, placement: MapPlacement) -> dict:
    """A slider over about SCRUB_POSITIONS of the frames (each position costs the browser time),
    from step 0 to the last step; it rests on the last, as the figure is drawn."""
    shown = evenly_spread(steps, SCRUB_POSITIONS)
    width = placement.right - placement.left
    return {
        "active": len(shown) - 1,
        "x": placement.left + 0.3 * width,
        "len": 0.7 * width,
        "y": CONTROLS_Y,
        "yanchor": "top",
        "pad": {"t": 8},
        "currentvalue": {"prefix": "step ", "visible": True},
        "steps": [
            {
                "label": str(int(step)),
                "method": "animate",
                "args": [
                    [str(int(step))],
                    {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"},
                ],
            }
            for step in shown
        ],
    }


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
    """The loss curves alone: the curves of `descent_figure` in a figure of their own."""
    data, layout = _curves_panel(surface, paths, scheduled, left=0.0, first_axis=1, legend=True)
    rows = 3 if scheduled else 2
    layout.update(
        height=200 * rows + 60,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.04, "x": 0},
    )
    return plain_figure(data, layout)


def _curves_panel(
    surface: core.Surface,
    paths: list[PathView],
    scheduled: bool,
    left: float,
    first_axis: int,
    legend: bool,
) -> tuple[list[dict], dict]:
    """(traces, layout entries) of the curves, stacked in rows on axes first_axis, first_axis + 1
    ...: f − f* on a log axis (f itself where f* is unknown), ‖∇f‖ on a log axis and, when a
    schedule is on, the learning rate of each step; x is the step number, shared by the rows.

    With `legend`, the first row's traces are in the legend; without, the map's path of the same
    label stands for them. Either way a legend click toggles a path and its curves together,
    through their legend group.
    """
    best = surface.minimum_value
    rows = 3 if scheduled else 2
    titles = ["f − f*" if best is not None else "f", "‖∇f‖", "learning rate"][:rows]
    logarithmic = [best is not None, True, False][:rows]
    height = (1.0 - CURVES_ROW_GAP * (rows - 1)) / rows
    axes = [first_axis + row for row in range(rows)]
    layout: dict = {}
    for row, axis in enumerate(axes):
        top = 1.0 - row * (height + CURVES_ROW_GAP)
        x_name, y_name = _axis_names(axis)
        layout[x_name] = {
            "domain": [left, 1.0],
            "anchor": f"y{_axis_suffix(axis)}",
            "showticklabels": row == rows - 1,
        }
        if row == rows - 1:
            layout[x_name]["title"] = {"text": "step"}
        if axis != axes[0]:
            layout[x_name]["matches"] = f"x{_axis_suffix(axes[0])}"
        bottom = max(top - height, 0.0)  # not a rounding error below 0
        layout[y_name] = {
            "domain": [bottom, top],
            "anchor": f"x{_axis_suffix(axis)}",
            "title": {"text": titles[row], "standoff": 8},
        }
        if logarithmic[row]:
            layout[y_name].update(type="log", exponentformat="power")
    data = []
    for view in paths:
        for row, (steps, values) in enumerate(_curves(view.run, best, scheduled)):
            data.append(
                {
                    "type": "scatter",
                    "x": typed_array(steps, np.int32),
                    "y": typed_array(values),
                    "xaxis": f"x{_axis_suffix(axes[row])}",
                    "yaxis": f"y{_axis_suffix(axes[row])}",
                    "mode": "lines",
                    "name": view.label,
                    "legendgroup": view.label,
                    "showlegend": legend and row == 0,
                    "line": {"color": view.colour, "width": 2},
                    "hovertemplate": f"{view.label}<br>step %{{x}}: %{{y:.4g}}<extra></extra>",
                }
            )
    return data, layout


def _axis_suffix(axis: int) -> str:
    """Plotly's axis suffix: '' for the first axis, '2', '3' ... after it."""
    return "" if axis == 1 else str(axis)


def _axis_names(axis: int) -> tuple[str, str]:
    suffix = _axis_suffix(axis)
    return f"xaxis{suffix}", f"yaxis{suffix}"


LOG_FLOOR = 1e-16
"""f − f* below this (a run that reached the minimum to rounding) is drawn at it on a log axis."""


def _curves(run: core.Run, best: float | None, scheduled: bool):
    """[(steps, values)] per subplot row, decimated, int32 and float32, non-finite values left
    out."""
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
