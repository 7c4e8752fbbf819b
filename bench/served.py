"""`callfire-bridge serve` for the benchmarks: 2 gunicorn workers, the simulator as its own process, on loopback."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bridge.cli import free_port


@dataclass(frozen=True)
class Served:
    base: str       # the bridge's URL
    upstream: str   # the simulator's v2 base URL
    pid: int        # the gunicorn arbiter's (its children: the workers and the simulator)
    log: Path       # the bridge's stderr

    @property
    def sim_root(self) -> str:
        return self.upstream.removesuffix("/v2")


@contextmanager
def running_bridge(folder: Path, *options: str) -> Iterator[Served]:
    """The bridge with a frozen simulator clock and its store in `folder`, stopped on leaving."""
    port = free_port()
    log = folder / "bridge.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "--port", str(port),
                                    "--workers", "2", "--store", str(folder / "store.sqlite3"),
                                    "--sim-clock", "frozen", *options],
                                   stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                upstream = httpx.get(base + "/health").json()["upstream"]
                break
            except (httpx.TransportError, ValueError):
                time.sleep(0.1)
        else:
            raise SystemExit("the bridge did not start: " + log.read_text()[-2000:])
        yield Served(base, upstream, process.pid, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
