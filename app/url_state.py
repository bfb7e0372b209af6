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

A widget bound to the URL seeds itself from the query string on the first run, and would read a
raw value its own way (`steps=3.5` as 3 where the cleaner says 4). So the value a notice names and
the value a control then holds come from one computation: on a session's first run the cleaner
writes every value it changed back into the link, in the form the widget reads exactly
(`UrlParameter.serialize`), and runs the page again before any widget is drawn (see
apply_url_parameters).

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
        """The query-string form of a clean value, as the bound widget writes and reads it: a
        float in full (the shortest text that reads back as the same float, "5" for 5.0), a
        value of a grid as the select-slider labels its option (`grid_label`)."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and self.grid:
            return grid_label(value)
        if isinstance(value, float):
            return full_number(value)
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
        clamped = self._clamped(number)
        if self.integer:
            clean: float | int = math.floor(clamped + 0.5)  # halves round up, as taught
        elif self.grid:
            clean = nearest_on_grid(self.grid, clamped)
        else:
            clean = clamped
        if clean == number:
            return clean, None
        if clamped != number:
            problem = "is out of range"
        elif self.integer:
            problem = "is not a whole number"
        else:
            problem = "is not on the scale"
        used = self.serialize(clean)  # the very text the link then carries: digits only
        return clean, f"{self.name}: “{escape_markdown(text)}” {problem}; using {used}."

    def _clamped(self, number: float) -> float:
        if self.minimum is not None:
            number = max(number, self.minimum)
        if self.maximum is not None:
            number = min(number, self.maximum)
        return number


def full_number(value: float) -> str:
    """A float as the shortest text that reads back as the same float ("5" for 5.0), as
    Streamlit writes a bound number into the URL."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
        return str(int(value))
    return repr(float(value))


def grid_label(value: float) -> str:
    """A grid value as its select-slider shows it and as the link carries it: 0.1, 2e-05, 1000."""
    return f"{value:g}"


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


def link_corrections(
    table: Iterable[UrlParameter], raw: Mapping[str, str | Sequence[str]], values: Mapping[str, Any]
) -> dict[str, str | None]:
    """{key: the text the link must carry instead, or None to drop the key} for every parameter
    of `raw` whose text is not exactly its clean value's query-string form: a replaced or
    clamped value, one written another way (`lr=0.10`), a repeated one. A clean value equal to
    the default is dropped (the bound widget drops it too)."""
    corrections: dict[str, str | None] = {}
    for parameter in table:
        given = raw.get(parameter.key)
        if given is None:
            continue
        texts = [given] if isinstance(given, str) else list(given)
        clean = values[parameter.key]
        wanted = None if clean == parameter.default else parameter.serialize(clean)
        if texts != ([] if wanted is None else [wanted]):
            corrections[parameter.key] = wanted
    return corrections


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
    carries is put in st.session_state as its clean value (what a hidden control keeps). A bound
    widget seeds itself from the link, not from session state, and reads a raw value its own way
    (`steps=3.5` as 3, a 70-character number in full); so every value the cleaner changed is
    written back into the link in the form the widget reads exactly (`link_corrections`), and
    the page runs again at once, before any widget has been drawn: the widgets then hold the
    values the notices name, and a copied link carries them. The notices are remembered under
    `scope` and returned on every later rerun.

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
    if _correct_link(link_corrections(table, raw, values)):
        st.rerun()
    return notices


def _correct_link(corrections: Mapping[str, str | None]) -> bool:
    """Write the corrections into the query string; whether it was changed (False also when a
    widget drawn on an earlier page already owns one of the keys: then the controls keep the
    clean values from session state where they reject the raw ones, as before)."""
    import streamlit as st
    from streamlit.errors import StreamlitAPIException

    try:
        for key, text in corrections.items():
            if text is None:
                del st.query_params[key]
            else:
                st.query_params[key] = text
    except StreamlitAPIException:
        return False
    return bool(corrections)


def url_parameters_applied(scope: str) -> bool:
    """Whether apply_url_parameters has already read the link for `scope` in this session (after
    that, the page's controls own their query parameters)."""
    import streamlit as st

    return f"_url_notices:{scope}" in st.session_state


def finish_url_parameters(scope: str) -> None:
    """End-of-page hook of the URL state (nothing to do at present). Pages call it so that a
    future change lands in one place."""
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
