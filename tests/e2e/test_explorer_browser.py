"""The Explorer in a real browser (Debian's chromium through pytest-playwright): the page draws
its chart (the map's picture, its colour bar, the paths and the loss curves), a learning-rate
key press redraws the path, a click on the map moves the start.
Skips without chromium; fails instead under DESCENT_LAB_REQUIRE_BROWSER=1 (see tests/conftest.py).
"""

from __future__ import annotations

import pytest
from conftest import wait_for_rerun_to_end

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

PATH_OF_FIRST = """() => {
    for (const plot of document.querySelectorAll('.js-plotly-plot')) {
        const trace = (plot._fullData || []).find(t => (t.name || '').startsWith('1 · '));
        if (trace) return {name: trace.name, x: Array.from(trace.x), y: Array.from(trace.y)};
    }
    return null;
}"""


def _open(page, url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url)
    wait_for_rerun_to_end(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)


def _slider_value(page, label: str) -> str:
    slider = page.locator("[data-testid='stSlider']", has_text=label).first
    return slider.get_by_test_id("stSliderThumbValue").inner_text()


def _press_and_wait(page, key: str) -> None:
    page.keyboard.press(key)
    page.wait_for_timeout(300)
    wait_for_rerun_to_end(page)


DRAWN_PARTS = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    return {
        axes: [...new Set(plot._fullData.map(t => t.xaxis))].sort(),
        images: plot.querySelectorAll('.imagelayer image').length,
        colourBars: plot.querySelectorAll('.colorbar').length,
    };
}"""


def test_page_renders_the_contour_and_the_loss_curves(page, streamlit_server):
    _open(page, streamlit_server + "/")
    assert page.locator(".js-plotly-plot").count() == 1  # the map and the curves: one chart
    parts = page.evaluate(DRAWN_PARTS)
    assert parts == {"axes": ["x", "x2", "x3"], "images": 1, "colourBars": 1}
    path = page.evaluate(PATH_OF_FIRST)
    assert path is not None and path["name"] == "1 · sgd (lr 0.1)"
    assert len(path["x"]) > 10
    assert page.get_by_text("Converged to the global minimum").count() >= 1
    assert page.locator("[data-testid='stException']").count() == 0


def test_learning_rate_key_press_changes_the_path(page, streamlit_server):
    _open(page, streamlit_server + "/")
    before = page.evaluate(PATH_OF_FIRST)
    slider = page.locator("[data-testid='stSlider']", has_text="Learning rate").first
    slider.get_by_role("slider").focus()
    _press_and_wait(page, "ArrowRight")
    page.wait_for_function(
        "(name) => { const p = (" + PATH_OF_FIRST + ")(); return p && p.name !== name; }",
        arg=before["name"],
        timeout=30_000,
    )
    after = page.evaluate(PATH_OF_FIRST)
    assert after["name"] == "1 · sgd (lr 0.11)"
    assert after["x"] != before["x"]
    assert "lr=0.11" in page.url


def test_click_on_the_contour_moves_the_start(page, streamlit_server):
    _open(page, streamlit_server + "/")
    assert _slider_value(page, "Start x") == "-1.80"
    plot_area = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    # The bowl's domain is [-2, 2]²: three quarters across and a quarter down is about (1, 1).
    x = plot_area["x"] + 0.75 * plot_area["width"]
    y = plot_area["y"] + 0.25 * plot_area["height"]
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    page.wait_for_function("() => !document.body.innerText.includes('-1.80')", timeout=30_000)
    wait_for_rerun_to_end(page)
    start_x, start_y = float(_slider_value(page, "Start x")), float(_slider_value(page, "Start y"))
    assert 0.7 <= start_x <= 1.3 and 0.7 <= start_y <= 1.3
    assert "x0=" in page.url
