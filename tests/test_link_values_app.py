"""A link's numbers on every page: the number a notice says it uses is the number the control
then holds, and a number the link may carry is used exactly.

Every numeric URL parameter of every page (the Explorer's for each surface with parameters and
the formula box, the Learning-rate lab's for each study, the Network Lab's) gets each kind of
value a link may carry: a fraction (of a whole-number control, or many digits of a float), out of
range above, negative, huge, infinite, not a number, between the positions of its slider or
scale, too long to read, and an ordinary number written another way (`1.50`, `+2`, `3e0`). The
widget's value, read from the page, must equal the number the notice names, or the link's own
number where there is no notice. Each link carries one value per parameter, each written
differently, so a notice names its parameter by its label and the text it quotes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pytest
from markup_check import shown_text
from streamlit.testing.v1 import AppTest

from app import explorer_settings, network_settings, sweep_settings
from app.custom_surface import DOMAIN_TABLE
from app.url_state import UrlParameter
from app.widgets import nice_step

APP = str(__import__("conftest").APP_PATH)
PAGES = APP.rsplit("/", 1)[0] + "/app_pages/"

KINDS = (
    "fraction",
    "above",
    "negative",
    "huge",
    "infinite",
    "not a number",
    "between positions",
    "too long",
    "written another way",
)


def _case_variants(word: str, index: int) -> str:
    """A distinct spelling of `word` (float() reads every one): signs and upper-case letters."""
    sign = ("", "+", "-")[index % 3]
    letters = [c.upper() if (index // 3) >> i & 1 else c for i, c in enumerate(word)]
    return sign + "".join(letters)


def raw_value(parameter: UrlParameter, kind: str, index: int) -> str:
    """The text a link carries for `parameter`, of `kind`; `index` makes it unique in a link."""
    low, high = float(parameter.minimum), float(parameter.maximum)
    width = high - low
    if kind == "fraction":
        if parameter.integer:
            return f"{math.floor(low + (index % max(int(width), 1))) + 0.5}"
        return repr(low + width * (0.123456789 + 0.0001 * index) / 1.1)
    if kind == "above":
        return repr(high + width * (1 + index) + 1)
    if kind == "negative":
        return f"-{index + 1.5}"
    if kind == "huge":
        return f"{index + 1}e300"
    if kind == "infinite":
        return _case_variants("infinity" if index % 2 else "inf", index // 2)
    if kind == "not a number":
        return _case_variants("nan", index)
    if kind == "between positions":
        if parameter.grid:
            grid = parameter.grid
            below, above = grid[index % (len(grid) - 1)], grid[index % (len(grid) - 1) + 1]
            return repr(below + 0.37 * (above - below))
        if parameter.integer:
            return f"{low + 1.0001 + index % max(int(width) - 1, 1):.4f}"
        return repr(low + nice_step(low, high) * (0.37 + index))
    if kind == "too long":
        return f"{index + 1:03d}." + "0" * 70 + "1"  # unique in its first 20 characters
    if kind == "written another way":
        middle = low + width * 0.3  # off the centre, where a bowl has its minimum
        if parameter.grid:
            middle = parameter.grid[(len(parameter.grid) // 2 + index) % len(parameter.grid)]
        elif parameter.integer:
            middle = float(round(middle))
        return ("+{}", "{}0", " {} ", "{}e0")[index % 4].format(repr(middle))
    raise ValueError(kind)


@dataclass(frozen=True)
class LinkGroup:
    """One page opened with fixed choices (optimizers, surface, study ...) so that the numeric
    controls listed are all drawn."""

    name: str
    page: str
    choices: dict[str, str]
    table: tuple[UrlParameter, ...]
    numeric: tuple[str, ...]


def _numeric(table, keys=None) -> tuple[UrlParameter, ...]:
    chosen = [p for p in table if p.minimum is not None and not isinstance(p.default, bool)]
    return tuple(p for p in chosen if keys is None or p.key in keys)


def _explorer_keys(surface: str, optimizers: list[str], schedule: str) -> list[str]:
    keys = [c.key for c in explorer_settings.surface_parameter_controls(surface)]
    keys += ["x0", "y0", "steps", "noise", "seed", "k"]
    for slot, name in enumerate(optimizers):
        keys.append(explorer_settings.lr_control(slot).key)
        keys += [e.control.key for e in explorer_settings.hyperparameter_controls(slot, name)]
    keys += [c.key for c in explorer_settings.schedule_parameter_controls(schedule)]
    return keys


def _explorer_group(name, surface, optimizers, schedule, page="explorer.py", extra=None):
    choices = {"surface": surface, "optimizers": str(len(optimizers)), "schedule": schedule}
    choices.update(anatomy="true")
    for slot, optimizer in enumerate(optimizers):
        choices[explorer_settings.optimizer_control(slot).key] = optimizer
    choices.update(extra or {})
    if page == "sweeps.py":
        table = sweep_settings.url_table(surface)
    else:
        table = explorer_settings.url_table(surface)
    keys = _explorer_keys(surface, optimizers, schedule)
    return LinkGroup(name, page, choices, table, tuple(keys))


def _formula_group() -> LinkGroup:
    """The formula box: its domain, and the start inside the link's domain."""
    choices = {"surface": "custom", "formula": "x^2 + 3*y^2 + x*y"}
    table = explorer_settings.url_table("custom") + DOMAIN_TABLE
    return LinkGroup("explorer formula", "explorer.py", choices, table, DOMAIN_KEYS_AND_START)


