"""The bridge's HTTP surface as clients meet it: WSDL files, credentials, faults for every
kind of bad input (never a plain-text 500), and nothing half-created upstream."""
from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from lxml import etree

from bridge.config import Settings
from bridge.contract import operations
from bridge.mappings import load
from conftest import NOT_YET, InProcess, basic

SVC = "{http://api.callfire.com/service/xsd}"
WSDL_FILES = ["callfire-service-http-soap12.wsdl", "callfire-service.wsdl", "callfire-service.xsd",
              "callfire-data.xsd", "callfire-ann.xsd", "callfire-service-http-soap11.wsdl"]


def fault_info(response: httpx.Response) -> tuple[str, str]:
    root = etree.fromstring(response.content)
    info = root.find(f".//{SVC}ServiceFaultInfo")
    return info.findtext(f"{SVC}FaultCode"), info.findtext(f"{SVC}Message")


@pytest.mark.parametrize("version_path", ["1.1", "1.0"])
@pytest.mark.parametrize("name", WSDL_FILES)
def test_every_contract_file_is_served_with_or_without_credentials(inproc: InProcess, name: str,
                                                                    version_path: str) -> None:
    for headers in ({}, {"Authorization": basic("someone")}):
        response = inproc.client.get(f"/api/{version_path}/wsdl/{name}", headers=headers)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
        etree.fromstring(response.content)


def test_port_addresses_point_at_the_bridge(inproc: InProcess) -> None:
    wsdl = etree.fromstring(inproc.client.get("/api/1.0/wsdl/callfire-service-http-soap12.wsdl").content)
    addresses = [a.get("location") for a in wsdl.iter("{http://schemas.xmlsoap.org/wsdl/soap12/}address")]
    assert sorted(addresses) == sorted(f"http://bridge/api/1.0/soap12/{p}" for p in
                                       ["broadcast", "subscription", "text", "call", "contact", "number", "label"])


def test_a_hostile_host_header_cannot_break_the_wsdl(inproc: InProcess) -> None:
    response = inproc.client.get("/api/1.1/wsdl/callfire-service-http-soap12.wsdl",
                                 headers={"Host": 'evil"><x y="'})
    wsdl = etree.fromstring(response.content)  # still well-formed
    addresses = {a.get("location") for a in wsdl.iter("{http://schemas.xmlsoap.org/wsdl/soap12/}address")}
    assert all('"' not in a and "evil" not in a for a in addresses)


def test_external_base_url_setting_wins(tmp_path: Path) -> None:
    from bridge.wsgi import create_app
    settings = Settings(store_path=tmp_path / "s.sqlite3", external_base_url="https://soap.example.com/")
    app = create_app(settings, upstream="http://unused/v2", transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://internal:8080")
    text = client.get("/api/1.1/wsdl/callfire-service-http-soap12.wsdl").text
    assert 'location="https://soap.example.com/api/1.1/soap12/call"' in text and "internal:8080" not in text


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_missing_credentials_is_401_with_basic_challenge(inproc: InProcess, version: str) -> None:
    response = inproc.soap("<ns1:GetCall><ns1:Id>1</ns1:Id></ns1:GetCall>", login="", version=version)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert fault_info(response)[0] == "FORBIDDEN"


def test_upstream_401_passes_through(tmp_path: Path) -> None:
    from bridge.sim.app import create_app as create_sim
    from bridge.wsgi import create_app
    sim = create_sim(credentials={"alice": "right"})
    app = create_app(Settings(store_path=tmp_path / "s.sqlite3"), upstream="http://sim/v2",
                     transport=httpx.WSGITransport(app=sim))
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://bridge")
    envelope = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>'
                '<GetCall xmlns="http://api.callfire.com/service/xsd"><Id>9652</Id></GetCall></e:Body></e:Envelope>')
    headers = {"Content-Type": "application/soap+xml", "Authorization": "Basic YWxpY2U6d3Jvbmc="}  # alice:wrong
    response = client.post("/api/1.1/soap12/call", content=envelope, headers=headers)
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic")
    headers["Authorization"] = "Basic YWxpY2U6cmlnaHQ="  # alice:right
    assert client.post("/api/1.1/soap12/call", content=envelope, headers=headers).status_code == 200


