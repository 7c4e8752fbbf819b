"""cloud/1 report callbacks end to end: CallFire's PHP parsing snippet as the receiver (`php -S`), the
real `callfire-bridge serve` (gunicorn, 2 workers, the embedded simulator, polling), a receiver that
is down for a while, and a bridge killed with SIGKILL mid-delivery."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import requests
import zeep

from bridge.cli import free_port
from bridge.postbacks.store import PostbackStore
from conftest import LIVE_TIME_ZONE, WSDL_PATH

PHP = shutil.which("php")
pytestmark = pytest.mark.skipif(PHP is None, reason="needs PHP (`make system-deps`)")
RECEIVER = Path(__file__).parent / "php" / "postbacks" / "receiver.php"
SAVED = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<reportresponse><description>Saved</description>'
         "<success>true</success></reportresponse>")
DIALPLAN = ('<dialplan name="Root"><play type="tts">Will you vote?</play><stash varname="willvote">yes</stash>'
            '<stash varname="bigconcern">economy</stash><hangup/></dialplan>')


@dataclass
class Bridge:
    process: subprocess.Popen
    base_url: str
    sim_url: str
    folder: Path

    def advance(self, seconds: int) -> None:
        httpx.post(f"{self.sim_url}/__sim/advance", params={"seconds": seconds}).raise_for_status()

    def soap(self, login: str, port: str = "CallServicePort"):  # noqa: ANN201 - zeep's service proxy
        session = requests.Session()
        session.auth = (login, "secret")
        return zeep.Client(self.base_url + WSDL_PATH, transport=zeep.Transport(session=session)).bind("CallFireApi", port)

    def store(self) -> PostbackStore:
        return PostbackStore(self.folder / "store-postbacks.sqlite3")

    def kill(self, sig: int = signal.SIGTERM) -> None:
        os.killpg(self.process.pid, sig)
        self.process.wait(timeout=20)


def start_bridge(folder: Path) -> Bridge:
    """`callfire-bridge serve` as `make serve` runs it (postUrls on 127.0.0.1 allowed), polling every 0.3 s."""
    port = free_port()
    log = (folder / "serve.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "bridge.cli", "serve", "--port", str(port), "--workers", "2",
         "--store", str(folder / "store.sqlite3"), "--time-zone", LIVE_TIME_ZONE, "--sim-clock", "frozen",
         "--postback-allow-private"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        # Receivers get 6 s an attempt (the slow PHP receiver takes 3), so a killed bridge's leases run
        # out after 12 s rather than 30.
        env={**os.environ, "PYTHONUNBUFFERED": "1", "CALLFIRE_BRIDGE_POSTBACK_POLL_INTERVAL": "0.3",
             "CALLFIRE_BRIDGE_POSTBACK_TIMEOUT": "6"})
    base_url = f"http://127.0.0.1:{port}"
    until = time.monotonic() + 30
    while time.monotonic() < until:
        try:
            health = httpx.get(base_url + "/health", timeout=1).json()
            return Bridge(process, base_url, health["upstream"].removesuffix("/v2"), folder)
        except (httpx.TransportError, ValueError):
            assert process.poll() is None, (folder / "serve.log").read_text()
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("the bridge did not start")


@dataclass
class Receiver:
    url: str
    folder: Path

    def received(self) -> list[dict]:
        path = self.folder / "received.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def wait_for(self, count: int, what: str = "", seconds: float = 90) -> list[dict]:
        """Postbacks until `count` with root `what` (any) arrived; fails with what did arrive."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            got = [r for r in self.received() if not what or r["root"] == what]
            if len(got) >= count:
                return got
            time.sleep(0.2)
        raise AssertionError(f"{count} {what} postbacks expected, got {self.received()}")

    def switch(self, name: str, on: bool) -> None:
        (self.folder / name).touch() if on else (self.folder / name).unlink(missing_ok=True)


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    folder = tmp_path / "receiver"
    folder.mkdir()
    shutil.copy(RECEIVER, folder / "receiver.php")
    port = free_port()
    process = subprocess.Popen([PHP, "-S", f"127.0.0.1:{port}", "-t", str(folder)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"})
    until = time.monotonic() + 15
    while time.monotonic() < until:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield Receiver(f"http://127.0.0.1:{port}/receiver.php", folder)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[Bridge]:
    running = start_bridge(tmp_path)
    yield running
    if running.process.poll() is None:
        running.kill()


def subscribe(bridge: Bridge, path: str, apikey: str, post_url: str) -> str:
    """As CallFire's page shows it: curl posting the two form fields."""
    return subprocess.run(["curl", "-s", "-d", f"apikey={apikey}", "--data-urlencode", f"postUrl={post_url}",
                           f"{bridge.base_url}/cloud/1/reports/callback/{path}"],
                          capture_output=True, text=True, check=True).stdout


def send_call(bridge: Bridge, login: str, numbers: list[str]) -> int:
    return bridge.soap(login).SendCall(
        BroadcastName="Election survey", ToNumber=[{"_value_1": n} for n in numbers],
        IvrBroadcastConfig={"FromNumber": "12135551189", "DialplanXml": DIALPLAN})


def test_php_receiver_reads_call_and_campaign_finished(bridge: Bridge, receiver: Receiver):
    login = f"php-{uuid.uuid4().hex[:8]}"
    assert subscribe(bridge, "callfinish", login, receiver.url) == SAVED
    campaign = httpx.post(f"{bridge.base_url}/cloud/1/reports/callback/campaignfinish", headers={
        "Content-Type": "text/plain"}, content=f"apikey={login}&postUrl={receiver.url}")
    assert campaign.text == SAVED
    broadcast_id = send_call(bridge, login, ["13105550100", "13105550104"])   # last digit 0: LA, 4: AM
    bridge.advance(200)
    calls = {r["phonenumber"]: r for r in receiver.wait_for(2, "call-finished")}
    assert set(calls) == {"3105550100", "3105550104"}
    live, machine = calls["3105550100"], calls["3105550104"]
    assert (live["disposition"], machine["disposition"]) == ("LA", "AM")
    assert live["vars"] == {"willvote": "yes", "bigconcern": "economy"} and not machine["vars"]   # PHP: []
    call = bridge.soap(login).GetCall(Id=int(live["callid"]))
    started = call.CallRecord[0].OriginateTime.astimezone(ZoneInfo(LIVE_TIME_ZONE))
    assert live["callstart"] == started.strftime("%Y-%m-%d %H:%M:%S.0")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+", live["callstart"])
    [finished] = receiver.wait_for(1, "campaign-finished")
    assert (finished["id"], finished["status"]) == (str(broadcast_id), "finished")
    stats = bridge.soap(login, "BroadcastServicePort").GetBroadcastStats(Id=broadcast_id)
    by_result = {stat.Result: stat.Actions for stat in stats.ResultStat}
    assert finished["stats"]["total"] == 2
    assert (finished["stats"]["live"], finished["stats"]["machine"]) == (by_result["LA"], by_result["AM"]) == (1, 1)
    assert finished["cost"].startswith("$")
    assert len({r["delivery"] for r in receiver.received()}) == 3      # one delivery id each
    time.sleep(1)                                                      # a few more polls: nothing twice
    assert len(receiver.received()) == 3


def test_unknown_apikey_and_refused_post_urls_store_nothing(bridge: Bridge, receiver: Receiver, tmp_path: Path):
    restricted = start_bridge_with_accounts(tmp_path / "restricted", "alice:pw")
    try:
        unknown = httpx.post(f"{restricted.base_url}/cloud/1/reports/callback/callfinish",
                             data={"apikey": "mallory", "postUrl": receiver.url})
        assert unknown.status_code == 401 and "<success>false</success>" in unknown.text
        assert restricted.store().registrations() == []
    finally:
        restricted.kill()
    for url in ("ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)", "not a url"):
        refused = httpx.post(f"{bridge.base_url}/cloud/1/reports/callback/callfinish",
                             data={"apikey": "bob", "postUrl": url})
        assert refused.status_code == 400 and "<success>false</success>" in refused.text, url
    assert bridge.store().registrations() == []


def start_bridge_with_accounts(folder: Path, accounts: str) -> Bridge:
    folder.mkdir()
    os.environ["CALLFIRE_BRIDGE_SIM_CREDENTIALS"] = accounts
    try:
        return start_bridge(folder)
    finally:
        del os.environ["CALLFIRE_BRIDGE_SIM_CREDENTIALS"]


def test_unsubscribe_with_an_empty_post_url(bridge: Bridge, receiver: Receiver):
    login = f"unsub-{uuid.uuid4().hex[:8]}"
    assert subscribe(bridge, "callfinish", login, receiver.url) == SAVED
    assert len(bridge.store().registrations()) == 1
    gone = httpx.post(f"{bridge.base_url}/cloud/1/reports/callback/callfinish", data={"apikey": login, "postUrl": ""})
    assert "<description>Deleted</description><success>true</success>" in gone.text
    assert bridge.store().registrations() == []


def test_receiver_down_then_up_every_event_once_per_delivery_id(bridge: Bridge, receiver: Receiver):
    login = f"down-{uuid.uuid4().hex[:8]}"
    assert subscribe(bridge, "callfinish", login, receiver.url) == SAVED
    receiver.switch("RECEIVER_DOWN", True)
    send_call(bridge, login, ["13105550101", "13105550102", "13105550103"])
    bridge.advance(200)
    store = bridge.store()
    until = time.monotonic() + 60
    while not (len(rows := store.rows()) == 3 and all(r.attempts >= 2 for r in rows)):
        assert time.monotonic() < until, store.rows()
        time.sleep(0.2)
    assert receiver.received() == []
    receiver.switch("RECEIVER_DOWN", False)
    got = receiver.wait_for(3, "call-finished")
    assert sorted(r["delivery"] for r in got) == sorted(r.id for r in store.rows())
    assert sorted(r["phonenumber"] for r in got) == ["3105550101", "3105550102", "3105550103"]
    until = time.monotonic() + 60                # the outbox records a delivery after the receiver answered
    while store.counts() != {"delivered": 3}:
        assert time.monotonic() < until, store.rows()
        time.sleep(0.2)


def test_bridge_killed_mid_delivery_loses_nothing(tmp_path: Path, receiver: Receiver):
    folder = tmp_path / "bridge"
    folder.mkdir()
    first = start_bridge(folder)
    login = f"kill-{uuid.uuid4().hex[:8]}"
    assert subscribe(first, "callfinish", login, receiver.url) == SAVED
    receiver.switch("RECEIVER_SLOW", True)
    send_call(first, login, ["13105550105", "13105550106", "13105550107"])
    first.advance(200)
    store = first.store()
    until = time.monotonic() + 60
    while len(store.rows()) < 3 or not (receiver.folder / "arrived.log").exists():
        assert time.monotonic() < until, store.rows()
        time.sleep(0.05)
    first.kill(signal.SIGKILL)                   # workers, master and simulator, mid-delivery
    assert {r.status for r in store.rows()} >= {"pending"}
    receiver.switch("RECEIVER_SLOW", False)
    second = start_bridge(folder)
    try:
        got = receiver.wait_for(3, "call-finished", seconds=120)
        expected = {r.id for r in store.rows()}
        until = time.monotonic() + 120
        while store.counts() != {"delivered": 3}:
            assert time.monotonic() < until, store.rows()
            time.sleep(0.2)
        got = receiver.received()
        assert {r["delivery"] for r in got} == expected              # every one, repeats with the same id
        assert sorted({r["phonenumber"] for r in got}) == ["3105550105", "3105550106", "3105550107"]
    finally:
        second.kill()
