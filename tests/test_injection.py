"""Nothing from a link is rendered as markup: hostile payloads through every URL parameter of every
page, read back from every Markdown-rendered element (notices, captions, alerts, headings,
labels, help, expanders, toasts, exceptions) with the strict check of tests/markup_check.py.

Each run opens one page (through the entry script, so `present` is read too) with a link in
which every parameter of a group carries a payload; the payloads rotate over the parameters from
run to run, so every parameter meets several payloads and every payload many parameters. A
payload carries a marker EVIL<n>Z that names its (page, parameter, payload): a problem found in
a block with that marker is charged to that case. The groups cover each page's whole URL table
(read from the page's own table functions), the parameters of every surface that has some (a
surface's parameters are read only when the link chooses it), the formula box and its domain,
`lesson`, `visible`, `present` and keys no page knows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from markup_check import MARKER, figure_specs, markdown_texts, markup_problems
from streamlit.testing.v1 import AppTest

from app import network_settings, sweep_settings
from app.explorer_settings import surface_parameter_controls
from app.explorer_settings import url_table as explorer_table
from app.untrusted_text import escape_markdown
from core.surfaces import SURFACES

ENTRY = str(__import__("conftest").APP_PATH)

PAYLOADS = {
    "heading after \\r\\r": "a\r\r## {m} Teacher: [read this](http://evil.example)",
    "heading after \\n\\n": "a\n\n# {m} heading\n\n---",
    "link": "[{m}](http://evil.example/login)",
    "image": "![{m}](http://evil.example/x.png)",
    "html img": "<img src=x onerror=alert(1)>{m}",
    "script": "{m}<script>alert(1)</script>",
    "latex": "{m} $\\frac{1}{0}$ $$x$$",
    "colour directive": "{m} :red[big] :blue-background[x]",
    "icon and emoji shortcodes": "{m} :material/warning: :skull: :streamlit:",
    "emphasis": "**{m}** _{m}_ ~~{m}~~",
    "separators and NUL": "{m}\u2028# x\u2029y\x00z\x7f\x85",
    "bidi and zero-width": "{m}\u202etxt.exe\u202c\u200b\u200d\ufeff\u2066x\u2069",
    "backticks": "{m}`` ` `` ```x``` `",
    "bare addresses": "{m} www.evil.example {m}@evil.example http://evil.example",
    "entities": "{m} &lt;b&gt; &#x3C;i&#62; &amp;",
    "too long": "a\r\r## {m} " + "x" * 70,
    "escaped backslash": "{m} \\[x\\](http://evil.example) \\\\*y*",
    "reference link": "{m}\n[x]: http://evil.example\n[{m}][x]",
    "table and quote": "{m}\r| a | b |\r|---|---|\r> {m} quote",
    "formula identifiers": "__{m}__*x + {m}_ * y",
}
"""Name -> template; {m} becomes the case's marker. Every marker sits in the first 19
characters, which a notice quotes even of a value cut for its length."""

CLASSROOM_KEYS = ("present", "visible")
UNKNOWN_KEYS = ("evil", "lesson_x", "__proto__")
CUSTOM_KEYS = ("formula", "xmin", "xmax", "ymin", "ymax")
PAGE_SCRIPTS = {
    "explorer": "app_pages/explorer.py",
    "sweeps": "app_pages/sweeps.py",
    "network": "app_pages/network.py",
    "lessons": "app_pages/lessons.py",
}
PARAMETER_SURFACES = tuple(name for name, entry in SURFACES.items() if entry.parameters)
"""The surfaces whose parameters are in a page's table only when the link chooses them."""


def table_keys(table) -> tuple[str, ...]:
    return tuple(parameter.key for parameter in table)


@dataclass(frozen=True)
class Group:
    """Links that fill `keys` with payloads (one run each), with `fixed` valid values that make
    the page read those keys (surface=custom for the formula)."""

    page: str
    keys: tuple[str, ...]
    runs: int
    fixed: dict[str, str] = field(default_factory=dict)
    echoed: frozenset[str] = frozenset()
    """Keys whose notice quotes the value: their marker must reach the page's Markdown."""


