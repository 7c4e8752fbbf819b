"""Exactly one v2 broadcast per RequestId through the real server (issue 12, defect 2): 100
concurrent SendCalls across 4 gunicorn workers while v2 times out on the first POST (having created
the broadcast), a bridge restart, a retry 15 minutes later; and a worker killed while its POST is
in flight.  The simulator runs in this process, so it outlives the bridge."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from lxml import etree

from bridge.cli import free_port
from bridge.sim import start_in_thread
from conftest import basic

SVC = "{http://api.callfire.com/service/xsd}"
ENVELOPE = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" '
            'xmlns:ns1="http://api.callfire.com/service/xsd" xmlns:d="http://api.callfire.com/data"><e:Body>'
            "<ns1:SendCall><ns1:RequestId>{request_id}</ns1:RequestId><ns1:ToNumber>13105551212</ns1:ToNumber>"
            "<d:VoiceBroadcastConfig><d:LiveSoundText>Hi</d:LiveSoundText></d:VoiceBroadcastConfig>"
            "</ns1:SendCall></e:Body></e:Envelope>")


class Bridge:
    """`callfire-bridge serve` on a store file and an upstream that outlive it."""

    def __init__(self, folder: Path, upstream: str, timeout: float, workers: int = 4) -> None:
        self.port = free_port()
        self.log = (folder / f"serve-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bridge.cli", "serve", "--port", str(self.port), "--workers", str(workers),
             "--store", str(folder / "store.sqlite3"), "--upstream", upstream],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "CALLFIRE_BRIDGE_V2_TIMEOUT": str(timeout), "PYTHONUNBUFFERED": "1"})
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                httpx.get(self.url + "/health", timeout=1).raise_for_status()
                return
            except httpx.HTTPError:
                assert self.process.poll() is None, (folder / f"serve-{self.port}.log").read_text()
                time.sleep(0.1)
        raise RuntimeError("the bridge did not start")

    def send_call(self, login: str, request_id: str) -> httpx.Response:
        return httpx.post(f"{self.url}/api/1.1/soap12/call", content=ENVELOPE.format(request_id=request_id),
                          headers={"Content-Type": "application/soap+xml", "Authorization": basic(login)},
                          timeout=60)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
def sim() -> Iterator[object]:
    running = start_in_thread()
    yield running
    running.stop()


def created_id(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(etree.fromstring(response.content).findtext(f".//{SVC}CreatedId"))


def created_broadcasts(sim: object, login: str) -> list[dict]:
    items = httpx.get(sim.base_url.removesuffix("/v2") + "/__sim/requests", params={"login": login}).json()["items"]
    return [r for r in items if r["method"] == "POST" and r["path"] == "/v2/calls/broadcasts" and r["status"] == 201]


def inject(sim: object, **spec: object) -> None:
    httpx.post(sim.base_url.removesuffix("/v2") + "/__sim/faults", json=spec).raise_for_status()


def test_100_concurrent_send_calls_a_restart_and_a_late_retry_make_one_broadcast(sim, login: str,
                                                                                  tmp_path: Path) -> None:
    # v2 creates the broadcast, then keeps the answer 8 s: past the bridge's 3 s timeout.
    inject(sim, login=login, kind="created_timeout", seconds=8, method="POST", path="/v2/calls/broadcasts", count=1)
    bridge = Bridge(tmp_path, sim.base_url, timeout=3)
    try:
        with ThreadPoolExecutor(25) as pool:
            responses = list(pool.map(lambda _: bridge.send_call(login, "urn:burst"), range(100)))
    finally:
        bridge.stop()
    answered = {created_id(r) for r in responses if r.status_code == 200}
    assert len(answered) == 1
    others = {etree.fromstring(r.content).findtext(f".//{SVC}Message") for r in responses if r.status_code != 200}
    assert all("still in progress" in message for message in others), others
    sim.app.clock.advance(15 * 60)
    bridge = Bridge(tmp_path, sim.base_url, timeout=3)   # restarted, on the same store
    try:
        assert created_id(bridge.send_call(login, "urn:burst")) in answered
    finally:
        bridge.stop()
    assert len(created_broadcasts(sim, login)) == 1


def test_a_worker_killed_during_its_post_is_reconciled_after_the_restart(sim, login: str, tmp_path: Path) -> None:
    inject(sim, login=login, kind="created_timeout", seconds=10, method="POST", path="/v2/calls/broadcasts", count=1)
    bridge = Bridge(tmp_path, sim.base_url, timeout=30, workers=1)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(bridge.send_call, login, "urn:killed")
        for _ in range(300):                       # until v2 has created it
            if created_broadcasts(sim, login):
                break
            time.sleep(0.05)
        bridge.stop(signal.SIGKILL)                # the worker dies holding the claim
        with pytest.raises(httpx.TransportError):
            pending.result()
    bridge = Bridge(tmp_path, sim.base_url, timeout=30, workers=1)
    try:
        created_id(bridge.send_call(login, "urn:killed"))   # not "in progress": the dead claim is reconciled
    finally:
        bridge.stop()
    assert len(created_broadcasts(sim, login)) == 1
