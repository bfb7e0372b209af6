"""Learning-rate schedules against torch.optim.lr_scheduler (recorded rates)."""

import json
from pathlib import Path

import numpy as np
import pytest

import core

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "torch_reference.json").read_text())


@pytest.mark.parametrize("case", REFERENCE["schedules"], ids=lambda case: case["name"])
def test_rates_match_torch_schedulers(case):
    schedule = core.schedule(case["name"], **case["parameters"])
    rates = schedule.learning_rates(case["lr0"], len(case["rates"]))
    assert np.allclose(rates, case["rates"], rtol=1e-12, atol=1e-15)


def test_constant_schedule_and_descend_record_the_rate_used():
    surface = core.surface("bowl")
    run = core.descend(
        surface,
        core.optimizer("sgd", lr=0.05),
        surface.default_start,
        40,
        schedule=core.schedule("step", step_size=10, gamma=0.5),
    )
    assert run.learning_rates[:10] == pytest.approx([0.05] * 10)
    assert run.learning_rates[10:20] == pytest.approx([0.025] * 10)
    assert np.allclose(run.updates, -run.learning_rates[:, None] * run.gradients_used)
    assert np.all(core.schedule().learning_rates(0.3, 5) == 0.3)


def test_bad_schedules_raise():
    with pytest.raises(ValueError, match="unknown schedule"):
        core.schedule("warmup")
    with pytest.raises(ValueError, match="gamma"):
        core.schedule("exponential", gamma=1.5)
    with pytest.raises(ValueError, match="no parameter"):
        core.schedule("step", T_max=3)
