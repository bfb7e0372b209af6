"""The Explorer's controls and the settings object they produce.

Data flows one way: the sidebar widgets (every one bound to the URL) -> `ExplorerSettings` ->
core computes the runs -> the figures draw them. The controls are described once, as `Control`s
from app.widgets, so the same description draws the widget and validates a shared link.

URL keys: surface, <surface>_<parameter> (bowl_kappa), x0, y0, optimizers (how many, 1..4);
per optimizer slot (no suffix for the first, _2, _3, _4 for the others): optimizer, lr,
<optimizer>_<hyperparameter> (sgd_momentum, lr_2, adam_beta1_2 ...); steps, noise, seed,
schedule, <schedule>_<parameter> (cosine_T_max); view3d, table, inspect, k.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import core
from app.untrusted_text import MESSAGE_LIMIT, escape_markdown
from app.url_state import UrlParameter, clean_values, control_shown, full_number, page_link
from app.widgets import ChoiceControl, Control, NumberControl, ToggleControl
from core.optimizers import OPTIMIZERS, HyperparameterSpec
from core.schedules import SCHEDULES
from core.surfaces import SURFACES

MAX_STEPS = 5000
MAX_OPTIMIZERS = 4
DEFAULT_SURFACE = "bowl"
DEFAULT_LR = 0.1
SLOT_DEFAULTS = ("sgd", "adam", "rmsprop", "nadam")
"""The optimizer each slot starts with: plain descent first, then the adaptive family."""

MAIN_HYPERPARAMETERS = ("momentum", "betas")
"""Shown beside the learning rate; every other hyperparameter sits in the "advanced" expander."""

LR_HELP = (
    "How far each step moves along the (scaled) gradient, on a log scale. Too small crawls; "
    "too large overshoots, and above the critical rate plain descent diverges."
)
CUSTOM_SURFACE = "custom"
BORDER = 1e3
"""Start range used to validate a link to a surface whose domain is not known in advance."""


# ----- URL keys -------------------------------------------------------------------------------
def slot_suffix(slot: int) -> str:
    """'' for the first optimizer, '_2', '_3', '_4' for the others."""
    return "" if slot == 0 else f"_{slot + 1}"


def surface_parameter_key(surface_name: str, parameter: str) -> str:
    return f"{surface_name}_{parameter}"


def hyperparameter_key(slot: int, optimizer_name: str, name: str) -> str:
    return f"{optimizer_name}_{name}{slot_suffix(slot)}"


# ----- the control descriptions ---------------------------------------------------------------
def surface_control() -> ChoiceControl:
    return ChoiceControl(
        "surface",
        "Surface",
        tuple(core.surface_names()),
        DEFAULT_SURFACE,
        "The function to descend. Each has a note on what it teaches.",
    )


def surface_parameter_controls(surface_name: str) -> tuple[NumberControl, ...]:
    """The surface's own parameters (the bowl's condition number and rotation), from its specs."""
    entry = SURFACES.get(surface_name)
    if entry is None or surface_name == CUSTOM_SURFACE:
        return ()
    return tuple(
        NumberControl(
            surface_parameter_key(surface_name, spec.name),
            spec.name.replace("_", " "),
            spec.default,
            spec.minimum,
            spec.maximum,
            spec.help,
            spec.log_scale,
            spec.integer,
        )
        for spec in entry.parameters
    )


def start_controls(domain: tuple[float, float, float, float], start: tuple[float, float]):
    """Start x and y, each ranging over the surface's domain."""
    x_min, x_max, y_min, y_max = domain
    help_text = "Where the descent starts. Click anywhere on the contour to move it there."
    return (
        NumberControl("x0", "Start x", start[0], x_min, x_max, help_text),
        NumberControl("y0", "Start y", start[1], y_min, y_max, help_text),
    )


def count_control() -> NumberControl:
    return NumberControl(
        "optimizers",
        "Optimizers to compare",
        1,
        1,
        MAX_OPTIMIZERS,
        "Run up to four optimizers side by side from the same start.",
        integer=True,
    )


