"""The Explorer starts where it says, to the last bit: a surface's default start, a start from a
link, a lesson's start, and a start after switching surfaces are used exactly (the sliders hold
a value between their steps as it is)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import core
from app import explorer_runs
from core.formula_surface import DEFAULT_DOMAIN, DEFAULT_FORMULA
from core.lessons import load_catalogue

APP = str(__import__("conftest").APP_PATH)


def _default_start(name: str) -> tuple[float, float]:
    if name == "custom":
        return core.surface("custom", formula=DEFAULT_FORMULA, domain=DEFAULT_DOMAIN).default_start
    return core.surface(name).default_start


@pytest.fixture
def starts(monkeypatch) -> list[tuple[float, float]]:
    """The start of every run the Explorer computes (the runs' own first points)."""
    recorded: list[tuple[float, float]] = []
    original = explorer_runs.compute_runs

    def recording(settings):
        runs, slots, failures = original(settings)
        recorded.extend((float(run.points[0][0]), float(run.points[0][1])) for run in runs)
        return runs, slots, failures

    monkeypatch.setattr(explorer_runs, "compute_runs", recording)
    return recorded


def _open(**query: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def _sliders(app: AppTest) -> tuple[float, float]:
    return app.slider(key="x0").value, app.slider(key="y0").value


@pytest.mark.parametrize("name", core.surface_names())
def test_a_link_to_a_surface_runs_from_its_default_start_exactly(name, starts):
    app = _open(surface=name)
    assert not app.exception, [e.value for e in app.exception]
    expected = tuple(float(v) for v in _default_start(name))
    assert _sliders(app) == expected
    assert starts and starts[-1] == expected


def test_switching_surfaces_runs_from_each_default_start_exactly(starts):
    app = _open()
    for name in core.surface_names():
        if name == "custom":
            continue
        app.selectbox(key="surface").set_value(name).run()
        expected = tuple(float(v) for v in core.surface(name).default_start)
        assert _sliders(app) == expected, name
        assert starts[-1] == expected, name


def test_the_saddle_slides_away_from_its_default_start(starts):
    # (1.5, 0.001): a start just off the ridge line, so descent leaves the saddle, as its note says.
    app = _open(surface="saddle")
    assert starts[-1] == (1.5, 0.001)
    assert any("Diverged" in banner.value for banner in app.error), [b.value for b in app.info]


def test_a_link_start_is_used_to_the_last_digit(starts):
    app = _open(x0="0.123456789", y0="-1.2345678901234567")
    assert not app.warning  # inside the domain: nothing to replace
    assert _sliders(app) == (0.123456789, -1.2345678901234567)
    assert starts[-1] == (0.123456789, -1.2345678901234567)
    caption = " ".join(c.value for c in app.caption)
    assert "(0.123456789, -1.2345678901234567)" in caption  # the sliders show it rounded


@pytest.mark.parametrize(
    "lesson",
    [lesson for lesson in load_catalogue() if lesson.page == "explorer"],
    ids=lambda lesson: lesson.id,
)
def test_a_lesson_opens_at_its_start_exactly(lesson):
    app = _open(lesson=lesson.id)
    assert not app.exception, [e.value for e in app.exception]
    default = _default_start(lesson.settings["surface"])
    expected = (
        float(lesson.settings.get("x0", default[0])),
        float(lesson.settings.get("y0", default[1])),
    )
    assert _sliders(app) == expected


def test_a_lesson_link_with_other_values_opens_at_the_lessons_settings():
    # The link's own x0 and steps are dropped for the lesson's (1.5, 0) and 300 steps.
    app = _open(lesson="saddle", x0="0.7", steps="3.5")
    assert _sliders(app) == (1.5, 0.0) and app.slider(key="steps").value == 300
