"""The learning-rate lab in a real browser: the basin map renders, and a click on it offers the
Explorer link. Needs Debian's chromium; skips without it (fails if DESCENT_LAB_REQUIRE_BROWSER)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

BASINS = "/sweeps?study=basins&surface=himmelblau&lr=0.01&basin_resolution=60"


def test_the_basin_map_renders_with_its_legend(page, streamlit_server):
    page.goto(streamlit_server + BASINS)
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=30_000)
    page.get_by_text("global minimum (3, 2), f = 0 ·").first.wait_for(timeout=30_000)
    assert chart.locator(".heatmaplayer image, .hm image, image").count() >= 1
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300


def test_clicking_the_basin_map_offers_that_start_in_the_explorer(page, streamlit_server):
    page.goto(streamlit_server + BASINS)
    plot_area = page.locator(".js-plotly-plot .nsewdrag").first
    plot_area.wait_for(timeout=30_000)
    page.get_by_text("global minimum (3, 2), f = 0 ·").first.wait_for(timeout=30_000)
    box = plot_area.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 0.8 * box["width"], box["y"] + 0.2 * box["height"])
    link = page.get_by_role("link", name="open it in the Explorer")
    link.wait_for(timeout=30_000)
    target = link.get_attribute("href") or ""
    assert "x0=" in target and "surface=himmelblau" in target
