"""Seeded toy data sets, as in TensorFlow Playground, with a train/test split and input features.

Every generator has one signature: `generate(count, noise, rng) -> (points (count, d), targets
(count,))`, d = 1 or 2 raw inputs; noise in [0, 1] jitters the points (classification) or the
targets (regression) by a share of the data's own scale. `make_dataset(name, ...)` draws the
points, splits them, builds the feature columns (raw inputs plus optional x², y², xy, sin x,
sin y) and, when asked, standardises every column with the training set's mean and deviation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.nn.losses import BINARY, MULTICLASS, REGRESSION

MAX_POINTS = 1000
MIN_POINTS = 20
EXTRA_FEATURES = ("x²", "y²", "xy", "sin x", "sin y")
Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DatasetSpec:
    """A registry entry: the generator, its task, number of raw inputs and classes, and a note."""

    name: str
    title: str
    task: str
    inputs: int
    classes: int
    generate: Generator
    note: str


@dataclass(frozen=True, eq=False)
class Dataset:
    """A drawn, split data set. points_* (n, d) are the raw inputs (for plots); features_* (n, f)
    what the network sees (extra features, standardised if asked); targets_* (n,) class indices
    or real values. feature_mean / feature_scale (f,) turn raw feature columns into the network's.
    """

    spec: DatasetSpec
    points_train: np.ndarray
    points_test: np.ndarray
    features_train: np.ndarray
    features_test: np.ndarray
    targets_train: np.ndarray
    targets_test: np.ndarray
    feature_names: tuple[str, ...]
    extra_features: tuple[str, ...]
    feature_mean: np.ndarray
    feature_scale: np.ndarray

    @property
    def task(self) -> str:
        return self.spec.task

    @property
    def classes(self) -> int:
        return self.spec.classes

    def features(self, points: np.ndarray) -> np.ndarray:
        """The network's inputs for any raw points (n, d): a grid for a decision boundary, say."""
        columns = feature_columns(points, self.extra_features)
        return (columns - self.feature_mean) / self.feature_scale


# ----- generators ---------------------------------------------------------------------------
def _circle(count: int, noise: float, rng: np.random.Generator):
    """Class 1 inside radius 2, class 0 on a ring of radius 3.5 to 5."""
    inner = count // 2
    radius = np.concatenate([rng.uniform(0.0, 2.0, inner), rng.uniform(3.5, 5.0, count - inner)])
    angle = rng.uniform(0.0, 2 * np.pi, count)
    points = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    labels = np.concatenate([np.ones(inner), np.zeros(count - inner)])
    return points + noise * 1.2 * rng.standard_normal(points.shape), labels


def _xor(count: int, noise: float, rng: np.random.Generator):
    """Class 1 where x·y > 0 (the first and third quadrants); points kept off the axes."""
    points = rng.uniform(-5.0, 5.0, (count, 2))
    points += np.sign(points) * 0.3
    labels = (points[:, 0] * points[:, 1] > 0).astype(np.float64)
    return points + noise * 1.2 * rng.standard_normal(points.shape), labels


def _gaussians(count: int, noise: float, rng: np.random.Generator):
    """Two round clouds around (2, 2) and (−2, −2); noise widens them until they overlap."""
    labels = (np.arange(count) % 2).astype(np.float64)
    centres = np.where(labels[:, None] == 1, 2.0, -2.0)
    return centres + (0.6 + 2.0 * noise) * rng.standard_normal((count, 2)), labels


def _spiral(count: int, noise: float, rng: np.random.Generator):
    """Two interleaved spiral arms of 1.75 turns."""
    labels = (np.arange(count) % 2).astype(np.float64)
    share = rng.uniform(0.0, 1.0, count)
    radius = 5.0 * share
    angle = 1.75 * 2 * np.pi * share + np.pi * labels
    points = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return points + noise * 0.8 * rng.standard_normal(points.shape), labels


def _moons(count: int, noise: float, rng: np.random.Generator):
    """Two interleaving half circles, scaled to the [−6, 6] plot box."""
    labels = (np.arange(count) % 2).astype(np.float64)
    angle = rng.uniform(0.0, np.pi, count)
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)])
    points = np.where(labels[:, None] == 0, upper, lower) - [0.5, 0.25]
    return 3.0 * points + noise * 1.2 * rng.standard_normal(points.shape), labels


def _blobs(count: int, noise: float, rng: np.random.Generator):
    """Three classes around three centres on a circle of radius 3.5."""
    labels = (np.arange(count) % 3).astype(np.float64)
    angle = 2 * np.pi * labels / 3 + np.pi / 2
    centres = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    return centres + (0.8 + 2.0 * noise) * rng.standard_normal((count, 2)), labels


def _plane(count: int, noise: float, rng: np.random.Generator):
    """target = 0.5x − 0.3y, x, y uniform in [−5, 5]."""
    points = rng.uniform(-5.0, 5.0, (count, 2))
    targets = 0.5 * points[:, 0] - 0.3 * points[:, 1]
    return points, targets + noise * 2.0 * rng.standard_normal(count)


def _sine(count: int, noise: float, rng: np.random.Generator):
    """target = sin x, x uniform in [−6, 6]."""
    points = rng.uniform(-6.0, 6.0, (count, 1))
    return points, np.sin(points[:, 0]) + noise * 0.5 * rng.standard_normal(count)


