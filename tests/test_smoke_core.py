"""The public API named in the README works end to end."""

import core


def test_readme_example_runs():
    s = core.surface("rosenbrock")
    opt = core.optimizer("adam", lr=0.01)
    run = core.descend(s, opt, start=(-1.5, 2.0), steps=500)
    assert run.points.shape == (run.steps_taken + 1, 2)
    assert run.status in core.descent.STATUSES
    assert isinstance(run.diagnosis.message, str) and run.diagnosis.message
    assert "rosenbrock" in core.surface_names()
    assert "adam" in core.optimizer_names()
