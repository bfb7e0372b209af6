"""Loss landscapes: 2-D slices through a network's weights and a 1-D line from start to end.

A slice through the centre θ* (the trained weights) along directions d1, d2 (P,) is
L(θ* + α d1 + β d2) on a grid of (α, β). Two choices of directions:

- pca_directions: the first two principal directions of the weight trajectory (snapshots minus
  θ*, as in Li et al. 2018, §7), with their share of the trajectory's variance; the path is then
  drawn at its coordinates (α_k, β_k) = ((θ_k − θ*)·d1, (θ_k − θ*)·d2) (d1, d2 orthonormal).
- random_directions: Gaussian directions, filter-normalised (Li et al. 2018, §4): each unit's
  incoming weights in d are rescaled to the norm of that unit's weights in θ*; bias entries are 0.
  The path is projected by least squares onto the (non-orthogonal) pair.

interpolation: L((1 − t)θ_0 + tθ*) for t on a line (Goodfellow et al. 2015).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.nn.mlp import MLP, layer_views

MAX_RESOLUTION = 61
Progress = Callable[[float], None]


@dataclass(frozen=True)
class Directions:
    """Two directions (2, P), the share of variance each explains (PCA only, else nan)."""

    vectors: np.ndarray
    explained_variance: tuple[float, float]
    kind: str


@dataclass(frozen=True)
class LandscapeSlice:
    """Losses (resolution, resolution) over alphas × betas (rows β, columns α) and the path."""

    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray
    path: np.ndarray
    directions: Directions


def pca_directions(snapshots: np.ndarray, centre: np.ndarray) -> Directions:
    """The top two right singular vectors of (snapshots − centre) (S, P); share of variance.

    Raises ValueError when a snapshot is not finite (a run that diverged has no landscape).
    """
    _check_finite(snapshots, centre)
    offsets = np.asarray(snapshots, np.float64) - centre
    _, singular, right = np.linalg.svd(offsets, full_matrices=False)
    largest = singular.max(initial=0.0)
    # Shares from singular values scaled to at most 1: their squares cannot overflow.
    variance = (singular / largest) ** 2 if largest > 0 else np.zeros_like(singular)
    total = variance.sum()
    shares = variance[:2] / total if total > 0 else np.zeros(2)
    vectors = np.zeros((2, centre.size))
    vectors[: right.shape[0]] = right[:2]
    if right.shape[0] < 2:
        vectors[1] = _orthogonal_unit(vectors[0])
    shares = np.pad(shares, (0, 2 - shares.size))
    return Directions(vectors, (float(shares[0]), float(shares[1])), "pca")


def _check_finite(snapshots: np.ndarray, centre: np.ndarray) -> None:
    if not (np.all(np.isfinite(snapshots)) and np.all(np.isfinite(centre))):
        raise ValueError(
            "the weights are not finite (the training diverged): there is no "
            "landscape to draw; reset and lower the learning rate"
        )


def _orthogonal_unit(vector: np.ndarray) -> np.ndarray:
    """Some unit vector orthogonal to `vector` (for a path with a single snapshot offset)."""
    other = np.zeros_like(vector)
    other[int(np.argmin(np.abs(vector)))] = 1.0
    other -= (other @ vector) * vector
    return other / np.linalg.norm(other)


def random_directions(network: MLP, centre: np.ndarray, seed: int = 0) -> Directions:
    """Two Gaussian directions, filter-normalised against the weights `centre` (P,)."""
    _check_finite(centre, centre)
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((2, centre.size))
    centre_weights, _ = layer_views(centre, network.sizes)
    for vector in vectors:
        weights, biases = layer_views(vector, network.sizes)
        for direction, reference, bias in zip(weights, centre_weights, biases, strict=True):
            # A unit's filter is its column of W_l: the weights into that unit.
            scale = np.linalg.norm(reference, axis=0) / np.maximum(
                np.linalg.norm(direction, axis=0), 1e-12
            )
            direction *= scale
            bias[:] = 0.0
    return Directions(vectors, (float("nan"), float("nan")), "random")


def project_path(snapshots: np.ndarray, centre: np.ndarray, directions: Directions) -> np.ndarray:
    """Coordinates (S, 2) of each snapshot in the plane: least squares on (θ_k − θ*) ≈ [d1 d2]c."""
    offsets = np.asarray(snapshots, np.float64) - centre
    basis = directions.vectors.T
    coefficients, *_ = np.linalg.lstsq(basis, offsets.T, rcond=None)
    return coefficients.T


def loss_slice(
    network: MLP,
    inputs: np.ndarray,
    targets: np.ndarray,
    loss: str,
    centre: np.ndarray,
    directions: Directions,
    snapshots: np.ndarray,
    resolution: int = 31,
    margin: float = 0.25,
    progress: Progress | None = None,
) -> LandscapeSlice:
    """L(θ* + α d1 + β d2) on a grid covering the projected path with a margin on each side."""
    resolution = int(min(max(resolution, 5), MAX_RESOLUTION))
    path = project_path(snapshots, centre, directions)
    alphas, betas = _grid_axes(path, resolution, margin)
    probe = MLP(network.sizes, network.activation_name)
    losses = np.empty((resolution, resolution))
    for row, beta in enumerate(betas):
        for column, alpha in enumerate(alphas):
            probe.params = centre + alpha * directions.vectors[0] + beta * directions.vectors[1]
            losses[row, column] = probe.loss(inputs, targets, loss)
        if progress is not None:
            progress((row + 1) / resolution)
    return LandscapeSlice(alphas, betas, losses, path, directions)


def _grid_axes(path: np.ndarray, resolution: int, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """Axes that hold the whole path plus `margin` of its extent (at least ±1 around 0)."""
    axes = []
    for column in range(2):
        low, high = min(path[:, column].min(), -1.0), max(path[:, column].max(), 1.0)
        pad = margin * (high - low)
        axes.append(np.linspace(low - pad, high + pad, resolution))
    return axes[0], axes[1]


def interpolation(
    network: MLP,
    inputs: np.ndarray,
    targets: np.ndarray,
    loss: str,
    start: np.ndarray,
    end: np.ndarray,
    count: int = 51,
) -> tuple[np.ndarray, np.ndarray]:
    """t in [−0.25, 1.25] (count,) and L((1 − t)θ_0 + tθ*) (count,)."""
    steps = np.linspace(-0.25, 1.25, int(min(max(count, 3), 201)))
    probe = MLP(network.sizes, network.activation_name)
    values = np.empty_like(steps)
    for index, t in enumerate(steps):
        probe.params = (1.0 - t) * start + t * end
        values[index] = probe.loss(inputs, targets, loss)
    return steps, values
