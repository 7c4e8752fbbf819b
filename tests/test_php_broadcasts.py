"""BroadcastService from PHP's own SoapClient against the running bridge (CallFire's 2014 WSDL
as served): the documented SendCall -> GetBroadcast flow and a whole broadcast workflow."""
from __future__ import annotations

from collections import Counter

from test_php import php, php_call

VOICE = {"FromNumber": "13105551212", "AnsweringMachineConfig": "AM_AND_LIVE", "LiveSoundText": "Hello from PHP"}


def ok(result: dict) -> dict | int | str | None:
    assert result["ok"], result
    return result["response"]


def as_list(value: object) -> list:
    """PHP decodes one repeated element as an object, several as an array."""
    return [] if value is None else value if isinstance(value, list) else [value]


def test_the_documented_flow_send_call_then_get_broadcast(live, login: str) -> None:
    """CallFire's SendCall example ends: "Use GetBroadcast with the returned id to determine the
    status of the call campaign" -- RUNNING, then FINISHED once its calls have finished."""
    out = php(live, "SendCall.php", login=login)
    broadcast_id = int(out.split(": ")[1])
    broadcast = ok(php_call(live, "GetBroadcast", {"Id": broadcast_id}, login=login))
    assert broadcast["id"] == broadcast_id and broadcast["Status"] == "RUNNING" and broadcast["Type"] == "VOICE"
    assert broadcast["VoiceBroadcastConfig"]["FromNumber"] == "13105551212"
    live.advance(120)
    assert ok(php_call(live, "GetBroadcast", {"Id": broadcast_id}, login=login))["Status"] == "FINISHED"
    stats = ok(php_call(live, "GetBroadcastStats", {"Id": broadcast_id}, login=login))
    calls = as_list(ok(php_call(live, "QueryCalls", {"BroadcastId": broadcast_id}, login=login)).get("Call"))
    assert stats["ActionStatistics"]["Finished"] == len(calls) == sum(c["State"] == "FINISHED" for c in calls)
    assert stats["ActionStatistics"]["Unattempted"] == 0
    assert stats["UsageStats"]["Attempts"] == sum(len(as_list(c.get("CallRecord"))) for c in calls)


def test_a_broadcast_workflow(live, login: str) -> None:
    """Create -> contact batch -> START -> calls progress -> stats -> STOP -> found by status;
    schedules created, queried and deleted."""
    created = ok(php_call(live, "CreateBroadcast", {"Broadcast": {
        "Name": "PHP workflow", "Type": "VOICE", "VoiceBroadcastConfig": VOICE}}, login=login))
    broadcast_id = int(created)
    assert ok(php_call(live, "GetBroadcast", {"Id": broadcast_id}, login=login))["Status"] == "STOPPED"

    batch_id = int(ok(php_call(live, "CreateContactBatch", {
        "BroadcastId": broadcast_id, "Name": "first", "ToNumber": "12135550201 12135550202 12135550203"},
        login=login)))
    batch = ok(php_call(live, "GetContactBatch", {"Id": batch_id}, login=login))
    assert (batch["Name"], batch["BroadcastId"], batch["Size"]) == ("first", broadcast_id, 3)
    batches = ok(php_call(live, "QueryContactBatches", {"BroadcastId": broadcast_id}, login=login))
    assert [b["id"] for b in as_list(batches["ContactBatch"])] == [batch_id]

    assert ok(php_call(live, "ControlBroadcast", {"Id": broadcast_id, "Command": "START"}, login=login)) is None
    assert ok(php_call(live, "GetBroadcast", {"Id": broadcast_id}, login=login))["Status"] == "RUNNING"
    live.advance(120)
    calls = as_list(ok(php_call(live, "QueryCalls", {"BroadcastId": broadcast_id}, login=login))["Call"])
    assert len(calls) == 3 and {c["State"] for c in calls} == {"FINISHED"}
    stats = ok(php_call(live, "GetBroadcastStats", {"Id": broadcast_id}, login=login))
    assert stats["ActionStatistics"]["Finished"] == 3
    results = Counter(c["FinalResult"] for c in calls)
    for stat in as_list(stats.get("ResultStat")):
        assert stat["Actions"] == results[stat["Result"]]

    ok(php_call(live, "ControlBroadcast", {"Id": broadcast_id, "Command": "STOP"}, login=login))
    stopped = ok(php_call(live, "QueryBroadcasts", {"Running": False}, login=login))
    found = {b["id"]: b for b in as_list(stopped["Broadcast"])}
    assert broadcast_id in found and found[broadcast_id]["Name"] == "PHP workflow"
    running = ok(php_call(live, "QueryBroadcasts", {"Running": True}, login=login))
    assert broadcast_id not in {b["id"] for b in as_list(running.get("Broadcast"))}

    schedule = {"StartTimeOfDay": "09:00:00", "StopTimeOfDay": "17:00:00", "TimeZone": "America/New_York",
                "DaysOfWeek": "MONDAY WEDNESDAY"}
    schedule_id = int(ok(php_call(live, "CreateBroadcastSchedule",
                                  {"BroadcastId": broadcast_id, "BroadcastSchedule": schedule}, login=login)))
    listed = as_list(ok(php_call(live, "QueryBroadcastSchedule", {"BroadcastId": broadcast_id},
                                 login=login))["BroadcastSchedule"])
    assert [s["id"] for s in listed] == [schedule_id] and listed[0]["TimeZone"] == "America/New_York"
    assert listed[0]["StartTimeOfDay"].startswith("09:00:00") and listed[0]["DaysOfWeek"] == "MONDAY WEDNESDAY"
    got = ok(php_call(live, "GetBroadcastSchedule", {"Id": schedule_id}, login=login))
    assert got["id"] == schedule_id
    ok(php_call(live, "DeleteBroadcastSchedule", {"Id": schedule_id}, login=login))
    remaining = ok(php_call(live, "QueryBroadcastSchedule", {"BroadcastId": broadcast_id}, login=login))
    assert not as_list(remaining.get("BroadcastSchedule"))


