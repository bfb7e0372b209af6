"""The learning-rate lab's own controls, its URL table and its cached computations.

The lab shares the Explorer's sidebar (surface, start, optimizers, steps, noise, schedule): the
same widgets under the same keys, bound to the URL, so moving between the two pages keeps every
setting. Its own controls (which study, the sweep's range, grid sizes) carry a prefix of their
own. Every study is one batched descent in core.sweeps, cached by small hashable keys with
bounded caches, since the inputs come from anyone with a link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

import core
from app.explorer_settings import (
    ExplorerSettings,
    explorer_link,
    surface_from_raw,
    surface_key,
)
from app.explorer_settings import (
    url_table as explorer_url_table,
)
from app.url_state import UrlParameter
from app.widgets import ChoiceControl, NumberControl
from core import sweeps

STUDIES = {
    "sweep": "Learning-rate sweep",
    "basins": "Basins of attraction",
    "momentum": "Learning rate × momentum",
    "starts": "Random starts",
}
CACHE = dict(max_entries=24, ttl=3600, show_spinner=False)


# ----- controls -------------------------------------------------------------------------------
def study_control() -> ChoiceControl:
    return ChoiceControl(
        "study",
        "Study",
        tuple(STUDIES),
        "sweep",
        "What to run many times: one optimizer at many learning rates, many "
        "starts over the whole domain, a grid of rate and momentum, or random "
        "starts.",
    )


def sweep_controls() -> tuple[NumberControl, ...]:
    return (
        NumberControl(
            "sweep_lowest",
            "Smallest learning rate",
            1e-4,
            1e-6,
            1.0,
            "The left end of the sweep (log scale).",
            log_scale=True,
        ),
        NumberControl(
            "sweep_highest",
            "Largest learning rate",
            1.0,
            1e-4,
            100.0,
            "The right end of the sweep (log scale).",
            log_scale=True,
        ),
        NumberControl(
            "sweep_rates",
            "Learning rates",
            60,
            sweeps.MIN_LEARNING_RATES * 10,
            sweeps.MAX_LEARNING_RATES,
            "How many rates, evenly spaced on a log scale (20 to 200).",
            integer=True,
        ),
        NumberControl(
            "sweep_target",
            "Target loss gap (share of the start's)",
            1e-3,
            1e-8,
            0.5,
            "A run reaches the target when f − f* falls to this share of its "
            "starting value; the lower plot counts the steps it took.",
            log_scale=True,
        ),
    )


def basin_controls() -> tuple[NumberControl | ChoiceControl, ...]:
    return (
        NumberControl(
            "basin_resolution",
            "Grid (starts per side)",
            100,
            10,
            sweeps.MAX_BASIN_RESOLUTION,
            "The map runs resolution² starts, one per pixel (up to 200 x 200 = 40,000).",
            integer=True,
        ),
        ChoiceControl(
            "basin_colour",
            "Colour by",
            ("outcome", "steps"),
            "outcome",
            "Which minimum each start ends in, or how many steps it took.",
        ),
    )


def momentum_controls() -> tuple[NumberControl | ChoiceControl, ...]:
    return (
        NumberControl(
            "momentum_grid",
            "Grid (values per axis)",
            40,
            10,
            sweeps.MAX_MOMENTUM_GRID,
            "Learning rates (the sweep's range) x momenta from 0 to 0.99.",
            integer=True,
        ),
        ChoiceControl(
            "momentum_show",
            "Colour by",
            ("rate", "loss"),
            "rate",
            "The loss contraction per step (below 1 converges; smaller is faster), "
            "or the final loss gap.",
        ),
    )


def start_count_controls() -> tuple[NumberControl, ...]:
    return (
        NumberControl(
            "starts_count",
            "Random starts",
            1000,
            10,
            sweeps.MAX_RANDOM_STARTS,
            "How many starts to draw uniformly over the domain.",
            integer=True,
        ),
        NumberControl(
            "starts_seed",
            "Start seed",
            0,
            0,
            9999,
            "The same seed draws the same starts.",
            integer=True,
        ),
    )


def own_controls() -> tuple[NumberControl | ChoiceControl, ...]:
    return (
        study_control(),
        *sweep_controls(),
        *basin_controls(),
        *momentum_controls(),
        *start_count_controls(),
    )


def url_table(surface_name: str, link: Mapping[str, Any] | None = None) -> tuple[UrlParameter, ...]:
    """The Explorer's parameters (shared; ranges following `link`, see its url_table) and the
    lab's own."""
    shared = explorer_url_table(surface_name, link)
    return shared + tuple(c.url_parameter() for c in own_controls())


def url_table_for_link(raw: Mapping[str, Any]) -> tuple[UrlParameter, ...]:
    """The lab's URL table for the surface and the values a raw query string carries."""
    return url_table(surface_from_raw(raw), raw)


def draw_study(container: Any) -> str:
    """The study picker as a row of buttons, bound to the URL."""
    control = study_control()
    chosen = container.segmented_control(
        control.label,
        tuple(STUDIES),
        default=control.default,
        format_func=STUDIES.get,
        key=control.key,
        help=control.help,
        bind="query-params",
        required=True,
        label_visibility="collapsed",
    )
    return chosen or control.default


def draw_row(container: Any, controls: tuple) -> list[Any]:
    """Draw controls side by side; their values in order."""
    columns = container.columns(len(controls))
    return [control.draw(column) for control, column in zip(controls, columns, strict=True)]


