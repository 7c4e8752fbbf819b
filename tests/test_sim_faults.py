"""The simulator's /__sim/faults: what each injected fault does to a v2 request, and its table."""
from __future__ import annotations

import random

import httpx
import pytest

from bridge.sim.app import create_app
from bridge.sim.faults import Faults


@pytest.fixture
def sim() -> httpx.Client:
    return httpx.Client(transport=httpx.WSGITransport(app=create_app()), base_url="http://sim",
                        auth=("alice", "pw"))


def add(sim: httpx.Client, **spec: object) -> int:
    response = sim.post("/__sim/faults", json=spec)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def broadcast_count(sim: httpx.Client) -> int:
    return sim.get("/v2/calls/broadcasts", params={"limit": 1}).json()["totalCount"]


NEW = {"name": "x", "sounds": {"liveSoundText": "hi"}}


def test_status_with_retry_after_then_the_real_answer(sim: httpx.Client) -> None:
    add(sim, kind="status", status=429, retry_after="7", path="/v2/calls/*", count=1)
    refused = sim.get("/v2/calls/9652")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "7"
    assert refused.json()["httpStatusCode"] == 429
    assert sim.get("/v2/calls/9652").json()["id"] == 9652
    assert sim.get("/__sim/faults").json()["items"][0]["hits"] == 1


@pytest.mark.parametrize(("kind", "error", "created"), [
    ("reset", httpx.RemoteProtocolError, 0), ("timeout", httpx.ReadTimeout, 0),
    ("created_timeout", httpx.ReadTimeout, 1), ("truncated", httpx.RemoteProtocolError, 1),
])
def test_dropped_answers_and_whether_the_create_happened(sim: httpx.Client, kind: str, error: type,
                                                         created: int) -> None:
    before = broadcast_count(sim)
    add(sim, kind=kind, method="POST", path="/v2/calls/broadcasts")
    with pytest.raises(error):
        sim.post("/v2/calls/broadcasts", json=NEW)
    sim.delete("/__sim/faults")
    assert broadcast_count(sim) == before + created


def test_odd_bodies(sim: httpx.Client) -> None:
    add(sim, kind="not_json", path="/v2/calls/1*", count=1)
    add(sim, kind="shape", body={"id": "x"}, path="/v2/calls/1*", count=1)
    assert sim.get("/v2/calls/10120").text.startswith("<html>")
    assert sim.get("/v2/calls/10120").json() == {"id": "x"}
    assert sim.get("/v2/calls/10120").json()["id"] == 10120


def test_scoped_by_login_and_method(sim: httpx.Client) -> None:
    add(sim, kind="status", status=503, login="bob", method="GET")
    assert sim.get("/v2/calls/9652").status_code == 200
    assert sim.get("/v2/calls/9652", auth=("bob", "pw")).status_code == 503
    assert sim.post("/v2/calls/broadcasts", json=NEW, auth=("bob", "pw")).status_code == 201
    assert sim.delete("/__sim/faults", params={"login": "bob"}).json() == {"removed": 1}


def test_probability_is_a_share_of_requests() -> None:
    faults = Faults(random.Random(7))
    faults.add({"kind": "status", "probability": 0.25})
    fired = sum(faults.pick("GET", "/v2/calls", "") is not None for _ in range(400))
    assert 60 < fired < 140


@pytest.mark.parametrize("spec", [{"kind": "meteor"}, {"kind": "status", "status": 200},
                                  {"kind": "latency", "seconds": -1}, {"kind": "status", "count": 0},
                                  {"kind": "status", "probability": 0}, {"kind": "status", "when": "now"},
                                  {"kind": "status", "count": True}])
def test_a_bad_fault_is_a_400(sim: httpx.Client, spec: dict) -> None:
    assert sim.post("/__sim/faults", json=spec).status_code == 400


def test_reset_clears_the_faults(sim: httpx.Client) -> None:
    add(sim, kind="status")
    sim.post("/__sim/reset")
    assert sim.get("/__sim/faults").json() == {"items": []}
