"""v2 webhooks in the simulator: `/webhooks` (one account's store) and the signed sends.

A webhook fires when, after it was created, one of its account's calls or texts made through
the API finishes (OutboundCall / OutboundText Finished) or a broadcast changes status (CallBroadcast /
TextBroadcast Started, Stopped, Finished). The simulator receives no inbound calls or texts, so
InboundCall / InboundText never fire. Changes are found by a background sender that settles the
accounts having webhooks every TICK_SECONDS of wall time (calls progress on their own even on a
frozen clock's /__sim/advance) and compares with what it saw last: a status set and reset between
two ticks is not seen. Each webhook gets one POST per tick holding all its events (`events[]`,
v2-contract §5.3), signed with `X-CallFire-Signature` = Base64 HMAC-SHA1 of the raw body keyed
with the webhook's secret, and retried SEND_ATTEMPTS times at most (then dropped, as CallFire
documents no more).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from bridge.sim.broadcasts import KINDS, BroadcastQuery
from bridge.sim.errors import bad_request, not_found
from bridge.sim.validate import BOOL, INT, SHAPES, STR, check_object
from bridge.sim.vocab import TERMINAL_STATES

if TYPE_CHECKING:
    from bridge.sim.app import Request, Simulator
    from bridge.sim.state import Account

# GET /webhooks/resources: the resources and events of the spec's createWebhook description.
RESOURCES: dict[str, tuple[str, ...]] = {
    "CccCampaign": ("Started", "Stopped", "Finished"),
    "CallBroadcast": ("Started", "Stopped", "Finished"),
    "TextBroadcast": ("Started", "Stopped", "Finished"),
    "OutboundCall": ("Finished",),
    "InboundCall": ("Finished",),
    "OutboundText": ("Finished",),
    "InboundText": ("Finished",),
    "ContactList": ("ValidationFinished", "ValidationFailed"),
    "MonthlyRenewal": ("Failed", "Finished"),
    "LowBalance": ("Failed", "Finished"),
}
WEBHOOK_SHAPE = {"callback": STR, "createdAt": INT, "enabled": BOOL, "events": [STR], "expiresAt": INT,
                 "fields": STR, "id": INT, "name": STR, "nonStrictSsl": BOOL, "resource": STR,
                 "secret": STR, "singleUse": BOOL, "updatedAt": INT}
SHAPES["Webhook"] = WEBHOOK_SHAPE
READ_ONLY = ("id", "createdAt", "updatedAt")
BROADCAST_RESOURCES = {"calls": "CallBroadcast", "texts": "TextBroadcast"}
STATUS_EVENTS = {"RUNNING": "Started", "STOPPED": "Stopped", "FINISHED": "Finished"}
TICK_SECONDS = 0.2
SEND_ATTEMPTS = 3
SEND_TIMEOUT = 5.0
BACKOFF_SECONDS = (0.2, 1.0)        # before the 2nd and 3rd attempts
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    resource_type: str
    event_type: str
    resource: dict
    timestamp: int


@dataclass(frozen=True)
class Send:
    """One signed POST to a webhook's callback."""
    callback: str
    body: bytes
    headers: dict[str, str]


