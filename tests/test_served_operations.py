"""Every served operation, generated from the registry: zeep (strict) builds the request from the
served WSDL, the running bridge answers it over SOAP 1.1 and 1.2, and the answer parses in
zeep and keeps CallFire's 2014 schema (the checking proxy of the `live` fixture)."""
from __future__ import annotations

import pytest
import requests
import zeep

from bridge.registry import registry
from bridge.sim import audio

# One valid request per served operation, on the simulator's seed data (broadcast 327 and its
# batch 331, text broadcast 610, broadcast 101's schedule 701, text 10152, auto-replies 1 and 2,
# contacts, contact list 801).
# A new served operation without a sample here fails test_every_served_operation_has_a_sample.
VOICE = {"FromNumber": "13105551212", "LiveSoundText": "Hello"}
SAMPLES: dict[str, dict] = {
    "QueryCalls": {"BroadcastId": 327, "MaxResults": 5},
    "GetCall": {"Id": 9652},
    "SendCall": {"ToNumber": [{"_value_1": "12135550301"}], "VoiceBroadcastConfig": VOICE},
    "GetContactHistory": {"ContactId": 3, "MaxResults": 4},
    "CreateBroadcast": {"Broadcast": {"Name": "zeep", "Type": "VOICE", "VoiceBroadcastConfig": VOICE}},
    "QueryBroadcasts": {"MaxResults": 10},
    "GetBroadcast": {"Id": 327},
    "UpdateBroadcast": {"Broadcast": {"id": 610, "Name": "renamed", "Type": "TEXT",
                                      "TextBroadcastConfig": {"Message": "New text"}}},
    "GetBroadcastStats": {"Id": 327},
    "ControlBroadcast": {"Id": 102, "Command": "STOP"},
    "CreateContactBatch": {"BroadcastId": 327, "ToNumber": [{"_value_1": "12135550302"}]},
    "QueryContactBatches": {"BroadcastId": 327},
    "GetContactBatch": {"Id": 331},
    "ControlContactBatch": {"Id": 331, "Enabled": False},
    "CreateBroadcastSchedule": {"BroadcastId": 327, "BroadcastSchedule": {
        "StartTimeOfDay": "09:00:00", "StopTimeOfDay": "17:00:00", "TimeZone": "America/Chicago",
        "DaysOfWeek": ["MONDAY"]}},
    "QueryBroadcastSchedule": {"BroadcastId": 101},
    "GetBroadcastSchedule": {"Id": 701},
    "DeleteBroadcastSchedule": {"Id": 701},
    # CallService sounds (seeded sounds 1-50, recording 3001 of call 10120)
    "CreateSound": {"Name": "zeep", "Data": audio.wav_tone(0.5, 440)},
    "QuerySoundMeta": {"MaxResults": 5},
    "GetSoundMeta": {"Id": 9},
    "GetSoundData": {"Id": 9, "Format": "WAV"},
    "GetRecordingData": {"RecordingId": 3001},
    # TextService: text 10152 is one of broadcast 610's; auto-replies 1 and 2 are seeded
    "SendText": {"ToNumber": [{"_value_1": "12135550303"}], "TextBroadcastConfig": {"Message": "Hello from zeep"}},
    "QueryTexts": {"BroadcastId": 610, "MaxResults": 5},
    "GetText": {"Id": 10152},
    "CreateAutoReply": {"AutoReply": {"Number": "12135551189", "Match": "HI", "Message": "Hello"}},
    "QueryAutoReplies": {"MaxResults": 10},
    "GetAutoReply": {"Id": 1},
    "DeleteAutoReply": {"Id": 2},
    # NumberService: the seed's leases (18885550123 toll-free with call tracking, 12135551189 with an
    # IVR), its keyword lease WHITEN, its order 9; new orders take numbers the simulator sells
    "QueryRegions": {"MaxResults": 5, "Region": {"State": "CA"}},
    "QueryNumbers": {"MaxResults": 10, "Region": {}},
    "GetNumber": {"Number": "18885550123"},
    "ConfigureNumber": {"Number": "13105551212", "NumberConfiguration": {
        "CallFeature": "ENABLED", "InboundCallConfigurationType": "TRACKING", "InboundCallConfiguration": {
            "CallTrackingConfig": {"TransferNumber": ["12135550100"], "Screen": True, "IntroSoundId": 3}}}},
    "SearchAvailableNumbers": {"Region": {"Zipcode": "90401"}, "Count": 3},
    "QueryKeywords": {"MaxResults": 10},
    "SearchAvailableKeywords": {"Keywords": ["SUN", "WHITEN"]},
    "CreateNumberOrder": {"BulkLocal": {"Count": 1, "Region": {"City": "Chicago"}}},
    "GetNumberOrder": {"Id": 9},
    "Release": {"Number": "16465550123"},
    # LabelService: broadcast 103 carries billing and notice, text broadcast 611 delivery
    "QueryLabels": {"MaxResults": 5},
    "LabelBroadcast": {"Id": 611, "LabelName": "zeep"},
    "UnlabelBroadcast": {"Id": 103, "LabelName": "notice"},
    "DeleteLabel": {"LabelName": "alerts"},
    # number leases (bridge/sim/number_seed.py): 12135551189 carries sms and main
    "LabelNumber": {"Number": "12135551189", "LabelName": "zeep"},
    "UnlabelNumber": {"Number": "12135551189", "LabelName": "sms"},
    # SubscriptionService: a fresh login has no subscription; Get/Update/Delete act on one the test
    # makes first (SUBSCRIPTION, through CreateSubscription), whose id replaces SUBSCRIPTION_ID.
    "CreateSubscription": {"Subscription": {
        "Endpoint": "http://93.184.216.34/notify", "TriggerEvent": "CAMPAIGN_STOPPED",
        "SubscriptionFilter": {"BroadcastId": 999999}}},
    "QuerySubscriptions": {"MaxResults": 10},
    "GetSubscription": {"Id": "SUBSCRIPTION_ID"},
    "UpdateSubscription": {"Subscription": {
        "id": "SUBSCRIPTION_ID", "Enabled": False, "Endpoint": "http://93.184.216.34/notify",
        "NotificationFormat": "JSON", "TriggerEvent": "OUTBOUND_TEXT_FINISHED"}},
    "DeleteSubscription": {"Id": "SUBSCRIPTION_ID"},
    # ContactService: contacts 1-199 and list 801 (contacts 1-20) are seeded
    "QueryContacts": {"ContactListId": 801, "MaxResults": 5},
    "UpdateContacts": {"Contact": [{"firstName": "Zeep", "homePhone": "12135550920"}, {"id": 7, "zipcode": "94105"}]},
    "RemoveContacts": {"ContactId": [199]},
    "GetContact": {"Id": 3},
    "CreateContactList": {"RequestId": "zeep-list", "Name": "zeep", "ContactSource": {"ContactId": [3, 4]}},
    "QueryContactLists": {"MaxResults": 10},
    "GetContactList": {"Id": 801},
    "DeleteContactList": {"Id": 801},
    "AddContactsToList": {"ContactListId": 801, "ContactSource": {
        "Numbers": {"_value_1": ["12135550921", "12135550922"], "fieldName": "workPhone"}}},
    "RemoveContactsFromList": {"ContactListId": 801, "ContactId": [3, 4]},
}
SUBSCRIPTION = SAMPLES["CreateSubscription"]["Subscription"]


