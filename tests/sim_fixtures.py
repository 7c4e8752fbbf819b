"""Shared fixtures for the simulator tests: one HTTP simulator per session, one login per test."""
from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import pytest

from bridge.sim import RunningSim, start_in_thread
from tests.sim_spec import check_response

_logins = itertools.count(1)
# One connection pool for every test client: a new httpx.Client would otherwise build an SSL
# context each time (~40 ms), which would dominate this suite's run time.
TRANSPORT = httpx.HTTPTransport()


def http_client(**kw: object) -> httpx.Client:
    """A client on the shared transport (never close it: that would close the shared pool)."""
    return httpx.Client(transport=TRANSPORT, timeout=10, **kw)


anon = http_client()


@pytest.fixture(scope="session")
def sim() -> Iterator[RunningSim]:
    running = start_in_thread()
    yield running
    running.stop()


@pytest.fixture
def login() -> str:
    """A fresh login, hence a fresh account with the standard seed data."""
    return f"tester{next(_logins)}"


@pytest.fixture
def client(sim: RunningSim, login: str) -> httpx.Client:
    return http_client(base_url=sim.base_url, auth=(login, "secret"))


@pytest.fixture
def checked(sim: RunningSim, login: str) -> httpx.Client:
    """Like `client`, but every response is checked against the v2 spec as it arrives."""
    return http_client(base_url=sim.base_url, auth=(login, "secret"),
                       event_hooks={"response": [_check_against_spec]})


def _check_against_spec(response: httpx.Response) -> None:
    response.read()
    check_response(response)


def admin_url(sim: RunningSim, path: str) -> str:
    """URL of a /__sim/ control endpoint of `sim`."""
    return sim.base_url.removesuffix("/v2") + "/__sim/" + path


def advance(sim: RunningSim, seconds: float) -> int:
    response = anon.post(admin_url(sim, "advance"), params={"seconds": seconds})
    response.raise_for_status()
    return response.json()["now"]


def sent_requests(sim: RunningSim, login: str) -> list[dict]:
    return anon.get(admin_url(sim, "requests"), params={"login": login}).json()["items"]


def all_items(client: httpx.Client, path: str, page: int = 500, **params: object) -> list[dict]:
    """Every item of a v2 finder, following limit/offset until a short page."""
    items: list[dict] = []
    while True:
        body = client.get(path, params={**params, "limit": page, "offset": len(items)}).json()
        items += body["items"]
        if len(body["items"]) < page:
            return items


VOICE_BROADCAST = {
    "name": "Test API SendCall Broadcast",
    "fromNumber": "13105551212",
    "answeringMachineConfig": "LIVE_IMMEDIATE",
    "sounds": {"liveSoundId": 9},
}
IVR_XML = ('<dialplan name="Root"><menu maxDigits="1" timeout="3500"><play type="tts">Press 1'
           '</play><keypress pressed="1"><stash varname="confirmed">yes</stash></keypress>'
           '</menu></dialplan>')