def optimizer_control(slot: int) -> ChoiceControl:
    return ChoiceControl(
        f"optimizer{slot_suffix(slot)}",
        "Optimizer",
        tuple(core.optimizer_names()),
        SLOT_DEFAULTS[slot],
        "torch.optim's update rules and defaults.",
    )


def lr_control(slot: int) -> NumberControl:
    label = "Learning rate" if slot == 0 else f"Learning rate #{slot + 1}"
    return NumberControl(
        f"lr{slot_suffix(slot)}", label, DEFAULT_LR, 1e-5, 10.0, LR_HELP, log_scale=True
    )


@dataclass(frozen=True)
class HyperparameterControl:
    """A hyperparameter's control, the keyword it fills and whether it sits beside the lr."""

    control: Control
    keyword: str
    main: bool


def hyperparameter_controls(slot: int, optimizer_name: str) -> tuple[HyperparameterControl, ...]:
    """Every hyperparameter but lr, from the registry's specs (betas become two sliders)."""
    controls: list[HyperparameterControl] = []
    for spec in OPTIMIZERS[optimizer_name].hyperparameters:
        if spec.name == "lr":
            continue
        main = spec.name in MAIN_HYPERPARAMETERS
        for keyword, control in _spec_controls(slot, optimizer_name, spec):
            controls.append(HyperparameterControl(control, keyword, main))
    return tuple(controls)


def _spec_controls(
    slot: int, optimizer_name: str, spec: HyperparameterSpec
) -> list[tuple[str, Control]]:
    """(keyword, control) pairs for one spec: a toggle, one slider, or two for a pair."""
    if spec.kind == "pair":
        singular = spec.name.removesuffix("s")  # betas -> beta1, beta2
        keywords = [f"{singular}{index + 1}" for index in range(len(spec.default))]
        return [
            (
                keyword,
                NumberControl(
                    hyperparameter_key(slot, optimizer_name, keyword),
                    keyword,
                    default,
                    spec.minimum,
                    spec.maximum,
                    spec.help,
                ),
            )
            for keyword, default in zip(keywords, spec.default, strict=True)
        ]
    key, label = hyperparameter_key(slot, optimizer_name, spec.name), spec.name.replace("_", " ")
    if spec.kind == "bool":
        return [(spec.name, ToggleControl(key, label, bool(spec.default), spec.help))]
    return [
        (
            spec.name,
            NumberControl(
                key, label, spec.default, spec.minimum, spec.maximum, spec.help, spec.log_scale
            ),
        )
    ]


def run_controls() -> tuple[NumberControl, ...]:
    return (
        NumberControl(
            "steps",
            "Steps",
            200,
            1,
            MAX_STEPS,
            "How many updates to take at most (a run stops early when it converges or diverges).",
            integer=True,
        ),
        NumberControl(
            "noise",
            "Gradient noise σ",
            0.0,
            0.0,
            5.0,
            "Adds σ·N(0, 1) to every gradient the optimizer sees, like a mini-batch estimate.",
        ),
        NumberControl(
            "seed", "Noise seed", 0, 0, 9999, "The same seed gives the same noise.", integer=True
        ),
    )


def schedule_control() -> ChoiceControl:
    return ChoiceControl(
        "schedule",
        "Learning-rate schedule",
        tuple(core.schedule_names()),
        "constant",
        "How the learning rate changes from step to step "
        "(torch.optim.lr_scheduler's closed forms).",
    )


def schedule_parameter_controls(schedule_name: str) -> tuple[NumberControl, ...]:
    return tuple(
        NumberControl(
            f"{schedule_name}_{spec.name}",
            spec.name.replace("_", " "),
            spec.default,
            spec.minimum,
            spec.maximum,
            spec.help,
            integer=spec.integer,
        )
        for spec in SCHEDULES[schedule_name].parameters
    )


class ViewControls(NamedTuple):
    """The switches under the map, and the path and step the anatomy and the table show."""

    anatomy: ToggleControl
    table: ToggleControl
    three_d: ToggleControl
    inspect: ChoiceControl
    step: NumberControl


