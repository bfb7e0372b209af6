"""The learning-rate lab's figures: what they draw matches the results they are given."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import core
from app import sweep_figures as figures
from core import sweeps


@pytest.fixture(scope="module")
def bowl():
    return core.surface("bowl", kappa=10)


@pytest.fixture(scope="module")
def bowl_sweeps(bowl):
    rates = sweeps.learning_rate_grid(1e-3, 1.0, 40)
    return [
        sweeps.learning_rate_sweep(bowl, core.optimizer(name), bowl.default_start, 200, rates)
        for name in ("sgd", "adam")
    ]


@pytest.fixture(scope="module")
def himmelblau_basins():
    surface = core.surface("himmelblau")
    return surface, sweeps.basin_map(surface, core.optimizer("sgd", lr=0.01), 200, 200)


def _traces(figure: go.Figure, name_part: str) -> list:
    return [trace for trace in figure.data if trace.name and name_part in trace.name]


def test_sweep_figure_draws_one_curve_per_optimizer_with_divergence_and_the_critical_rate(
    bowl, bowl_sweeps
):
    figure = figures.sweep_figure(bowl_sweeps, bowl.minimum_value)
    sgd = bowl_sweeps[0]
    curve = _traces(figure, "sgd")[0]
    assert curve.x.dtype == np.float32
    np.testing.assert_allclose(curve.x, sgd.learning_rates, rtol=1e-6)
    stable = ~sgd.diverged
    np.testing.assert_allclose(
        curve.y[stable], np.maximum(sgd.final_values[stable], 1e-16), rtol=1e-5
    )
    assert np.isnan(curve.y[sgd.diverged]).all()
    crosses = _traces(figure, "sgd diverged")[0]
    np.testing.assert_allclose(crosses.x, sgd.learning_rates[sgd.diverged], rtol=1e-6)
    assert len(set(crosses.y)) == 1 and crosses.y[0] > np.nanmax(curve.y)
    critical = _traces(figure, "2/λmax at the start")[0]
    np.testing.assert_allclose(critical.x, [0.2, 0.2], rtol=1e-6)
    assert not _traces(figure, "at the minimum"), "the same edge is drawn once on a quadratic"
    assert figure.layout.xaxis.type == "log" and figure.layout.yaxis.type == "log"
    assert len(_traces(figure, "adam")) >= 1


def test_sweep_paths_figure_shows_the_telling_rates(bowl, bowl_sweeps):
    sweep = bowl_sweeps[0]
    figure = figures.sweep_paths_figure(bowl, sweep)
    picks = sweep.representative_indices()
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert [title.split(":")[0] for title in titles] == [caption for caption, _ in picks]
    lines = [t for t in figure.data if isinstance(t, go.Scatter) and t.mode == "lines+markers"]
    assert len(lines) == len(picks)
    for line, (_, index) in zip(lines, picks, strict=True):
        np.testing.assert_allclose(line.x, sweep.paths[:, index, 0])


def test_basin_figure_paints_each_start_in_its_minimum_colour(himmelblau_basins):
    surface, basins = himmelblau_basins
    figure = figures.basin_figure(surface, basins, start=(0.5, -0.5))
    image = figure.data[0]
    assert image.z.dtype == np.int8 and image.z.shape == (200, 200)
    labels = sorted({int(label) for label in np.unique(basins.labels)})
    assert len(labels) >= 4
    for slot, label in enumerate(labels):
        assert (image.z[basins.labels == label] == slot).all()
        # slot k is painted from k/n to (k+1)/n of the scale, zmin -0.5 and zmax n - 0.5
        low, high = image.colorscale[2 * slot], image.colorscale[2 * slot + 1]
        assert low[1] == high[1] == figures.outcome_colour(label)
        assert low[0] == pytest.approx(slot / len(labels))
    assert (image.zmin, image.zmax) == (-0.5, len(labels) - 0.5)
    legend = [t.name for t in figure.data if t.name and " %" in t.name]
    assert len(legend) == len(basins.outcomes())
    assert any("(3, 2)" in name for name in legend)
    assert _traces(figure, "sidebar's start")


def test_basin_figure_stays_small_and_its_click_targets_are_starts(himmelblau_basins):
    surface, basins = himmelblau_basins
    figure = figures.basin_figure(surface, basins)
    assert len(figure.to_json()) < 150_000
    clicks = figures.click_grid_trace(basins)
    assert clicks.x.size <= figures.CLICK_GRID**2
    assert np.isin(clicks.x, basins.xs).all()  # exactly the map's starts (float64)
    assert np.isin(clicks.y, basins.ys).all()
    sent = figure.to_dict()["data"][-1]
    assert sent["name"] == "click a start" and sent["x"]["dtype"] == "f8"


def test_basin_figure_by_steps_shows_the_steps(himmelblau_basins):
    surface, basins = himmelblau_basins
    figure = figures.basin_figure(surface, basins, colour_by="steps")
    np.testing.assert_array_equal(figure.data[0].z, basins.steps)
    assert not [t for t in figure.data if t.name and " %" in t.name]


def test_neutral_outcomes_are_grey_and_minima_are_not():
    for label in (sweeps.DIVERGED, sweeps.NOT_CONVERGED, sweeps.SADDLE):
        red, green, blue = (int(figures.outcome_colour(label)[i : i + 2], 16) for i in (1, 3, 5))
        assert red == green == blue
    assert len({figures.outcome_colour(label) for label in range(4)}) == 4


def test_momentum_figure_draws_the_analytic_edge(bowl):
    rates, momenta = sweeps.learning_rate_grid(1e-3, 1.0, 20), sweeps.momentum_grid(15)
    study = sweeps.momentum_map(bowl, bowl.default_start, 200, rates, momenta)
    for show in ("rate", "loss"):
        figure = figures.momentum_figure(study, show)
        heat = figure.data[0]
        diverged = study.statuses == "diverged"
        assert np.isnan(heat.z[diverged]).all() and np.isfinite(heat.z[~diverged]).all()
        edge = _traces(figure, "2(1+β)")[0]
        np.testing.assert_allclose(edge.x, 2 * (1 + edge.y) / 10.0, rtol=1e-5)
        optimal = _traces(figure, "optimal")[0]
        assert optimal.x[0] == pytest.approx(4 / (np.sqrt(10) + 1) ** 2)


def test_outcome_bars_show_every_share():
    surface = core.surface("himmelblau")
    result = sweeps.random_starts(surface, core.optimizer("adam", lr=0.05), 400, 300, seed=3)
    figure = figures.outcome_bars_figure(result)
    bars = figure.data[0]
    assert sum(bars.x) == pytest.approx(100, rel=1e-5)
    expected = {o.name: 100 * o.share for o in result.outcomes()}
    assert dict(zip(bars.y, bars.x, strict=True)) == pytest.approx(expected, rel=1e-5)
