"""The lesson catalogue checked against the pages: every setting a lesson names must be a control
of its page, with a value that control accepts as it stands, so its link opens exactly the lesson.

core.lessons validates the catalogue against core's registries (surfaces, optimizers, ranges) and
runs it; this module adds what only the app knows: each page's path and URL table.

    lessons = load_lessons()              # CatalogueError naming the lesson and the key
    lesson_link(lessons[0])               # "/?lr=0.002&steps=200" (defaults left out)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from app import explorer_settings, network_settings, sweep_settings
from app.url_state import UrlParameter, page_link, query_pairs
from core.lessons import CatalogueError, Lesson, load_catalogue


@dataclass(frozen=True)
class PageRoute:
    """Where a lesson's page lives and how its URL table is made for a settings mapping."""

    path: str
    title: str
    url_table: Callable[[Mapping[str, Any]], tuple[UrlParameter, ...]]


def _surface_of(settings: Mapping[str, Any]) -> str:
    return str(settings.get("surface", explorer_settings.DEFAULT_SURFACE))


PAGE_ROUTES: dict[str, PageRoute] = {
    "explorer": PageRoute(
        "/",
        "Explorer",
        lambda settings: explorer_settings.url_table(_surface_of(settings), settings),
    ),
    "sweeps": PageRoute(
        "/sweeps",
        "Learning-rate lab",
        lambda settings: sweep_settings.url_table(_surface_of(settings), settings),
    ),
    "network": PageRoute("/network", "Network Lab", network_settings.url_table),
}
"""Page name (a lesson's `page`) -> its route; the paths are those st.navigation gives the pages."""


def setting_problems(page: str, settings: Mapping[str, Any]) -> list[str]:
    """What the page's URL table says about each setting: '<key>: <why>' for every key the page
    does not have or whose value its control would change."""
    by_key = {parameter.key: parameter for parameter in PAGE_ROUTES[page].url_table(settings)}
    problems = []
    for key, value in settings.items():
        parameter = by_key.get(key)
        if parameter is None:
            problems.append(f"{key}: the {PAGE_ROUTES[page].title} has no such control")
            continue
        clean, notice = parameter.parse(parameter.serialize(value))
        if notice or not _same(clean, value):
            problems.append(
                f"{key}: {value!r} is not a value its control offers (it would be {clean!r})"
            )
    return problems


def _same(clean: Any, value: Any) -> bool:
    if isinstance(clean, float) and isinstance(value, int | float):
        return math.isclose(clean, value, rel_tol=1e-9, abs_tol=1e-12)
    return clean == value


def lesson_problems(lesson: Lesson) -> list[str]:
    """Every problem of the lesson's settings and of each variant its claims run."""
    variants = [("settings", lesson.settings)]
    for index, expectation in enumerate(lesson.expectations):
        selections = [(expectation.slot, expectation.overrides)]
        if expectation.than:
            selections.append(expectation.than)
        variants += [
            (f"expect[{index}].with", lesson.settings_with(overrides))
            for _, overrides in selections
            if overrides
        ]
    return [
        f"lesson {lesson.id!r}, {where}.{problem}"
        for where, settings in variants
        for problem in setting_problems(lesson.page, settings)
    ]


def load_lessons() -> tuple[Lesson, ...]:
    """The catalogue, validated by core and against the pages; CatalogueError lists problems."""
    lessons = load_catalogue()
    problems = [problem for lesson in lessons for problem in lesson_problems(lesson)]
    if problems:
        raise CatalogueError("; ".join(problems))
    return lessons


def lesson_link(lesson: Lesson, overrides: Mapping[str, Any] | None = None) -> str:
    """A relative link that opens the lesson's page with its settings (and any overrides)."""
    route = PAGE_ROUTES[lesson.page]
    settings = lesson.settings_with(overrides or {})
    return page_link(route.path, route.url_table(settings), settings)


def lesson_query(lesson: Lesson) -> dict[str, str]:
    """The lesson's settings as query-string values of its page (defaults left out)."""
    route = PAGE_ROUTES[lesson.page]
    return dict(query_pairs(route.url_table(lesson.settings), lesson.settings))


def lesson_page_keys(lesson: Lesson) -> frozenset[str]:
    """Every control key of the lesson's page (for its surface): what a lesson link replaces."""
    return frozenset(
        parameter.key for parameter in PAGE_ROUTES[lesson.page].url_table(lesson.settings)
    )


def explorer_lesson_link(lesson_id: str) -> str:
    """The Explorer link that opens a lesson there: its settings, question and hidden run."""
    return "/?" + urlencode({"lesson": lesson_id})


def page_title(lesson: Lesson) -> str:
    return PAGE_ROUTES[lesson.page].title
