"""Page state in the URL: a declarative table of parameters that validates untrusted query strings.

Every page describes the controls it keeps in the URL as a tuple of `UrlParameter`s (the key is
both the widget key and the query-parameter name, as `bind="query-params"` requires). A link may
carry anything: a value may repeat, be garbage (`lr=banana`), huge (`steps=1e9`) or out of range.
`clean_values` turns the raw strings into valid values and a list of notices saying what was
replaced; nothing here raises on bad input.

    TABLE = (
        UrlParameter("surface", "bowl", choices=("bowl", "rosenbrock"), label="Surface"),
        UrlParameter("steps", 200, minimum=1, maximum=5000, integer=True, label="Steps"),
    )
    notices = apply_url_parameters(TABLE, "explorer")  # before the widgets are drawn
    show_notices(notices)
    ...
    finish_url_parameters("explorer")  # at the end of the page
    page_link("/", TABLE, {"steps": 300})  # "/?steps=300"

A widget bound to the URL seeds itself from the query string on the first run; the cleaner puts
the clean values in session state first, so a widget that rejects a raw value keeps the clean
one (see apply_url_parameters, and its known limit).

A classroom link may carry `visible=lr,steps`: only the controls listed are drawn (app.widgets
asks `control_shown`), the others keep the link's values, and their parameters stay in the
address bar because no widget owns them. `visible_link` writes such a link from the values the
controls remembered on this run (`remember_control`, `take_drawn_controls`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from app.untrusted_text import escape_markdown

MAXIMUM_RAW_LENGTH = 64
"""Longer raw values are rejected unread: no legitimate control value needs more."""

_TRUE_WORDS = ("true", "1", "yes", "on")
_FALSE_WORDS = ("false", "0", "no", "off")


@dataclass(frozen=True)
class UrlParameter:
    """One control kept in the URL.

    The kind follows the default: bool, int (integer=True), float, or str (choices required).
    Numbers are clamped to [minimum, maximum]; `grid` (sorted floats, e.g. a log-spaced
    learning-rate scale) snaps a float to its nearest entry in log distance.
    """

    key: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    grid: tuple[float, ...] = ()
    integer: bool = False
    label: str = ""

    @property
    def name(self) -> str:
        """What a notice calls this control."""
        return self.label or self.key

    def serialize(self, value: Any) -> str:
        """The query-string form of a clean value, as the bound widget writes it."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return f"{value:.12g}"
        return str(value)

    def parse(self, raw: str) -> tuple[Any, str | None]:
        """(clean value, notice or None) for one raw query-string value."""
        text = raw.strip()
        if len(text) > MAXIMUM_RAW_LENGTH:
            return self.default, self._fallback_notice(text, "it is too long", shown=20)
        if isinstance(self.default, bool):
            return self._parse_bool(text)
        if self.choices:
            return self._parse_choice(text)
        return self._parse_number(text)

    def _fallback_notice(self, text: str, why: str, shown: int = MAXIMUM_RAW_LENGTH) -> str:
        return (
            f"{self.name}: “{escape_markdown(text, limit=shown)}” is not valid ({why}); "
            f"using the default {self.serialize(self.default)}."
        )

    def _parse_bool(self, text: str) -> tuple[Any, str | None]:
        lowered = text.lower()
        if lowered in _TRUE_WORDS:
            return True, None
        if lowered in _FALSE_WORDS:
            return False, None
        return self.default, self._fallback_notice(text, "expected true or false")

    def _parse_choice(self, text: str) -> tuple[Any, str | None]:
        if text in self.choices:
            return text, None
        by_lower = {choice.lower(): choice for choice in self.choices}
        if text.lower() in by_lower:
            return by_lower[text.lower()], None
        return self.default, self._fallback_notice(text, f"choose one of {', '.join(self.choices)}")

    def _parse_number(self, text: str) -> tuple[Any, str | None]:
        try:
            number = float(text)
        except ValueError:
            return self.default, self._fallback_notice(text, "not a number")
        if not math.isfinite(number):
            return self.default, self._fallback_notice(text, "not a finite number")
        clean = self._clamped(number)
        if self.integer:
            clean: float | int = round(clean)
        elif self.grid:
            clean = nearest_on_grid(self.grid, clean)
        if math.isclose(clean, number, rel_tol=1e-9, abs_tol=1e-12):
            return clean, None
        problem = "is out of range" if self._clamped(number) != number else "is not on the scale"
        return clean, f"{self.name}: “{escape_markdown(text)}” {problem}; using {clean:g}."

    def _clamped(self, number: float) -> float:
        if self.minimum is not None:
            number = max(number, self.minimum)
        if self.maximum is not None:
            number = min(number, self.maximum)
        return number


