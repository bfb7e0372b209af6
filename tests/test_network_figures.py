"""The Network Lab's figure builders, without a server: what they draw and how much they send."""

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from app import network_figures as figures
from core.nn.datasets import MAX_POINTS, make_dataset
from core.nn.landscape import interpolation, loss_slice, pca_directions
from core.nn.mlp import MLP
from core.nn.training import History, Trainer, TrainingConfig


def _size_in_kilobytes(figure: go.Figure) -> float:
    return len(pio.to_json(figure)) / 1024


@pytest.mark.parametrize("name", ["circle", "blobs", "plane", "sine"])
def test_the_boundary_shows_the_prediction_and_both_splits(name):
    data = make_dataset(name, count=MAX_POINTS, seed=0)
    loss = {"circle": "bce", "blobs": "cce"}.get(name, "mse")
    trainer = Trainer(data, TrainingConfig(hidden=(64, 64, 64, 64), loss=loss, epochs=1))
    figure = figures.boundary_figure(trainer.network, data, loss, "title")
    names = [trace.name for trace in figure.data]
    assert "train points" in names and "test points" in names
    if data.spec.inputs == 2:
        heatmap = figure.data[0]
        assert heatmap.type == "heatmap" and heatmap.z.dtype == np.float32
        assert heatmap.z.shape == (figures.BOUNDARY_RESOLUTION,) * 2
    else:
        assert "network" in names
    assert _size_in_kilobytes(figure) < 300


def test_binary_heatmap_is_the_probability_of_class_one():
    data = make_dataset("circle", count=100, seed=0)
    network = MLP([2, 1], activation="linear", seed=0)
    network.params = np.array([1.0, 0.0, 0.0])  # logit = standardised x
    _, _, points = figures.input_grid(data, resolution=5)
    values = figures.prediction_surface(network, data, "bce", points)
    expected = 1 / (1 + np.exp(-data.features(points)[:, 0]))
    np.testing.assert_allclose(values, expected, rtol=1e-6)


def test_curves_are_decimated_float32_and_overflow_becomes_a_gap():
    count = 2001
    history = History(list(np.geomspace(1, 1e-3, count)), [1e300] * (count - 1) + [np.inf],
                      [0.5] * count, [0.5] * count)  # fmt: skip
    figure = figures.curves_figure(history, "binary")
    assert len(figure.data) == 4
    for trace in figure.data:
        assert trace.y.dtype == np.float32 and trace.y.size <= figures.MAX_CURVE_POINTS
    test_loss = figure.data[2].y
    assert np.isnan(test_loss).all()  # beyond float32: a gap, never a clipped value
    assert _size_in_kilobytes(figure) < 100


def test_comparison_has_one_colour_per_optimizer():
    data = make_dataset("circle", count=100, seed=0)
    trainers = [Trainer(data, TrainingConfig(hidden=(3,), optimizer=name, epochs=2,
                                             hyperparameters=(("lr", 0.01),)))
                for name in ("sgd", "adam", "rmsprop")]  # fmt: skip
    figure = figures.comparison_figure(trainers, "binary")
    colours = {trace.line.color for trace in figure.data}
    assert len(colours) == 3 and len(figure.data) == 12


def test_landscape_and_interpolation_figures():
    data = make_dataset("xor", count=100, seed=0)
    network = MLP([2, 4, 1], seed=0)
    centre = network.params.copy()
    snapshots = np.array([centre + 0.3, centre + 0.1, centre])
    result = loss_slice(
        network,
        data.features_train,
        data.targets_train,
        "bce",
        centre,
        pca_directions(snapshots, centre),
        snapshots,
        resolution=9,
    )
    figure = figures.landscape_figure(result, "slice")
    assert figure.data[0].type == "contour" and figure.data[0].z.shape == (9, 9)
    assert [trace.name for trace in figure.data[1:]] == ["path", "start", "end"]
    steps, values = interpolation(
        network, data.features_train, data.targets_train, "bce", snapshots[0], centre, count=21
    )
    line = figures.interpolation_figure(steps, values)
    assert line.data[0].x.size == 21


def test_the_diagram_draws_every_unit_and_at_most_the_largest_weights():
    network = MLP([2, 64, 64, 64, 64, 3], activation="relu", seed=0)
    figure = figures.network_diagram(network, ("x", "y"), "class")
    nodes = figure.data[-1]
    assert nodes.x.size == sum(network.sizes)
    assert list(nodes.text[:2]) == ["x", "y"] and list(nodes.text[-3:]) == ["class"] * 3
    edges = sum(np.count_nonzero(np.isnan(trace.x)) for trace in figure.data[:-1])  # one gap each
    assert edges == figures.MAX_EDGES
    assert len(figure.data) <= 7 and _size_in_kilobytes(figure) < 300


def test_the_diagram_keeps_the_sign_of_each_weight_in_its_colour():
    network = MLP([1, 2], activation="linear", seed=0)
    network.params = np.array([0.5, -2.0, 0.0, 0.0])
    figure = figures.network_diagram(network, ("x",), "ŷ")
    colours = {trace.line.color: trace.line.width for trace in figure.data[:-1]}
    assert colours == {figures.OKABE_ITO[1]: figures.WIDTH_BUCKETS[0],
                       figures.OKABE_ITO[0]: figures.WIDTH_BUCKETS[-1]}  # fmt: skip
