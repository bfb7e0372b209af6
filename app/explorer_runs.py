"""The Explorer's computations, cached across reruns and visitors: the runs and the surface grids.

Both caches are keyed by small hashable summaries (`ExplorerSettings.cache_key`, `surface_key`)
and bounded (`max_entries`, `ttl`), because the inputs come from anyone with a link. Runs and
grids are read-only once made, so they are shared as resources rather than copied.
"""

from __future__ import annotations

import streamlit as st

import core
from app.explorer_settings import ExplorerSettings, surface_key
from app.figures import SurfaceGrid, surface_grid


def compute_runs(settings: ExplorerSettings) -> list[core.Run]:
    """One full-record run per optimizer, from the settings' start (cached)."""
    return _cached_runs(settings.cache_key(), settings)


@st.cache_resource(max_entries=64, ttl=3600, show_spinner=False)
def _cached_runs(key: tuple, _settings: ExplorerSettings) -> list[core.Run]:
    del key  # only hashed: it identifies the settings
    settings = _settings
    return [
        core.descend(
            settings.surface,
            optimizer,
            settings.start,
            settings.steps,
            schedule=settings.schedule,
            noise=settings.noise,
            seed=settings.seed,
        )
        for optimizer in settings.optimizers
    ]


def grid_for(surface: core.Surface, resolution: int) -> SurfaceGrid:
    """The surface's contour grid at this resolution (cached by surface, parameters, size)."""
    return _cached_grid(surface_key(surface), resolution, surface)


@st.cache_resource(max_entries=32, ttl=3600, show_spinner=False)
def _cached_grid(key: tuple, resolution: int, _surface: core.Surface) -> SurfaceGrid:
    del key  # only hashed: it identifies the surface
    return surface_grid(_surface, resolution)
