"""call-finished and campaign-finished XML from v2 JSON, by mappings/postbacks.yaml."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from lxml import etree

from bridge.contract.variants import Contract
from bridge.mappings import load
from bridge.postbacks.payloads import render
from bridge.translate.convert import Conversions

CONV = Conversions(ZoneInfo("America/Los_Angeles"), load().enums, Contract.V2014, 1)
CALL = {"id": 111111, "campaignId": 22222, "toNumber": "12132212289", "fromNumber": "18778973473",
        "inbound": False, "state": "FINISHED", "finalCallResult": "ABANDONED", "labels": ["sales number", "houston"],
        "attributes": {"plan": "gold"}, "notes": [{"created": 1, "text": "call back Tuesday"}],
        "records": [{"id": 1, "result": "BUSY", "originateTime": 1269471000000, "duration": 0},
                    {"id": 2, "result": "ABANDONED", "originateTime": 1269471498000, "duration": 35,
                     "questionResponses": [{"question": "bigconcern", "response": "economy"},
                                           {"question": "willvote", "response": "yes"}],
                     "recordings": [{"id": 9, "mp3Url": "https://api.callfire.com/v2/calls/recordings/9.mp3"}]}]}


def text_of(xml: bytes, path: str) -> list[str]:
    return [e.text or "" for e in etree.fromstring(xml).findall(path)]


def test_call_finished_has_the_documented_elements_and_forms():
    xml = render("call-finished", CALL, CONV)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<call-finished>")
    root = etree.fromstring(xml)
    assert [child.tag for child in root] == [
        "callid", "campaignid", "phonenumber", "dnis", "tags", "disposition", "duration", "callstart", "notes",
        "extra-data", "agentid", "agentresponse", "responsetime", "stored-data", "recordings"]
    assert text_of(xml, "phonenumber") == ["2132212289"] and text_of(xml, "dnis") == ["8778973473"]
    assert text_of(xml, "tags/tag") == ["sales number", "houston"]
    assert text_of(xml, "disposition") == ["LA"]                    # ABANDONED under the 2014 contract
    assert text_of(xml, "duration") == ["35"]                       # the last attempt's
    assert text_of(xml, "callstart") == ["2010-03-24 15:58:18.0"]   # Los Angeles time, Timestamp's form
    assert text_of(xml, "extra-data") == ["plan=gold"] and text_of(xml, "notes") == ["call back Tuesday"]
    assert [(v.get("name"), v.text) for v in root.findall("stored-data/var")] == [
        ("bigconcern", "economy"), ("willvote", "yes")]
    assert text_of(xml, "recordings/file") == ["https://api.callfire.com/v2/calls/recordings/9.mp3"]
    assert text_of(xml, "agentid") == [""]


def test_text_variants():
    sent = {"id": 5, "campaignId": 7, "toNumber": "12132212289", "fromNumber": "88202", "inbound": False,
            "message": "hello", "finalTextResult": "SENT", "created": 1309220335250,
            "records": [{"id": 3, "message": "hello", "finishTime": 1309220335250}]}
    xml = render("call-finished-text-sent", sent, CONV)
    assert text_of(xml, "smssent") == ["hello"] and text_of(xml, "dnis") == ["88202"]
    assert text_of(xml, "callstart") == ["2011-06-27 17:18:55.25"]
    reply = {"id": 6, "campaignId": 2740908, "fromNumber": "12132212289", "toNumber": "88202", "inbound": True,
             "message": "Reply message", "created": 1309220335000}
    xml = render("call-finished-text-reply", reply, CONV)
    assert text_of(xml, "smsreceived") == ["Reply message"] and text_of(xml, "replyfromcampaign") == ["2740908"]
    assert text_of(xml, "disposition") == ["RECEIVED"] and text_of(xml, "phonenumber") == ["2132212289"]


def test_campaign_finished():
    stats = {"totalOutboundCount": 100, "dialedCount": 100, "liveCount": 48, "answeringMachineCount": 24,
             "noAnswerCount": 12, "doNotCallCount": 0, "busyCount": 6, "transferCount": 10, "errorCount": 0,
             "miscCount": 0, "billedAmount": 2.25}
    xml = render("campaign-finished", {"broadcast": {"id": 22222, "name": "My Campaign Name", "status": "FINISHED"},
                                       "stats": stats}, CONV)
    assert text_of(xml, "campaign/status") == ["finished"] and text_of(xml, "campaign/cost") == ["$2.25"]
    counts = {e.tag: e.text for e in etree.fromstring(xml).find("campaign/campaign-stats")}
    assert counts == {"total": "100", "dialed": "100", "live": "48", "machine": "24", "noanswer": "12", "dnc": "0",
                      "busy": "6", "transfer": "10", "error": "0", "misc": "0"}


def test_postback_rows_are_in_the_mapping_catalog():
    from bridge.reference import catalog, lookup
    found = lookup(catalog(), "call-finished")
    assert found.kind == "field" and [e.v1 for e in found.entries][:3] == ["callid", "campaignid", "phonenumber"]
    disposition = catalog().entry("call-finished-response-disposition")
    assert (disposition.v2, disposition.convert) == ("finalCallResult", "enum:CallResult")
