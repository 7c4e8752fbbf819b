"""The legacy CallFire v1.1 simulator (bridge/legacy): CallFire's own SOAP service as a 2014
client saw it, answering reads from the v2 simulator's seed, written apart from the bridge's
translation code so that comparing the two tests the translation.

Strict zeep over SOAP 1.2 and 1.1 for every simulated operation, CallFire's documented PHP
examples, the documentation's fixed points, faults, and the independence of bridge/legacy's
imports. Every SOAP response is checked against CallFire's May 2014 schema (ContractCheck)."""
from __future__ import annotations

import ast
import base64
import io
import json
import subprocess
import sys
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
import requests
import zeep
from lxml import etree

import bridge.legacy
from bridge.contract import DATA, SVC
from bridge.legacy import RunningLegacy, create_app, start_in_thread
from bridge.sim.seed import (DOC_BATCH_ID, DOC_CALL_ID, DOC_CAMPAIGN_ID, DOC_CONTACT_ID,
                             HISTORY_CONTACT_ID, build_seed)
from conftest import LIVE_TIME_ZONE, SOAP11_WSDL_PATH
from contract_check import ContractCheck, ContractChecker
from test_php import QUERY_CALLS_DOCUMENTED, VERSIONS, php, php_call

LEGACY = Path(bridge.legacy.__file__).parent
SOAP12, SOAP11 = "http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/"
# Seed calls whose v2 values are later than the 2014 contract (bridge/sim/seed.py prints them).
CALLBACK_CALL, DISABLED_CALL, PERIOD_LIMIT_CALL, ABANDONED_CALL, TIMEOUT_CALL = 11698, 11610, 11615, 10121, 11614
SKIPPED_CALL, SKIPPED_TEXT = 11611, 11703
RETRIED_CALL = 10017          # a BUSY attempt, then LA an hour later; attributes.appointment_id
RECORDING = build_seed().recordings[3001]     # the seed's first call recording (a voicemail)
MP3_FRAME, WAV_HEADER = b"\xff\xfb", b"RIFF"


@dataclass
class Served:
    """A running legacy simulator as the PHP helpers of test_php expect a server (`.wsdl`)."""

    running: RunningLegacy

    @property
    def wsdl(self) -> str:
        return self.running.wsdl

    def wsdl_for(self, version: str) -> str:
        return self.running.wsdl if version == "1.2" else self.running.base_url + SOAP11_WSDL_PATH


def serve_checked(checker: ContractChecker, **kw: object) -> Iterator[Served]:
    running = start_in_thread(app=ContractCheck(create_app(**kw), checker))
    yield Served(running)
    running.stop()


@pytest.fixture(scope="module")
def legacy(contract_checker: ContractChecker) -> Iterator[Served]:
    yield from serve_checked(contract_checker)


@pytest.fixture(scope="module")
def legacy_pacific(contract_checker: ContractChecker) -> Iterator[Served]:
    """Written in CallFire's own zone, as its documentation shows times (-08:00)."""
    yield from serve_checked(contract_checker, time_zone=LIVE_TIME_ZONE)


@pytest.fixture
def inproc(contract_checker: ContractChecker) -> Iterator[httpx.Client]:
    app = ContractCheck(create_app(credentials={"alice": "pw"}), contract_checker)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://legacy") as client:
        yield client


def soap(client: httpx.Client, body: str, version: str = "1.2", login: str = "alice",
         password: str = "pw") -> httpx.Response:
    namespace = SOAP12 if version == "1.2" else SOAP11
    envelope = (f'<e:Envelope xmlns:e="{namespace}" xmlns="{SVC}" xmlns:d="{DATA}">'
                f"<e:Body>{body}</e:Body></e:Envelope>")
    headers = {"Content-Type": "application/soap+xml; charset=utf-8" if version == "1.2"
               else "text/xml; charset=utf-8",
               "Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}
    return client.post("/api/1.1/soap12/call", content=envelope.encode(), headers=headers)


def answer(response: httpx.Response) -> etree._Element:
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)[0][0]