@pytest.mark.parametrize("version", ["1.1", "1.2"])
@pytest.mark.parametrize("body, code, message", [
    ("<ns1:QueryCalls><ns1:MaxResults>abc</ns1:MaxResults></ns1:QueryCalls>", "BAD_REQUEST", "MaxResults: 'abc'"),
    ("<ns1:QueryCalls><ns1:IntervalBegin>last week</ns1:IntervalBegin></ns1:QueryCalls>", "BAD_REQUEST",
     "IntervalBegin: 'last week' is not an xs:dateTime"),
    ("<ns1:QueryCalls><ns1:Inbound>maybe</ns1:Inbound></ns1:QueryCalls>", "BAD_REQUEST", "Inbound: 'maybe'"),
    ("<ns1:GetCall/>", "BAD_REQUEST", "Id: is required"),
    ("<ns1:GetCall><ns1:Id>424242424</ns1:Id></ns1:GetCall>", "NOT_FOUND", "CallFire v2 returned 404"),
    ("<ns1:GetContactHistory><ns1:ContactId>424242424</ns1:ContactId></ns1:GetContactHistory>", "NOT_FOUND", ""),
    ("<ns1:DeleteLabel><ns1:LabelName>cfb:x</ns1:LabelName></ns1:DeleteLabel>", "BAD_REQUEST",
     "LabelName: labels starting with 'cfb:' are the bridge's own"),
    ("<ns1:NoSuchOperation/>", "BAD_REQUEST", "NoSuchOperation is not a CallFire v1.1 operation"),
    ("<ns1:QueryCalls><ns1:MaxResults>10", "BAD_REQUEST", "malformed request"),
])
def test_bad_input_gets_a_soap_fault_naming_the_problem(inproc: InProcess, login: str, version: str,
                                                        body: str, code: str, message: str) -> None:
    response = inproc.soap(body, login=login, version=version)
    assert response.status_code == 500
    expected_type = "application/soap+xml" if version == "1.2" else "text/xml"
    assert response.headers["content-type"].startswith(expected_type)
    fault_code, fault_message = fault_info(response)
    assert fault_code == code and message in fault_message
    assert "Traceback" not in response.text


@pytest.mark.parametrize("version", ["1.1", "1.2"])
@pytest.mark.parametrize("body", ["", "   ", "<!-- nothing -->"])
def test_an_empty_body_is_a_fault_not_a_crash(inproc: InProcess, login: str, version: str, body: str) -> None:
    response = inproc.soap(body, login=login, version=version)
    assert response.status_code == 500
    assert fault_info(response)[0] == "BAD_REQUEST"


def test_explain_of_an_empty_envelope_names_the_problem(inproc: InProcess) -> None:
    envelope = b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>'
    response = inproc.client.post("/explain", content=envelope)
    assert response.status_code == 400 and response.json()["fault"] == "BAD_REQUEST"


def test_an_oversized_request_is_refused_with_a_fault(inproc: InProcess, login: str) -> None:
    numbers = " ".join(["13105551212"] * 200_000)  # ~2.4 MB
    response = inproc.soap(f"<ns1:SendCall><ns1:ToNumber>{numbers}</ns1:ToNumber></ns1:SendCall>", login=login)
    assert response.status_code == 413
    assert fault_info(response) == ("BAD_REQUEST", "request body over 2097152 bytes")
    assert inproc.sim_requests(login) == []


def test_a_dtd_is_refused_before_parsing(inproc: InProcess, login: str) -> None:
    body = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>'
            '<GetCall xmlns="http://api.callfire.com/service/xsd"><Id>&e;</Id></GetCall></e:Body></e:Envelope>')
    response = inproc.client.post("/api/1.1/soap12/call", content=body, headers={
        "Content-Type": "application/soap+xml", "Authorization": basic(login)})
    assert fault_info(response) == ("BAD_REQUEST", "a SOAP message must not contain a DTD")
    assert inproc.sim_requests(login) == []


