"""Simulated time: the wall clock (optionally sped up) or a frozen clock that moves only when told.

Call progress and the `created`/`modified` stamps of new objects read this clock; seed data does
not (see seed.SEED_ANCHOR_MS). `advance` adds an offset in both modes, so a test or a demo can
skip ahead either way.
"""
from __future__ import annotations

import math
import threading
import time

from bridge.config import SIM_CLOCKS
from bridge.sim.seed import SEED_ANCHOR_MS


class SimClock:
    """Unix-epoch milliseconds.

    live: starts at the wall clock's now and runs `speed` times as fast as it, plus every advance.
    frozen: starts at SEED_ANCHOR_MS and only `advance` moves it, so tests see the same numbers
    on every run.
    """

    _start_ms: int         # simulated time at the last reset
    _started: float        # time.monotonic() at the last reset
    _advanced_ms: int      # sum of every advance since the last reset

    def __init__(self, mode: str = "frozen", speed: float = 1.0) -> None:
        if mode not in SIM_CLOCKS:
            raise ValueError(f"sim clock must be one of {', '.join(SIM_CLOCKS)}, not {mode!r}")
        if not (math.isfinite(speed) and speed > 0):
            raise ValueError(f"sim speed must be a positive number, not {speed}")
        self.mode = mode
        self.speed = speed
        self._lock = threading.Lock()
        self.reset()

    def now_ms(self) -> int:
        with self._lock:
            return self._now_ms()

    def advance(self, seconds: float) -> int:
        """Move forward by `seconds` (>= 0) and return the new time."""
        if seconds < 0:
            raise ValueError("the simulated clock never goes backwards")
        with self._lock:
            self._advanced_ms += round(seconds * 1000)
            return self._now_ms()

    def reset(self) -> None:
        """Back to the start: the seed anchor (frozen) or the wall clock's now (live)."""
        with self._lock:
            self._start_ms = round(time.time() * 1000) if self.mode == "live" else SEED_ANCHOR_MS
            self._started = time.monotonic()
            self._advanced_ms = 0

    def _now_ms(self) -> int:
        if self.mode == "frozen":
            return self._start_ms + self._advanced_ms
        # Elapsed time comes from the monotonic clock: a wall-clock step (NTP, an admin) must not
        # move simulated time backwards, since the stores rely on ascending `created`.
        elapsed_ms = (time.monotonic() - self._started) * 1000 * self.speed
        return self._start_ms + self._advanced_ms + int(elapsed_ms)