def view_controls(steps: int = MAX_STEPS) -> ViewControls:
    """The view switches; step k ranges over the steps asked for (0 to steps − 1, at least 1)."""
    return ViewControls(
        ToggleControl(
            "anatomy",
            "Anatomy of a step",
            False,
            "The update rule of one step written out with that step's numbers: point, "
            "gradient, the optimizer's state, learning rate, update and next point.",
        ),
        ToggleControl(
            "table",
            "Per-step table",
            False,
            "Every step's point, value, gradient and update, with a CSV download.",
        ),
        ToggleControl(
            "view3d",
            "3-D view",
            False,
            "Draw the surface in 3-D with the paths on it (slower to draw).",
        ),
        ChoiceControl(
            "inspect",
            "Optimizer to inspect",
            ("1", "2", "3", "4"),
            "1",
            "Which path the anatomy of a step and the table show.",
        ),
        NumberControl(
            "k",
            "Step k",
            0,
            0,
            max(steps - 1, 1),
            "The step whose numbers are shown.",
            integer=True,
        ),
    )


# ----- the URL table --------------------------------------------------------------------------
def url_table(surface_name: str, link: Mapping[str, Any] | None = None) -> tuple[UrlParameter, ...]:
    """Every control the Explorer may draw for this surface, as URL parameters.

    Two ranges depend on other controls, and follow the values `link` gives them (a raw query
    string, or a lesson's settings; the defaults without one): the start's box and default are
    those of the surface built with the link's surface parameters (and, for a typed formula, its
    formula and domain), and step k runs to the link's steps − 1. So a notice about x0 or k names
    the value the control can hold.
    """
    link = link or {}
    surface_controls = surface_parameter_controls(surface_name)
    parameters = _link_values(tuple(c.url_parameter() for c in surface_controls), link)
    steps_parameter = run_controls()[0].url_parameter()
    steps = int(_link_values((steps_parameter,), link)[steps_parameter.key])
    controls: list[Control] = [surface_control(), count_control(), schedule_control()]
    controls += surface_controls
    controls += start_controls(*_start_range(surface_name, parameters, link))
    for slot in range(MAX_OPTIMIZERS):
        controls += [optimizer_control(slot), lr_control(slot)]
        for name in OPTIMIZERS:
            controls += [entry.control for entry in hyperparameter_controls(slot, name)]
    controls += run_controls()
    for name in SCHEDULES:
        controls += schedule_parameter_controls(name)
    controls += view_controls(steps)
    return tuple(control.url_parameter() for control in controls)


def _link_values(table: tuple[UrlParameter, ...], link: Mapping[str, Any]) -> dict[str, Any]:
    """The clean values of these parameters in `link` (query strings or a lesson's values)."""
    texts = {}
    for parameter in table:
        if parameter.key in link:
            value = link[parameter.key]
            plain = isinstance(value, str) or (isinstance(value, list | tuple) and value)
            texts[parameter.key] = value if plain else parameter.serialize(value)
    return clean_values(table, texts)[0]


def _start_range(surface_name: str, parameters: Mapping[str, Any], link: Mapping[str, Any]):
    """(domain, default start) of the surface as the page will build it: with these surface
    parameters ({key: value}), or for a typed formula the formula and domain of the link; a
    wide box for a surface that cannot be built."""
    unknown = ((-BORDER, BORDER, -BORDER, BORDER), (0.0, 0.0))
    if surface_name == CUSTOM_SURFACE:
        from app.custom_surface import link_surface

        built = link_surface(link)
        return built.domain, built.default_start
    if surface_name not in SURFACES:
        return unknown
    prefix = f"{surface_name}_"
    try:
        built = core.surface(
            surface_name, **{key.removeprefix(prefix): value for key, value in parameters.items()}
        )
    except (TypeError, ValueError):
        return unknown
    return built.domain, built.default_start


def url_table_for_link(raw: Mapping[str, Any]) -> tuple[UrlParameter, ...]:
    """The Explorer's URL table for the surface and the values a raw query string carries."""
    return url_table(surface_from_raw(raw), raw)


def surface_from_raw(raw: Mapping[str, Any]) -> str:
    """The surface a raw query string asks for, cleaned (the default when it is unknown)."""
    values, _ = clean_values((surface_control().url_parameter(),), raw)
    return values["surface"]


