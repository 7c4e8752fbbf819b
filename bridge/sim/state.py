"""Per-login accounts: the in-memory store behind every v2 endpoint.

Not thread-safe by itself: the Simulator holds one lock around every use. Seeded objects are
shared by all accounts and never mutated; only objects an account creates itself change.
"""
from __future__ import annotations

import copy
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from bridge.sim.errors import SimError, bad_request, not_found
from bridge.sim.progress import advance_call
from bridge.sim.seed import FIRST_NEW_BROADCAST_ID, PHONE_FIELDS, SOUND_IDS, Seed
from bridge.sim.validate import check_call_broadcast
from bridge.sim.vocab import TERMINAL_STATES, nanp_e164

MAX_LOGGED_REQUESTS = 10_000


@dataclass(frozen=True)
class ActionQuery:
    """The filters of GET /calls and GET /texts (ids, when given, override all the others)."""

    ids: frozenset[int] = frozenset()
    campaign_id: int | None = None      # 0: actions sent without a campaign (POST /calls)
    batch_id: int | None = None
    from_number: str | None = None
    to_number: str | None = None
    label: str | None = None
    states: frozenset[str] = frozenset()
    results: frozenset[str] = frozenset()
    inbound: bool | None = None
    interval_begin: int | None = None
    interval_end: int | None = None

    def matches(self, action: dict, result_field: str) -> bool:
        if self.ids:
            return action["id"] in self.ids
        checks = (
            (self.campaign_id, lambda v: action.get("campaignId", 0) == v),
            (self.batch_id, lambda v: action.get("batchId") == v),
            (self.from_number, lambda v: action.get("fromNumber") == v),
            (self.to_number, lambda v: action.get("toNumber") == v),
            (self.label, lambda v: v in action.get("labels", ())),
            (self.states or None, lambda v: action["state"] in v),
            (self.results or None, lambda v: action.get(result_field) in v),
            (self.inbound, lambda v: action.get("inbound") is v),
            (self.interval_begin, lambda v: action["created"] >= v),
            (self.interval_end, lambda v: action["created"] <= v),
        )
        return all(wanted is None or test(wanted) for wanted, test in checks)


