"""The lesson catalogue: predict-then-reveal exercises, stored as data and checked against the runs.

Each lesson (assets/lessons.toml) names the page it opens ("explorer", "sweeps" or "network") and
that page's settings in the page's own URL keys (core.lesson_settings reads them), so the same
table becomes a shareable link. Every claim of a lesson is an expectation naming a check of
core.lesson_checks.CHECKS, so a lesson that says "this diverges" is tested by running it.

    lessons = load_catalogue()                  # CatalogueError names the lesson and the field
    results = evaluate(lessons[0])              # [CheckResult(expectation, passed, detail), ...]
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.lesson_checks import CHECKS, Check
from core.lesson_settings import PAGES, SettingError, read_scenario, result_types, run_scenario

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "assets" / "lessons.toml"
TEXT_FIELDS = ("id", "title", "teaches", "narrative", "page", "question", "reveal", "try_next")


class CatalogueError(ValueError):
    """A lesson that cannot be used; the message names the lesson and the field."""


# ----- the lesson -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Expectation:
    """One checkable claim: CHECKS[check] applied to the run of `slot` (1-based) under the lesson's
    settings updated by `overrides`; comparisons name a second run in `than` (slot, overrides)."""

    check: str
    slot: int = 1
    overrides: Mapping[str, Any] = field(default_factory=dict)
    arguments: Mapping[str, Any] = field(default_factory=dict)
    than: tuple[int, Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class Lesson:
    """A predict-then-reveal exercise. `answer` indexes `answers` from 0."""

    id: str
    title: str
    teaches: str
    narrative: str
    page: str
    settings: Mapping[str, Any]
    question: str
    answers: tuple[str, ...]
    answer: int
    reveal: str
    try_next: str
    expectations: tuple[Expectation, ...]

    def settings_with(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        """The lesson's settings with some keys changed (a "try this next" variant)."""
        return {**self.settings, **overrides}


# ----- running and checking ------------------------------------------------------------------
def run_lesson(lesson: Lesson, overrides: Mapping[str, Any] | None = None) -> tuple[Any, ...]:
    """What the lesson's page computes from its settings (and overrides): see run_scenario."""
    return run_scenario(lesson.page, lesson.settings_with(overrides or {}))


@dataclass(frozen=True)
class CheckResult:
    """Whether one expectation held, with the numbers that decided it."""

    expectation: Expectation
    passed: bool
    detail: str


def evaluate(lesson: Lesson) -> list[CheckResult]:
    """Run the lesson (and each variant its expectations name, once) and check every claim."""
    results: dict[tuple, tuple[Any, ...]] = {}

    def result(slot: int, overrides: Mapping[str, Any]) -> Any:
        key = tuple(sorted(overrides.items()))
        if key not in results:
            results[key] = run_lesson(lesson, overrides)
        return results[key][slot - 1]

    outcomes = []
    for expectation in lesson.expectations:
        check = CHECKS[expectation.check]
        subject = result(expectation.slot, expectation.overrides)
        others = (result(*expectation.than),) if expectation.than else ()
        passed, detail = check.function(subject, *others, **expectation.arguments)
        outcomes.append(CheckResult(expectation, bool(passed), detail))
    return outcomes


# ----- loading and validating the catalogue -----------------------------------------------------
def load_catalogue(path: Path | str = CATALOGUE_PATH) -> tuple[Lesson, ...]:
    """Read and validate the catalogue file (TOML); CatalogueError says what is wrong, where."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CatalogueError(f"cannot read the lesson catalogue {path}: {error}") from error
    return parse_catalogue(data)


def parse_catalogue(data: Mapping[str, Any]) -> tuple[Lesson, ...]:
    """Validate a catalogue's data ({"lessons": [table, ...]}) into lessons, in file order."""
    tables = data.get("lessons")
    if not isinstance(tables, list) or not tables:
        raise CatalogueError("the catalogue has no [[lessons]]")
    lessons, seen = [], set()
    for number, table in enumerate(tables, start=1):
        name = str(table.get("id", f"#{number}")) if isinstance(table, Mapping) else f"#{number}"
        if name in seen:
            raise CatalogueError(f"lesson {name!r}, id: used twice")
        seen.add(name)
        try:
            lessons.append(parse_lesson(table))
        except _FieldError as error:
            raise CatalogueError(f"lesson {name!r}, {error.field}: {error}") from error
    return tuple(lessons)


