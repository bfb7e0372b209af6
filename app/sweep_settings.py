"""The learning-rate lab's own controls, its URL table and its cached computations.

The lab shares the Explorer's sidebar (surface, start, optimizers, steps, noise, schedule): the
same widgets under the same keys, bound to the URL, so moving between the two pages keeps every
setting. Its own controls (which study, the sweep's range, grid sizes) carry a prefix of their
own. Every study is one batched descent in core.sweeps, first cut to the work budget (core.work:
fewer steps, then fewer rates or a coarser grid), then run under a progress bar and cached by
small hashable keys in bounded caches, since the inputs come from anyone with a link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

import core
from app.computations import shared_result, show_notice
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
from core.work import Request, descent_request, fit_to_budget

STUDIES = {
    "sweep": "Learning-rate sweep",
    "basins": "Basins of attraction",
    "momentum": "Learning rate × momentum",
    "starts": "Random starts",
}


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


# ----- the work budget ---------------------------------------------------------------------------
def _fitted(request: Request, inputs: StudyInputs, size: str) -> tuple[StudyInputs | None, int]:
    """The inputs with their steps cut to the budget and the cut value of `size` (None and 0
    when even the smallest study does not fit); the notice is shown."""
    cut, notice = fit_to_budget(request)
    show_notice(notice)
    if cut is None:
        return None, 0
    steps = cut.value("steps")
    fitted = inputs if steps == inputs.steps else replace(inputs, steps=steps)
    return fitted, cut.value(size)


def fit_sweep(inputs: StudyInputs, count: int) -> tuple[StudyInputs | None, int]:
    """Steps and the number of learning rates of a sweep of every optimizer, within budget."""
    settings = inputs.settings
    request = descent_request(
        "This sweep",
        settings.surface,
        settings.optimizers,
        inputs.steps,
        starts=count,
        smallest_starts=sweeps.MIN_LEARNING_RATES,
    )
    return _fitted(request, inputs, "starts" if count > 1 else "steps")


def fit_basins(inputs: StudyInputs, resolution: int) -> tuple[StudyInputs | None, int]:
    """Steps and grid side of a basin map, within budget."""
    settings = inputs.settings
    request = descent_request(
        "This basin map",
        settings.surface,
        settings.optimizers[:1],
        inputs.steps,
        grid_side=resolution,
    )
    return _fitted(request, inputs, "grid")


def fit_momentum(inputs: StudyInputs, count: int) -> tuple[StudyInputs | None, int]:
    """Steps and grid side of an lr × momentum map (heavy-ball SGD), within budget."""
    count = min(count, sweeps.MAX_MOMENTUM_GRID)
    heavy_ball = core.optimizer("sgd", momentum=0.9)
    request = descent_request(
        "This map", inputs.settings.surface, (heavy_ball,), inputs.steps, grid_side=count
    )
    return _fitted(request, inputs, "grid")


def fit_starts(inputs: StudyInputs, count: int) -> tuple[StudyInputs | None, int]:
    """Steps and number of random starts, within budget."""
    settings = inputs.settings
    request = descent_request(
        "These random starts", settings.surface, settings.optimizers[:1], inputs.steps, starts=count
    )
    return _fitted(request, inputs, "starts" if count > 1 else "steps")


# ----- computations, cached and under a progress bar ----------------------------------------------
def learning_rate_sweeps(inputs: StudyInputs, rates: tuple[float, float, int], target: float):
    """One sweep per optimizer on screen, each under its own progress bar."""
    settings = inputs.settings
    results = []
    for optimizer in settings.optimizers:

        def compute(progress, optimizer=optimizer):
            return sweeps.learning_rate_sweep(
                settings.surface,
                optimizer,
                settings.start,
                inputs.steps,
                sweeps.learning_rate_grid(*rates),
                schedule=settings.schedule,
                noise=settings.noise,
                seed=settings.seed,
                target_fraction=target,
                progress=progress,
            )

        message = f"Sweeping {optimizer.name}: {rates[2]} learning rates at once…"
        key = (inputs.key(optimizer), rates, target)
        results.append(shared_result("sweep", key, compute, message))
    return results


def basin_map(inputs: StudyInputs, resolution: int) -> sweeps.BasinMap:
    settings = inputs.settings
    optimizer = settings.optimizers[0]
    message = (
        f"Running {resolution * resolution:,} starts x {inputs.steps} steps of {optimizer.label()}…"
    )

    def compute(progress):
        return sweeps.basin_map(
            settings.surface,
            optimizer,
            resolution,
            inputs.steps,
            noise=settings.noise,
            seed=settings.seed,
            schedule=settings.schedule,
            progress=progress,
        )

    return shared_result("basins", (inputs.key(optimizer), resolution), compute, message)


def momentum_map(inputs: StudyInputs, rates: tuple[float, float], count: int):
    settings = inputs.settings
    grid_count = min(count, sweeps.MAX_MOMENTUM_GRID)
    message = (
        f"Running heavy-ball descent on a {grid_count} x {grid_count} grid of rate and momentum…"
    )

    def compute(progress):
        return sweeps.momentum_map(
            settings.surface,
            settings.start,
            inputs.steps,
            sweeps.learning_rate_grid(*rates, grid_count),
            sweeps.momentum_grid(grid_count),
            progress=progress,
        )

    return shared_result("momentum", (inputs.key(), rates, grid_count), compute, message)


def random_starts(inputs: StudyInputs, count: int, seed: int) -> sweeps.RandomStarts:
    settings = inputs.settings
    optimizer = settings.optimizers[0]
    message = f"Running {count:,} random starts of {optimizer.label()}…"

    def compute(progress):
        return sweeps.random_starts(
            settings.surface,
            optimizer,
            count,
            inputs.steps,
            seed=seed,
            noise=settings.noise,
            schedule=settings.schedule,
            progress=progress,
        )

    return shared_result("starts", (inputs.key(optimizer), count, seed), compute, message)


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
