"""The truth test: hundreds of random runs, each sentence's claims checked independently.

Every surface (the model losses and the formula examples included), every optimizer with random
hyperparameters from its controls' ranges, random rates around the edge, starts, schedules and
noise. The diagnosis and the caption under the learning-rate control are checked by tests/truth.py
against finite differences, the linearised iteration, a fine grid and recounts.
"""

from __future__ import annotations

import numpy as np
import pytest
import truth_checks as truth

import core
from app.explorer_settings import critical_rate_caption
from core.formula_surface import EXAMPLES
from core.stability import learning_rate_range

RUNS = 600
SEED = 20261201


UNDEFINED_SOMEWHERE = (
    ("sqrt(x) + (y - 0.5)^2", (-1.0, 2.0, -1.0, 2.0)),
    ("log(x) + (x - 1)^2 + y^2", (-0.5, 3.0, -1.0, 1.0)),
)
"""Formulas with a region where f is not defined, so undefined outcomes are checked too."""


def _surfaces() -> list:
    surfaces = [core.surface(name) for name in core.surface_names() if name != "custom"]
    for example in EXAMPLES:
        surfaces.append(core.surface("custom", formula=example.formula, domain=example.domain))
    for formula, domain in UNDEFINED_SOMEWHERE:
        surfaces.append(core.surface("custom", formula=formula, domain=domain))
    return surfaces


SURFACES = _surfaces()


def _hyperparameters(rule, rng) -> dict:
    values = {}
    for spec in rule.hyperparameters:
        if spec.name == "lr":
            continue
        if spec.kind == "bool":
            values[spec.name] = bool(rng.random() < 0.3)
        elif spec.kind == "pair":
            values[spec.name] = (float(rng.uniform(0.5, 0.99)), float(rng.uniform(0.9, 0.9999)))
        elif rng.random() < 0.5:
            values[spec.name] = spec.default
        elif spec.log_scale:
            values[spec.name] = float(
                np.exp(rng.uniform(np.log(spec.minimum), np.log(spec.maximum)))
            )
        else:
            values[spec.name] = float(rng.uniform(spec.minimum, min(spec.maximum, 0.99)))
    if rule.name == "sgd":
        values["weight_decay"] = float(values["weight_decay"]) * 0.2
        if values["nesterov"] and (values["momentum"] <= 0 or values["dampening"]):
            values["nesterov"] = False
    return values


def _schedule(rng):
    choice = rng.integers(0, 6)
    if choice == 0:
        return core.schedule("step", step_size=int(rng.integers(10, 200)), gamma=0.5)
    if choice == 1:
        return core.schedule("exponential", gamma=float(rng.uniform(0.95, 0.999)))
    if choice == 2:
        return core.schedule("cosine", T_max=int(rng.integers(20, 400)))
    return None


def random_run(rng):
    surface = SURFACES[rng.integers(len(SURFACES))]
    name = core.optimizer_names()[rng.integers(len(core.optimizer_names()))]
    rule = core.optimizers.OPTIMIZERS[name]
    hyperparameters = _hyperparameters(rule, rng)
    x_min, x_max, y_min, y_max = surface.domain
    start = (
        surface.default_start
        if rng.random() < 0.4
        else (float(rng.uniform(x_min, x_max)), float(rng.uniform(y_min, y_max)))
    )
    probe = core.optimizer(name, **hyperparameters)
    edge = core.stability_edge(probe, surface, start)
    low, high = learning_rate_range(probe)
    if edge.finite:
        lr = float(edge.rate * np.exp(rng.uniform(np.log(1 / 30), np.log(3))))
    else:
        lr = float(np.exp(rng.uniform(np.log(1e-4), np.log(1.0))))
    lr = min(max(lr, low), high)
    optimizer = core.optimizer(name, lr=lr, **hyperparameters)
    noise = float(rng.uniform(0, 0.3)) if rng.random() < 0.15 else 0.0
    steps = int(rng.integers(20, 800))
    return core.descend(
        surface, optimizer, start, steps, schedule=_schedule(rng), noise=noise, seed=1
    )


@pytest.fixture(scope="module")
def verdicts():
    rng = np.random.default_rng(SEED)
    results = []
    for _ in range(RUNS):
        run = random_run(rng)
        lr_range = learning_rate_range(run.optimizer)
        message = run.diagnosis.message
        verdict = truth.check_sentence(run, message, lr_range)
        caption = critical_rate_caption(run.surface, run.start, run.optimizer)
        caption_verdict = truth.check_caption(run, caption)
        results.append((run, message, verdict, caption, caption_verdict))
    return results


def test_every_clear_cut_diagnosis_claim_is_true(verdicts):
    failures = [
        f"{run.surface.name} {run.optimizer.name} {dict(run.optimizer.hyperparameters)} "
        f"start {run.start} schedule {run.schedule and run.schedule.name}: {verdict.failures}\n"
        f"  {message}"
        for run, message, verdict, _, _ in verdicts
        if verdict.failures
    ]
    checked = sum(verdict.checked for _, _, verdict, _, _ in verdicts)
    assert checked > 2 * RUNS
    assert not failures, f"{len(failures)} of {RUNS} runs:\n" + "\n".join(failures[:10])


def test_every_clear_cut_caption_claim_is_true(verdicts):
    failures = [
        f"{run.surface.name} {run.optimizer.name} lr {run.optimizer.lr:.4g} start {run.start}: "
        f"{verdict.failures}\n  {caption}"
        for run, _, _, caption, verdict in verdicts
        if verdict.failures
    ]
    assert not failures, "\n".join(failures[:10])


def test_the_random_runs_cover_every_kind_of_outcome(verdicts):
    kinds = {run.diagnosis.kind for run, *_ in verdicts}
    assert {
        "global_minimum",
        "local_minimum",
        "diverged",
        "slow",
        "oscillating",
        "undefined",
        "plateau",
    } <= kinds


def test_the_checker_catches_false_sentences():
    """The checks can fail: doctored sentences about real runs are flagged."""
    bowl = core.surface("bowl")
    run = core.descend(
        bowl, core.optimizer("sgd", lr=0.15, momentum=0.9, nesterov=True), bowl.default_start, 2000
    )
    lr_range = learning_rate_range(run.optimizer)
    wrong_edge = (
        "Diverged at step 5: x. The learning rate 0.15 is within the stability edge at the start "
        "(2/λmax = 0.2), but the curvature grows along the path."
    )
    assert truth.check_sentence(run, wrong_edge, lr_range).failures
    assert truth.check_sentence(run, "Too slow: it is inf. Use lr < 50.", lr_range).failures
    slow = core.descend(bowl, core.optimizer("sgd", lr=1e-3), bowl.default_start, 30)
    assert truth.check_sentence(slow, "Converged to the global minimum (0, 0).", lr_range).failures
    assert not truth.check_sentence(run, run.diagnosis.message, lr_range).failures
