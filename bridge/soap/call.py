"""CallService port (/api/1.1/soap12/call): QueryCalls, GetCall, SendCall.

Each operation is plan (pure, bridge.translate) -> execute (the v2 calls, here) ->
respond (pure, bridge.translate) -> write (bridge.soap.writer)."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from spyne import ServiceBase, rpc

from bridge.errors import BridgeFault, FaultCode, bad_request
from bridge.runtime import Runtime
from bridge.soap.models import ActionQuery, IdRequest, SendCall
from bridge.soap.service import Operation, account_key, run
from bridge.soap.writer import DATA, SVC
from bridge.translate import call as translate
from bridge.translate.engine import V2Request


def query_calls(rt: Runtime, authorization: str, plan: V2Request) -> tuple[list[dict[str, Any]], int]:
    """The window of v2 calls asked for, and v2's total."""
    offset, count = plan.paging["offset"], plan.paging["count"]
    if plan.match_nothing:
        return [], 0
    if plan.fan_out:
        key, numbers = plan.fan_out
        pages = [rt.v2.fetch_range(plan.path, authorization=authorization, params={**plan.query, key: number},
                                   offset=0, count=offset + count) for number in numbers]
        return (translate.merge_fan_out([page.items for page in pages], offset, count),
                sum(page.total_count for page in pages))
    if count == 0:
        first = rt.v2.get(plan.path, authorization=authorization, params={**plan.query, "limit": 1, "offset": offset})
        return [], int(first.get("totalCount", 0))
    page = rt.v2.fetch_range(plan.path, authorization=authorization, params=plan.query, offset=offset, count=count)
    return page.items, page.total_count


def get_call(rt: Runtime, authorization: str, plan: V2Request) -> dict[str, Any]:
    return rt.v2.get(plan.path, authorization=authorization)


def send_call(rt: Runtime, authorization: str, plan: V2Request) -> int:
    """The broadcast id: created in v2, or the first one for a repeated RequestId."""
    request_id = plan.bridge.get("request_id")
    if not request_id:
        return translate.created_id(rt.v2.post(plan.path, authorization=authorization, params=plan.query,
                                               json=plan.body))
    account = account_key(authorization)
    fingerprint = hashlib.sha256(json.dumps([plan.path, plan.query, plan.body], sort_keys=True).encode()).hexdigest()
    claim = rt.store.claim(account, "SendCall", request_id, fingerprint)
    if claim.status == "replay":
        # The replay key holds the login only: prove the caller may see that broadcast.
        rt.v2.get(f"/calls/broadcasts/{claim.created_id}", authorization=authorization)
        return claim.created_id
    if claim.status == "mismatch":
        raise bad_request("RequestId", f"{request_id!r} was already used for a different SendCall")
    if claim.status == "in_flight":
        raise BridgeFault(FaultCode.UNAVAILABLE,
                          f"RequestId: the first SendCall with {request_id!r} is still in progress; retry later")
    try:
        created = rt.v2.post(plan.path, authorization=authorization, params=plan.query, json=plan.body)
    except BridgeFault as fault:
        # A refused request created nothing: let the client retry with the same RequestId.
        # After a 5xx or a timeout v2 may have created the broadcast: the claim stays in flight.
        if fault.client_side:
            rt.store.release(account, "SendCall", request_id)
        raise
    broadcast_id = translate.created_id(created)
    rt.store.complete(account, "SendCall", request_id, broadcast_id)
    return broadcast_id


QUERY_CALLS = Operation("QueryCalls", translate.query_calls, query_calls,
                        lambda found, plan, conv: translate.call_query_result(*found, conv), SVC, "CallQueryResult")
GET_CALL = Operation("GetCall", translate.get_call, get_call,
                     lambda v2_call, plan, conv: translate.call(v2_call, conv), DATA, "Call")
SEND_CALL = Operation("SendCall", translate.send_call, send_call,
                      lambda broadcast_id, plan, conv: str(broadcast_id), SVC, "CreatedId")


class CallService(ServiceBase):
    @rpc(ActionQuery, _body_style="bare", _in_message_name="QueryCalls", _out_message_name="CallQueryResult")
    def QueryCalls(ctx, request):  # noqa: N802 - v1.1 operation names
        run(ctx, QUERY_CALLS, request)

    @rpc(IdRequest, _body_style="bare", _in_message_name="GetCall", _out_message_name="Call")
    def GetCall(ctx, request):  # noqa: N802
        run(ctx, GET_CALL, request)

    @rpc(SendCall, _body_style="bare", _in_message_name="SendCall", _out_message_name="CreatedId")
    def SendCall(ctx, request):  # noqa: N802
        run(ctx, SEND_CALL, request)
