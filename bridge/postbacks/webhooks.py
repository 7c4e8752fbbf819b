"""The receiver of v2 webhooks: `POST /webhooks/v2/{subscription id}`, where each subscription's
webhooks point (bridge/orchestrate/subscriptions.py).

The signature is checked before anything is parsed: `X-CallFire-Signature` must be the Base64
HMAC-SHA1 of the raw body keyed with the subscription's secret (constant-time compare). Missing:
401; wrong, or no such subscription: 403; nothing is ingested either way. A verified POST may carry
several events (`events[]`); each becomes a V2Event of the subscription's account and goes to
`Pipeline.ingest`, which ignores an event it has seen (a redelivery, or one the poller found first).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from bridge.postbacks.events import make_event
from bridge.postbacks.pipeline import Pipeline
from bridge.store.subscriptions import SubscriptionStore

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "HTTP_X_CALLFIRE_SIGNATURE"
MAX_BODY = 8 * 1024 * 1024      # a batch of full v2 objects; far above what one POST carries
StartResponse = Callable[..., Any]
_UNVERIFIABLE = "x" * 32        # a key for the HMAC computed when there is no subscription (same work)


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()


def receive(environ: dict[str, Any], start_response: StartResponse, subscriptions: SubscriptionStore,
            pipeline: Pipeline, subscription_id: int) -> Iterable[bytes]:
    if environ["REQUEST_METHOD"] != "POST":
        return _answer(start_response, "405 Method Not Allowed", {"error": "POST a v2 webhook payload"})
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _answer(start_response, "400 Bad Request", {"error": "Content-Length is not a number"})
    if length > MAX_BODY:
        return _answer(start_response, "413 Content Too Large", {"error": f"over {MAX_BODY} bytes"})
    body = environ["wsgi.input"].read(length) if length else b""
    given = environ.get(SIGNATURE_HEADER, "")
    if not given:
        return _answer(start_response, "401 Unauthorized", {"error": "X-CallFire-Signature is missing"})
    subscription = subscriptions.by_id(subscription_id)
    # No secret (a subscription whose sealed secret this bridge's key does not open) verifies nothing:
    # an HMAC keyed with "" is anyone's to compute.
    verifiable = subscription is not None and bool(subscription.secret)
    expected = signature(subscription.secret if verifiable else _UNVERIFIABLE, body)
    if not verifiable or not hmac.compare_digest(expected.encode(), given.strip().encode()):
        log.info("webhooks: POST for subscription %s refused: signature not verified", subscription_id)
        return _answer(start_response, "403 Forbidden", {"error": "signature not verified"})
    try:
        payload = json.loads(body)
        events = [e for e in payload["events"] if isinstance(e, dict) and isinstance(e.get("resource"), dict)
                  and "id" in e["resource"]]
    except (ValueError, KeyError, TypeError):
        return _answer(start_response, "400 Bad Request", {"error": "not a v2 webhook payload (events[])"})
    enqueued = 0
    for event in events:
        event_type = str(event.get("eventType", ""))
        enqueued += pipeline.ingest(make_event(
            subscription.account, str(event.get("resourceType") or payload.get("resourceType", "")),
            event_type[:1].upper() + event_type[1:], event["resource"],
            int(event.get("timestamp") or payload.get("timestamp") or 0)))
    return _answer(start_response, "200 OK", {"events": len(events), "enqueued": enqueued})


def _answer(start_response: StartResponse, status: str, payload: dict) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
