"""The postback pipeline and its durable outbox: once per event, at least once per delivery,
backoff with full jitter, dead letters after the maximum age, leases that expire; on both store
backends (SQLite, PostgreSQL: tests/pg_fixtures.py)."""
from __future__ import annotations

import os
import signal
import sys
import subprocess
import textwrap

import httpx
import pytest

from bridge.postbacks.deliver import DELIVERY_HEADER, Deliverer
from bridge.postbacks.events import Delivery, V2Event, event_id_for, make_event
from bridge.postbacks.outbox import RetryPolicy
from bridge.postbacks.pipeline import Pipeline
from pg_fixtures import Backend

PUBLIC = lambda host, port: ["93.184.216.34"]   # noqa: E731 - a resolver that needs no DNS


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Receiver:
    """An httpx MockTransport receiver that can be down; records (delivery id, body) it accepted."""

    def __init__(self) -> None:
        self.up = True
        self.accepted: list[tuple[str, bytes]] = []
        self.attempts = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        if not self.up:
            return httpx.Response(503, text="down for maintenance " + "x" * 5000)
        self.accepted.append((request.headers[DELIVERY_HEADER], request.content))
        return httpx.Response(200, text="ok")


def call_finished(call_id: int, account: str = "acct") -> V2Event:
    return make_event(account, "OutboundCall", "Finished", {"id": call_id, "state": "FINISHED"}, 1)


def echo_listener(event: V2Event) -> list[Delivery]:
    return [Delivery("http://receiver.example/post", event.event_id.encode(), "text/xml", "cloud1:1")]


@pytest.fixture
def parts(backend: Backend):
    clock, receiver = Clock(), Receiver()
    store = backend.postbacks()
    pipeline = Pipeline(store, [echo_listener], clock=clock)
    deliverer = Deliverer(store, policy=RetryPolicy(base=2, cap=600, max_age=3600, lease=60),
                          client=httpx.Client(transport=httpx.MockTransport(receiver)), clock=clock,
                          rng=lambda low, high: high, resolver=PUBLIC)
    return store, pipeline, deliverer, clock, receiver


def test_event_ids_are_stable_and_repeatable_events_carry_their_change_time():
    assert event_id_for("OutboundCall", "Finished", {"id": 5, "modified": 9}) == "OutboundCall.Finished:5"
    assert (event_id_for("CallBroadcast", "Started", {"id": 7, "lastModified": 11})
            != event_id_for("CallBroadcast", "Started", {"id": 7, "lastModified": 12}))


def test_an_event_is_ingested_once(parts):
    store, pipeline, deliverer, clock, receiver = parts
    assert pipeline.ingest(call_finished(1)) == 1
    assert pipeline.ingest(call_finished(1)) == 0          # a webhook redelivered, or the poller again
    assert deliverer.run_once() == 1
    assert [body for _, body in receiver.accepted] == [b"OutboundCall.Finished:1"]


def test_receiver_down_then_up_every_event_delivered_once_per_delivery_id(parts):
    store, pipeline, deliverer, clock, receiver = parts
    receiver.up = False
    for call_id in range(5):
        pipeline.ingest(call_finished(call_id))
    deliverer.run_once()
    assert receiver.attempts == 5 and not receiver.accepted
    assert deliverer.run_once() == 0                       # backing off: nothing due yet
    for _ in range(6):                                     # 2, 4, 8, 16, 32, 64 s later (full jitter's top)
        clock.now += 100
        deliverer.run_once()
    receiver.up = True
    clock.now += 600
    deliverer.run_once()
    ids = [delivery_id for delivery_id, _ in receiver.accepted]
    assert len(ids) == len(set(ids)) == 5
    assert sorted(body for _, body in receiver.accepted) == sorted(
        f"OutboundCall.Finished:{n}".encode() for n in range(5))
    assert store.counts() == {"delivered": 5}
    clock.now += 10_000
    assert deliverer.run_once() == 0                       # delivered is final


def test_backoff_is_exponential_with_full_jitter_up_to_the_cap():
    policy = RetryPolicy(base=2, cap=100, max_age=10_000)
    top = lambda low, high: high   # noqa: E731
    waits = [policy.next_attempt(n, 0, 0, top) for n in range(1, 9)]
    assert waits == [2, 4, 8, 16, 32, 64, 100, 100]
    assert policy.next_attempt(3, 0, 0, lambda low, high: low) == 0          # jitter reaches 0
    assert policy.next_attempt(1, 0, 9_999, top) == 10_000                    # never past the maximum age
    assert policy.next_attempt(1, 0, 10_000, top) is None                     # too old: a dead letter


def test_dead_letters_after_the_maximum_age_are_listed_and_replayable(parts):
    store, pipeline, deliverer, clock, receiver = parts
    receiver.up = False
    pipeline.ingest(call_finished(1))
    while store.counts().get("pending"):
        deliverer.run_once()
        clock.now += 700
    [dead] = store.rows("dead")
    assert dead.attempts >= 2 and dead.last_error.startswith("HTTP 503: 'down for maintenance")
    assert len(dead.last_error) < 300                      # the receiver's answer as a short excerpt only
    receiver.up = True
    assert store.retry([dead.id], clock.now) == 1
    deliverer.run_once()
    assert receiver.accepted == [(dead.id, b"OutboundCall.Finished:1")]   # the same delivery id
    assert store.counts() == {"delivered": 1}


