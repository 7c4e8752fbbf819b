"""Simulated time: a deterministic clock that only moves when told to.

Call progress, `created`/`modified` stamps and seed data are all relative to this clock, so a
test (or the bridge's own suite) sees the same numbers on every run.
"""
from __future__ import annotations

import threading
from datetime import datetime, timezone

# 2026-11-02T15:00:00Z: a Monday afternoon, late enough that ~60 days of history fits before it.
DEFAULT_START_MS = int(datetime(2026, 11, 2, 15, 0, 0, tzinfo=timezone.utc).timestamp() * 1000)


class SimClock:
    """Unix-epoch milliseconds; `advance` is the only way time passes."""

    def __init__(self, start_ms: int = DEFAULT_START_MS) -> None:
        self.start_ms = start_ms
        self._now_ms = start_ms
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        with self._lock:
            return self._now_ms

    def advance(self, seconds: float) -> int:
        """Move forward by `seconds` (>= 0) and return the new time."""
        if seconds < 0:
            raise ValueError("the simulated clock never goes backwards")
        with self._lock:
            self._now_ms += round(seconds * 1000)
            return self._now_ms

    def reset(self) -> None:
        with self._lock:
            self._now_ms = self.start_ms