def test_a_text_broadcast_round_trips_create_get_update_get(live, login: str) -> None:
    created = int(ok(php_call(live, "CreateBroadcast", {"Broadcast": {
        "Name": "PHP text", "Type": "TEXT", "TextBroadcastConfig": {"FromNumber": "67076", "Message": "Hi"}}},
        login=login)))
    got = ok(php_call(live, "GetBroadcast", {"Id": created}, login=login))
    assert (got["Type"], got["TextBroadcastConfig"]["Message"]) == ("TEXT", "Hi")
    ok(php_call(live, "UpdateBroadcast", {"Broadcast": {
        "id": created, "Name": "PHP text v2", "Type": "TEXT", "TextBroadcastConfig": {"Message": "Hello again"}}},
        login=login))
    got = ok(php_call(live, "GetBroadcast", {"Id": created}, login=login))
    assert (got["Name"], got["TextBroadcastConfig"]["Message"]) == ("PHP text v2", "Hello again")


def test_a_contact_batch_from_a_contact_list(live, login: str) -> None:
    """CreateContactBatch's other choice: ContactListId instead of numbers. A list made with
    CreateContactList from contact ids becomes the broadcast's calls, one per member."""
    created = ok(php_call(live, "CreateBroadcast", {"Broadcast": {
        "Name": "PHP list batch", "Type": "VOICE", "VoiceBroadcastConfig": VOICE}}, login=login))
    broadcast_id = int(created)
    list_id = int(ok(php_call(live, "CreateContactList", {
        "Name": "PHP batch list", "ContactSource": {"ContactId": "4 5 6"}}, login=login)))
    batch_id = int(ok(php_call(live, "CreateContactBatch", {
        "BroadcastId": broadcast_id, "Name": "from the list", "ContactListId": list_id}, login=login)))
    batch = ok(php_call(live, "GetContactBatch", {"Id": batch_id}, login=login))
    assert (batch["Name"], batch["BroadcastId"], batch["Size"]) == ("from the list", broadcast_id, 3)
    calls = as_list(ok(php_call(live, "QueryCalls", {"BroadcastId": broadcast_id}, login=login)).get("Call"))
    assert sorted(c["ContactId"] for c in calls) == [4, 5, 6]
    assert {c["BatchId"] for c in calls} == {batch_id}
