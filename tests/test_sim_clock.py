"""The simulator's clock as users run it: live by default (new objects stamped now, calls
progressing on their own, `--sim-speed` faster), frozen on request, and seed data identical in
every process whatever its clock."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import requests
import zeep

from bridge.cli import free_port
from bridge.sim import SimClock, start_in_thread
from bridge.sim.seed import SEED_ANCHOR_MS
from tests.sim_fixtures import VOICE_BROADCAST, admin_url, advance, anon

FEW_MINUTES_MS = 5 * 60_000
PATIENCE_S = 120         # a deadline for polling, never an expected duration
SEED_READS = ("/calls?limit=2000", "/texts?limit=500", "/contacts/3", "/contacts/3/history",
              "/contacts/4422", "/calls/broadcasts/103", "/calls/broadcasts/500/calls?limit=7",
              "/calls/9652")


def now_ms() -> int:
    return int(time.time() * 1000)


def eventually(check: Callable[[], object]) -> object:
    """Poll `check` until it returns something truthy; fail only after a generous deadline."""
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"still not true after {PATIENCE_S} s: {check.__doc__}")


@contextmanager
def simulator_process(*flags: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`python -m bridge.sim --port 0 FLAGS`; yields its v2 base URL."""
    process = subprocess.Popen([sys.executable, "-m", "bridge.sim", "--port", "0", *flags],
                               stdout=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    try:
        yield process.stdout.readline().strip().split(": ", 1)[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def create_broadcast(base_url: str, login: str, numbers: list[str]) -> int:
    response = anon.post(base_url + "/calls/broadcasts", params={"start": "true"}, auth=(login, "x"),
                         json={**VOICE_BROADCAST, "recipients": [{"phoneNumber": n} for n in numbers]})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def calls_of(base_url: str, login: str, broadcast_id: int) -> list[dict]:
    return anon.get(f"{base_url}/calls/broadcasts/{broadcast_id}/calls",
                    auth=(login, "x")).json()["items"]


def health(base_url: str) -> dict:
    return anon.get(base_url.removesuffix("/v2") + "/__sim/health").json()


def test_a_fast_live_clock_stamps_its_now_and_calls_finish_on_their_own() -> None:
    started = now_ms()
    with simulator_process("--sim-speed", "600") as base_url:
        assert health(base_url)["clock"] == "live" and health(base_url)["speed"] == 600
        broadcast_id = create_broadcast(base_url, "live", ["18185551212", "12135550104"])
        calls = calls_of(base_url, "live", broadcast_id)
        # 600x: simulated time starts at the wall clock and then runs ahead of it.
        assert all(started <= c["created"] <= health(base_url)["now"] for c in calls)
        last_hour = anon.get(base_url + "/calls", auth=("live", "x"),
                             params={"intervalBegin": now_ms() - 3_600_000}).json()
        assert {c["id"] for c in last_hour["items"]} == {c["id"] for c in calls}

        def finished() -> list[dict]:
            """every call of the broadcast is FINISHED"""
            calls = calls_of(base_url, "live", broadcast_id)
            return calls if all(c["state"] == "FINISHED" for c in calls) else []

        calls = eventually(finished)
        assert sorted(c["finalCallResult"] for c in calls) == ["AM", "LA"]   # last digits 4, 2
        assert all(c["modified"] == c["created"] + 90_000 for c in calls)
        broadcast = anon.get(f"{base_url}/calls/broadcasts/{broadcast_id}", auth=("live", "x"))
        assert broadcast.json()["status"] == "FINISHED"


def test_commands_default_to_live_and_read_the_environment() -> None:
    with simulator_process() as base_url:
        assert (health(base_url)["clock"], health(base_url)["speed"]) == ("live", 1)
        (call,) = calls_of(base_url, "now", create_broadcast(base_url, "now", ["12135550101"]))
        assert abs(call["created"] - now_ms()) < FEW_MINUTES_MS
    with simulator_process(env={"CALLFIRE_BRIDGE_SIM_CLOCK": "frozen"}) as base_url:
        assert health(base_url)["now"] == SEED_ANCHOR_MS
    with simulator_process("--sim-clock", "live",
                           env={"CALLFIRE_BRIDGE_SIM_CLOCK": "frozen",
                                "CALLFIRE_BRIDGE_SIM_SPEED": "60"}) as base_url:
        assert (health(base_url)["clock"], health(base_url)["speed"]) == ("live", 60)


def test_frozen_clock_keeps_the_fixed_times() -> None:
    with simulator_process("--sim-clock", "frozen", "--sim-speed", "600") as base_url:  # no speed
        broadcast_id = create_broadcast(base_url, "frozen", ["12135550101"])
        (call,) = calls_of(base_url, "frozen", broadcast_id)
        assert call["created"] == SEED_ANCHOR_MS and call["state"] == "READY"
        assert health(base_url)["now"] == SEED_ANCHOR_MS


def test_advance_moves_a_live_clock_too() -> None:
    running = start_in_thread(clock=SimClock("live"))
    try:
        broadcast_id = create_broadcast(running.base_url, "skip", ["12135550106"])
        (call,) = calls_of(running.base_url, "skip", broadcast_id)
        assert call["state"] == "READY"
        assert advance(running, 90) >= call["created"] + 90_000
        (call,) = calls_of(running.base_url, "skip", broadcast_id)
        assert (call["state"], call["finalCallResult"]) == ("FINISHED", "BUSY")
        reset = anon.post(admin_url(running, "reset")).json()["now"]
        assert reset < call["modified"]            # back to the wall clock, without the skip
    finally:
        running.stop()


def test_seed_reads_are_identical_in_every_process_whatever_its_clock() -> None:
    with simulator_process("--sim-speed", "600") as live_url:
        advance_url = live_url.removesuffix("/v2") + "/__sim/advance"
        anon.post(advance_url, params={"seconds": 86_400}).raise_for_status()
        live = [anon.get(live_url + path, auth=("seed", "x")).content for path in SEED_READS]
        with simulator_process("--sim-clock", "frozen") as frozen_url:   # started later
            frozen = [anon.get(frozen_url + path, auth=("seed", "x")).content
                      for path in SEED_READS]
    assert live == frozen
    assert b'"totalCount": 1531' in live[0]


def test_a_bad_speed_is_a_usage_error() -> None:
    done = subprocess.run([sys.executable, "-m", "bridge.sim", "--port", "0", "--sim-speed", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "sim speed must be a positive number" in done.stderr
    done = subprocess.run([sys.executable, "-m", "bridge.cli", "serve", "--port", str(free_port()),
                           "--sim-speed", "-1"], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "sim speed must be a positive number" in done.stderr
    assert "simulator did not start" in done.stderr


@pytest.fixture
def fast_bridge(tmp_path: Path) -> Iterator[str]:
    """`callfire-bridge serve --sim-speed 600`: the bridge as users run it, on a fast live clock."""
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bridge.cli", "serve", "--port", str(port), "--workers", "1",
         "--store", str(tmp_path / "store.sqlite3"), "--sim-speed", "600"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        """the bridge answers /health"""
        assert process.poll() is None, (tmp_path / "serve.log").read_text()
        try:
            return httpx.get(base_url + "/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        eventually(up)
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        log.close()


def test_send_call_then_query_calls_through_the_bridge_on_a_live_clock(fast_bridge: str) -> None:
    session = requests.Session()
    session.auth = ("live-bridge", "secret")
    client = zeep.Client(fast_bridge + "/api/1.1/wsdl/callfire-service-http-soap12.wsdl",
                         transport=zeep.Transport(session=session))
    call_service = client.bind("CallFireApi", "CallServicePort")
    sent_at = datetime.now(timezone.utc)
    broadcast_id = call_service.SendCall(
        ToNumber=[{"_value_1": "18185551212"}, {"_value_1": "12135550107"}],
        VoiceBroadcastConfig={"FromNumber": "13105551212", "LiveSoundId": 9})
    last_hour = call_service.QueryCalls(IntervalBegin=sent_at - timedelta(hours=1))
    assert {c.BroadcastId for c in last_hour.Call} == {broadcast_id}
    # 600x: the simulator's now started at the wall clock and has run ahead of it since (the
    # second of slack: ms rounding, and the monotonic clock it runs on vs the wall clock).
    upstream = httpx.get(fast_bridge + "/health").json()["upstream"]
    sim_now = datetime.fromtimestamp(health(upstream)["now"] / 1000, timezone.utc)
    assert all(sent_at - timedelta(seconds=1) <= c.Created <= sim_now for c in last_hour.Call)

    def finished() -> list:
        """QueryCalls shows every call of the broadcast FINISHED"""
        calls = call_service.QueryCalls(BroadcastId=broadcast_id).Call
        return calls if all(c.State == "FINISHED" for c in calls) else []

    calls = eventually(finished)
    assert sorted(c.FinalResult for c in calls) == ["LA", "NO_ANS"]     # last digits 2, 7
    assert all(c.CallRecord for c in calls)


def test_php_send_call_then_query_calls_show_now_and_finished_calls(fast_bridge: str) -> None:
    """CallFire's own PHP SendCall example, then QueryCalls, on a live (600x) clock."""
    from types import SimpleNamespace

    from test_php import php, php_call
    live = SimpleNamespace(wsdl=fast_bridge + "/api/1.1/wsdl/callfire-service-http-soap12.wsdl")
    sent_at = datetime.now(timezone.utc)
    broadcast_id = int(php(live, "SendCall.php", login="php-live").split(": ")[1])

    def finished() -> list[dict]:
        """PHP's QueryCalls shows every call of the broadcast FINISHED"""
        found = php_call(live, "QueryCalls", {"BroadcastId": broadcast_id}, login="php-live")["response"]
        calls = found["Call"] if isinstance(found["Call"], list) else [found["Call"]]
        return calls if all(c["State"] == "FINISHED" for c in calls) else []

    calls = eventually(finished)
    created = [datetime.fromisoformat(c["Created"]) for c in calls]
    assert all(created_at >= sent_at - timedelta(seconds=1) for created_at in created), created
    assert all(c["FinalResult"] for c in calls)
