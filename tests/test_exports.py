"""Exports parse back: trajectory and history CSVs (columns, rows, numbers), standalone HTML."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import core
from app.exports import figure_html, history_csv, trajectory_csv
from core.nn import Trainer, TrainingConfig, make_dataset


def _read(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def test_trajectory_csv_holds_every_step_with_the_optimizer_state():
    run = core.descend(core.surface("rosenbrock"), core.optimizer("adam", lr=0.05), (-1.5, 2.0),
                       40, noise=0.5, seed=3)  # fmt: skip
    table = _read(trajectory_csv(run))
    state = ["exp_avg_x", "exp_avg_y", "exp_avg_sq_x", "exp_avg_sq_y"]
    assert list(table.columns[:4]) == ["step", "x", "y", "f"]
    assert {"grad_x", "grad_y", "lr", "update_x", "update_y", "used_grad_x", *state} <= set(
        table.columns
    )
    assert len(table) == len(run.points) == 41
    np.testing.assert_array_equal(table[["x", "y"]].to_numpy(), run.points)
    np.testing.assert_array_equal(table["f"].to_numpy(), run.values)
    np.testing.assert_array_equal(table[["update_x", "update_y"]].to_numpy()[:-1], run.updates)
    np.testing.assert_array_equal(table[["used_grad_x", "used_grad_y"]].to_numpy()[:-1],
                                  run.gradients_used)  # fmt: skip
    np.testing.assert_array_equal(table[state[:2]].to_numpy()[:-1], run.states["exp_avg"])
    assert table.iloc[-1][["lr", "update_x", "exp_avg_sq_y"]].isna().all()


def test_trajectory_csv_of_a_diverged_run_and_of_plain_sgd():
    run = core.descend(core.surface("bowl"), core.optimizer("sgd", lr=0.3), (-1.8, 1.2), 200)
    assert run.status == "diverged"
    table = _read(trajectory_csv(run))
    assert len(table) == run.stop_step + 1
    assert not any(column.startswith("momentum") for column in table.columns)
    np.testing.assert_array_equal(table["step"].to_numpy(), np.arange(run.stop_step + 1))


def test_trajectory_csv_refuses_a_batch():
    run = core.descend(core.surface("bowl"), core.optimizer("sgd"), np.zeros((3, 2)) + 1, 5)
    with pytest.raises(ValueError, match="single path"):
        trajectory_csv(run)


def test_history_csv_has_one_row_per_epoch():
    data = make_dataset("circle", count=60, seed=1)
    trainer = Trainer(data, TrainingConfig(hidden=(4,), epochs=7, batch_size=16))
    trainer.train(7)
    table = _read(history_csv(trainer.history))
    assert list(table.columns) == [
        "epoch", "train_loss", "test_loss", "train_metric", "test_metric", "learning_rate",
    ]  # fmt: skip
    assert len(table) == 8 and table["epoch"].tolist() == list(range(8))
    np.testing.assert_array_equal(table["test_loss"].to_numpy(), trainer.history.test_loss)
    assert np.isnan(table["learning_rate"][0]) and (table["learning_rate"][1:] == 0.1).all()


def _figure_json(page: str) -> list:
    """The data argument of the Plotly.newPlot call in an exported page."""
    match = re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*\{", page, re.S)
    assert match, "no newPlot call in the page"
    return json.loads(match.group(1))


def test_figure_html_is_standalone_and_keeps_traces_and_frames():
    figure = go.Figure(
        data=[go.Scatter(x=[0, 1, 2], y=[3, 1, 0], name="path one")],
        frames=[go.Frame(data=[go.Scatter(x=[0, 1], y=[3, 1])], name="f1")],
    )
    page = figure_html(figure, title="A <run>")
    assert "<html>" in page[:100] and page.rstrip().endswith("</html>")
    assert "<title>A &lt;run&gt;</title>" in page
    assert not re.search(r"<script[^>]*src=", page) and len(page) > 1_000_000  # plotly.js inside
    traces = _figure_json(page)
    assert [trace["name"] for trace in traces] == ["path one"]
    assert "addFrames" in page and '"name":"f1"' in page.replace(" ", "")
