"""Escaped text in Streamlit's own renderer, in a real browser: the Markdown parser the app really
uses (with its LaTeX, directives, shortcodes, icons and bare-address links) turns every hostile
sample into plain text that reads as the input, in a notice, a caption, a label and an expander
title; and links that carry payloads give notices without a heading, a link or an image.
Skips without chromium; fails instead under DESCENT_LAB_REQUIRE_BROWSER=1 (see tests/conftest.py).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import ROOT, require_chromium, running_streamlit
from fixtures.escape_samples import SAMPLES

from app.untrusted_text import ELLIPSIS, SHOWN_LIMIT

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SAMPLES_PAGE = Path(__file__).resolve().parents[1] / "fixtures" / "escaped_samples_page.py"
MARKUP = (
    "a, img, video, audio, iframe, script, style, code, pre, table, blockquote, ul, ol, li, hr, "
    "h1, h2, h3, h4, h5, h6, em, strong, del, input, sup, section, .katex, span[role='img'], "
    "span[style], span[class]"
)
"""Elements that only markup makes inside a Markdown container (plain text makes none)."""
NOTICE_MARKUP = (
    "a, img, script, code, h1, h2, h3, h4, h5, h6, .katex, span[role='img'], span[style]"
)
"""The same for an app's notice, whose own Markdown is a list (and whose icon is outside it)."""
READ_BOXES = """
({selector, markup}) => Array.from(document.querySelectorAll(selector)).map(box => ({
    text: box.innerText,
    markup: Array.from(box.querySelectorAll(markup)).map(e => e.outerHTML.slice(0, 80)),
}))
"""


def markdown_boxes(page, scope: str, markup: str) -> list[dict]:
    """Text and markup elements of every Markdown container inside `scope` (a CSS selector)."""
    selector = (
        f"{scope} [data-testid='stMarkdownContainer'], {scope} [data-testid='stCaptionContainer']"
    )
    return page.evaluate(READ_BOXES, {"selector": selector, "markup": markup})


def expected_text(sample: str) -> str:
    """What a reader should see: control and format characters as U+FFFD, cut to the limit,
    with white space collapsed as a browser shows it."""
    shown = "".join(
        "\ufffd" if unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"} else c for c in sample
    )
    if len(shown) > SHOWN_LIMIT:
        shown = shown[: SHOWN_LIMIT - 1] + ELLIPSIS
    return " ".join(shown.split())


@pytest.fixture(scope="module")
def samples_server() -> Iterator[str]:
    """`streamlit run tests/fixtures/escaped_samples_page.py` on a free loopback port."""
    require_chromium()
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    with running_streamlit(SAMPLES_PAGE, environment) as url:
        yield url


def test_every_escaped_sample_renders_as_its_own_plain_text(page, samples_server):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(samples_server)
    page.wait_for_selector(".st-key-samples-done", state="attached", timeout=60_000)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )
    # LaTeX and emoji plugins load on demand; a skeleton stands in until they have.
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stSkeleton']\")", timeout=30_000
    )
    problems = []
    for index, sample in enumerate(SAMPLES):
        boxes = markdown_boxes(page, f".st-key-sample-{index}", MARKUP)
        assert len(boxes) >= 6, (index, boxes)  # markdown, caption, notice, 2 labels, expander
        for box in boxes:
            shown = " ".join(box["text"].replace("\u2060", "").split())
            if box["markup"] or shown != expected_text(sample):
                problems.append((index, box["markup"], shown, expected_text(sample)))
    assert not problems, problems


@pytest.mark.parametrize(
    ("path", "query", "words"),
    [
        ("/", {"lr": "a\r\r## Teacher says [read this](http://evil.example)"}, "Teacher says"),
        (
            "/",
            {"steps": "![x](//e.example/x.png) :material/warning: $x$ www.e.example"},
            "$x$",
        ),
        ("/lessons", {"lesson": "a\r\r# Heading <img src=x onerror=alert(1)> :red[big]"}, "<img"),
    ],
    ids=["heading after carriage returns", "image, icon, math, address", "lesson id"],
)
def test_a_link_with_a_payload_gives_a_notice_without_markup(
    page, streamlit_server, path, query, words
):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{streamlit_server}{path}?{urlencode(query)}")
    page.wait_for_selector("[data-testid='stAlert']", timeout=60_000)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )
    boxes = markdown_boxes(page, "[data-testid='stAlert']", NOTICE_MARKUP)
    assert any(words in box["text"] for box in boxes), boxes
    assert not [box["markup"] for box in boxes if box["markup"]], boxes
