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
import functools
import heapq
import re
from typing import Any, Callable, TypeVar

from bridge.contract.variants import Contract
from bridge.errors import BridgeFault, FaultCode, not_implemented
from bridge.mappings import load
from bridge.registry import V11Operation
from bridge.translate.convert import Conversions
from bridge.translate.engine import V2_DEFINITION, V2Request
from bridge.orchestrate.fanout import fan_out
from bridge.orchestrate.generic import Exchange, create_once, find, table_respond
from bridge.v2.errors import V2BadResponse, V2StatusError

T = TypeVar("T")
CALLS, TEXTS = "calls", "texts"
_BROADCAST = re.compile(r"/(calls|texts)/broadcasts/(\d+)")
# The most broadcasts read from one v2 list: a whole list, to filter VOICE from IVR (v2 cannot) and to
# find a schedule by id (v2 has no schedule resource); a QueryBroadcasts window's head of each list.
WHOLE_LIST = 10_000


def on_kind(path: str, kind: str) -> str:
    """A /calls/broadcasts/... path on the text broadcast of the same id."""
    return path.replace("/calls/", f"/{kind}/", 1)


def broadcast_id(plan: V2Request) -> str:
    """The id of the broadcast the plan addresses (/calls/broadcasts/{id}...)."""
    match = _BROADCAST.match(plan.path)
    if match is None:
        raise ValueError(f"{plan.operation}: {plan.path} names no broadcast")
    return match.group(2)


def broadcast_path(plan: V2Request, kind: str = CALLS) -> str:
    """/{kind}/broadcasts/{id} of the broadcast the plan addresses."""
    return f"/{kind}/broadcasts/{broadcast_id(plan)}"


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
    if kind == CALLS and ex.runtime.conv.contract is Contract.V2014:
        stats = {**stats, **_counted_as_2014(ex, plan, stats)}
    return marked(stats, kind, "TextBroadcastStatsDto")


def _counted_as_2014(ex: Exchange, plan: V2Request, stats: dict[str, Any]) -> dict[str, int]:
    """The per-result counters with the calls the 2014 contract writes as their result added
    (answeringMachineCount + SD calls, liveCount + ABANDONED: tables CallResultStat, CallResult),
    which v2's stats count in no counter of their own: counted with GET /calls."""
    tables = load().enums
    later = tables["CallResult"].shown_as_2014()
    interval = {"intervalBegin": plan.query.get("begin"), "intervalEnd": plan.query.get("end")}
    queries: dict[str, dict[str, Any]] = {}
    for row in tables["CallResultStat"].values:
        results = later.get(tables["CallResult"].to_v2().get(row.v1) or "", ())
        if row.v2 is None or not results:
            continue
        queries[row.v2] = {"campaignId": broadcast_id(plan), "results": ",".join(results),
                           **{k: v for k, v in interval.items() if v is not None}, "limit": 1, "offset": 0}
    found = fan_out(ex.runtime, [functools.partial(_get, ex, "/calls", query) for query in queries.values()])
    return {counter: int(stats.get(counter) or 0) + int(page.get("totalCount") or 0)
            for counter, page in zip(queries, found)}



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
    """v1.1 had one broadcast list: the window is cut from v2's call and text broadcast lists
    merged newest first, reading from each list only the first FirstResult+MaxResults it may
    need (at most WHOLE_LIST).  Type picks the lists; TotalResults is the sum of their counts."""
    if plan.match_nothing:
        return {"items": [], "totalCount": 0}
    offset, count = plan.paging["offset"], plan.paging["count"]
    wanted = min(offset + count, WHOLE_LIST)
    types = set(plan.bridge.get("types") or ())
    voice, ivr = "CallBroadcast+sounds" in types, "CallBroadcast+dialplanXml" in types
    heads: list[list[dict[str, Any]]] = []
    total = 0
    if not types or voice or ivr:
        if voice != ivr:  # one of the two: v2 cannot filter on it, so the bridge keeps what matches
            kept = [b for b in _all(ex, "/calls/broadcasts", plan.query) if bool(b.get("dialplanXml")) == ivr]
            head, found = kept[:wanted], len(kept)
        else:
            head, found = _head(ex, "/calls/broadcasts", plan.query, wanted)
        heads.append(head)
        total += found
    if not types or "TextBroadcast" in types:
        head, found = _head(ex, "/texts/broadcasts", plan.query, wanted)
        heads.append([marked(b, TEXTS, "TextBroadcast") for b in head])
        total += found
    merged = list(heapq.merge(*heads, key=newest_first))
    return {"items": merged[offset:offset + count], "totalCount": total}


