"""The Network Lab in a real browser: Train runs live until the network has drawn a boundary
that separates the circle. Needs Debian's chromium; skips without it (fails if
DESCENT_LAB_REQUIRE_BROWSER)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

NETWORK = "/network?net_data=circle&net_epochs=40&optimizer=adam&lr=0.02&net_units1=6&net_units2=6"


def test_training_draws_a_boundary_live(page, streamlit_server):
    page.goto(streamlit_server + NETWORK)
    page.get_by_text("Epoch 0 of 40").wait_for(timeout=30_000)
    heatmap = page.locator(".js-plotly-plot").first
    heatmap.wait_for(timeout=30_000)
    assert heatmap.locator(".heatmaplayer image, .hm image, image").count() >= 1
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Pause").first.wait_for(timeout=30_000)  # it is training, live
    page.get_by_text(re.compile(r"Epoch 40 of 40$")).wait_for(timeout=60_000)
    title = page.get_by_text(re.compile(r"Epoch 40: test accuracy (0\.9\d\d|1\.000)"))
    title.first.wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Train", exact=True).is_disabled()
