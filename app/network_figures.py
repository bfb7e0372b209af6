"""The Network Lab's figures: pure functions from a trainer's numbers to Plotly figures.

- `boundary_figure`: what the network predicts over the input plane (class-1 probability, the
  winning class, or the predicted value) as a heatmap, with training points filled and test
  points hollow; for 1-D regression the fitted curve over the points instead.
- `curves_figure`: training and test loss (log scale) and accuracy or R² per epoch.
- `landscape_figure` / `interpolation_figure`: a 2-D loss slice with the projected training path;
  the loss along the straight line from the initial to the final weights.
- `comparison_figure`: several optimizers' curves overlaid, one colour each.

Grids are float32 and at most BOUNDARY_RESOLUTION² cells; curves are decimated to MAX_CURVE_POINTS.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.theme import OKABE_ITO, path_colour
from core.nn.datasets import Dataset
from core.nn.landscape import LandscapeSlice
from core.nn.losses import MULTICLASS, REGRESSION
from core.nn.mlp import MLP
from core.nn.training import History, Trainer

BOUNDARY_RESOLUTION = 70
MAX_CURVE_POINTS = 400
MAX_DRAWN_POINTS = 1000
HEIGHT = 460
BINARY_SCALE = [[0.0, OKABE_ITO[0]], [0.5, "#F7F7F7"], [1.0, OKABE_ITO[1]]]


def float32(values) -> np.ndarray:
    """float32 for the browser; values beyond float32's range or non-finite become gaps (nan)."""
    with np.errstate(all="ignore"):
        result = np.asarray(values, np.float64).astype(np.float32)
    result[~np.isfinite(result)] = np.nan
    return result


def metric_name(task: str) -> str:
    return "R²" if task == REGRESSION else "accuracy"


def _layout(figure: go.Figure, title: str, height: int = HEIGHT) -> go.Figure:
    figure.update_layout(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        legend=dict(orientation="h", y=-0.15),
        template="plotly_white",
    )
    return figure


# ----- the decision boundary ------------------------------------------------------------------
def input_grid(dataset: Dataset, resolution: int = BOUNDARY_RESOLUTION):
    """Axes (r,), (r,) over the points' box with a margin, and the points (r², 2) in row order."""
    points = np.concatenate([dataset.points_train, dataset.points_test])
    low, high = points.min(axis=0), points.max(axis=0)
    margin = 0.08 * (high - low)
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([grid_x.ravel(), grid_y.ravel()])


def prediction_surface(network: MLP, dataset: Dataset, loss_name: str, points: np.ndarray):
    """What the heatmap shows at each point (n,): P(class 1), the winning class or the value."""
    with np.errstate(all="ignore"):
        outputs = network.predict(dataset.features(points), loss_name)
    if dataset.task == MULTICLASS:
        return np.argmax(outputs, axis=1).astype(np.float32)
    if outputs.shape[1] > 1:  # two classes through softmax
        return float32(outputs[:, 1])
    return float32(outputs[:, 0])


def boundary_figure(network: MLP, dataset: Dataset, loss_name: str, title: str) -> go.Figure:
    """The prediction heatmap (or 1-D fit) with the training and test points."""
    if dataset.spec.inputs == 1:
        return _fit_figure(network, dataset, loss_name, title)
    xs, ys, points = input_grid(dataset)
    values = prediction_surface(network, dataset, loss_name, points).reshape(ys.size, xs.size)
    figure = go.Figure(_heatmap(xs, ys, values, dataset))
    for split, (inputs, targets) in _splits(dataset).items():
        figure.add_trace(_points_trace(inputs, targets, dataset, split))
    figure.update_xaxes(range=[xs[0], xs[-1]], title="x")
    figure.update_yaxes(range=[ys[0], ys[-1]], title="y", scaleanchor="x", scaleratio=1)
    return _layout(figure, title)


def _splits(dataset: Dataset) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {
        "train": (dataset.points_train, dataset.targets_train),
        "test": (dataset.points_test, dataset.targets_test),
    }


