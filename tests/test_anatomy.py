"""The anatomy of a step: every optimizer's rule, filled with the step's numbers, gives the
update the run recorded; the per-step table and its CSV hold the run's numbers."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import core
from app.anatomy import (
    ANATOMY,
    TABLE_COLUMNS,
    anatomy_lines,
    latex_number,
    step_numbers,
    step_table,
)
from app.exports import trajectory_csv

CASES = [
    ("sgd", {}),
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("sgd", {"momentum": 0.5, "dampening": 0.3}),
    ("adam", {}),
    ("adam", {"amsgrad": True, "weight_decay": 0.1}),
    ("adamw", {}),
    ("rmsprop", {}),
    ("rmsprop", {"centered": True, "momentum": 0.5}),
    ("adagrad", {"lr_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("adadelta", {"weight_decay": 0.01}),
    ("nadam", {}),
    ("newton", {}),
]


def test_every_registered_optimizer_has_an_anatomy():
    assert set(ANATOMY) == set(core.optimizer_names())
    assert {name for name, _ in CASES} == set(core.optimizer_names())


@pytest.mark.parametrize(("name", "hyperparameters"), CASES)
def test_the_rule_with_the_steps_numbers_gives_the_recorded_update(name, hyperparameters):
    surface = core.surface("rosenbrock")
    optimizer = core.optimizer(name, lr=1e-3, **hyperparameters)
    run = core.descend(surface, optimizer, (-1.5, 2.0), 30, noise=0.1, seed=3)
    for k in (0, 1, 7, len(run.updates) - 1):
        lines, update = anatomy_lines(run, k)
        np.testing.assert_allclose(update, run.updates[k], rtol=1e-9, atol=1e-15)
        np.testing.assert_array_equal(lines[0].value, run.points[k])
        np.testing.assert_array_equal(lines[-1].value, run.points[k + 1])
        assert all(line.latex() for line in lines)


def test_newton_shows_the_damped_hessian_where_it_is_not_positive_definite():
    surface = core.surface("himmelblau")
    run = core.descend(surface, core.optimizer("newton", lr=1.0), (-0.3, -0.9), 3)
    lines, update = anatomy_lines(run, 0)
    assert r"\tilde H_k" in [line.symbol for line in lines]
    np.testing.assert_allclose(update, run.updates[0], rtol=1e-9)


def test_step_outside_the_run_is_refused():
    run = core.descend(core.surface("bowl"), core.optimizer("sgd", lr=0.1), (1.0, 1.0), 5)
    with pytest.raises(ValueError, match="step 5"):
        step_numbers(run, 5)


def test_latex_numbers():
    assert latex_number(0.125) == "0.125"
    assert latex_number(1.2e-5) == r"1.2\times 10^{-5}"
    assert "overflowed" in latex_number(float("inf")) and "inf" not in latex_number(float("inf"))
    assert latex_number(float("nan")) == r"\text{(not defined)}"


def test_table_and_csv_hold_every_step():
    surface = core.surface("booth")
    run = core.descend(surface, core.optimizer("adam", lr=0.5), surface.default_start, 40)
    table = step_table(run)
    assert tuple(table.columns) == TABLE_COLUMNS and len(table) == len(run.points)
    np.testing.assert_array_equal(table[["x", "y"]].to_numpy(), run.points)
    np.testing.assert_array_equal(table["f"].to_numpy(), run.values)
    assert np.isnan(table["update_x"].iloc[-1])
    parsed = pd.read_csv(io.StringIO(trajectory_csv(run)))
    np.testing.assert_array_equal(parsed["update_y"].to_numpy()[:-1], run.updates[:, 1])
    np.testing.assert_array_equal(parsed["lr"].to_numpy()[:-1], run.learning_rates)
