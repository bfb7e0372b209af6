"""Text from a link, a typed formula or a file, shown literally inside Streamlit's Markdown.

Every notice, caption, label, heading and alert in Streamlit is Markdown, with additions of its
own: LaTeX between dollar signs, colour directives (`:red[...]`), emoji and icon shortcodes
(`:smile:`, `:material/warning:`, `:streamlit:`), bare web and e-mail addresses turned into links,
and `->` turned into an arrow. `escape_markdown` is the one way untrusted text enters such an
element; a page that wants the text exactly, in monospace, shows it with st.code or st.text instead.

    st.warning(f"There is no lesson called “{escape_markdown(raw, limit=40)}”.")

It works in four steps:

1. Every control character (C0, C1, DEL), format character (zero-width spaces and joiners, bidi
   controls, the byte-order mark), line and paragraph separator and lone surrogate becomes
   U+FFFD, so the text stays on one line of one paragraph: it cannot start a heading, a list, a
   quote or a table, end a code span or a paragraph early, or reorder what is shown around it.
2. The text is cut to `limit` characters, an ellipsis marking the cut.
3. Every ASCII punctuation character is backslash-escaped. CommonMark defines the backslash
   escape for exactly that set, and an escaped character is literal text: no emphasis, link,
   image, HTML tag or entity, code span, table cell, math or directive can begin or end there.
4. Streamlit looks for shortcodes, addresses and arrows in the text after the escapes are
   resolved (and for ":material/" even in the raw source), so a word joiner (U+2060: invisible,
   zero-width, no line break) breaks each of those patterns where it needs two characters side
   by side: after every colon (`:smile:`, `:material/…:`, `:streamlit:`, `http://`), after every
   `@` (`a@b.c`), before every full stop (`www.`) and between two adjacent punctuation marks
   (`->`, `<=`, `--`). The input's own word joiners were replaced in step 1, so every joiner in
   the result is one of these.
"""

from __future__ import annotations

import string
import unicodedata

REPLACEMENT = "\ufffd"
"""What a control or format character is shown as: the Unicode replacement character �."""

WORD_JOINER = "\u2060"
ELLIPSIS = "…"
SHOWN_LIMIT = 80
"""Characters of untrusted text a sentence shows by default (a URL value is at most 64)."""
MESSAGE_LIMIT = 600
"""Characters shown of a whole message that quotes untrusted text, such as a formula error (a
formula has at most 200 characters, and the message may quote it with spaces added)."""

_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Control, format, surrogate, line separator, paragraph separator."""

ASCII_PUNCTUATION = frozenset(string.punctuation)
"""The characters CommonMark lets a backslash escape."""
_JOINED_AFTER = frozenset(":@")
_JOINED_BEFORE = frozenset(".")


def escape_markdown(text: str, limit: int = SHOWN_LIMIT) -> str:
    """`text` (any string) as Markdown that Streamlit shows literally, cut to `limit` characters.

    Raises ValueError for a limit below 1 (a programming error, not user input).
    """
    if limit < 1:
        raise ValueError("the limit must be at least one character")
    shown = _replace_hidden(str(text))
    if len(shown) > limit:
        shown = shown[: limit - 1] + ELLIPSIS
    pieces: list[str] = []
    after_mark = False
    for character in shown:
        if character not in ASCII_PUNCTUATION:
            pieces.append(character)
            after_mark = False
            continue
        if after_mark or character in _JOINED_BEFORE:
            pieces.append(WORD_JOINER)
        pieces.append("\\" + character)
        if character in _JOINED_AFTER:
            pieces.append(WORD_JOINER)
        after_mark = True
    return "".join(pieces).replace(WORD_JOINER * 2, WORD_JOINER)


def _replace_hidden(text: str) -> str:
    """`text` with every control, format and separator character replaced by U+FFFD: what a
    reader of the escaped text sees (before the cut)."""
    return "".join(
        REPLACEMENT if unicodedata.category(character) in _HIDDEN_CATEGORIES else character
        for character in text
    )