def fault_info(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 500
    info = etree.fromstring(response.content).find(f".//{{{SVC}}}ServiceFaultInfo")
    return info.findtext(f"{{{SVC}}}FaultCode"), info.findtext(f"{{{SVC}}}Message")


def ids(element: etree._Element, name: str = "Call") -> list[int]:
    return [int(e.get("id")) for e in element.iterchildren(f"{{{DATA}}}{name}")]


def text(element: etree._Element, path: str) -> str | None:
    return element.findtext("/".join(f"{{{DATA}}}{step}" for step in path.split("/")))


# ---- strict zeep, SOAP 1.2 and 1.1, every simulated operation ---------------------------------
SAMPLES = {  # operation -> (port, request, what the answer must show)
    "QueryCalls": ("Call", {"BroadcastId": DOC_CAMPAIGN_ID, "MaxResults": 5},
                   lambda a: (a.TotalResults, a.Call[0].id) == (1, DOC_CALL_ID)),
    "GetCall": ("Call", {"Id": DOC_CALL_ID}, lambda a: (a.State, a.BatchId) == ("INVALID", DOC_BATCH_ID)),
    "QueryTexts": ("Text", {"BroadcastId": 611, "State": ["READY"], "MaxResults": 3},
                   lambda a: len(a.Text) == 3 and {t.State for t in a.Text} == {"READY"}),
    "GetText": ("Text", {"Id": 10001}, lambda a: a.FinalResult == "SENT" and a.TextRecord[0].Result == "SENT"),
    "GetContactHistory": ("Contact", {"ContactId": HISTORY_CONTACT_ID, "MaxResults": 4},
                          lambda a: len(a) == 4),
    "QueryBroadcasts": ("Broadcast", {"Type": ["TEXT"]},
                        lambda a: [b.id for b in a.Broadcast] == [611, 610]),
    "GetBroadcast": ("Broadcast", {"Id": DOC_CAMPAIGN_ID},
                     lambda a: a.VoiceBroadcastConfig.LiveSoundId == 9),
    "GetBroadcastStats": ("Broadcast", {"Id": 101}, lambda a: a.ActionStatistics.Finished == 90),
    "QueryContactBatches": ("Broadcast", {"BroadcastId": 101},
                            lambda a: [b.id for b in a.ContactBatch] == [1101, 1102]),
    "GetContactBatch": ("Broadcast", {"Id": DOC_BATCH_ID}, lambda a: a.BroadcastId == DOC_CAMPAIGN_ID),
    "QueryBroadcastSchedule": ("Broadcast", {"BroadcastId": 101},
                               lambda a: a.BroadcastSchedule[0].DaysOfWeek[0] == "MONDAY"),
    "GetBroadcastSchedule": ("Broadcast", {"Id": 701}, lambda a: a.TimeZone == "America/Los_Angeles"),
    "QueryAutoReplies": ("Text", {"Number": "67076"},
                         lambda a: (a.TotalResults, [r.Keyword for r in a.AutoReply]) == (1, ["WHITEN"])),
    "GetAutoReply": ("Text", {"Id": 1}, lambda a: (a.Number, a.Keyword, a.Match) == ("12135551189", None, "HOURS")),
    "QuerySoundMeta": ("Call", {"MaxResults": 3},
                       lambda a: a.TotalResults == 50 and [m.id for m in a.SoundMeta] == [50, 49, 48]),
    "GetSoundMeta": ("Call", {"Id": 9}, lambda a: (a.Status, a.Name, a.LengthInSeconds) == ("ACTIVE", "Sample sound 9", 2)),
    "GetSoundData": ("Call", {"Id": 9, "Format": "WAV"}, lambda a: a.startswith(WAV_HEADER)),
    "GetRecordingData": ("Call", {"RecordingId": RECORDING["id"]}, lambda a: a.startswith(MP3_FRAME)),
    # the labels of the seed's broadcasts and number leases (bridge/sim/number_seed.py), by name
    "QueryLabels": ("Label", {"FirstResult": 1, "MaxResults": 3},
                    lambda a: (a.TotalResults, [label.Name for label in a.Label]) == (12, ["billing", "campaigns", "delivery"])),
    # NumberService: the number seed (bridge/sim/number_seed.py)
    "QueryRegions": ("Number", {"Region": {"State": "CA"}},
                     lambda a: a.TotalResults == 5 and {r.State for r in a.Region} == {"CA"}),
    "QueryNumbers": ("Number", {"Region": {}, "LabelName": "alerts"},
                     lambda a: [n.Number for n in a.Number] == ["16465550123"]),
    "GetNumber": ("Number", {"Number": "18885550123"},
                  lambda a: a.NumberConfiguration.InboundCallConfiguration.CallTrackingConfig.Record is True),
    "SearchAvailableNumbers": ("Number", {"Region": {"City": "Chicago"}, "Count": 2},
                               lambda a: [n.Region.City for n in a.Number] == ["CHICAGO", "CHICAGO"]),
    "QueryKeywords": ("Number", {}, lambda a: [k.Keyword for k in a.Keyword] == ["SMILE", "WHITEN"]),
    "SearchAvailableKeywords": ("Number", {"Keywords": ["SUN", "SMILE"]},
                                lambda a: [k.Keyword for k in a.Keyword] == ["SUN"]),
    "GetNumberOrder": ("Number", {"Id": 9}, lambda a: a.LocalNumbers.Fulfilled == ["14155550100"]),
    "QuerySubscriptions": ("Subscription", {"MaxResults": 10}, lambda a: a.TotalResults == 0 and not a.Subscription),
    "QueryContacts": ("Contact", {"ContactListId": 801, "MaxResults": 3},
                      lambda a: (a.TotalResults, [c.id for c in a.Contact]) == (20, [1, 2, 3])),
    "GetContact": ("Contact", {"Id": HISTORY_CONTACT_ID}, lambda a: (a.firstName, a.lastName) == ("Maria", "Garcia")),
    "QueryContactLists": ("Contact", {}, lambda a: [c.Name for c in a.ContactList] == ["Customers A"]),
    "GetContactList": ("Contact", {"Id": 801}, lambda a: (a.Size, a.Status) == (20, "ACTIVE")),
}
# Operations that can only answer a fault here (an account has no subscription): checked below.
FAULT_ONLY = {"GetSubscription"}


def zeep_client(served: Served, version: str) -> zeep.Client:
    session = requests.Session()
    session.auth = ("zeep-user", "secret")
    return zeep.Client(served.wsdl_for(version), transport=zeep.Transport(session=session),
                       settings=zeep.Settings(strict=True))


@pytest.mark.parametrize("version", ["1.2", "1.1"])
@pytest.mark.parametrize("operation", sorted(SAMPLES))
def test_strict_zeep_reads_every_simulated_operation(legacy, operation: str, version: str) -> None:
    port, request, shows = SAMPLES[operation]
    service = zeep_client(legacy, version).bind("CallFireApi", f"{port}ServicePort")
    assert shows(getattr(service, operation)(**request))


def test_the_samples_cover_every_simulated_operation() -> None:
    from bridge.legacy.operations import OPERATIONS
    assert set(SAMPLES) | FAULT_ONLY == set(OPERATIONS)


@pytest.mark.parametrize("version", ["1.2", "1.1"])
def test_zeep_sees_a_service_fault_for_a_write_and_an_unknown_id(legacy, version: str) -> None:
    client = zeep_client(legacy, version)
    call = client.bind("CallFireApi", "CallServicePort")
    with pytest.raises(zeep.exceptions.Fault) as unknown:
        call.GetCall(Id=424242)
    with pytest.raises(zeep.exceptions.Fault) as write:
        call.SendCall(ToNumber=[{"_value_1": "12135550301"}],
                      VoiceBroadcastConfig={"FromNumber": "13105551212", "LiveSoundText": "Hi"})
    with pytest.raises(zeep.exceptions.Fault) as subscription:
        client.bind("CallFireApi", "SubscriptionServicePort").GetSubscription(Id=1)
    codes = [e.value.detail.findtext(f"{{{SVC}}}ServiceFaultInfo/{{{SVC}}}FaultCode")
             for e in (unknown, write, subscription)]
    assert codes == ["NOT_FOUND", "NOT_IMPLEMENTED", "NOT_FOUND"]
    assert "not simulated by the legacy" in write.value.message


# ---- CallFire's PHP examples ----------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
def test_php_query_calls_example_prints_the_documented_answer(legacy_pacific, version: str) -> None:
    assert php(legacy_pacific, "QueryCalls.php", version=version) == QUERY_CALLS_DOCUMENTED


@pytest.mark.parametrize("version", VERSIONS)
def test_php_contact_history_example_lists_the_contacts_calls_and_texts(legacy, version: str) -> None:
    out = php(legacy, "GetContactHistory.php", version=version)
    assert out.startswith("stdClass Object\n(\n    [Call] => Array\n")
    assert "\n    [Text] => Array\n" in out
    assert out.count("[ContactId] => 3\n") == 11 and "[Message] =>" in out


def test_php_reads_service_fault_info(legacy) -> None:
    result = php_call(legacy, "GetBroadcast", {"Id": 99})
    assert not result["ok"] and result["ServiceFaultInfo"]["FaultCode"] == "NOT_FOUND"


# ---- the documentation's fixed points ---------------------------------------------------------
def test_call_9652_answers_as_the_query_calls_documentation_shows(inproc) -> None:
    result = answer(soap(inproc, f"<QueryCalls><BroadcastId>{DOC_CAMPAIGN_ID}</BroadcastId></QueryCalls>"))
    assert result.findtext(f"{{{SVC}}}TotalResults") == "1"
    call = answer(soap(inproc, f"<GetCall><Id>{DOC_CALL_ID}</Id></GetCall>"))
    fields = {etree.QName(e).localname: e.text for e in call}
    assert fields == {etree.QName(e).localname: e.text for e in result.find(f"{{{DATA}}}Call")}
    assert (call.get("id"), fields) == (str(DOC_CALL_ID), {"FromNumber": "13105551212", "ToNumber": "18185551212", "State": "INVALID",
                      "BatchId": "331", "BroadcastId": "327", "ContactId": str(DOC_CONTACT_ID),
                      "Inbound": "false", "Created": "2013-03-07T20:01:59Z", "Modified": "2013-03-07T20:01:59Z"})
    # The documentation prints 2013-03-07T12:01:59-08:00: the same instant.
    assert datetime.fromisoformat("2013-03-07T12:01:59-08:00") == datetime(2013, 3, 7, 20, 1, 59, tzinfo=timezone.utc)


def test_broadcast_327_and_batch_331_are_the_send_call_example(inproc) -> None:
    broadcast = answer(soap(inproc, f"<GetBroadcast><Id>{DOC_CAMPAIGN_ID}</Id></GetBroadcast>"))
    assert (text(broadcast, "Name"), text(broadcast, "Type"), text(broadcast, "Status")) == (
        "Test API SendCall Broadcast", "VOICE", "FINISHED")
    assert text(broadcast, "VoiceBroadcastConfig/LiveSoundId") == "9"
    assert text(broadcast, "VoiceBroadcastConfig/AnsweringMachineConfig") == "LIVE_IMMEDIATE"
    batch = answer(soap(inproc, f"<GetContactBatch><Id>{DOC_BATCH_ID}</Id></GetContactBatch>"))
    assert (text(batch, "BroadcastId"), text(batch, "Size"), text(batch, "Remaining")) == ("327", "1", "0")
    assert text(batch, "Status") == "ERRORS"     # its only number, 9652's, is INVALID


def test_contact_3_history_is_seven_calls_and_four_texts_newest_first(inproc) -> None:
    history = answer(soap(inproc, f"<GetContactHistory><ContactId>{HISTORY_CONTACT_ID}</ContactId></GetContactHistory>"))
    kinds = [etree.QName(e).localname for e in history]
    assert (kinds.count("Call"), kinds.count("Text")) == (7, 4)
    created = [e.findtext(f"{{{DATA}}}Created") for e in history]
    assert created == sorted(created, reverse=True) and kinds != sorted(kinds)      # interleaved by time
    assert {e.findtext(f"{{{DATA}}}ContactId") for e in history} == {"3"}
    page = answer(soap(inproc, "<GetContactHistory><ContactId>3</ContactId><FirstResult>4</FirstResult>"
                               "<MaxResults>4</MaxResults></GetContactHistory>"))
    assert [e.get("id") for e in page] == [e.get("id") for e in history][4:8]


# ---- the 2014 view of later values, and the request fields --------------------------------------
def test_later_states_and_results_are_written_as_2014_values(inproc) -> None:
    def call(call_id: int) -> etree._Element:
        return answer(soap(inproc, f"<GetCall><Id>{call_id}</Id></GetCall>"))

    callback = call(CALLBACK_CALL)     # v2 CALLBACK: a BUSY attempt, a redial due
    assert (text(callback, "State"), text(callback, "CallRecord/Result")) == ("READY", "BUSY")
    assert text(call(DISABLED_CALL), "State") == "READY"
    period_limit = call(PERIOD_LIMIT_CALL)     # not dialed before the calling period ran out
    assert (text(period_limit, "State"), text(period_limit, "FinalResult")) == ("TIMEOUT", None)
    assert text(call(ABANDONED_CALL), "FinalResult") == "LA"
    skipped = call(SKIPPED_CALL)               # v2 result SKIPPED: never placed
    assert (text(skipped, "State"), text(skipped, "FinalResult")) == ("FINISHED", "UNDIALED")
    skipped_text = answer(soap(inproc, f"<GetText><Id>{SKIPPED_TEXT}</Id></GetText>"))   # v2 reports no result
    assert (text(skipped_text, "State"), text(skipped_text, "FinalResult")) == ("FINISHED", None)
    timeout = call(TIMEOUT_CALL)       # its one attempt never reported a result: UNDIALED, finished when placed
    assert text(timeout, "State") == "TIMEOUT"
    assert (text(timeout, "CallRecord/Result"), text(timeout, "CallRecord/Duration")) == ("UNDIALED", "0")
    assert text(timeout, "CallRecord/FinishTime") == text(timeout, "CallRecord/OriginateTime") is not None


def test_filters_match_what_the_answer_shows(inproc) -> None:
    """State=READY finds the calls written READY (v2 CALLBACK and DISABLED too); Result=LA the
    ABANDONED ones written LA: a client never misses a row it was shown."""
    ready = answer(soap(inproc, "<QueryCalls><State>READY</State></QueryCalls>"))
    assert {CALLBACK_CALL, DISABLED_CALL} <= set(ids(ready))
    assert {c.findtext(f"{{{DATA}}}State") for c in ready.iterchildren(f"{{{DATA}}}Call")} == {"READY"}
    live = answer(soap(inproc, "<QueryCalls><Result>LA</Result><Inbound>true</Inbound></QueryCalls>"))
    assert ABANDONED_CALL in ids(live)


def test_a_value_the_2014_contract_lacks_is_a_bad_request(inproc) -> None:
    code, message = fault_info(soap(inproc, "<QueryCalls><State>CALLBACK</State></QueryCalls>"))
    assert code == "BAD_REQUEST" and message.startswith("State: CALLBACK not in the v1.1 ActionState values")


def test_lists_arrive_as_one_element_or_repeated(inproc) -> None:
    spaced = answer(soap(inproc, "<QueryCalls><State>READY SELECTED</State><BroadcastId>103</BroadcastId></QueryCalls>"))
    repeated = answer(soap(inproc, "<QueryCalls><State>READY</State><State>SELECTED</State>"
                                   "<BroadcastId>103</BroadcastId></QueryCalls>"))
    assert ids(spaced) == ids(repeated) and len(ids(spaced)) == 24
    numbers = answer(soap(inproc, "<QueryCalls><ToNumber>12135550103, +18185551212</ToNumber></QueryCalls>"))
    one = answer(soap(inproc, "<QueryCalls><ToNumber>2135550103</ToNumber></QueryCalls>"))
    assert set(ids(one)) < set(ids(numbers))
    assert ids(answer(soap(inproc, "<QueryCalls><State/><MaxResults>3</MaxResults></QueryCalls>"))) == ids(
        answer(soap(inproc, "<QueryCalls><MaxResults>3</MaxResults></QueryCalls>")))   # <State/>: no filter


def test_paging_counts_every_match_and_is_newest_first(inproc) -> None:
    seed = build_seed()
    page = answer(soap(inproc, "<QueryCalls><FirstResult>10</FirstResult><MaxResults>5</MaxResults></QueryCalls>"))
    newest = sorted(seed.calls.values(), key=lambda c: (c["created"], c["id"]), reverse=True)
    assert page.findtext(f"{{{SVC}}}TotalResults") == str(len(seed.calls))
    assert ids(page) == [c["id"] for c in newest[10:15]]
    capped = answer(soap(inproc, "<QueryCalls><MaxResults>5000</MaxResults></QueryCalls>"))
    assert len(ids(capped)) == 1000           # "limited to 1000": cut, not refused
    assert fault_info(soap(inproc, "<QueryCalls><MaxResults>-1</MaxResults></QueryCalls>"))[0] == "BAD_REQUEST"


def test_a_date_time_without_offset_is_in_the_servers_zone(contract_checker) -> None:
    body = ("<QueryCalls><BroadcastId>103</BroadcastId><IntervalBegin>{}</IntervalBegin>"
            "<IntervalEnd>{}</IntervalEnd></QueryCalls>")
    app = ContractCheck(create_app(time_zone=LIVE_TIME_ZONE), contract_checker)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://legacy") as client:
        naive = answer(soap(client, body.format("2026-10-31T09:00:00", "2026-10-31T09:00:05"), login="x"))
        explicit = answer(soap(client, body.format("2026-10-31T16:00:00Z", "2026-10-31T16:00:05Z"), login="x"))
    assert ids(naive) == ids(explicit) and len(ids(naive)) == 4
    assert naive.findtext(f"{{{DATA}}}Call/{{{DATA}}}Created").endswith("-07:00")


def test_call_records_newest_first_and_recipient_attributes_on_to_number(inproc) -> None:
    call = answer(soap(inproc, f"<GetCall><Id>{RETRIED_CALL}</Id></GetCall>"))
    assert [r.findtext(f"{{{DATA}}}Result") for r in call.iterchildren(f"{{{DATA}}}CallRecord")] == ["LA", "BUSY"]
    assert call.find(f"{{{DATA}}}ToNumber").get("appointment_id", "").startswith("APT-")


def test_stats_count_attempts_actions_and_progress(inproc) -> None:
    stats = answer(soap(inproc, "<GetBroadcastStats><Id>103</Id></GetBroadcastStats>"))
    progress = {etree.QName(e).localname: int(e.text) for e in stats.find(f"{{{DATA}}}ActionStatistics")}
    calls = answer(soap(inproc, "<QueryCalls><BroadcastId>103</BroadcastId></QueryCalls>"))
    states = [c.findtext(f"{{{DATA}}}State") for c in calls.iterchildren(f"{{{DATA}}}Call")]
    retry = sum(1 for c in calls.iterchildren(f"{{{DATA}}}Call")
                if c.findtext(f"{{{DATA}}}State") == "READY" and c.find(f"{{{DATA}}}CallRecord") is not None)
    assert progress == {"Unattempted": states.count("READY") - retry, "RetryWait": retry,
                        "Finished": states.count("FINISHED")}
    assert retry == sum(c["state"] == "CALLBACK" for c in build_seed().calls.values() if c.get("campaignId") == 103)
    results = [r.findtext(f"{{{DATA}}}Result") for r in stats.iterchildren(f"{{{DATA}}}ResultStat")]
    assert results and len(results) == len(set(results))


# ---- auto-replies, sounds and recordings ----------------------------------------------------------
def test_auto_replies_of_a_number_as_v1_1_writes_it(inproc) -> None:
    def query(number: str) -> list[str | None]:
        found = answer(soap(inproc, f"<QueryAutoReplies><Number>{number}</Number></QueryAutoReplies>"))
        return [r.get("id") for r in found.iterchildren(f"{{{DATA}}}AutoReply")]

    assert query("2135551189") == query("+12135551189") == ["1"]     # 10 digits get their 1
    assert query("13105559999") == []
    every = answer(soap(inproc, "<QueryAutoReplies/>"))
    assert [r.get("id") for r in every.iterchildren(f"{{{DATA}}}AutoReply")] == ["1", "2"]
    assert fault_info(soap(inproc, "<GetAutoReply><Id>3</Id></GetAutoReply>"))[0] == "NOT_FOUND"


@pytest.fixture(scope="module")
def v2_sim() -> Iterator[httpx.Client]:
    from bridge.sim.app import create_app as create_sim
    with httpx.Client(transport=httpx.WSGITransport(app=create_sim()), base_url="http://sim",
                      auth=("legacy-audio", "pw")) as client:
        yield client


def audio(response: httpx.Response) -> bytes:
    return base64.b64decode(answer(response).text)


@pytest.mark.parametrize("sound_format", ["MP3", "WAV"])
def test_sound_data_is_the_v2_simulators_audio_in_the_format_asked(inproc, v2_sim, sound_format: str) -> None:
    served = v2_sim.get(f"/v2/campaigns/sounds/17.{sound_format.lower()}")
    asked = audio(soap(inproc, f"<GetSoundData><Id>17</Id><Format>{sound_format}</Format></GetSoundData>"))
    assert served.status_code == 200 and asked == served.content
    assert asked.startswith(WAV_HEADER if sound_format == "WAV" else MP3_FRAME)


def test_sound_data_is_mp3_unless_asked_otherwise(inproc) -> None:
    assert audio(soap(inproc, "<GetSoundData><Id>17</Id></GetSoundData>")) == audio(
        soap(inproc, "<GetSoundData><Id>17</Id><Format>MP3</Format></GetSoundData>"))
    assert fault_info(soap(inproc, "<GetSoundData><Id>17</Id><Format>OGG</Format></GetSoundData>"))[0] == "BAD_REQUEST"
    assert fault_info(soap(inproc, "<GetSoundData><Id>51</Id></GetSoundData>"))[0] == "NOT_FOUND"


def test_sound_meta_lists_the_library_newest_first_as_the_v2_simulator_has_it(inproc, v2_sim) -> None:
    page = answer(soap(inproc, "<QuerySoundMeta><FirstResult>5</FirstResult><MaxResults>4</MaxResults></QuerySoundMeta>"))
    library = v2_sim.get("/v2/campaigns/sounds", params={"offset": 5, "limit": 4}).json()
    assert page.findtext(f"{{{SVC}}}TotalResults") == str(library["totalCount"])
    assert [(int(m.get("id")), m.findtext(f"{{{DATA}}}Name")) for m in page.iterchildren(f"{{{DATA}}}SoundMeta")] == [
        (s["id"], s["name"]) for s in library["items"]]


def test_a_recording_by_id_or_by_its_call_and_name_is_the_v2_simulators_mp3(inproc, v2_sim) -> None:
    by_id = audio(soap(inproc, f"<GetRecordingData><RecordingId>{RECORDING['id']}</RecordingId></GetRecordingData>"))
    by_name = audio(soap(inproc, f"<GetRecordingData><CallId>{RECORDING['callId']}</CallId>"
                                 f"<Name>{RECORDING['name']}</Name></GetRecordingData>"))
    assert by_id == by_name == v2_sim.get(f"/v2/calls/recordings/{RECORDING['id']}.mp3").content


def test_a_recording_in_wav_is_a_wav_of_its_length(inproc) -> None:
    """v2 serves recordings as MP3 only; a 2014 server answered the WAV asked for."""
    wav = audio(soap(inproc, f"<GetRecordingData><RecordingId>{RECORDING['id']}</RecordingId>"
                             "<Format>WAV</Format></GetRecordingData>"))
    with wave.open(io.BytesIO(wav)) as reader:
        assert reader.getnframes() / reader.getframerate() == RECORDING["lengthInSeconds"]


def test_recording_requests_take_one_of_the_choice(inproc) -> None:
    for body, code in ((f"<RecordingId>{RECORDING['id']}</RecordingId><CallId>{RECORDING['callId']}</CallId>", "BAD_REQUEST"),
                       (f"<CallId>{RECORDING['callId']}</CallId>", "BAD_REQUEST"),
                       ("<Name>voicemail</Name>", "BAD_REQUEST"),
                       ("", "BAD_REQUEST"),
                       (f"<CallId>{RECORDING['callId']}</CallId><Name>greeting</Name>", "NOT_FOUND"),
                       ("<RecordingId>2999</RecordingId>", "NOT_FOUND")):
        assert fault_info(soap(inproc, f"<GetRecordingData>{body}</GetRecordingData>"))[0] == code, body


# ---- faults, auth, contract files -------------------------------------------------------------
@pytest.mark.parametrize("version, namespace", [("1.2", SOAP12), ("1.1", SOAP11)])
def test_faults_carry_service_fault_info_in_the_version_asked(inproc, version: str, namespace: str) -> None:
    for body, code in (("<GetText><Id>9652</Id></GetText>", "NOT_FOUND"),
                       ("<GetBroadcastSchedule><Id>7</Id></GetBroadcastSchedule>", "NOT_FOUND"),
                       ("<QueryContactBatches/>", "BAD_REQUEST"),
                       ("<DeleteLabel><LabelName>x</LabelName></DeleteLabel>", "NOT_IMPLEMENTED"),
                       ("<DeleteContactList><Id>801</Id></DeleteContactList>", "NOT_IMPLEMENTED"),
                       ("<NoSuchOperation/>", "BAD_REQUEST")):
        response = soap(inproc, body, version)
        assert etree.fromstring(response.content).tag == f"{{{namespace}}}Envelope"
        assert fault_info(response)[0] == code, body


def test_malformed_requests_are_faults_not_crashes(inproc) -> None:
    headers = {"Content-Type": "application/soap+xml", "Authorization": "Basic " + base64.b64encode(b"alice:pw").decode()}
    for payload in (b"<not-xml", b"<x/>", f'<e:Envelope xmlns:e="{SOAP12}"><e:Body/></e:Envelope>'.encode(),
                    b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'):
        response = inproc.post("/api/1.1/soap12/call", content=payload, headers=headers)
        assert fault_info(response)[0] == "BAD_REQUEST"


def test_credentials_restrict_who_may_call(inproc) -> None:
    assert soap(inproc, "<GetCall><Id>9652</Id></GetCall>", password="wrong").status_code == 401
    bare = inproc.post("/api/1.1/soap12/call", content=b"<x/>")
    assert bare.status_code == 401 and bare.headers["WWW-Authenticate"].startswith("Basic")


def test_contract_files_point_at_this_server_for_both_versions(inproc) -> None:
    for version in ("1.1", "1.0"):
        wsdl = inproc.get(f"/api/{version}/wsdl/callfire-service-http-soap12.wsdl")   # no credentials needed
        assert wsdl.status_code == 200
        assert f'location="http://legacy/api/{version}/soap12/call"'.encode() in wsdl.content
        assert b"www.callfire.com" not in wsdl.content
    assert inproc.get("/api/1.1/wsdl/callfire-data.xsd").content.count(b"CALLBACK") == 0   # the 2014 contract
    assert inproc.get("/api/1.1/wsdl/nope.xsd").status_code == 404


def test_callfire_bridge_sim_legacy_serves_the_wsdl(tmp_path: Path) -> None:
    from bridge.cli import free_port
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bridge.cli", "sim", "--legacy", "--port", str(port)],
                               stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert line == f"CallFire v1.1 legacy simulator: http://127.0.0.1:{port}/api/1.1/wsdl/callfire-service-http-soap12.wsdl"
        assert httpx.get(line.split(": ", 1)[1]).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


# ---- independence from the bridge's translation --------------------------------------------------
FORBIDDEN = ("bridge.translate", "bridge.mappings", "bridge.orchestrate", "bridge.soap", "bridge.registry",
             "bridge.reference", "bridge.explain")
ALLOWED_BRIDGE = ("bridge.legacy", "bridge.serving", "bridge.sim.seed", "bridge.sim.vocab", "bridge.sim.autoreplies",
                  "bridge.sim.sounds", "bridge.sim.number_seed", "bridge.sim.contacts", "bridge.contract",
                  "bridge.resources", "bridge.config")


def test_bridge_legacy_imports_nothing_of_the_translation() -> None:
    for source in sorted(LEGACY.glob("*.py")):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name == "bridge" or name.startswith("bridge."):
                    assert name.startswith(ALLOWED_BRIDGE), f"{source.name} imports {name}"
        assert "mappings" not in source.read_text().replace("bridge.mappings", ""), source.name
    # And at run time: importing and using it loads none of them (nor spyne).
    probe = ("import sys, bridge.legacy, httpx; c = httpx.Client(transport=httpx.WSGITransport("
             "app=bridge.legacy.create_app()), base_url='http://x');"
             "c.post('/api/1.1/soap12/call', content=b'<x/>', headers={'Authorization': 'Basic dTpw'});"
             "print(sorted(m for m in sys.modules if m.startswith(%r) or m == 'spyne'))" % (FORBIDDEN,))
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(loaded.stdout.replace("'", '"')) == []
