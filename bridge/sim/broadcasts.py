"""One account's call and text broadcasts: settings, batches, schedules, lifecycle, statistics.

Status lifecycle (a subset of v2's BroadcastStatus; see README.md):

- created: SETUP, or RUNNING with start=true;
- /start: RUNNING (from SETUP or STOPPED; a FINISHED broadcast only if it has READY actions
  again, e.g. a batch added after it finished);
- /stop: STOPPED (READY actions wait; calls already SELECTED still finish);
- /archive: ARCHIVED, final: hidden from the finders, and every other change is a 400;
- a RUNNING broadcast whose every action is done: FINISHED.

A READY action goes only while its broadcast is RUNNING and its batch is enabled. Schedules are
stored (ids assigned), never enacted: nothing starts or stops by the clock.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridge.sim.errors import bad_request, not_found
from bridge.sim.progress import advance_call, advance_text
from bridge.sim.seed import FIRST_NEW_BROADCAST_ID, SHORT_CODE, Seed, SeedBroadcast
from bridge.sim.stats import call_stats, text_stats
from bridge.sim.validate import (check_batch_request, check_call_broadcast, check_object,
                                 check_recipients, check_strict, check_text_broadcast)
from bridge.sim.vocab import TERMINAL_STATES, nanp_e164, sms_sender

if TYPE_CHECKING:
    from bridge.sim.state import Account

KINDS = ("calls", "texts")
NAMES = {"calls": "call broadcast", "texts": "text broadcast"}
DEFINITIONS = {"calls": "CallBroadcast", "texts": "TextBroadcast"}
READ_ONLY = ("id", "status", "lastModified", "recipients")   # in a body, but never stored as sent
_ADVANCE = {"calls": advance_call, "texts": advance_text}
_SENDER: dict[str, Callable[[str], str | None]] = {"calls": nanp_e164, "texts": sms_sender}
# POST /texts without campaignId: the account's default text broadcast, made on first use and sent
# from CallFire's shared short code (the spec: "by default texts are sent from ... 67076").
DEFAULT_TEXT_BROADCAST = {"name": "Default text broadcast", "fromNumber": SHORT_CODE,
                          "bigMessageStrategy": "SEND_MULTIPLE"}


@dataclass
class Broadcast:
    kind: str                   # "calls" | "texts"
    wire: dict                  # what GET answers: CallBroadcast / TextBroadcast, no recipients
    created: int                # finder order and intervalBegin/End (not a v2 field)
    action_ids: list[int]       # its calls or texts, oldest first
    api_batch_id: int | None = None   # the batch of recipients sent without POST .../batches

    @classmethod
    def from_seed(cls, seed: SeedBroadcast) -> Broadcast:
        return cls(seed.kind, copy.deepcopy(seed.wire), seed.created, list(seed.action_ids))

    @property
    def id(self) -> int:
        return self.wire["id"]

    @property
    def status(self) -> str:
        return self.wire["status"]


@dataclass(frozen=True)
class BroadcastQuery:
    """The filters of GET /calls/broadcasts and /texts/broadcasts."""

    name: str | None = None           # case-insensitive substring (CallFire does not say)
    label: str | None = None
    running: bool | None = None
    scheduled: bool | None = None     # has schedules (they are not enacted)
    interval_begin: int | None = None  # on the broadcast's creation time, inclusive
    interval_end: int | None = None

    def matches(self, broadcast: Broadcast) -> bool:
        wire = broadcast.wire
        checks = (
            (self.name, lambda v: v.lower() in wire.get("name", "").lower()),
            (self.label, lambda v: v in wire.get("labels", ())),
            (self.running, lambda v: (wire["status"] == "RUNNING") is v),
            (self.scheduled, lambda v: bool(wire.get("schedules")) is v),
            (self.interval_begin, lambda v: broadcast.created >= v),
            (self.interval_end, lambda v: broadcast.created <= v),
        )
        return all(wanted is None or test(wanted) for wanted, test in checks)


class Broadcasts:
    """Every broadcast and batch of one account, and the progress of the actions it created."""

    def __init__(self, account: Account, seed: Seed) -> None:
        self._account = account
        self._by_id = {i: Broadcast.from_seed(b) for i, b in seed.broadcasts.items()}
        self._batches = {i: dict(b) for i, b in seed.batches.items()}
        self._next_id = FIRST_NEW_BROADCAST_ID
        # Actions this account created that may still change: id -> the time they were let go
        # (None: held, because their broadcast is not running or their batch is disabled).
        # Seeded actions never change, so they are never here.
        self._live: dict[str, dict[int, int | None]] = {kind: {} for kind in KINDS}
        self._dirty: set[int] = set()     # broadcasts that may just have finished
        self._default_text_id: int | None = None

    # ---- queries -------------------------------------------------------------------------
    def get(self, kind: str, broadcast_id: int) -> Broadcast:
        broadcast = self._by_id.get(broadcast_id)
        if broadcast is None or broadcast.kind != kind:
            raise not_found(f"{NAMES[kind]} {broadcast_id} not found")
        return broadcast

    def find(self, kind: str, query: BroadcastQuery, limit: int, offset: int) -> dict:
        """Newest first; archived broadcasts are hidden, as CallFire documents."""
        found = sorted((b for b in self._by_id.values() if b.kind == kind and
                        b.status != "ARCHIVED" and query.matches(b)),
                       key=lambda b: (b.created, b.id), reverse=True)
        return page([b.wire for b in found], limit, offset)

    def actions(self, kind: str, broadcast_id: int, batch_id: int | None, limit: int,
                offset: int) -> dict:
        """GET .../calls or .../texts: a CallPage/TextPage, newest first."""
        mine = [a for a in reversed(self._actions(self.get(kind, broadcast_id)))
                if batch_id is None or a.get("batchId") == batch_id]
        return page(mine, limit, offset)

    def stats(self, kind: str, broadcast_id: int, begin: int | None, end: int | None) -> dict:
        """CallBroadcastStats / TextBroadcastStatsDto of the actions created in [begin, end]."""
        actions = [a for a in self._actions(self.get(kind, broadcast_id))
                   if (begin is None or a["created"] >= begin) and
                   (end is None or a["created"] <= end)]
        return call_stats(actions) if kind == "calls" else text_stats(actions)

    def batches(self, kind: str, broadcast_id: int, limit: int, offset: int) -> dict:
        """A BatchPage, oldest first (the order of CallFire's own sample)."""
        broadcast = self.get(kind, broadcast_id)
        mine = [self._batch_wire(b) for b in self._batches.values()
                if b["broadcastId"] == broadcast.id]
        return page(mine, limit, offset)

    def batch(self, batch_id: int) -> dict:
        return self._batch_wire(self._batch(batch_id))

    # ---- commands ------------------------------------------------------------------------
    def create(self, kind: str, body: object, start: bool, strict: bool, now: int) -> int:
        """POST /{kind}/broadcasts: store the broadcast and one action per recipient."""
        body = self._check(kind, body)
        recipients = body.get("recipients", [])
        if strict:                                  # all or nothing: check before creating
            check_strict(recipients)
        broadcast_id = self._take_id()
        wire = {"id": broadcast_id, "name": body.get("name"),
                "status": "RUNNING" if start else "SETUP", "lastModified": now,
                **self._settings(broadcast_id, body, existing=[])}
        if kind == "calls" and "dialplanXml" not in body:
            wire.setdefault("answeringMachineConfig", "AM_AND_LIVE")
        if kind == "texts":
            wire.setdefault("bigMessageStrategy", "SEND_MULTIPLE")   # CallFire's default
        broadcast = Broadcast(kind, {k: v for k, v in wire.items() if v is not None}, now, [])
        self._by_id[broadcast_id] = broadcast
        if recipients:
            self._add(broadcast, recipients, self._api_batch(broadcast, now), now)
        return broadcast_id

    def update(self, kind: str, broadcast_id: int, body: object, strict: bool,
               now: int) -> None:
        """PUT: the fields sent replace the stored ones (nested objects whole); others stay.

        Recipients in the body are added, like POST .../recipients.
        """
        broadcast = self._writable(kind, broadcast_id)
        body = check_object(body, DEFINITIONS[kind])
        self._check(kind, {**broadcast.wire, **body})    # the result must still be valid
        recipients = body.get("recipients", [])
        if strict:
            check_strict(recipients)
        broadcast.wire.update(self._settings(broadcast.id, body,
                                             existing=broadcast.wire.get("schedules", [])),
                              lastModified=now)
        if recipients:
            self._add(broadcast, recipients, self._api_batch(broadcast, now), now)

    def start(self, kind: str, broadcast_id: int, now: int) -> None:
        broadcast = self._writable(kind, broadcast_id)
        if broadcast.status == "RUNNING" or (broadcast.status == "FINISHED" and not any(
                a["state"] == "READY" for a in self._actions(broadcast))):
            return
        self._set_status(broadcast, "RUNNING", now)

    def stop(self, kind: str, broadcast_id: int, now: int) -> None:
        broadcast = self._writable(kind, broadcast_id)
        if broadcast.status not in ("STOPPED", "FINISHED"):
            self._set_status(broadcast, "STOPPED", now)

    def archive(self, kind: str, broadcast_id: int, now: int) -> None:
        broadcast = self.get(kind, broadcast_id)
        if broadcast.status != "ARCHIVED":
            self._set_status(broadcast, "ARCHIVED", now)

    def add_batch(self, kind: str, broadcast_id: int, body: object, strict: bool,
                  now: int) -> int:
        """POST .../batches: a new enabled batch; its recipients become READY actions."""
        broadcast = self._writable(kind, broadcast_id)
        body = check_batch_request(kind, body, self._account.contacts)
        recipients = body.get("recipients") or self._list_recipients(kind, body["contactListId"])
        if strict:
            check_strict(recipients)
        if body.get("scrubDuplicates"):
            recipients = self._without_duplicates(broadcast, recipients)
        batch_id = self._new_batch(broadcast, body.get("name") or f"API {broadcast.id}", now)
        self._add(broadcast, recipients, batch_id, now)
        return batch_id

    def _list_recipients(self, kind: str, list_id: int) -> list[dict]:
        """A batch from a contact list: each member that has a number to call or text (in list order)."""
        return [{"contactId": member} for member in self._account.contact_book.members(list_id)
                if self._account.reachable(member, kind)]

    def add_recipients(self, kind: str, broadcast_id: int, body: object, strict: bool,
                       now: int) -> dict:
        """POST .../recipients: a CallList/TextList of the new actions (in the API batch)."""
        broadcast = self._writable(kind, broadcast_id)
        recipients = check_recipients(kind, body, self._account.contacts, path="body")
        if strict:
            check_strict(recipients, path="body")
        if not recipients:
            return {"items": []}
        return {"items": self._add(broadcast, recipients, self._api_batch(broadcast, now), now)}

    def send_texts(self, body: object, campaign_id: int | None, default_message: str | None,
                   strict: bool, now: int) -> dict:
        """POST /texts: a TextList of the new texts, sent through text broadcast `campaign_id`
        (else the default one) in its API batch; the broadcast is started if it is not running."""
        recipients = check_recipients("texts", body, self._account.contacts, path="body")
        if strict:
            check_strict(recipients, path="body")
        chosen = self._writable("texts", campaign_id) if campaign_id is not None else None
        # A text's message: its own, else defaultMessage, else its broadcast's.
        fallback = default_message or (chosen and (chosen.wire.get("message") or chosen.wire.get("media")))
        for i, recipient in enumerate(recipients):
            if not (recipient.get("message") or recipient.get("media") or fallback):
                raise bad_request(f"body[{i}].message: a text needs a message (or defaultMessage)")
        broadcast = chosen or self._default_texts(now)
        if not recipients:
            return {"items": []}
        if default_message:
            recipients = [r if r.get("message") or r.get("media") else {**r, "message": default_message}
                          for r in recipients]
        sent = self._add(broadcast, recipients, self._api_batch(broadcast, now), now)
        self.start("texts", broadcast.id, now)
        return {"items": sent}

    def update_batch(self, batch_id: int, body: object, now: int) -> None:
        """PUT /campaigns/batches/{id}: only `enabled` changes (CallFire: "on/off")."""
        batch = self._batch(batch_id)
        body = check_object(body, "Batch")
        if "enabled" in body and body["enabled"] != batch["enabled"]:
            batch["enabled"] = body["enabled"]
            self._refresh(self._by_id[batch["broadcastId"]], now)

    def settle(self, now: int) -> None:
        """Apply every action transition due by `now`; finish broadcasts whose actions are done."""
        for kind, live in self._live.items():
            store = self._account.store(kind)
            for action_id, started in list(live.items()):
                if started is None:
                    continue
                action = store[action_id]
                broadcast = self._by_id[action["campaignId"]]
                if _ADVANCE[kind](action, started, now, self._account.peek("record"),
                                  broadcast.wire):
                    self._account.take("record")
                if action["state"] in TERMINAL_STATES:
                    del live[action_id]
                    self._dirty.add(broadcast.id)
        for broadcast_id in sorted(self._dirty):
            broadcast = self._by_id[broadcast_id]
            actions = self._actions(broadcast)
            if broadcast.status == "RUNNING" and actions and \
                    all(a["state"] in TERMINAL_STATES for a in actions):
                broadcast.wire.update(status="FINISHED", lastModified=max(
                    broadcast.wire["lastModified"], *(a["modified"] for a in actions)))
        self._dirty.clear()

    # ---- helpers -------------------------------------------------------------------------
    def _check(self, kind: str, body: object) -> dict:
        if kind == "calls":
            return check_call_broadcast(body, self._account.sounds, self._account.contacts)
        return check_text_broadcast(body, self._account.contacts)

    def _writable(self, kind: str, broadcast_id: int) -> Broadcast:
        broadcast = self.get(kind, broadcast_id)
        if broadcast.status == "ARCHIVED":
            raise bad_request(f"id: {NAMES[kind]} {broadcast_id} is archived")
        return broadcast

    def _settings(self, broadcast_id: int, body: dict, existing: list[dict]) -> dict:
        """The stored form of a body's writable fields."""
        settings = {k: copy.deepcopy(v) for k, v in body.items() if k not in READ_ONLY}
        if "labels" in settings:                   # a set in v2 (uniqueItems)
            settings["labels"] = list(dict.fromkeys(settings["labels"]))
        if "schedules" in settings:
            settings["schedules"] = self._schedules(broadcast_id, settings["schedules"], existing)
        return settings

    def _schedules(self, broadcast_id: int, given: list[dict],
                   existing: list[dict]) -> list[dict]:
        """A schedule keeps its id if the broadcast has it; any other gets a new id."""
        unused = {s["id"] for s in existing}
        stored = []
        for schedule in given:
            schedule_id = schedule.get("id")
            if schedule_id in unused:
                unused.discard(schedule_id)
            else:
                schedule_id = self._account.take("schedule")
            rest = {k: v for k, v in schedule.items() if k not in ("id", "campaignId")}
            stored.append({"id": schedule_id, "campaignId": broadcast_id, **rest})
        return stored

    def _set_status(self, broadcast: Broadcast, status: str, now: int) -> None:
        broadcast.wire.update(status=status, lastModified=now)
        self._refresh(broadcast, now)
        self._dirty.add(broadcast.id)
        self.settle(now)            # a broadcast started with nothing left to do finishes now

    def _refresh(self, broadcast: Broadcast, now: int) -> None:
        """Let go the READY actions that may now go; hold those that may not."""
        live = self._live[broadcast.kind]
        running = broadcast.status == "RUNNING"
        for action in self._actions(broadcast):
            if action["id"] not in live or action["state"] != "READY":
                continue
            if running and self._batches[action["batchId"]]["enabled"]:
                if live[action["id"]] is None:
                    live[action["id"]] = now
            else:
                live[action["id"]] = None

    def _add(self, broadcast: Broadcast, recipients: list[dict], batch_id: int,
             now: int) -> list[dict]:
        """One new call/text per recipient, in batch `batch_id`; returns them."""
        kind, wire = broadcast.kind, broadcast.wire
        store = self._account.store(kind)
        created = []
        for recipient in recipients:
            to_number, contact = self._account.resolve(recipient, kind)
            action: dict = {"id": self._account.take("action")}
            from_number = recipient.get("fromNumber") or wire.get("fromNumber")
            if from_number:
                action["fromNumber"] = _SENDER[kind](from_number)
            action.update(toNumber=to_number, state="READY" if contact else "INVALID",
                          campaignId=broadcast.id, batchId=batch_id)
            if contact:
                action["contact"] = contact
            if wire.get("labels"):
                action["labels"] = list(wire["labels"])
            if recipient.get("attributes"):
                action["attributes"] = dict(recipient["attributes"])
            action.update(inbound=False, created=now, modified=now)
            if kind == "calls":
                action["agentCall"] = False
            else:
                for key in ("message", "media"):    # the recipient's own, else the broadcast's
                    value = recipient.get(key) or wire.get(key)
                    if value:
                        action[key] = copy.deepcopy(value)
            store[action["id"]] = action
            broadcast.action_ids.append(action["id"])
            if action["state"] == "READY":
                self._live[kind][action["id"]] = None
            created.append(action)
        self._refresh(broadcast, now)
        self._dirty.add(broadcast.id)
        self.settle(now)
        return created

    def _default_texts(self, now: int) -> Broadcast:
        if self._default_text_id is None:
            self._default_text_id = self._take_id()
            wire = {"id": self._default_text_id, **DEFAULT_TEXT_BROADCAST, "status": "RUNNING",
                    "lastModified": now}
            self._by_id[self._default_text_id] = Broadcast("texts", wire, now, [])
        return self._by_id[self._default_text_id]

    def _without_duplicates(self, broadcast: Broadcast, recipients: list[dict]) -> list[dict]:
        """scrubDuplicates: drop recipients whose number the broadcast (or batch) already has."""
        seen = {a["toNumber"] for a in self._actions(broadcast)}
        kept = []
        for recipient in recipients:
            number = self._account.number_for(recipient, broadcast.kind)
            if number not in seen:
                seen.add(number)
                kept.append(recipient)
        return kept

    def _api_batch(self, broadcast: Broadcast, now: int) -> int:
        # CallFire's sample: broadcast 14's batch of API-sent recipients is named "API 14".
        if broadcast.api_batch_id is None:
            broadcast.api_batch_id = self._new_batch(broadcast, f"API {broadcast.id}", now)
        return broadcast.api_batch_id

    def _new_batch(self, broadcast: Broadcast, name: str, now: int) -> int:
        batch_id = self._account.take("batch")
        self._batches[batch_id] = {"id": batch_id, "name": name, "broadcastId": broadcast.id,
                                   "created": now, "enabled": True}
        return batch_id

    def _batch(self, batch_id: int) -> dict:
        if batch_id not in self._batches:
            raise not_found(f"batch {batch_id} not found")
        return self._batches[batch_id]

    def _batch_wire(self, batch: dict) -> dict:
        """A Batch; status ERRORS when some recipient was invalid (validation errors)."""
        mine = [a for a in self._actions(self._by_id[batch["broadcastId"]])
                if a.get("batchId") == batch["id"]]
        return {"id": batch["id"], "name": batch["name"],
                "status": "ERRORS" if any(a["state"] == "INVALID" for a in mine) else "ACTIVE",
                "broadcastId": batch["broadcastId"], "created": batch["created"],
                "size": len(mine), "remaining": sum(a["state"] == "READY" for a in mine),
                "enabled": batch["enabled"]}

    def _actions(self, broadcast: Broadcast) -> list[dict]:
        store = self._account.store(broadcast.kind)
        return [store[i] for i in broadcast.action_ids]

    def _take_id(self) -> int:
        while self._next_id in self._by_id:        # skip ids the seed uses
            self._next_id += 1
        self._next_id += 1
        return self._next_id - 1


def page(items: list[dict], limit: int, offset: int) -> dict:
    """A v2 Page of `items` (already filtered and ordered)."""
    return {"items": items[offset:offset + limit], "limit": limit, "offset": offset,
            "totalCount": len(items)}
