"""Helpers of the tests/test_ops_*.py files: a CallFire v2 simulator of their own (to stop and
start again), SOAP requests, and polling a probe until it says what a test waits for."""
from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import httpx

from conftest import basic

ENVELOPE = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>'
            '<GetCall xmlns="http://api.callfire.com/service/xsd"><Id>{id}</Id></GetCall></e:Body></e:Envelope>')
SEED_CALL, NO_SUCH_CALL = 9652, 424242


class Simulator:
    """`python -m bridge.sim` on a fixed port, stopped and started again by the test."""

    def __init__(self, port: int, env: dict[str, str] | None = None) -> None:
        self.port = port
        self.env = env
        self.process: subprocess.Popen | None = None

    @property
    def upstream(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2"

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "bridge.sim", "--port", str(self.port),
                                         "--sim-clock", "frozen"], stdout=subprocess.DEVNULL, env=self.env)
        wait_for(lambda: _answers(f"http://127.0.0.1:{self.port}/__sim/health"), "the simulator to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Poll until `condition` holds (probes cache their answer a second per worker); fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def get_call(base_url: str, call_id: int, *, login: str = "ops", password: str = "secret",
             headers: dict[str, str] | None = None) -> httpx.Response:
    """A GetCall on a new connection (so that both workers get some)."""
    return httpx.post(f"{base_url}/api/1.1/soap12/call", content=ENVELOPE.format(id=call_id).encode(),
                      headers={"Content-Type": "application/soap+xml; charset=utf-8",
                               "Authorization": basic(login, password), **(headers or {})}, timeout=30)
