"""suds (suds-community) as a CallFire v1.1 client of the running bridge: the four operations
and a NOT_FOUND fault, with the SOAP 1.1 WSDL and with CallFire's SOAP 1.2 one.

suds speaks SOAP 1.1 only: it reads the soap12 WSDL's bindings but sends SOAP 1.1 envelopes
(text/xml + SOAPAction), which the bridge accepts on the same endpoints and answers in kind."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from lxml import etree
from suds import WebFault
from suds.cache import NoCache
from suds.client import Client

from client_expectations import (FILTER_BEGIN, FILTER_RESULTS, FILTER_STATES, MISSING_CALL_ID, SOAP11_ENVELOPE,
                                 Entry, check_call_9652, check_documented, check_fault,
                                 check_filtered, check_history, check_sent, check_v2_requests)

SEND_CALL_NAME = "suds"
SVC = "{http://api.callfire.com/service/xsd}"
DATA = "{http://api.callfire.com/data}"


@dataclass
class Step:
    result: Any
    sent: etree._Element  # the request envelope
    received: etree._Element  # the response envelope


@dataclass
class SudsRun:
    login: str
    steps: dict[str, Step]
    fault: WebFault


def run_script(client: Client) -> dict[str, Step]:
    """The client script every client test runs (see client_expectations), recording the wire."""
    call, contact = client.service["CallServicePort"], client.service["ContactServicePort"]
    steps: dict[str, Step] = {}

    def record(name: str, result: Any) -> Any:
        steps[name] = Step(result, etree.fromstring(client.last_sent().str().encode()),
                           etree.fromstring(client.last_received().str().encode()))
        return result

    record("documented", call.QueryCalls(MaxResults=100, FirstResult=0, BroadcastId=327))
    record("filtered", call.QueryCalls(MaxResults=50, State=list(FILTER_STATES), Result=list(FILTER_RESULTS),
                                       IntervalBegin=FILTER_BEGIN))
    record("call", call.GetCall(Id=9652))
    pair = client.factory.create("{http://api.callfire.com/data}ToNumber")  # suds numbers its prefixes
    pair.value, pair._ClientData = "12135550101 12135550102", "order-7"
    voice = {"FromNumber": "13105551212",
             "RetryConfig": {"MaxAttempts": 2, "RetryResults": ["BUSY", "NO_ANS"],
                             "RetryPhoneTypes": ["MOBILE_PHONE"]},
             "AnsweringMachineConfig": "AM_AND_LIVE", "LiveSoundText": "Your order is ready"}
    broadcast_id = record("sent", call.SendCall(BroadcastName=SEND_CALL_NAME, ToNumber=[pair, "12135550103"],
                                                VoiceBroadcastConfig=voice))
    record("sentCalls", call.QueryCalls(BroadcastId=broadcast_id))
    record("history", contact.GetContactHistory(ContactId=3, MaxResults=5))
    return steps


@pytest.fixture(scope="module", params=["1.1", "1.2"])
def suds_run(request, live) -> SudsRun:
    login = f"suds-{uuid.uuid4().hex[:10]}"
    wsdl = live.wsdl11 if request.param == "1.1" else live.wsdl
    client = Client(wsdl, username=login, password="secret", cache=NoCache())
    steps = run_script(client)
    with pytest.raises(WebFault) as info:
        client.service["CallServicePort"].GetCall(Id=MISSING_CALL_ID)
    return SudsRun(login, steps, info.value)


def entry(kind: str, obj: Any) -> Entry:
    to = obj.ToNumber  # a plain string, or an object when it carries @ClientData
    number, client_data = (to.value, to._ClientData) if hasattr(to, "_ClientData") else (str(to), None)
    return Entry(kind, getattr(obj, "_id", None), number, client_data, obj.State, getattr(obj, "BroadcastId", None),
                 obj.ContactId, obj.Created, getattr(obj, "FinalResult", None))


def calls(result: Any) -> list[Entry]:
    return [entry("Call", call) for call in getattr(result, "Call", [])]


def test_documented_query_calls(suds_run: SudsRun) -> None:
    result = suds_run.steps["documented"].result
    check_documented(result.TotalResults, calls(result))
    assert result.Call[0].Created.isoformat() == "2013-03-07T12:01:59-08:00"


def test_list_filters_given_as_lists_go_as_repeated_elements(suds_run: SudsRun) -> None:
    step = suds_run.steps["filtered"]
    check_filtered(step.result.TotalResults, calls(step.result))
    query = step.sent.find(f".//{SVC}QueryCalls")
    assert [e.text for e in query.findall(f"{SVC}State")] == list(FILTER_STATES)
    assert [e.text for e in query.findall(f"{SVC}Result")] == list(FILTER_RESULTS)


def test_get_call_drops_the_root_elements_id(suds_run: SudsRun) -> None:
    step = suds_run.steps["call"]
    # suds unmarshals a reply element's children only: Call's own id attribute is not kept.
    check_call_9652(entry("Call", step.result), with_id=False)
    assert step.received.find(f".//{DATA}Call").get("id") == "9652"


def test_send_call_then_query_its_broadcast(suds_run: SudsRun) -> None:
    sent = suds_run.steps["sent"]
    retry = sent.sent.find(f".//{DATA}RetryConfig")
    assert [e.text for e in retry.findall(f"{DATA}RetryResults")] == ["BUSY", "NO_ANS"]
    result = suds_run.steps["sentCalls"].result
    check_sent(sent.result, result.TotalResults, calls(result))


def test_contact_history(suds_run: SudsRun) -> None:
    # suds groups the xs:choice list by element name: the Call/Text interleaving is lost.
    history = suds_run.steps["history"].result
    check_history([entry(kind, e) for kind in ("Call", "Text") for e in getattr(history, kind, [])])


def test_fault_detail_of_a_missing_call(suds_run: SudsRun) -> None:
    fault_info = suds_run.fault.fault.detail.ServiceFaultInfo
    check_fault(fault_info.FaultCode, fault_info.Message)


def test_suds_speaks_soap11_with_either_wsdl(suds_run: SudsRun) -> None:
    for step in suds_run.steps.values():
        assert etree.QName(step.sent).namespace == etree.QName(step.received).namespace == SOAP11_ENVELOPE


def test_what_reached_v2(suds_run: SudsRun, live) -> None:
    check_v2_requests(live, suds_run.login, SEND_CALL_NAME)
