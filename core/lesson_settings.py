"""A page's settings, in its own URL keys, read into core objects and run as the page would.

A lesson (core.lessons) stores the settings of the page it opens exactly as that page's link
carries them. `read_scenario(page, settings)` checks every key against core's registries (names,
ranges, whole numbers) and returns a scenario; `run_scenario(page, settings)` computes what the page
shows. SettingError names the key at fault.

The URL keys read here:
- explorer: surface, <surface>_<parameter>, x0, y0, optimizers (1..4); per optimizer slot
  (suffix "", _2, _3, _4) optimizer, lr, <optimizer>_<hyperparameter> (betas as beta1, beta2);
  steps, noise, seed, schedule, <schedule>_<parameter>.
- sweeps: the explorer's keys and study (sweep or basins), sweep_lowest, sweep_highest,
  sweep_rates, basin_resolution.
- network: net_data, net_noise, net_points, net_train, net_normalise, net_x2 ... (extra features),
  net_layers, net_units1.., net_activation, net_loss, net_penalty (none, l1, l2), net_rate,
  net_batch, net_epochs, net_seed, and the first optimizer slot and schedule keys above.
Keys that only change the display (DISPLAY_KEYS), and the keys of optimizers and schedules not
chosen, are accepted and ignored, as the pages keep them in their links. Which keys a page draws,
and its sliders' ranges and steps, are checked on the app side against the pages' URL tables.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.descent import Run, descend
from core.nn.activations import ACTIVATIONS
from core.nn.datasets import DATASETS, EXTRA_FEATURES, MAX_POINTS, MIN_POINTS, make_dataset
from core.nn.losses import LOSSES
from core.nn.mlp import MAX_HIDDEN_LAYERS, MAX_UNITS
from core.nn.training import MAX_EPOCHS, Trainer, TrainingConfig
from core.optimizers import OPTIMIZERS, HyperparameterSpec, Optimizer, optimizer
from core.schedules import SCHEDULES, Schedule, schedule
from core.surfaces import SURFACES, Surface, surface
from core.sweeps import (
    MAX_BASIN_RESOLUTION,
    MAX_LEARNING_RATES,
    MIN_LEARNING_RATES,
    BasinMap,
    LearningRateSweep,
    basin_map,
    learning_rate_grid,
    learning_rate_sweep,
)

PAGES = ("explorer", "sweeps", "network")
MAX_SLOTS = 4
MAX_LESSON_STEPS = 5000
STUDIES = ("sweep", "basins")
DISPLAY_KEYS = ("view3d", "table", "inspect", "k", "basin_colour", "momentum_show")
FEATURE_KEYS = dict(
    zip(EXTRA_FEATURES, ("net_x2", "net_y2", "net_xy", "net_sinx", "net_siny"), strict=True)
)
"""The Network Lab's toggle for each extra input feature."""
PENALTIES = ("none", "l1", "l2")
MAIN_HYPERPARAMETERS = ("lr", "momentum", "betas")
"""What the Network Lab shows of an optimizer (the Explorer shows every hyperparameter)."""