class _FieldError(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


def parse_lesson(table: Any) -> Lesson:
    """One lesson from its table; _FieldError names the field that is wrong."""
    if not isinstance(table, Mapping):
        raise _FieldError("lesson", "is not a table")
    text = {name: _text(table, name) for name in TEXT_FIELDS}
    if text["page"] not in PAGES:
        raise _FieldError("page", f"{text['page']!r} is not one of {', '.join(PAGES)}")
    settings = table.get("settings")
    if not isinstance(settings, Mapping):
        raise _FieldError("settings", "is missing (a table of the page's URL keys)")
    scenario = _scenario(text["page"], settings, "settings")
    answers, answer = _answers(table)
    expectations = tuple(
        _expectation(text["page"], settings, scenario, entry, f"expect[{index}]")
        for index, entry in enumerate(_list(table, "expect"))
    )
    if not expectations:
        raise _FieldError("expect", "is empty: a lesson must make at least one checkable claim")
    return Lesson(
        **text,
        settings=dict(settings),
        answers=answers,
        answer=answer,
        expectations=expectations,
    )


def _text(table: Mapping[str, Any], name: str) -> str:
    value = table.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _FieldError(name, "is missing or empty")
    return value.strip()


def _list(table: Mapping[str, Any], name: str) -> list[Any]:
    value = table.get(name)
    if not isinstance(value, list):
        raise _FieldError(name, "is missing (a list)")
    return value


def _answers(table: Mapping[str, Any]) -> tuple[tuple[str, ...], int]:
    """The 3 or 4 answers and the index (from 0) of the right one."""
    answers = _list(table, "answers")
    if not 3 <= len(answers) <= 4 or not all(isinstance(a, str) and a.strip() for a in answers):
        raise _FieldError("answers", "must be three or four non-empty texts")
    answer = table.get("answer")
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise _FieldError("answer", "is missing (the index of the right answer, from 0)")
    if not 0 <= answer < len(answers):
        raise _FieldError("answer", f"{answer} is out of range: there are {len(answers)} answers")
    return tuple(a.strip() for a in answers), answer


def _scenario(page: str, settings: Mapping[str, Any], where: str) -> Any:
    try:
        return read_scenario(page, settings)
    except SettingError as error:
        raise _FieldError(f"{where}.{error.key}", str(error)) from error


def _expectation(page, settings, scenario, entry: Any, where: str) -> Expectation:
    """One claim, checked: a known check that fits the page, its arguments, slots and variants."""
    if not isinstance(entry, Mapping) or entry.get("check") not in CHECKS:
        raise _FieldError(f"{where}.check", f"choose one of {', '.join(CHECKS)}")
    check = CHECKS[entry["check"]]
    arguments = {k: v for k, v in entry.items() if k not in ("check", "slot", "with", "than")}
    missing, unknown = set(check.arguments) - set(arguments), set(arguments) - set(check.arguments)
    if missing or unknown:
        detail = f"missing {sorted(missing)}" if missing else f"unknown {sorted(unknown)}"
        raise _FieldError(where, f"{entry['check']} takes {list(check.arguments)}: {detail}")
    slot, overrides = _selection(page, settings, scenario, entry, check, where)
    than = None
    if check.compares:
        than = _selection(page, settings, scenario, entry.get("than"), check, f"{where}.than")
    elif "than" in entry:
        raise _FieldError(f"{where}.than", f"{entry['check']} compares nothing")
    return Expectation(entry["check"], slot, overrides, arguments, than)


def _selection(page, settings, scenario, entry: Any, check: Check, where: str):
    """(slot, overrides) of one result the check looks at, validated against the page."""
    if not isinstance(entry, Mapping):
        raise _FieldError(where, "is missing (a table with slot and/or with)")
    overrides = entry.get("with", {})
    if not isinstance(overrides, Mapping):
        raise _FieldError(f"{where}.with", "is not a table of settings")
    if overrides:
        scenario = _scenario(page, {**settings, **overrides}, f"{where}.with")
    kind, count = result_types(scenario)
    slot = entry.get("slot", 1)
    if isinstance(slot, bool) or not isinstance(slot, int) or not 1 <= slot <= count:
        raise _FieldError(f"{where}.slot", f"{slot!r} is not one of the {count} results")
    if kind is not check.result_type:
        raise _FieldError(where, f"{entry.get('check', 'the check')} does not apply to {page}")
    return slot, dict(overrides)