def _heatmap(xs, ys, values: np.ndarray, dataset: Dataset) -> go.Heatmap:
    common = dict(x=float32(xs), y=float32(ys), z=values, hoverinfo="skip")
    if dataset.task == REGRESSION:
        return go.Heatmap(**common, colorscale="Viridis", colorbar=dict(title="prediction"))
    if dataset.task == MULTICLASS:
        scale = [
            [index / (dataset.classes - 1), path_colour(index)] for index in range(dataset.classes)
        ]
        return go.Heatmap(
            **common,
            colorscale=scale,
            opacity=0.35,
            showscale=False,
            zmin=0,
            zmax=dataset.classes - 1,
        )
    return go.Heatmap(
        **common,
        colorscale=BINARY_SCALE,
        zmin=0.0,
        zmax=1.0,
        opacity=0.75,
        colorbar=dict(title="P(class 1)"),
    )


def _points_trace(points, targets, dataset: Dataset, split: str) -> go.Scatter:
    points, targets = points[:MAX_DRAWN_POINTS], targets[:MAX_DRAWN_POINTS]
    hollow = split == "test"
    if dataset.task == REGRESSION:
        colour = float32(targets)
        marker = dict(color=colour, colorscale="Viridis", line=dict(color="black", width=1))
    else:
        colour = [path_colour(int(label)) for label in targets]
        marker = dict(color=colour, line=dict(color="black" if not hollow else colour, width=1.5))
    marker.update(size=7, symbol="circle-open" if hollow else "circle")
    return go.Scatter(
        x=float32(points[:, 0]),
        y=float32(points[:, 1]),
        mode="markers",
        marker=marker,
        name=f"{split} points",
        hovertemplate="(%{x:.2f}, %{y:.2f})<extra>" + split + "</extra>",
    )


def _fit_figure(network: MLP, dataset: Dataset, loss_name: str, title: str) -> go.Figure:
    """1-D regression: the points and the network's curve over their range."""
    points = np.concatenate([dataset.points_train, dataset.points_test])[:, 0]
    xs = np.linspace(points.min(), points.max(), 300)[:, None]
    with np.errstate(all="ignore"):
        fitted = network.predict(dataset.features(xs), loss_name)[:, 0]
    figure = go.Figure()
    for split, (inputs, targets) in _splits(dataset).items():
        figure.add_trace(
            go.Scatter(
                x=float32(inputs[:MAX_DRAWN_POINTS, 0]),
                y=float32(targets[:MAX_DRAWN_POINTS]),
                mode="markers",
                name=f"{split} points",
                marker=dict(
                    color=path_colour(0 if split == "train" else 1),
                    size=6,
                    symbol="circle" if split == "train" else "circle-open",
                ),
            )
        )
    figure.add_trace(
        go.Scatter(
            x=float32(xs[:, 0]),
            y=float32(fitted),
            mode="lines",
            name="network",
            line=dict(color="black", width=3),
        )
    )
    figure.update_xaxes(title="x")
    figure.update_yaxes(title="target")
    return _layout(figure, title)


