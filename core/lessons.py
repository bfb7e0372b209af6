"""The lesson catalogue: predict-then-reveal exercises, stored as data and checked against the runs.

Each lesson (assets/lessons.toml) names the page it opens ("explorer", "sweeps" or "network") and
that page's settings, in the page's own URL keys, so the same table becomes a shareable link.
This module reads those settings into core objects (`read_scenario`), runs them (`run_scenario`)
and checks the lesson's claims (`evaluate`): every claim is an expectation naming a check from
CHECKS, so a lesson that says "this diverges" is tested by running it, not by trusting the text.

    lessons = load_catalogue()                  # CatalogueError names the lesson and the field
    results = evaluate(lessons[0])              # [CheckResult(passed, detail), ...]

The URL keys read here:
- explorer: surface, <surface>_<parameter>, x0, y0, optimizers (1..4); per optimizer slot
  (suffix "", _2, _3, _4) optimizer, lr, <optimizer>_<hyperparameter> (betas as beta1, beta2);
  steps, noise, seed, schedule, <schedule>_<parameter>.
- sweeps: the explorer's keys and study (sweep or basins), sweep_lowest, sweep_highest,
  sweep_rates, basin_resolution.
- network: net_data, net_noise, net_points, net_train, net_normalise, net_x2 ... (extra features),
  net_layers, net_units1.., net_activation, net_loss, net_penalty (none, l1, l2), net_rate,
  net_batch, net_epochs, net_seed, and the first optimizer slot and schedule keys above.
Keys that only change the display (DISPLAY_KEYS) are accepted and ignored. Which keys a page
draws, and their slider ranges, are checked on the app side against the pages' URL tables.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.descent import Run, descend
from core.nn.activations import ACTIVATIONS
from core.nn.datasets import DATASETS, EXTRA_FEATURES, MAX_POINTS, MIN_POINTS, make_dataset
from core.nn.diagnosis import diagnose_training
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

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "assets" / "lessons.toml"
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
TEXT_FIELDS = ("id", "title", "teaches", "narrative", "page", "question", "reveal", "try_next")


class CatalogueError(ValueError):
    """A lesson that cannot be used; the message names the lesson and the field."""


class SettingError(ValueError):
    """One setting that cannot be read: `key` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