def surface_groups(page: str, runs: int) -> list[Group]:
    groups = [
        Group(page, CUSTOM_KEYS, runs, {"surface": "custom"}, frozenset(CUSTOM_KEYS[1:])),
    ]
    for surface in PARAMETER_SURFACES:
        keys = table_keys(
            control.url_parameter() for control in surface_parameter_controls(surface)
        )
        groups.append(Group(page, keys, max(runs // 2, 2), {"surface": surface}, frozenset(keys)))
    return groups


def groups() -> dict[str, list[Group]]:
    extra = CLASSROOM_KEYS + UNKNOWN_KEYS
    explorer = table_keys(explorer_table("bowl"))
    sweeps = table_keys(sweep_settings.url_table("bowl"))
    network = table_keys(network_settings.url_table())
    return {
        "explorer": [
            Group("explorer", (*explorer, "lesson", *extra), 8, echoed=frozenset(explorer)),
            *surface_groups("explorer", 6),
        ],
        "sweeps": [
            Group("sweeps", (*sweeps, *extra), 6, echoed=frozenset(sweeps)),
            *surface_groups("sweeps", 2),
        ],
        "network": [Group("network", (*network, *extra), 6, echoed=frozenset(network))],
        "lessons": [Group("lessons", ("lesson", *extra), len(PAYLOADS), echoed={"lesson"})],
    }


@dataclass(frozen=True)
class Case:
    page: str
    key: str
    payload: str


def links(group: Group, numbers: Iterator[int]) -> Iterator[tuple[dict[str, str], dict]]:
    """(query, {marker: (case, payload text)}) for each run of the group: in run r the i-th key
    carries payload i + r (mod the number of payloads). `visible` hides every control, so it
    carries a payload only on odd runs, and the controls are drawn on the others."""
    names = list(PAYLOADS)
    for run in range(group.runs):
        query, sent = dict(group.fixed), {}
        for index, key in enumerate(group.keys):
            if key == "visible" and run % 2 == 0:
                continue
            name = names[(index + run) % len(names)]
            marker = f"EVIL{next(numbers)}Z"
            query[key] = PAYLOADS[name].replace("{m}", marker)
            sent[marker] = (Case(group.page, key, name), query[key])
        yield query, sent


def open_with(page: str, query: dict[str, str]) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    app.switch_page(PAGE_SCRIPTS[page])
    return app.run()


def failures_of(app: AppTest, sent: dict) -> tuple[dict[Case, set[str]], set[str]]:
    """({case: what rendered}, markers that reached some Markdown element) of one run."""
    texts = {marker: payload for marker, (_, payload) in sent.items()}
    failures: dict[Case, set[str]] = {}
    seen: set[str] = set()
    for kind, body in markdown_texts(app):
        seen.update(MARKER.findall(body))
        for problem in markup_problems(body, texts):
            case = sent[problem.marker][0] if problem.marker in sent else Case("?", "?", "?")
            failures.setdefault(case, set()).add(f"{kind}: {problem.what}")
    for spec in figure_specs(app):
        for marker in set(MARKER.findall(spec)) & set(sent):
            failures.setdefault(sent[marker][0], set()).add("a figure shows the payload")
    for exception in app.exception:
        page = next(iter(sent.values()))[0].page
        failures.setdefault(Case(page, "(the page)", "(all)"), set()).add(
            f"the page raised: {str(exception.value)[:80]}"
        )
    return failures, seen


@pytest.mark.parametrize("page_name", PAGE_SCRIPTS)
def test_no_payload_renders_as_markup_on_the_page(page_name):
    numbers = itertools.count(1)
    cases: set[Case] = set()
    failures: dict[Case, set[str]] = {}
    silent: list[Case] = []
    for group in groups()[page_name]:
        for query, sent in links(group, numbers):
            app = open_with(page_name, query)
            found, seen = failures_of(app, sent)
            cases.update(case for case, _ in sent.values())
            failures.update(found)
            silent += [
                case for marker, (case, _) in sent.items()
                if case.key in group.echoed and marker not in seen
            ]  # fmt: skip
    report = [
        f"{case.page} {case.key} [{case.payload}]: {sorted(what)}"
        for case, what in failures.items()
    ]
    assert not failures, f"{len(failures)} of {len(cases)} cases rendered markup:\n" + "\n".join(
        sorted(report)[:25]
    )
    # The check read real output: a table parameter's notice quotes what the link sent.
    assert not silent, f"{len(silent)} payloads never reached the page: {silent[:5]}"
    keys = {case.key for case in cases}
    assert keys >= {key for group in groups()[page_name] for key in group.keys}


# ----- the check itself ---------------------------------------------------------------------------
def code_span_as_before(text: str) -> str:
    """A code span that only replaces backticks and line feeds, as the notices once quoted."""
    return "`" + text.replace("`", "'").replace("\n", " ") + "`"


def notice(quoted: str) -> str:
    return f"Some values in the link were replaced:\n- Learning rate: {quoted} is not valid."


def test_the_check_flags_a_code_span_that_a_carriage_return_ends():
    payload = PAYLOADS["heading after \\r\\r"].replace("{m}", "EVIL1Z")
    found = {
        problem.what
        for problem in markup_problems(notice(code_span_as_before(payload)), {"EVIL1Z": payload})
    }
    assert "a heading" in found and "a link or an image" in found
    assert "raw control or format character U+000D" in found
    assert not markup_problems(notice(escape_markdown(payload)), {"EVIL1Z": payload})


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[EVIL1Z](http://x)", "a link or an image"),
        ("a ![EVIL1Z](x.png)", "a link or an image"),
        ("<b>EVIL1Z</b>", "an HTML tag or an autolink"),
        ("EVIL1Z &lt;", "an HTML entity"),
        ("$x$ EVIL1Z", "math"),
        ("EVIL1Z :red[x]", "a directive such as :red[...]"),
        ("EVIL1Z \\:smile\\:", "a shortcode such as :smile: or :material/...:"),
        (
            "EVIL1Z \\:material/warning\\:",
            "a shortcode such as :smile: or :material/...:",
        ),
        ("**EVIL1Z**", "emphasis or strikethrough"),
        ("EVIL1Z www\\.evil\\.example", "a bare web address"),
        ("EVIL1Z a\\@b\\.co", "a bare e-mail address"),
        ("x\n## EVIL1Z", "a heading"),
        ("EVIL1Z\n===", "a heading (underlined)"),
    ],
)
def test_the_check_flags_each_construct_next_to_a_marker(body, expected):
    assert expected in {problem.what for problem in markup_problems(body)}


def test_the_check_leaves_a_page_s_own_markup_and_inert_code_alone():
    assert not markup_problems("#### Lesson\n\n**Bold** [a link](/lessons) :material/school:")
    assert not markup_problems("- a: `EVIL1Z [x](http://evil.example) $y$ :smile:` is not valid")