def newest_first(broadcast: dict[str, Any]) -> tuple[int, int]:
    """The merge order: v2 gives a broadcast no creation time, so its latest change
    (lastModified), then its id, both descending; each list keeps v2's own order."""
    return -(broadcast.get("lastModified") or 0), -(broadcast.get("id") or 0)


def _head(ex: Exchange, path: str, query: dict[str, Any], wanted: int) -> tuple[list[dict[str, Any]], int]:
    """The first `wanted` items of a v2 broadcast list, and its totalCount."""
    if wanted == 0:  # MaxResults 0: only the count
        return [], int(_get(ex, path, {**query, "limit": 1, "offset": 0}).get("totalCount", 0))
    page = ex.v2.fetch_range(path, authorization=ex.authorization, params=query, offset=0, count=wanted)
    return page.items, page.total_count


def _all(ex: Exchange, path: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    return ex.v2.fetch_range(path, authorization=ex.authorization, params=query, offset=0,
                             count=WHOLE_LIST).items


# ---- contact batches --------------------------------------------------------------------------

def get_batch(ex: Exchange, op: V11Operation, plan: V2Request) -> Any:
    """The batch, its Remaining recounted (a batch does not say whether it holds calls or texts:
    both are counted, one of the two is 0)."""
    batch = _get(ex, plan.path, plan.query)
    return {**batch, "remaining": sum(fan_out(ex.runtime, [functools.partial(_waiting, ex, kind, batch)
                                                           for kind in (CALLS, TEXTS)]))}


def create_batch(ex: Exchange, op: V11Operation, plan: V2Request) -> Any:
    kind, _ = first_found(lambda k: _get(ex, broadcast_path(plan, k)))
    return create_once(ex, op, dataclasses.replace(plan, path=on_kind(plan.path, kind)),
                       replay=lambda created: f"/campaigns/batches/{created}")


def query_batches(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    kind, page = first_found(lambda k: find(ex, op, dataclasses.replace(plan, path=on_kind(plan.path, k))))
    remaining = fan_out(ex.runtime, [functools.partial(_waiting, ex, kind, batch) for batch in page["items"]])
    return {**page, "items": [{**batch, "remaining": left} for batch, left in zip(page["items"], remaining)]}


def _waiting(ex: Exchange, kind: str, batch: dict[str, Any]) -> int:
    """ContactBatch/Remaining: the batch's calls or texts still to be dialled as a v1.1 client sees
    them, every v2 state the 2014 contract writes READY (READY, CALLBACK, DISABLED: table
    ActionState), counted by v2; v2's own `remaining` counts its READY state only."""
    table = load().enums["ActionState"]
    ready = table.to_v2()["READY"]
    states = ",".join((ready, *table.shown_as_2014().get(ready, ())))
    found = _get(ex, f"/{kind}", {"batchId": batch["id"], "states": states, "limit": 1, "offset": 0})
    return int(found.get("totalCount") or 0)


# ---- schedules: inside their broadcast in v2 ----------------------------------------------------

def create_schedule(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    """Add the schedule once per RequestId (create_once: a repeat answers the first id and adds
    nothing).  A v2 schedule has no field to carry a marker, so after an unknown outcome a retry
    with that RequestId is told the outcome is unknown rather than adding a second schedule."""
    def replay(created: int) -> str:   # the broadcast holding it, call or text
        kind, _ = first_found(lambda k: _get(ex, broadcast_path(plan, k)))
        return broadcast_path(plan, kind)

    created = create_once(ex, op, plan, replay=replay, send=lambda: {"id": add_schedule(ex, plan)})
    return {"schedules": {"id": created["id"]}}


def add_schedule(ex: Exchange, plan: V2Request) -> int:
    """PUT the broadcast with its schedules plus the new one; the new id is read back."""
    kind, broadcast = first_found(lambda k: _get(ex, broadcast_path(plan, k)))
    path = broadcast_path(plan, kind)
    existing = broadcast.get("schedules") or []
    new = (plan.body or {}).get("schedules", {})
    ex.v2.put(path, authorization=ex.authorization, json={"schedules": [*existing, new]})
    known = {s.get("id") for s in existing}
    added = [s for s in _get(ex, path).get("schedules") or [] if s.get("id") not in known]
    if not added or added[-1].get("id") is None:
        raise V2BadResponse(f"CallFire v2 answered GET {path} without the schedule just added")
    return int(added[-1]["id"])


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
