"""The learning-rate lab in a real browser: the basin map renders, and a click on it offers the
Explorer link. Needs Debian's chromium; skips without it (fails if DESCENT_LAB_REQUIRE_BROWSER)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
BASINS = "/sweeps?study=basins&surface=himmelblau&lr=0.01&basin_resolution=60"


def _require_chromium() -> None:
    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        if os.environ.get("DESCENT_LAB_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is required here but not installed")
        pytest.skip(f"{CHROMIUM} is not installed")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _require_chromium()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """`streamlit run` of the whole app on a free loopback port, until the module ends."""
    _require_chromium()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "streamlit_app.py"),
         "--server.headless=true", "--server.address=127.0.0.1", f"--server.port={port}",
         "--browser.gatherUsageStats=false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_up(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not come up")


def test_the_basin_map_renders_with_its_legend(page, app_url):
    page.goto(app_url + BASINS)
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=30_000)
    page.get_by_text("global minimum (3, 2), f = 0 ·").first.wait_for(timeout=30_000)
    assert chart.locator(".heatmaplayer image, .hm image, image").count() >= 1
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300


def test_clicking_the_basin_map_offers_that_start_in_the_explorer(page, app_url):
    page.goto(app_url + BASINS)
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