def test_server_timing_splits_v2_from_the_bridges_own_work(inproc: InProcess, login: str) -> None:
    response = inproc.soap("<ns1:GetCall><ns1:Id>9652</ns1:Id></ns1:GetCall>", login=login)
    parts = dict(part.strip().split(";")[0:2] for part in response.headers["server-timing"].split(","))
    assert set(parts) == {"v2", "bridge"}
    assert float(parts["v2"].removeprefix("dur=")) > 0 and float(parts["bridge"].removeprefix("dur=")) > 0
    fault = inproc.soap("<ns1:GetCall/>", login=login)
    assert "v2;dur=0.00" in fault.headers["server-timing"]  # refused before any v2 call


def test_any_port_url_dispatches_on_the_body(inproc: InProcess, login: str) -> None:
    response = inproc.soap("<ns1:GetCall><ns1:Id>9652</ns1:Id></ns1:GetCall>", login=login, port="label")
    assert response.status_code == 200 and b'id="9652"' in response.content
    assert inproc.client.post("/api/1.1/soap12/nowhere", content=b"").status_code == 404


def test_invalid_send_call_creates_nothing_upstream(inproc: InProcess, login: str) -> None:
    def calls_to_number() -> int:
        return inproc.sim_client.get("/v2/calls", params={"toNumber": "13105551212", "limit": 1},
                                     auth=(login, "secret")).json()["totalCount"]

    before = calls_to_number()
    bad = ('<ns1:SendCall><ns1:ToNumber>13105551212</ns1:ToNumber><d:VoiceBroadcastConfig>'
           '<d:LiveSoundId>9</d:LiveSoundId><d:AnsweringMachineConfig>SOMETIMES</d:AnsweringMachineConfig>'
           '</d:VoiceBroadcastConfig></ns1:SendCall>')
    assert fault_info(inproc.soap(bad, login=login))[0] == "BAD_REQUEST"
    unknown_sound = ('<ns1:SendCall><ns1:ToNumber>13105551212</ns1:ToNumber><d:VoiceBroadcastConfig>'
                     '<d:LiveSoundId>999999</d:LiveSoundId></d:VoiceBroadcastConfig></ns1:SendCall>')
    code, message = fault_info(inproc.soap(unknown_sound, login=login))
    assert code == "BAD_REQUEST" and "CallFire v2 returned 400" in message
    posts = [r for r in inproc.sim_requests(login) if r["method"] == "POST"]
    assert len(posts) == 1 and posts[0]["status"] == 400  # only the one v2 itself refused
    assert calls_to_number() == before


def test_credentials_never_reach_the_logs(inproc: InProcess, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    password = "hunter2-secret"
    auth = basic("leaky", password)
    for body in ["<ns1:GetCall><ns1:Id>1</ns1:Id></ns1:GetCall>", "<ns1:QueryCalls><ns1:MaxResults>5",
                 "<ns1:GetCall><ns1:Id>9652</ns1:Id></ns1:GetCall>"]:
        envelope = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" '
                    f'xmlns:ns1="http://api.callfire.com/service/xsd"><e:Body>{body}</e:Body></e:Envelope>')
        inproc.client.post("/api/1.1/soap12/call", content=envelope,
                           headers={"Content-Type": "application/soap+xml", "Authorization": auth})
    assert caplog.records, "the bridge logs its upstream calls at DEBUG"
    text = caplog.text
    assert password not in text and auth.split()[1] not in text and "13105551212" not in text


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_xs_list_filters_may_be_repeated_elements(inproc: InProcess, login: str, version: str) -> None:
    """suds and Node's soap send an xs:list given as an array as repeated elements."""
    body = ("<ns1:QueryCalls><ns1:MaxResults>5</ns1:MaxResults>"
            "<ns1:State>FINISHED</ns1:State><ns1:State>INVALID RESTRICTED_NUMBER</ns1:State>"
            "<ns1:Result>LA</ns1:Result><ns1:Result>AM,BUSY</ns1:Result>"
            "<ns1:ToNumber>18185551212</ns1:ToNumber><ns1:ToNumber>13105551212 +18185551212</ns1:ToNumber>"
            "</ns1:QueryCalls>")
    response = inproc.soap(body, login=login, version=version)
    assert response.status_code == 200, response.text
    queries = [r["query"] for r in inproc.sim_requests(login) if r["path"] == "/v2/calls"]
    # One v2 query per distinct number (fan-out), each with every state and result.
    assert sorted(q["toNumber"] for q in queries) == ["13105551212", "18185551212"]
    # Under the 2014 contract each value also asks for the later ones shown as it (SKIPPED, ABANDONED, SD).
    assert {(q["states"], q["results"]) for q in queries} == {("FINISHED,SKIPPED,INVALID", "LA,ABANDONED,AM,SD,BUSY")}