class Account:
    """One login's data: the shared seed plus what this login created."""

    def __init__(self, login: str, seed: Seed) -> None:
        self.login = login
        self.contacts = dict(seed.contacts)
        self.calls = dict(seed.calls)            # insertion order = ascending (created, id)
        self.texts = dict(seed.texts)
        self.broadcasts = copy.deepcopy(seed.broadcasts)
        self.phone_index = dict(seed.phone_index)
        self.requests: deque[dict] = deque(maxlen=MAX_LOGGED_REQUESTS)
        self._next = dict(seed.first_free, broadcast=FIRST_NEW_BROADCAST_ID)
        self._taken_broadcast_ids = set(self.broadcasts) | \
            {a["campaignId"] for a in [*self.calls.values(), *self.texts.values()]
             if "campaignId" in a}
        # Calls this account created that may still change: id -> start time (None: on hold),
        # and the calls of each broadcast it created that has not finished yet.
        self._live: dict[int, int | None] = {}
        self._unfinished: dict[int, list[int]] = {}

    # ---- queries -------------------------------------------------------------------------
    def find(self, kind: str, query: ActionQuery, limit: int, offset: int) -> dict:
        """A CallPage/TextPage, newest first (created desc, then id desc)."""
        store, result_field = (self.calls, "finalCallResult") if kind == "calls" else \
            (self.texts, "finalTextResult")
        matched = [a for a in _newest_first(store) if query.matches(a, result_field)]
        return _page(matched, limit, offset)

    def get(self, kind: str, action_id: int) -> dict:
        store = self.calls if kind == "calls" else self.texts
        if action_id not in store:
            raise not_found(f"{kind[:-1]} {action_id} not found")
        return store[action_id]

    def contact(self, contact_id: int) -> dict:
        if contact_id not in self.contacts:
            raise not_found(f"contact {contact_id} not found")
        return self.contacts[contact_id]

    def contact_history(self, contact_id: int, limit: int, offset: int) -> dict:
        self.contact(contact_id)

        def window(store: dict[int, dict]) -> list[dict]:
            mine = (a for a in _newest_first(store) if a.get("contact", {}).get("id") == contact_id)
            return [a for i, a in enumerate(mine) if offset <= i < offset + limit]

        return {"id": contact_id, "calls": window(self.calls), "texts": window(self.texts)}

    def broadcast(self, broadcast_id: int) -> dict:
        if broadcast_id not in self.broadcasts:
            raise not_found(f"call broadcast {broadcast_id} not found")
        return self.broadcasts[broadcast_id]

    def broadcast_calls(self, broadcast_id: int, batch_id: int | None, limit: int,
                        offset: int) -> dict:
        self.broadcast(broadcast_id)
        return self.find("calls", ActionQuery(campaign_id=broadcast_id, batch_id=batch_id),
                         limit, offset)

    # ---- commands ------------------------------------------------------------------------
    def create_call_broadcast(self, body: object, start: bool, strict: bool, now: int) -> int:
        """POST /calls/broadcasts: store the broadcast and one call per recipient."""
        body = check_call_broadcast(body, SOUND_IDS, self.contacts)
        if strict:                                 # all or nothing: check before creating
            for i, recipient in enumerate(body.get("recipients", ())):
                if "phoneNumber" in recipient and nanp_e164(recipient["phoneNumber"]) is None:
                    raise bad_request(f"recipients[{i}].phoneNumber: "
                                      f"{recipient['phoneNumber']!r} is not a valid phone number")
        recipients = [self._resolve(r) for r in body.get("recipients", ())]
        broadcast_id = self._next_broadcast_id()
        stored = {"id": broadcast_id, "name": body.get("name"),
                  "status": "RUNNING" if start else "SETUP", "lastModified": now}
        stored.update((k, copy.deepcopy(v)) for k, v in body.items()
                      if k not in ("id", "name", "status", "lastModified", "recipients"))
        if "dialplanXml" not in body:
            stored.setdefault("answeringMachineConfig", "AM_AND_LIVE")
        self.broadcasts[broadcast_id] = {k: v for k, v in stored.items() if v is not None}
        call_ids = self._unfinished[broadcast_id] = []
        batch_id = self._take("batch") if recipients else None
        for recipient, (to_number, contact_ref) in zip(body.get("recipients", ()), recipients):
            call_id = self._take("action")
            call = {"id": call_id}
            from_number = recipient.get("fromNumber") or body.get("fromNumber")
            if from_number:
                call["fromNumber"] = nanp_e164(from_number)
            call.update(toNumber=to_number, state="READY" if contact_ref else "INVALID",
                        campaignId=broadcast_id, batchId=batch_id)
            if contact_ref:
                call["contact"] = contact_ref
            if body.get("labels"):
                call["labels"] = list(body["labels"])
            if recipient.get("attributes"):
                call["attributes"] = dict(recipient["attributes"])
            call.update(inbound=False, created=now, modified=now, agentCall=False)
            self.calls[call_id] = call
            call_ids.append(call_id)
            if call["state"] == "READY":
                self._live[call_id] = now if start else None
        self.settle(now)
        return broadcast_id

    def start_broadcast(self, broadcast_id: int, now: int) -> None:
        self._set_status(broadcast_id, "RUNNING", now)
        for call_id in self._unfinished.get(broadcast_id, ()):
            if self._live.get(call_id, 0) is None:
                self._live[call_id] = now
        self.settle(now)

    def stop_broadcast(self, broadcast_id: int, now: int) -> None:
        """Calls already dialing finish; READY ones wait for the next start."""
        self._set_status(broadcast_id, "STOPPED", now)
        for call_id in self._unfinished.get(broadcast_id, ()):
            if call_id in self._live and self.calls[call_id]["state"] == "READY":
                self._live[call_id] = None

    def settle(self, now: int) -> None:
        """Apply every call transition due by `now`; finish broadcasts whose calls are done."""
        for call_id, started in list(self._live.items()):
            call = self.calls[call_id]
            if started is None:
                continue
            if advance_call(call, started, now, self._next["record"],
                            self.broadcasts[call["campaignId"]]):
                self._next["record"] += 1
            if call["state"] in TERMINAL_STATES:
                del self._live[call_id]
        for broadcast_id, call_ids in list(self._unfinished.items()):
            broadcast = self.broadcasts[broadcast_id]
            calls = [self.calls[c] for c in call_ids]
            if broadcast["status"] == "RUNNING" and calls and \
                    all(c["state"] in TERMINAL_STATES for c in calls):
                broadcast.update(status="FINISHED",
                                 lastModified=max(c["modified"] for c in calls))
                del self._unfinished[broadcast_id]

    # ---- helpers -------------------------------------------------------------------------
    def _resolve(self, recipient: dict) -> tuple[str, dict | None]:
        """(toNumber, Call.contact) for a recipient; no contact means an INVALID number."""
        if "phoneNumber" not in recipient:
            contact = self.contacts[recipient["contactId"]]
            field = next(f for f in PHONE_FIELDS if f in contact)   # every contact has one
            return contact[field], {"id": contact["id"], field: contact[field]}
        raw = recipient["phoneNumber"]
        number = nanp_e164(raw)
        if number is None:
            return raw, None
        if "contactId" in recipient:
            return number, {"id": recipient["contactId"], "homePhone": number}
        if number not in self.phone_index:        # v2 makes a contact for a new number
            contact_id = self._take("contact")
            self.contacts[contact_id] = {"id": contact_id, "homePhone": number}
            self.phone_index[number] = (contact_id, "homePhone")
        contact_id, field = self.phone_index[number]
        return number, {"id": contact_id, field: number}

    def _set_status(self, broadcast_id: int, status: str, now: int) -> None:
        broadcast = self.broadcast(broadcast_id)
        if broadcast["status"] not in ("FINISHED", "ARCHIVED", status):
            broadcast.update(status=status, lastModified=now)

    def _take(self, sequence: str) -> int:
        value = self._next[sequence]
        self._next[sequence] += 1
        return value

    def _next_broadcast_id(self) -> int:
        while self._next["broadcast"] in self._taken_broadcast_ids:
            self._next["broadcast"] += 1
        broadcast_id = self._take("broadcast")
        self._taken_broadcast_ids.add(broadcast_id)
        return broadcast_id


