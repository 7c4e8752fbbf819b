"""CallService port (/api/1.1/soap12/call): QueryCalls, GetCall, SendCall."""
from __future__ import annotations

import hashlib
import json
from spyne import ServiceBase, rpc

from bridge.errors import BridgeFault, FaultCode, bad_request
from bridge.runtime import Runtime
from bridge.soap.models import ActionQuery, IdRequest, SendCall
from bridge.soap.service import Response, account_key, run
from bridge.soap.writer import DATA, SVC
from bridge.translate import call as translate
from bridge.translate.engine import V2Request


class CallService(ServiceBase):
    @rpc(ActionQuery, _body_style="bare", _in_message_name="QueryCalls", _out_message_name="CallQueryResult")
    def QueryCalls(ctx, request):  # noqa: N802 - v1.1 operation names
        run(ctx, "QueryCalls", request, translate.query_calls, query_calls)

    @rpc(IdRequest, _body_style="bare", _in_message_name="GetCall", _out_message_name="Call")
    def GetCall(ctx, request):  # noqa: N802
        run(ctx, "GetCall", request, translate.get_call, get_call)

    @rpc(SendCall, _body_style="bare", _in_message_name="SendCall", _out_message_name="CreatedId")
    def SendCall(ctx, request):  # noqa: N802
        run(ctx, "SendCall", request, translate.send_call, send_call)


def query_calls(rt: Runtime, authorization: str, plan: V2Request) -> Response:
    offset, count = plan.paging["offset"], plan.paging["count"]
    if plan.match_nothing:
        return SVC, "CallQueryResult", translate.call_query_result([], 0, rt.conv)
    if plan.fan_out:
        key, numbers = plan.fan_out
        pages = [rt.v2.fetch_range(plan.path, authorization=authorization, params={**plan.query, key: number},
                                   offset=0, count=offset + count) for number in numbers]
        items = translate.merge_fan_out([page.items for page in pages], offset, count)
        total = sum(page.total_count for page in pages)
    elif count == 0:
        first = rt.v2.get(plan.path, authorization=authorization, params={**plan.query, "limit": 1, "offset": offset})
        items, total = [], int(first.get("totalCount", 0))
    else:
        page = rt.v2.fetch_range(plan.path, authorization=authorization, params=plan.query,
                                 offset=offset, count=count)
        items, total = page.items, page.total_count
    return SVC, "CallQueryResult", translate.call_query_result(items, total, rt.conv)


def get_call(rt: Runtime, authorization: str, plan: V2Request) -> Response:
    return DATA, "Call", translate.call(rt.v2.get(plan.path, authorization=authorization), rt.conv)


def send_call(rt: Runtime, authorization: str, plan: V2Request) -> Response:
    request_id = plan.bridge.get("request_id")
    if not request_id:
        created = rt.v2.post(plan.path, authorization=authorization, params=plan.query, json=plan.body)
        return SVC, "CreatedId", str(translate.created_id(created))

    account = account_key(authorization)
    fingerprint = hashlib.sha256(json.dumps([plan.path, plan.query, plan.body], sort_keys=True).encode()).hexdigest()
    claim = rt.store.claim(account, "SendCall", request_id, fingerprint)
    if claim.status == "replay":
        # The replay key holds the login only: prove the caller may see that broadcast.
        rt.v2.get(f"/calls/broadcasts/{claim.created_id}", authorization=authorization)
        return SVC, "CreatedId", str(claim.created_id)
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
    return SVC, "CreatedId", str(broadcast_id)
