"""The lessons page (AppTest) and its app-side catalogue check: every lesson opens from its link,
asks before it tells, and reveals the run only after an answer; a bad link gives a notice."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from markup_check import shown_text
from page_testing import assert_clean, open_page

from app.lesson_figures import preview_figures, reveal_figures
from app.lessons_catalogue import lesson_link, lesson_problems, load_lessons, setting_problems
from core.lesson_settings import read_scenario
from core.lessons import Lesson, run_lesson

LESSONS = load_lessons()
FIRST = LESSONS[0]


def _with_settings(lesson: Lesson, **changes) -> Lesson:
    return Lesson(**{**lesson.__dict__, "settings": {**lesson.settings, **changes}})


# ----- the catalogue against the pages' URL tables ----------------------------------------------
def test_every_lesson_setting_is_a_control_of_its_page_with_an_offered_value():
    assert all(lesson_problems(lesson) == [] for lesson in LESSONS)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"lr": 0.49}, "lr: 0.49 is not a value its control offers"),
        ({"steps": 99999}, "steps:"),
        ({"basin_resolution": 50}, "basin_resolution:"),
        ({"colour": "red"}, "colour: the Explorer has no such control"),
    ],
)
def test_a_setting_the_page_would_change_is_reported(changes, words):
    problems = lesson_problems(_with_settings(FIRST, **changes))
    assert any(words in problem and "lesson 'lr-too-small'" in problem for problem in problems)


def test_a_value_that_the_page_accepts_raises_no_problem():
    assert setting_problems("explorer", {"surface": "rosenbrock", "lr": 0.02, "steps": 10}) == []


def test_lesson_links_open_the_page_with_the_lesson_settings():
    by_id = {lesson.id: lesson for lesson in LESSONS}
    assert lesson_link(by_id["saddle"]) == "/?surface=saddle&y0=0&steps=300"
    assert lesson_link(by_id["rastrigin-basins"]).startswith("/sweeps?study=basins")
    link = lesson_link(by_id["xor-hidden-layer"], {"net_layers": 1, "net_units1": 8})
    assert link.startswith("/network?") and "net_layers=1" in link


# ----- figures -----------------------------------------------------------------------------------
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_preview_hides_the_run_and_reveal_draws_it(lesson):
    scenario = read_scenario(lesson.page, lesson.settings)
    previews = preview_figures(lesson.page, scenario)
    reveals = reveal_figures(lesson.page, scenario, run_lesson(lesson))
    assert previews and reveals
    assert all(isinstance(figure, go.Figure) for figure in previews + reveals)
    names = {trace.name for figure in previews for trace in figure.data}
    if lesson.page == "explorer":
        assert not any(name and " · " in name for name in names)  # no optimizer's path
        labels = {trace.name for trace in reveals[0].data}
        assert any(name and name.startswith("1 · ") for name in labels)
    assert sum(len(figure.to_json()) for figure in reveals) < 300_000


# ----- the page ----------------------------------------------------------------------------------
def test_the_list_shows_every_lesson():
    app = open_page("lessons.py")
    assert_clean(app)
    assert len([b for b in app.button if b.label == "Open"]) == len(LESSONS)


def test_opening_a_lesson_from_the_list_puts_its_id_in_the_url():
    app = open_page("lessons.py")
    app.button(key=f"open:{FIRST.id}").click().run()
    assert_clean(app)
    assert app.query_params["lesson"] == FIRST.id
    assert app.title[0].value == FIRST.title


def test_a_bad_lesson_id_gives_a_notice_and_the_list():
    app = open_page("lessons.py", lesson="no-such-lesson")
    assert_clean(app)
    assert "no lesson called “no-such-lesson”" in shown_text(app.warning[0].value)
    assert app.title[0].value == "Lessons"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_lesson_opens_and_reveals_only_after_an_answer(lesson):
    app = open_page("lessons.py", lesson=lesson.id)
    assert_clean(app)
    assert app.title[0].value == lesson.title
    (question,) = app.radio
    assert question.value is None
    assert not app.success and lesson.reveal[:40] not in _markdown(app)
    wrong = (lesson.answer + 1) % len(lesson.answers)
    question.set_value(wrong).run()
    assert_clean_but_for_the_verdict(app)
    assert "Not quite" in app.error[0].value
    assert lesson.reveal[:40] in _markdown(app)


def test_the_right_answer_is_confirmed_and_start_again_hides_the_run():
    app = open_page("lessons.py", lesson=FIRST.id)
    app.radio[0].set_value(FIRST.answer).run()
    assert_clean(app)
    assert app.success[0].value.startswith("Right")
    app.button[1].click().run()
    assert app.radio[0].value is None and not app.success


def _markdown(app) -> str:
    return "\n".join(element.value for element in app.markdown)


def assert_clean_but_for_the_verdict(app) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert [e.value[:11] for e in app.error] == ["Not quite. "]
