"""The background loops of postbacks (delivery, polling): one daemon thread each, per process."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Loop:
    """Runs `step` in a daemon thread until stopped, then waits `interval` seconds; with
    `again_while_busy`, a step that reports work done (a truthy result) runs again at once.  A step
    that raises is logged and the loop goes on: a loop that died silently would stop every postback."""

    def __init__(self, name: str, step: Callable[[], object], interval: float, *,
                 again_while_busy: bool = False) -> None:
        self.name = name
        self.step = step
        self.interval = interval
        self.again_while_busy = again_while_busy
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.step()
            except Exception:
                log.exception("postbacks: %s", self.name)
                busy = False
            if not (busy and self.again_while_busy):
                self._stop.wait(self.interval)
