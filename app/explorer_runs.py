"""The Explorer's computations, cached across reruns and visitors: the runs and the surface grids.

The runs are cut to the work budget first (`budgeted`) and run under a progress bar. Both caches
are keyed by small hashable summaries (`ExplorerSettings.cache_key`, `surface_key`)
and bounded (`max_entries`, `ttl`), because the inputs come from anyone with a link. Runs and
grids are read-only once made, so they are shared as resources rather than copied.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

import core
from app.computations import shared_result
from app.explorer_settings import ExplorerSettings, surface_key
from app.figures import SurfaceGrid, surface_grid
from core.work import Notice, Progress, descent_request, fit_to_budget


@dataclass(frozen=True)
class RunFailure:
    """An optimizer whose run raised (a singular Newton system, say): shown, not drawn."""

    slot: int
    optimizer: core.Optimizer
    message: str


def budgeted(settings: ExplorerSettings) -> tuple[ExplorerSettings, Notice | None]:
    """The settings with their steps cut to the work budget (core.work), and what was cut."""
    request = descent_request(
        "Running these optimizers", settings.surface, settings.optimizers, settings.steps
    )
    cut, notice = fit_to_budget(request)
    steps = 0 if cut is None else cut.value("steps")
    return (settings if steps == settings.steps else replace(settings, steps=steps)), notice


def compute_runs(settings: ExplorerSettings) -> tuple[list[core.Run], list[int], list[RunFailure]]:
    """(runs, their slots, failures): one full-record run per optimizer (cached, under a
    progress bar while they run)."""
    count = len(settings.optimizers)
    message = f"Running {count} optimizer{'s' if count != 1 else ''} for {settings.steps:,} steps…"
    outcomes = shared_result(
        "explorer runs", settings.cache_key(), lambda progress: _runs(settings, progress), message
    )
    runs, slots, failures = [], [], []
    for slot, outcome in zip(settings.slots, outcomes, strict=True):
        if isinstance(outcome, RunFailure):
            failures.append(outcome)
        else:
            runs.append(outcome)
            slots.append(slot)
    return runs, slots, failures


def _runs(settings: ExplorerSettings, progress: Progress) -> list[core.Run | RunFailure]:
    count = len(settings.optimizers)
    return [
        _run_one(settings, slot, optimizer, _share(progress, number, count))
        for number, (slot, optimizer) in enumerate(
            zip(settings.slots, settings.optimizers, strict=True)
        )
    ]


def _share(progress: Progress, number: int, count: int) -> Progress:
    """Run `number` of `count` reports its own done fraction as a share of all of them."""
    return lambda done: progress((number + done) / count)


def _run_one(settings: ExplorerSettings, slot: int, optimizer: core.Optimizer, progress=None):
    try:
        return core.descend(
            settings.surface,
            optimizer,
            settings.start,
            settings.steps,
            schedule=settings.schedule,
            noise=settings.noise,
            seed=settings.seed,
            progress=progress,
        )
    except (ValueError, np.linalg.LinAlgError) as error:
        return RunFailure(slot, optimizer, str(error))


def grid_for(surface: core.Surface, resolution: int) -> SurfaceGrid:
    """The surface's contour grid at this resolution (cached by surface, parameters, size)."""
    return _cached_grid(surface_key(surface), resolution, surface)


@st.cache_resource(max_entries=32, ttl=3600, show_spinner=False)
def _cached_grid(key: tuple, resolution: int, _surface: core.Surface) -> SurfaceGrid:
    del key  # only hashed: it identifies the surface
    return surface_grid(_surface, resolution)
