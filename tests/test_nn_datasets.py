"""Data sets: seeded, split, featurised and standardised as documented."""

import numpy as np
import pytest

from core.nn.datasets import DATASETS, EXTRA_FEATURES, MAX_POINTS, dataset_names, make_dataset


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_data_set_is_seeded_split_and_finite(name):
    first = make_dataset(name, count=200, noise=0.2, train_share=0.75, seed=4)
    again = make_dataset(name, count=200, noise=0.2, train_share=0.75, seed=4)
    other = make_dataset(name, count=200, noise=0.2, train_share=0.75, seed=5)
    np.testing.assert_array_equal(first.features_train, again.features_train)
    assert not np.array_equal(first.points_train, other.points_train)
    assert first.points_train.shape == (150, DATASETS[name].inputs)
    assert first.targets_test.shape == (50,)
    assert np.all(np.isfinite(first.features_train))


@pytest.mark.parametrize("name", dataset_names("binary") + dataset_names("multiclass"))
def test_classes_are_balanced_labels(name):
    data = make_dataset(name, count=300, seed=0)
    labels = np.concatenate([data.targets_train, data.targets_test])
    counts = np.bincount(labels.astype(int))
    assert counts.size == DATASETS[name].classes
    assert counts.min() >= 0.8 * 300 / DATASETS[name].classes  # xor draws its labels


def test_normalisation_standardises_with_the_training_statistics():
    data = make_dataset("trend", count=300, normalise=True)
    np.testing.assert_allclose(data.features_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.features_train.std(axis=0), 1.0)
    raw = make_dataset("trend", count=300, normalise=False)
    assert raw.features_train.min() >= 100 - 1e-9
    np.testing.assert_allclose(data.features(raw.points_test), data.features_test)


def test_extra_features_follow_the_canonical_order_and_skip_y_for_one_input():
    data = make_dataset("circle", extra_features=("sin y", "x²", "xy"), normalise=False)
    assert data.feature_names == ("x", "y", "x²", "xy", "sin y")
    x, y = data.points_train[:, 0], data.points_train[:, 1]
    np.testing.assert_allclose(data.features_train[:, 3], x * y)
    np.testing.assert_allclose(data.features_train[:, 4], np.sin(y))
    sine = make_dataset("sine", extra_features=EXTRA_FEATURES)
    assert sine.feature_names == ("x", "x²", "sin x")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": "swirl"}, "unknown data set"),
        ({"name": "xor", "count": MAX_POINTS + 1}, "count"),
        ({"name": "xor", "noise": 2.0}, "noise"),
        ({"name": "xor", "train_share": 1.0}, "train_share"),
        ({"name": "xor", "extra_features": ("z",)}, "unknown feature"),
    ],
)
def test_bad_arguments_are_refused_with_a_message(arguments, message):
    with pytest.raises(ValueError, match=message):
        make_dataset(**arguments)
