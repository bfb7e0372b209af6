"""A strict reading of the Markdown a page hands to Streamlit: would text sent in a link render as
markup? Used by tests/test_injection.py.

    from markup_check import markup_problems, markdown_texts
    for kind, body in markdown_texts(app):
        assert not markup_problems(body, {"EVIL1Z": payload}), kind

Every payload the tests send carries a marker, EVIL<number>Z, beside each construct it tries to
build, so the check can tell the payload's markup from the page's own (a lesson's heading, a
diagnosis in bold). It reads a body the way CommonMark and Streamlit's renderer do, in three
views:

- lines, split at CommonMark's line endings (\\r\\n, \\r, \\n): blocks (headings, quotes, tables)
  are decided per line before anything inline;
- the *markup view*: every backslash escape and every code span replaced by a placeholder, so
  what is left can still open or close a construct;
- the *text view*: escapes resolved (\\: becomes :), code spans dropped and word joiners kept
  (as placeholders). Streamlit looks for emoji and icon shortcodes and for bare web and e-mail
  addresses in this text, after the escapes are gone, so escaping alone does not stop them.

A problem is reported when the payload's marker sits in a block with a construct that would
render: a heading, a link or image, an HTML tag or entity, math between dollar signs, a colour
directive, a shortcode, emphasis, a bare address; or when a control or format character (other
than the page's own line feeds) or a line break the payload carried reaches the Markdown at all.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import NamedTuple

MARKER = re.compile(r"EVIL\d+Z")
WORD_JOINER = "\u2060"
PLACEHOLDER = "\u25a1"
"""Stands for an escaped character or a code span in the markup view: it has no Markdown meaning."""
LINE_ENDING = re.compile(r"\r\n|\r|\n")
PUNCTUATION = frozenset(string.punctuation)

_BLOCK_START = re.compile(r"^ {0,3}(#{1,6}(?:[ \t]|$)|>|[-+*][ \t]|\d{1,9}[.)][ \t]|```|~~~|\|)")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_INLINE_CONSTRUCTS = {
    "a link or an image": re.compile(r"\]\s*[(\[]|^ {0,3}\[[^\]]*\]:", re.MULTILINE),
    "an HTML tag or an autolink": re.compile(r"<[A-Za-z!?/]"),
    "an HTML entity": re.compile(
        r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
    ),
    "math": re.compile(r"\$"),
    "a directive such as :red[...]": re.compile(r":[A-Za-z][\w-]*\["),
    "emphasis or strikethrough": re.compile(r"[*_~]+EVIL\d+Z|EVIL\d+Z[*_~]+"),
}
_TEXT_CONSTRUCTS = {
    "a shortcode such as :smile: or :material/...:": re.compile(r":(?:material[/_])?[\w+-]+:"),
    "a bare web address": re.compile(r"(?:https?://|www\.)[-.\w]", re.IGNORECASE),
    "a bare e-mail address": re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+"),
}
_ALLOWED_FORMAT_CHARACTERS = frozenset({"\n", WORD_JOINER})


def markup_problems(body: str, sent: Mapping[str, str] = MappingProxyType({})) -> list[Problem]:
    """What in `body` would render as markup of a payload (empty: nothing). `sent` maps each
    marker to the payload that carried it, to recognise the payload's line breaks and to say
    which payload a raw control character came from."""
    problems = []
    shown = set(MARKER.findall(body))
    for character in sorted(set(body)):
        if _hidden(character) and character not in _ALLOWED_FORMAT_CHARACTERS:
            carriers = [m for m, payload in sent.items() if m in shown and character in payload]
            what = f"raw control or format character U+{ord(character):04X}"
            problems += [Problem(marker, what) for marker in carriers or ["?"]]
    lines = LINE_ENDING.split(body)
    problems += _carried_line_breaks(lines, sent)
    for block in _blocks(lines):
        markers = sorted(set(MARKER.findall(block)))
        problems += [Problem(m, what) for what in _block_problems(block) for m in markers]
    return problems


class Problem(NamedTuple):
    """Markup that would render, and the marker of the payload it comes from ("?": unknown)."""

    marker: str
    what: str


def _hidden(character: str) -> bool:
    return unicodedata.category(character) in {"Cc", "Cf", "Cs", "Zl", "Zp"}


def _carried_line_breaks(lines: list[str], sent: Mapping[str, str]) -> list[Problem]:
    """A body line that begins with what followed a line ending in a payload: the payload's own
    line break reached the Markdown (it can start any block)."""
    problems = []
    for marker, payload in sent.items():
        for part in LINE_ENDING.split(payload)[1:]:
            start = part.strip()[:12]
            if start and any(line.lstrip().startswith(start) for line in lines):
                what = f"a line break of the payload starts a line with {start!r}"
                problems.append(Problem(marker, what))
    return problems


def _blocks(lines: list[str]) -> Iterator[str]:
    """The body cut into blocks: at blank lines and where a line opens a block of its own."""
    block: list[str] = []
    for index, line in enumerate(lines):
        underline = index > 0 and _SETEXT_UNDERLINE.match(line)
        if block and (not line.strip() or _BLOCK_START.match(line)) and not underline:
            yield "\n".join(block)
            block = []
        if line.strip():
            block.append(line)
    if block:
        yield "\n".join(block)


def _block_problems(block: str) -> list[str]:
    problems = []
    lines = block.split("\n")
    if any(_HEADING.match(line) for line in lines):
        problems.append("a heading")
    if any(index > 0 and _SETEXT_UNDERLINE.match(line) for index, line in enumerate(lines)):
        problems.append("a heading (underlined)")
    markup, text = read_inline(block)
    problems += [name for name, pattern in _INLINE_CONSTRUCTS.items() if pattern.search(markup)]
    problems += [name for name, pattern in _TEXT_CONSTRUCTS.items() if pattern.search(text)]
    return problems


def read_inline(block: str) -> tuple[str, str]:
    """(markup view, text view) of one block. A backslash before ASCII punctuation escapes it;
    a run of n backticks opens a code span closed by the next run of exactly n (inside which a
    backslash is literal), as CommonMark reads them."""
    markup, text = [], []
    index = 0
    while index < len(block):
        character = block[index]
        if character == "\\" and index + 1 < len(block) and block[index + 1] in PUNCTUATION:
            markup.append(PLACEHOLDER)
            text.append(block[index + 1])
            index += 2
            continue
        if character == "`":
            run = len(block[index:]) - len(block[index:].lstrip("`"))
            close = _closing_run(block, index + run, run)
            if close is not None:
                markup.append(PLACEHOLDER)
                text.append(" ")
                index = close + run
                continue
            markup.append("`" * run)
            text.append("`" * run)
            index += run
            continue
        markup.append(character)
        text.append(character)
        index += 1
    return "".join(markup), "".join(text).replace(WORD_JOINER, PLACEHOLDER)


def _closing_run(block: str, start: int, length: int) -> int | None:
    """Where the next run of exactly `length` backticks from `start` begins, or None."""
    for match in re.finditer(r"`+", block[start:]):
        if len(match.group()) == length:
            return start + match.start()
    return None


def shown_text(markdown: str) -> str:
    """The words a reader sees of escaped text: escapes resolved, word joiners dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