def nearest_on_grid(grid: Sequence[float], value: float) -> float:
    """The entry of the sorted positive `grid` nearest to `value` in log distance."""
    if value <= grid[0]:
        return float(grid[0])
    index = bisect.bisect_left(grid, value)
    if index >= len(grid):
        return float(grid[-1])
    below, above = grid[index - 1], grid[index]
    return float(below if math.log(value / below) < math.log(above / value) else above)


def clean_values(
    table: Iterable[UrlParameter], raw: Mapping[str, str | Sequence[str]]
) -> tuple[dict[str, Any], list[str]]:
    """Validate raw query parameters against `table`.

    raw maps a key to its string or its list of strings (a repeated parameter; the last one
    counts, as in Streamlit). Returns ({key: clean value} for every key of the table, using the
    default where the URL is silent or wrong, and the notices). Unknown keys are ignored.
    """
    values: dict[str, Any] = {}
    notices: list[str] = []
    for parameter in table:
        given = raw.get(parameter.key)
        if given is None or (not isinstance(given, str) and len(given) == 0):
            values[parameter.key] = parameter.default
            continue
        text = given if isinstance(given, str) else given[-1]
        values[parameter.key], notice = parameter.parse(text)
        if notice:
            notices.append(notice)
    return values, notices


def page_link(path: str, table: Iterable[UrlParameter], values: Mapping[str, Any]) -> str:
    """A relative link to `path` carrying `values` (only those that differ from the default).

    Values are cleaned through the table first, so a link never carries an invalid value.
    Raises KeyError for a key the table does not have (a programming error, not user input).
    """
    pairs = query_pairs(table, values)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def query_pairs(table: Iterable[UrlParameter], values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, query-string value) of every value that differs from its default, cleaned through
    the table (KeyError for a key the table does not have)."""
    by_key = {parameter.key: parameter for parameter in table}
    pairs = []
    for key, value in values.items():
        parameter = by_key[key]
        clean, _ = parameter.parse(parameter.serialize(value))
        if clean != parameter.default:
            pairs.append((key, parameter.serialize(clean)))
    return pairs


# ----- Streamlit glue -------------------------------------------------------------------------
def apply_url_parameters(
    table: Sequence[UrlParameter] | Callable[[Mapping[str, list[str]]], Sequence[UrlParameter]],
    scope: str,
) -> list[str]:
    """Clean the page's query parameters once per session and return the notices.

    Call it before the page draws its bound widgets. On the first run every parameter the link
    carries is put in st.session_state as its clean value: a bound widget seeds itself from the
    raw link first and, where Streamlit rejects the raw value (lr=banana, steps=1e9, x0 outside
    the slider), keeps the clean one. The notices are remembered under `scope` and returned on
    every later rerun.

    Known limit (Streamlit 1.67): a bound widget that rejects a raw value also drops that
    parameter from the address bar, so after a clamped value (steps=1e9 -> 5000) the screen and
    the notice are right but a copied link carries the default for that key until the control
    is moved.

    `table` may be a function of the raw query parameters (a page whose start range depends on
    the surface in the link); it is called only on the first run.
    """
    import streamlit as st

    memory = f"_url_notices:{scope}"
    if memory in st.session_state:
        return st.session_state[memory]
    everything = {key: st.query_params.get_all(key) for key in st.query_params}
    if callable(table):
        table = table(everything)
    raw = {p.key: everything[p.key] for p in table if p.key in everything}
    values, notices = clean_values(table, raw)
    for key in raw:
        st.session_state[key] = values[key]
    st.session_state[memory] = notices
    return notices


def url_parameters_applied(scope: str) -> bool:
    """Whether apply_url_parameters has already read the link for `scope` in this session (after
    that, the page's controls own their query parameters)."""
    import streamlit as st

    return f"_url_notices:{scope}" in st.session_state


def finish_url_parameters(scope: str) -> None:
    """End-of-page hook of the URL state (nothing to do at present; see the known limit in
    apply_url_parameters). Pages call it so that a future fix lands in one place."""
    del scope


def show_notices(notices: Sequence[str]) -> None:
    """One warning box listing what the link asked for that could not be used."""
    import streamlit as st

    if notices:
        lines = "\n".join(f"- {notice}" for notice in notices)
        st.warning(f"Some values in the link were replaced:\n{lines}", icon=":material/link:")


# ----- controls a shared link hides -----------------------------------------------------------
VISIBLE_KEY = "visible"
"""Query parameter of a classroom link: the comma-separated keys of the controls students see.
Absent: every control is shown. Present: only those listed (`visible=none` hides them all)."""
MAXIMUM_VISIBLE_KEYS = 200
_KEY_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
DRAWN_MEMORY = "_drawn_controls"
"""{key: DrawnControl} of the controls drawn since the link builder last read them."""


@dataclass(frozen=True)
class DrawnControl:
    """A control as the link builder lists it: its label and its value for a link (None: the
    default, left out of links)."""

    label: str
    query_value: str | None


def parse_visible(raw: str | None) -> frozenset[str] | None:
    """The keys a `visible=` value lists, or None (show everything) when there is none.

    Words that cannot be a control key are dropped, and at most MAXIMUM_VISIBLE_KEYS are read, so
    a tampered link can only hide controls, never break the page.
    """
    if raw is None:
        return None
    words = (word.strip() for word in raw.split(",")[:MAXIMUM_VISIBLE_KEYS])
    return frozenset(
        word
        for word in words
        if 0 < len(word) <= MAXIMUM_RAW_LENGTH
        and set(word) <= _KEY_CHARACTERS
        and word[0].isalpha()  # every key starts with a letter: "_" alone is no key
    )


def visible_link(
    path: str,
    query: Mapping[str, Sequence[str]],
    drawn: Mapping[str, DrawnControl],
    visible: Iterable[str] | None,
) -> str:
    """A classroom link to `path`: the current settings and the controls left visible.

    The settings are the drawn controls' values (those at their default left out) and whatever
    else the query (key -> its values) carries that no drawn control owns (a lesson id, a value
    of a control this run did not draw). `visible` None leaves every control visible (no
    `visible` parameter); an empty list gives `visible=none`.
    """
    pairs = [
        (key, value)
        for key, values in query.items()
        if key != VISIBLE_KEY and key not in drawn
        for value in values[-1:]
    ]
    pairs += [(key, control.query_value) for key, control in drawn.items() if control.query_value]
    if visible is not None:
        pairs.append((VISIBLE_KEY, ",".join(sorted(visible)) or "none"))
    return f"{path}?{urlencode(pairs, safe=',')}" if pairs else path


def control_shown(key: str) -> bool:
    """Whether the page may draw the control `key`: the link's `visible` list allows it."""
    import streamlit as st

    visible = parse_visible(st.query_params.get(VISIBLE_KEY))
    return visible is None or key in visible


def remember_control(key: str, label: str, query_value: str | None) -> None:
    """Note a control drawn (or hidden) on this run, with its value in query-string form (None
    at its default), for the link builder: the server's copy of the query string is not
    refreshed when a widget moves, so the controls themselves say what the link must carry."""
    import streamlit as st

    st.session_state.setdefault(DRAWN_MEMORY, {})[key] = DrawnControl(label, query_value)


def take_drawn_controls() -> dict[str, DrawnControl]:
    """{key: DrawnControl} of the controls drawn since the last call, in drawing order; forgets
    them (the link builder calls it once per run, last)."""
    import streamlit as st

    return st.session_state.pop(DRAWN_MEMORY, None) or {}


def kept_value(key: str, default: Any) -> Any:
    """The value of a control that is not drawn: the link's (cleaned into session state by
    apply_url_parameters), or what it had before it was hidden, or its default."""
    import streamlit as st

    return st.session_state.get(key, default)