def test_a_lease_keeps_a_row_with_one_deliverer_until_it_expires(parts):
    store, pipeline, deliverer, clock, receiver = parts
    pipeline.ingest(call_finished(1))
    [row] = store.claim("a-killed-deliverer", clock.now, 60, 10)
    assert deliverer.run_once() == 0                       # leased to another deliverer
    clock.now += 61                                        # that deliverer died: its lease expires
    assert deliverer.run_once() == 1
    assert receiver.accepted == [(row.id, b"OutboundCall.Finished:1")]


def test_a_refused_target_is_not_called(parts):
    store, pipeline, deliverer, clock, receiver = parts
    deliverer.resolver = lambda host, port: ["10.0.0.8"]   # the name now points inside (DNS rebinding)
    pipeline.ingest(call_finished(1))
    deliverer.run_once()
    assert receiver.attempts == 0
    [row] = store.rows()
    assert row.status == "pending" and row.last_error.startswith("refused: ")


def test_ingest_is_one_transaction_with_its_deliveries(backend: Backend):
    """A process killed with SIGKILL while ingesting leaves neither the seen-mark nor a delivery."""
    script = textwrap.dedent(f"""
        import os, signal
        from bridge.config import Settings
        from bridge.postbacks.events import Delivery, make_event
        from bridge.postbacks.pipeline import Pipeline
        from bridge.store import factory
        def listener(event):
            yield Delivery("http://r.example/", b"one", "text/xml", "cloud1:1")
            os.kill(os.getpid(), signal.SIGKILL)     # dies before the second delivery is enqueued
        settings = Settings(store_path={str(backend.folder / "store.sqlite3")!r}, store={backend.url!r})
        Pipeline(factory.postbacks(settings), [listener]).ingest(
            make_event("acct", "OutboundCall", "Finished", {{"id": 1}}, 1))
    """)
    process = subprocess.run([sys.executable, "-c", script], env={**os.environ})
    assert process.returncode == -signal.SIGKILL
    store = backend.postbacks()
    assert not store.seen("OutboundCall.Finished:1") and store.rows() == []



def test_a_receiver_gets_the_configured_time_and_a_row_is_leased_for_twice_that(tmp_path) -> None:
    """CALLFIRE_BRIDGE_POSTBACK_TIMEOUT: a receiver slower than it fails the attempt (retried later), and
    a killed deliverer's row goes to another after twice that time."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from bridge.config import Settings
    from bridge.postbacks.service import Postbacks
    from bridge.runtime import Runtime

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(2.0)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = Settings(store_path=tmp_path / "store.sqlite3", postback_timeout=1.5, postback_allow_private=1)
        postbacks = Postbacks(Runtime.create(settings, "http://v2.test/v2"))
        deliverer, clock = postbacks.deliverer, Clock()
        deliverer.clock = clock
        url = f"http://127.0.0.1:{server.server_port}/post"
        pipeline = Pipeline(postbacks.store, [lambda event: [Delivery(url, b"<x/>", "text/xml", "cloud1:1")]],
                            clock=clock)
        pipeline.ingest(call_finished(1))
        assert deliverer.run_once() == 1
        [row] = postbacks.store.rows()
        assert row.status == "pending" and "timeout" in row.last_error.lower(), row
        pipeline.ingest(call_finished(2))
        clock.now += 10_000                                   # both due again
        assert len(postbacks.store.claim("a-killed-deliverer", clock.now, deliverer.policy.lease, 10)) == 2
        clock.now += 2.9
        assert deliverer.run_once() == 0                      # still leased: 2 x 1.5 s have not passed
        clock.now += 0.2
        deliverer.client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
        assert deliverer.run_once() == 2
    finally:
        server.shutdown()


def test_removing_the_last_api_key_of_an_account_removes_its_registrations(backend):
    """`apikeys remove`: while another key reaches the same v2 login its registrations stay; with the
    last one they go, and the poller no longer has credentials for that account."""
    from bridge.postbacks.apikeys import ApiKeyRegistry, basic
    from bridge.store.sealed import Sealer
    from bridge.store.idempotency import account_key

    store = backend.postbacks()
    registry = ApiKeyRegistry(store, Sealer(backend.folder / "keys.fernet"))
    registry.add("key-one", "alice", "pw")
    registry.add("key-two", "alice", "pw")
    registry.add("key-bob", "bob", "pw")
    alice, bob = account_key(basic("alice", "pw")), account_key(basic("bob", "pw"))
    for account in (alice, bob):
        store.save_account(account, "sealed")
        store.register(account, "callfinish", None, "https://receiver.example/cf.php", 0)
    store.register(alice, "campaignfinish", None, "https://receiver.example/cf.php", 0)

    assert registry.remove("key-one") == 0          # key-two still reaches alice
    assert len(store.registrations(alice)) == 2
    assert registry.remove("key-two") == 2
    assert store.registrations(alice) == [] and [a for a, _ in store.accounts()] == [bob]
    assert len(store.registrations(bob)) == 1
    assert registry.remove("key-two") is None                 # already gone