# ----- the page's Markdown ----------------------------------------------------------------------
MARKDOWN_FIELDS = frozenset({"body", "label", "help", "message", "placeholder", "options"})
"""Proto fields Streamlit renders as Markdown: bodies, labels, help tooltips, radio options."""
NOT_MARKDOWN = frozenset(
    {"latex", "text", "code", "json", "dataframe", "table", "arrow_data_frame"}
)
"""Elements whose text is shown without Markdown (LaTeX is typeset from the parsed formula)."""


def markdown_texts(app) -> list[tuple[str, str]]:
    """(element type, text) of every Markdown-rendered string on an AppTest page."""
    found: list[tuple[str, str]] = []
    for node in _nodes(app._tree):
        proto = getattr(node, "proto", None)
        kind = str(getattr(node, "type", ""))
        if proto is None or not hasattr(proto, "ListFields") or kind in NOT_MARKDOWN:
            continue
        found += [(kind, text) for text in _markdown_strings(proto)]
    return found


def figure_specs(app) -> list[str]:
    """The JSON of every Plotly figure on the page (Plotly renders a subset of HTML in text)."""
    return [
        node.proto.spec for node in _nodes(app._tree) if getattr(node, "type", "") == "plotly_chart"
    ]


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _markdown_strings(message) -> Iterator[str]:
    for field, value in message.ListFields():
        values = list(value) if field.is_repeated else [value]
        if field.type == field.TYPE_MESSAGE:
            for item in values:
                yield from _markdown_strings(item)
        elif field.type == field.TYPE_STRING and field.name in MARKDOWN_FIELDS:
            yield from values
