"""Per-login accounts: the in-memory store behind every v2 endpoint.

Not thread-safe by itself: the Simulator holds one lock around every use. Seeded calls, texts and
contacts are shared by all accounts and never mutated; only objects an account creates itself
change (seeded broadcasts and batches are copied per account: their status can change).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from bridge.sim.autoreplies import AutoReplies
from bridge.sim.broadcasts import Broadcasts, page
from bridge.sim.contacts import ContactBook
from bridge.sim.errors import SimError, not_found
from bridge.sim.numbers import Numbers
from bridge.sim.seed import PHONE_FIELDS, Seed
from bridge.sim.sounds import Sounds
from bridge.sim.webhooks import Webhooks
from bridge.sim.vocab import nanp_e164

MAX_LOGGED_REQUESTS = 10_000
# Which of a contact's numbers a recipient given by contactId is reached on.
DIAL_ORDER = {"calls": PHONE_FIELDS, "texts": ("mobilePhone", "homePhone", "workPhone")}


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
        self.phone_index = dict(seed.phone_index)
        self.requests: deque[dict] = deque(maxlen=MAX_LOGGED_REQUESTS)
        self._next = dict(seed.first_free)
        self.broadcasts = Broadcasts(self, seed)
        self.sounds = Sounds(lambda: self.take("sound"))
        self.recordings = seed.recordings      # only seeded calls have recordings
        self.auto_replies = AutoReplies()
        self.numbers = Numbers(self.sounds)      # regions, leases, keywords, orders
        self.contact_book = ContactBook(self)   # contacts' writes and contact lists
        self.webhooks = Webhooks()      # bridge/sim/webhooks.py

    # ---- queries -------------------------------------------------------------------------
    def store(self, kind: str) -> dict[int, dict]:
        """The calls or the texts (`kind` is "calls" or "texts")."""
        return self.calls if kind == "calls" else self.texts

    def find(self, kind: str, query: ActionQuery, limit: int, offset: int) -> dict:
        """A CallPage/TextPage, newest first (created desc, then id desc)."""
        result_field = "finalCallResult" if kind == "calls" else "finalTextResult"
        matched = [a for a in _newest_first(self.store(kind)) if query.matches(a, result_field)]
        return page(matched, limit, offset)

    def get(self, kind: str, action_id: int) -> dict:
        store = self.store(kind)
        if action_id not in store:
            raise not_found(f"{kind[:-1]} {action_id} not found")
        return store[action_id]

    def recording(self, recording_id: int) -> dict:
        if recording_id not in self.recordings:
            raise not_found(f"recording {recording_id} not found")
        return self.recordings[recording_id]

    def call_recording(self, call_id: int, name: str) -> dict:
        """The recording of call `call_id` named `name` (the IVR's record element)."""
        found = (r for record in self.get("calls", call_id).get("records", ())
                 for r in record.get("recordings", ()) if r["name"] == name)
        recording = next(found, None)
        if recording is None:
            raise not_found(f"call {call_id} has no recording named {name!r}")
        return recording

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

    def number_for(self, recipient: dict, kind: str) -> str:
        """The number a (validated) recipient is reached on, without creating anything."""
        if "phoneNumber" in recipient:
            return nanp_e164(recipient["phoneNumber"]) or recipient["phoneNumber"]
        contact = self.contacts[recipient["contactId"]]
        return contact[next(f for f in DIAL_ORDER[kind] if f in contact)]

    def reachable(self, contact_id: int, kind: str) -> bool:
        """Whether the contact has a number to call (or text) at all."""
        return any(field in self.contacts[contact_id] for field in DIAL_ORDER[kind])

    # ---- commands ------------------------------------------------------------------------
    def resolve(self, recipient: dict, kind: str) -> tuple[str, dict | None]:
        """(toNumber, the action's contact) for a recipient; no contact: an INVALID number."""
        if "phoneNumber" not in recipient:
            contact = self.contacts[recipient["contactId"]]
            field = next(f for f in DIAL_ORDER[kind] if f in contact)   # every contact has one
            return contact[field], {"id": contact["id"], field: contact[field]}
        raw = recipient["phoneNumber"]
        number = nanp_e164(raw)
        if number is None:
            return raw, None
        if "contactId" in recipient:
            return number, {"id": recipient["contactId"], "homePhone": number}
        if number not in self.phone_index:        # v2 makes a contact for a new number
            contact_id = self.take("contact")
            self.contacts[contact_id] = {"id": contact_id, "homePhone": number}
            self.phone_index[number] = (contact_id, "homePhone")
        contact_id, field = self.phone_index[number]
        return number, {"id": contact_id, field: number}

    def settle(self, now: int) -> None:
        """Apply every transition due by `now` (calls and texts progress when read)."""
        self.broadcasts.settle(now)
        self.numbers.settle(now)

    def take(self, sequence: str) -> int:
        """The next id of `sequence` (action, record, contact, batch, schedule), used up."""
        value = self._next[sequence]
        self._next[sequence] += 1
        return value

    def peek(self, sequence: str) -> int:
        return self._next[sequence]


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

