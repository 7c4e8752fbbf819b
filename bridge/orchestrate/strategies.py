"""Every strategy a table in `mappings/` may name with `strategy:`, and `serve`, which runs one.

`serve` is the error boundary: the v2 client's errors (`V2Error`) become v1.1 faults there and
nowhere else; a strategy catches one only to act on it and re-raise (first_found on a 404,
create_once on a refusal)."""
from __future__ import annotations

import time
from typing import Any, Callable

from bridge.errors import fault_for
from bridge.orchestrate import broadcasts as b
from bridge.orchestrate import markers
from bridge.orchestrate import numbers as n
from bridge.orchestrate import labels as lb
from bridge.orchestrate import contacts as c
from bridge.orchestrate import texts as t
from bridge.orchestrate.subscriptions import STRATEGIES as subscription_strategies
from bridge.orchestrate.generic import (
    Exchange, Strategy, action, binary, contact_history_respond, create, create_once, delete, find, get, table_plan,
    table_respond, update)
from bridge.registry import V11Operation
from bridge.translate import call as call_translate
from bridge.translate import contact as contact_translate
from bridge.translate import text as text_translate
from bridge.translate.engine import V2Request
from bridge.v2.errors import V2Error

STRATEGIES: dict[str, Strategy] = {
    # generic: the rows say everything
    "get": Strategy(table_plan, get, table_respond),
    "find": Strategy(table_plan, find, table_respond),
    "create": Strategy(table_plan, create, table_respond),
    "update": Strategy(table_plan, update, table_respond),
    "delete": Strategy(table_plan, delete, table_respond),
    "action": Strategy(table_plan, action, table_respond),
    # named: what rows cannot say
    "send_call": Strategy(lambda op, request, conv: call_translate.send_call(request, conv), create_once,
                          table_respond),
    "contact_history": Strategy(lambda op, request, conv: contact_translate.get_contact_history(request, conv),
                                get, contact_history_respond),
    **{name: Strategy(table_plan, execute, table_respond) for name, execute in {
        "create_broadcast": b.create_broadcast, "query_broadcasts": b.query_broadcasts,
        "get_broadcast": b.get_broadcast, "update_broadcast": b.update_broadcast,
        "broadcast_stats": b.broadcast_stats, "control_broadcast": b.control_broadcast,
        "create_batch": b.create_batch, "query_batches": b.query_batches, "get_batch": b.get_batch,
        "create_schedule": b.create_schedule, "get_schedule": b.get_schedule,
        "delete_schedule": b.delete_schedule}.items()},
    "query_schedules": Strategy(table_plan, b.query_schedules, b.schedules_respond),
    # CallService sounds and recordings: bytes -> xs:base64Binary (a row with convert: base64)
    "binary": Strategy(table_plan, binary, table_respond),
    # TextService: a create with a RequestId (CreateAutoReply); SendText's choice of endpoint
    "create_once": Strategy(table_plan, create_once, table_respond),
    "send_text": Strategy(lambda op, request, conv: text_translate.send_text(request, conv), t.send_text,
                          table_respond),
    # NumberService: a Number is a v2 lease joined with its config; searches answer lists, not pages
    "query_numbers": Strategy(table_plan, n.query_numbers, n.numbers_respond),
    "get_number": Strategy(table_plan, n.get_number, n.numbers_respond),
    "configure_number": Strategy(table_plan, n.configure_number, table_respond),
    "search_available": Strategy(n.search_plan, get, n.counted_respond),
    "release": Strategy(n.release_plan, update, table_respond),
    # LabelService: labels are names inside v2 broadcasts and number leases (read-modify-write); the bridge's own refused
    **{name: Strategy(lb.label_plan, execute, table_respond) for name, execute in {
        "label_broadcast": lb.label_broadcast, "unlabel_broadcast": lb.unlabel_broadcast,
        "label_number": lb.label_number, "unlabel_number": lb.unlabel_number,
        "delete_label": lb.delete_label}.items()},
    "query_labels": Strategy(table_plan, lb.query_labels, lb.labels_respond),
    # ContactService: create-or-update, id checks, a list's RequestId, members removed by number
    **{name: Strategy(table_plan, execute, table_respond) for name, execute in {
        "update_contacts": c.update_contacts, "remove_contacts": c.remove_contacts,
        "create_contact_list": c.create_contact_list, "remove_from_list": c.remove_from_list}.items()},
}
# SubscriptionService: the bridge's own records, carried by v2 webhooks (bridge/orchestrate/subscriptions.py)
STRATEGIES.update(subscription_strategies)


def serve(exchange: Exchange, op: V11Operation, request: dict[str, Any],
          on_plan: Callable[[V2Request], None] | None = None) -> Any:
    """The v1.1 value answering `request` (None for an empty response)."""
    strategy = STRATEGIES[op.strategy]
    plan = strategy.plan(op, request, exchange.runtime.conv)
    if on_plan is not None:
        on_plan(plan)
    started = time.perf_counter()
    try:
        answer = strategy.execute(exchange, op, plan)
    except V2Error as error:
        raise fault_for(error) from None
    exchange.timing["v2"] = (time.perf_counter() - started) * 1000
    # RequestId markers (v2 labels) are the bridge's own: never shown to a v1.1 client.
    return strategy.respond(op, markers.hidden(answer), plan, exchange.runtime.conv)
