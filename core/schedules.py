"""Learning-rate schedules as closed forms, as torch.optim.lr_scheduler computes them.

With e the number of completed steps (0 for the first update) and γ0 the optimizer's rate:
- constant:     γ_e = γ0
- step:         γ_e = γ0 · gamma^⌊e / step_size⌋
- exponential:  γ_e = γ0 · gamma^e
- cosine:       γ_e = η_min + ½(γ0 − η_min)(1 + cos(π e / T_max))
                torch's closed form: periodic with period 2·T_max, so it climbs back after T_max.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ScheduleParameter:
    name: str
    default: float
    minimum: float
    maximum: float
    help: str
    integer: bool = False


@dataclass(frozen=True)
class ScheduleRule:
    name: str
    parameters: tuple[ScheduleParameter, ...]
    factor: Callable[..., np.ndarray]  # (completed steps e, **parameters) -> γ_e / γ0 or γ_e
    summary: str
    uses_eta_min: bool = False


@dataclass(frozen=True)
class Schedule:
    """A schedule with its parameters fixed."""

    rule: ScheduleRule
    parameters: Mapping[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.rule.name

    def learning_rates(self, initial_lr: float, steps: int) -> np.ndarray:
        """γ for the updates t = 1..steps (e = 0..steps−1), shape (steps,), float64."""
        completed = np.arange(int(steps), dtype=np.float64)
        return self.rule.factor(completed, float(initial_lr), **self.parameters)


def _constant(completed: np.ndarray, lr: float) -> np.ndarray:
    return np.full_like(completed, lr)


def _step(completed: np.ndarray, lr: float, step_size: float, gamma: float) -> np.ndarray:
    return lr * gamma ** np.floor(completed / step_size)


def _exponential(completed: np.ndarray, lr: float, gamma: float) -> np.ndarray:
    with np.errstate(under="ignore"):
        return lr * gamma**completed


def _cosine(completed: np.ndarray, lr: float, T_max: float, eta_min: float) -> np.ndarray:
    return eta_min + 0.5 * (lr - eta_min) * (1.0 + np.cos(math.pi * completed / T_max))


_RULES = (
    ScheduleRule("constant", (), _constant, "The same learning rate at every step."),
    ScheduleRule(
        "step",
        (
            ScheduleParameter("step_size", 100, 1, 10_000, "Steps between two cuts.", integer=True),
            ScheduleParameter("gamma", 0.5, 0.0, 1.0, "Factor applied at each cut."),
        ),
        _step,
        "Multiply the rate by gamma every step_size steps.",
    ),
    ScheduleRule(
        "exponential",
        (ScheduleParameter("gamma", 0.99, 0.0, 1.0, "Factor applied after every step."),),
        _exponential,
        "Multiply the rate by gamma after every step.",
    ),
    ScheduleRule(
        "cosine",
        (
            ScheduleParameter(
                "T_max",
                200,
                1,
                10_000,
                "Steps from the full rate down to eta_min "
                "(as torch: it climbs back up over the next T_max steps).",
                integer=True,
            ),
            ScheduleParameter("eta_min", 0.0, 0.0, 10.0, "The lowest rate."),
        ),
        _cosine,
        "Half a cosine from the full rate down to eta_min over T_max steps.",
    ),
)

SCHEDULES: dict[str, ScheduleRule] = {rule.name: rule for rule in _RULES}


def schedule_names() -> list[str]:
    return list(SCHEDULES)


def schedule(name: str = "constant", **parameters: Any) -> Schedule:
    """The schedule `name` with its defaults overridden by `parameters` (checked against ranges)."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}")
    rule = SCHEDULES[name]
    specs = {spec.name: spec for spec in rule.parameters}
    unknown = set(parameters) - set(specs)
    if unknown:
        raise ValueError(f"schedule {name!r} has no parameter {', '.join(sorted(unknown))}")
    values = {spec.name: spec.default for spec in rule.parameters}
    for key, value in parameters.items():
        spec = specs[key]
        number = float(value)
        if not (math.isfinite(number) and spec.minimum <= number <= spec.maximum):
            raise ValueError(
                f"Invalid {key}: {value!r} (must be in [{spec.minimum:g}, {spec.maximum:g}])"
            )
        values[key] = number
    if name in ("step", "cosine"):
        key = "step_size" if name == "step" else "T_max"
        if values[key] < 1:
            raise ValueError(f"Invalid {key}: {values[key]!r} (must be >= 1)")
    return Schedule(rule, values)
