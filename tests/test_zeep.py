"""zeep as a v1.1 client of the running bridge, in its default strict mode: over SOAP 1.2 and
SOAP 1.1 with the WSDLs the bridge serves, and with CallFire's own May 2014 WSDL files as an
integration that vendored them has them (only the address changed).  Every response body is
validated against CallFire's 2014 schema."""
from __future__ import annotations

import copy
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
import zeep
from lxml import etree
from zeep.plugins import HistoryPlugin

from bridge.sim.seed import BIG_CAMPAIGN_ID
from conftest import CALLFIRE_2014, Live

SCHEMA = etree.XMLSchema(etree.parse(str(CALLFIRE_2014 / "callfire-service.xsd")))
CALLFIRE_ADDRESS = "https://www.callfire.com/api/1.1/soap12/"


def vendored_wsdl(folder: Path, live: Live) -> str:
    """CallFire's 2014 WSDL set as an integration keeps it, its address pointed at the bridge."""
    shutil.copytree(CALLFIRE_2014, folder, dirs_exist_ok=True)
    wsdl = folder / "callfire-service-http-soap12.wsdl"
    wsdl.write_text(wsdl.read_text().replace(CALLFIRE_ADDRESS, f"{live.base_url}/api/1.1/soap12/"))
    return str(wsdl)
SOAP_BODIES = ("{http://www.w3.org/2003/05/soap-envelope}Body", "{http://schemas.xmlsoap.org/soap/envelope/}Body")


class Bridge:
    def __init__(self, wsdl: str, login: str, version: str) -> None:
        session = requests.Session()
        session.auth = (login, "secret")
        self.history = HistoryPlugin()
        self.client = zeep.Client(wsdl, transport=zeep.Transport(session=session), plugins=[self.history],
                                  settings=zeep.Settings(strict=True))
        self.version = version

    @property
    def call(self):  # noqa: ANN201 - zeep's service proxy
        return self.client.bind("CallFireApi", "CallServicePort")

    @property
    def contact(self):  # noqa: ANN201
        return self.client.bind("CallFireApi", "ContactServicePort")

    def last_body_child(self) -> etree._Element:
        envelope = self.history.last_received["envelope"]
        body = next(e for e in envelope.iter() if e.tag in SOAP_BODIES)
        return body[0]

    def assert_valid_response(self, expected_tag: str) -> None:
        child = self.last_body_child()
        assert child.tag == expected_tag
        SCHEMA.assertValid(etree.ElementTree(copy.deepcopy(child)))


@pytest.fixture(params=["1.2", "1.1", "callfire-2014"])
def bridge(request, live, login, tmp_path) -> Bridge:
    wsdl = vendored_wsdl(tmp_path, live) if request.param == "callfire-2014" else live.wsdl_for(request.param)
    return Bridge(wsdl, login, "1.1" if request.param == "1.1" else "1.2")


SVC = "{http://api.callfire.com/service/xsd}"
STATES_CAMPAIGN_ID = 104  # the seed broadcast whose calls end DISABLED, SKIPPED, PERIOD_LIMIT, ...
DATA = "{http://api.callfire.com/data}"


def test_the_binding_matches_the_wsdl_version(bridge: Bridge) -> None:
    binding = bridge.call._binding
    assert type(binding).__name__ == ("Soap12Binding" if bridge.version == "1.2" else "Soap11Binding")


def test_query_calls_pages_through_v2_and_validates(bridge: Bridge) -> None:
    first = bridge.call.QueryCalls(MaxResults=1000, FirstResult=0, BroadcastId=500)
    bridge.assert_valid_response(SVC + "CallQueryResult")
    assert first.TotalResults == 1200 and len(first.Call) == 1000
    rest = bridge.call.QueryCalls(MaxResults=1000, FirstResult=1000, BroadcastId=500)
    assert len(rest.Call) == 200
    ids = [c.id for c in first.Call] + [c.id for c in rest.Call]
    assert len(set(ids)) == 1200, "pages neither overlap nor skip"
    created = [c.Created for c in first.Call]
    assert created == sorted(created, reverse=True)
    assert all(c.BroadcastId == 500 for c in first.Call)


def test_query_calls_filters(bridge: Bridge) -> None:
    finished = bridge.call.QueryCalls(MaxResults=50, State=["FINISHED"], Result=["LA", "AM"])
    bridge.assert_valid_response(SVC + "CallQueryResult")
    assert finished.Call and all(c.State == "FINISHED" and c.FinalResult in ("LA", "AM") for c in finished.Call)
    begin = datetime(2026, 10, 20, tzinfo=timezone.utc)
    recent = bridge.call.QueryCalls(MaxResults=1000, IntervalBegin=begin)
    assert recent.Call and all(c.Created >= begin for c in recent.Call)
    nothing = bridge.call.QueryCalls(State=["RESTRICTED_NUMBER"])
    bridge.assert_valid_response(SVC + "CallQueryResult")
    assert nothing.TotalResults == 0 and nothing.Call == []


