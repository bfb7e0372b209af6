"""The classroom tools without a server: the presentation restyling of a figure, the `visible`
list of a classroom link and the link builder's link."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np
import plotly.graph_objects as go
from hypothesis import given
from hypothesis import strategies as st

from app.classroom import presentation_requested, sidebar_state
from app.theme import (
    PRESENTATION_FONT_SIZE,
    PRESENTATION_LINE_SCALE,
    PRESENTATION_MARKER_SCALE,
    PRESENTATION_MINIMUM_LINE_WIDTH,
    presentation_figure,
)
from app.url_state import MAXIMUM_VISIBLE_KEYS, DrawnControl, parse_visible, visible_link


# ----- presentation restyling -----------------------------------------------------------------
def _animated_figure() -> go.Figure:
    """A path (line 2.5, markers 4), heads with per-point sizes, a contour, two frames, a slider."""
    figure = go.Figure(
        [
            go.Contour(z=np.eye(3), line=dict(width=0.5)),
            go.Scatter(
                x=[0, 1], y=[0, 1], mode="lines+markers", line=dict(width=2.5), marker=dict(size=4)
            ),
            go.Scatter(x=[1], y=[1], mode="markers", marker=dict(size=[10.0, 20.0])),
            go.Scatter(x=[0], y=[0], mode="markers"),
        ],
        frames=[
            go.Frame(data=[go.Scatter(x=[0], y=[0])], traces=[1], name="0"),
            go.Frame(
                data=[go.Scatter(x=[0, 1], y=[0, 1], line=dict(width=1.0))], traces=[1], name="1"
            ),
        ],
    )
    figure.update_layout(title="A path", sliders=[dict(steps=[dict(label="0")])])
    figure.add_annotation(text="note", x=0, y=0, font=dict(size=9))
    return figure


def test_presentation_enlarges_text_everywhere():
    figure = presentation_figure(_animated_figure())
    layout = figure.layout
    assert layout.font.size == PRESENTATION_FONT_SIZE
    assert layout.title.font.size > PRESENTATION_FONT_SIZE
    assert layout.xaxis.tickfont.size == layout.yaxis.title.font.size == PRESENTATION_FONT_SIZE
    assert layout.annotations[0].font.size > 9
    assert layout.sliders[0].font.size == PRESENTATION_FONT_SIZE
    assert layout.font.color == "#000000" and layout.plot_bgcolor == "white"


def test_presentation_thickens_lines_and_markers_in_the_figure_and_its_frames():
    figure = presentation_figure(_animated_figure())
    contour, path, heads, start = figure.data
    assert contour.line.width == 0.5  # the contour's own lines are not scatter lines
    assert path.line.width == 2.5 * PRESENTATION_LINE_SCALE
    assert path.marker.size == 4 * PRESENTATION_MARKER_SCALE
    np.testing.assert_allclose(heads.marker.size, np.array([10, 20]) * PRESENTATION_MARKER_SCALE)
    assert start.marker.size == 6 * PRESENTATION_MARKER_SCALE  # Plotly's default, scaled
    first, second = (frame.data[0] for frame in figure.frames)
    assert first.line.width is None and first.marker.size is None  # a frame sets only its own
    assert second.line.width == PRESENTATION_MINIMUM_LINE_WIDTH


def test_presentation_keeps_the_data_and_the_colours():
    plain, presented = _animated_figure(), presentation_figure(_animated_figure())
    for before, after in zip(plain.data, presented.data, strict=True):
        np.testing.assert_array_equal(before.x, after.x)
        assert before.line.color == after.line.color


# ----- the presentation link ------------------------------------------------------------------
def test_presentation_is_read_from_the_link_and_folds_the_sidebar():
    assert presentation_requested({"present": "true"}) and presentation_requested({"present": "1"})
    assert not presentation_requested({}) and not presentation_requested({"present": "false"})
    assert not presentation_requested({"present": "<script>"})
    assert sidebar_state({"present": "true"}) == "collapsed"
    assert sidebar_state({}) == "auto"


# ----- the visible list -----------------------------------------------------------------------
def test_visible_list_reads_comma_separated_keys():
    assert parse_visible(None) is None
    assert parse_visible("lr, steps,lr_2") == {"lr", "steps", "lr_2"}
    assert parse_visible("none") == {"none"}  # matches no control: everything hidden
    assert parse_visible("") == frozenset()


def test_visible_list_drops_what_cannot_be_a_key():
    assert parse_visible("lr,<b>x</b>,a b,steps,,") == {"lr", "steps"}
    assert parse_visible("x" * 65) == frozenset()
    many = ",".join(f"key{index}" for index in range(3 * MAXIMUM_VISIBLE_KEYS))
    assert len(parse_visible(many)) == MAXIMUM_VISIBLE_KEYS
    assert parse_visible("_,__,lr") == {"lr"}


@given(st.text(max_size=300))
def test_any_visible_text_gives_plain_keys(raw):
    keys = parse_visible(raw)
    assert all(key.replace("_", "").isalnum() and key.isascii() for key in keys)


# ----- the link builder's link ----------------------------------------------------------------
DRAWN = {
    "surface": DrawnControl("Surface", "rosenbrock"),
    "lr": DrawnControl("Learning rate", "0.0002"),
    "steps": DrawnControl("Steps", None),
}


def _query(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query, keep_blank_values=True)


def test_link_carries_the_controls_values_and_the_visible_list():
    link = visible_link("/", {"lr": ["0.1"], "visible": ["old"]}, DRAWN, ["steps", "lr"])
    assert link.startswith("/?")
    assert _query(link) == {"surface": ["rosenbrock"], "lr": ["0.0002"], "visible": ["lr,steps"]}


def test_link_keeps_what_no_drawn_control_owns():
    query = {"lesson": ["saddle"], "sgd_momentum": ["0.5", "0.9"], "steps": ["300"]}
    parsed = _query(visible_link("/", query, DRAWN, None))
    assert parsed["lesson"] == ["saddle"] and parsed["sgd_momentum"] == ["0.9"]
    assert "steps" not in parsed  # drawn at its default: the stale query value is dropped
    assert "visible" not in parsed


def test_link_with_nothing_visible_hides_everything():
    assert _query(visible_link("/network", {}, DRAWN, []))["visible"] == ["none"]
    assert visible_link("/network", {}, {}, None) == "/network"
