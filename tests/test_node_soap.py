"""Node's `soap` package (npm, pinned in tests/node/package-lock.json) as a CallFire v1.1 client
of the running bridge: tests/node/client.js runs the four operations and a NOT_FOUND fault with
the SOAP 1.2 WSDL (with and without `forceSoap12Headers`) and with the SOAP 1.1 WSDL.

`make test` runs `npm ci` in tests/node first."""
from __future__ import annotations

import json
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from client_expectations import (FILTER_RESULTS, FILTER_STATES, SOAP11_ENVELOPE, SOAP12_ENVELOPE, Entry,
                                 check_call_9652, check_documented, check_fault, check_filtered, check_history,
                                 check_sent, check_v2_requests, parse_datetime)

NODE_DIR = Path(__file__).parent / "node"
SEND_CALL_NAME = "node soap"
SVC = "{http://api.callfire.com/service/xsd}"
DATA = "{http://api.callfire.com/data}"


@dataclass(frozen=True)
class Mode:
    wsdl: str  # "1.2" or "1.1": which served WSDL
    force_soap12: bool  # forceSoap12Headers
    envelope: str  # the SOAP version that goes over the wire
    content_type: str


MODES = {
    "soap12-wsdl-forceSoap12Headers": Mode("1.2", True, SOAP12_ENVELOPE, "application/soap+xml"),
    # Without forceSoap12Headers `soap` sends SOAP 1.1 whatever the WSDL binds; the bridge answers in kind.
    "soap12-wsdl-default": Mode("1.2", False, SOAP11_ENVELOPE, "text/xml"),
    "soap11-wsdl": Mode("1.1", False, SOAP11_ENVELOPE, "text/xml"),
}


@dataclass
class NodeRun:
    mode: Mode
    login: str
    out: dict[str, Any]


@pytest.fixture(scope="module", params=list(MODES))
def node_run(request, live) -> NodeRun:
    assert (NODE_DIR / "node_modules" / "soap").is_dir(), "run `make test` (npm ci in tests/node)"
    mode, login = MODES[request.param], f"node-{uuid.uuid4().hex[:10]}"
    wsdl = live.wsdl_for(mode.wsdl)
    done = subprocess.run(["node", "client.js", wsdl, login, "soap12" if mode.force_soap12 else "soap11"],
                          cwd=NODE_DIR, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return NodeRun(mode, login, json.loads(done.stdout))


def as_list(value: Any) -> list:
    """`soap` decodes one repeated element as an object, several as an array."""
    return [] if value is None else value if isinstance(value, list) else [value]


def optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def entry(kind: str, obj: dict) -> Entry:
    # Numbers and dateTimes arrive as strings in some responses, as numbers and JS Dates in others.
    to = obj["ToNumber"]
    number, client_data = (to["$value"], to["attributes"]["ClientData"]) if isinstance(to, dict) else (to, None)
    return Entry(kind, int(obj["attributes"]["id"]), number, client_data, obj["State"],
                 optional_int(obj.get("BroadcastId")), int(obj["ContactId"]), parse_datetime(obj["Created"]),
                 obj.get("FinalResult"))


def calls(result: dict) -> list[Entry]:
    return [entry("Call", call) for call in as_list(result.get("Call"))]


def test_documented_query_calls(node_run: NodeRun) -> None:
    result = node_run.out["documented"]["result"]
    check_documented(int(result["TotalResults"]), calls(result))


def test_list_filters_given_as_arrays_go_as_repeated_elements(node_run: NodeRun) -> None:
    step = node_run.out["filtered"]
    check_filtered(int(step["result"]["TotalResults"]), calls(step["result"]))
    query = etree.fromstring(step["request"].encode()).find(f".//{SVC}QueryCalls")
    assert [e.text for e in query.findall(f"{SVC}State")] == list(FILTER_STATES)
    assert [e.text for e in query.findall(f"{SVC}Result")] == list(FILTER_RESULTS)


def test_get_call(node_run: NodeRun) -> None:
    check_call_9652(entry("Call", node_run.out["call"]["result"]))


def test_send_call_then_query_its_broadcast(node_run: NodeRun) -> None:
    sent = node_run.out["sent"]
    retry = etree.fromstring(sent["request"].encode()).find(f".//{DATA}RetryConfig")
    assert [e.text for e in retry.findall(f"{DATA}RetryResults")] == ["BUSY", "NO_ANS"]
    result = node_run.out["sentCalls"]["result"]
    check_sent(int(sent["result"]), int(result["TotalResults"]), calls(result))


def test_contact_history(node_run: NodeRun) -> None:
    # `soap` groups the xs:choice list by element name: the Call/Text interleaving is lost.
    result = node_run.out["history"]["result"]
    check_history([entry(kind, e) for kind in ("Call", "Text") for e in as_list(result.get(kind))])


def test_fault_detail_of_a_missing_call(node_run: NodeRun) -> None:
    info = node_run.out["fault"]["detail"]["ServiceFaultInfo"]
    check_fault(info["FaultCode"], info["Message"])


def test_the_soap_version_on_the_wire(node_run: NodeRun) -> None:
    steps = [step for name, step in node_run.out.items() if name != "fault"]
    assert {step["contentType"].split(";")[0] for step in steps} == {node_run.mode.content_type}
    assert {etree.QName(etree.fromstring(step["response"].encode())).namespace for step in steps} \
        == {node_run.mode.envelope}


def test_what_reached_v2(node_run: NodeRun, live) -> None:
    check_v2_requests(live, node_run.login, SEND_CALL_NAME)
