"""Translation without a server: converters, the table engine, and the round trips."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from bridge.errors import BridgeFault, FaultCode
from bridge.mappings import load
from bridge.contract.variants import Contract
from bridge.orchestrate.generic import find
from bridge.translate import call, contact
from bridge.translate.convert import (
    Conversions, format_datetime, parse_time, to_datetime_ms, to_recipients)
from bridge.translate.engine import entity_writer, request_map
from bridge.v2.client import Page
from conftest import REFERENCE

ZONES = ["UTC", "America/Los_Angeles", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Kiritimati"]
UTC = Conversions(ZoneInfo("UTC"), load().enums)  # the default: CallFire's 2014 contract
LIVE = Conversions(ZoneInfo("UTC"), load().enums, Contract.LIVE)
SAMPLES = REFERENCE / "v2" / "samples"


def conv(zone: str) -> Conversions:
    return Conversions(ZoneInfo(zone), load().enums)


# ---- xs:dateTime <-> Unix ms -------------------------------------------------------------

@given(ms=st.integers(min_value=0, max_value=4_102_444_800_000), zone=st.sampled_from(ZONES))
def test_unix_ms_survives_a_round_trip_through_xs_datetime(ms: int, zone: str) -> None:
    text = format_datetime(ms, ZoneInfo(zone))
    assert text[-6] in "+-" and text[-3] == ":", "output always carries an explicit offset"
    assert to_datetime_ms(text, "Created", conv("UTC")) == ms


@given(moment=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)),
       offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
       style=st.sampled_from(["offset", "Z", "naive"]))
def test_any_xs_datetime_lexical_form_gives_the_instant_it_names(moment: datetime, offset_minutes: int,
                                                                  style: str) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    zone = ZoneInfo("America/Los_Angeles")
    if style == "Z":
        aware = moment.replace(tzinfo=timezone.utc)
        text = moment.isoformat() + "Z"
    elif style == "offset":
        aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
        text = aware.isoformat()
    else:  # no offset: the bridge's configured zone; the hour repeated when clocks go back is
        # read as its first occurrence (a lexical form without an offset cannot say which)
        aware = moment.replace(tzinfo=zone, fold=0)
        text = moment.isoformat()
    expected = round(aware.timestamp() * 1000)
    assert to_datetime_ms(text, "IntervalBegin", conv("America/Los_Angeles")) == expected


def test_documented_call_time_is_reproduced_in_callfire_zone() -> None:
    ms = to_datetime_ms("2013-03-07T12:01:59-08:00", "Created", UTC)
    assert ms == 1362686519000
    assert format_datetime(ms, ZoneInfo("America/Los_Angeles")) == "2013-03-07T12:01:59-08:00"
    assert format_datetime(ms, ZoneInfo("UTC")) == "2013-03-07T20:01:59+00:00"


@pytest.mark.parametrize("text", ["2013-03-07", "yesterday", "2013-13-07T00:00:00Z", "1362686519000",
                                  "2013-03-07T12:01:59+0800"])
def test_bad_datetimes_fault_naming_the_field(text: str) -> None:
    with pytest.raises(BridgeFault) as info:
        to_datetime_ms(text, "IntervalEnd", UTC)
    assert info.value.code is FaultCode.BAD_REQUEST
    assert info.value.message.startswith("IntervalEnd:")


# ---- xs:time -> LocalTimeRestriction -------------------------------------------------------

@given(hour=st.integers(0, 23), minute=st.integers(0, 59), second=st.integers(0, 59))
def test_begin_and_end_times_carry_hour_and_minute(hour: int, minute: int, second: int) -> None:
    text = f"{hour:02d}:{minute:02d}:{second:02d}"
    assert parse_time(text, "BeginTime") == (hour, minute, second)
    request = {"ToNumber": [{"_": "13105551212"}],
               "VoiceBroadcastConfig": {"LiveSoundId": "9",
                                        "LocalTimeZoneRestriction": {"BeginTime": text, "EndTime": "21:30:00"}}}
    body = call.send_call(request, UTC).body
    assert body["localTimeRestriction"] == {"enabled": True, "beginHour": hour, "beginMinute": minute,
                                            "endHour": 21, "endMinute": 30}


# ---- phone lists ---------------------------------------------------------------------------

numbers = st.lists(st.from_regex(r"1[2-9][0-9]{9}", fullmatch=True), min_size=1, max_size=6)
separators = st.sampled_from([" ", ",", ", ", "\n", "  ,  "])


@given(groups=st.lists(st.tuples(numbers, separators, st.one_of(st.none(), st.text(min_size=1, max_size=8))),
                       min_size=1, max_size=4),
       plus=st.booleans())
def test_every_toNumber_form_becomes_recipients_in_order(groups, plus: bool) -> None:
    elements, expected = [], []
    for phones, separator, client_data in groups:
        text = separator.join(("+" if plus else "") + p for p in phones)
        element = {"_": text} if client_data is None else {"_": text, "@ClientData": client_data}
        elements.append(element)
        for phone in phones:
            recipient = {"phoneNumber": phone}
            if client_data is not None:
                recipient["attributes"] = {"ClientData": client_data}
            expected.append(recipient)
    assert to_recipients(elements, "ToNumber", UTC) == expected


def test_a_bad_number_names_the_field() -> None:
    with pytest.raises(BridgeFault, match=r"^ToNumber: 'call-me' is not a phone number"):
        to_recipients([{"_": "13105551212 call-me"}], "ToNumber", UTC)


# ---- enums -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(load().enums))
def test_every_mapped_enum_value_comes_back_unchanged(name: str) -> None:
    table = load().enums[name]
    to_v2, to_v1 = table.to_v2(), table.to_v1()
    for v1, v2 in to_v2.items():
        if v2 is not None:
            assert to_v1[v2] == v1


def test_filters_drop_values_v2_lacks_and_match_nothing_when_none_is_left() -> None:
    plan = request_map("QueryCalls").translate({"State": "FINISHED RESTRICTED_NUMBER", "Result": "LA,SENT  BUSY"}, LIVE)
    assert plan.query["states"] == "FINISHED" and plan.query["results"] == "LA,BUSY"
    assert not plan.match_nothing
    assert request_map("QueryCalls").translate({"Result": "INVALID_NUMBER SENT"}, UTC).match_nothing
    assert request_map("QueryCalls").translate({"State": "RESTRICTED_NUMBER"}, UTC).match_nothing
    empty = request_map("QueryCalls").translate({"BroadcastId": "327", "State": [""], "Result": "  "}, UTC)
    assert empty.query == {"campaignId": 327} and not empty.match_nothing
    repeated = request_map("QueryCalls").translate({"State": ["FINISHED", "INVALID RESTRICTED_NUMBER"], "Result": ["LA", "AM,LA"]}, LIVE)
    assert repeated.query["states"] == "FINISHED,INVALID" and repeated.query["results"] == "LA,AM"


@pytest.mark.parametrize("operation, field, asked, v2", [
    ("QueryCalls", "State", "READY", "READY,CALLBACK,DISABLED"),
    ("QueryCalls", "State", "FINISHED INVALID", "FINISHED,SKIPPED,INVALID"),
    ("QueryCalls", "State", "TIMEOUT", "TIMEOUT,PERIOD_LIMIT"),
    ("QueryCalls", "Result", "LA", "LA,ABANDONED"),
    ("QueryCalls", "Result", "AM BUSY", "AM,SD,BUSY"),
    ("QueryCalls", "Result", "UNDIALED", "UNDIALED,POSTPONED,SKIPPED"),
    ("QueryTexts", "State", "READY", "READY,CALLBACK,DISABLED"),
    ("QueryTexts", "Result", "SENT", "SENT"),
])
def test_a_2014_filter_also_asks_for_the_later_values_shown_as_it(operation: str, field: str, asked: str,
                                                                   v2: str) -> None:
    """A 2014 client's State=READY must find the CALLBACK call the bridge shows it as READY; under
    --contract live the bridge shows CALLBACK as CALLBACK, so the filter stays exact."""
    target = {"State": "states", "Result": "results"}[field]
    assert request_map(operation).translate({field: asked}, UTC).query[target] == v2
    assert request_map(operation).translate({field: asked}, LIVE).query[target] == asked.replace(" ", ",")
    written = {value: entity_writer("Call")({"state": value, "finalCallResult": value}, UTC)
               for value in v2.split(",")}
    shown = [w.get("State") if field == "State" else w.get("FinalResult") for w in written.values()]
    if operation == "QueryCalls":
        assert set(shown) == set(asked.split())  # every value asked for reads back as one asked


def test_unknown_enum_values_fault_and_list_the_allowed_ones() -> None:
    with pytest.raises(BridgeFault, match=r"^State: 'DONE' is not one of READY, SELECTED"):
        request_map("QueryCalls").translate({"State": "FINISHED DONE"}, UTC)


# ---- the engine on whole operations ---------------------------------------------------------

def test_query_calls_maps_every_filter() -> None:
    plan = request_map("QueryCalls").translate({
        "MaxResults": "100", "FirstResult": "20", "BroadcastId": "327", "BatchId": "331",
        "State": "READY SELECTED", "Result": "LA AM", "Inbound": "false",
        "IntervalBegin": "2013-03-07T12:01:59-08:00", "IntervalEnd": "2013-03-08T00:00:00Z",
        "FromNumber": "+13105551212", "ToNumber": ["18185551212"], "LabelName": "vip"}, UTC)
    assert (plan.method, plan.path) == ("GET", "/calls")
    assert plan.paging == {"count": 100, "offset": 20}
    assert plan.query == {"campaignId": 327, "batchId": 331, "states": "READY,CALLBACK,DISABLED,SELECTED",
                          "results": "LA,ABANDONED,AM,SD",
                          "inbound": False, "intervalBegin": 1362686519000, "intervalEnd": 1362700800000,
                          "fromNumber": "13105551212", "toNumber": "18185551212", "label": "vip"}


def test_query_calls_defaults_and_limits() -> None:
    assert request_map("QueryCalls").translate({}, UTC).paging == {"count": 1000, "offset": 0}
    with pytest.raises(BridgeFault, match="^MaxResults: 1001 is over the v1.1 limit of 1000"):
        request_map("QueryCalls").translate({"MaxResults": "1001"}, UTC)
    with pytest.raises(BridgeFault, match="^FirstResult: -1 is negative"):
        request_map("QueryCalls").translate({"FirstResult": "-1"}, UTC)


def test_several_to_numbers_fan_out_and_merge_newest_first() -> None:
    plan = request_map("QueryCalls").translate({"ToNumber": ["13105551212 18185551212", "13105551212"]}, UTC)
    assert plan.fan_out == ("toNumber", ("13105551212", "18185551212"))
    pages = {"13105551212": [{"id": 3, "created": 30}, {"id": 1, "created": 10}],
             "18185551212": [{"id": 2, "created": 20}]}

    class OnePagePerNumber:  # a v2 client whose GET /calls answers one page per toNumber
        def fetch_range(self, path: str, *, authorization: str, params: dict, offset: int, count: int) -> Page:
            return Page(pages[params["toNumber"]][offset:offset + count], len(pages[params["toNumber"]]))

    plan.paging = {"offset": 1, "count": 5}
    runtime = SimpleNamespace(dry_run=False, settings=SimpleNamespace(v2_concurrency=4))
    window = find(SimpleNamespace(v2=OnePagePerNumber(), authorization="Basic x", runtime=runtime), None, plan)
    assert [c["id"] for c in window["items"]] == [2, 1] and window["totalCount"] == 3


def test_send_call_documentation_example() -> None:
    request = {"BroadcastName": "Test API SendCall Broadcast", "ToNumber": [{"_": "18185551212"}],
               "VoiceBroadcastConfig": {"FromNumber": "13105551212", "AnsweringMachineConfig": "LIVE_IMMEDIATE",
                                        "LiveSoundId": "9"}}
    plan = call.send_call(request, UTC)
    assert (plan.method, plan.path, plan.query) == ("POST", "/calls/broadcasts", {"start": True})
    assert plan.body == {"name": "Test API SendCall Broadcast", "recipients": [{"phoneNumber": "18185551212"}],
                         "fromNumber": "13105551212", "answeringMachineConfig": "LIVE_IMMEDIATE",
                         "sounds": {"liveSoundId": 9}}


def test_send_call_ivr_retry_labels_and_scrub() -> None:
    request = {"Type": "IVR", "ToNumber": [{"_": "13105551212,13105551212 12135551212"}],
               "ScrubBroadcastDuplicates": "true", "Label": ["a", "b"], "MaxActive": "5",
               "IvrBroadcastConfig": {"DialplanXml": "<dialplan><play type='tts'>Hi</play></dialplan>",
                                      "RetryConfig": {"MaxAttempts": "2", "RetryResults": "BUSY NO_ANS SENT",
                                                      "RetryPhoneTypes": "MOBILE_PHONE"}}}
    body = call.send_call(request, UTC).body
    assert body["recipients"] == [{"phoneNumber": "13105551212"}, {"phoneNumber": "12135551212"}]
    assert body["labels"] == ["a", "b"] and body["maxActive"] == 5
    assert body["retryConfig"] == {"maxAttempts": 2, "retryResults": ["BUSY", "NO_ANS"],
                                   "retryPhoneTypes": ["MOBILE_PHONE"]}
    assert body["dialplanXml"].startswith("<dialplan>") and "sounds" not in body


@pytest.mark.parametrize("request_, message", [
    ({"ToNumber": [{"_": "13105551212"}]}, "VoiceBroadcastConfig or IvrBroadcastConfig: one is required"),
    ({"ToNumber": [{"_": "13105551212"}], "VoiceBroadcastConfig": {"FromNumber": "13105551212"}},
     "VoiceBroadcastConfig/LiveSoundText or VoiceBroadcastConfig/LiveSoundId or"),
    ({"VoiceBroadcastConfig": {"LiveSoundId": "9"}}, "ToNumber: is required"),
    ({"ToNumber": [{"_": "1"}], "Type": "TEXT", "VoiceBroadcastConfig": {"LiveSoundId": "9"}},
     "Type: TEXT broadcasts cannot be sent with SendCall"),
    ({"ToNumber": [{"_": "1"}], "Type": "IVR", "VoiceBroadcastConfig": {"LiveSoundId": "9"}},
     "Type: IVR needs IvrBroadcastConfig"),
    ({"ToNumber": [{"_": "1"}], "IvrBroadcastConfig": {"DialplanXml": "<dialplan>"}},
     "IvrBroadcastConfig/DialplanXml: is not well-formed XML"),
    ({"ToNumber": [{"_": "1"}], "VoiceBroadcastConfig": {"LiveSoundId": "9", "LiveSoundTextVoice": "ROBOT"}},
     "VoiceBroadcastConfig/LiveSoundTextVoice: 'ROBOT' is not one of MALE1"),
])
def test_send_call_refuses_what_v1_1_refused(request_: dict, message: str) -> None:
    with pytest.raises(BridgeFault) as info:
        call.send_call(request_, UTC)
    assert info.value.code is FaultCode.BAD_REQUEST
    assert info.value.message.startswith(message)


# ---- responses -------------------------------------------------------------------------------

def sample_v2_call() -> dict:
    v2 = json.loads((SAMPLES / "callfire-api-client-java/src/test/resources/com/callfire/api/client/api/"
                     "callstexts/callsApi/response/findCalls.json").read_text())["items"][0]
    return {**v2, "attributes": {"ClientData": "order-7"}, "contact": {"id": 55},
            "notes": [{"text": "called back", "created": 1473781817000}], "agentCall": True}


def test_v2_call_becomes_a_v1_1_call_with_every_field() -> None:
    v2 = sample_v2_call()
    v1 = entity_writer("Call")(v2, LIVE)
    assert v1["@id"] == str(v2["id"])
    assert v1["ToNumber"] == {"_": v2["toNumber"], "@ClientData": "order-7"}
    assert v1["ContactId"] == "55" and v1["Inbound"] in ("true", "false")
    assert v1["Note"] == [{"Text": "called back", "Created": "2016-09-13T15:50:17+00:00"}]
    assert v1["AgentCall"] == "true"
    record = v1["CallRecord"][0]
    assert record["Result"] == v2["records"][0]["result"]
    assert record["Duration"] == str(v2["records"][0].get("duration", 0))


def test_the_2014_contract_drops_later_elements_and_writes_the_nearest_2014_values() -> None:
    v2 = sample_v2_call()
    v2["records"] = [{**v2["records"][0], "result": "ABANDONED", "switchId": "sw", "callerName": "ACME",
                      "notes": [{"text": "x", "created": 0}]}]
    v2.update(state="SKIPPED", finalCallResult="SD")
    v1 = entity_writer("Call")(v2, UTC)
    assert {"Note", "AgentCall"}.isdisjoint(v1)
    assert {"SwitchId", "CallerName", "Note"}.isdisjoint(v1["CallRecord"][0])
    assert (v1["State"], v1["FinalResult"], v1["CallRecord"][0]["Result"]) == ("FINISHED", "AM", "LA")
    live = entity_writer("Call")(v2, LIVE)
    assert (live["State"], live["FinalResult"], live["CallRecord"][0]["Result"]) == ("SKIPPED", "SD", "ABANDONED")


def test_a_v2_value_no_table_knows_is_a_2014_value_by_default_and_passes_through_live() -> None:
    v2 = {"id": 1, "state": "TELEPORTED", "finalCallResult": "BEAMED"}
    assert (entity_writer("Call")(v2, UTC)["State"], entity_writer("Call")(v2, UTC)["FinalResult"]) == ("FINISHED", "INTERNAL_ERROR")
    assert (entity_writer("Call")(v2, LIVE)["State"], entity_writer("Call")(v2, LIVE)["FinalResult"]) == ("TELEPORTED", "BEAMED")


def test_callResult_spelling_of_the_docs_samples_is_read_too() -> None:
    record = entity_writer("Call")({"id": 1, "records": [{"id": 2, "callResult": "LA", "finishTime": 0}]}, UTC)["CallRecord"][0]
    assert record["Result"] == "LA"


def test_contact_history_interleaves_newest_first_and_pages_the_merge() -> None:
    history = {"calls": [{"id": 1, "created": 100}, {"id": 3, "created": 300}],
               "texts": [{"id": 2, "created": 200, "message": "hi"}]}
    plan = contact.get_contact_history({"ContactId": "3", "FirstResult": "1", "MaxResults": "2"}, UTC)
    assert plan.path == "/contacts/3/history" and plan.query == {"limit": 3, "offset": 0}
    value = contact.contact_history(history, 1, 2, UTC)
    assert [(name, entry["@id"]) for name, entry in value["*"]] == [("Text", "2"), ("Call", "1")]