def with_subscription(sample: dict, subscription_id: int) -> dict:
    """`sample` with SUBSCRIPTION_ID replaced by `subscription_id`, at any depth."""
    return {k: with_subscription(v, subscription_id) if isinstance(v, dict)
            else subscription_id if v == "SUBSCRIPTION_ID" else v for k, v in sample.items()}
SERVED = [op for op in registry().served()]


def test_every_served_operation_has_a_sample() -> None:
    assert {op.name for op in SERVED} == set(SAMPLES)


@pytest.mark.parametrize("version", ["1.2", "1.1"])
@pytest.mark.parametrize("op", SERVED, ids=lambda op: op.name)
def test_the_bridge_answers_what_zeep_builds_from_the_wsdl(live, login: str, op, version: str) -> None:
    session = requests.Session()
    session.auth = (login, "secret")
    client = zeep.Client(live.wsdl_for(version), transport=zeep.Transport(session=session))
    port = client.bind("CallFireApi", f"{op.port}Port")
    sample = SAMPLES[op.name]
    if "SUBSCRIPTION_ID" in str(sample):
        created = client.bind("CallFireApi", "SubscriptionServicePort").CreateSubscription(Subscription=SUBSCRIPTION)
        sample = with_subscription(sample, created)
    answer = getattr(port, op.name)(**sample)
    if op.wsdl.response is None:
        assert answer is None
    else:
        assert answer is not None
