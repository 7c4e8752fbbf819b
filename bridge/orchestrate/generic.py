"""The generic parts of strategies: plan and respond from the tables, and the executions that
serve any operation whose rows say everything (get, find, create, update, delete, action, binary), plus
the RequestId claim (create_once) and the interleaved contact history.

A strategy is plan (pure, `bridge.translate`: v1.1 request -> V2Request) -> execute (the v2
calls, here) -> respond (pure: v2 answer -> the v1.1 value the writer serializes).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from bridge.errors import BridgeFault, FaultCode, bad_request, fault_for
from bridge.orchestrate import markers
from bridge.orchestrate.fanout import fan_out
from bridge.orchestrate.markers import MarkerRule
from bridge.registry import V11Operation
from bridge.runtime import Runtime
from bridge.store import account_key
from bridge.translate import call as call_translate
from bridge.translate import contact as contact_translate
from bridge.translate.convert import Conversions, Upload
from bridge.translate.engine import V2Request, request_map, response_writer
from bridge.v2.client import V2Client
from bridge.v2.errors import V2Error
from bridge.v2.retry import spend_retry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Exchange:
    """One v1.1 call being served: the worker's runtime and the caller's credentials."""

    runtime: Runtime
    authorization: str
    timing: dict[str, float] = field(default_factory=dict)  # "v2": ms spent in v2 calls

    @property
    def v2(self) -> V2Client:
        return self.runtime.v2


Plan = Callable[[V11Operation, dict[str, Any], Conversions], V2Request]
Execute = Callable[[Exchange, V11Operation, V2Request], Any]
Respond = Callable[[V11Operation, Any, V2Request, Conversions], Any]


@dataclass(frozen=True)
class Strategy:
    plan: Plan
    execute: Execute
    respond: Respond


# ---- plan and respond from the tables ---------------------------------------------------------

def table_plan(op: V11Operation, request: dict[str, Any], conv: Conversions) -> V2Request:
    return request_map(op.name).translate(request, conv)


def table_respond(op: V11Operation, answer: Any, plan: V2Request, conv: Conversions) -> Any:
    """The response rows applied to v2's answer.  A response element that is itself the one
    row's element (data:Call for GetCall, svc:CreatedId) is that row's value."""
    if op.wsdl.response is None:
        return None
    # bytes: a binary answer (a sound), which a row with v2 "" converts whole.
    value = response_writer(op.name)(answer if isinstance(answer, (dict, bytes)) else {}, conv)
    rows = op.table["response_fields"]
    element = op.wsdl.response.rpartition("}")[2]
    if len(rows) == 1 and rows[0]["v1"] == element:
        return value.get(element)
    return value


# ---- generic executions -----------------------------------------------------------------------

def get(ex: Exchange, op: V11Operation, plan: V2Request) -> Any:
    return ex.v2.get(plan.path, authorization=ex.authorization, params=plan.query)


def binary(ex: Exchange, op: V11Operation, plan: V2Request) -> bytes:
    """A sound's or a recording's bytes, no more than the bridge's max_sound_bytes."""
    return ex.v2.get_bytes(plan.path, authorization=ex.authorization, max_bytes=ex.runtime.settings.max_sound_bytes)


