"""ContactService: GetContactHistory (v1.1) <-> GET /contacts/{id}/history (v2).
Pure functions; the rows live in mappings/contact.yaml and entities.yaml."""
from __future__ import annotations

from typing import Any

from bridge.translate.call import newest_first
from bridge.translate.convert import Conversions
from bridge.translate.engine import V2Request, entity_writer, request_map


def get_contact_history(request: dict[str, Any], conv: Conversions) -> V2Request:
    plan = request_map("GetContactHistory").translate(request, conv)
    # v2 applies limit/offset to calls and texts separately: ask each list for the whole
    # window from the start, then merge and cut (contact_history).
    plan.query["limit"] = plan.paging["offset"] + plan.paging["count"]
    plan.query["offset"] = 0
    return plan


def contact_history(history: dict[str, Any], offset: int, count: int,
                    conv: Conversions) -> dict[str, Any]:
    """v2 ContactHistory {calls, texts} -> data:ContactHistory (a Call|Text choice list)."""
    entries = [("Call", item) for item in history.get("calls") or ()]
    entries += [("Text", item) for item in history.get("texts") or ()]
    entries.sort(key=lambda entry: newest_first(entry[1]))
    writers = {"Call": entity_writer("Call"), "Text": entity_writer("Text")}
    window = entries[offset:offset + count]
    return {"*": [(name, writers[name](item, conv)) for name, item in window]}