class SettingError(ValueError):
    """One setting that cannot be read: `key` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


# ----- reading settings -------------------------------------------------------------------------
class _Reader:
    """Reads settings by key, checking type and range, and remembers which keys it used."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings, self.used = dict(settings), set(DISPLAY_KEYS)

    def has(self, key: str) -> bool:
        return key in self.settings

    def raw(self, key: str, default: Any = None, required: bool = False) -> Any:
        self.used.add(key)
        if key not in self.settings:
            if required:
                raise SettingError(key, "is required for this page")
            return default
        return self.settings[key]

    def number(self, key: str, default: Any, low: float, high: float, **kind: Any) -> float:
        value = self.raw(key, default, kind.get("required", False))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingError(key, f"{value!r} is not a number")
        if not (math.isfinite(value) and low <= value <= high):
            raise SettingError(key, f"{value!r} is outside [{low:g}, {high:g}]")
        if kind.get("integer") and value != int(value):
            raise SettingError(key, f"{value!r} is not a whole number")
        return int(value) if kind.get("integer") else float(value)

    def choice(self, key: str, default: Any, choices: Sequence[str], required=False) -> str:
        value = self.raw(key, default, required)
        if value not in choices:
            raise SettingError(key, f"{value!r} is not one of {', '.join(map(str, choices))}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise SettingError(key, f"{value!r} is not true or false")
        return value

    def ignore(self, keys) -> None:
        """Accept these keys without reading them (settings the scenario does not use)."""
        self.used.update(keys)

    def check_all_used(self) -> None:
        unknown = sorted(set(self.settings) - self.used)
        if unknown:
            raise SettingError(unknown[0], "is not a setting of this page")


def slot_suffix(slot: int) -> str:
    """'' for the first optimizer slot (0), '_2', '_3', '_4' for the others."""
    return "" if slot == 0 else f"_{slot + 1}"


def _read_surface(reader: _Reader) -> Surface:
    name = reader.choice("surface", None, tuple(SURFACES), required=True)
    values = {}
    for spec in SURFACES[name].parameters:
        key = f"{name}_{spec.name}"
        if reader.has(key):
            values[spec.name] = reader.number(
                key, spec.default, spec.minimum, spec.maximum, integer=spec.integer
            )
    return surface(name, **values)


def _read_start(reader: _Reader, built: Surface) -> tuple[float, float]:
    x_min, x_max, y_min, y_max = built.domain
    x0, y0 = built.default_start
    return reader.number("x0", x0, x_min, x_max), reader.number("y0", y0, y_min, y_max)


def hyperparameter_keys(name: str, spec: HyperparameterSpec, suffix: str) -> tuple[str, ...]:
    """The URL keys of one hyperparameter in one slot: lr, sgd_momentum_2, adam_beta1 ..."""
    if spec.name == "lr":
        return (f"lr{suffix}",)
    if spec.kind == "pair":
        return tuple(f"{name}_beta{index + 1}{suffix}" for index in range(len(spec.default)))
    return (f"{name}_{spec.name}{suffix}",)


def _read_hyperparameter(reader: _Reader, name: str, spec: HyperparameterSpec, suffix: str):
    keys = hyperparameter_keys(name, spec, suffix)
    if spec.kind == "bool":
        return reader.flag(keys[0], bool(spec.default))
    if spec.kind == "pair":
        return tuple(
            reader.number(key, default, spec.minimum, spec.maximum)
            for key, default in zip(keys, spec.default, strict=True)
        )
    return reader.number(
        keys[0], spec.default, spec.minimum, spec.maximum, required=spec.name == "lr"
    )


def _read_optimizer(reader: _Reader, slot: int, main_only: bool = False) -> Optimizer:
    """Slot `slot`'s optimizer: name, lr and hyperparameters (each within its spec's range).

    The keys of the other optimizers' hyperparameters are accepted and ignored, as on the page
    (a setting stays in the link when the optimizer changes)."""
    suffix = slot_suffix(slot)
    name = reader.choice(f"optimizer{suffix}", None, tuple(OPTIMIZERS), required=True)
    for other, rule in OPTIMIZERS.items():
        if other != name:
            reader.ignore(
                k for spec in rule.hyperparameters for k in hyperparameter_keys(other, spec, suffix)
            )
    values = {
        spec.name: _read_hyperparameter(reader, name, spec, suffix)
        for spec in OPTIMIZERS[name].hyperparameters
        if not main_only or spec.name in MAIN_HYPERPARAMETERS
    }
    try:
        return optimizer(name, **values)
    except ValueError as error:
        raise SettingError(f"optimizer{suffix}", str(error)) from error


def _read_schedule_values(reader: _Reader) -> tuple[str, dict[str, float]]:
    """The schedule's name and the parameters the settings give (the rest keep their defaults);
    the other schedules' parameter keys are accepted and ignored, as on the page."""
    name = reader.choice("schedule", "constant", tuple(SCHEDULES))
    for other, rule in SCHEDULES.items():
        if other != name:
            reader.ignore(f"{other}_{spec.name}" for spec in rule.parameters)
    values = {
        spec.name: reader.number(
            f"{name}_{spec.name}", spec.default, spec.minimum, spec.maximum, integer=spec.integer
        )
        for spec in SCHEDULES[name].parameters
        if reader.has(f"{name}_{spec.name}")
    }
    return name, values


def _read_schedule(reader: _Reader) -> Schedule | None:
    name, values = _read_schedule_values(reader)
    return None if name == "constant" else schedule(name, **values)


@dataclass(frozen=True, eq=False)
class DescentScenario:
    """What the Explorer runs: one surface and start, up to four optimizers."""

    surface: Surface
    optimizers: tuple[Optimizer, ...]
    start: tuple[float, float]
    steps: int
    noise: float
    seed: int
    schedule: Schedule | None

    def result_types(self) -> tuple[type, int]:
        return Run, len(self.optimizers)

    def run(self, slot: int) -> Run:
        """The full run of optimizer slot `slot` (0-based)."""
        return descend(
            self.surface,
            self.optimizers[slot],
            self.start,
            self.steps,
            schedule=self.schedule,
            noise=self.noise,
            seed=self.seed,
        )


def _read_descent(reader: _Reader) -> DescentScenario:
    built = _read_surface(reader)
    start = _read_start(reader, built)
    count = reader.number("optimizers", 1, 1, MAX_SLOTS, integer=True)
    optimizers = tuple(_read_optimizer(reader, slot) for slot in range(count))
    steps = reader.number("steps", None, 1, MAX_LESSON_STEPS, integer=True, required=True)
    noise = reader.number("noise", 0.0, 0.0, math.inf)
    seed = reader.number("seed", 0, 0, 2**31, integer=True)
    return DescentScenario(built, optimizers, start, steps, noise, seed, _read_schedule(reader))


@dataclass(frozen=True, eq=False)
class SweepScenario:
    """What the learning-rate lab runs: a sweep of each optimizer, or a basin map of the first."""

    descent: DescentScenario
    study: str
    rates: tuple[float, float, int] = (1e-4, 1.0, 60)
    resolution: int = 100

    def result_types(self) -> tuple[type, int]:
        if self.study == "basins":
            return BasinMap, 1
        return LearningRateSweep, len(self.descent.optimizers)


def _read_sweeps(reader: _Reader) -> SweepScenario:
    descent = _read_descent(reader)
    study = reader.choice("study", None, STUDIES, required=True)
    if study == "basins":
        resolution = reader.number(
            "basin_resolution", None, 2, MAX_BASIN_RESOLUTION, integer=True, required=True
        )
        return SweepScenario(descent, study, resolution=resolution)
    lowest = reader.number("sweep_lowest", None, 1e-6, 100.0, required=True)
    highest = reader.number("sweep_highest", None, lowest, 100.0, required=True)
    count = reader.number(
        "sweep_rates", None, MIN_LEARNING_RATES, MAX_LEARNING_RATES, integer=True, required=True
    )
    return SweepScenario(descent, study, rates=(lowest, highest, count))


@dataclass(frozen=True, eq=False)
class NetworkScenario:
    """What the Network Lab trains: make_dataset's arguments and a TrainingConfig."""

    data: Mapping[str, Any]
    config: TrainingConfig

    def result_types(self) -> tuple[type, int]:
        return Trainer, 1


def _read_hidden(reader: _Reader) -> tuple[int, ...]:
    layers = reader.number("net_layers", None, 0, MAX_HIDDEN_LAYERS, integer=True, required=True)
    return tuple(
        reader.number(f"net_units{layer + 1}", None, 1, MAX_UNITS, integer=True, required=True)
        for layer in range(layers)
    )


def _read_network(reader: _Reader) -> NetworkScenario:
    name = reader.choice("net_data", None, tuple(DATASETS), required=True)
    seed = reader.number("net_seed", 0, 0, 9999, integer=True)
    data = dict(
        name=name,
        noise=reader.number("net_noise", None, 0.0, 1.0, required=True),
        count=reader.number(
            "net_points", None, MIN_POINTS, MAX_POINTS, integer=True, required=True
        ),
        train_share=reader.number("net_train", None, 0.1, 0.9, required=True),
        normalise=reader.flag("net_normalise", True),
        extra_features=tuple(f for f, key in FEATURE_KEYS.items() if reader.flag(key, False)),
        seed=seed,
    )
    hidden = _read_hidden(reader)
    chosen = _read_optimizer(reader, 0, main_only=True)
    if not chosen.elementwise:
        raise SettingError("optimizer", f"{chosen.name} cannot train a network (no Hessian)")
    loss = reader.choice("net_loss", None, tuple(LOSSES), required=True)
    if DATASETS[name].task not in LOSSES[loss].tasks:
        raise SettingError("net_loss", f"{loss} does not fit the {DATASETS[name].task} task")
    penalty = reader.choice("net_penalty", "none", PENALTIES)
    rate = reader.number("net_rate", 1e-3, 1e-5, 1.0, required=penalty != "none")
    schedule_name, schedule_values = _read_schedule_values(reader)
    config = TrainingConfig(
        hidden=hidden,
        activation=reader.choice("net_activation", None, tuple(ACTIVATIONS), required=True),
        loss=loss,
        l1=rate if penalty == "l1" else 0.0,
        l2=rate if penalty == "l2" else 0.0,
        optimizer=chosen.name,
        hyperparameters=tuple(sorted(chosen.hyperparameters.items())),
        schedule=schedule_name,
        schedule_parameters=tuple(sorted(schedule_values.items())),
        batch_size=reader.number("net_batch", None, 1, MAX_POINTS, integer=True, required=True),
        epochs=reader.number("net_epochs", None, 1, MAX_EPOCHS, integer=True, required=True),
        seed=seed,
    )
    return NetworkScenario(data, config)


SCENARIO_READERS: dict[str, Callable[[_Reader], Any]] = {
    "explorer": _read_descent,
    "sweeps": _read_sweeps,
    "network": _read_network,
}


def read_scenario(page: str, settings: Mapping[str, Any]) -> Any:
    """The scenario a page would compute from these settings; SettingError names a bad key."""
    if page not in SCENARIO_READERS:
        raise SettingError("page", f"{page!r} is not one of {', '.join(PAGES)}")
    reader = _Reader(settings)
    scenario = SCENARIO_READERS[page](reader)
    reader.check_all_used()
    return scenario


# ----- running a scenario -----------------------------------------------------------------------
def _run_explorer(scenario: DescentScenario) -> tuple[Run, ...]:
    return tuple(scenario.run(slot) for slot in range(len(scenario.optimizers)))


def _run_sweeps(scenario: SweepScenario) -> tuple[Any, ...]:
    """One LearningRateSweep per optimizer, or a basin map of the first optimizer."""
    descent = scenario.descent
    if scenario.study == "basins":
        return (
            basin_map(
                descent.surface,
                descent.optimizers[0],
                scenario.resolution,
                descent.steps,
                noise=descent.noise,
                seed=descent.seed,
                schedule=descent.schedule,
            ),
        )
    rates = learning_rate_grid(*scenario.rates)
    return tuple(
        learning_rate_sweep(
            descent.surface,
            chosen,
            descent.start,
            descent.steps,
            rates,
            schedule=descent.schedule,
            noise=descent.noise,
            seed=descent.seed,
        )
        for chosen in descent.optimizers
    )


def _run_network(scenario: NetworkScenario) -> tuple[Trainer]:
    trainer = Trainer(make_dataset(**scenario.data), scenario.config)
    trainer.train(scenario.config.epochs)
    return (trainer,)


SCENARIO_RUNNERS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "explorer": _run_explorer,
    "sweeps": _run_sweeps,
    "network": _run_network,
}


def run_scenario(page: str, settings: Mapping[str, Any]) -> tuple[Any, ...]:
    """What the page computes from these settings: per optimizer slot a Run (explorer) or a
    LearningRateSweep (sweeps), or one BasinMap (sweeps, basins), or one trained Trainer
    (network)."""
    return SCENARIO_RUNNERS[page](read_scenario(page, settings))


def result_types(scenario: Any) -> tuple[type, int]:
    """What run_scenario returns for this scenario: the type of each result and how many."""
    return scenario.result_types()
