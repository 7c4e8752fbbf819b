"""CallFire's own PHP SoapClient examples, unchanged but for the WSDL URL, against the
running bridge (gunicorn, 2 workers, simulator process): the documented print_r shapes,
with soap_version SOAP_1_2, SOAP_1_1 and left out, and with SOAP_SINGLE_ELEMENT_ARRAYS."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

PHP_DIR = Path(__file__).parent / "php"
VERSIONS = ["1_2", "1_1", "none"]

# The documented sample output of the QueryCalls example (v1.1-QueryCalls.txt), as the
# bridge reproduces it from the simulator's fixture for broadcast 327 in CallFire's zone.
# One difference from the page: BroadcastId is the 327 that was asked for (the page's
# sample says 332). Under the default 2014 contract the later live API's AgentCall, which
# v2 always reports, is not written, exactly as on the page.
QUERY_CALLS_DOCUMENTED = """stdClass Object
(
    [TotalResults] => 1
    [Call] => stdClass Object
        (
            [FromNumber] => 13105551212
            [ToNumber] => stdClass Object
                (
                    [_] => 18185551212
                )

            [State] => INVALID
            [BatchId] => 331
            [BroadcastId] => 327
            [ContactId] => 4422
            [Inbound] => 
            [Created] => 2013-03-07T12:01:59-08:00
            [Modified] => 2013-03-07T12:01:59-08:00
            [id] => 9652
        )

)
"""


def php(live, script: str, *args: str, version: str = "1_2", single: bool = False,
        login: str | None = None, password: str | None = None) -> str:
    env = {**os.environ, "BRIDGE_WSDL": live.wsdl, "BRIDGE_SOAP_VERSION": version,
           "BRIDGE_SINGLE_ELEMENT_ARRAYS": "1" if single else "0"}
    if login is not None:
        env["BRIDGE_LOGIN"] = login
    if password is not None:
        env["BRIDGE_PASSWORD"] = password
    done = subprocess.run(["php", "-d", "soap.wsdl_cache_enabled=0", "-d", "display_errors=stderr",
                           str(PHP_DIR / script), *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def php_call(live, operation: str, request: dict, **kw) -> dict:
    return json.loads(php(live, "call.php", operation, json.dumps(request), **kw))


@pytest.mark.parametrize("version", VERSIONS)
def test_query_calls_example_prints_the_documented_shape(live, version: str) -> None:
    assert php(live, "QueryCalls.php", version=version) == QUERY_CALLS_DOCUMENTED


def test_query_calls_example_with_single_element_arrays(live) -> None:
    out = php(live, "QueryCalls.php", single=True)
    assert "[Call] => Array\n        (\n            [0] => stdClass Object" in out
    assert "[_] => 18185551212" in out and "[id] => 9652" in out


@pytest.mark.parametrize("version", VERSIONS)
def test_contact_history_example_lists_calls_and_texts(live, version: str) -> None:
    out = php(live, "GetContactHistory.php", version=version)
    assert out.startswith("stdClass Object\n(\n    [Call] => Array\n")
    assert "\n    [Text] => Array\n" in out
    assert "[ContactId] => 3\n" in out and "[Message] =>" in out
    assert "[CallRecord] =>" in out and "[TextRecord] =>" in out


@pytest.mark.parametrize("version", VERSIONS)
def test_send_call_example_starts_a_broadcast(live, login: str, version: str) -> None:
    out = php(live, "SendCall.php", version=version, login=login)
    assert out.startswith("Broadcast ID: ")
    broadcast_id = int(out.split(": ")[1])
    [sent] = [r for r in live.sim_requests(login) if r["method"] == "POST"]
    assert sent["path"] == "/v2/calls/broadcasts" and sent["query"]["start"] in ("true", ["true"])
    assert sent["body"] == {"name": "Test API SendCall Broadcast", "recipients": [{"phoneNumber": "18185551212"}],
                            "fromNumber": "13105551212", "answeringMachineConfig": "LIVE_IMMEDIATE",
                            "sounds": {"liveSoundId": 9}}
    result = php_call(live, "QueryCalls", {"BroadcastId": broadcast_id}, login=login)
    call = result["response"]["Call"]
    assert call["ToNumber"]["_"] == "18185551212" and call["State"] == "READY"
    assert result["response"]["TotalResults"] == 1


def test_client_data_and_phone_lists_round_trip_through_php(live, login: str) -> None:
    request = {"ToNumber": [{"_": "13105550001 13105550002", "ClientData": "order-7"}, "+13105550003"],
               "VoiceBroadcastConfig": {"LiveSoundText": "Hello from the bridge", "LiveSoundTextVoice": "FEMALE2"}}
    created = php_call(live, "SendCall", request, login=login)
    assert created["ok"], created
    calls = php_call(live, "QueryCalls", {"BroadcastId": created["response"]}, login=login)["response"]["Call"]
    by_number = {c["ToNumber"]["_"]: c["ToNumber"] for c in calls}
    assert by_number == {"13105550001": {"_": "13105550001", "ClientData": "order-7"},
                         "13105550002": {"_": "13105550002", "ClientData": "order-7"},
                         "13105550003": {"_": "13105550003"}}


@pytest.mark.parametrize("version", VERSIONS)
def test_faults_reach_php_with_service_fault_info(live, version: str) -> None:
    too_many = php_call(live, "QueryCalls", {"MaxResults": 5000}, version=version)
    assert not too_many["ok"]
    assert too_many["ServiceFaultInfo"]["FaultCode"] == "BAD_REQUEST"
    assert too_many["ServiceFaultInfo"]["Message"].startswith("MaxResults: 5000")
    assert too_many["faultstring"].startswith("MaxResults: 5000")

    missing = php_call(live, "GetCall", {"Id": 999999999}, version=version)
    assert missing["ServiceFaultInfo"]["FaultCode"] == "NOT_FOUND"

    no_config = php_call(live, "SendCall", {"ToNumber": "13105551212"}, version=version)
    assert no_config["ServiceFaultInfo"]["FaultCode"] == "BAD_REQUEST"
    assert "VoiceBroadcastConfig or IvrBroadcastConfig" in no_config["ServiceFaultInfo"]["Message"]

    missing_broadcast = php_call(live, "GetBroadcast", {"Id": 1}, version=version)
    assert missing_broadcast["ServiceFaultInfo"]["FaultCode"] == "NOT_FOUND"

    unknown = php_call(live, "GetSubscription", {"Id": 1}, version=version)
    assert unknown["ServiceFaultInfo"]["FaultCode"] == "NOT_FOUND"


def test_php_sends_the_envelope_its_option_names(live) -> None:
    soap11 = php_call(live, "GetCall", {"Id": 999999999}, version="none")
    assert "SOAPAction:" in soap11["last_headers"] and "text/xml" in soap11["last_headers"]
    soap12 = php_call(live, "GetCall", {"Id": 999999999}, version="1_2")
    assert "application/soap+xml" in soap12["last_headers"]


def test_empty_and_plural_lists_decode_as_php_users_expect(live) -> None:
    none = php_call(live, "QueryCalls", {"BroadcastId": 1234567, "MaxResults": 10})["response"]
    assert none == {"TotalResults": 0}
    many = php_call(live, "QueryCalls", {"MaxResults": 3})["response"]
    assert isinstance(many["Call"], list) and len(many["Call"]) == 3


def test_no_credentials_is_http_401_for_php(live) -> None:
    result = php_call(live, "GetCall", {"Id": 1}, login="", password="")
    assert not result["ok"]
    # The bridge answers HTTP 401 (WWW-Authenticate: Basic) with a fault body, which PHP decodes.
    assert result["ServiceFaultInfo"]["FaultCode"] == "FORBIDDEN", result
    assert "401" in result["faultstring"] or "credentials" in result["faultstring"]


def test_get_call_with_records_and_recordings_decodes_in_php(live) -> None:
    calls = php_call(live, "QueryCalls", {"MaxResults": 300, "State": "FINISHED"})["response"]["Call"]
    rich = next(c for c in calls if isinstance(c.get("CallRecord"), dict) and "RecordingMeta" in c["CallRecord"])
    labelled = next(c for c in calls if "Label" in c)
    labels = labelled["Label"]  # one Label decodes as an object, several as a list
    names = [labels["Name"]] if isinstance(labels, dict) else [label["Name"] for label in labels]
    assert names and all(names)
    got = php_call(live, "GetCall", {"Id": rich["id"]})
    assert got["ok"], got
    call = got["response"]
    assert call["id"] == rich["id"] and call["State"] == "FINISHED"
    record = call["CallRecord"]
    assert isinstance(record["id"], int) and record["Result"] == call["FinalResult"]
    assert record["RecordingMeta"]["Link"].startswith("http") and record["Duration"] >= 0
    assert "[CallRecord] => stdClass Object" in got["print_r"] and "[RecordingMeta] => stdClass Object" in got["print_r"]
    assert call["Created"].endswith("-08:00") or call["Created"].endswith("-07:00")  # CallFire's zone, as configured


def test_send_call_extensions_and_xs_lists_from_php_arrays(live_extended, login: str) -> None:
    """Label/MaxActive (CallFire's later live fields, served with --contract live) and xs:list
    values PHP joins from arrays."""
    live = live_extended
    request = {"ToNumber": "12135550111", "Label": ["php", "retry"], "MaxActive": 2,
               "VoiceBroadcastConfig": {"LiveSoundId": 9, "AnsweringMachineConfig": "AM_ONLY",
                                        "LocalTimeZoneRestriction": {"BeginTime": "08:30:00", "EndTime": "20:00:00"},
                                        "RetryConfig": {"MaxAttempts": 3, "RetryResults": ["BUSY", "NO_ANS"],
                                                        "RetryPhoneTypes": ["HOME_PHONE", "MOBILE_PHONE"]}}}
    created = php_call(live, "SendCall", request, login=login)
    assert created["ok"], created
    [sent] = [r for r in live.sim_requests(login) if r["method"] == "POST"]
    body = sent["body"]
    assert body["labels"] == ["php", "retry"] and body["maxActive"] == 2
    assert body["retryConfig"] == {"maxAttempts": 3, "retryResults": ["BUSY", "NO_ANS"],
                                   "retryPhoneTypes": ["HOME_PHONE", "MOBILE_PHONE"]}
    assert body["localTimeRestriction"] == {"enabled": True, "beginHour": 8, "beginMinute": 30,
                                            "endHour": 20, "endMinute": 0}


def test_the_default_2014_wsdl_has_no_label_so_php_sends_none(live, login: str) -> None:
    """PHP encodes only what the WSDL declares: under the default contract Label never leaves PHP."""
    created = php_call(live, "SendCall", {"ToNumber": "12135550112", "Label": ["php"], "MaxActive": 2,
                                          "VoiceBroadcastConfig": {"LiveSoundId": 9}}, login=login)
    assert created["ok"], created
    [sent] = [r for r in live.sim_requests(login) if r["method"] == "POST"]
    assert "labels" not in sent["body"] and "maxActive" not in sent["body"]
