"""The Explorer's computations, cached across reruns and visitors: the runs and the surface grids.

Both caches are keyed by small hashable summaries (`ExplorerSettings.cache_key`, `surface_key`)
and bounded (`max_entries`, `ttl`), because the inputs come from anyone with a link. Runs and
grids are read-only once made, so they are shared as resources rather than copied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import core
from app.explorer_settings import ExplorerSettings, surface_key
from app.figures import SurfaceGrid, surface_grid


@dataclass(frozen=True)
class RunFailure:
    """An optimizer whose run raised (a singular Newton system, say): shown, not drawn."""

    slot: int
    optimizer: core.Optimizer
    message: str


def compute_runs(settings: ExplorerSettings) -> tuple[list[core.Run], list[int], list[RunFailure]]:
    """(runs, their slots, failures): one full-record run per optimizer (cached)."""
    outcomes = _cached_runs(settings.cache_key(), settings)
    runs, slots, failures = [], [], []
    for slot, outcome in zip(settings.slots, outcomes, strict=True):
        if isinstance(outcome, RunFailure):
            failures.append(outcome)
        else:
            runs.append(outcome)
            slots.append(slot)
    return runs, slots, failures


@st.cache_resource(max_entries=64, ttl=3600, show_spinner=False)
def _cached_runs(key: tuple, _settings: ExplorerSettings) -> list[core.Run | RunFailure]:
    del key  # only hashed: it identifies the settings
    return [
        _run_one(_settings, slot, optimizer)
        for slot, optimizer in zip(_settings.slots, _settings.optimizers, strict=True)
    ]


def _run_one(settings: ExplorerSettings, slot: int, optimizer: core.Optimizer):
    try:
        return core.descend(
            settings.surface,
            optimizer,
            settings.start,
            settings.steps,
            schedule=settings.schedule,
            noise=settings.noise,
            seed=settings.seed,
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