def test_get_call_carries_records_recordings_and_notes(bridge: Bridge) -> None:
    found = bridge.call.QueryCalls(MaxResults=200, State=["FINISHED"])
    with_record = next(c for c in found.Call if c.CallRecord and c.CallRecord[0].RecordingMeta)
    call = bridge.call.GetCall(Id=with_record.id)
    bridge.assert_valid_response(DATA + "Call")
    assert call.id == with_record.id and call.Created.tzinfo is not None
    record = call.CallRecord[0]
    assert record.Result and record.FinishTime and record.Duration >= 0
    assert record.RecordingMeta[0].Link.startswith("http")


def test_get_contact_history_interleaves_calls_and_texts(bridge: Bridge) -> None:
    history = bridge.contact.GetContactHistory(ContactId=3)
    bridge.assert_valid_response(DATA + "ContactHistory")
    entries = bridge.last_body_child()
    kinds = {etree.QName(e).localname for e in entries}
    assert kinds == {"Call", "Text"}
    window = bridge.contact.GetContactHistory(ContactId=3, FirstResult=1, MaxResults=2)
    assert len(bridge.last_body_child()) == 2
    assert history is not None and window is not None


def test_send_call_then_query_the_broadcast(bridge: Bridge, live, login: str) -> None:
    voice = {"FromNumber": "13105551212", "AnsweringMachineConfig": "AM_AND_LIVE",
             "LiveSoundText": "Your order is ready", "LiveSoundTextVoice": "FEMALE1", "MachineSoundId": 9,
             "LocalTimeZoneRestriction": {"BeginTime": "09:00:00", "EndTime": "17:30:00"},
             "RetryConfig": {"MaxAttempts": 2, "MinutesBetweenAttempts": 30, "RetryResults": ["BUSY", "NO_ANS"],
                             "RetryPhoneTypes": ["MOBILE_PHONE"]}}
    broadcast_id = bridge.call.SendCall(BroadcastName="zeep", ToNumber=[{"_value_1": "12135550101"},
                                                                           {"_value_1": "12135550102"}],
                                           VoiceBroadcastConfig=voice)
    bridge.assert_valid_response(SVC + "CreatedId")
    [sent] = [r for r in live.sim_requests(login) if r["method"] == "POST"]
    body = sent["body"]
    assert body["localTimeRestriction"] == {"enabled": True, "beginHour": 9, "beginMinute": 0,
                                            "endHour": 17, "endMinute": 30}
    assert body["retryConfig"] == {"maxAttempts": 2, "minutesBetweenAttempts": 30,
                                   "retryResults": ["BUSY", "NO_ANS"], "retryPhoneTypes": ["MOBILE_PHONE"]}
    assert body["sounds"] == {"liveSoundText": "Your order is ready", "liveSoundTextVoice": "FEMALE1",
                              "machineSoundId": 9}
    assert "labels" not in body and "maxActive" not in body
    calls = bridge.call.QueryCalls(BroadcastId=broadcast_id)
    assert sorted(c.ToNumber._value_1 for c in calls.Call) == ["12135550101", "12135550102"]
    assert all(c.State == "READY" for c in calls.Call)


def test_sent_calls_finish_over_simulated_time_and_reach_contact_history(bridge: Bridge, live) -> None:
    number = "1213555" + str(abs(hash(bridge.version)) % 10000).zfill(4)
    broadcast_id = bridge.call.SendCall(ToNumber=[{"_value_1": number}],
                                           IvrBroadcastConfig={"DialplanXml": "<dialplan><hangup/></dialplan>"})
    [call] = bridge.call.QueryCalls(BroadcastId=broadcast_id).Call
    live.advance(600)
    finished = bridge.call.GetCall(Id=call.id)
    assert finished.State == "FINISHED" and finished.FinalResult and finished.CallRecord
    history = bridge.contact.GetContactHistory(ContactId=finished.ContactId)
    assert any(etree.QName(e).localname == "Call" and e.get("id") == str(call.id) for e in bridge.last_body_child())
    assert history is not None


