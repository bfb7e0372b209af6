"""Controls that know their URL form: each draws one Streamlit widget bound to the query string.

A control is a small frozen description (key, label, default, range, help). The same object
draws the widget (`draw`) and yields the `UrlParameter` that validates a link (`url_parameter`),
so a page lists its controls once and gets both. Numbers on a log scale (learning rates, condition
numbers, epsilons) use a select-slider over the E24 series (1.0, 1.1, 1.2, 1.3, 1.5, ... 9.1 per
decade, steps of about 10 %), so the URL shows a plain number such as lr=0.02.

A classroom link may hide controls (`visible=lr,steps`, see app.url_state.control_shown): a hidden
control draws nothing and returns the link's value, so every page hides the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.url_state import (
    UrlParameter,
    control_shown,
    grid_label,
    kept_value,
    nearest_on_grid,
    remember_control,
)

E24 = (1.0, 1.1, 1.2, 1.3, 1.5, 1.6, 1.8, 2.0, 2.2, 2.4, 2.7, 3.0,
       3.3, 3.6, 3.9, 4.3, 4.7, 5.1, 5.6, 6.2, 6.8, 7.5, 8.2, 9.1)  # fmt: skip
"""The preferred-number series IEC 60063 E24: 24 values per decade, evenly spaced in log."""

ROUND_MANTISSAS = (2.5, 4.0, 5.0, 8.0)
"""Added to E24 because teachers and textbooks write lr = 0.05, 0.25, 0.4 or 0.8."""

SLIDER_POSITIONS = 1000
"""A linear slider offers about this many positions between its minimum and maximum."""


@cache
def log_grid(minimum: float, maximum: float) -> tuple[float, ...]:
    """The E24 values and the round ones in [minimum, maximum] (minimum > 0), both ends
    included, ascending."""
    first, last = math.floor(math.log10(minimum)), math.ceil(math.log10(maximum))
    values = {minimum, maximum}
    for exponent in range(first, last + 1):
        for mantissa in E24 + ROUND_MANTISSAS:
            value = float(f"{mantissa * 10.0**exponent:.3g}")
            if minimum <= value <= maximum:
                values.add(value)
    return tuple(sorted(values))


def nice_step(minimum: float, maximum: float) -> float:
    """A power of ten giving about SLIDER_POSITIONS slider positions over [minimum, maximum]."""
    width = maximum - minimum
    if not width > 0:
        return 1.0
    return 10.0 ** math.floor(math.log10(width / SLIDER_POSITIONS) + 0.5)


def slider_format(step: float) -> str:
    """A printf format showing as many decimals as the step has (0.001 -> "%.3f")."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    return f"%.{decimals}f"


def format_number(value: float) -> str:
    """A number as a select-slider's label: 0.1, 2e-05, 1000 (the link carries the same text)."""
    return grid_label(value)


class HideableControl:
    """What every control shares: `draw` puts its widget in a container, unless the page's link
    hides it (then it returns the link's value), and remembers the value for the link builder."""

    key: str
    label: str

    def url_parameter(self) -> UrlParameter:
        raise NotImplementedError

    def _widget(self, container: Any, on_change: Callable[[], None] | None) -> Any:
        raise NotImplementedError

    def draw(self, container: Any, on_change: Callable[[], None] | None = None) -> Any:
        """The control's value: from its widget, or kept from the link when it is hidden."""
        parameter = self.url_parameter()
        if control_shown(self.key):
            value = self._widget(container, on_change)
        else:
            value = kept_value(self.key, parameter.default)
        changed = value != parameter.default
        remember_control(self.key, self.label, parameter.serialize(value) if changed else None)
        return value


@dataclass(frozen=True)
class NumberControl(HideableControl):
    """A number: a slider (linear), a select-slider over the E24 grid (log_scale) or integers."""

    key: str
    label: str
    default: float
    minimum: float
    maximum: float
    help: str = ""
    log_scale: bool = False
    integer: bool = False

    @property
    def grid(self) -> tuple[float, ...]:
        return log_grid(self.minimum, self.maximum) if self.log_scale else ()

    @property
    def step(self) -> float:
        return 1 if self.integer else nice_step(self.minimum, self.maximum)

    def clean_default(self) -> float:
        """The default as the widget holds it: on the grid of a select-slider (its only values),
        a whole number, or else exactly as given (within the range). A slider holds a value
        between its steps as it is (the saddle starts at y = 0.001 on a slider of step 0.01):
        the step only spaces the positions a drag can reach."""
        if self.log_scale:
            return nearest_on_grid(self.grid, self.default)
        if self.integer:
            return int(self.default)
        return float(min(max(self.default, self.minimum), self.maximum))

    def shows_exactly(self, value: float) -> bool:
        """Whether the widget's label shows `value` as it is (a slider prints its step's
        decimals: 0.001 on a slider of step 0.01 reads 0.00)."""
        if self.log_scale or self.integer:
            return True
        return float(slider_format(self.step) % value) == value

    def url_parameter(self) -> UrlParameter:
        return UrlParameter(
            self.key,
            self.clean_default(),
            self.minimum,
            self.maximum,
            grid=self.grid,
            integer=self.integer,
            label=self.label,
        )

    def _widget(self, container: Any, on_change: Callable[[], None] | None) -> float:
        common = dict(
            key=self.key, help=self.help or None, bind="query-params", on_change=on_change
        )
        if self.log_scale:
            return container.select_slider(
                self.label,
                options=self.grid,
                value=self.clean_default(),
                format_func=format_number,
                **common,
            )
        if self.integer:
            return container.slider(
                self.label,
                int(self.minimum),
                int(self.maximum),
                self.clean_default(),
                step=1,
                **common,
            )
        return container.slider(
            self.label,
            float(self.minimum),
            float(self.maximum),
            self.clean_default(),
            step=self.step,
            format=slider_format(self.step),
            **common,
        )


@dataclass(frozen=True)
class ChoiceControl(HideableControl):
    """One of a list of names, in a select box."""

    key: str
    label: str
    choices: tuple[str, ...]
    default: str
    help: str = ""

    def url_parameter(self) -> UrlParameter:
        return UrlParameter(self.key, self.default, choices=self.choices, label=self.label)

    def _widget(self, container: Any, on_change: Callable[[], None] | None) -> str:
        return container.selectbox(
            self.label,
            self.choices,
            index=self.choices.index(self.default),
            key=self.key,
            help=self.help or None,
            bind="query-params",
            on_change=on_change,
        )


@dataclass(frozen=True)
class ToggleControl(HideableControl):
    """A yes/no switch."""

    key: str
    label: str
    default: bool = False
    help: str = ""

    def url_parameter(self) -> UrlParameter:
        return UrlParameter(self.key, self.default, label=self.label)

    def _widget(self, container: Any, on_change: Callable[[], None] | None) -> bool:
        return container.toggle(
            self.label,
            value=self.default,
            key=self.key,
            help=self.help or None,
            bind="query-params",
            on_change=on_change,
        )


Control = NumberControl | ChoiceControl | ToggleControl