def signature(secret: str, body: bytes) -> str:
    """X-CallFire-Signature: Base64 of HMAC-SHA1(secret, raw body) (CallFire's verifier sample)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()


class Webhooks:
    """One account's webhooks, and what its sender saw last (so only later changes fire)."""

    def __init__(self) -> None:
        self._by_id: dict[int, dict] = {}
        self._next_id = 1
        self._finished: set[tuple[str, int]] = set()     # (kind, action id) already terminal
        self._statuses: dict[tuple[str, int], str] = {}  # (kind, broadcast id) -> last status seen

    # ---- the endpoints -------------------------------------------------------------------
    def find(self, request: Request) -> dict:
        """A WebhookPage, oldest first; filters name (substring), resource, event, callback, enabled."""
        name, resource = request.single("name"), request.single("resource")
        event, callback, enabled = request.single("event"), request.single("callback"), request.boolean("enabled")
        found = [w for w in self._by_id.values()
                 if (name is None or name.lower() in w.get("name", "").lower())
                 and (resource is None or w["resource"].lower() == resource.lower())
                 and (event is None or event.lower() in (e.lower() for e in w["events"]))
                 and (callback is None or w["callback"] == callback)
                 and (enabled is None or w["enabled"] is enabled)]
        limit, offset = request.paging(100)
        return {"items": found[offset:offset + limit], "limit": limit, "offset": offset, "totalCount": len(found)}

    def get(self, webhook_id: int) -> dict:
        if webhook_id not in self._by_id:
            raise not_found(f"webhook {webhook_id} not found")
        return self._by_id[webhook_id]

    def create(self, body: object, now: int) -> int:
        settings = _checked(body)
        webhook_id, self._next_id = self._next_id, self._next_id + 1
        self._by_id[webhook_id] = {"id": webhook_id, "enabled": True, **settings, "createdAt": now, "updatedAt": now}
        return webhook_id

    def update(self, webhook_id: int, body: object, now: int) -> None:
        """PUT: the fields sent replace the stored ones; the result must still be a valid webhook."""
        webhook = self.get(webhook_id)
        settings = _checked({**{k: v for k, v in webhook.items() if k not in READ_ONLY},
                             **{k: v for k, v in check_object(body, "Webhook").items() if k not in READ_ONLY}})
        webhook.update(settings, updatedAt=now)

    def delete(self, webhook_id: int) -> None:
        self.get(webhook_id)
        del self._by_id[webhook_id]

    # ---- the sends -------------------------------------------------------------------------
    def __bool__(self) -> bool:
        return bool(self._by_id)

    def watch(self, account: Account, first_new_action: int, now: int) -> None:
        """Before a webhook is added: with none yet, what happened so far is taken as seen (the sender
        does not look at an account without webhooks, so it never fires later)."""
        if not self._by_id:
            list(self._changes(account, first_new_action, now))

    def collect(self, account: Account, first_new_action: int, now: int) -> list[Send]:
        """The POSTs due for what changed since the last call."""
        events = list(self._changes(account, first_new_action, now))
        sends = []
        for webhook in list(self._by_id.values()):
            mine = [e for e in events if _fires(webhook, e, now)]
            if mine:
                sends.append(_send(webhook, mine, now))
                if webhook.get("singleUse"):
                    del self._by_id[webhook["id"]]
        return sends

    def _changes(self, account: Account, first_new_action: int, now: int) -> Iterable[Event]:
        for kind in KINDS:
            resource_type = "OutboundCall" if kind == "calls" else "OutboundText"
            # Seeded calls and texts never change: only the ones made through the API are looked at.
            for action in reversed(account.store(kind).values()):
                if action["id"] < first_new_action:
                    break
                key = (kind, action["id"])
                if action["state"] in TERMINAL_STATES and key not in self._finished:
                    self._finished.add(key)
                    inbound = resource_type.replace("Outbound", "Inbound")
                    yield Event(inbound if action.get("inbound") else resource_type, "Finished", action,
                                action.get("modified", now))
            broadcasts = account.broadcasts.find(kind, BroadcastQuery(), limit=1_000_000, offset=0)["items"]
            for broadcast in broadcasts:
                key = (kind, broadcast["id"])
                status, seen = broadcast["status"], self._statuses.get(key)
                self._statuses[key] = status
                if status != seen and status in STATUS_EVENTS:
                    yield Event(BROADCAST_RESOURCES[kind], STATUS_EVENTS[status], broadcast,
                                broadcast.get("lastModified", now))


def _checked(body: object) -> dict:
    """A Webhook body: resource and events it supports (any case; stored capitalized), an http(s) callback."""
    body = check_object(body, "Webhook")
    resource = next((r for r in RESOURCES if r.lower() == str(body.get("resource", "")).lower()), None)
    if resource is None:
        raise bad_request(f"resource: {body.get('resource')!r} is not one of {', '.join(RESOURCES)}")
    supported = {e.lower(): e for e in RESOURCES[resource]}
    events = body.get("events") or []
    if not events:
        raise bad_request("events: at least one event is required")
    unknown = [e for e in events if e.lower() not in supported]
    if unknown:
        raise bad_request(f"events: {', '.join(unknown)} not supported by {resource} "
                          f"(supported: {', '.join(RESOURCES[resource])})")
    callback = body.get("callback", "")
    if urlsplit(callback).scheme not in ("http", "https") or not urlsplit(callback).hostname:
        raise bad_request(f"callback: {callback!r} is not an http or https URL")
    settings = {k: v for k, v in body.items() if k not in READ_ONLY}
    settings.update(resource=resource, events=list(dict.fromkeys(supported[e.lower()] for e in events)))
    return settings