def explorer_link(**values: Any) -> str:
    """A relative link that opens the Explorer with these control values.

    explorer_link(surface="himmelblau", x0=1.0, y0=-2.0, optimizer="sgd", lr=0.01)
    -> "/?surface=himmelblau&x0=1&y0=-2&optimizer=sgd&lr=0.01". Keys are the URL keys above.
    """
    surface_name = str(values.get("surface", DEFAULT_SURFACE))
    return page_link("/", url_table(surface_name), values)


# ----- the settings object --------------------------------------------------------------------
@dataclass(frozen=True)
class OptimizerChoice:
    """One optimizer on screen: its slot (colour), name and hyperparameters (lr included)."""

    slot: int
    name: str
    hyperparameters: tuple[tuple[str, Any], ...]

    def build(self) -> core.Optimizer:
        """The core optimizer; ValueError names a bad combination (Nesterov without momentum)."""
        return core.optimizer(self.name, **dict(self.hyperparameters))


@dataclass(frozen=True, eq=False)
class ExplorerSettings:
    """Everything the Explorer computes from: one surface, up to four optimizers, one start."""

    surface: core.Surface
    optimizers: tuple[core.Optimizer, ...]
    slots: tuple[int, ...]
    start: tuple[float, float]
    steps: int
    noise: float
    seed: int
    schedule: core.Schedule | None

    def cache_key(self) -> tuple:
        """A hashable summary of everything a run depends on."""
        return (
            surface_key(self.surface),
            tuple((o.name, tuple(sorted(o.hyperparameters.items()))) for o in self.optimizers),
            self.start,
            self.steps,
            self.noise,
            self.seed,
            None
            if self.schedule is None
            else (self.schedule.name, tuple(sorted(self.schedule.parameters.items()))),
        )


def surface_key(surface: core.Surface) -> tuple:
    """What identifies a surface's function: name, parameters, formula text and domain."""
    parameters = tuple(sorted((k, repr(v)) for k, v in surface.parameters.items()))
    return (surface.name, parameters, surface.latex, surface.title, surface.domain)


def critical_rate_caption(surface: core.Surface, start, optimizer: core.Optimizer) -> str:
    """The optimizer's stability edge at the start, in words, for the caption under its rate."""
    edge = core.stability_edge(optimizer, surface, start)
    if edge.rate is None:
        return (
            "Stability edge at the start: none fixed. Adaptive steps are about lr long "
            "whatever the slope, so the bound of plain descent does not apply."
        )
    if not edge.finite:
        return f"Stability edge at the start: {edge.phrase()}."
    caption = f"Stability edge {edge.formula} at the start: **{edge.rate:.3g}**."
    if optimizer.lr > edge.rate:
        caption += (
            " The learning rate is above it: near the start each step overshoots by more "
            "than it gains, so the oscillation grows."
        )
    return caption


# ----- drawing the sidebar --------------------------------------------------------------------
def draw_controls() -> ExplorerSettings:
    """Draw the sidebar (every widget bound to the URL) and return the settings it shows."""
    import streamlit as st

    sidebar = st.sidebar
    surface = _draw_surface(sidebar)
    start = _draw_start(sidebar, surface)
    count = int(count_control().draw(sidebar))
    optimizers, slots = [], []
    for slot in range(count):
        built = _draw_optimizer(sidebar.container(border=True), slot, surface, start)
        if built is not None:
            optimizers.append(built)
            slots.append(slot)
    steps, noise, seed = (control.draw(sidebar) for control in run_controls())
    schedule = _draw_schedule(
        sidebar.expander("Learning-rate schedule") if control_shown("schedule") else sidebar
    )
    return ExplorerSettings(
        surface,
        tuple(optimizers),
        tuple(slots),
        start,
        int(steps),
        float(noise),
        int(seed),
        schedule,
    )


START_RESET = "_explorer_start_reset"


def _reset_start() -> None:
    """A new surface starts from its own default start (its old start may be off its domain)."""
    import streamlit as st

    name = st.session_state.get("surface", DEFAULT_SURFACE)
    if name != CUSTOM_SURFACE:
        _, start = _start_range(name, {}, {})
        st.session_state[START_RESET] = (float(start[0]), float(start[1]))


