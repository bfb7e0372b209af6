"""Descent Lab's computing core: pure NumPy, no user interface.

import core
s = core.surface("rosenbrock")               # or core.surface("bowl", kappa=10, angle=30)
opt = core.optimizer("adam", lr=0.1)          # torch.optim names, hyperparameters, defaults
run = core.descend(s, opt, start=(-1.5, 2.0), steps=2000)
run.points, run.status, run.diagnosis.message
core.sweeps.random_starts(s, opt, count=1000, steps=500)   # the batched studies
"""

# Importing formula_surface registers the typed-formula surface "custom" in the catalogue.
from core import formula, formula_surface, nn, sweeps
from core.descent import CONVERGED, DIVERGED, MAX_STEPS, UNDEFINED, Run, descend
from core.diagnosis import Diagnosis, diagnose
from core.optimizers import Optimizer, optimizer, optimizer_names
from core.schedules import Schedule, schedule, schedule_names
from core.stability import StabilityEdge, stability_edge
from core.surfaces import StationaryPoint, Surface, surface, surface_names

# The 2-parameter model losses join the surface catalogue, so every page can descend them.
nn.register_model_surfaces()

__all__ = [
    "CONVERGED",
    "DIVERGED",
    "MAX_STEPS",
    "UNDEFINED",
    "Diagnosis",
    "Optimizer",
    "Run",
    "Schedule",
    "StabilityEdge",
    "StationaryPoint",
    "Surface",
    "descend",
    "diagnose",
    "formula",
    "formula_surface",
    "nn",
    "optimizer",
    "optimizer_names",
    "schedule",
    "schedule_names",
    "stability_edge",
    "surface",
    "surface_names",
    "sweeps",
]
