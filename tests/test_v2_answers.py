"""v2 answers checked at the boundary (issue 12, defect 6): a 200 that lacks what the bridge
needs is an UNAVAILABLE fault saying v2 answered something unexpected, logged with a request id,
never a v1.1 answer with invented values."""
from __future__ import annotations

import logging

import httpx
import pytest
from lxml import etree

from bridge.registry import registry
from bridge.v2.answers import table
from bridge.v2.errors import V2BadResponse
from conftest import InProcess

SVC = "{http://api.callfire.com/service/xsd}"


def fault(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 500, response.text
    info = etree.fromstring(response.content).find(f".//{SVC}ServiceFaultInfo")
    return info.findtext(f"{SVC}FaultCode"), info.findtext(f"{SVC}Message")


@pytest.mark.parametrize(("body", "port", "path", "answer"), [
    ("<ns1:GetCall><ns1:Id>9652</ns1:Id></ns1:GetCall>", "call", "/v2/calls/*", {}),
    ("<ns1:QueryCalls><ns1:BroadcastId>327</ns1:BroadcastId></ns1:QueryCalls>", "call", "/v2/calls", {}),
    ("<ns1:GetContactHistory><ns1:ContactId>3</ns1:ContactId></ns1:GetContactHistory>", "contact",
     "/v2/contacts/*", ""),
    ("<ns1:GetCall><ns1:Id>9652</ns1:Id></ns1:GetCall>", "call", "/v2/calls/*",
     {"id": "9652", "state": "FINISHED"}),
], ids=["GetCall-{}", "QueryCalls-{}", "GetContactHistory-empty", "GetCall-id-a-string"])
def test_a_wrong_shaped_200_is_unavailable_naming_the_unexpected_answer(inproc: InProcess, login: str, body: str,
                                                                        port: str, path: str, answer: object,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    inproc.sim_client.post("/__sim/faults", json={"login": login, "path": path, "kind": "shape",
                                                  "body": answer}).raise_for_status()
    caplog.set_level(logging.WARNING, logger="bridge.v2.client")
    code, message = fault(inproc.soap(body, login=login, port=port))
    assert code == "UNAVAILABLE"
    assert "answered GET" in message and "something unexpected" in message
    (logged,) = [r.getMessage() for r in caplog.records if "something unexpected" in r.getMessage()]
    assert "v2 request id " in logged


def test_every_served_operations_v2_endpoints_have_a_row() -> None:
    answers = table()
    missing = sorted({f"{e['method']} {e['path']}" for op in registry().served() for e in op.table.get("v2", ())
                      if answers.find(e["method"], e["path"].replace("{id}", "1").replace("{name}", "x")) is None})
    assert not missing, f"add these to mappings/v2_answers.yaml: {missing}"


@pytest.mark.parametrize(("method", "path", "body", "problem"), [
    ("GET", "/calls/1", {"id": 1}, "Call without `state`"),
    ("GET", "/calls/1", {"id": True, "state": "READY"}, "Call.id is not an integer"),
    ("GET", "/calls", {"items": [{"id": 1, "state": "READY"}], "totalCount": "1"}, "`totalCount` is not an integer"),
    ("GET", "/calls", {"items": [{"id": 1, "state": 7}]}, "items[0]: Call.state is not a string"),
    ("POST", "/calls/broadcasts", {}, "CreatedId without `id`"),
    ("GET", "/webhooks", None, "an empty body"),   # no row: a GET must still answer an object
])
def test_the_table_names_what_is_wrong(method: str, path: str, body: object, problem: str) -> None:
    with pytest.raises(V2BadResponse) as error:
        table().check(method, path, body)
    assert error.value.message.endswith(problem)


def test_what_v2_may_answer_passes() -> None:
    table().check("GET", "/calls/1", {"id": 1, "state": "READY", "records": [], "created": None})
    table().check("PUT", "/calls/broadcasts/1", None)
    table().check("GET", "/calls", {"items": [], "totalCount": -1})
