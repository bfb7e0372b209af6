"""The lessons page: the catalogue as a list, and one lesson as predict-then-reveal.

The open lesson's id is in the URL (?lesson=<id>), so a shared link opens it; an unknown id gives
a notice and the list. A lesson shows its narrative, its settings and its setting drawn with the
outcome hidden, asks its question (no answer chosen), and only after an answer says whether the
guess was right, why, and shows the run itself, with a link that opens the same settings on the
lesson's page. The catalogue is validated (core and the pages' URL tables) when the page starts.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app.classroom import show_figure
from app.lesson_figures import SIDE_BY_SIDE, preview_figures, reveal_figures
from app.lessons_catalogue import explorer_lesson_link, lesson_link, load_lessons, page_title
from app.untrusted_text import escape_markdown
from core.lesson_settings import read_scenario
from core.lessons import CatalogueError, Lesson, run_lesson

LESSON_KEY = "lesson"
ANSWER_PREFIX = "lesson_answer:"
LESSON_ID_SHOWN = 40
"""Characters of an unknown lesson id that its notice quotes."""
PAGE_ICONS = {
    "explorer": ":material/explore:",
    "sweeps": ":material/show_chart:",
    "network": ":material/hub:",
}


@st.cache_resource(show_spinner=False)
def catalogue() -> tuple[Lesson, ...]:
    """The validated catalogue, loaded once per server (it is read-only)."""
    return load_lessons()


@st.cache_resource(max_entries=32, ttl=3600, show_spinner=False)
def lesson_outcome(lesson_id: str) -> tuple[Any, tuple[Any, ...]]:
    """(scenario, results) of a lesson's settings, computed once and shared by every visitor."""
    lesson = lessons_by_id()[lesson_id]
    return read_scenario(lesson.page, lesson.settings), run_lesson(lesson)


def lessons_by_id() -> dict[str, Lesson]:
    return {lesson.id: lesson for lesson in catalogue()}


# ----- which lesson the URL asks for ------------------------------------------------------------
def requested_lesson() -> tuple[Lesson | None, str | None]:
    """(the lesson the URL names, or None; a notice when it names one that does not exist)."""
    raw = st.query_params.get(LESSON_KEY)
    if raw is None:
        return None, None
    lesson = lessons_by_id().get(raw.strip())
    if lesson is None:
        del st.query_params[LESSON_KEY]
        shown = escape_markdown(raw, limit=LESSON_ID_SHOWN)
        return None, f"There is no lesson called “{shown}”: choose one from the list."
    return lesson, None


def open_lesson(lesson_id: str) -> None:
    st.query_params[LESSON_KEY] = lesson_id


def close_lesson() -> None:
    st.query_params.pop(LESSON_KEY, None)


# ----- the list ---------------------------------------------------------------------------------
def show_list(lessons: tuple[Lesson, ...]) -> None:
    st.title("Lessons")
    st.caption(
        "Each lesson sets up a run, asks what you expect, and only then shows what happens "
        "and why. Share a lesson by its link; open its settings on the page to explore further."
    )
    columns = st.columns(2)
    for number, lesson in enumerate(lessons):
        with columns[number % 2].container(border=True):
            icon = PAGE_ICONS[lesson.page]
            st.markdown(f"**{number + 1}. {lesson.title}**")
            st.caption(f"{icon} {page_title(lesson)} · {lesson.teaches}")
            st.button("Open", key=f"open:{lesson.id}", on_click=open_lesson, args=(lesson.id,))


# ----- one lesson -------------------------------------------------------------------------------
def show_lesson(lesson: Lesson) -> None:
    st.button("← All lessons", on_click=close_lesson, type="tertiary")
    st.title(lesson.title)
    st.caption(f"{PAGE_ICONS[lesson.page]} {page_title(lesson)} · {lesson.teaches}")
    st.markdown(lesson.narrative)
    if lesson.page == "explorer":
        st.link_button(
            "Open this lesson in the Explorer",
            explorer_lesson_link(lesson.id),
            icon=":material/explore:",
            help="The same question on the Explorer: its controls, the map, and the run "
            "hidden until you answer.",
        )
    show_settings(lesson)
    choice = ask(lesson)
    scenario, results = lesson_outcome(lesson.id)
    if choice is None:
        st.caption("The setting, with the run hidden until you answer:")
        figures = preview_figures(lesson.page, scenario)
        show_figures(figures, f"preview:{lesson.id}", SIDE_BY_SIDE[lesson.page])
        return
    reveal(lesson, choice, scenario, results)


def show_figures(figures: list, key: str, side_by_side: bool) -> None:
    """The figures one under the other, or two to a row (a map beside its curves; a preview
    takes the map's place, so the reveal does not move it)."""
    columns = st.columns(2) if side_by_side else [st.container()]
    for index, figure in enumerate(figures):
        column = columns[index % len(columns)]
        show_figure(figure, key=f"{key}:{index}", container=column)


def show_settings(lesson: Lesson) -> None:
    with st.expander("The settings (as in the page's link)"):
        lines = "\n".join(f"{key} = {value}" for key, value in lesson.settings.items())
        st.code(lines, language=None)


def ask(lesson: Lesson) -> int | None:
    """The question as a radio with no answer chosen; "Start again" clears the answer."""
    key = ANSWER_PREFIX + lesson.id
    choice = st.radio(
        f"**{lesson.question}**",
        range(len(lesson.answers)),
        index=None,
        format_func=lesson.answers.__getitem__,
        key=key,
        help="Choose before you see the run: the prediction is the point of the exercise.",
    )
    if choice is not None:
        st.button("Start again", on_click=st.session_state.pop, args=(key, None))
    return choice


def show_verdict(lesson: Lesson, choice: int) -> None:
    """Whether the guess was right, and the lesson's explanation of what happened."""
    right = lesson.answers[lesson.answer]
    if choice == lesson.answer:
        st.success(f"Right: {right}", icon=":material/check_circle:")
    else:
        st.error(f"Not quite. The answer is: {right}", icon=":material/cancel:")
    st.markdown(lesson.reveal)


def reveal(lesson: Lesson, choice: int, scenario: Any, results: tuple[Any, ...]) -> None:
    show_verdict(lesson, choice)
    figures = reveal_figures(lesson.page, scenario, results)
    show_figures(figures, f"reveal:{lesson.id}", SIDE_BY_SIDE[lesson.page])
    st.info(f"**Try this next:** {lesson.try_next}", icon=":material/science:")
    st.link_button(f"Open these settings in the {page_title(lesson)}", lesson_link(lesson))


# ----- the page ---------------------------------------------------------------------------------
def show_page() -> None:
    """The whole page: the catalogue is checked first; a broken one is reported, not run."""
    try:
        lessons = catalogue()
    except CatalogueError as error:
        st.error(f"The lesson catalogue has a problem, so lessons are unavailable: {error}")
        return
    lesson, notice = requested_lesson()
    if notice:
        st.warning(notice, icon=":material/link:")
    if lesson is None:
        show_list(lessons)
    else:
        show_lesson(lesson)