# ----- the lesson -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Expectation:
    """One checkable claim: CHECKS[check] applied to the run of `slot` (1-based) under the lesson's
    settings updated by `overrides`; comparisons name a second run in `than` (slot, overrides)."""

    check: str
    slot: int = 1
    overrides: Mapping[str, Any] = field(default_factory=dict)
    arguments: Mapping[str, Any] = field(default_factory=dict)
    than: tuple[int, Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class Lesson:
    """A predict-then-reveal exercise. `answer` indexes `answers` from 0."""

    id: str
    title: str
    teaches: str
    narrative: str
    page: str
    settings: Mapping[str, Any]
    question: str
    answers: tuple[str, ...]
    answer: int
    reveal: str
    try_next: str
    expectations: tuple[Expectation, ...]

    def settings_with(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        """The lesson's settings with some keys changed (a "try this next" variant)."""
        return {**self.settings, **overrides}


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
            values[spec.name] = reader.number(key, spec.default, spec.minimum, spec.maximum)
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
    penalty = reader.choice("net_penalty", "none", PENALTIES)
    rate = reader.number("net_rate", 1e-3, 1e-5, 1.0, required=penalty != "none")
    schedule_name, schedule_values = _read_schedule_values(reader)
    config = TrainingConfig(
        hidden=hidden,
        activation=reader.choice("net_activation", None, tuple(ACTIVATIONS), required=True),
        loss=reader.choice("net_loss", None, tuple(LOSSES), required=True),
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
    if page == "network":
        _check_network(scenario)
    return scenario


def _check_network(scenario: NetworkScenario) -> None:
    """Build the data and a trainer once (cheap): a loss that does not fit the task is refused."""
    try:
        Trainer(make_dataset(**scenario.data), scenario.config)
    except (ValueError, KeyError) as error:
        raise SettingError("net_loss", str(error).strip("'\"")) from error


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


def run_lesson(lesson: Lesson, overrides: Mapping[str, Any] | None = None) -> tuple[Any, ...]:
    """What the lesson's page computes: per optimizer slot a Run (explorer) or LearningRateSweep
    (sweeps), or one BasinMap (sweeps, basins), or one trained Trainer (network)."""
    scenario = read_scenario(lesson.page, lesson.settings_with(overrides or {}))
    return SCENARIO_RUNNERS[lesson.page](scenario)


# ----- checks -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    """Whether one expectation held, with the numbers that decided it."""

    expectation: Expectation
    passed: bool
    detail: str


@dataclass(frozen=True)
class Check:
    """A named claim about a result (and, for comparisons, a second result to compare with)."""

    function: Callable[..., tuple[bool, str]]
    result_type: type
    arguments: tuple[str, ...] = ()
    compares: bool = False


def _gap(run: Run) -> float:
    """f(θ_end) − f*, the final loss above the best value (the final value without an f*)."""
    best = run.surface.minimum_value
    return float(run.final_values) - (0.0 if best is None else best)


def _diagnosis(run: Run, kinds: Sequence[str]) -> tuple[bool, str]:
    found = run.diagnosis.kind
    return found in kinds, f"diagnosis {found!r} ({run.diagnosis.headline})"


def _ends_at(run: Run, point: Sequence[float], within: float) -> tuple[bool, str]:
    distance = float(np.linalg.norm(np.asarray(run.final_points) - np.asarray(point, float)))
    return distance <= within, f"ended at {np.round(run.final_points, 4)}, {distance:.3g} away"


def _above_critical(run: Run) -> tuple[bool, str]:
    critical = run.diagnosis.critical_lr
    if critical is None:
        from core.diagnosis import critical_learning_rate

        critical = critical_learning_rate(run.surface, run.start, run.optimizer.momentum)
    return run.optimizer.lr > critical, f"lr {run.optimizer.lr:g} vs 2/λmax {critical:.4g}"


def _fewer_steps(run: Run, other: Run) -> tuple[bool, str]:
    """run converged, in fewer steps than `other` (or `other` never converged)."""
    passed = run.status == "converged" and (
        other.status != "converged" or run.stop_step < other.stop_step
    )
    return passed, f"{run.stop_step} steps ({run.status}) vs {other.stop_step} ({other.status})"


def _lower_loss(run: Run, other: Run, factor: float) -> tuple[bool, str]:
    mine, theirs = _gap(run), _gap(other)
    return mine * factor <= theirs, f"f − f* {mine:.3g} vs {theirs:.3g} (factor {factor:g})"


def _loss_increases(run: Run, at_least: int) -> tuple[bool, str]:
    increases = int(np.count_nonzero(np.diff(run.values) > 0))
    return increases >= at_least, f"the loss rose on {increases} of {run.stop_step} steps"


def _fewer_loss_increases(run: Run, other: Run) -> tuple[bool, str]:
    mine = int(np.count_nonzero(np.diff(run.values) > 0))
    theirs = int(np.count_nonzero(np.diff(other.values) > 0))
    return mine < theirs, f"the loss rose on {mine} steps vs {theirs}"


def _sign_flips(run: Run, axis: int, at_least: int) -> tuple[bool, str]:
    """The update's coordinate `axis` changes sign at least `at_least` times: a zig-zag."""
    signs = np.sign(run.updates[:, axis])
    signs = signs[signs != 0]
    flips = int(np.count_nonzero(signs[1:] != signs[:-1]))
    return flips >= at_least, f"the step along {'xy'[axis]} changed sign {flips} times"


def _global_share(basins: BasinMap, at_most: float) -> tuple[bool, str]:
    share = sum(
        o.share
        for o in basins.outcomes()
        if o.point is not None and o.point.kind == "global minimum"
    )
    return share <= at_most, f"{share:.1%} of the starts ended in a global minimum"


def _minima_reached(basins: BasinMap, at_least: int) -> tuple[bool, str]:
    reached = sum(1 for o in basins.outcomes() if o.point is not None and o.count > 0)
    return reached >= at_least, f"the starts ended in {reached} different minima"


def _minimum_shares(basins: BasinMap, at_least: float, at_most: float) -> tuple[bool, str]:
    """Every listed minimum's basin holds between at_least and at_most of the starts."""
    shares = [o.share for o in basins.outcomes() if o.label >= 0]
    shares += [0.0] * (len(basins.minima) - len(shares))
    passed = all(at_least <= share <= at_most for share in shares)
    return passed, "basin shares " + ", ".join(f"{share:.1%}" for share in shares)


def _never_diverges(sweep: LearningRateSweep) -> tuple[bool, str]:
    count = int(np.count_nonzero(sweep.diverged))
    return count == 0, f"{count} of {sweep.learning_rates.size} rates diverged"


def _threshold_near_critical(sweep: LearningRateSweep, grid_steps: int) -> tuple[bool, str]:
    """The smallest diverging rate lies within `grid_steps` grid steps above 2/λmax."""
    ratio = sweep.learning_rates[1] / sweep.learning_rates[0]
    threshold, critical = sweep.divergence_threshold, sweep.critical_lr_at_minimum
    passed = critical <= threshold <= critical * ratio**grid_steps
    return passed, f"first divergence at lr {threshold:.4g}, 2/λmax = {critical:.4g}"


def _training_diagnosis(trainer: Trainer, kinds: Sequence[str]) -> tuple[bool, str]:
    verdict = diagnose_training(trainer.history, trainer.status, trainer.reason)
    return verdict.kind in kinds, f"training diagnosis {verdict.kind!r}"


def _test_metric_at_most(trainer: Trainer, value: float) -> tuple[bool, str]:
    final = trainer.history.test_metric[-1]
    return final <= value, f"test metric {final:.3f} (at most {value:g} claimed)"


def _test_metric_at_least(trainer: Trainer, value: float) -> tuple[bool, str]:
    final = trainer.history.test_metric[-1]
    return final >= value, f"test metric {final:.3f} (at least {value:g} claimed)"


def _smaller_weights(trainer: Trainer, other: Trainer, factor: float) -> tuple[bool, str]:
    mine = float(np.linalg.norm(trainer.network.params))
    theirs = float(np.linalg.norm(other.network.params))
    return mine * factor <= theirs, f"weight norm {mine:.3g} vs {theirs:.3g}"


def _metric_gap(trainer: Trainer) -> float:
    return trainer.history.train_metric[-1] - trainer.history.test_metric[-1]


def _smaller_metric_gap(trainer: Trainer, other: Trainer) -> tuple[bool, str]:
    mine, theirs = _metric_gap(trainer), _metric_gap(other)
    return mine < theirs, f"train − test metric {mine:.3f} vs {theirs:.3f}"


CHECKS: dict[str, Check] = {
    "diagnosis": Check(_diagnosis, Run, ("kinds",)),
    "ends_at": Check(_ends_at, Run, ("point", "within")),
    "above_critical": Check(_above_critical, Run),
    "fewer_steps": Check(_fewer_steps, Run, compares=True),
    "lower_loss": Check(_lower_loss, Run, ("factor",), compares=True),
    "loss_increases": Check(_loss_increases, Run, ("at_least",)),
    "fewer_loss_increases": Check(_fewer_loss_increases, Run, compares=True),
    "sign_flips": Check(_sign_flips, Run, ("axis", "at_least")),
    "global_share": Check(_global_share, BasinMap, ("at_most",)),
    "minima_reached": Check(_minima_reached, BasinMap, ("at_least",)),
    "minimum_shares": Check(_minimum_shares, BasinMap, ("at_least", "at_most")),
    "never_diverges": Check(_never_diverges, LearningRateSweep),
    "threshold_near_critical": Check(_threshold_near_critical, LearningRateSweep, ("grid_steps",)),
    "training_diagnosis": Check(_training_diagnosis, Trainer, ("kinds",)),
    "test_metric_at_most": Check(_test_metric_at_most, Trainer, ("value",)),
    "test_metric_at_least": Check(_test_metric_at_least, Trainer, ("value",)),
    "smaller_weights": Check(_smaller_weights, Trainer, ("factor",), compares=True),
    "smaller_metric_gap": Check(_smaller_metric_gap, Trainer, compares=True),
}
"""Every claim a lesson can make, by name: (function, what it inspects, its arguments)."""


def evaluate(lesson: Lesson) -> list[CheckResult]:
    """Run the lesson (and each variant its expectations name, once) and check every claim."""
    results: dict[tuple, tuple[Any, ...]] = {}

    def result(slot: int, overrides: Mapping[str, Any]) -> Any:
        key = tuple(sorted(overrides.items()))
        if key not in results:
            results[key] = run_lesson(lesson, overrides)
        return results[key][slot - 1]

    outcomes = []
    for expectation in lesson.expectations:
        check = CHECKS[expectation.check]
        subject = result(expectation.slot, expectation.overrides)
        others = (result(*expectation.than),) if expectation.than else ()
        passed, detail = check.function(subject, *others, **expectation.arguments)
        outcomes.append(CheckResult(expectation, bool(passed), detail))
    return outcomes


# ----- loading and validating the catalogue -----------------------------------------------------
def load_catalogue(path: Path | str = CATALOGUE_PATH) -> tuple[Lesson, ...]:
    """Read and validate the catalogue file (TOML); CatalogueError says what is wrong, where."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CatalogueError(f"cannot read the lesson catalogue {path}: {error}") from error
    return parse_catalogue(data)


def parse_catalogue(data: Mapping[str, Any]) -> tuple[Lesson, ...]:
    """Validate a catalogue's data ({"lessons": [table, ...]}) into lessons, in file order."""
    tables = data.get("lessons")
    if not isinstance(tables, list) or not tables:
        raise CatalogueError("the catalogue has no [[lessons]]")
    lessons, seen = [], set()
    for number, table in enumerate(tables, start=1):
        name = str(table.get("id", f"#{number}")) if isinstance(table, Mapping) else f"#{number}"
        if name in seen:
            raise CatalogueError(f"lesson {name!r}, id: used twice")
        seen.add(name)
        try:
            lessons.append(parse_lesson(table))
        except _FieldError as error:
            raise CatalogueError(f"lesson {name!r}, {error.field}: {error}") from error
    return tuple(lessons)


class _FieldError(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


def parse_lesson(table: Any) -> Lesson:
    """One lesson from its table; _FieldError names the field that is wrong."""
    if not isinstance(table, Mapping):
        raise _FieldError("lesson", "is not a table")
    text = {name: _text(table, name) for name in TEXT_FIELDS}
    if text["page"] not in PAGES:
        raise _FieldError("page", f"{text['page']!r} is not one of {', '.join(PAGES)}")
    settings = table.get("settings")
    if not isinstance(settings, Mapping):
        raise _FieldError("settings", "is missing (a table of the page's URL keys)")
    scenario = _scenario(text["page"], settings, "settings")
    answers, answer = _answers(table)
    expectations = tuple(
        _expectation(text["page"], settings, scenario, entry, f"expect[{index}]")
        for index, entry in enumerate(_list(table, "expect"))
    )
    if not expectations:
        raise _FieldError("expect", "is empty: a lesson must make at least one checkable claim")
    return Lesson(
        **text,
        settings=dict(settings),
        answers=answers,
        answer=answer,
        expectations=expectations,
    )


def _text(table: Mapping[str, Any], name: str) -> str:
    value = table.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _FieldError(name, "is missing or empty")
    return value.strip()


def _list(table: Mapping[str, Any], name: str) -> list[Any]:
    value = table.get(name)
    if not isinstance(value, list):
        raise _FieldError(name, "is missing (a list)")
    return value


def _answers(table: Mapping[str, Any]) -> tuple[tuple[str, ...], int]:
    """The 3 or 4 answers and the index (from 0) of the right one."""
    answers = _list(table, "answers")
    if not 3 <= len(answers) <= 4 or not all(isinstance(a, str) and a.strip() for a in answers):
        raise _FieldError("answers", "must be three or four non-empty texts")
    answer = table.get("answer")
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise _FieldError("answer", "is missing (the index of the right answer, from 0)")
    if not 0 <= answer < len(answers):
        raise _FieldError("answer", f"{answer} is out of range: there are {len(answers)} answers")
    return tuple(a.strip() for a in answers), answer


def _scenario(page: str, settings: Mapping[str, Any], where: str) -> Any:
    try:
        return read_scenario(page, settings)
    except SettingError as error:
        raise _FieldError(f"{where}.{error.key}", str(error)) from error


def result_types(page: str, scenario: Any) -> tuple[type, int]:
    """What run_lesson returns for this scenario: the type of each result and how many."""
    if page == "explorer":
        return Run, len(scenario.optimizers)
    if page == "network":
        return Trainer, 1
    if scenario.study == "basins":
        return BasinMap, 1
    return LearningRateSweep, len(scenario.descent.optimizers)


def _expectation(page, settings, scenario, entry: Any, where: str) -> Expectation:
    """One claim, checked: a known check that fits the page, its arguments, slots and variants."""
    if not isinstance(entry, Mapping) or entry.get("check") not in CHECKS:
        raise _FieldError(f"{where}.check", f"choose one of {', '.join(CHECKS)}")
    check = CHECKS[entry["check"]]
    arguments = {k: v for k, v in entry.items() if k not in ("check", "slot", "with", "than")}
    missing, unknown = set(check.arguments) - set(arguments), set(arguments) - set(check.arguments)
    if missing or unknown:
        detail = f"missing {sorted(missing)}" if missing else f"unknown {sorted(unknown)}"
        raise _FieldError(where, f"{entry['check']} takes {list(check.arguments)}: {detail}")
    slot, overrides = _selection(page, settings, scenario, entry, check, where)
    than = None
    if check.compares:
        than = _selection(page, settings, scenario, entry.get("than"), check, f"{where}.than")
    elif "than" in entry:
        raise _FieldError(f"{where}.than", f"{entry['check']} compares nothing")
    return Expectation(entry["check"], slot, overrides, arguments, than)


def _selection(page, settings, scenario, entry: Any, check: Check, where: str):
    """(slot, overrides) of one result the check looks at, validated against the page."""
    if not isinstance(entry, Mapping):
        raise _FieldError(where, "is missing (a table with slot and/or with)")
    overrides = entry.get("with", {})
    if not isinstance(overrides, Mapping):
        raise _FieldError(f"{where}.with", "is not a table of settings")
    if overrides:
        scenario = _scenario(page, {**settings, **overrides}, f"{where}.with")
    kind, count = result_types(page, scenario)
    slot = entry.get("slot", 1)
    if isinstance(slot, bool) or not isinstance(slot, int) or not 1 <= slot <= count:
        raise _FieldError(f"{where}.slot", f"{slot!r} is not one of the {count} results")
    if kind is not check.result_type:
        raise _FieldError(where, f"{entry.get('check', 'the check')} does not apply to {page}")
    return slot, dict(overrides)
