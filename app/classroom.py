"""The classroom tools every page shares: presentation mode, one way to show a figure, and the
link builder that hides controls for a class.

- Presentation mode (`present=true` in the URL, a toggle at the top of the sidebar): larger type
  on the page (a constant style sheet), every figure restyled by app.theme.presentation_figure,
  and the sidebar starting collapsed (app/streamlit_app.py reads the link before the page is set
  up).
- `show_figure(figure, key=...)`: the only place a page hands a Plotly figure to Streamlit, so
  presentation mode and the HTML download work the same on every page.
- `show_share_tools(path)`: "Share with your class", at the end of the sidebar: tick the controls
  students may see and copy the link (current settings + `visible=...`; the hiding itself is in
  app.widgets, where every control is drawn).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from app.exports import figure_html
from app.theme import PRESENTATION_CSS, presentation_figure
from app.url_state import (
    VISIBLE_KEY,
    control_shown,
    parse_visible,
    take_drawn_controls,
    visible_link,
)
from app.widgets import ToggleControl

PRESENT_KEY = "present"
SHARE_KEY = "share"
"""The link builder's own entry in the `visible` list: students see it only if it is ticked."""
CHART_CONFIG = {"displaylogo": False}
SHARE_TICK_PREFIX = "_share_tick:"
SHARE_OPEN_KEY = "_share_open"
"""Whether "Share with your class" is open: its ticks are drawn only then."""


# ----- presentation mode ----------------------------------------------------------------------
def presentation_control() -> ToggleControl:
    return ToggleControl(
        PRESENT_KEY,
        "Presentation mode",
        False,
        "For a projector: large text and markers, thick lines, black on white, and the side "
        "controls folded away. The link keeps it, so a reload stays in presentation mode.",
    )


def presentation_requested(query: Mapping[str, Any]) -> bool:
    """Whether a link's query parameters ask for presentation mode (bad values mean no)."""
    raw = query.get(PRESENT_KEY)
    if raw is None:
        return False
    value, _ = presentation_control().url_parameter().parse(str(raw))
    return bool(value)


def is_presenting() -> bool:
    """Presentation mode: the toggle's value once drawn, else what the link asks for."""
    if PRESENT_KEY in st.session_state:
        return bool(st.session_state[PRESENT_KEY])
    return presentation_requested(st.query_params)


def draw_presentation_toggle() -> bool:
    """The toggle at the top of the sidebar, and the page's large type when it is on."""
    if not control_shown(PRESENT_KEY):
        # Hidden by a classroom link: the link's own setting holds (no page table cleans it).
        st.session_state.setdefault(PRESENT_KEY, presentation_requested(st.query_params))
    presenting = bool(presentation_control().draw(st.sidebar))
    if presenting:
        st.html(PRESENTATION_CSS)
    return presenting


def sidebar_state(query: Mapping[str, Any]) -> str:
    """initial_sidebar_state for st.set_page_config: folded away in presentation mode."""
    return "collapsed" if presentation_requested(query) else "auto"


# ----- figures --------------------------------------------------------------------------------
def show_figure(
    figure: go.Figure,
    *,
    key: str,
    container: Any = None,
    html_name: str | None = None,
    config: Mapping[str, Any] | None = None,
    **chart_options: Any,
) -> Any:
    """Draw a figure (restyled in presentation mode) and, given `html_name`, offer it as a
    standalone interactive HTML file (made only when the button is pressed).

    `chart_options` go to st.plotly_chart (on_select, selection_mode ...); returns its value.
    """
    container = st if container is None else container
    if is_presenting():
        presentation_figure(figure)
    shown = container.plotly_chart(
        figure, key=key, config={**CHART_CONFIG, **(config or {})}, **chart_options
    )
    if html_name:
        offer_download(
            "Download this figure as HTML",
            lambda: figure_html(figure, title=f"Descent Lab · {html_name}"),
            f"{html_name}.html",
            container=container,
            key=f"{key}:html",
            help="A standalone page with the figure (and its animation) for slides or a "
            "course page; it works offline. For a PNG, use the camera button above the figure.",
        )
    return shown


MIME_TYPES = {".csv": "text/csv", ".html": "text/html"}


def offer_download(
    label: str,
    make_text: Callable[[], str],
    file_name: str,
    *,
    container: Any = None,
    key: str | None = None,
    help: str | None = None,
) -> None:
    """A download button whose text (CSV, HTML) is made only when it is pressed; the type
    follows the file name's extension."""
    container = st if container is None else container
    container.download_button(
        label,
        data=make_text,
        file_name=file_name,
        mime=MIME_TYPES[file_name[file_name.rindex(".") :]],
        on_click="ignore",
        icon=":material/download:",
        key=key,
        help=help,
    )


# ----- the link builder -----------------------------------------------------------------------
def show_share_tools(path: str) -> None:
    """The "Share with your class" expander at the end of the sidebar (call it last on a page).

    When open, it lists the controls the page drew on this run, each with a tick (ticked:
    students see it), and writes the link: the current settings (each control's value, as the
    controls remembered it; app.url_state.visible_link) plus `visible=...` when something is
    unticked.
    """
    drawn = take_drawn_controls()
    if not control_shown(SHARE_KEY):
        return
    visible = parse_visible(st.query_params.get(VISIBLE_KEY))
    tools = st.sidebar.expander(
        "Share with your class", icon=":material/share:", key=SHARE_OPEN_KEY, on_change="rerun"
    )
    if not tools.open:
        return  # its two dozen ticks would cost every slider press their drawing
    with tools:
        st.caption(
            "Tick the controls your students may change; the others disappear for anyone who "
            "opens the link and keep the values they have now."
        )
        ticked = [key for key, control in drawn.items() if _tick(key, control.label, visible)]
        keep_tools = st.checkbox(
            "Students may build links too",
            value=visible is None or SHARE_KEY in visible,
            key=SHARE_TICK_PREFIX + SHARE_KEY,
        )
        chosen = None if len(ticked) == len(drawn) and keep_tools else ticked
        if chosen is not None and keep_tools:
            chosen.append(SHARE_KEY)
        query = {key: st.query_params.get_all(key) for key in st.query_params}
        link = visible_link(_page_address(path), query, drawn, chosen)
        st.code(link, language=None, wrap_lines=True)
        st.caption("Copy the link with the button at its top right.")


def _tick(key: str, label: str, visible: frozenset[str] | None) -> bool:
    """One control's tick; it starts as the current link has it."""
    return st.checkbox(
        f"{label} `{key}`",
        value=visible is None or key in visible,
        key=SHARE_TICK_PREFIX + key,
    )


def _page_address(path: str) -> str:
    """The page's full address when the browser told us the server's (else the path alone)."""
    url = str(getattr(st.context, "url", "") or "")
    if not url.startswith(("http://", "https://")):
        return path
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}{path}"
