"""The Explorer's main area: header, diagnosis banners, contour with loss curves, 3-D view, the
anatomy of a step and the per-step table. Each function draws one section from the settings and
the runs; the page script calls them in order.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app.anatomy import anatomy_lines, step_table
from app.classroom import offer_download, show_figure
from app.explorer_runs import RunFailure, grid_for
from app.explorer_settings import ExplorerSettings, view_controls
from app.exports import trajectory_csv
from app.figures import (
    CONTOUR_RESOLUTION,
    SURFACE_3D_RESOLUTION,
    PathView,
    descent_figure,
    surface_3d_figure,
)
from app.untrusted_text import MESSAGE_LIMIT, escape_markdown

CONTOUR_KEY = "contour"
DOMAIN_MEMORY = "_explorer_domain"
"""The domain of the surface on screen, for the click callback (which runs before the script)."""
TABLE_ROWS_SHOWN = 1000

_BANNERS: dict[str, Callable] = {
    "global_minimum": st.success,
    "local_minimum": st.info,
    "saddle": st.warning,
    "oscillating": st.warning,
    "diverged": st.error,
    "slow": st.info,
    "plateau": st.info,
    "undefined": st.warning,
}
_ICONS = {
    "global_minimum": ":material/check_circle:",
    "local_minimum": ":material/location_on:",
    "saddle": ":material/pause_circle:",
    "oscillating": ":material/airwave:",
    "diverged": ":material/warning:",
    "slow": ":material/hourglass_bottom:",
    "plateau": ":material/horizontal_rule:",
    "undefined": ":material/block:",
}


def show_header(settings: ExplorerSettings) -> None:
    surface = settings.surface
    st.subheader(escape_markdown(surface.title, limit=MESSAGE_LIMIT))  # a formula's, too
    if surface.latex:
        st.latex(rf"f(x, y) = {surface.latex}")
    st.caption(surface.note)


def show_diagnoses(paths: list[PathView]) -> None:
    """One banner per optimizer, coloured by what happened, in plain words."""
    for view in paths:
        diagnosis = view.run.diagnosis
        banner = _BANNERS.get(diagnosis.kind, st.info)
        banner(f"**{view.label}** — {diagnosis.message}", icon=_ICONS.get(diagnosis.kind))


def show_failures(failures: list[RunFailure]) -> None:
    """A run that raised is named with its reason; the others are still drawn."""
    for failure in failures:
        st.error(
            f"**{failure.slot + 1} · {failure.optimizer.label()}** could not run: "
            f"{escape_markdown(failure.message, limit=MESSAGE_LIMIT)}.",
            icon=":material/error:",
        )


# ----- the contour and its click --------------------------------------------------------------
def move_start_to_click() -> None:
    """on_select of the contour: the clicked point becomes the start (the sliders follow)."""
    event = st.session_state.get(CONTOUR_KEY)
    points = (event or {}).get("selection", {}).get("points", [])
    domain = st.session_state.get(DOMAIN_MEMORY)
    if not points or domain is None:
        return
    x_min, x_max, y_min, y_max = domain
    x, y = float(points[0]["x"]), float(points[0]["y"])
    # The clicked point exactly (the sliders hold it between their steps), kept in the domain.
    st.session_state["x0"] = min(max(x, x_min), x_max)
    st.session_state["y0"] = min(max(y, y_min), y_max)


def show_descent(settings: ExplorerSettings, paths: list[PathView]) -> None:
    """The map with the paths and, beside it, the loss curves: one chart (app.figures)."""
    st.session_state[DOMAIN_MEMORY] = tuple(float(v) for v in settings.surface.domain)
    grid = grid_for(settings.surface, CONTOUR_RESOLUTION)
    scheduled = settings.schedule is not None
    figure = descent_figure(settings.surface, grid, paths, settings.start, scheduled)
    show_figure(
        figure,
        key=CONTOUR_KEY,
        on_select=move_start_to_click,
        selection_mode="points",
        config={"modeBarButtonsToRemove": ["lasso2d", "select2d"]},
        html_name=f"explorer-{settings.surface.name}",
    )
    st.caption(
        "Click anywhere on the map to start there. ▶ Play replays the paths; the slider scrubs "
        "them. Stars are global minima, diamonds local minima, crosses saddles. On the right, "
        "f − f* and the gradient's length per step, on log axes. Switch on *Anatomy of a step* "
        "below to see one step's numbers."
    )


def show_3d(settings: ExplorerSettings, paths: list[PathView], wanted: bool) -> None:
    if wanted:
        grid = grid_for(settings.surface, SURFACE_3D_RESOLUTION)
        show_figure(surface_3d_figure(settings.surface, grid, paths), key="surface_3d")


# ----- anatomy and table ----------------------------------------------------------------------
def draw_view_toggles() -> tuple[bool, bool, bool]:
    """The anatomy, table and 3-D switches, side by side: (anatomy, table, 3-D).

    Each view is drawn only when asked for: the anatomy's formulas, like the 3-D surface, would
    otherwise cost every slider press its drawing time.
    """
    controls = view_controls()
    columns = st.columns(3)
    switches = (controls.anatomy, controls.table, controls.three_d)
    anatomy, table, three_d = (
        bool(control.draw(column)) for control, column in zip(switches, columns, strict=True)
    )
    return anatomy, table, three_d


def inspected_path(paths: list[PathView], container) -> PathView | None:
    """The path the anatomy and the table show (the first one if the chosen slot is not on)."""
    if not paths:
        return None
    chosen = int(view_controls().inspect.draw(container)) - 1
    by_slot = {view.slot: view for view in paths}
    return by_slot.get(chosen, paths[0])


def show_anatomy(view: PathView, steps: int) -> None:
    """Pick a step; see that optimizer's rule with the step's numbers.

    The step slider spans the steps asked for, not the steps this run took, so it keeps its
    place while the learning rate changes how far a run gets; past a run's end it shows the
    last step.
    """
    run = view.run
    st.markdown(f"#### Anatomy of a step — {view.label}")
    if run.updates is None or len(run.updates) == 0:
        st.info("This run took no step (it started converged or outside the box).")
        return
    last = len(run.updates) - 1
    k_control = view_controls(steps).step
    if st.session_state.get(k_control.key, 0) > k_control.maximum:
        st.session_state[k_control.key] = int(k_control.maximum)  # fewer steps asked for now
    chosen = int(k_control.draw(st))
    k = min(chosen, last)
    if chosen > last:
        st.caption(f"This run stopped after step {last}: showing step {last}.")
    lines, _ = anatomy_lines(run, k)
    st.caption(f"{run.optimizer.rule.title}: {run.optimizer.rule.summary}")
    # One formula block rather than one element per line: the browser lays out one element.
    st.latex(
        r"\begin{gathered}" + r" \\[6pt] ".join(line.latex() for line in lines) + r"\end{gathered}"
    )


def show_table(view: PathView) -> None:
    """The per-step table (a window of it for long runs) and the whole run as CSV (the table's
    columns, then the gradient the optimizer used and its state: app.exports.trajectory_csv)."""
    run = view.run
    table = step_table(run)
    if len(table) > TABLE_ROWS_SHOWN:
        k = int(st.session_state.get("k", 0))
        first = max(0, min(k - 10, len(table) - TABLE_ROWS_SHOWN))
        table = table.iloc[first : first + TABLE_ROWS_SHOWN]
        st.caption(
            f"Rows {first} to {first + TABLE_ROWS_SHOWN - 1} of {len(run.points)} "
            "(around step k); the CSV has them all."
        )
    st.dataframe(table.astype("float32").astype({"step": "int32"}), hide_index=True, height=300)
    offer_download(
        "Download the whole run as CSV",
        lambda: trajectory_csv(run),
        f"descent-{run.surface.name}-{run.optimizer.name}.csv",
    )