def find(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    """The window of a paged v2 finder the caller asked for, as a v2 page {items, totalCount};
    several values of a one-value filter (fan-out) run one query each, concurrently (bridge.orchestrate.fanout:
    stopped at the request's deadline or when its client has gone), merged newest first."""
    offset, count = plan.paging["offset"], plan.paging["count"]
    if plan.match_nothing:
        return {"items": [], "totalCount": 0}
    if plan.fan_out:
        key, values = plan.fan_out
        pages = fan_out(ex.runtime, [
            functools.partial(ex.v2.fetch_range, plan.path, authorization=ex.authorization,
                              params={**plan.query, key: value}, offset=0, count=offset + count)
            for value in values])
        merged = sorted((item for page in pages for item in page.items), key=call_translate.newest_first)
        return {"items": merged[offset:offset + count], "totalCount": sum(page.total_count for page in pages)}
    if count == 0:  # MaxResults 0: only the total is wanted
        first = ex.v2.get(plan.path, authorization=ex.authorization, params={**plan.query, "limit": 1, "offset": offset})
        return {"items": [], "totalCount": int(first.get("totalCount", 0))}
    page = ex.v2.fetch_range(plan.path, authorization=ex.authorization, params=plan.query, offset=offset, count=count)
    return {"items": page.items, "totalCount": page.total_count}


def create(ex: Exchange, op: V11Operation, plan: V2Request) -> Any:
    if plan.multipart:
        body = plan.body or {}
        files = {name: (v.filename, v.content, v.content_type) for name, v in body.items() if isinstance(v, Upload)}
        fields = {name: str(v) for name, v in body.items() if not isinstance(v, Upload)}
        return ex.v2.post_multipart(plan.path, authorization=ex.authorization, params=plan.query,
                                    fields=fields, files=files)
    return ex.v2.post(plan.path, authorization=ex.authorization, params=plan.query, json=plan.body)


def update(ex: Exchange, op: V11Operation, plan: V2Request) -> Any:
    return ex.v2.put(plan.path, authorization=ex.authorization, params=plan.query, json=plan.body)


def delete(ex: Exchange, op: V11Operation, plan: V2Request) -> Any:
    return ex.v2.delete(plan.path, authorization=ex.authorization, params=plan.query)


def action(ex: Exchange, op: V11Operation, plan: V2Request) -> Any:
    return ex.v2.post(plan.path, authorization=ex.authorization, params=plan.query)


def create_once(ex: Exchange, op: V11Operation, plan: V2Request,
                replay: Callable[[int], str] | None = None,
                send: Callable[[], dict[str, Any]] | None = None) -> dict[str, Any]:
    """A create whose v1.1 RequestId makes it happen once per account, durably (Stripe's rules):
    a repeat answers the first id without calling v2; the same id with other content is
    refused; a repeat while the first is in flight in a live process is told to retry.
    `replay(id)`: the v2 path that shows what was created (default: the create path + /id).
    `send()`: the v2 call(s) answering {"id": created} (default: POST the plan, tagged with the
    operation's marker, see bridge.orchestrate.markers).

    When v2's outcome is unknown (a timeout, a reset, a 5xx other than 503) and the operation
    has a marker, v2 is asked for it at once: found, that is the created id; not found, nothing
    was created, the RequestId is released (or the create sent again, within the retry budget).
    Without a marker the outcome stays unknown, and a retry with that RequestId is told so."""
    request_id = plan.bridge.get("request_id")
    if not request_id:
        return (send or (lambda: create(ex, op, plan)))()
    account = account_key(ex.authorization)
    fingerprint = hashlib.sha256(json.dumps([plan.path, plan.query, plan.body], sort_keys=True).encode()).hexdigest()
    rule = MarkerRule.of(op.table) if send is None else None
    tag = markers.marker(account, op.name, request_id)
    if rule is not None:
        plan = dataclasses.replace(plan, body=rule.tag(plan.body, tag))
    send = send or (lambda: create(ex, op, plan))
    if ex.runtime.dry_run:   # explain: what would be sent, marker included; nothing claimed
        return send()
    store = ex.runtime.store
    claim = store.claim(account, op.name, request_id, fingerprint)
    if claim.status == "replay":
        # The replay key holds the login only: prove the caller may see what was created.
        ex.v2.get(replay(claim.created_id) if replay else f"{plan.path}/{claim.created_id}",
                  authorization=ex.authorization)
        return {"id": claim.created_id}
    if claim.status == "mismatch":
        raise bad_request("RequestId", f"{request_id!r} was already used for a different {op.name}")
    if claim.status == "in_flight":
        raise BridgeFault(FaultCode.UNAVAILABLE,
                          f"RequestId: the first {op.name} with {request_id!r} is still in progress; retry later")
    if claim.status == "reconcile":
        found = _reconciled(ex, op, plan, rule, tag, request_id)
        if found is not None:
            store.complete(account, op.name, request_id, found)
            return {"id": found}
    resends = ex.v2.policy.retries
    while True:
        try:
            created = send()
            break
        except BridgeFault:   # the request's deadline passed, or its client left, before a POST was sent
            store.release(account, op.name, request_id)
            raise
        except V2Error as error:
            if error.refused:   # v2 turned it down (a 4xx, a 503) or nothing left: nothing was created
                store.release(account, op.name, request_id)
                raise
            try:
                found = _reconciled(ex, op, plan, rule, tag, request_id) if rule is not None else None
            except BridgeFault:
                raise error from None
            if found is not None:
                store.complete(account, op.name, request_id, found)
                return {"id": found}
            if rule is None:
                store.unknown(account, op.name, request_id)
                raise
            log.info("%s: v2 created nothing for RequestId after %s", op.name, type(error).__name__)
            resends -= 1
            if resends < 0 or not spend_retry():
                store.release(account, op.name, request_id)
                raise
    store.complete(account, op.name, request_id, int(created["id"]))
    return created


def _reconciled(ex: Exchange, op: V11Operation, plan: V2Request, rule: MarkerRule | None, tag: str,
                request_id: str) -> int | None:
    """The id v2 created for this RequestId, None when its marker says nothing was created.
    Without a marker nothing can be asked: an UNAVAILABLE fault says the outcome is unknown; a
    lookup that fails leaves the claim to reconcile on the next retry."""
    if rule is None:
        ex.runtime.store.unknown(account_key(ex.authorization), op.name, request_id)  # for the next retry too
        raise BridgeFault(FaultCode.UNAVAILABLE,
                          f"RequestId: the outcome of the first {op.name} with {request_id!r} is unknown "
                          f"(CallFire v2 did not answer it) and v2 offers no way to look it up; check "
                          f"whether it was created, then send with a new RequestId")
    try:
        page = ex.v2.get(plan.path, authorization=ex.authorization, params=rule.query(tag))
    except (V2Error, BridgeFault) as error:   # the next retry asks again
        ex.runtime.store.unknown(account_key(ex.authorization), op.name, request_id)
        raise fault_for(error) if isinstance(error, V2Error) else error from None
    ids = [int(item["id"]) for item in page.get("items") or ()]
    return min(ids) if ids else None


def contact_history_respond(op: V11Operation, answer: Any, plan: V2Request, conv: Conversions) -> Any:
    return contact_translate.contact_history(answer or {}, plan.paging["offset"], plan.paging["count"], conv)
