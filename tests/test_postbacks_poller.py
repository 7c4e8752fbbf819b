"""The polling fallback over the in-process simulator: a baseline at registration, each finished call,
text and broadcast once, a watermark held by what is still unfinished, one poller at a time."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bridge.postbacks.apikeys import basic
from bridge.postbacks.events import V2Event
from bridge.postbacks.pipeline import Pipeline
from bridge.postbacks.poller import Poller
from bridge.postbacks.store import PostbackStore
from bridge.store.idempotency import account_key
from bridge.v2.client import V2Client

AUTH = basic("poller-test", "pw")
ACCOUNT = account_key(AUTH)


@pytest.fixture
def setup(tmp_path: Path):
    from bridge.sim.app import create_app
    sim = create_app()
    transport = httpx.WSGITransport(app=sim)
    events: list[V2Event] = []
    store = PostbackStore(tmp_path / "postbacks.sqlite3")
    pipeline = Pipeline(store, [lambda event: events.append(event) or []])
    poller = Poller(store, pipeline, V2Client("http://sim/v2", transport=transport), lambda account: AUTH)
    client = httpx.Client(transport=transport, base_url="http://sim", auth=("poller-test", "pw"))
    return sim, store, poller, client, events


def start_broadcast(client: httpx.Client, numbers: list[str]) -> int:
    body = {"name": "poll", "fromNumber": "12135551189", "sounds": {"liveSoundText": "hi"},
            "recipients": [{"phoneNumber": n} for n in numbers]}
    return client.post("/v2/calls/broadcasts", params={"start": "true"}, json=body).json()["id"]


def test_only_what_finishes_after_the_baseline_is_an_event_and_only_once(setup):
    sim, store, poller, client, events = setup
    poller.baseline(ACCOUNT, AUTH)                  # the seed's finished calls, texts, broadcasts: seen
    store.register(ACCOUNT, "callfinish", None, "http://r.example/", 0)
    store.save_account(ACCOUNT, "sealed")
    assert poller.poll_account(ACCOUNT, AUTH) == 0 and events == []
    broadcast = start_broadcast(client, ["13105550100", "13105550101"])
    poller.poll_account(ACCOUNT, AUTH)
    assert events == []                             # not finished yet: the watermark waits for them
    client.post("/__sim/advance", params={"seconds": 200})
    poller.poll_account(ACCOUNT, AUTH)
    poller.poll_account(ACCOUNT, AUTH)
    kinds = sorted((e.resource_type, e.event_id.split(":")[1]) for e in events)
    assert [k for k, _ in kinds] == ["CallBroadcast", "OutboundCall", "OutboundCall"]
    assert ("CallBroadcast", str(broadcast)) in kinds
    assert all(e.account == ACCOUNT for e in events)


def test_one_poller_at_a_time(setup):
    sim, store, poller, client, events = setup
    store.register(ACCOUNT, "callfinish", None, "http://r.example/", 0)
    store.save_account(ACCOUNT, "sealed")
    polled: list[str] = []
    other = Poller(store, poller.pipeline, poller.v2, lambda account: polled.append(account), clock=lambda: 110.0)
    assert store.take_lease("poller", poller.owner, 100, 30)
    assert other.run_once() == 0 and polled == []                  # the first poller holds the lease
    other.clock = lambda: 131.0                                    # ... until it runs out (that poller died)
    other.run_once()
    assert polled == [ACCOUNT]


def test_a_v2_that_caps_its_pages_still_gives_every_finished_call(tmp_path: Path):
    """v2 answers 5 items a page whatever `limit` asks: the poller reads on to totalCount, not only the
    first page (it stopped at a page shorter than the 100 it had asked for)."""
    from bridge.sim.app import create_app
    transport = httpx.WSGITransport(app=create_app(max_limit=5))
    events: list[V2Event] = []
    store = PostbackStore(tmp_path / "postbacks.sqlite3")
    poller = Poller(store, Pipeline(store, [lambda event: events.append(event) or []]),
                    V2Client("http://sim/v2", transport=transport), lambda account: AUTH)
    client = httpx.Client(transport=transport, base_url="http://sim", auth=("poller-test", "pw"))
    poller.baseline(ACCOUNT, AUTH)
    store.register(ACCOUNT, "callfinish", None, "http://r.example/", 0)
    numbers = [f"1310555{n:04d}" for n in range(200, 212)]
    start_broadcast(client, numbers)
    client.post("/__sim/advance", params={"seconds": 200})
    poller.poll_account(ACCOUNT, AUTH)
    called = sorted(e.event_id for e in events if e.resource_type == "OutboundCall")
    assert len(called) == len(set(called)) == len(numbers)
