"""Colours and marker styles shared by every page: colour-blind-safe (Okabe & Ito, 2008)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
"""Path colours, in the order optimizers are added."""

DIAGNOSIS_COLOURS = {
    "global_minimum": "#009E73",
    "local_minimum": "#56B4E9",
    "saddle": "#E69F00",
    "oscillating": "#CC79A7",
    "diverged": "#D55E00",
    "slow": "#999999",
    "plateau": "#F0E442",
    "undefined": "#000000",
}

CONTOUR_SCALE = "Viridis"
NEUTRAL_GREY = "#999999"


def path_colour(index: int) -> str:
    """The colour of the index-th optimizer on screen."""
    return OKABE_ITO[index % len(OKABE_ITO)]


# ----- presentation mode ----------------------------------------------------------------------
PRESENTATION_FONT_SIZE = 20
"""Figure text on a projector, in pixels (Plotly's default is 12)."""
PRESENTATION_LINE_SCALE = 2.0
PRESENTATION_MINIMUM_LINE_WIDTH = 3.0
PRESENTATION_MARKER_SCALE = 1.6
PRESENTATION_HEIGHT_SCALE = 1.25
"""A figure of fixed height grows by this much, so larger margins leave the plot its room."""
PRESENTATION_LEGEND_LIFT = 0.08
"""How far (a share of the plot's height) a legend above the plot moves up for larger text."""
PRESENTATION_INK = "#000000"
PRESENTATION_GRID = "#B0B0B0"
_LINED_TRACES = ("scatter", "scattergl", "scatter3d")
PLOTLY_LINE_WIDTH = 2.0
PLOTLY_MARKER_SIZE = 6.0

PRESENTATION_CSS = """
<style>
html { font-size: 21px; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #000000; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { line-height: 1.5; }
h1, h2, h3, h4 { color: #000000; }
</style>
"""
"""Page-wide CSS of presentation mode: larger type (Streamlit sizes its text in rem) and black
captions. A constant: no value from a link or a user ever reaches it."""


def presentation_figure(figure: go.Figure) -> go.Figure:
    """Restyle `figure` in place for a projector and return it.

    Text grows to PRESENTATION_FONT_SIZE (titles, ticks, legends, annotations, play controls);
    lines of scatter traces become PRESENTATION_LINE_SCALE times thicker (at least
    PRESENTATION_MINIMUM_LINE_WIDTH) and markers PRESENTATION_MARKER_SCALE times larger, in the
    figure and in every animation frame; ink is black on white with darker grid lines.
    The data and the colours of the traces are left as they are.
    """
    size = PRESENTATION_FONT_SIZE
    figure.update_layout(
        # Margins fixed for the usual type would cut the larger labels: let Plotly fit them.
        margin_autoexpand=True,
        font=dict(size=size, color=PRESENTATION_INK),
        title_font_size=size + 4,
        legend_font_size=size,
        hoverlabel_font_size=size,
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    axis_style = dict(
        tickfont=dict(size=size, color=PRESENTATION_INK),
        title_font=dict(size=size, color=PRESENTATION_INK),
        gridcolor=PRESENTATION_GRID,
        linecolor=PRESENTATION_INK,
        linewidth=2,
        showline=True,
    )
    figure.update_xaxes(**axis_style)
    figure.update_yaxes(**axis_style)
    figure.update_annotations(font_size=size - 4)  # subplot titles sit in narrow gaps
    legend = figure.layout.legend
    if legend.orientation == "h" and legend.y is not None and legend.y >= 1:
        legend.y += PRESENTATION_LEGEND_LIFT  # above the (larger) subplot titles
    if figure.layout.height:
        figure.layout.height = round(figure.layout.height * PRESENTATION_HEIGHT_SCALE)
    for control in (*figure.layout.sliders, *figure.layout.updatemenus):
        control.font.size = size
        if control.y is not None and control.y <= 0:
            # Below the plot: clear the larger tick labels and axis title.
            control.pad.t = (control.pad.t or 0) + 2 * size
    for trace in figure.data:
        _thicken(trace, PLOTLY_LINE_WIDTH, PLOTLY_MARKER_SIZE)
    for frame in figure.frames or ():
        for trace in frame.data or ():
            _thicken(trace, None, None)  # a frame changes only what it sets
    return figure


def _thicken(trace, default_width: float | None, default_size: float | None) -> None:
    """Thicker lines and larger markers on one scatter trace (others are left alone).

    A width or size the trace leaves unset is scaled from the default given (Plotly's 2 px lines
    and 6 px markers for a figure's trace), or left unset when that is None (a frame's trace).
    """
    if trace.type not in _LINED_TRACES:
        return
    width = trace.line.width if trace.line.width is not None else default_width
    if width is not None:
        trace.line.width = max(width * PRESENTATION_LINE_SCALE, PRESENTATION_MINIMUM_LINE_WIDTH)
    size = trace.marker.size if trace.marker.size is not None else default_size
    if isinstance(size, int | float):
        trace.marker.size = float(size) * PRESENTATION_MARKER_SCALE
    elif size is not None:
        trace.marker.size = np.asarray(size, dtype=np.float32) * PRESENTATION_MARKER_SCALE