# ----- curves ---------------------------------------------------------------------------------
def decimated(values: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, values) with at most MAX_CURVE_POINTS points, the last always kept."""
    count = len(values)
    keep = np.unique(np.linspace(0, count - 1, min(count, MAX_CURVE_POINTS)).astype(int))
    return float32(keep), float32(np.asarray(values, np.float64)[keep])


def _curve_pair(
    figure: go.Figure, history: History, colours: tuple[str, str], label: str, metric: str
) -> None:
    """Train (solid, colours[0]) and test (dotted, colours[1]) loss in column 1, metric in 2."""
    series = (
        (history.train_loss, history.train_metric, "train", "solid", colours[0]),
        (history.test_loss, history.test_metric, "test", "dot", colours[1]),
    )
    for losses, metrics, split, dash, colour in series:
        name = f"{label} {split}".strip()
        for column, values in ((1, losses), (2, metrics)):
            epochs, drawn = decimated(values)
            quantity = "loss" if column == 1 else metric
            figure.add_trace(
                go.Scatter(
                    x=epochs,
                    y=drawn,
                    mode="lines" if len(values) > 30 else "lines+markers",
                    name=name,
                    legendgroup=name,
                    showlegend=column == 1,
                    line=dict(color=colour, dash=dash, width=2.5),
                    hovertemplate=f"epoch %{{x:.0f}}: %{{y:.4g}}<extra>{name} {quantity}</extra>",
                ),
                row=1,
                col=column,
            )


def _curves_layout(figure: go.Figure, metric: str, title: str) -> go.Figure:
    figure.update_yaxes(type="log", title="loss", row=1, col=1)
    figure.update_yaxes(title=metric, row=1, col=2)
    figure.update_xaxes(title="epoch")
    _layout(figure, title, height=380)
    figure.update_layout(legend=dict(y=-0.32))  # below the axis titles
    return figure


def curves_figure(history: History, task: str) -> go.Figure:
    """Loss and metric, training and test, per epoch."""
    metric = metric_name(task)
    figure = make_subplots(rows=1, cols=2, subplot_titles=("loss", metric))
    _curve_pair(figure, history, (path_colour(0), path_colour(1)), "", metric)
    return _curves_layout(figure, metric, "Training (solid) and test (dotted)")


def comparison_figure(trainers: list[Trainer], task: str) -> go.Figure:
    """Each optimizer's curves in its own colour, train solid and test dotted."""
    metric = metric_name(task)
    figure = make_subplots(rows=1, cols=2, subplot_titles=("loss", metric))
    for index, trainer in enumerate(trainers):
        colour = path_colour(index)
        _curve_pair(figure, trainer.history, (colour, colour), trainer.optimizer.label(), metric)
    return _curves_layout(figure, metric, "Same network, data and initial weights")


# ----- landscapes -----------------------------------------------------------------------------
def landscape_figure(result: LandscapeSlice, title: str) -> go.Figure:
    """log10 of the loss over the slice, with the training path, its start and its end."""
    with np.errstate(all="ignore"):
        colours = float32(np.log10(np.maximum(result.losses, 1e-12)))
    figure = go.Figure(
        go.Contour(
            x=float32(result.alphas),
            y=float32(result.betas),
            z=colours,
            colorscale="Viridis",
            ncontours=30,
            colorbar=dict(title="log₁₀ loss"),
            hovertemplate="α %{x:.3g}, β %{y:.3g}: log₁₀ loss %{z:.3g}<extra></extra>",
        )
    )
    figure.add_traces(_path_traces(float32(result.path)))
    figure.update_xaxes(title="α (direction 1)")
    figure.update_yaxes(title="β (direction 2)")
    return _layout(figure, title)


def _path_traces(path: np.ndarray) -> list[go.Scatter]:
    """The projected path (S, 2) as a white line, a circle at its start and a star at its end."""
    traces = [
        go.Scatter(
            x=path[:, 0],
            y=path[:, 1],
            mode="lines+markers",
            name="path",
            line=dict(color="white", width=2),
            marker=dict(size=4),
        )
    ]
    for point, name, symbol in ((path[:1], "start", "circle"), (path[-1:], "end", "star")):
        marker = dict(symbol=symbol, size=16, color="#FFD700", line=dict(color="black", width=1))
        traces.append(
            go.Scatter(x=point[:, 0], y=point[:, 1], mode="markers", name=name, marker=marker)
        )
    return traces


def interpolation_figure(steps: np.ndarray, values: np.ndarray) -> go.Figure:
    """Loss along θ(t) = (1 − t)θ₀ + tθ*, t = 0 the initial and t = 1 the trained weights."""
    figure = go.Figure(
        go.Scatter(
            x=float32(steps),
            y=float32(values),
            mode="lines",
            line=dict(color=path_colour(0), width=3),
            name="loss",
        )
    )
    for t, label in ((0.0, "initial"), (1.0, "trained")):
        figure.add_vline(x=t, line=dict(color="grey", dash="dot"), annotation_text=label)
    figure.update_xaxes(title="t")
    figure.update_yaxes(title="loss", type="log")
    return _layout(figure, "From the initial to the trained weights", height=320)


