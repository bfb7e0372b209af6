"""The formula box: a surface f(x, y) typed by the user, its domain, examples and errors.

`custom_surface_controls()` draws in the sidebar the example picker, the formula box and the
domain (all bound to the URL: formula, xmin, xmax, ymin, ymax) and always returns a valid
core.Surface. The formula goes through core.formula's whitelisted parser (never eval); what is
shown is LaTeX rendered from the parsed tree, never the typed text. A refused formula shows its
error under the box while the last formula that worked stays on screen. A link whose formula or
domain is refused opens the default with a notice, and the URL is corrected on an immediate
second run (a bound widget takes its first value from the link, so the correction must wait).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

import core
from app.untrusted_text import MESSAGE_LIMIT, escape_markdown
from app.url_state import UrlParameter, clean_values, show_notices
from core.formula import MAXIMUM_LENGTH, PUBLIC_FUNCTIONS, Formula, FormulaError, parse
from core.formula_surface import (
    DEFAULT_DOMAIN,
    DEFAULT_FORMULA,
    EXAMPLES,
    MAXIMUM_COORDINATE,
    check_domain,
)

FORMULA_KEY = "formula"
EXAMPLE_KEY = "formula_example"
DOMAIN_KEYS = ("xmin", "xmax", "ymin", "ymax")
DOMAIN_LABELS = ("x min", "x max", "y min", "y max")
LAST_GOOD_KEY = "_custom_last_good"
PENDING_KEY = "_custom_pending"
NOTICES_KEY = "_custom_notices"
CACHE_ENTRIES = 64

FORMULA_HELP = (
    "Type f(x, y) with numbers, x, y, pi, e, + - * / and ^ (or **) for powers, and the "
    f"functions {', '.join(PUBLIC_FUNCTIONS)}. Example: x^4 - 2*x^2 + y^2. "
    f"At most {MAXIMUM_LENGTH} characters."
)
DOMAIN_HELP = "The box the contour shows and where minima are searched for."
DOMAIN_TABLE = tuple(
    UrlParameter(key, default, -MAXIMUM_COORDINATE, MAXIMUM_COORDINATE, label=label)
    for key, default, label in zip(DOMAIN_KEYS, DEFAULT_DOMAIN, DOMAIN_LABELS, strict=True)
)


@dataclass(frozen=True)
class GoodFormula:
    """The last formula and domain that built a surface (kept in session state)."""

    text: str
    domain: tuple[float, float, float, float]


DEFAULT_GOOD = GoodFormula(DEFAULT_FORMULA, DEFAULT_DOMAIN)


def plain(text: str) -> str:
    """A message that may quote the typed formula, shown literally in a Markdown element."""
    return escape_markdown(text, limit=MESSAGE_LIMIT)


@st.cache_resource(max_entries=CACHE_ENTRIES, ttl=3600, show_spinner=False)
def cached_surface(text: str, domain: tuple[float, float, float, float]) -> core.Surface:
    """core.surface("custom", ...) cached per formula and domain (the minima search runs once)."""
    return core.surface("custom", formula=text, domain=domain)


@st.cache_resource(max_entries=CACHE_ENTRIES, ttl=3600, show_spinner=False)
def cached_formula(text: str) -> Formula:
    """core.formula.parse cached per text (a refusal is not cached: it raises every time)."""
    return parse(text)


def custom_surface_controls() -> core.Surface:
    """Draw the formula editor in the sidebar and return the surface it describes."""
    _apply_pending_corrections()
    link_needs_correction = _check_link_once()
    show_notices(st.session_state.get(NOTICES_KEY, []))
    with st.sidebar:
        _draw_examples()
        st.session_state.setdefault(FORMULA_KEY, DEFAULT_FORMULA)
        text = st.text_input(
            "f(x, y) =",
            key=FORMULA_KEY,
            bind="query-params",
            max_chars=MAXIMUM_LENGTH,
            help=FORMULA_HELP,
        )
        formula_error = _formula_error(text)
        if formula_error is not None:
            st.error(plain(f"Not used: {formula_error}"), icon=":material/error:")
        domain_slot = st.empty()
        domain, domain_error = _draw_domain()
        good = _remember(text, domain, formula_error is None and domain_error is None)
        surface = cached_surface(good.text, good.domain)
        _show_formula(domain_slot, good, text, formula_error is not None)
        _show_gradient(good)
    if link_needs_correction:
        st.rerun()
    return surface


# ----- the link: checked once per session, corrected on a second run ----------------------------
def _check_link_once() -> bool:
    """On the first run, refuse a link's bad formula or domain: the default and a notice now,
    and the corrected widgets on a second run (True when one is needed). The widgets must be
    drawn once with the link's values first: a bound widget's first value comes from the URL."""
    if LAST_GOOD_KEY in st.session_state:
        return False
    st.session_state[LAST_GOOD_KEY] = DEFAULT_GOOD
    raw = {key: st.query_params.get_all(key) for key in DOMAIN_KEYS if key in st.query_params}
    domain_values, notices = clean_values(DOMAIN_TABLE, raw)
    corrections = {key: domain_values[key] for key in raw}
    domain = tuple(domain_values[key] for key in DOMAIN_KEYS)
    formula = st.query_params.get_all(FORMULA_KEY)
    notice = _link_formula_notice(formula[-1] if formula else DEFAULT_FORMULA, domain)
    if notice is not None:
        # The default domain replaces the link's: each edge's notice names the default used.
        notices = [*_refused_domain_notices(raw, domain_values), plain(notice)]
        corrections[FORMULA_KEY] = DEFAULT_FORMULA
        corrections.update(zip(DOMAIN_KEYS, DEFAULT_DOMAIN, strict=True))
    st.session_state[NOTICES_KEY] = notices
    if notices:
        st.session_state[PENDING_KEY] = corrections
    return bool(notices)


def link_surface(link: Mapping[str, Any]) -> core.Surface:
    """The surface the formula editor opens this link with (query strings, or a lesson's
    values): the link's formula on its cleaned domain, or the default formula on the default
    domain where either is refused (as the first run decides, `_check_link_once`)."""
    raw = {key: link[key] for key in DOMAIN_KEYS if key in link}
    raw = {
        key: value if isinstance(value, str | list) else str(value) for key, value in raw.items()
    }
    values, _ = clean_values(DOMAIN_TABLE, raw)
    domain = tuple(values[key] for key in DOMAIN_KEYS)
    formula = link.get(FORMULA_KEY, DEFAULT_FORMULA)
    text = formula[-1] if isinstance(formula, list) and formula else str(formula)
    try:
        return cached_surface(text, check_domain(domain))
    except ValueError:  # FormulaError too
        return cached_surface(DEFAULT_FORMULA, DEFAULT_DOMAIN)


def _refused_domain_notices(raw: Mapping[str, list[str]], values: Mapping[str, float]) -> list[str]:
    """One notice per domain edge the link carries, once the link's formula or domain is refused
    and the default domain used instead: what the edge was replaced by, the default."""
    notices = []
    for parameter in DOMAIN_TABLE:
        if parameter.key not in raw:
            continue
        text = raw[parameter.key][-1] if raw[parameter.key] else ""
        _, own_notice = parameter.parse(text)
        if values[parameter.key] != parameter.default:
            own_notice = (
                f"{parameter.name}: “{escape_markdown(text.strip(), limit=20)}” is not used "
                "(see below); "
                f"using the default {parameter.serialize(parameter.default)}."
            )
        if own_notice:
            notices.append(own_notice)
    return notices


def _link_formula_notice(text: str, domain: tuple[float, ...]) -> str | None:
    try:
        cached_surface(text, check_domain(domain))
    except FormulaError as error:
        return (
            f"Formula: the link's formula was refused ({error}); showing the default "
            f"{DEFAULT_FORMULA} instead."
        )
    except ValueError as error:
        return f"Domain: the link's domain was refused ({error}); showing the default instead."
    return None


def _apply_pending_corrections() -> None:
    for key, value in st.session_state.pop(PENDING_KEY, {}).items():
        st.session_state[key] = value


# ----- the widgets ----------------------------------------------------------------------------
def _draw_examples() -> None:
    st.selectbox(
        "Start from an example",
        [example.name for example in EXAMPLES],
        index=None,
        placeholder="Choose an example…",
        key=EXAMPLE_KEY,
        on_change=_load_example,
        help="Fills in the formula and a domain that shows it well.",
    )


def _load_example() -> None:
    """Put the chosen example's formula and domain in the widgets (before they are drawn)."""
    chosen = st.session_state.get(EXAMPLE_KEY)
    for example in EXAMPLES:
        if example.name == chosen:
            st.session_state[FORMULA_KEY] = example.formula
            st.session_state.update(zip(DOMAIN_KEYS, example.domain, strict=True))
    st.session_state[EXAMPLE_KEY] = None


