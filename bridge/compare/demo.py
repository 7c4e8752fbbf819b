"""`make compare`: the legacy v1.1 simulator against the bridge, over every served read operation.

Starts both (the bridge with its embedded v2 simulator, as `make serve` does; both read the same seed,
so the same login sees the same data), replays docs/scenarios/served-reads.yaml with the v1.1 <-> v2
view, and writes the reports under var/compare/.  Exit status is compare's.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from bridge.cli import free_port, main
from bridge.legacy.serve import start_in_thread
from bridge.resources import CHECKOUT

SCENARIO = Path("docs/scenarios/served-reads.yaml")
REPORTS = Path("var/compare")


def start_bridge(port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "--port", str(port),
                                "--store", str(REPORTS / "store.sqlite3")],
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"the bridge did not start (see {log})")


def run() -> int:
    root = CHECKOUT if CHECKOUT is not None else Path.cwd()
    reports = root / REPORTS
    reports.mkdir(parents=True, exist_ok=True)
    legacy = start_in_thread()
    port = free_port()
    bridge = start_bridge(port, reports / "bridge.log")
    try:
        status = main(["compare", "--primary", legacy.base_url, "--candidate", f"http://127.0.0.1:{port}",
                       "--primary-auth", "demo:demo", "--v2",
                       "--report-html", str(reports / "report.html"), "--report-json", str(reports / "report.json"),
                       "--junit", str(reports / "junit.xml"), str(root / SCENARIO)])
    finally:
        bridge.terminate()
        bridge.wait(timeout=30)
        legacy.stop()
    print(f"HTML report: file://{(reports / 'report.html').resolve()}")
    return status


if __name__ == "__main__":
    sys.exit(run())
