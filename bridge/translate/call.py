"""CallService: what SendCall's rows cannot say (ScrubBroadcastDuplicates), and v2's order of
calls and texts.  Pure functions; the rows live in mappings/call.yaml and entities.yaml."""
from __future__ import annotations

from typing import Any

from bridge.translate.convert import Conversions
from bridge.translate.engine import V2Request, request_map


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


def newest_first(item: dict[str, Any]) -> tuple[int, int]:
    """v2's own order for calls and texts: created descending, then id descending."""
    return (-(item.get("created") or 0), -(item.get("id") or 0))
