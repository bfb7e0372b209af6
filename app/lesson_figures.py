"""What a lesson shows, as pure functions from core results to Plotly figures (no Streamlit here).

Before the answer a lesson shows its setting with the outcome hidden (`preview_figures`: the
surface and the start without any path, or the data with the untrained network); after the answer
it shows the run itself (`reveal_figures`), drawn by the pages' own figure builders, so a lesson
looks exactly like its page. Each registry maps a lesson's page to its builder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import plotly.graph_objects as go

from app.figures import (
    CONTOUR_RESOLUTION,
    contour_figure,
    descent_figure,
    path_views,
    surface_grid,
)
from app.network_figures import boundary_figure, curves_figure
from app.sweep_figures import basin_figure, sweep_figure, sweep_paths_figure
from core.lesson_settings import DescentScenario, NetworkScenario, SweepScenario
from core.nn.datasets import make_dataset
from core.nn.training import Trainer

SIDE_BY_SIDE = {"explorer": False, "sweeps": False, "network": True}
"""Whether a page's reveal figures fit side by side (the Explorer's figure, with its curves
beside the map, and a sweep's row of maps need the width)."""


def _hidden_contour(descent: DescentScenario) -> go.Figure:
    surface = descent.surface
    return contour_figure(surface, surface_grid(surface, CONTOUR_RESOLUTION), [], descent.start)


def _hidden_descent(descent: DescentScenario) -> go.Figure:
    """The Explorer's figure without its paths and curves: the map keeps its place."""
    surface = descent.surface
    grid = surface_grid(surface, CONTOUR_RESOLUTION)
    return descent_figure(surface, grid, [], descent.start, descent.schedule is not None)


def _untrained_network(scenario: NetworkScenario) -> go.Figure:
    trainer = Trainer(make_dataset(**scenario.data), scenario.config)
    title = "The data, and the network before training"
    return boundary_figure(trainer.network, trainer.dataset, scenario.config.loss, title)


PREVIEWS: dict[str, Callable[[Any], go.Figure]] = {
    "explorer": _hidden_descent,
    "sweeps": lambda scenario: _hidden_contour(scenario.descent),
    "network": _untrained_network,
}


def preview_figures(page: str, scenario: Any) -> list[go.Figure]:
    """The setting of a lesson before its question is answered: nothing of the outcome."""
    return [PREVIEWS[page](scenario)]


def _explorer_reveal(scenario: DescentScenario, runs: Sequence[Any]) -> list[go.Figure]:
    surface = scenario.surface
    paths = path_views(list(runs), list(range(len(runs))))
    grid = surface_grid(surface, CONTOUR_RESOLUTION)
    return [descent_figure(surface, grid, paths, scenario.start, scenario.schedule is not None)]


def _sweeps_reveal(scenario: SweepScenario, results: Sequence[Any]) -> list[go.Figure]:
    surface = scenario.descent.surface
    if scenario.study == "basins":
        return [basin_figure(surface, results[0])]
    return [
        sweep_figure(list(results), surface.minimum_value),
        sweep_paths_figure(surface, results[0]),
    ]


def _network_reveal(scenario: NetworkScenario, results: Sequence[Any]) -> list[go.Figure]:
    trainer = results[0]
    title = f"After {trainer.epoch} epochs"
    return [
        boundary_figure(trainer.network, trainer.dataset, scenario.config.loss, title),
        curves_figure(trainer.history, trainer.dataset.task),
    ]


REVEALS: dict[str, Callable[[Any, Sequence[Any]], list[go.Figure]]] = {
    "explorer": _explorer_reveal,
    "sweeps": _sweeps_reveal,
    "network": _network_reveal,
}


def reveal_figures(page: str, scenario: Any, results: Sequence[Any]) -> list[go.Figure]:
    """The lesson's run as its page draws it (results from core.lessons.run_lesson)."""
    return REVEALS[page](scenario, results)