def _fires(webhook: dict, event: Event, now: int) -> bool:
    expires = webhook.get("expiresAt")
    return (webhook["enabled"] and webhook["resource"] == event.resource_type
            and event.event_type in webhook["events"] and (expires is None or now < expires))


def _send(webhook: dict, events: list[Event], now: int) -> Send:
    """The §5.3 payload of `events` for `webhook`, signed when it has a secret."""
    payload = {"timestamp": now, "webhookId": webhook["id"], "resourceType": webhook["resource"],
               "events": [{"timestamp": e.timestamp, "webhookId": webhook["id"], "resourceType": e.resource_type,
                           "eventType": e.event_type, "resource": e.resource} for e in events]}
    if webhook.get("name"):
        payload["webhookName"] = webhook["name"]
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if webhook.get("secret"):
        headers["X-CallFire-Signature"] = signature(webhook["secret"], body)
    return Send(webhook["callback"], body, headers)


class Sender:
    """The background thread that finds changes and POSTs them; started with the first webhook."""

    def __init__(self, simulator: Simulator, first_new_action: int) -> None:
        self._sim = simulator
        self.first_new_action = first_new_action
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def ensure_running(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sim-webhooks", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        with httpx.Client(timeout=SEND_TIMEOUT) as client:
            while True:
                for send in self.tick():
                    deliver(client, send)
                time.sleep(TICK_SECONDS)

    def tick(self) -> list[Send]:
        """Settle every account with webhooks and collect what it must send (under the lock)."""
        with self._sim.lock:
            now = self._sim.clock.now_ms()
            sends: list[Send] = []
            for account in self._sim.accounts:
                if account.webhooks:
                    account.settle(now)
                    sends.extend(account.webhooks.collect(account, self.first_new_action, now))
            return sends


def deliver(client: httpx.Client, send: Send) -> bool:
    """POST `send`, retried on a connection error or a non-2xx answer; False when given up."""
    for attempt in range(SEND_ATTEMPTS):
        if attempt:
            time.sleep(BACKOFF_SECONDS[attempt - 1])
        try:
            if client.post(send.callback, content=send.body, headers=send.headers).is_success:
                return True
        except httpx.HTTPError as exc:
            log.info("webhook POST to %s failed: %s", send.callback, exc)
    log.warning("webhook POST to %s dropped after %d attempts", send.callback, SEND_ATTEMPTS)
    return False


# ---- handlers, wired into Simulator by bridge/sim/app.py -----------------------------------------

def find_webhooks(sim: Simulator, request: Request) -> tuple[int, object]:
    return 200, request.account.webhooks.find(request)


def create_webhook(sim: Simulator, request: Request) -> tuple[int, object]:
    now, body = sim.clock.now_ms(), request.json()
    request.account.webhooks.watch(request.account, sim.webhook_sender.first_new_action, now)
    webhook_id = request.account.webhooks.create(body, now)
    sim.webhook_sender.ensure_running()
    return 201, {"id": webhook_id}


def get_webhook(sim: Simulator, request: Request) -> tuple[int, object]:
    return 200, request.account.webhooks.get(request.path_id)


def update_webhook(sim: Simulator, request: Request) -> tuple[int, object]:
    request.account.webhooks.update(request.path_id, request.json(), sim.clock.now_ms())
    return 200, None


def delete_webhook(sim: Simulator, request: Request) -> tuple[int, object]:
    request.account.webhooks.delete(request.path_id)
    return 204, None


def webhook_resources(sim: Simulator, request: Request) -> tuple[int, object]:
    return 200, {"items": [{"resource": r, "supportedEvents": list(e)} for r, e in RESOURCES.items()]}


def webhook_resource(sim: Simulator, request: Request) -> tuple[int, object]:
    resource = next((r for r in RESOURCES if r.lower() == request.name.lower()), None)
    if resource is None:
        raise not_found(f"webhook resource {request.name!r} not found")
    return 200, {"resource": resource, "supportedEvents": list(RESOURCES[resource])}
