"""Strategies for TextService: SendText, which creates a text broadcast as SendCall creates a
call broadcast, or sends through an existing one (POST /texts answers texts, not an id)."""
from __future__ import annotations

from typing import Any

from bridge.orchestrate.generic import Exchange, create_once
from bridge.registry import V11Operation
from bridge.translate.engine import V2Request
from bridge.translate.text import sends_through_existing


def send_text(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    if not sends_through_existing(plan):
        return create_once(ex, op, plan)
    campaign = plan.query.get("campaignId")

    def send() -> dict[str, Any]:
        sent = ex.v2.post(plan.path, authorization=ex.authorization, params=plan.query, json=plan.body)
        return {"id": campaign if campaign is not None else campaign_of(sent)}

    return create_once(ex, op, plan, replay=lambda created: f"/texts/broadcasts/{created}", send=send)


def campaign_of(sent: Any) -> int:
    """The broadcast the texts went through (v2's default one); 0 when v2 names none."""
    items = (sent or {}).get("items") or [{}]
    return int(items[0].get("campaignId") or 0)
