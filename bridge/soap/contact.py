"""ContactService port (/api/1.1/soap12/contact): GetContactHistory."""
from __future__ import annotations

from spyne import ServiceBase, rpc

from bridge.runtime import Runtime
from bridge.soap.models import GetContactHistory
from bridge.soap.service import Response, run
from bridge.soap.writer import DATA
from bridge.translate import contact as translate
from bridge.translate.engine import V2Request


class ContactService(ServiceBase):
    @rpc(GetContactHistory, _body_style="bare", _in_message_name="GetContactHistory",
         _out_message_name="ContactHistory")
    def GetContactHistory(ctx, request):  # noqa: N802 - v1.1 operation names
        run(ctx, "GetContactHistory", request, translate.get_contact_history, get_contact_history)


def get_contact_history(rt: Runtime, authorization: str, plan: V2Request) -> Response:
    history = rt.v2.get(plan.path, authorization=authorization, params=plan.query)
    value = translate.contact_history(history or {}, plan.paging["offset"], plan.paging["count"], rt.conv)
    return DATA, "ContactHistory", value
