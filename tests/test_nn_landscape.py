"""Loss landscapes: PCA directions reproduce their path; random directions are filter-normalised."""

import numpy as np
import pytest

from core.nn.datasets import make_dataset
from core.nn.landscape import (
    interpolation,
    loss_slice,
    pca_directions,
    project_path,
    random_directions,
)
from core.nn.mlp import MLP
from core.nn.training import Trainer, TrainingConfig


def test_pca_directions_reproduce_a_path_that_lies_in_a_plane():
    rng = np.random.default_rng(0)
    centre = rng.normal(size=30)
    plane = np.linalg.qr(rng.normal(size=(30, 2)))[0].T  # two orthonormal directions
    coordinates = rng.normal(size=(12, 2)) * [3.0, 1.0]
    snapshots = centre + coordinates @ plane
    directions = pca_directions(snapshots, centre)
    path = project_path(snapshots, centre, directions)
    np.testing.assert_allclose(centre + path @ directions.vectors, snapshots, atol=1e-10)
    assert sum(directions.explained_variance) == pytest.approx(1.0)
    assert directions.explained_variance[0] > directions.explained_variance[1]


def test_pca_of_a_real_training_path_explains_most_of_it():
    data = make_dataset("circle", count=200, seed=1)
    trainer = Trainer(
        data,
        TrainingConfig(hidden=(6,), optimizer="adam", hyperparameters=(("lr", 0.02),), epochs=40),
    )
    trainer.train(40)
    snapshots = trainer.snapshot_matrix()
    directions = pca_directions(snapshots, snapshots[-1])
    assert sum(directions.explained_variance) > 0.8
    np.testing.assert_allclose(directions.vectors @ directions.vectors.T, np.eye(2), atol=1e-12)


def test_random_directions_are_filter_normalised_with_zero_biases():
    network = MLP([2, 5, 3], activation="relu", seed=0)
    centre = network.params.copy()
    directions = random_directions(network, centre, seed=3)
    for vector in directions.vectors:
        probe = MLP([2, 5, 3], activation="relu")
        probe.params = vector
        for direction, reference in zip(probe.weights, network.weights, strict=True):
            np.testing.assert_allclose(
                np.linalg.norm(direction, axis=0), np.linalg.norm(reference, axis=0)
            )
        assert all(np.all(bias == 0) for bias in probe.biases)


def test_the_slice_passes_through_the_centre_and_covers_the_path():
    data = make_dataset("xor", count=100, seed=0)
    network = MLP([2, 4, 1], seed=0)
    centre = network.params.copy()
    snapshots = np.array([centre + 0.5, centre])
    directions = pca_directions(snapshots, centre)
    seen = []
    result = loss_slice(
        network,
        data.features_train,
        data.targets_train,
        "bce",
        centre,
        directions,
        snapshots,
        resolution=11,
        progress=seen.append,
    )
    middle = np.argmin(np.abs(result.alphas)), np.argmin(np.abs(result.betas))
    probe_alpha, probe_beta = result.alphas[middle[0]], result.betas[middle[1]]
    network.params = (
        centre + probe_alpha * directions.vectors[0] + probe_beta * directions.vectors[1]
    )
    assert result.losses[middle[1], middle[0]] == pytest.approx(
        network.loss(data.features_train, data.targets_train, "bce")
    )
    assert result.alphas.min() < result.path[:, 0].min() and seen[-1] == 1.0


def test_interpolation_ends_at_the_losses_of_its_two_weights():
    data = make_dataset("circle", count=100, seed=0)
    network = MLP([2, 4, 1], seed=0)
    start, end = network.params.copy(), network.params + 0.3
    steps, values = interpolation(
        network, data.features_train, data.targets_train, "bce", start, end, count=61
    )
    for t, weights in ((0.0, start), (1.0, end)):
        network.params = weights
        index = int(np.argmin(np.abs(steps - t)))
        assert values[index] == pytest.approx(
            network.loss(data.features_train, data.targets_train, "bce")
        )


def test_a_diverged_run_has_no_landscape_but_a_message():
    network = MLP([2, 3, 1], seed=0)
    centre = network.params.copy()
    broken = centre.copy()
    broken[0] = np.inf
    with pytest.raises(ValueError, match="not finite"):
        pca_directions(np.array([broken, centre]), centre)
    with pytest.raises(ValueError, match="not finite"):
        random_directions(network, broken)
