"""Strategies for BroadcastService, where one v1.1 broadcast is one of two v2 resources.

v1.1 has one broadcast id space; v2 keeps call broadcasts (`/calls/broadcasts`) and text
broadcasts (`/texts/broadcasts`) apart, with ids that do not collide.  So an operation on a
broadcast id tries the call broadcast first and the text broadcast when v2 answers 404.  Text
objects are marked with their v2 definition so the tables' `entity_for` maps them.  v2 keeps a
broadcast's schedules inside it (`schedules`): schedule operations read the broadcast and PUT it
back.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable, TypeVar

from bridge.errors import BridgeFault, FaultCode, not_implemented
from bridge.registry import V11Operation
from bridge.translate.convert import Conversions
from bridge.translate.engine import V2_DEFINITION, V2Request
from bridge.orchestrate.generic import Exchange, create_once, find, table_respond
from bridge.v2.errors import V2StatusError

T = TypeVar("T")
CALLS, TEXTS = "calls", "texts"
_BROADCAST = re.compile(r"/(calls|texts)/broadcasts/(\d+)")
# The most broadcasts read when a whole list is needed: to filter VOICE from IVR (v2 cannot) and to
# find a schedule by id (v2 has no schedule resource).
WHOLE_LIST = 10_000


def on_kind(path: str, kind: str) -> str:
    """A /calls/broadcasts/... path on the text broadcast of the same id."""
    return path.replace("/calls/", f"/{kind}/", 1)


def broadcast_path(plan: V2Request, kind: str = CALLS) -> str:
    """/{kind}/broadcasts/{id} of the broadcast the plan addresses."""
    match = _BROADCAST.match(plan.path)
    if match is None:
        raise ValueError(f"{plan.operation}: {plan.path} names no broadcast")
    return f"/{kind}/broadcasts/{match.group(2)}"


def first_found(attempt: Callable[[str], T]) -> tuple[str, T]:
    """(kind, result) of `attempt` on the call broadcast, else on the text broadcast."""
    try:
        return CALLS, attempt(CALLS)
    except V2StatusError as error:
        if error.status != 404:
            raise
    return TEXTS, attempt(TEXTS)


def marked(obj: Any, kind: str, definition: str) -> Any:
    if kind == TEXTS and isinstance(obj, dict):
        return {**obj, V2_DEFINITION: definition}
    return obj


def _get(ex: Exchange, path: str, params: dict[str, Any] | None = None) -> Any:
    return ex.v2.get(path, authorization=ex.authorization, params=params)


# ---- broadcasts -------------------------------------------------------------------------------

def get_broadcast(ex: Exchange, op: V11Operation, plan: V2Request) -> Any:
    kind, broadcast = first_found(lambda k: _get(ex, on_kind(plan.path, k)))
    return marked(broadcast, kind, "TextBroadcast")


def broadcast_stats(ex: Exchange, op: V11Operation, plan: V2Request) -> Any:
    kind, stats = first_found(lambda k: _get(ex, on_kind(plan.path, k), plan.query))
    return marked(stats, kind, "TextBroadcastStatsDto")


def broadcast_kind(plan: V2Request) -> str:
    """The v2 resource a new or updated broadcast is: its Type, else its config."""
    declared = plan.bridge.get("type")
    if declared == "CCC":
        raise not_implemented(plan.operation, "BroadcastService")
    if declared == "TEXT" or "message" in (plan.body or {}):
        return TEXTS
    return CALLS


def create_broadcast(ex: Exchange, op: V11Operation, plan: V2Request) -> Any:
    kind = broadcast_kind(plan)
    return create_once(ex, op, dataclasses.replace(plan, path=on_kind(plan.path, kind)),
                       replay=lambda created: f"/{kind}/broadcasts/{created}")


def update_broadcast(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    kind = broadcast_kind(plan)
    ex.v2.put(on_kind(plan.path, kind), authorization=ex.authorization, params=plan.query, json=plan.body)


def control_broadcast(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    """MaxActive (a PUT: v2 has no command for it), then the Command's POST."""
    kind, _ = first_found(lambda k: _get(ex, broadcast_path(plan, k)))
    base = broadcast_path(plan, kind)
    if plan.body and "maxActive" in plan.body:
        ex.v2.put(base, authorization=ex.authorization, json={"maxActive": plan.body["maxActive"]})
    command = plan.bridge.get("command")
    if command:
        ex.v2.post(f"{base}/{str(command).lower()}", authorization=ex.authorization)


