"""The catalog behind the CLI, docs/mappings.md and the page: one entry per table row,
stable ids, the lookups people ask for, and exports that hold every row."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from bridge.config import ROOT
from bridge.mappings import load
from bridge.reference import build, catalog, lookup
from bridge.reference.export import REGENERATE, to_csv, to_json, to_markdown

TABLES = load()
CATALOG = catalog()
# CallService's sounds and recordings (mappings/call.yaml), after SendCall
SOUND_OPERATIONS = ["CreateSound", "QuerySoundMeta", "GetSoundMeta", "GetSoundData", "GetRecordingData"]
BROADCAST_OPERATIONS = ["CreateBroadcast", "QueryBroadcasts", "GetBroadcast", "UpdateBroadcast", "GetBroadcastStats",
                        "ControlBroadcast", "CreateContactBatch", "QueryContactBatches", "GetContactBatch",
                        "ControlContactBatch", "CreateBroadcastSchedule", "QueryBroadcastSchedule",
                        "GetBroadcastSchedule", "DeleteBroadcastSchedule"]
CONTACT_OPERATIONS = ["QueryContacts", "UpdateContacts", "RemoveContacts", "GetContact", "CreateContactList",
                      "QueryContactLists", "GetContactList", "DeleteContactList", "AddContactsToList",
                      "RemoveContactsFromList"]
TEXT_OPERATIONS = ["SendText", "QueryTexts", "GetText", "CreateAutoReply", "QueryAutoReplies", "GetAutoReply",
                   "DeleteAutoReply"]
SUBSCRIPTION_OPERATIONS = ["CreateSubscription", "QuerySubscriptions", "GetSubscription", "UpdateSubscription",
                           "DeleteSubscription"]
LABEL_OPERATIONS = ["DeleteLabel", "QueryLabels", "LabelBroadcast", "UnlabelBroadcast", "LabelNumber", "UnlabelNumber"]
NUMBER_OPERATIONS = ["QueryRegions", "QueryNumbers", "GetNumber", "ConfigureNumber", "SearchAvailableNumbers",
                     "QueryKeywords", "SearchAvailableKeywords", "CreateNumberOrder", "GetNumberOrder", "Release"]


def yaml_row_count() -> int:
    ops = sum(len(op["request_fields"]) + len(op["response_fields"]) + len(op.get("v2_only", ()))
              for op in TABLES.operations.values())
    entities = sum(len(e["fields"]) + len(e.get("v2_only", ())) + ("any_attribute" in e) for e in TABLES.entities.values())
    enums = sum(len(t.values) for t in TABLES.enums.values())
    errors = TABLES.errors
    faults = (len(errors["v2_status"]) + 2 + len(errors["transport"]) + len(errors["request"])
              + len(errors["error_response"]["fields"])
              + len(errors["error_response"]["v2_only"]))
    postbacks = sum(len(p["fields"]) for p in TABLES.postbacks.values())
    return ops + entities + enums + faults + postbacks


def test_every_table_row_is_one_entry_with_a_unique_anchor_id() -> None:
    ids = [e.id for e in CATALOG.entries]
    assert len(ids) == yaml_row_count() == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


def test_ids_are_stable_names_of_the_row() -> None:
    assert CATALOG.entry("querycalls-request-labelname").v2 == "query.label"
    assert CATALOG.entry("sendcall-request-tonumber-clientdata").v1 == "ToNumber/@ClientData"
    assert CATALOG.entry("call-response-finalresult").v2 == "finalCallResult"
    assert CATALOG.entry("callresult-invalid-number").lossy
    assert CATALOG.entry("broadcaststatus-v2-scheduled").v1 == "START_PENDING"
    assert CATALOG.entry("broadcaststatus-start-pending").v2 == "START_PENDING"
    assert CATALOG.entry("errors-status-404").v1 == "NOT_FOUND"
    assert build(load()) == CATALOG, "the same tables give the same catalog"


def test_operations_name_their_endpoints_entities_enums_and_rules() -> None:
    ops = {op.name: op for op in CATALOG.operations}
    assert list(ops) == ["QueryCalls", "GetCall", "SendCall", *SOUND_OPERATIONS, "GetContactHistory", *CONTACT_OPERATIONS,
                         *BROADCAST_OPERATIONS, *TEXT_OPERATIONS, *NUMBER_OPERATIONS, *LABEL_OPERATIONS,
                         *SUBSCRIPTION_OPERATIONS]
    assert ops["QueryCalls"].endpoints == ("GET /calls",)
    assert ops["SendCall"].endpoints == ("POST /calls/broadcasts?start=true",)
    assert ops["GetContactHistory"].entities[:1] == ("Call",) and "TextRecord" in ops["GetContactHistory"].entities
    assert "Text" not in ops["GetCall"].entities and "Label" in ops["GetCall"].entities
    assert set(ops["SendCall"].enums) == {"BroadcastType", "CallResult", "RetryPhoneType", "AnsweringMachineConfig",
                                         "Voice"}
    assert len(ops["SendCall"].rules) == len(TABLES.operations["SendCall"]["rules"])
    assert "exactly one of VoiceBroadcastConfig, IvrBroadcastConfig" in ops["SendCall"].rules
    assert ops["GetBroadcast"].endpoints == ("GET /calls/broadcasts/{id}", "GET /texts/broadcasts/{id}")
    assert ops["GetBroadcastStats"].entities[:1] == ("CallBroadcastStats",)
    assert ops["SendText"].endpoints == ("POST /texts/broadcasts?start=true", "POST /texts")
    assert set(ops["SendText"].enums) == {"BroadcastType", "BigMessageStrategy"}
    assert ops["QueryAutoReplies"].entities == ("AutoReply",) and "TextRecord" in ops["GetText"].entities
    assert ops["Release"].endpoints == ("PUT /keywords/leases/{keyword}", "PUT /numbers/leases/{number}")
    assert {"Number", "LeaseInfo", "Region", "InboundCallConfiguration", "CallTrackingConfig"} <= set(
        ops["GetNumber"].entities)
    assert set(ops["ConfigureNumber"].enums) == {"NumberFeature", "InboundType"}


def test_entries_know_the_operations_that_carry_them() -> None:
    assert CATALOG.entry("callrecord-response-result").operations == ("QueryCalls", "GetCall", "GetContactHistory")
    assert CATALOG.entry("textrecord-response-result").operations == ("GetContactHistory", "QueryTexts", "GetText")
    assert CATALOG.entry("voice-male1").operations == (
        "SendCall", "CreateSound", "CreateBroadcast", "QueryBroadcasts", "GetBroadcast", "UpdateBroadcast")
    assert CATALOG.entry("soundstatus-v2-recording").operations == ("QuerySoundMeta", "GetSoundMeta")
    assert CATALOG.entry("broadcaststatus-running").operations == ("QueryBroadcasts", "GetBroadcast")


def test_select_filters_by_operation_lossy_and_words() -> None:
    lossy = CATALOG.select(operation="SendCall", lossy_only=True)
    assert {e.id for e in lossy} >= {"sendcall-request-voicebroadcastconfig-localtimezonerestriction-begintime",
                                     "callresult-invalid-number"}
    assert all(e.lossy and "SendCall" in e.operations for e in lossy)
    assert [e.id for e in CATALOG.select(text="label QUERYCALLS")] == ["querycalls-request-labelname"]


def ids(result) -> list[str]:
    return [e.id for e in result.entries]


def test_what_does_invalid_number_become() -> None:
    for terms in (("Result", "INVALID_NUMBER"), ("result", "invalid_number"), ("data:Result", "INVALID_NUMBER")):
        result = lookup(CATALOG, *terms)
        # data:Result is also the type of BroadcastStats/ResultStat/Result (tables CallResultStat, TextResultStat)
        assert ids(result) == ["callresult-invalid-number", "textresult-invalid-number",
                               "callresultstat-invalid-number", "textresultstat-invalid-number"]
        assert all(e.v2 == "" and e.lossy for e in result.entries)
        assert all("matches nothing" in e.note for e in result.entries[:2])
    field = lookup(CATALOG, "FinalResult=INVALID_NUMBER")
    assert ids(field) == ["callresult-invalid-number", "textresult-invalid-number"]
    assert [e.id for e in field.related] == ["call-response-finalresult", "text-response-finalresult"]


def test_which_endpoint_replaces_query_calls_and_what_happens_to_label_name() -> None:
    operation = lookup(CATALOG, "QueryCalls")
    assert operation.kind == "operation" and operation.operations[0].endpoints == ("GET /calls",)
    for query in ("QueryCalls.LabelName", "querycalls.labelname"):
        result = lookup(CATALOG, query)
        assert ids(result) == ["querycalls-request-labelname"]
        assert [op.endpoints for op in result.operations] == [("GET /calls",)]
    assert ids(lookup(CATALOG, "LabelName")) == ["querycalls-request-labelname", "querybroadcasts-request-labelname",
                                                 "querytexts-request-labelname", "querynumbers-request-labelname",
                                                 "deletelabel-request-labelname",
                                                 "labelbroadcast-request-labelname", "unlabelbroadcast-request-labelname",
                                                 "labelnumber-request-labelname", "unlabelnumber-request-labelname"]


def test_v2_names_lead_back_to_v1_fields() -> None:
    assert ids(lookup(CATALOG, "v2:finalCallResult")) == ["call-response-finalresult",
                                                         "call-finished-response-disposition"]
    campaign = lookup(CATALOG, "v2:campaignId")
    assert {(e.table, e.v1) for e in campaign.entries if e.kind == "field"} == {
        ("QueryCalls", "BroadcastId"), ("Call", "BroadcastId"), ("Text", "BroadcastId"),
        ("SendText", "BroadcastId"), ("QueryTexts", "BroadcastId"), ("call-finished", "campaignid"),
        ("call-finished-text-sent", "campaignid"), ("call-finished-text-reply", "campaignid"),
        ("call-finished-text-reply", "replyfromcampaign")}
    assert "recordingmeta-v2only-campaignid" in ids(campaign)
    begin_hour = ids(lookup(CATALOG, "v2:beginHour"))
    assert begin_hour[:4] == [
        "sendcall-request-voicebroadcastconfig-localtimezonerestriction-begintime",
        "sendcall-request-voicebroadcastconfig-localtimezonerestriction-endtime",
        "sendcall-request-ivrbroadcastconfig-localtimezonerestriction-begintime",
        "sendcall-request-ivrbroadcastconfig-localtimezonerestriction-endtime"]
    assert set(begin_hour[4:]) == {
        f"{op}-request-broadcast-{config}broadcastconfig-localtimezonerestriction-{end}"
        for op in ("createbroadcast", "updatebroadcast") for config in ("voice", "text", "ivr")
        for end in ("begintime", "endtime")} | {"localtimezonerestriction-response-begintime"} | {
        f"sendtext-request-textbroadcastconfig-localtimezonerestriction-{end}" for end in ("begintime", "endtime")}
    # v2 has a `scheduled` parameter as well as the status SCHEDULED: a v2 name finds the parameter,
    # the status is found as a value.
    assert ids(lookup(CATALOG, "v2:SCHEDULED")) == ["querybroadcasts-v2only-query-scheduled",
                                                   "getbroadcastschedule-v2only-query-scheduled",
                                                   "deletebroadcastschedule-v2only-query-scheduled",
                                                   "deletelabel-v2only-query-scheduled",
                                                   "querylabels-v2only-query-scheduled"]
    assert ids(lookup(CATALOG, "BroadcastStatus", "SCHEDULED")) == ["broadcaststatus-v2-scheduled"]


def test_scoped_and_table_lookups() -> None:
    assert ids(lookup(CATALOG, "Call.State")) == ["call-response-state"]
    assert ids(lookup(CATALOG, "ClientData")) == ["sendcall-request-tonumber-clientdata",
                                                  "createcontactbatch-request-tonumber-clientdata",
                                                  "sendtext-request-tonumber-clientdata"]
    status = lookup(CATALOG, "BroadcastStatus")
    assert status.kind == "enum" and len(status.entries) == len(TABLES.enums["BroadcastStatus"].values)


@pytest.mark.parametrize("terms, suggestion", [
    (("labelnme",), "LabelName"), (("Result", "INVALID_NUMBR"), "INVALID_NUMBER"),
    (("v2:campainId",), "v2:campaignId"), (("Reslt", "BUSY"), "Result")])
def test_no_match_suggests_close_names(terms: tuple[str, ...], suggestion: str) -> None:
    result = lookup(CATALOG, *terms)
    assert not result.found and result.entries == () and suggestion in result.suggestions


def test_csv_export_holds_every_entry() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(CATALOG))))
    assert [r["id"] for r in rows] == [e.id for e in CATALOG.entries]
    label = next(r for r in rows if r["id"] == "querycalls-request-labelname")
    assert (label["v1"], label["v2"], label["convert"], label["lossy"]) == ("LabelName", "query.label", "string", "false")
    assert next(r for r in rows if r["id"] == "callresult-invalid-number")["lossy"] == "true"


def test_json_export_holds_every_entry_operation_and_table() -> None:
    document = json.loads(to_json(CATALOG))
    assert [e["id"] for e in document["entries"]] == [e.id for e in CATALOG.entries]
    assert [op["name"] for op in document["operations"]] == [op.name for op in CATALOG.operations]
    assert {t["name"] for t in document["tables"]} >= {"Call", "CallResult", "BroadcastStatus", "errors"}


def markdown_rows(text: str) -> list[str]:
    """Data rows of every table after the operations overview."""
    tables = text.split("\n## ", 2)[2]
    return [line for line in tables.splitlines()
            if line.startswith("| ") and not line.startswith("| ---") and not re.match(r"\| (v1\.1|v2 only|v2) \|", line)]


def test_markdown_export_has_one_table_row_per_entry() -> None:
    text = to_markdown(CATALOG)
    assert len(markdown_rows(text)) == len(CATALOG.entries)
    assert "| `LabelName` | `query.label` | `string` |" in text
    assert "| `INVALID_NUMBER` | (none) | request | lossy |" in text


def test_docs_mappings_md_is_the_current_export() -> None:
    committed = (ROOT / "docs" / "mappings.md").read_text(encoding="utf-8")
    assert REGENERATE in committed
    assert committed == to_markdown(CATALOG), f"docs/mappings.md is out of date: run `{REGENERATE}`"
