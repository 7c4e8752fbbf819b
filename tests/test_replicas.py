"""Two replicas on one PostgreSQL (issue 13, scale-out): two `callfire-bridge serve` processes (2 gunicorn
workers each, different ports) on one database and one simulator, as behind a load balancer.

- RequestId exactly once: one SendCall RequestId sent concurrently to both makes one v2 broadcast, and
  every answer is that broadcast or "still in progress";
- the postback outbox at least once: v2 webhook events posted to both are delivered to the subscription's
  endpoint, while one replica is SIGKILLed mid-delivery: its leased rows are delivered by the other once
  their lease expires (twice CALLFIRE_BRIDGE_POSTBACK_TIMEOUT: 12 s here), and no delivery is lost."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psycopg
import pytest
from lxml import etree

from bridge.cli import free_port
from bridge.config import Settings
from bridge.postbacks.deliver import DELIVERY_HEADER
from bridge.postbacks.webhooks import signature
from bridge.sim import start_in_thread
from bridge.store.pg.subscriptions import PgSubscriptionStore
from bridge.store.sealed import Sealer, key_path
from conftest import basic
from pg_fixtures import PostgreSQL

SVC = "{http://api.callfire.com/service/xsd}"
SOAP = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:ns1="http://api.callfire.com/service/xsd"'
        ' xmlns:d="http://api.callfire.com/data"><e:Body>{body}</e:Body></e:Envelope>')
SEND_CALL = ("<ns1:SendCall><ns1:RequestId>urn:replicas</ns1:RequestId><ns1:ToNumber>13105551212</ns1:ToNumber>"
             "<d:VoiceBroadcastConfig><d:LiveSoundText>Hi</d:LiveSoundText></d:VoiceBroadcastConfig></ns1:SendCall>")


def shared_store_path(folder: Path) -> Path:
    return folder / "bridge.sqlite3"


class Replica:
    """`callfire-bridge serve` on the shared database and upstream (a load balancer's backend)."""

    def __init__(self, folder: Path, store: str, upstream: str) -> None:
        self.port = free_port()
        self.folder = folder
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"replica-{self.port}.log"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bridge.cli", "serve", "--port", str(self.port), "--workers", "2",
             "--store", store, "--upstream", upstream, "--public-url", self.url, "--postback-allow-private"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            # Receivers get 6 s an attempt, so a killed replica's leases run out after 12 s, not 30.
            # Replicas share the key file sealing secrets at rest, beside CALLFIRE_BRIDGE_STORE_PATH.
            env={**os.environ, "PYTHONUNBUFFERED": "1", "CALLFIRE_BRIDGE_POSTBACK_TIMEOUT": "6",
                 "CALLFIRE_BRIDGE_STORE_PATH": str(shared_store_path(folder))})

    def wait_ready(self) -> None:
        for _ in range(300):
            try:
                httpx.get(self.url + "/health", timeout=1).raise_for_status()
                return
            except httpx.HTTPError:
                assert self.process.poll() is None, self.log_path.read_text()
                time.sleep(0.1)
        raise RuntimeError(f"replica on {self.port} did not start")

    def soap(self, login: str, body: str, port: str = "call") -> httpx.Response:
        return httpx.post(f"{self.url}/api/1.1/soap12/{port}", content=SOAP.format(body=body),
                          headers={"Content-Type": "application/soap+xml", "Authorization": basic(login)}, timeout=60)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
def sim() -> Iterator[object]:
    running = start_in_thread()
    yield running
    running.stop()


@pytest.fixture
def replicas(postgresql: PostgreSQL, sim, tmp_path: Path) -> Iterator[tuple[str, list[Replica]]]:
    store = postgresql.new_database()
    both = [Replica(tmp_path, store, sim.base_url) for _ in range(2)]   # started at once: the schema race too
    try:
        for replica in both:
            replica.wait_ready()
        yield store, both
    finally:
        for replica in both:
            replica.stop()


