"""The classroom in a real browser: a classroom link keeps its hidden values and its `visible`
list in the address bar while a student moves a visible control, so a reload shows the same
page; presentation mode opens with the sidebar folded away, and stays on after a reload.
Skips without chromium; fails instead under DESCENT_LAB_REQUIRE_BROWSER=1 (see tests/conftest.py).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import wait_for_rerun_to_end

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

CLASS_LINK = "/?surface=himmelblau&steps=300&lr=0.01&visible=lr"


def _open(page, url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url)
    wait_for_rerun_to_end(page)


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _slider_labels(page) -> list[str]:
    return [
        label.inner_text()
        for label in page.locator("[data-testid='stSlider'] [data-testid='stWidgetLabel']").all()
    ]


def test_a_classroom_link_survives_a_student_moving_a_control_and_a_reload(page, streamlit_server):
    _open(page, streamlit_server + CLASS_LINK)
    assert _slider_labels(page) == ["Learning rate"]
    page.locator("[data-testid='stSlider']").first.get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('lr=0.011')", timeout=30_000)
    wait_for_rerun_to_end(page)
    query = _query(page)
    assert query["visible"] == ["lr"] and query["surface"] == ["himmelblau"]
    assert query["steps"] == ["300"]
    page.reload()
    wait_for_rerun_to_end(page)
    assert _slider_labels(page) == ["Learning rate"]
    assert page.get_by_text("Himmelblau's function").count() >= 1
    assert "0.011" in page.locator("[data-testid='stSliderThumbValue']").first.inner_text()


def test_presentation_mode_folds_the_sidebar_and_survives_a_reload(page, streamlit_server):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(streamlit_server + "/")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    assert page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "false"
    page.goto(streamlit_server + "/?present=true")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_attribute("data-collapsed") == "true"
    page.reload()
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    assert "present=true" in page.url
    assert page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "true"
    size = page.evaluate("() => getComputedStyle(document.documentElement).fontSize")
    assert size == "21px"
