"""A lesson inside the Explorer: predict, then reveal, with the Explorer's own controls and map.

A link with ?lesson=<id> (the lessons page's "Open this lesson in the Explorer") opens an Explorer
lesson here. The page script calls two functions:

- `open_requested_lesson()` before the URL state is read: on the session's first run it writes
  the lesson's settings into the query string (the other control keys are dropped, so the lesson
  opens exactly as written; `visible` and `present` stay), and the controls open with them.
- `show_lesson_panel(lesson)` above the figures: the narrative and the question; it returns True
  while the run must stay hidden (no answer yet: the contour is drawn without the paths, the loss
  curves and the diagnosis), then says whether the guess was right and why.

A lesson of another page (sweeps, network) gets a link to the lessons page, where it is revealed.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from app.lessons_catalogue import lesson_page_keys, lesson_query, page_title
from app.lessons_view import ask, catalogue, close_lesson, requested_lesson, show_verdict
from app.url_state import url_parameters_applied
from core.lessons import CatalogueError, Lesson

SCOPE = "explorer"
LESSONS_PAGE = "/lessons"


def open_requested_lesson() -> Lesson | None:
    """The Explorer lesson the URL names (its settings loaded on the first run), or None."""
    if "lesson" not in st.query_params:
        return None
    try:
        catalogue()
    except CatalogueError as error:
        st.error(f"The lesson catalogue has a problem, so lessons are unavailable: {error}")
        return None
    lesson, notice = requested_lesson()
    if notice:
        st.warning(notice, icon=":material/link:")
    if lesson is None:
        return None
    if lesson.page != SCOPE:
        st.info(
            f"**{lesson.title}** is a lesson of the {page_title(lesson)}: "
            f"[open it on the lessons page]({LESSONS_PAGE}?lesson={lesson.id}).",
            icon=":material/school:",
        )
        return None
    if not url_parameters_applied(SCOPE):
        _load_settings(lesson)
    return lesson


def _load_settings(lesson: Lesson) -> None:
    """Replace the control values of the query string by the lesson's.

    The controls take their first values from the link this run began with, so where that link
    carried other values (`/?lesson=saddle&x0=0.7`) the page runs again at once, before any
    control is drawn, from the lesson's settings alone."""
    page_keys, wanted = lesson_page_keys(lesson), lesson_query(lesson)
    stray = [
        key
        for key in st.query_params
        if key in page_keys and st.query_params.get_all(key) != [wanted.get(key)]
    ]
    try:
        for key in [key for key in st.query_params if key in page_keys]:
            del st.query_params[key]
        st.query_params.update(wanted)
    except StreamlitAPIException:
        # A control already owns its parameter (the page was open before the link changed):
        # the lesson keeps the settings on screen.
        st.caption("The lesson's settings could not replace the ones on screen.")
        return
    if stray:
        st.rerun()


def show_lesson_panel(lesson: Lesson | None) -> bool:
    """The lesson's question (and, once answered, its verdict); True while the run stays hidden."""
    if lesson is None:
        return False
    with st.container(border=True):
        st.markdown(f"#### :material/school: Lesson: {lesson.title}")
        st.markdown(lesson.narrative)
        choice = ask(lesson)
        if choice is None:
            st.caption(
                "The map shows the setting; the paths, the loss curves and the diagnosis "
                "appear once you have answered."
            )
        else:
            show_verdict(lesson, choice)
            st.info(f"**Try this next:** {lesson.try_next}", icon=":material/science:")
        st.button("Leave the lesson", on_click=close_lesson, type="tertiary")
    return choice is None
