"""Helpers for the AppTest tests of the pages: open a page with a query string, check it ran clean.

from page_testing import assert_clean, open_page
app = open_page("sweeps.py", study="basins")
assert_clean(app)
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[1] / "app" / "app_pages"


def open_page(page_file: str, **query: str) -> AppTest:
    """Run app/app_pages/<page_file> once, as if opened from a link carrying `query`."""
    app = AppTest.from_file(str(PAGES / page_file), default_timeout=30)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def assert_clean(app: AppTest) -> None:
    """No exception and no error box on the page."""
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