def _trend(count: int, noise: float, rng: np.random.Generator):
    """target = 0.02x + 1, x uniform in [100, 500]: a raw feature in the hundreds."""
    points = rng.uniform(100.0, 500.0, (count, 1))
    return points, 0.02 * points[:, 0] + 1.0 + noise * 2.0 * rng.standard_normal(count)


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            "circle",
            "circle",
            BINARY,
            2,
            2,
            _circle,
            "One class inside a ring of the other: no straight line separates them.",
        ),
        DatasetSpec(
            "xor",
            "xor",
            BINARY,
            2,
            2,
            _xor,
            "Opposite quadrants share a class: a network needs a hidden layer (or xy).",
        ),
        DatasetSpec(
            "gaussians",
            "two gaussians",
            BINARY,
            2,
            2,
            _gaussians,
            "Two clouds: a straight line separates them, even with no hidden layer.",
        ),
        DatasetSpec(
            "spiral",
            "spiral",
            BINARY,
            2,
            2,
            _spiral,
            "Two interleaved arms: the hardest; it needs depth or the sin features.",
        ),
        DatasetSpec(
            "moons",
            "moons",
            BINARY,
            2,
            2,
            _moons,
            "Two interleaving half circles: a gently curved boundary.",
        ),
        DatasetSpec(
            "blobs",
            "three-class blobs",
            MULTICLASS,
            2,
            3,
            _blobs,
            "Three clouds, three classes: softmax output and categorical cross-entropy.",
        ),
        DatasetSpec(
            "plane",
            "plane",
            REGRESSION,
            2,
            0,
            _plane,
            "A tilted plane: linear regression with two inputs.",
        ),
        DatasetSpec(
            "sine",
            "1-D sine",
            REGRESSION,
            1,
            0,
            _sine,
            "sin x on [−6, 6]: a curve that a linear model cannot follow.",
        ),
        DatasetSpec(
            "trend",
            "linear trend, raw feature",
            REGRESSION,
            1,
            0,
            _trend,
            "x in the hundreds: without normalisation the loss is a narrow ravine.",
        ),
    )
}


def dataset_names(task: str | None = None) -> list[str]:
    """Every data set name (of one task, if given), in registry order."""
    return [name for name, spec in DATASETS.items() if task is None or spec.task == task]


def feature_columns(points: np.ndarray, extra: Sequence[str]) -> np.ndarray:
    """The raw inputs (n, d) followed by the chosen extra features (those that exist for d)."""
    points = np.asarray(points, dtype=np.float64)
    x = points[:, 0]
    y = points[:, 1] if points.shape[1] > 1 else None
    builders = {
        "x²": lambda: x * x,
        "y²": lambda: y * y,
        "xy": lambda: x * y,
        "sin x": lambda: np.sin(x),
        "sin y": lambda: np.sin(y),
    }
    columns = [points] + [builders[name]()[:, None] for name in _usable(extra, points.shape[1])]
    return np.hstack(columns)


def _usable(extra: Sequence[str], inputs: int) -> list[str]:
    """The extra features in canonical order that make sense for d inputs (no y for 1-D data)."""
    unknown = set(extra) - set(EXTRA_FEATURES)
    if unknown:
        raise ValueError(f"unknown feature {sorted(unknown)[0]!r}; choose from {EXTRA_FEATURES}")
    return [name for name in EXTRA_FEATURES if name in extra and (inputs == 2 or "y" not in name)]


def make_dataset(
    name: str,
    count: int = 400,
    noise: float = 0.1,
    train_share: float = 0.7,
    seed: int = 0,
    extra_features: Sequence[str] = (),
    normalise: bool = True,
) -> Dataset:
    """Draw `count` points of data set `name` (seeded), split and featurise them."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    spec = DATASETS[name]
    for label, value, low, high in (
        ("count", count, MIN_POINTS, MAX_POINTS),
        ("noise", noise, 0.0, 1.0),
        ("train_share", train_share, 0.1, 0.9),
    ):
        _check_range(label, value, low, high)
    rng = np.random.default_rng(seed)
    points, targets = spec.generate(int(count), float(noise), rng)
    order = rng.permutation(int(count))
    train, test = np.split(order, [round(train_share * count)])
    extra = tuple(_usable(extra_features, spec.inputs))
    raw_train = feature_columns(points[train], extra)
    mean, scale = _standardisation(raw_train, normalise)
    return Dataset(
        spec, points[train], points[test], (raw_train - mean) / scale,
        (feature_columns(points[test], extra) - mean) / scale, targets[train], targets[test],
        ("x", "y")[: spec.inputs] + extra, extra, mean, scale,
    )  # fmt: skip


def _standardisation(columns: np.ndarray, normalise: bool) -> tuple[np.ndarray, np.ndarray]:
    """(mean, deviation) of each column, or (0, 1) without normalising; constant columns keep 1."""
    if not normalise:
        return np.zeros(columns.shape[1]), np.ones(columns.shape[1])
    deviation = columns.std(axis=0)
    return columns.mean(axis=0), np.where(deviation > 0, deviation, 1.0)


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not (low <= value <= high):
        raise ValueError(f"{name} = {value!r} is outside [{low:g}, {high:g}]")
