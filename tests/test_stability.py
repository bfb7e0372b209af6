"""The stability edge of each rule, against divergence measured on quadratic bowls.

The edge comes from the rule (core.optimizers.StabilityRule); these tests never use its formula:
they run the optimizer's own step on a bowl f = ½θᵀHθ just below and just above the edge and
check that the first converges towards the minimum and the second blows up, over a grid of
condition numbers, momenta, dampening, Nesterov and weight decay.
"""

import itertools
import math

import numpy as np
import pytest

import core
from core.stability import first_step_above_edge, stability_edge

STEPS = 3000
MARGIN = 0.03
"""Rates MARGIN below and above the edge: far enough for 3,000 steps to show the difference."""


def _amplitude(surface, optimizer, steps=STEPS) -> float:
    """|θ| after `steps` from (1, 1): tiny when stable, huge (or the run diverged) when not."""
    run = core.descend(surface, optimizer, (1.0, 1.0), steps, tolerance=0.0, record="final")
    if run.status == core.DIVERGED:
        return math.inf
    return float(np.linalg.norm(run.final_points))


SGD_CASES = [
    dict(momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=decay)
    for momentum, dampening, nesterov, decay in itertools.product(
        (0.0, 0.5, 0.9), (0.0, 0.5), (False, True), (0.0, 0.3)
    )
    if not (nesterov and (momentum == 0 or dampening))
]


@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0])
@pytest.mark.parametrize("hyperparameters", SGD_CASES, ids=str)
def test_sgd_edge_separates_convergence_from_divergence_on_the_bowl(kappa, hyperparameters):
    bowl = core.surface("bowl", kappa=kappa, angle=20.0)
    base = core.optimizer("sgd", lr=0.01, **hyperparameters)
    edge = stability_edge(base, bowl, (0.3, -0.2))
    assert edge.finite
    below = _amplitude(bowl, base.with_lr(edge.rate * (1 - MARGIN)))
    above = _amplitude(bowl, base.with_lr(edge.rate * (1 + MARGIN)))
    assert below < 1e-3, (edge.rate, below)
    assert above > 1e3, (edge.rate, above)


def test_the_issue_examples_have_the_edges_measured_on_the_bowl():
    bowl = core.surface("bowl")
    nesterov = core.optimizer("sgd", lr=0.15, momentum=0.9, nesterov=True)
    damped = core.optimizer("sgd", lr=0.33, momentum=0.5, dampening=0.5)
    assert stability_edge(nesterov, bowl, bowl.default_start).rate == pytest.approx(0.136, 1e-2)
    assert stability_edge(damped, bowl, bowl.default_start).rate == pytest.approx(0.6, 1e-9)
    assert _amplitude(bowl, damped) < 1e-3
    assert core.descend(bowl, nesterov, bowl.default_start, 2000).status == core.DIVERGED


@pytest.mark.parametrize("kappa", [1.0, 10.0])
@pytest.mark.parametrize("damping", [0.0, 0.5])
def test_newton_edge_on_a_bowl_and_on_a_saddle(kappa, damping):
    for name in ("bowl", "saddle"):
        surface = core.surface(name, kappa=kappa) if name == "bowl" else core.surface(name)
        base = core.optimizer("newton", damping=damping)
        edge = stability_edge(base, surface, (0.5, 0.0))
        assert edge.finite
        if name == "saddle":
            continue  # the descent direction of a saddle escapes at every rate
        below = _amplitude(surface, base.with_lr(edge.rate * (1 - MARGIN)), 400)
        above = _amplitude(surface, base.with_lr(edge.rate * (1 + MARGIN)), 400)
        assert below < 1e-3 and above > 1e3, (edge.rate, below, above)


def test_newton_damped_edge_matches_a_measured_one_dimensional_run():
    """Along x of the saddle x² − y² Newton solves with 2 + δ, δ = 2·2 + damping: measure it."""
    saddle = core.surface("saddle")
    base = core.optimizer("newton", damping=0.5)
    edge = stability_edge(base, saddle, (0.5, 0.0))
    for factor, grows in ((1 - MARGIN, False), (1 + MARGIN, True)):
        run = core.descend(
            saddle, base.with_lr(edge.rate * factor), (0.5, 0.0), 300, tolerance=0.0, record="full"
        )
        x = np.abs(run.points[:, 0])
        assert (x[-1] > x[0]) == grows, (factor, x[-1])


def test_adaptive_rules_have_no_fixed_edge_and_say_so_in_words():
    bowl = core.surface("bowl")
    for name in ("adam", "adamw", "rmsprop", "adagrad", "adadelta", "nadam"):
        edge = stability_edge(core.optimizer(name), bowl, (1.0, 1.0))
        assert edge.rate is None and not edge.finite
        assert "inf" not in edge.phrase() and "nan" not in edge.phrase()


def test_no_edge_where_nothing_curves_up_is_said_in_words():
    plain = core.optimizer("sgd", lr=0.1)
    for surface, point in ((core.surface("monkey-saddle"), (0.0, 0.0)),):
        edge = stability_edge(plain, surface, point)
        assert edge.rate == math.inf
        phrase = edge.phrase()
        assert "flat" in phrase or "curves down" in phrase
        assert "inf" not in phrase


def test_the_first_step_above_the_edge_is_found_where_the_curvature_grows():
    """On x⁴/4 the curvature 3x² grows outwards: a rate stable at x = 0.1 is not at x = 1."""
    surface = core.surface("custom", formula="x^4/4 + y^2/2")
    plain = core.optimizer("sgd", lr=0.9)
    points = np.array([[0.1, 0.0], [0.5, 0.0], [1.0, 0.0], [2.0, 0.0]])
    step = first_step_above_edge(plain, surface, points, np.full(3, 0.9))
    # λmax = max(3x², 1): the edge 2/λmax is 2, 2, 0.667 at x = 0.1, 0.5, 1.
    largest = np.maximum(3 * points[:3, 0] ** 2, 1.0)
    expected = int(np.flatnonzero(2 / largest < 0.9)[0])
    assert step == expected == 2
