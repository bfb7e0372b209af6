"""The URL-state table: untrusted query strings become valid values and notices, never errors."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markup_check import markup_problems, shown_text

from app.url_state import (
    UrlParameter,
    clean_values,
    link_corrections,
    nearest_on_grid,
    page_link,
)
from app.widgets import format_number

GRID = (0.001, 0.01, 0.1, 1.0)
TABLE = (
    UrlParameter("surface", "bowl", choices=("bowl", "rosenbrock"), label="Surface"),
    UrlParameter("steps", 200, minimum=1, maximum=5000, integer=True, label="Steps"),
    UrlParameter("x0", 0.5, minimum=-2.0, maximum=2.0, label="Start x"),
    UrlParameter("lr", 0.01, minimum=0.001, maximum=1.0, grid=GRID, label="Learning rate"),
    UrlParameter("nesterov", False, label="Nesterov"),
)


def test_silent_url_gives_defaults_and_no_notice():
    values, notices = clean_values(TABLE, {})
    assert values == {"surface": "bowl", "steps": 200, "x0": 0.5, "lr": 0.01, "nesterov": False}
    assert notices == []


def test_good_values_pass_without_notice():
    raw = {"surface": "rosenbrock", "steps": "300", "x0": "-1.25", "lr": "0.1", "nesterov": "true"}
    values, notices = clean_values(TABLE, raw)
    assert values == {
        "surface": "rosenbrock",
        "steps": 300,
        "x0": -1.25,
        "lr": 0.1,
        "nesterov": True,
    }
    assert notices == []


@pytest.mark.parametrize(
    ("key", "raw", "expected", "word"),
    [
        ("surface", "nope", "bowl", "Surface"),
        ("lr", "banana", 0.01, "Learning rate"),
        ("steps", "1e9", 5000, "Steps"),
        ("steps", "-3", 1, "Steps"),
        ("steps", "2.5", 3, "Steps"),  # halves round up
        ("x0", "7", 2.0, "Start x"),
        ("x0", "nan", 0.5, "Start x"),
        ("x0", "inf", 0.5, "Start x"),
        ("lr", "0.02", 0.01, "Learning rate"),
        ("nesterov", "maybe", False, "Nesterov"),
        ("x0", "1" * 100, 0.5, "Start x"),
    ],
)
def test_bad_value_is_replaced_with_a_notice_naming_the_control(key, raw, expected, word):
    values, notices = clean_values(TABLE, {key: raw})
    assert values[key] == expected
    assert len(notices) == 1 and notices[0].startswith(word)


def test_repeated_parameter_uses_the_last_value():
    values, notices = clean_values(TABLE, {"steps": ["10", "20"]})
    assert values["steps"] == 20 and notices == []


def test_choice_matches_case_insensitively():
    values, _ = clean_values(TABLE, {"surface": "RosenBrock"})
    assert values["surface"] == "rosenbrock"


@pytest.mark.parametrize("key", [p.key for p in TABLE])
def test_a_notice_quotes_user_text_literally(key):
    raw = "EVIL1Z[x](javascript:alert(1))`\r\r# y"
    _, notices = clean_values(TABLE, {key: raw})
    assert not markup_problems(notices[0], {"EVIL1Z": raw})
    assert "“EVIL1Z[x](javascript:alert(1))`\ufffd\ufffd# y”" in shown_text(notices[0])


def test_nearest_on_grid_uses_log_distance():
    # The geometric midpoint of 0.001 and 0.01 is 0.00316 (the arithmetic one is 0.0055).
    assert nearest_on_grid(GRID, 0.003) == 0.001
    assert nearest_on_grid(GRID, 0.0035) == 0.01
    assert nearest_on_grid(GRID, 0.005) == 0.01
    assert nearest_on_grid(GRID, 1e-9) == 0.001
    assert nearest_on_grid(GRID, 50.0) == 1.0


def test_page_link_keeps_only_non_default_values_and_round_trips():
    link = page_link("/", TABLE, {"surface": "rosenbrock", "steps": 200, "x0": -1.5, "lr": 0.1})
    assert link.startswith("/?")
    query = {key: values for key, values in parse_qs(urlsplit(link).query).items()}
    assert "steps" not in query
    values, notices = clean_values(TABLE, query)
    assert (values["surface"], values["x0"], values["lr"]) == ("rosenbrock", -1.5, 0.1)
    assert notices == []


def test_page_link_with_only_defaults_is_the_bare_path():
    assert page_link("/explorer", TABLE, {"steps": 200}) == "/explorer"


def test_page_link_cleans_values_and_rejects_unknown_keys():
    assert page_link("/", TABLE, {"steps": 10**9}) == "/?steps=5000"
    with pytest.raises(KeyError):
        page_link("/", TABLE, {"nope": 1})


@given(st.dictionaries(st.sampled_from([p.key for p in TABLE]), st.text(max_size=80)))
def test_any_text_gives_valid_values(raw):
    values, _ = clean_values(TABLE, raw)
    assert values["surface"] in ("bowl", "rosenbrock")
    assert 1 <= values["steps"] <= 5000 and isinstance(values["steps"], int)
    assert -2.0 <= values["x0"] <= 2.0
    assert values["lr"] in GRID or values["lr"] == 0.01
    assert isinstance(values["nesterov"], bool)


# ----- the value a notice names is the value used, in the form the link then carries ---------
USED = re.compile(r"using (?:the default )?(\S+?)\.$")
"""The value a notice says it uses: the last word, before the closing full stop."""

BAD_NUMBERS = [
    *("3.5", "2.5", "0.4", "4999.5", "-3", "1e9", "1e300", "-inf", "nan", "0.0123", "7", "-7"),
    *("0.30000000000000004", "1" * 70, " 2 ", "+1.50", "3e0", "1.0000000001"),
]


@pytest.mark.parametrize("raw", BAD_NUMBERS)
@pytest.mark.parametrize("parameter", [p for p in TABLE if p.key in ("steps", "x0", "lr")])
def test_a_notice_names_the_value_used_as_the_link_then_carries_it(parameter, raw):
    clean, notice = parameter.parse(raw)
    corrected = link_corrections((parameter,), {parameter.key: raw}, {parameter.key: clean})
    if notice is None:
        assert clean == float(raw)  # used exactly as the link wrote it
    else:
        (named,) = USED.findall(notice)
        assert named == parameter.serialize(clean)
        assert parameter.parse(named) == (clean, None)  # the named text reads back as itself
    if parameter.key in corrected:
        text = corrected[parameter.key]
        assert (text is None and clean == parameter.default) or text == parameter.serialize(clean)
    else:
        assert raw == parameter.serialize(clean)  # only a link already in its own form is kept


def test_whole_numbers_round_halves_up_and_say_so():
    steps = TABLE[1]
    value, notice = steps.parse("3.5")
    assert value == 4 and shown_text(notice) == "Steps: “3.5” is not a whole number; using 4."
    assert steps.parse("2.5")[0] == 3 and steps.parse("2.4")[0] == 2
    assert steps.parse("3.0") == (3, None)


@given(st.floats(-2.0, 2.0, allow_nan=False))
def test_a_float_in_range_is_used_exactly_and_written_in_full(value):
    x0 = TABLE[2]
    assert x0.parse(x0.serialize(value)) == (value, None)
    assert x0.parse(repr(value)) == (value, None)


def test_a_grid_value_is_written_as_its_select_slider_labels_it():
    lr = TABLE[3]
    for value in GRID:
        assert lr.serialize(value) == format_number(value) == f"{value:g}"
    assert lr.parse("0.0100000000001")[1] is not None  # near a grid value is not on it


def test_link_corrections_rewrite_only_what_differs_from_its_clean_form():
    raw = {"steps": "3.5", "x0": "0.25", "lr": "0.10", "surface": ["bowl", "nope"], "nesterov": "1"}
    values, _ = clean_values(TABLE, raw)
    assert link_corrections(TABLE, raw, values) == {
        "steps": "4",
        "lr": "0.1",
        "surface": None,  # the repeated parameter's last value is the default: dropped
        "nesterov": "true",
    }
