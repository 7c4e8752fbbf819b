"""Strategies for SubscriptionService: a v1.1 subscription is the bridge's own record
(bridge/store/subscriptions.py) carried by v2 webhooks on the caller's account (mappings/subscription.yaml).

Nothing half-created: a subscription is reserved, its webhooks registered one per v2 resource, and
only then made active; if a POST /webhooks fails, the webhooks already made are deleted, the
reservation dropped and the v2 error answered as a fault.
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Any

from bridge.errors import BridgeFault, FaultCode, bad_request
from bridge.orchestrate.generic import Exchange, Strategy, create_once, table_plan, table_respond
from bridge.postbacks.safety import RefusedTarget, check_target
from bridge.registry import V11Operation
from bridge.store import account_key
from bridge.store.subscriptions import FILTER_FIELDS, Subscription
from bridge.translate.convert import Conversions
from bridge.translate.engine import V2Request, entity_writer
from bridge.v2.errors import V2Error, V2StatusError

log = logging.getLogger(__name__)
RECEIVER_PATH = "/webhooks/v2/{id}"   # the bridge's webhook receiver (bridge/postbacks/webhooks.py)
def receiver_url(ex: Exchange, subscription_id: int) -> str:
    settings = ex.runtime.settings
    base = settings.public_url or settings.external_base_url or ("{public-url}" if ex.runtime.dry_run else None)
    if not base:
        raise BridgeFault(FaultCode.UNAVAILABLE, "Subscription: the bridge has no --public-url, so CallFire v2 "
                                                 "cannot reach it with notifications")
    return base.rstrip("/") + RECEIVER_PATH.format(id=subscription_id)


def check_endpoint(ex: Exchange, endpoint: str) -> None:
    """The same postUrl safety check as cloud/1 (http/https; no private targets unless allowed)."""
    try:
        check_target(endpoint, allow_private=bool(ex.runtime.settings.postback_allow_private))
    except RefusedTarget as refused:
        raise bad_request("Subscription/Endpoint", str(refused).replace("postUrl", "Endpoint")) from None


def settings_of(plan: V2Request, subscription_id: int, account: str, secret: str = "",
                webhook_ids: tuple[int, ...] = ()) -> Subscription:
    bridge = plan.bridge
    return Subscription(subscription_id, account, bool((plan.body or {}).get("enabled", True)), bridge["endpoint"],
                        bridge["format"], bridge["trigger"],
                        {name: bridge[name] for name in FILTER_FIELDS if name in bridge}, secret, webhook_ids)


def webhook_body(ex: Exchange, subscription: Subscription, resource: str, event: str) -> dict[str, Any]:
    return {"name": f"callfire-bridge subscription {subscription.id}", "resource": resource, "events": [event],
            "callback": receiver_url(ex, subscription.id), "secret": subscription.secret,
            "enabled": subscription.enabled}


def register(ex: Exchange, subscription: Subscription) -> list[int]:
    """One v2 webhook per resource of the subscription; all or none."""
    made: list[int] = []
    try:
        for resource, event in subscription.resources:
            created = ex.v2.post("/webhooks", authorization=ex.authorization,
                                 json=webhook_body(ex, subscription, resource, event))
            made.append(int(created["id"]))
    except (V2Error, BridgeFault):
        unregister(ex, made)
        raise
    return made


def unregister(ex: Exchange, webhook_ids: list[int] | tuple[int, ...]) -> None:
    """DELETE each webhook; one v2 no longer has is gone already, another failure is logged and left."""
    for webhook_id in webhook_ids:
        try:
            ex.v2.delete(f"/webhooks/{webhook_id}", authorization=ex.authorization)
        except V2StatusError as error:
            if error.status != 404:
                log.warning("subscriptions: webhook %s not deleted: %s", webhook_id, error.message)
        except V2Error as error:
            log.warning("subscriptions: webhook %s not deleted: %s", webhook_id, error.message)


def stored(ex: Exchange, subscription_id: int) -> Subscription:
    found = ex.runtime.subscriptions.get(account_key(ex.authorization), subscription_id)
    if found is None:
        raise BridgeFault(FaultCode.NOT_FOUND, f"Subscription {subscription_id} not found")
    return found


# ---- the five operations ----------------------------------------------------------------------

def create_subscription(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    check_endpoint(ex, plan.bridge["endpoint"])
    account = account_key(ex.authorization)
    if ex.runtime.dry_run:  # explain: the v2 requests, nothing stored
        register(ex, settings_of(plan, 0, account, secret="{secret}"))   # 0: the id is assigned then
        return {"id": 0}
    store = ex.runtime.subscriptions

    def send() -> dict[str, Any]:
        wanted = settings_of(plan, 0, account)
        reserved = store.reserve(account, wanted.enabled, wanted.endpoint, wanted.format, wanted.trigger,
                                 wanted.filter)
        try:
            webhook_ids = register(ex, reserved)
        except BaseException:
            store.discard(reserved.id)
            raise
        store.activate(reserved.id, webhook_ids)
        return {"id": reserved.id}

    # The RequestId fingerprint covers every setting, not only what goes to v2.
    fingerprinted = dataclasses.replace(plan, body={**(plan.body or {}), **{
        k: v for k, v in plan.bridge.items() if k != "request_id"}})
    return create_once(ex, op, fingerprinted, replay=lambda created: "/webhooks", send=send)


def query_subscriptions(ex: Exchange, op: V11Operation, plan: V2Request) -> tuple[list[Subscription], int]:
    return ex.runtime.subscriptions.page(account_key(ex.authorization), plan.paging["offset"], plan.paging["count"])


def get_subscription(ex: Exchange, op: V11Operation, plan: V2Request) -> Subscription:
    return stored(ex, plan.bridge["id"])


def update_subscription(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    check_endpoint(ex, plan.bridge["endpoint"])
    old = stored(ex, plan.bridge["id"])
    new = settings_of(plan, old.id, old.account, old.secret, old.webhook_ids)
    if new.resources == old.resources:
        for webhook_id, (resource, event) in zip(old.webhook_ids, old.resources):
            ex.v2.put(f"/webhooks/{webhook_id}", authorization=ex.authorization,
                      json=webhook_body(ex, new, resource, event))
    else:  # other resources: the new webhooks first, so a failure leaves the old ones working
        new = dataclasses.replace(new, webhook_ids=tuple(register(ex, new)))
        unregister(ex, old.webhook_ids)
    if not ex.runtime.dry_run:
        ex.runtime.subscriptions.replace(new)


def delete_subscription(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    subscription = stored(ex, plan.bridge["id"])
    unregister(ex, subscription.webhook_ids)
    if not ex.runtime.dry_run:
        ex.runtime.subscriptions.discard(subscription.id)


def query_respond(op: V11Operation, answer: tuple[list[Subscription], int], plan: V2Request,
                  conv: Conversions) -> dict[str, Any]:
    found, total = answer
    write = entity_writer("Subscription")
    return {"TotalResults": str(total), "Subscription": [write(s.wire, conv) for s in found]}


def get_respond(op: V11Operation, answer: Subscription, plan: V2Request, conv: Conversions) -> dict[str, Any]:
    return entity_writer("Subscription")(answer.wire, conv)


STRATEGIES = {
    "create_subscription": Strategy(table_plan, create_subscription, table_respond),
    "query_subscriptions": Strategy(table_plan, query_subscriptions, query_respond),
    "get_subscription": Strategy(table_plan, get_subscription, get_respond),
    "update_subscription": Strategy(table_plan, update_subscription, table_respond),
    "delete_subscription": Strategy(table_plan, delete_subscription, table_respond),
}
