"""TextService: what SendText's rows cannot say (mappings/text.yaml's header): texts sent
through an existing broadcast with POST /texts, and ScrubBroadcastDuplicates.  Pure functions."""
from __future__ import annotations

import dataclasses
from typing import Any

from bridge.errors import bad_request
from bridge.mappings import load
from bridge.translate.call import scrub_duplicates
from bridge.translate.convert import Conversions
from bridge.translate.engine import RequestMap, V2Request, request_map, v1_value


def send_text(request: dict[str, Any], conv: Conversions) -> V2Request:
    """POST /texts/broadcasts?start=true, or POST /texts with BroadcastId / UseDefaultBroadcast."""
    table = request_map("SendText")
    plan = table.translate(request, conv)
    if plan.bridge.get("scrub_duplicates"):
        plan.body["recipients"] = scrub_duplicates(plan.body["recipients"])
    campaign = plan.query.pop("campaignId", None)
    use_default = plan.bridge.get("use_default_broadcast")
    if campaign is not None and use_default:
        raise bad_request("BroadcastId and UseDefaultBroadcast", "name two broadcasts to send through: give one")
    if campaign is None and not use_default:
        return plan
    return _through_existing(plan, table, request, campaign)


def sends_through_existing(plan: V2Request) -> bool:
    return plan.path == _send_texts()["path"]


def _send_texts() -> dict[str, Any]:
    """SendText's second endpoint: POST /texts."""
    return load().operations["SendText"]["v2"][1]


def _through_existing(plan: V2Request, table: RequestMap, request: dict[str, Any],
                      campaign: int | None) -> V2Request:
    """POST /texts takes the recipients as its body and the message as defaultMessage; the new
    broadcast's settings have no place there, so those given are listed as lossy."""
    body = dict(plan.body)
    recipients = body.pop("recipients")
    query: dict[str, Any] = {} if campaign is None else {"campaignId": campaign}
    query["defaultMessage"] = body.pop("message")
    sender = body.pop("fromNumber", None)
    if sender is not None:
        recipients = [{**recipient, "fromNumber": sender} for recipient in recipients]
    dropped = [f"{row.field_name}: not sent: POST /texts sends through an existing broadcast "
               f"(its own {row.target.split('.')[1]} applies)"
               for row in table.rows if row.target.startswith("body.") and row.target.split(".")[1] in body
               and v1_value(request, row.v1) is not None]
    endpoint = _send_texts()
    return dataclasses.replace(plan, method=endpoint["method"], path=endpoint["path"], query=query,
                               body=recipients, lossy=[*plan.lossy, *dropped])