def _draw_domain() -> tuple[tuple[float, ...], str | None]:
    """The four domain inputs (two columns) and the domain's error message, if any."""
    for key, default in zip(DOMAIN_KEYS, DEFAULT_DOMAIN, strict=True):
        st.session_state.setdefault(key, default)
    columns = st.columns(2)
    values = []
    for index, (key, label) in enumerate(zip(DOMAIN_KEYS, DOMAIN_LABELS, strict=True)):
        values.append(
            columns[index % 2].number_input(
                label,
                -MAXIMUM_COORDINATE,
                MAXIMUM_COORDINATE,
                step=0.5,
                format="%g",
                key=key,
                bind="query-params",
                help=DOMAIN_HELP,
            )
        )
    domain = tuple(float(v) for v in values)
    try:
        check_domain(domain)
    except ValueError as error:
        st.error(plain(f"Domain not used: {error}"), icon=":material/error:")
        return domain, str(error)
    return domain, None


def _formula_error(text: str) -> FormulaError | None:
    try:
        cached_formula(text)
    except FormulaError as error:
        return error
    return None


def _remember(text: str, domain: tuple[float, ...], usable: bool) -> GoodFormula:
    """The formula to show: this one if it builds a surface, else the last one that did."""
    if usable:
        candidate = GoodFormula(text, tuple(domain))
        try:
            cached_surface(candidate.text, candidate.domain)
        except ValueError as error:
            st.error(plain(f"Not used: {error}"), icon=":material/error:")
        else:
            st.session_state[LAST_GOOD_KEY] = candidate
    return st.session_state.get(LAST_GOOD_KEY, DEFAULT_GOOD)


# ----- what is shown --------------------------------------------------------------------------
def _show_formula(slot: Any, good: GoodFormula, typed: str, refused: bool) -> None:
    """The formula in use, typeset from its parsed tree, just under the box."""
    with slot.container():
        if refused or good.text != typed:
            st.caption("Still showing the last formula that worked:")
        st.latex("f(x, y) = " + cached_formula(good.text).latex)


def _show_gradient(good: GoodFormula) -> None:
    """The exact partial derivatives, typeset from their trees, when they are short enough."""
    gradient = cached_formula(good.text).gradient_latex()
    if gradient is not None:
        with st.expander("Exact gradient"):
            st.latex(r"\frac{\partial f}{\partial x} = " + gradient[0])
            st.latex(r"\frac{\partial f}{\partial y} = " + gradient[1])
