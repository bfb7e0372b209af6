"""The lesson catalogue: it validates, a broken lesson is refused by name, and every lesson's claims
hold when its settings are actually run through core."""

from __future__ import annotations

import copy
import tomllib

import pytest

from core import lesson_settings, lessons
from core.lessons import CatalogueError, evaluate, load_catalogue, parse_catalogue, run_lesson

CATALOGUE = load_catalogue()
RAW = tomllib.loads(lessons.CATALOGUE_PATH.read_text(encoding="utf-8"))
IDEAS = {
    "lr-too-small", "lr-too-large", "ravine-momentum", "nesterov", "start-decides",
    "rastrigin-basins", "saddle", "adam-rosenbrock", "rotation", "mini-batch",
    "normalise-inputs", "choose-the-loss", "lr-schedules", "overfitting-l2", "xor-hidden-layer",
}  # fmt: skip


def test_catalogue_has_a_lesson_for_every_idea_on_every_page():
    ids = [lesson.id for lesson in CATALOGUE]
    assert len(ids) == len(set(ids)) >= 14
    assert set(ids) >= IDEAS
    assert {lesson.page for lesson in CATALOGUE} == set(lesson_settings.PAGES)


def test_every_lesson_is_complete():
    for lesson in CATALOGUE:
        assert 3 <= len(lesson.answers) <= 4
        assert 0 <= lesson.answer < len(lesson.answers)
        assert lesson.expectations, lesson.id
        assert all(len(text) > 20 for text in (lesson.narrative, lesson.reveal, lesson.try_next))


@pytest.mark.parametrize("lesson", CATALOGUE, ids=lambda lesson: lesson.id)
def test_every_claim_of_the_lesson_holds_when_run(lesson):
    results = evaluate(lesson)
    assert len(results) == len(lesson.expectations)
    failed = [f"{r.expectation.check}: {r.detail}" for r in results if not r.passed]
    assert not failed, f"{lesson.id}: {failed}"


def test_a_claim_that_does_not_hold_is_reported_as_failed():
    lesson = next(lesson for lesson in CATALOGUE if lesson.id == "lr-too-large")
    wrong = lessons.Expectation("diagnosis", slot=2, arguments={"kinds": ["global_minimum"]})
    broken = lessons.Lesson(**{**lesson.__dict__, "expectations": (wrong,)})
    (result,) = evaluate(broken)
    assert not result.passed and "diverged" in result.detail


def test_run_lesson_gives_what_the_page_computes():
    by_id = {lesson.id: lesson for lesson in CATALOGUE}
    runs = run_lesson(by_id["lr-too-large"])
    assert [run.optimizer.lr for run in runs] == [0.18, 0.22]
    (basins,) = run_lesson(by_id["rastrigin-basins"])
    assert basins.labels.shape == (100, 100)
    (trainer,) = run_lesson(by_id["xor-hidden-layer"])
    assert trainer.history.epochs == 200 and tuple(trainer.network.sizes) == (2, 1)


# ----- broken catalogues are refused, naming the lesson and the field --------------------------
def _broken(change) -> dict:
    data = copy.deepcopy(RAW)
    change(data["lessons"][1])
    return data


def _set_setting(key, value):
    return lambda table: table["settings"].__setitem__(key, value)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_set_setting("surface", "volcano"), "settings.surface"),
        (_set_setting("bowl_kappa", 5000.0), "settings.bowl_kappa"),
        (_set_setting("lr", 50.0), "settings.lr"),
        (_set_setting("optimizer_2", "lbfgs"), "settings.optimizer_2"),
        (_set_setting("schedule", "cyclic"), "settings.schedule"),
        (_set_setting("colour", "red"), "settings.colour"),
        (_set_setting("steps", 2.5), "settings.steps"),
        (lambda t: t["settings"].pop("steps"), "settings.steps"),
        (lambda t: t.pop("question"), "question"),
        (lambda t: t.pop("settings"), "settings"),
        (lambda t: t.__setitem__("answer", 4), "answer"),
        (lambda t: t.__setitem__("answer", -1), "answer"),
        (lambda t: t.__setitem__("answers", ["yes", "no"]), "answers"),
        (lambda t: t.__setitem__("page", "playground"), "page"),
        (lambda t: t.__setitem__("expect", []), "expect"),
        (lambda t: t["expect"][0].__setitem__("check", "looks_nice"), "expect[0].check"),
        (lambda t: t["expect"][0].__setitem__("slot", 3), "expect[0].slot"),
        (lambda t: t["expect"][0].pop("kinds"), "expect[0]"),
        (lambda t: t["expect"][0].__setitem__("with", {"lr": -1.0}), "expect[0].with.lr"),
        (lambda t: t["expect"][0].__setitem__("check", "minima_reached"), "expect[0]"),
    ],
)
def test_a_broken_lesson_is_refused_with_its_name_and_field(change, words):
    with pytest.raises(CatalogueError) as error:
        parse_catalogue(_broken(change))
    message = str(error.value)
    assert "lesson 'lr-too-large'" in message and words in message


@pytest.mark.parametrize(("key", "value"), [("net_loss", "mae"), ("optimizer", "newton")])
def test_a_network_lesson_that_cannot_train_is_refused(key, value):
    data = copy.deepcopy(RAW)
    table = next(t for t in data["lessons"] if t["id"] == "xor-hidden-layer")
    table["settings"][key] = value
    with pytest.raises(CatalogueError, match=rf"xor-hidden-layer.*settings\.{key}"):
        parse_catalogue(data)


def test_duplicate_ids_and_an_empty_catalogue_are_refused():
    data = copy.deepcopy(RAW)
    data["lessons"].append(copy.deepcopy(data["lessons"][0]))
    with pytest.raises(CatalogueError, match="used twice"):
        parse_catalogue(data)
    with pytest.raises(CatalogueError, match="no \\[\\[lessons\\]\\]"):
        parse_catalogue({})


def test_an_unreadable_file_is_refused(tmp_path):
    path = tmp_path / "lessons.toml"
    path.write_text("[[lessons]\nid = ", encoding="utf-8")
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(path)


def test_settings_of_other_optimizers_and_schedules_are_accepted_as_on_the_page():
    scenario = lesson_settings.read_scenario(
        "explorer",
        {"surface": "bowl", "optimizer": "sgd", "lr": 0.1, "steps": 10,
         "adam_beta1": 0.8, "cosine_T_max": 50, "view3d": True},
    )  # fmt: skip
    assert scenario.optimizers[0].name == "sgd" and scenario.schedule is None