class Accounts:
    """Lazily created accounts; `credentials` (login -> password) restricts who may log in."""

    def __init__(self, seed: Seed, credentials: dict[str, str] | None = None) -> None:
        self._seed = seed
        self._credentials = credentials
        self._accounts: dict[str, Account] = {}

    def login(self, login: str, password: str) -> Account:
        if not login or (self._credentials is not None and
                         self._credentials.get(login) != password):
            raise SimError(401, "Unauthorized", "unknown login or wrong password")
        return self.get_or_create(login)

    def get_or_create(self, login: str) -> Account:
        if login not in self._accounts:
            self._accounts[login] = Account(login, self._seed)
        return self._accounts[login]

    def find(self, login: str) -> Account | None:
        return self._accounts.get(login)

    def __iter__(self) -> Iterator[Account]:
        return iter(list(self._accounts.values()))

    def __len__(self) -> int:
        return len(self._accounts)

    def clear(self) -> None:
        self._accounts.clear()


def _newest_first(store: dict[int, dict]) -> Iterator[dict]:
    # Stores are appended in (created, id) order: the clock never goes back, and starts after
    # every seeded time (frozen: at the seed's anchor; live: at the wall clock, later still).
    return reversed(store.values())


def _page(items: list[dict], limit: int, offset: int) -> dict:
    return {"items": items[offset:offset + limit], "limit": limit, "offset": offset,
            "totalCount": len(items)}