def _sweeps_group(study: str, controls) -> LinkGroup:
    """A study of the Learning-rate lab (its own controls, the start and the first rate)."""
    choices = {"study": study, "steps": "50", "surface": "himmelblau"}
    keys = ("x0", "y0", "lr", *(c.key for c in controls if hasattr(c, "minimum")))
    return LinkGroup(f"sweeps {study}", "sweeps.py", choices, sweep_settings.url_table(""), keys)


def _network_groups() -> list[LinkGroup]:
    table = network_settings.url_table()
    chosen = {"net_penalty": "l2", "optimizer": "sgd", "optimizer_2": "rmsprop"}
    keys = [c.key for c in network_settings.data_controls() if hasattr(c, "minimum")]
    keys += [network_settings.units_control(layer).key for layer in range(4)]
    keys += [c.key for c in network_settings.training_controls() if hasattr(c, "minimum")]
    for slot, name in ((0, "sgd"), (1, "rmsprop")):
        keys.append(explorer_settings.lr_control(slot).key)
        keys += [e.control.key for e in explorer_settings.hyperparameter_controls(slot, name)]
    other = {"optimizer": "adam", "optimizer_2": "nadam", "schedule": "cosine"}
    other_keys = ["net_layers", "lr", "lr_2", "cosine_T_max", "cosine_eta_min"]
    other_keys += [e.control.key for e in explorer_settings.hyperparameter_controls(0, "adam")]
    other_keys += [e.control.key for e in explorer_settings.hyperparameter_controls(1, "nadam")]
    return [
        LinkGroup("network", "network.py", {**chosen, "net_layers": "4"}, table, tuple(keys)),
        LinkGroup("network layers", "network.py", other, table, tuple(other_keys)),
    ]


DOMAIN_KEYS_AND_START = ("xmin", "xmax", "ymin", "ymax", "x0", "y0")
FIRST = ["sgd", "adam", "rmsprop", "adagrad"]
SECOND = ["adamw", "adadelta", "nadam", "newton"]
GROUPS = [
    _explorer_group("explorer bowl", "bowl", FIRST, "step"),
    _explorer_group("explorer mae", "linear-regression-mae", SECOND, "cosine"),
    _explorer_group("explorer mse", "linear-regression-mse", ["sgd"], "exponential"),
    _explorer_group("explorer bce", "logistic-regression-bce", ["sgd"], "constant"),
    _explorer_group("explorer logistic mse", "logistic-regression-mse", ["sgd"], "constant"),
    _formula_group(),
    _sweeps_group("sweep", sweep_settings.sweep_controls()),
    _sweeps_group("basins", sweep_settings.basin_controls()),
    _sweeps_group("momentum", sweep_settings.momentum_controls()),
    _sweeps_group("starts", sweep_settings.start_count_controls()),
    *_network_groups(),
]


def _open(group: LinkGroup, values: dict[str, str]) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    if group.page != "explorer.py":
        app = AppTest.from_file(PAGES + group.page, default_timeout=60)
    for key, value in {**group.choices, **values}.items():
        app.query_params[key] = value
    return app.run()


def _widget_value(app: AppTest, key: str):
    for kind in ("slider", "select_slider", "number_input"):
        for widget in app.get(kind):
            if widget.key == key:
                return widget.value
    return None


USED = re.compile(r"using (?:the default )?[^-+0-9]*([-+]?[0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)")


def _notice_number(app: AppTest, parameter: UrlParameter, raw: str) -> float | None:
    """The number the page's notice for this parameter says it uses (None: no notice)."""
    texts = [element.value for kind in ("warning", "text", "code") for element in app.get(kind)]
    # Read as shown: Markdown escapes (\., \-) and word joiners are not part of the text.
    lines = [shown_text(line) for text in texts for line in str(text).splitlines()]
    quoted = raw.strip()[:15]  # a long value is shown cut, with an ellipsis
    for line in lines:
        if f"{parameter.name}:" in line and quoted in line:
            found = USED.search(line)
            assert found, line
            return float(found.group(1))
    return None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("group", GROUPS, ids=[g.name for g in GROUPS])
def test_the_number_a_notice_names_is_the_number_the_control_holds(group, kind):
    assert set(group.numeric) <= {p.key for p in group.table}
    parameters = _numeric(group.table, set(group.numeric))  # the toggles left out
    assert len(parameters) >= len(group.numeric) / 2
    values = {p.key: raw_value(p, kind, index) for index, p in enumerate(parameters)}
    app = _open(group, values)
    assert not app.exception, [e.value for e in app.exception]
    for parameter in parameters:
        raw = values[parameter.key]
        held = _widget_value(app, parameter.key)
        assert held is not None, f"{parameter.key} is not drawn"
        named = _notice_number(app, parameter, raw)
        expected = float(raw) if named is None else named
        assert held == expected, (parameter.key, raw, named, held)


def test_a_loss_that_does_not_fit_the_data_gets_a_notice_naming_the_loss_used():
    app = AppTest.from_file(PAGES + "network.py", default_timeout=60)
    app.query_params.update(net_data="sine", net_loss="bce")  # a regression: mse or mae
    app.run()
    held = app.selectbox(key="net_loss").value
    lines = [line.replace("\\", "") for e in app.warning for line in e.value.splitlines()]
    (notice,) = [line for line in lines if "Loss:" in line]
    assert "bce" in notice and notice.split("using")[-1].strip(" .`'\"").endswith(held)