# ----- the network as a diagram ---------------------------------------------------------------
MAX_EDGES = 800
WIDTH_BUCKETS = (1.0, 2.5, 5.0)
"""Line widths for weights in the lower, middle and upper third of |w| (relative to the largest)."""


def node_positions(sizes: tuple[int, ...]) -> list[np.ndarray]:
    """(units, 2) positions per layer: layer l at x = l, its units spread over y ∈ [−1, 1]."""
    return [
        np.column_stack([np.full(units, float(layer)), np.linspace(1, -1, units) if units > 1
                         else np.zeros(1)])
        for layer, units in enumerate(sizes)
    ]  # fmt: skip


def strongest_edges(network: MLP) -> list[tuple[int, int, int, float]]:
    """(layer, input, unit, weight) of the MAX_EDGES weights largest in size."""
    edges = [(layer, i, j, float(weight[i, j]))
             for layer, weight in enumerate(network.weights)
             for i in range(weight.shape[0]) for j in range(weight.shape[1])]  # fmt: skip
    edges.sort(key=lambda edge: -abs(edge[3]) if np.isfinite(edge[3]) else 0.0)
    return edges[:MAX_EDGES]


def _edge_traces(network: MLP, positions: list[np.ndarray]) -> list[go.Scatter]:
    """Edges grouped by sign and width bucket: six traces whatever the network's size."""
    edges = strongest_edges(network)
    largest = max((abs(edge[3]) for edge in edges if np.isfinite(edge[3])), default=1.0) or 1.0
    groups: dict[tuple[bool, int], list[float]] = {}
    for layer, i, j, weight in edges:
        share = abs(weight) / largest if np.isfinite(weight) else 1.0
        bucket = min(int(share * len(WIDTH_BUCKETS)), len(WIDTH_BUCKETS) - 1)
        start, end = positions[layer][i], positions[layer + 1][j]
        groups.setdefault((weight >= 0, bucket), []).extend([*start, *end, np.nan, np.nan])
    traces = []
    for (positive, bucket), flat in sorted(groups.items()):
        xy = float32(np.asarray(flat).reshape(-1, 2))
        traces.append(go.Scatter(
            x=xy[:, 0], y=xy[:, 1], mode="lines", hoverinfo="skip", showlegend=False,
            line=dict(color=OKABE_ITO[1] if positive else OKABE_ITO[0],
                      width=WIDTH_BUCKETS[bucket]), opacity=0.6))  # fmt: skip
    return traces


def network_diagram(network: MLP, input_names: tuple[str, ...], output_name: str) -> go.Figure:
    """Units as circles, weights as lines: orange positive, blue negative, wider when larger."""
    positions = node_positions(network.sizes)
    figure = go.Figure(_edge_traces(network, positions))
    nodes = float32(np.concatenate(positions))
    hidden = sum(network.sizes[1:-1])
    outputs = network.sizes[-1]
    labels = [*input_names, *[""] * hidden, *[output_name] * outputs]
    sides = ["middle left"] * (len(input_names) + hidden) + ["middle right"] * outputs
    figure.add_trace(go.Scatter(
        x=nodes[:, 0], y=nodes[:, 1], mode="markers+text", text=labels, textposition=sides,
        marker=dict(size=12, color="white", line=dict(color="black", width=1.5)),
        hoverinfo="skip", showlegend=False))  # fmt: skip
    figure.update_xaxes(visible=False, range=[-0.6, len(network.sizes) - 0.2])
    figure.update_yaxes(visible=False, range=[-1.15, 1.15])
    shown = min(MAX_EDGES, sum(weight.size for weight in network.weights))
    return _layout(figure, f"The network: its {shown} largest weights", height=420)
