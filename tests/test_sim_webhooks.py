"""The simulator's /webhooks (checked against the v2 spec) and the signed webhooks it sends."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from bridge.sim.webhooks import signature
from tests.sim_fixtures import (  # noqa: F401  (checked, client, login and sim are fixtures)
    VOICE_BROADCAST, advance, checked, client, login, sim)
from tests.sim_spec import check
from tests.webhook_receiver import Receiver, start_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = start_receiver()
    yield running
    running.stop()


def webhook(checked: httpx.Client, url: str, resource: str, events: list[str], **extra: object) -> int:
    response = checked.post("/webhooks", json={"name": f"{resource} hook", "resource": resource,
                                               "events": events, "callback": url, **extra})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_webhooks_crud_conforms(checked: httpx.Client) -> None:
    first = webhook(checked, "https://example.com/a", "OutboundCall", ["finished"], secret="s3")
    second = webhook(checked, "https://example.com/b", "CallBroadcast", ["Started", "Finished"])
    stored = checked.get(f"/webhooks/{first}").json()
    assert stored["events"] == ["Finished"] and stored["enabled"] is True and stored["secret"] == "s3"
    assert [w["id"] for w in checked.get("/webhooks").json()["items"]] == [first, second]
    assert [w["id"] for w in checked.get("/webhooks", params={"resource": "CallBroadcast"}).json()["items"]] == [second]
    assert checked.put(f"/webhooks/{first}", json={"enabled": False}).status_code == 200
    assert checked.get(f"/webhooks/{first}").json()["enabled"] is False
    assert checked.get("/webhooks", params={"enabled": "true"}).json()["totalCount"] == 1
    assert checked.delete(f"/webhooks/{first}").status_code == 204
    assert checked.get(f"/webhooks/{first}").status_code == 404
    resources = checked.get("/webhooks/resources").json()["items"]
    assert {"resource": "OutboundText", "supportedEvents": ["Finished"]} in resources
    assert checked.get("/webhooks/resources/callbroadcast").json()["supportedEvents"] == ["Started", "Stopped", "Finished"]
    assert checked.get("/webhooks/resources/Nope").status_code == 404


@pytest.mark.parametrize("body, problem", [
    ({"resource": "OutboundCall", "events": ["Started"], "callback": "https://x.test/"}, "not supported"),
    ({"resource": "Calls", "events": ["Finished"], "callback": "https://x.test/"}, "resource"),
    ({"resource": "OutboundCall", "events": [], "callback": "https://x.test/"}, "events"),
    ({"resource": "OutboundCall", "events": ["Finished"], "callback": "ftp://x.test/"}, "callback"),
    ({"resource": "OutboundCall", "events": ["Finished"], "callback": "https://x.test/", "colour": 1}, "unknown"),
])
def test_invalid_webhooks_are_refused(checked: httpx.Client, body: dict, problem: str) -> None:
    response = checked.post("/webhooks", json=body)
    assert response.status_code == 400 and problem in response.json()["message"]


def test_finished_calls_and_broadcasts_are_sent_signed_and_batched(sim, client: httpx.Client,
                                                                   receiver: Receiver) -> None:
    calls = webhook(client, receiver.url + "/calls", "OutboundCall", ["Finished"], secret="call-secret")
    webhook(client, receiver.url + "/broadcasts", "CallBroadcast", ["Started", "Finished"], secret="b-secret")
    webhook(client, receiver.url + "/off", "OutboundCall", ["Finished"], enabled=False)
    body = {**VOICE_BROADCAST, "recipients": [{"phoneNumber": "12135550402"}, {"phoneNumber": "12135550406"}]}
    broadcast = client.post("/calls/broadcasts", params={"start": "true"}, json=body).json()["id"]
    started = receiver.wait_for(1)
    assert [p.path for p in started] == ["/broadcasts"]
    advance(sim, 90)
    posts = receiver.wait_for(3)
    assert sorted(p.path for p in posts) == ["/broadcasts", "/broadcasts", "/calls"]
    for post in posts:
        secret = "call-secret" if post.path == "/calls" else "b-secret"
        assert post.headers["X-CallFire-Signature"] == signature(secret, post.body)
    payload = json.loads(next(p for p in posts if p.path == "/calls").body)
    assert payload["webhookId"] == calls and payload["resourceType"] == "OutboundCall"
    assert len(payload["events"]) == 2          # both calls finished in one tick: one POST
    for event in payload["events"]:
        assert event["eventType"] == "Finished" and event["resource"]["campaignId"] == broadcast
        check("Call", event["resource"])
    assert {e["resource"]["finalCallResult"] for e in payload["events"]} == {"LA", "BUSY"}
    events = [json.loads(p.body)["events"][0] for p in posts if p.path == "/broadcasts"]
    assert [e["eventType"] for e in events] == ["Started", "Finished"]
    check("CallBroadcast", events[1]["resource"])


def test_a_receiver_error_is_retried(sim, client: httpx.Client) -> None:
    received: list[int] = []

    class Flaky(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            received.append(1)
            self.send_response(503 if len(received) == 1 else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        webhook(client, f"http://127.0.0.1:{server.server_port}/", "CallBroadcast", ["Started"])
        client.post("/calls/broadcasts", params={"start": "true"}, json=VOICE_BROADCAST)
        deadline = time.monotonic() + 10
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(received) == 2       # the 503, then the same POST again
    finally:
        server.shutdown()
        server.server_close()


def test_only_what_happens_while_a_webhook_exists_fires(sim, client: httpx.Client, receiver: Receiver) -> None:
    first = webhook(client, receiver.url + "/first", "CallBroadcast", ["Started"])
    client.delete(f"/webhooks/{first}")
    client.post("/calls/broadcasts", params={"start": "true"}, json=VOICE_BROADCAST)   # no webhook: never sent
    webhook(client, receiver.url + "/second", "CallBroadcast", ["Started"])
    later = client.post("/calls/broadcasts", params={"start": "true"}, json=VOICE_BROADCAST).json()["id"]
    # A stale event would come first (alone, or before the later one in the same POST).
    post = receiver.wait_for(1)[0]
    assert post.path == "/second" and [e["resource"]["id"] for e in json.loads(post.body)["events"]] == [later]
