"""ContactService port (/api/1.1/soap12/contact): GetContactHistory."""
from __future__ import annotations

from typing import Any

from spyne import ServiceBase, rpc

from bridge.runtime import Runtime
from bridge.soap.models import GetContactHistory
from bridge.soap.service import Operation, run
from bridge.soap.writer import DATA
from bridge.translate import contact as translate
from bridge.translate.engine import V2Request


def get_contact_history(rt: Runtime, authorization: str, plan: V2Request) -> dict[str, Any]:
    return rt.v2.get(plan.path, authorization=authorization, params=plan.query) or {}


GET_CONTACT_HISTORY = Operation(
    "GetContactHistory", translate.get_contact_history, get_contact_history,
    lambda history, plan, conv: translate.contact_history(history, plan.paging["offset"], plan.paging["count"], conv),
    DATA, "ContactHistory")


class ContactService(ServiceBase):
    @rpc(GetContactHistory, _body_style="bare", _in_message_name="GetContactHistory",
         _out_message_name="ContactHistory")
    def GetContactHistory(ctx, request):  # noqa: N802 - v1.1 operation names
        run(ctx, GET_CONTACT_HISTORY, request)
