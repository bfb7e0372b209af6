"""Exports for a course page or slides: a run's numbers and a training history as CSV text, and a
figure as a standalone interactive HTML page. Pure functions; a page hands their text to
st.download_button.

- `trajectory_csv(run)`: one row per recorded point of a single-path run: step, x, y, f, the exact
  gradient (grad_x, grad_y, grad_norm), the learning rate and the update of that step
  (update_x, update_y), the gradient the optimizer received (used_grad_x, used_grad_y: noise
  included) and its state after the step, one column per coordinate (exp_avg_x, exp_avg_y ...).
  The last row has no step after it, so those columns are empty there.
- `history_csv(history)`: one row per epoch (0 is before training): losses, metrics and the
  learning rate the epoch used (empty at epoch 0).
- `figure_html(figure)`: the figure as a complete HTML page with plotly.js embedded, so it works
  offline; its frames, play button and slider are kept, paused until pressed.

A PNG snapshot is not made here: Plotly renders static images with kaleido, which drives a
headless browser it downloads; the app relies on the camera button of Plotly's mode bar instead,
which saves the figure as the reader sees it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import core
from app.anatomy import step_table
from core.nn.training import History

FLOAT_FORMAT = "%.17g"
"""Every float written in full precision, so the CSV reads back bit for bit."""


def _padded_columns(rows: np.ndarray, count: int, prefix: str) -> dict[str, np.ndarray]:
    """{prefix_x, prefix_y} from rows (K, 2), extended with NaN to `count` rows."""
    padded = np.full((count, 2), np.nan)
    padded[: len(rows)] = rows
    return {f"{prefix}_x": padded[:, 0], f"{prefix}_y": padded[:, 1]}


def trajectory_table(run: core.Run) -> pd.DataFrame:
    """The Explorer's per-step table, with the gradients used and the optimizer's state added."""
    if run.batched or run.updates is None:
        raise ValueError("a trajectory export needs a single path recorded in full")
    table = step_table(run)
    count = len(table)
    extra = _padded_columns(run.gradients_used, count, "used_grad")
    for name in run.optimizer.state_names:
        extra.update(_padded_columns(np.asarray(run.states[name]), count, name))
    return pd.concat([table, pd.DataFrame(extra)], axis=1)


def trajectory_csv(run: core.Run) -> str:
    """Every step of a single-path run as CSV text (columns in the module docstring)."""
    return trajectory_table(run).to_csv(index=False, float_format=FLOAT_FORMAT)


def history_table(history: History) -> pd.DataFrame:
    """One row per recorded epoch: epoch, train_loss, test_loss, train_metric, test_metric,
    learning_rate (the rate the epoch trained with; NaN for epoch 0, before training)."""
    count = len(history.train_loss)
    rates = np.full(count, np.nan)
    rates[1 : 1 + len(history.learning_rate)] = history.learning_rate
    return pd.DataFrame(
        {
            "epoch": np.arange(count),
            "train_loss": history.train_loss,
            "test_loss": history.test_loss,
            "train_metric": history.train_metric,
            "test_metric": history.test_metric,
            "learning_rate": rates,
        }
    )


def history_csv(history: History) -> str:
    """A training history as CSV text (columns in history_table)."""
    return history_table(history).to_csv(index=False, float_format=FLOAT_FORMAT)


def figure_html(figure: go.Figure, title: str = "Descent Lab") -> str:
    """The figure as a standalone HTML page: plotly.js embedded, animation frames kept."""
    page = figure.to_html(
        include_plotlyjs=True,
        full_html=True,
        auto_play=False,
        config={"displaylogo": False, "responsive": True},
    )
    return page.replace("<head>", f"<head><title>{_escaped(title)}</title>", 1)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
