"""A link's values in a real browser: the control holds the value its notice names, the address
bar then carries that value, and a start between the sliders' steps is used and said exactly.
Skips without chromium; fails instead under DESCENT_LAB_REQUIRE_BROWSER=1 (see tests/conftest.py).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import wait_for_rerun_to_end

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


def _thumb(page, label: str) -> str:
    slider = page.locator("[data-testid='stSlider']", has_text=label).first
    return slider.get_by_test_id("stSliderThumbValue").inner_text()


def test_a_replaced_value_is_the_one_used_and_the_one_the_link_keeps(page, streamlit_server):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(streamlit_server + "/?surface=saddle&steps=3.5&lr=0.0123")
    wait_for_rerun_to_end(page)
    notice = page.locator("[data-testid='stAlert']", has_text="were replaced").inner_text()
    shown = notice.replace("\u2060", "")  # the escaping's invisible word joiners
    assert "“3.5” is not a whole number; using 4" in shown
    assert "“0.0123” is not on the scale; using 0.012" in shown
    assert _thumb(page, "Steps") == "4" and _thumb(page, "Learning rate") == "0.012"
    query = parse_qs(urlsplit(page.url).query)
    assert query["steps"] == ["4"] and query["lr"] == ["0.012"]
    # The saddle's start (1.5, 0.001) is used as it is; its slider rounds it, the caption not.
    assert page.get_by_text("start at exactly (1.5, 0.001)").count() == 1