def query_broadcasts(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    """The window over the call broadcasts followed by the text broadcasts; Type picks lists."""
    if plan.match_nothing:
        return {"items": [], "totalCount": 0}
    offset, count = plan.paging["offset"], plan.paging["count"]
    types = set(plan.bridge.get("types") or ())
    voice, ivr = "CallBroadcast+sounds" in types, "CallBroadcast+dialplanXml" in types
    want_calls, want_texts = not types or voice or ivr, not types or "TextBroadcast" in types
    window = _Window(offset, count)
    if want_calls:
        calls_path = "/calls/broadcasts"
        if voice != ivr:  # one of the two: v2 cannot filter on it, so the bridge keeps what matches
            everything = _all(ex, calls_path, plan.query)
            window.add([b for b in everything if bool(b.get("dialplanXml")) == ivr], None)
        else:
            window.fetch(ex, calls_path, plan.query, CALLS)
    if want_texts:
        window.fetch(ex, "/texts/broadcasts", plan.query, TEXTS)
    return {"items": window.items, "totalCount": window.total}


class _Window:
    """FirstResult/MaxResults over lists laid end to end."""

    def __init__(self, offset: int, count: int) -> None:
        self.offset, self.count, self.items, self.total = offset, count, [], 0

    def fetch(self, ex: Exchange, path: str, query: dict[str, Any], kind: str) -> None:
        start = max(self.offset - self.total, 0)
        wanted = self.count - len(self.items)
        if wanted > 0:
            page = ex.v2.fetch_range(path, authorization=ex.authorization, params=query, offset=start, count=wanted)
            items, total = page.items, page.total_count
        else:
            items, total = [], int(_get(ex, path, {**query, "limit": 1, "offset": 0}).get("totalCount", 0))
        self.add([marked(b, kind, "TextBroadcast") for b in items], total)

    def add(self, items: list[dict[str, Any]], total: int | None) -> None:
        """`items` already cut to this window (total given), or a whole list (total None)."""
        if total is None:
            start = max(self.offset - self.total, 0)
            total, items = len(items), items[start:start + self.count - len(self.items)]
        self.items += items
        self.total += total


def _all(ex: Exchange, path: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    return ex.v2.fetch_range(path, authorization=ex.authorization, params=query, offset=0,
                             count=WHOLE_LIST).items


# ---- contact batches --------------------------------------------------------------------------

def create_batch(ex: Exchange, op: V11Operation, plan: V2Request) -> Any:
    kind, _ = first_found(lambda k: _get(ex, broadcast_path(plan, k)))
    return create_once(ex, op, dataclasses.replace(plan, path=on_kind(plan.path, kind)),
                       replay=lambda created: f"/campaigns/batches/{created}")


def query_batches(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    return first_found(lambda k: find(ex, op, dataclasses.replace(plan, path=on_kind(plan.path, k))))[1]


# ---- schedules: inside their broadcast in v2 ----------------------------------------------------

def create_schedule(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    """PUT the broadcast with its schedules plus the new one; the new id is read back."""
    kind, broadcast = first_found(lambda k: _get(ex, broadcast_path(plan, k)))
    path = broadcast_path(plan, kind)
    existing = broadcast.get("schedules") or []
    new = (plan.body or {}).get("schedules", {})
    ex.v2.put(path, authorization=ex.authorization, json={"schedules": [*existing, new]})
    known = {s.get("id") for s in existing}
    added = [s for s in _get(ex, path).get("schedules") or [] if s.get("id") not in known]
    return {"schedules": {"id": added[-1]["id"] if added else None}}


def query_schedules(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    _, broadcast = first_found(lambda k: _get(ex, broadcast_path(plan, k)))
    schedules = broadcast.get("schedules") or []
    offset, count = plan.paging["offset"], plan.paging["count"]
    return {"schedules": schedules[offset:offset + count], "totalCount": len(schedules)}


def schedules_respond(op: V11Operation, answer: Any, plan: V2Request, conv: Conversions) -> Any:
    """The table's rows, and TotalResults, which v2 has no field for: the bridge counted them."""
    return {**table_respond(op, answer, plan, conv), "TotalResults": str(answer["totalCount"])}


def _holder(ex: Exchange, schedule_id: int) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(path of the broadcast holding the schedule, that broadcast, the schedule)."""
    for kind in (CALLS, TEXTS):
        for broadcast in _all(ex, f"/{kind}/broadcasts", {"scheduled": True}):
            for schedule in broadcast.get("schedules") or []:
                if schedule.get("id") == schedule_id:
                    return f"/{kind}/broadcasts/{broadcast['id']}", broadcast, schedule
    raise BridgeFault(FaultCode.NOT_FOUND, f"Id: no broadcast has a schedule {schedule_id}")


def get_schedule(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    return {"schedules": _holder(ex, plan.bridge["schedule_id"])[2]}


def delete_schedule(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    path, broadcast, schedule = _holder(ex, plan.bridge["schedule_id"])
    kept = [s for s in broadcast.get("schedules") or [] if s.get("id") != schedule.get("id")]
    ex.v2.put(path, authorization=ex.authorization, json={"schedules": kept})
