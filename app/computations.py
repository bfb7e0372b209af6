"""Heavy computations of the pages: bounded by the work budget, cached, with progress that moves.

Streamlit's own caches replay every element a cached function touches, so a progress bar cannot
be advanced from inside one. The results are therefore kept in a small bounded cache shared by all
sessions (`shared_result`), and computed outside it under a progress bar: its update is the
point where Streamlit stops the script of a visitor who changed a control or left (it raises
there), which ends the work between two chunks.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from core.work import Notice, Progress

MAX_ENTRIES = 24
TIME_TO_LIVE = 3600.0


class ResultCache:
    """At most `max_entries` results for `ttl` seconds each, least recently used dropped first.
    Results are shared read-only between sessions (they are never modified once made)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, ttl: float = TIME_TO_LIVE) -> None:
        self.max_entries, self.ttl = max_entries, ttl
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or time.monotonic() - entry[0] > self.ttl:
                self._entries.pop(key, None)
                return False, None
            self._entries.move_to_end(key)
            return True, entry[1]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


@st.cache_resource(show_spinner=False)
def _cache(name: str) -> ResultCache:
    del name  # one cache per kind of computation
    return ResultCache()


def shared_result(name: str, key: Hashable, compute: Callable[[Progress], Any], message: str):
    """The cached result for `key`, or `compute(progress)` run under a progress bar saying
    `message` (the bar goes when the work ends or is stopped)."""
    cache = _cache(name)
    found, value = cache.get(key)
    if found:
        return value
    bar = st.progress(0.0, text=message)
    try:
        value = compute(progress_reporter(bar, message))
    finally:
        bar.empty()
    cache.put(key, value)
    return value


def progress_reporter(bar: Any, message: str) -> Progress:
    """progress(fraction) updating `bar` (clipped to [0, 1])."""

    def report(fraction: float) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    return report


def show_notice(notice: Notice | None) -> None:
    """A cut request as information, a refused one as a warning (the text is our own)."""
    if notice is None:
        return
    if notice.refused:
        st.warning(notice.text, icon=":material/timer_off:")
    else:
        st.info(notice.text, icon=":material/timer:")