def test_faults_carry_service_fault_info(bridge: Bridge) -> None:
    with pytest.raises(zeep.exceptions.Fault) as info:
        bridge.call.QueryCalls(MaxResults=1001)
    detail = info.value.detail
    assert detail.find(SVC + "ServiceFaultInfo/" + SVC + "FaultCode").text == "BAD_REQUEST"
    assert "MaxResults" in detail.find(SVC + "ServiceFaultInfo/" + SVC + "Message").text
    with pytest.raises(zeep.exceptions.Fault) as info:
        bridge.call.GetCall(Id=987654321)
    assert info.value.detail.find(SVC + "ServiceFaultInfo/" + SVC + "FaultCode").text == "NOT_FOUND"


def test_send_call_without_a_sound_is_refused_before_v2(bridge: Bridge, live, login: str) -> None:
    with pytest.raises(zeep.exceptions.Fault) as info:
        bridge.call.SendCall(ToNumber=[{"_value_1": "12135550199"}],
                             VoiceBroadcastConfig={"FromNumber": "13105551212"})
    info_element = info.value.detail.find(SVC + "ServiceFaultInfo")
    assert info_element.findtext(SVC + "FaultCode") == "BAD_REQUEST"
    assert "LiveSoundText or VoiceBroadcastConfig/LiveSoundId" in info_element.findtext(SVC + "Message")
    assert [r for r in live.sim_requests(login) if r["method"] == "POST"] == []


def test_no_credentials_is_http_401_for_zeep(live) -> None:
    client = zeep.Client(live.wsdl)  # the WSDL itself needs no credentials
    service = client.bind("CallFireApi", "CallServicePort")
    with pytest.raises(zeep.exceptions.Fault) as info:
        service.GetCall(Id=9652)
    assert "credentials" in info.value.message
    assert info.value.detail.find(SVC + "ServiceFaultInfo/" + SVC + "FaultCode").text == "FORBIDDEN"


# ---- the live contract: `serve --contract live` -------------------------------------------------

def test_the_live_contract_takes_labels_and_shows_later_fields(live_extended: Live, login: str) -> None:
    """CallFire's later fields work end to end when asked for; the default bridge sends none."""
    client = Bridge(live_extended.wsdl, login, "1.2")
    broadcast_id = client.call.SendCall(BroadcastName="zeep", ToNumber=[{"_value_1": "12135550101"}],
                                        Label=["zeep"], MaxActive=3,
                                        VoiceBroadcastConfig={"LiveSoundText": "hi", "LiveSoundTextVoice":
                                                              "FRENCHCANADIAN1"})
    [sent] = [r for r in live_extended.sim_requests(login) if r["method"] == "POST"]
    assert sent["body"]["labels"] == ["zeep"] and sent["body"]["maxActive"] == 3
    assert sent["body"]["sounds"]["liveSoundTextVoice"] == "FRENCHCANADIAN1"
    [call] = client.call.QueryCalls(BroadcastId=broadcast_id).Call
    assert [label.Name for label in call.Label] == ["zeep"] and call.AgentCall is False
    seeded = client.call.QueryCalls(BroadcastId=BIG_CAMPAIGN_ID, MaxResults=1000).Call
    assert {"ABANDONED", "SKIPPED"} <= {r.Result for c in seeded for r in c.CallRecord}
    assert any(c.Note for c in seeded) and any(r.SwitchId for c in seeded for r in c.CallRecord)


def test_the_default_contract_writes_the_nearest_2014_values(live: Live, live_extended: Live, login: str) -> None:
    """The same seed calls through both contracts: later values become their 2014 counterparts."""
    def calls(target: Live) -> dict[int, tuple[str, list[str]]]:
        port = Bridge(target.wsdl, login, "1.2").call
        found = [*port.QueryCalls(BroadcastId=BIG_CAMPAIGN_ID, MaxResults=1000).Call,
                 *port.QueryCalls(BroadcastId=STATES_CAMPAIGN_ID, MaxResults=1000).Call]
        return {c.id: (c.State, [r.Result for r in c.CallRecord]) for c in found}

    default, extended = calls(live), calls(live_extended)
    assert default.keys() == extended.keys()
    results = {"SD": "AM", "POSTPONED": "UNDIALED", "ABANDONED": "LA", "SKIPPED": "UNDIALED"}
    states = {"CALLBACK": "READY", "DISABLED": "READY", "SKIPPED": "FINISHED", "PERIOD_LIMIT": "TIMEOUT"}
    for call_id, (state, records) in extended.items():
        assert default[call_id] == (states.get(state, state), [results.get(r, r) for r in records])
    later = {s for s, _ in extended.values()} | {r for _, rs in extended.values() for r in rs}
    assert {"SD", "POSTPONED", "ABANDONED", "SKIPPED", "DISABLED", "PERIOD_LIMIT"} <= later
