"""core.sweeps and core.optimizers.per_start: many runs in one batch agree with single runs."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.optimizers import per_start

BOWL_START = (-1.8, 1.2)


def _single_final(surface, optimizer, start, steps):
    """The final point and status of one run, as a batch of one (same arithmetic as a batch)."""
    run = core.descend(surface, optimizer, np.array([start]), steps, record="final")
    return run.final_points[0], run.status[0]


# ----- per_start ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adagrad", "nadam", "newton"])
def test_per_start_learning_rates_match_separate_runs(name):
    surface = core.surface("rosenbrock")
    base = core.optimizer(name)
    rates = np.array([1e-3, 1e-2, 0.1, 0.6]) * (10 if name == "newton" else 1)
    starts = np.tile(surface.default_start, (rates.size, 1))
    batch = core.descend(surface, per_start(base, lr=rates), starts, 150, record="final")
    for row, rate in enumerate(rates):
        single = base.with_lr(float(rate))
        point, status = _single_final(surface, single, surface.default_start, 150)
        np.testing.assert_array_equal(batch.final_points[row], point)
        assert batch.status[row] == status


@pytest.mark.parametrize("name", ["sgd", "rmsprop"])
def test_per_start_momentum_matches_separate_runs(name):
    surface = core.surface("bowl", kappa=20, angle=30)
    rates, momenta = np.array([0.01, 0.05, 0.09, 0.2]), np.array([0.0, 0.5, 0.9, 0.95])
    starts = np.tile(BOWL_START, (rates.size, 1))
    optimizer = per_start(core.optimizer(name), lr=rates, momentum=momenta)
    batch = core.descend(surface, optimizer, starts, 200, record="final")
    assert len(np.unique(batch.final_points, axis=0)) == rates.size, "every row ends elsewhere"
    for row in range(rates.size):
        single = core.optimizer(name, lr=float(rates[row]), momentum=float(momenta[row]))
        point, status = _single_final(surface, single, BOWL_START, 200)
        np.testing.assert_array_equal(batch.final_points[row], point)
        assert batch.status[row] == status


def test_per_start_rate_table_follows_a_schedule_per_start():
    surface = core.surface("bowl", kappa=5)
    cosine = core.schedule("cosine", T_max=50, eta_min=0.01)
    rates = np.array([0.05, 0.3])
    table = np.stack([cosine.learning_rates(rate, 80) for rate in rates])
    optimizer = per_start(core.optimizer("sgd", momentum=0.5), lr=table)
    batch = core.descend(surface, optimizer, np.tile(BOWL_START, (2, 1)), 80, record="final")
    for row, rate in enumerate(rates):
        single = core.descend(
            surface,
            core.optimizer("sgd", lr=float(rate), momentum=0.5),
            BOWL_START,
            80,
            schedule=cosine,
        )
        np.testing.assert_allclose(
            batch.final_points[row], single.final_points, rtol=1e-12, atol=1e-15
        )


def test_per_start_full_record_names_the_inner_state():
    optimizer = per_start(core.optimizer("sgd"), lr=[0.01, 0.1], momentum=[0.5, 0.9])
    run = core.descend(core.surface("bowl"), optimizer, np.tile(BOWL_START, (2, 1)), 5)
    assert set(run.states) == {"momentum_buffer"}
    # the first buffer is the first gradient, whatever the momentum
    np.testing.assert_allclose(run.states["momentum_buffer"][0], run.gradients_used[0])


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("adam", {"momentum": [0.1]}, "cannot vary 'momentum'"),
        ("sgd", {"dampening": [0.1]}, "cannot vary 'dampening'"),
        ("sgd", {"lr": [0.1, -1.0]}, "Invalid lr"),
        ("sgd", {"momentum": [[0.1]]}, "shape"),
        ("sgd", {"lr": []}, "shape"),
    ],
)
def test_per_start_rejects_bad_values(name, values, message):
    with pytest.raises(ValueError, match=message):
        per_start(core.optimizer(name), **values)