# ----- what the studies share -----------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class StudyInputs:
    """What every study reads from the shared sidebar, with steps capped for many runs."""

    settings: ExplorerSettings
    steps: int

    @classmethod
    def from_settings(cls, settings: ExplorerSettings) -> StudyInputs:
        return cls(settings, min(settings.steps, sweeps.MAX_SWEEP_STEPS))

    @property
    def capped(self) -> bool:
        return self.steps < self.settings.steps

    def key(self, optimizer: core.Optimizer | None = None) -> tuple:
        """A hashable summary of the surface, one optimizer and the run settings."""
        settings = self.settings
        return (
            surface_key(settings.surface),
            None if optimizer is None else optimizer_key(optimizer),
            settings.start,
            self.steps,
            settings.noise,
            settings.seed,
            schedule_key(settings.schedule),
        )


def optimizer_key(optimizer: core.Optimizer) -> tuple:
    return optimizer.name, tuple(sorted((k, repr(v)) for k, v in optimizer.hyperparameters.items()))


def schedule_key(schedule: core.Schedule | None) -> tuple | None:
    if schedule is None:
        return None
    return schedule.name, tuple(sorted(schedule.parameters.items()))


def with_progress(message: str, work: Callable[[], Any]) -> Any:
    """Run `work` under a progress bar that says what is running; the bar goes when it ends."""
    bar = st.progress(0, text=message)
    try:
        return work()
    finally:
        bar.empty()


# ----- cached computations ----------------------------------------------------------------------
def learning_rate_sweeps(inputs: StudyInputs, rates: tuple[float, float, int], target: float):
    """One sweep per optimizer on screen; the bar advances per optimizer."""
    optimizers = inputs.settings.optimizers
    bar = st.progress(0, text="Sweeping the learning rate…")
    results = []
    for number, optimizer in enumerate(optimizers):
        bar.progress(
            number / len(optimizers),
            text=f"Sweeping {optimizer.name}: {rates[2]} learning rates at once…",
        )
        results.append(_sweep(inputs.key(optimizer), rates, target, inputs, optimizer))
    bar.empty()
    return results


@st.cache_data(**CACHE)
def _sweep(key: tuple, rates: tuple, target: float, _inputs: StudyInputs, _optimizer):
    settings = _inputs.settings
    return sweeps.learning_rate_sweep(
        settings.surface,
        _optimizer,
        settings.start,
        _inputs.steps,
        sweeps.learning_rate_grid(*rates),
        schedule=settings.schedule,
        noise=settings.noise,
        seed=settings.seed,
        target_fraction=target,
    )


def basin_map(inputs: StudyInputs, resolution: int) -> sweeps.BasinMap:
    optimizer = inputs.settings.optimizers[0]
    message = (
        f"Running {resolution * resolution:,} starts x {inputs.steps} steps of {optimizer.label()}…"
    )
    return with_progress(message, lambda: _basins(inputs.key(optimizer), resolution, inputs))


@st.cache_data(**CACHE)
def _basins(key: tuple, resolution: int, _inputs: StudyInputs) -> sweeps.BasinMap:
    settings = _inputs.settings
    return sweeps.basin_map(
        settings.surface,
        settings.optimizers[0],
        resolution,
        _inputs.steps,
        noise=settings.noise,
        seed=settings.seed,
        schedule=settings.schedule,
    )


def momentum_map(inputs: StudyInputs, rates: tuple[float, float], count: int):
    message = f"Running heavy-ball descent on a {count} x {count} grid of rate and momentum…"
    return with_progress(message, lambda: _momentum(inputs.key(), rates, count, inputs))


@st.cache_data(**CACHE)
def _momentum(key: tuple, rates: tuple, count: int, _inputs: StudyInputs) -> sweeps.MomentumMap:
    settings = _inputs.settings
    grid_count = min(count, sweeps.MAX_MOMENTUM_GRID)
    return sweeps.momentum_map(
        settings.surface,
        settings.start,
        _inputs.steps,
        sweeps.learning_rate_grid(*rates, grid_count),
        sweeps.momentum_grid(grid_count),
    )


def random_starts(inputs: StudyInputs, count: int, seed: int) -> sweeps.RandomStarts:
    optimizer = inputs.settings.optimizers[0]
    message = f"Running {count:,} random starts of {optimizer.label()}…"
    return with_progress(message, lambda: _starts(inputs.key(optimizer), count, seed, inputs))


@st.cache_data(**CACHE)
def _starts(key: tuple, count: int, seed: int, _inputs: StudyInputs) -> sweeps.RandomStarts:
    settings = _inputs.settings
    return sweeps.random_starts(
        settings.surface,
        settings.optimizers[0],
        count,
        _inputs.steps,
        seed=seed,
        noise=settings.noise,
        schedule=settings.schedule,
    )


# ----- the link to the Explorer -----------------------------------------------------------------
def explorer_link_for_start(start: tuple[float, float]) -> str:
    """A link to the Explorer with every shared setting of this page and the start moved."""
    table = explorer_url_table(str(st.session_state.get("surface", "bowl")))
    values = {p.key: st.session_state[p.key] for p in table if p.key in st.session_state}
    values.update(x0=start[0], y0=start[1])
    return explorer_link(**values)


def clicked_start(selection_state: Any) -> tuple[float, float] | None:
    """The (x, y) of the first point in a plotly selection state, exactly (the click targets
    are the map's starts, sent as float64)."""
    try:
        point = selection_state["selection"]["points"][0]
        return float(point["x"]), float(point["y"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
