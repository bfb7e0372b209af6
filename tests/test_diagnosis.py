"""Diagnoses: the kind and the numbers in the message follow from the run."""

import numpy as np
import pytest

import core


def test_heavy_ball_divergence_quotes_the_momentum_rate():
    bowl = core.surface("bowl", kappa=10.0)
    stable = core.descend(bowl, core.optimizer("sgd", lr=0.36, momentum=0.9), (1.0, 1.0), 3000)
    unstable = core.descend(bowl, core.optimizer("sgd", lr=0.40, momentum=0.9), (1.0, 1.0), 3000)
    assert stable.status == "converged"
    assert unstable.diagnosis.kind == "diverged"
    assert "2(1+μ)/λmax = 0.38" in unstable.diagnosis.message


def test_local_minimum_names_itself_and_the_global_one():
    surface = core.surface("rastrigin")
    run = core.descend(surface, core.optimizer("sgd", lr=0.002), surface.default_start, 2000)
    diagnosis = run.diagnosis
    assert diagnosis.kind == "local_minimum"
    assert diagnosis.point.kind == "local minimum"
    assert "global minimum is at (0, 0)" in diagnosis.message
    assert float(run.final_values) == pytest.approx(diagnosis.point.value, rel=1e-6)


def test_stalling_on_the_saddle():
    run = core.descend(core.surface("saddle"), core.optimizer("sgd", lr=0.1), (1.0, 0.0), 500)
    assert run.status == "converged"
    assert run.diagnosis.kind == "saddle" and "saddle point (0, 0)" in run.diagnosis.message


def test_noise_escapes_the_saddle():
    run = core.descend(
        core.surface("saddle"), core.optimizer("sgd", lr=0.1), (1.0, 0.0), 500, noise=0.01
    )
    assert run.diagnosis.kind == "diverged"


def test_too_slow_suggests_a_learning_rate_from_the_curvature():
    bowl = core.surface("bowl", kappa=10.0)
    run = core.descend(bowl, core.optimizer("sgd", lr=1e-4), (1.5, 1.5), 100)
    diagnosis = run.diagnosis
    assert diagnosis.kind == "slow"
    assert "stability edge 2/λmax = 0.2" in diagnosis.message and "lr ≈ 0.1" in diagnosis.message


def test_oscillation_counts_the_rising_steps_and_the_zigzag():
    bowl = core.surface("bowl", kappa=50.0)
    run = core.descend(bowl, core.optimizer("sgd", lr=0.039, momentum=0.9), (1.8, 1.5), 60)
    diagnosis = run.diagnosis
    rises = int(np.count_nonzero(np.diff(run.values) > 0))
    assert diagnosis.kind == "oscillating"
    assert diagnosis.loss_increases == rises and f"rose on {rises} of 60 steps" in diagnosis.message
    assert diagnosis.zigzags > 10 and "zig-zags" in diagnosis.message


def test_adaptive_divergence_does_not_blame_two_over_lambda():
    bowl = core.surface("bowl", kappa=10.0)
    run = core.descend(bowl, core.optimizer("adam", lr=60.0), (1.0, 1.0), 200)
    assert run.diagnosis.kind == "diverged"
    assert "no fixed learning-rate edge" in run.diagnosis.message
    assert "λmax" not in run.diagnosis.message


def test_a_batch_has_no_single_diagnosis():
    bowl = core.surface("bowl")
    run = core.descend(bowl, core.optimizer("sgd", lr=0.1), np.zeros((3, 2)) + 1.0, 10)
    with pytest.raises(ValueError, match="batched"):
        _ = run.diagnosis


@pytest.mark.parametrize("name", ["newton", "sgd", "adam"])
def test_a_start_where_f_is_not_defined_is_its_own_outcome(name):
    surface = core.surface("custom", formula="sqrt(x)+y^2")
    run = core.descend(surface, core.optimizer(name, lr=1.0), (-1.0, 1.0), 100)
    assert run.status == core.UNDEFINED and run.stop_step == 0
    with np.errstate(invalid="ignore"):
        assert np.isnan(surface.value(np.array([-1.0, 1.0])))  # the independent fact
    diagnosis = run.diagnosis
    assert diagnosis.kind == "undefined"
    assert "not defined at (-1, 1)" in diagnosis.message
    for false_claim in ("left the box", "Too slow", "Diverged"):
        assert false_claim not in diagnosis.message


def test_a_path_that_walks_out_of_the_domain_is_undefined_at_the_step_it_does():
    surface = core.surface("custom", formula="log(x) + (x-1)^2 + y^2", domain=(0.1, 3, -1, 1))
    run = core.descend(surface, core.optimizer("sgd", lr=0.4), (0.2, 0.5), 100)
    assert run.status == core.UNDEFINED
    assert run.points[-1][0] <= 0 < run.points[-2][0]
    assert run.diagnosis.kind == "undefined"
    assert f"step {run.stop_step}" in run.diagnosis.message


def test_a_run_that_stops_on_a_flat_plateau_says_so():
    surface = core.surface(
        "custom", formula="1 - exp(-(x - 1)^2 - (y + 0.5)^2)", domain=(-8, 8, -8, 8)
    )
    start = (-6.0, 6.0)
    gradient = np.linalg.norm(surface.grad(np.array(start)))
    assert gradient < 1e-8  # the gradient is below the tolerance before the first step
    run = core.descend(surface, core.optimizer("sgd", lr=0.1), start, 100)
    diagnosis = run.diagnosis
    assert diagnosis.kind == "plateau"
    assert "flat plateau" in diagnosis.message and "Too slow" not in diagnosis.message