def test_one_request_id_sent_to_both_replicas_at_once_makes_one_broadcast(replicas, sim, login: str) -> None:
    _, (first, second) = replicas
    # v2 takes a second over the create: every other request arrives while the winner holds the claim.
    httpx.post(sim.base_url.removesuffix("/v2") + "/__sim/faults", json={
        "login": login, "kind": "latency", "seconds": 1, "method": "POST", "path": "/v2/calls/broadcasts",
        "count": 1}).raise_for_status()
    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(lambda n: (first, second)[n % 2].soap(login, SEND_CALL), range(32)))
    created = {etree.fromstring(r.content).findtext(f".//{SVC}CreatedId") for r in responses if r.status_code == 200}
    refused = [etree.fromstring(r.content).findtext(f".//{SVC}Message") for r in responses if r.status_code != 200]
    assert len(created) == 1, created
    assert all("still in progress" in message for message in refused), refused
    # Once it is done, a repeat on either replica is a replay.
    for replica in (first, second):
        assert etree.fromstring(replica.soap(login, SEND_CALL).content).findtext(f".//{SVC}CreatedId") in created
    requests = httpx.get(sim.base_url.removesuffix("/v2") + "/__sim/requests", params={"login": login}).json()
    posts = [r for r in requests["items"] if r["method"] == "POST" and r["path"] == "/v2/calls/broadcasts"]
    assert len(posts) == 1


class SlowReceiver:
    """A subscription's endpoint that takes `delay` seconds over each post (deliveries stay in flight)."""

    def __init__(self, delay: float) -> None:
        received: list[str] = []
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(delay)
                with lock:
                    received.append(self.headers[DELIVERY_HEADER])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/notify"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def call_finished(call_id: int) -> dict:
    call = {"id": call_id, "fromNumber": "13105551212", "toNumber": "12135550402", "state": "FINISHED",
            "campaignId": 332, "batchId": 9, "inbound": False, "created": 1793631600000, "modified": 1793631690000,
            "finalCallResult": "LA"}
    event = {"timestamp": 1793631690000, "webhookId": 1, "resourceType": "OutboundCall", "eventType": "Finished",
             "resource": call}
    return {**{k: v for k, v in event.items() if k not in ("eventType", "resource")}, "events": [event]}


def test_the_outbox_delivers_every_postback_when_a_replica_is_killed_mid_delivery(replicas, login: str) -> None:
    store, (doomed, survivor) = replicas
    receiver = SlowReceiver(delay=0.25)
    try:
        answer = doomed.soap(login, "<ns1:CreateSubscription><d:Subscription><d:Enabled>true</d:Enabled>"
                                    f"<d:Endpoint>{receiver.url}</d:Endpoint><d:NotificationFormat>XML"
                                    "</d:NotificationFormat><d:TriggerEvent>OUTBOUND_CALL_FINISHED</d:TriggerEvent>"
                                    "</d:Subscription></ns1:CreateSubscription>", port="subscription")
        subscription = int(etree.fromstring(answer.content).findtext(f".//{SVC}CreatedId"))
        sealer = Sealer(key_path(Settings(store_path=shared_store_path(doomed.folder))))
        secret = PgSubscriptionStore(store, sealer).by_id(subscription).secret
        for n in range(60):   # fed through both replicas, alternately
            body = json.dumps(call_finished(50_000 + n)).encode()
            headers = {"Content-Type": "application/json", "X-CallFire-Signature": signature(secret, body)}
            fed = httpx.post(f"{(doomed, survivor)[n % 2].url}/webhooks/v2/{subscription}", content=body,
                             headers=headers)
            assert fed.status_code == 200 and fed.json()["enqueued"] == 1, fed.text
        with psycopg.connect(store) as db:
            expected = {row[0] for row in db.execute("SELECT id FROM postback_outbox")}
        assert len(expected) == 60
        while len(receiver.received) < 5:   # deliveries under way on both replicas
            time.sleep(0.05)
        doomed.stop(signal.SIGKILL)
        deadline = time.monotonic() + 120   # the dead replica's leases expire after 12 s
        while not expected <= set(receiver.received) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert set(receiver.received) == expected   # every one delivered, and nothing else
        with psycopg.connect(store, autocommit=True) as db:
            while time.monotonic() < deadline and db.execute(
                    "SELECT COUNT(*) FROM postback_outbox WHERE status = 'delivered'").fetchone()[0] < 60:
                time.sleep(0.2)   # the last delivery's 200 has arrived; its row is being marked
            assert dict(db.execute("SELECT status, COUNT(*) FROM postback_outbox GROUP BY status").fetchall()) \
                == {"delivered": 60}
    finally:
        receiver.stop()
