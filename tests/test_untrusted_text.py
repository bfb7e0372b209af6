"""app.untrusted_text.escape_markdown: hostile text comes out as plain text, read three ways.

- As CommonMark reads it: every ASCII punctuation character is escaped by a backslash that is not
  itself escaped, so no construct can open or close (checked by a scanner written here).
- As Streamlit's additions read it, after the escapes are resolved: no shortcode, bare address or
  arrow pattern is left (the text view of tests/markup_check.py).
- As a reader sees it: the input with each control or format character replaced by U+FFFD, cut
  to the limit. The real renderer's reading is tests/e2e/test_markdown_escape_browser.py.
"""

from __future__ import annotations

import re
import string
import unicodedata

import pytest
from fixtures.escape_samples import SAMPLES
from hypothesis import given
from hypothesis import strategies as st
from markup_check import markup_problems, read_inline, shown_text

from app.untrusted_text import ELLIPSIS, WORD_JOINER, escape_markdown

HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}
STREAMLIT_TEXT_PATTERNS = re.compile(
    r":[\w+-]+:|:material[/_]|https?://|www\.|@[-\w]|<->|->|<-|--|>=|<=|~="
)
"""What Streamlit rewrites in a text node: shortcodes, addresses (a@b, www., scheme://), and the
typographic arrows and dashes."""


def expected_view(text: str, limit: int) -> str:
    """What a reader should see: control and format characters as U+FFFD, cut to `limit`."""
    shown = "".join("\ufffd" if unicodedata.category(c) in HIDDEN else c for c in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + ELLIPSIS


def unescaped_punctuation(markdown: str) -> list[int]:
    """Positions of ASCII punctuation not escaped by a backslash (a backslash is escaped only by
    the backslash before it, which escapes nothing else)."""
    loose, index = [], 0
    while index < len(markdown):
        character = markdown[index]
        if (
            character == "\\"
            and index + 1 < len(markdown)
            and markdown[index + 1] in string.punctuation
        ):
            index += 2
            continue
        if character in string.punctuation:
            loose.append(index)
        index += 1
    return loose


def assert_plain(text: str, limit: int = 80) -> None:
    escaped = escape_markdown(text, limit=limit)
    assert not unescaped_punctuation(escaped), escaped
    assert all(unicodedata.category(c) not in HIDDEN or c == WORD_JOINER for c in escaped), escaped
    _, text_view = read_inline(escaped)
    assert not STREAMLIT_TEXT_PATTERNS.search(text_view), text_view
    assert not markup_problems(f"EVIL1Z {escaped}", {"EVIL1Z": text})
    assert shown_text(escaped) == expected_view(text, limit)


@pytest.mark.parametrize("sample", SAMPLES, ids=range(len(SAMPLES)))
def test_each_hostile_sample_comes_out_as_plain_text(sample):
    assert_plain(sample)


HOSTILE_CHARACTERS = st.sampled_from(
    [*string.punctuation, *"aw htp0é", "\r", "\n", "\t", "\x00", "\x7f", "\x85", "\u2028",
     "\u2029", "\u202e", "\u200b", "\u2060", "\ufeff", "\ud800", "\U0001f600"]
)  # fmt: skip


@given(st.text(HOSTILE_CHARACTERS, max_size=120), st.integers(1, 100))
def test_any_text_comes_out_as_plain_text(text, limit):
    assert_plain(text, limit)


def test_plain_words_are_left_as_they_are():
    assert escape_markdown("Learning rate 0 banana") == "Learning rate 0 banana"
    assert escape_markdown("Himmelblau's function") == "Himmelblau\\'s function"


def test_the_cut_keeps_the_first_characters_and_marks_itself():
    escaped = escape_markdown("abcdefghij", limit=4)
    assert shown_text(escaped) == "abc" + ELLIPSIS


def test_the_escape_checker_finds_what_it_looks_for():
    # The checks above must be able to fail: raw punctuation and raw control characters.
    assert unescaped_punctuation("a\\[b] \\\\*") == [4, 8]
    assert STREAMLIT_TEXT_PATTERNS.search(read_inline("\\:smile\\:")[1])


def test_a_limit_below_one_is_a_programming_error():
    with pytest.raises(ValueError):
        escape_markdown("x", limit=0)
