"""Shared fixtures: the app's path, and for real-browser tests (marked e2e) Debian's chromium and a
`streamlit run` server.

Browser tests skip with a reason where /usr/bin/chromium is missing; with the environment variable
DESCENT_LAB_REQUIRE_BROWSER=1 (set by .ci/run) the same situation is a failure instead. Playwright
launches the system chromium (never `playwright install`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP_PATH = ROOT / "app" / "streamlit_app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_SECONDS = 60


def require_chromium() -> None:
    """Skip (or fail, under DESCENT_LAB_REQUIRE_BROWSER=1) when chromium is not installed."""
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("DESCENT_LAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is required (DESCENT_LAB_REQUIRE_BROWSER=1) but not installed")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium to run browser tests)")


@pytest.fixture(scope="session")
def app_path() -> Path:
    """The entry script, as an absolute path (AppTest and `streamlit run` both want one)."""
    return APP_PATH


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, pointed at Debian's chromium."""
    require_chromium()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    """Poll Streamlit's health endpoint until it answers, or fail with the reason."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not answer at {url} within {SERVER_START_SECONDS} s")


@contextlib.contextmanager
def running_streamlit(script: Path, environment: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run script` on a free loopback port while the block runs; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.headless=true",
            "--server.address=127.0.0.1",
            f"--server.port={port}",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def streamlit_server() -> Iterator[str]:
    """`streamlit run app/streamlit_app.py` on a free loopback port; yields its base URL."""
    require_chromium()
    with running_streamlit(APP_PATH) as url:
        yield url


def wait_for_rerun_to_end(page, timeout_ms: int = 60_000) -> None:
    """Wait until the app is connected, has drawn something and no script run is in progress."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_ms
    )
    page.wait_for_selector("[data-testid='stSlider']", timeout=timeout_ms)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms
    )
    page.wait_for_timeout(300)
