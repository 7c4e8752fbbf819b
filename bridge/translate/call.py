"""CallService: QueryCalls, GetCall, SendCall (v1.1) <-> GET /calls, GET /calls/{id},
POST /calls/broadcasts (v2).  Pure functions; the rows live in mappings/call.yaml."""
from __future__ import annotations

from typing import Any

from bridge.translate.convert import Conversions
from bridge.translate.engine import V2Request, entity_writer, request_map


def query_calls(request: dict[str, Any], conv: Conversions) -> V2Request:
    return request_map("QueryCalls").translate(request, conv)


def get_call(request: dict[str, Any], conv: Conversions) -> V2Request:
    return request_map("GetCall").translate(request, conv)


def send_call(request: dict[str, Any], conv: Conversions) -> V2Request:
    plan = request_map("SendCall").translate(request, conv)
    if plan.bridge.get("scrub_duplicates") and plan.body:
        plan.body["recipients"] = scrub_duplicates(plan.body["recipients"])
    return plan


def scrub_duplicates(recipients: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ScrubBroadcastDuplicates: keep the first recipient of each phone number."""
    seen: set[str] = set()
    kept = []
    for recipient in recipients:
        if recipient["phoneNumber"] not in seen:
            seen.add(recipient["phoneNumber"])
            kept.append(recipient)
    return kept


def call(v2_call: dict[str, Any], conv: Conversions) -> dict[str, Any]:
    """A v2 Call -> data:Call."""
    return entity_writer("Call")(v2_call, conv)


def call_query_result(items: list[dict[str, Any]], total: int, conv: Conversions) -> dict[str, Any]:
    """A window of v2 calls -> svc:CallQueryResult."""
    write = entity_writer("Call")
    return {"TotalResults": str(total), "Call": [write(item, conv) for item in items]}


def newest_first(item: dict[str, Any]) -> tuple[int, int]:
    """v2's own order for calls and texts: created descending, then id descending."""
    return (-(item.get("created") or 0), -(item.get("id") or 0))


def merge_fan_out(pages: list[list[dict[str, Any]]], offset: int, count: int) -> list[dict[str, Any]]:
    """Results of one GET /calls per ToNumber (each fetched from 0 to offset+count) -> one window."""
    merged = sorted((item for page in pages for item in page), key=newest_first)
    return merged[offset:offset + count]


def created_id(resource_id: dict[str, Any]) -> int:
    """v2's 201 ResourceId -> svc:CreatedId (the broadcast id)."""
    return int(resource_id["id"])