def _draw_surface(container: Any) -> core.Surface:
    name = surface_control().draw(container, on_change=_reset_start)
    if name == CUSTOM_SURFACE:
        return _custom_surface(container)
    values = {
        control.key.removeprefix(f"{name}_"): control.draw(container)
        for control in surface_parameter_controls(name)
    }
    try:
        return core.surface(name, **values)
    except ValueError as error:
        container.error(
            f"This surface cannot be built with these values "
            f"({escape_markdown(str(error), limit=MESSAGE_LIMIT)}); "
            f"showing the {DEFAULT_SURFACE} instead."
        )
        return core.surface(DEFAULT_SURFACE)


def _custom_surface(container: Any) -> core.Surface:
    """The formula editor's surface (its module draws the box and handles its own errors)."""
    try:
        from app.custom_surface import custom_surface_controls
    except ImportError:
        container.error(f"The formula editor is not available; showing the {DEFAULT_SURFACE}.")
        return core.surface(DEFAULT_SURFACE)
    return custom_surface_controls()


def _draw_start(container: Any, surface: core.Surface) -> tuple[float, float]:
    import streamlit as st

    x_control, y_control = start_controls(surface.domain, surface.default_start)
    reset = st.session_state.get(START_RESET)
    if reset is not None:
        st.session_state["x0"], st.session_state["y0"] = reset
    for control in (x_control, y_control):
        # A surface parameter or the formula editor may have moved the domain under the start.
        current = st.session_state.get(control.key)
        if current is not None and not control.minimum <= current <= control.maximum:
            st.session_state[control.key] = min(max(current, control.minimum), control.maximum)
    columns = container.columns(2)
    start = float(x_control.draw(columns[0])), float(y_control.draw(columns[1]))
    if not (x_control.shows_exactly(start[0]) and y_control.shows_exactly(start[1])):
        container.caption(
            f"The runs start at exactly ({full_number(start[0])}, {full_number(start[1])}); "
            "the sliders show it rounded to their step."
        )
    if reset is not None:
        # New start sliders (a new domain) seed themselves from the link the page was opened
        # with; one more run makes the reset win, and writes it to the URL.
        attempts = st.session_state.get(f"{START_RESET}:attempts", 0)
        if start != reset and attempts < 2:
            st.session_state[f"{START_RESET}:attempts"] = attempts + 1
            st.rerun()
        st.session_state.pop(START_RESET, None)
        st.session_state.pop(f"{START_RESET}:attempts", None)
    return start


def _draw_optimizer(container: Any, slot: int, surface: core.Surface, start) -> Any:
    """One optimizer's controls; its core Optimizer, or None (with a message) when invalid."""
    name = optimizer_control(slot).draw(container)
    lr = lr_control(slot).draw(container)
    caption = container.empty()
    values: dict[str, Any] = {"lr": float(lr)}
    advanced = None
    for entry in hyperparameter_controls(slot, name):
        if not entry.main and advanced is None and control_shown(entry.control.key):
            advanced = container.expander("Advanced")  # only for a control a link lets show
        values[entry.keyword] = entry.control.draw(container if entry.main else advanced)
    values = _pair_betas(values)
    try:
        optimizer = core.optimizer(name, **values)
    except ValueError as error:
        container.error(
            f"This optimizer is left out: {escape_markdown(str(error), limit=MESSAGE_LIMIT)}"
        )
        return None
    caption.caption(critical_rate_caption(surface, start, optimizer))
    return optimizer


def _pair_betas(values: dict[str, Any]) -> dict[str, Any]:
    """beta1 and beta2 back into torch's betas pair."""
    if "beta1" in values:
        values = dict(values)
        values["betas"] = (float(values.pop("beta1")), float(values.pop("beta2")))
    return values


def _draw_schedule(container: Any) -> core.Schedule | None:
    name = schedule_control().draw(container)
    if name == "constant":
        return None
    values = {
        control.key.removeprefix(f"{name}_"): control.draw(container)
        for control in schedule_parameter_controls(name)
    }
    return core.schedule(name, **values)
