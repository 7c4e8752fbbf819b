"""`explain` prints the request the bridge really sends: for each documentation example it
is compared with what the simulator received when the bridge served the same request."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import parse_qsl

import pytest

from conftest import InProcess

EXAMPLES = {
    # v1.1-QueryCalls.txt: MaxResults 100, FirstResult 0, BroadcastId 327
    "QueryCalls": "<ns1:QueryCalls><ns1:MaxResults>100</ns1:MaxResults><ns1:FirstResult>0</ns1:FirstResult>"
                  "<ns1:BroadcastId>327</ns1:BroadcastId></ns1:QueryCalls>",
    # v1.1-GetContactHistory.txt: ContactId 3
    "GetContactHistory": "<ns1:GetContactHistory><ns1:ContactId>3</ns1:ContactId></ns1:GetContactHistory>",
    # v1.1-SendCall.txt
    "SendCall": "<ns1:SendCall><ns1:BroadcastName>Test API SendCall Broadcast</ns1:BroadcastName>"
                "<ns1:ToNumber>18185551212</ns1:ToNumber><d:VoiceBroadcastConfig>"
                "<d:FromNumber>13105551212</d:FromNumber><d:AnsweringMachineConfig>LIVE_IMMEDIATE"
                "</d:AnsweringMachineConfig><d:LiveSoundId>9</d:LiveSoundId></d:VoiceBroadcastConfig></ns1:SendCall>",
    "GetCall": "<ns1:GetCall><ns1:Id>9652</ns1:Id></ns1:GetCall>",
    "QueryCalls paged": "<ns1:QueryCalls><ns1:MaxResults>250</ns1:MaxResults><ns1:FirstResult>30</ns1:FirstResult>"
                        "<ns1:BroadcastId>500</ns1:BroadcastId><ns1:State>FINISHED READY</ns1:State></ns1:QueryCalls>",
    # TextService: a new broadcast, or POST /texts through an existing one (610) or the default one
    "SendText": "<ns1:SendText><ns1:ToNumber ClientData='c1'>12135550600 12135550601</ns1:ToNumber>"
                "<d:TextBroadcastConfig><d:FromNumber>67076</d:FromNumber><d:Message>Hello</d:Message>"
                "<d:BigMessageStrategy>TRIM</d:BigMessageStrategy></d:TextBroadcastConfig></ns1:SendText>",
    "SendText BroadcastId": "<ns1:SendText><ns1:ToNumber>12135550602</ns1:ToNumber><d:TextBroadcastConfig>"
                            "<d:Message>Hi</d:Message></d:TextBroadcastConfig><ns1:BroadcastId>610</ns1:BroadcastId>"
                            "</ns1:SendText>",
    "SendText UseDefaultBroadcast": "<ns1:SendText><ns1:ToNumber>12135550603</ns1:ToNumber><d:TextBroadcastConfig>"
                                    "<d:Message>Hi</d:Message></d:TextBroadcastConfig>"
                                    "<ns1:UseDefaultBroadcast>true</ns1:UseDefaultBroadcast></ns1:SendText>",
    "QueryTexts": "<ns1:QueryTexts><ns1:MaxResults>50</ns1:MaxResults><ns1:BroadcastId>610</ns1:BroadcastId><ns1:Result>SENT DNT LA</ns1:Result>"
                  "</ns1:QueryTexts>",
    "CreateAutoReply": "<ns1:CreateAutoReply><d:AutoReply><d:Number>67076</d:Number><d:Match>HI</d:Match>"
                       "<d:Message>Hello</d:Message></d:AutoReply></ns1:CreateAutoReply>",
    "QueryAutoReplies": "<ns1:QueryAutoReplies><ns1:MaxResults>1</ns1:MaxResults><ns1:Number>67076</ns1:Number>"
                        "</ns1:QueryAutoReplies>",
    "DeleteAutoReply": "<ns1:DeleteAutoReply><ns1:Id>1</ns1:Id></ns1:DeleteAutoReply>",
    # NumberService: a Number is a lease and its config (two reads, two PUTs); Release is autoRenew false
    "QueryNumbers": "<ns1:QueryNumbers><ns1:MaxResults>10</ns1:MaxResults><d:Region><d:State>CA</d:State></d:Region>"
                    "<ns1:LabelName>main</ns1:LabelName></ns1:QueryNumbers>",
    "GetNumber": "<ns1:GetNumber><ns1:Number>+18885550123</ns1:Number></ns1:GetNumber>",
    "ConfigureNumber": "<ns1:ConfigureNumber><ns1:Number>13105551212</ns1:Number><d:NumberConfiguration>"
                       "<d:TextFeature>DISABLED</d:TextFeature><d:InboundCallConfiguration><d:CallTrackingConfig>"
                       "<d:TransferNumber>12135550100</d:TransferNumber><d:Screen>true</d:Screen></d:CallTrackingConfig>"
                       "</d:InboundCallConfiguration></d:NumberConfiguration></ns1:ConfigureNumber>",
    "SearchAvailableNumbers": "<ns1:SearchAvailableNumbers><d:Region><d:City>Chicago</d:City></d:Region>"
                              "<ns1:TollFree>1</ns1:TollFree><ns1:Count>5</ns1:Count></ns1:SearchAvailableNumbers>",
    "CreateNumberOrder": "<ns1:CreateNumberOrder><ns1:BulkLocal><ns1:Count>2</ns1:Count><d:Region>"
                         "<d:Zipcode>60601</d:Zipcode></d:Region></ns1:BulkLocal></ns1:CreateNumberOrder>",
    "Release": "<ns1:Release><ns1:Number>67076</ns1:Number><ns1:Keyword>WHITEN</ns1:Keyword></ns1:Release>",
    # ContactService: the id check, PUT and POST; a list from numbers
    "UpdateContacts": "<ns1:UpdateContacts><d:Contact id='3' zipcode='94105' tier='gold'/>"
                      "<d:Contact firstName='New' homePhone='12135550930'/></ns1:UpdateContacts>",
    "CreateContactList": "<ns1:CreateContactList><ns1:Name>Numbers</ns1:Name><ns1:ContactSource>"
                         "<ns1:Numbers>12135550931 12135550932</ns1:Numbers></ns1:ContactSource></ns1:CreateContactList>",
}
NAMESPACES = ('xmlns:ns1="http://api.callfire.com/service/xsd" xmlns:d="http://api.callfire.com/data"')


def bare(body: str) -> bytes:
    """The request element alone, namespaces declared on it (what a user pastes)."""
    name_end = body.index(">") if " " not in body[:body.index(">")] else body.index(" ")
    return (body[:name_end] + " " + NAMESPACES + body[name_end:]).encode()


def canonical(method: str, path: str, query: dict, body: object) -> str:
    return json.dumps([method, path, query, body], sort_keys=True)


def received(inproc: InProcess, login: str) -> list[str]:
    return sorted(canonical(r["method"], r["path"].removeprefix("/v2"),
                            {k: (v if isinstance(v, str) else ",".join(v)) for k, v in r["query"].items()},
                            r["body"]) for r in inproc.sim_requests(login))


def explained(result: dict) -> list[str]:
    return sorted(canonical(r["method"], r["path"], dict(r["query"]), r["json"]) for r in result["requests"])


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_explain_is_what_the_simulator_received(inproc: InProcess, login: str, name: str) -> None:
    result = inproc.client.post("/explain", content=bare(EXAMPLES[name])).json()
    response = inproc.soap(EXAMPLES[name], login=login)
    assert response.status_code == 200, response.text
    assert explained(result) == received(inproc, login)
    assert result["requests"], "every example makes at least one v2 request"
    for request in result["requests"]:
        assert request["curl"].startswith("curl -u ")
        assert dict(parse_qsl(request["url"].partition("?")[2])) == dict(request["query"])
    assert "client = httpx.Client(" in result["python"]


def test_explain_accepts_a_whole_envelope_and_lists_lossy_fields(inproc: InProcess) -> None:
    envelope = ('<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
                '<QueryCalls xmlns="http://api.callfire.com/service/xsd"><State>READY RESTRICTED_NUMBER</State>'
                '<Result>INVALID_NUMBER LA</Result></QueryCalls></S:Body></S:Envelope>')
    result = inproc.client.post("/explain", content=envelope).json()
    assert result["operation"] == "QueryCalls"
    assert dict(result["requests"][0]["query"])["states"] == "READY,CALLBACK,DISABLED"  # the 2014 view: CALLBACK and DISABLED are shown READY
    assert any(note.startswith("State: RESTRICTED_NUMBER dropped") for note in result["lossy"])
    assert any(note.startswith("Result: INVALID_NUMBER dropped") for note in result["lossy"])


def test_explain_of_a_filter_that_can_only_match_nothing_sends_nothing(inproc: InProcess) -> None:
    result = inproc.client.post("/explain", content=b"<QueryCalls><State>RESTRICTED_NUMBER</State></QueryCalls>").json()
    assert result["requests"] == [] and result["notes"][0].startswith("No v2 request")


def test_explain_reports_what_is_wrong_with_a_request(inproc: InProcess) -> None:
    response = inproc.client.post("/explain", content=b"<SendCall><ToNumber>13105551212</ToNumber></SendCall>")
    assert response.status_code == 400
    assert response.json() == {"fault": "BAD_REQUEST",
                               "message": "VoiceBroadcastConfig or IvrBroadcastConfig: one is required"}


def test_the_cli_explains_a_file_as_the_endpoint_does(inproc: InProcess, tmp_path) -> None:
    request = tmp_path / "SendCall.xml"
    request.write_bytes(bare(EXAMPLES["SendCall"]))
    done = subprocess.run([sys.executable, "-m", "bridge.cli", "explain", str(request), "--json",
                           "--base-url", "http://sim/v2"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    from_cli = json.loads(done.stdout)
    from_endpoint = inproc.client.post("/explain", content=request.read_bytes()).json()
    assert from_cli == from_endpoint
    text = subprocess.run([sys.executable, "-m", "bridge.cli", "explain", str(request)],
                          capture_output=True, text=True, timeout=60).stdout
    assert text.startswith("SendCall: 1 v2 request(s)")
    assert "curl -u \"$CALLFIRE_LOGIN:$CALLFIRE_PASSWORD\" -X POST 'https://api.callfire.com/v2/calls/broadcasts?start=true'" in text


def test_the_cli_names_the_problem_and_fails(tmp_path) -> None:
    done = subprocess.run([sys.executable, "-m", "bridge.cli", "explain", "-"], input=b"<GetCall/>",
                          capture_output=True, timeout=60)
    assert done.returncode == 1 and done.stderr.decode().strip() == "BAD_REQUEST: Id: is required"


def test_explain_names_what_the_2014_contract_cannot_show_in_the_answer(inproc: InProcess, tmp_path) -> None:
    answer = inproc.client.post("/explain", content=b"<GetCall><Id>9652</Id></GetCall>").json()["answer"]
    assert "Call/AgentCall is not written: not in the 2014 contract (serve --contract live)" in answer
    assert "CallRecord/Result: v2 ABANDONED is written as LA (2014 contract; ABANDONED live)" in answer
    assert "Call/State: v2 CALLBACK is written as READY (2014 contract; CALLBACK live)" in answer
    request = tmp_path / "GetCall.xml"
    request.write_bytes(b"<GetCall><Id>9652</Id></GetCall>")
    live = subprocess.run([sys.executable, "-m", "bridge.cli", "explain", str(request), "--json", "--contract", "live"],
                          capture_output=True, text=True, timeout=60)
    assert json.loads(live.stdout)["answer"] == []


def test_explain_names_what_post_texts_cannot_carry(inproc: InProcess) -> None:
    request = ("<SendText><BroadcastName>Mine</BroadcastName><ToNumber>12135550604</ToNumber><TextBroadcastConfig>"
               "<Message>Hi</Message><BigMessageStrategy>DO_NOT_SEND</BigMessageStrategy></TextBroadcastConfig>"
               "<BroadcastId>610</BroadcastId></SendText>")
    result = inproc.client.post("/explain", content=request.encode()).json()
    [sent] = result["requests"]
    assert (sent["method"], sent["path"], sent["json"]) == ("POST", "/texts", [{"phoneNumber": "12135550604"}])
    assert [note.partition(":")[0] for note in result["lossy"]] == ["BroadcastName", "TextBroadcastConfig/BigMessageStrategy"]


def test_explain_shows_one_request_for_a_whole_window(inproc: InProcess, tmp_path) -> None:
    query = b"<QueryCalls><MaxResults>1000</MaxResults><BroadcastId>500</BroadcastId></QueryCalls>"
    result = inproc.client.post("/explain", content=query).json()
    assert [(r["method"], r["path"], dict(r["query"])) for r in result["requests"]] == [
        ("GET", "/calls", {"campaignId": "500", "limit": "1000", "offset": "0"})]
    assert any(note.startswith("One v2 request for the whole window") and "at most 1000" in note
               for note in result["notes"])
    # A smaller configured maximum: the dry run shows every page of the window.
    request = tmp_path / "QueryCalls.xml"
    request.write_bytes(query)
    done = subprocess.run([sys.executable, "-m", "bridge.cli", "explain", str(request), "--json"], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "CALLFIRE_BRIDGE_V2_PAGE_SIZE": "400"})
    assert done.returncode == 0, done.stderr
    explained = json.loads(done.stdout)
    assert [(dict(r["query"])["offset"], dict(r["query"])["limit"]) for r in explained["requests"]] == [
        ("0", "400"), ("400", "400"), ("800", "200")]
    assert any("at most 400" in note for note in explained["notes"])