def test_retry_lists_may_be_repeated_elements(inproc: InProcess, login: str) -> None:
    body = ("<ns1:SendCall><ns1:ToNumber>13105551212</ns1:ToNumber><d:VoiceBroadcastConfig>"
            "<d:RetryConfig><d:MaxAttempts>2</d:MaxAttempts>"
            "<d:RetryResults>BUSY</d:RetryResults><d:RetryResults>NO_ANS SENT</d:RetryResults>"
            "<d:RetryPhoneTypes>MOBILE_PHONE</d:RetryPhoneTypes><d:RetryPhoneTypes>FIRST_NUMBER</d:RetryPhoneTypes>"
            "</d:RetryConfig><d:LiveSoundId>9</d:LiveSoundId></d:VoiceBroadcastConfig></ns1:SendCall>")
    response = inproc.soap(body, login=login)
    assert response.status_code == 200, response.text
    [post] = [r for r in inproc.sim_requests(login) if r["method"] == "POST"]
    assert post["body"]["retryConfig"] == {"maxAttempts": 2, "retryResults": ["BUSY", "NO_ANS"],
                                           "retryPhoneTypes": ["MOBILE_PHONE", "FIRST_NUMBER"]}


def test_a_bad_value_in_a_repeated_list_element_names_the_field(inproc: InProcess, login: str) -> None:
    body = "<ns1:QueryCalls><ns1:State>FINISHED</ns1:State><ns1:State>DONE</ns1:State></ns1:QueryCalls>"
    code, message = fault_info(inproc.soap(body, login=login))
    assert code == "BAD_REQUEST" and message.startswith("State: 'DONE' is not one of READY")
    assert inproc.sim_requests(login) == []


def bridge_client(tmp_path: Path, **settings: object) -> httpx.Client:
    from bridge.sim.app import create_app as create_sim
    from bridge.wsgi import create_app as create_bridge
    app = create_bridge(Settings(store_path=tmp_path / "store.sqlite3", **settings), upstream="http://sim/v2",
                        transport=httpx.WSGITransport(app=create_sim()))
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://bridge")


@pytest.mark.parametrize("contract, later", [("2014", False), ("live", True)])
def test_the_served_schema_and_answers_follow_the_contract(tmp_path: Path, contract: str, later: bool) -> None:
    client = bridge_client(tmp_path, contract=contract)
    schema = client.get("/api/1.1/wsdl/callfire-data.xsd").text
    assert ('name="AgentCall"' in schema) is later and ('value="ABANDONED"' in schema) is later
    assert "cb:contract" not in schema and "urn:callfire-bridge" not in schema
    envelope = ('<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body>'
                '<GetCall xmlns="http://api.callfire.com/service/xsd"><Id>9652</Id></GetCall></S:Body></S:Envelope>')
    answer = client.post("/api/1.1/soap12/call", content=envelope,
                         headers={"Content-Type": "application/soap+xml", "Authorization": basic("contract-test")})
    assert answer.status_code == 200 and (b"AgentCall" in answer.content) is later


@pytest.mark.parametrize("operation", [op for op in operations() if op.name in NOT_YET], ids=lambda op: op.name)
def test_an_operation_not_served_yet_names_its_v2_replacement(partial: InProcess, login: str, operation) -> None:
    """The fault tells a migrating developer what to call in v2 instead (mappings/replacements.yaml).
    Every operation is served now; `partial` serves two as if they had no strategy yet."""
    inproc = partial
    namespace, _, local = operation.request[1:].partition("}")
    response = inproc.soap(f'<x:{local} xmlns:x="{namespace}"/>', login=login)
    code, message = fault_info(response)
    replacement = load().replacements[operation.name]
    assert code == "NOT_IMPLEMENTED"
    assert message.startswith(f"{operation.name} ({operation.port}) is not implemented by this bridge yet")
    assert all(request in message for request in replacement["v2"]) and replacement["how"] in message
    assert inproc.sim_requests(login) == []
