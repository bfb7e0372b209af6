"""The controls' scales: the learning-rate grid offers the round values teachers write, linear
sliders show as many decimals as their step, and a snapped link value says why it moved."""

import pytest

from app.url_state import clean_values
from app.widgets import NumberControl, log_grid, slider_format

LEARNING_RATE = NumberControl("lr", "Learning rate", 0.01, 1e-5, 10.0, log_scale=True)


@pytest.mark.parametrize("value", [0.05, 0.25, 0.4, 0.5, 0.8, 0.047, 0.018, 1e-5, 10.0])
def test_the_log_grid_offers_round_and_e24_values(value):
    assert value in log_grid(1e-5, 10.0)


def test_a_round_learning_rate_in_a_link_is_kept_without_a_notice():
    values, notices = clean_values((LEARNING_RATE.url_parameter(),), {"lr": "0.05"})
    assert values["lr"] == 0.05 and notices == []


@pytest.mark.parametrize(
    ("raw", "clean", "words"),
    [
        ("0.049", 0.05, "is not on the scale"),
        ("40", 10.0, "is out of range"),
    ],
)
def test_a_moved_link_value_says_why(raw, clean, words):
    values, notices = clean_values((LEARNING_RATE.url_parameter(),), {"lr": raw})
    assert values["lr"] == clean
    assert len(notices) == 1 and words in notices[0]


@pytest.mark.parametrize(
    ("step", "expected"), [(0.001, "%.3f"), (0.01, "%.2f"), (1.0, "%.0f"), (10.0, "%.0f")]
)
def test_slider_format_shows_the_step_decimals(step, expected):
    assert slider_format(step) == expected


def test_a_slider_default_between_steps_is_kept_exactly():
    # The saddle's start y = 0.001 on a slider of step 0.01 over [-2, 2].
    start_y = NumberControl("y0", "Start y", 0.001, -2.0, 2.0)
    assert start_y.step == 0.01
    assert start_y.clean_default() == 0.001 == start_y.url_parameter().default
    assert not start_y.shows_exactly(0.001) and start_y.shows_exactly(-1.25)
    assert NumberControl("x", "x", 7.0, -2.0, 2.0).clean_default() == 2.0  # kept in range
