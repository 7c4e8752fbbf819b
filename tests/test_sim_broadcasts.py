"""Call and text broadcasts of the v2 simulator over real HTTP: finders, lifecycle in simulated
time, batches, recipients, schedules, statistics, errors and isolation.

Every response of the `checked` client is checked against CallFire's 2020 Swagger spec as it
arrives (tests/sim_spec.py), so each test here is also a contract test of what it touches.
"""
from __future__ import annotations

import httpx
import pytest

from tests.sim_fixtures import (  # noqa: F401  (checked, login and sim are fixtures)
    VOICE_BROADCAST, advance, all_items, checked, http_client, login, sent_requests, sim)

TEXT_BROADCAST = {"name": "Pickup reminder", "fromNumber": "12135551189",
                  "message": "Your order is ready for pickup."}
BODIES = {"calls": VOICE_BROADCAST, "texts": TEXT_BROADCAST}
SCHEDULE = {"startDate": {"year": 2026, "month": 12, "day": 1},
            "startTimeOfDay": {"hour": 10, "minute": 0, "second": 0},
            "stopDate": {"year": 2026, "month": 12, "day": 10},
            "stopTimeOfDay": {"hour": 18, "minute": 0, "second": 0},
            "daysOfWeek": ["SATURDAY", "SUNDAY"], "timeZone": "America/New_York"}
UNFINISHED = ("READY", "SELECTED", "CALLBACK")


def create(http: httpx.Client, kind: str = "calls", numbers: tuple[str, ...] = (),
           start: bool = False, **body: object) -> int:
    payload = {**BODIES[kind], **body}
    if numbers:
        payload["recipients"] = [{"phoneNumber": n} for n in numbers]
    response = http.post(f"/{kind}/broadcasts", params={"start": str(start).lower()},
                         json=payload)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def broadcast(http: httpx.Client, broadcast_id: int, kind: str = "calls") -> dict:
    response = http.get(f"/{kind}/broadcasts/{broadcast_id}")
    assert response.status_code == 200, response.text
    return response.json()


def actions(http: httpx.Client, broadcast_id: int, kind: str = "calls") -> list[dict]:
    """A broadcast's calls/texts, oldest first."""
    return all_items(http, f"/{kind}/broadcasts/{broadcast_id}/{kind}")[::-1]


def states(http: httpx.Client, broadcast_id: int, kind: str = "calls") -> list[str]:
    return [a["state"] for a in actions(http, broadcast_id, kind)]


def add_batch(http: httpx.Client, broadcast_id: int, numbers: tuple[str, ...],
              kind: str = "calls", **body: object) -> int:
    response = http.post(f"/{kind}/broadcasts/{broadcast_id}/batches", json={
        "name": "more", "recipients": [{"phoneNumber": n} for n in numbers], **body})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["message"]


def now(sim) -> int:
    return advance(sim, 0)


# ---- stats agree with the actions --------------------------------------------------------------
ERRORS = ("INTERNAL_ERROR", "CARRIER_ERROR", "CARRIER_TEMP_ERROR")


def assert_call_stats_match(stats: dict, calls: list[dict]) -> None:
    """The definitions in bridge/sim/README.md, checked call by call."""
    results = [c.get("finalCallResult") for c in calls]
    records = [r for c in calls for r in c.get("records", ())]
    attempts = [r for r in records if "originateTime" in r]
    assert stats["totalCount"] == stats["totalOutboundCount"] == len(calls)
    assert stats["remainingOutboundCount"] == sum(c["state"] in UNFINISHED for c in calls)
    assert stats["callsRemaining"] == sum(c["state"] in ("READY", "CALLBACK") for c in calls)
    assert stats["callsAwaitingRedial"] == sum(c["state"] == "CALLBACK" for c in calls)
    assert stats["liveCount"] == results.count("LA")
    assert stats["answeringMachineCount"] == results.count("AM")
    assert stats["busyCount"] == results.count("BUSY")
    assert stats["noAnswerCount"] == results.count("NO_ANS")
    assert stats["transferCount"] == results.count("XFER") + results.count("XFER_LEG")
    assert stats["errorCount"] == sum(r in ERRORS for r in results)
    assert stats["doNotCallCount"] == sum(c.get("finalCallResult") == "DNC" or c["state"] == "DNC"
                                          for c in calls)
    partition = ("remainingOutboundCount", "liveCount", "answeringMachineCount", "busyCount",
                 "noAnswerCount", "transferCount", "errorCount", "doNotCallCount", "miscCount")
    assert sum(stats[k] for k in partition) == len(calls)
    assert stats["callsAttempted"] == len(attempts)
    assert stats["callsPlaced"] == sum(any("originateTime" in r for r in c.get("records", ()))
                                       for c in calls)
    assert stats["callsDuration"] == sum(r.get("duration", 0) for r in records)
    assert stats["billedAmount"] == pytest.approx(sum(r.get("billedAmount", 0) for r in records))


def assert_text_stats_match(stats: dict, texts: list[dict]) -> None:
    results = [t.get("finalTextResult") for t in texts]
    assert stats["totalOutboundCount"] == len(texts)
    assert stats["remainingOutboundCount"] == sum(t["state"] in UNFINISHED for t in texts)
    assert stats["sentCount"] == results.count("SENT")
    assert stats["tooBigCount"] == results.count("TOO_BIG")
    assert stats["errorCount"] == sum(r in ERRORS for r in results)
    assert stats["doNotTextCount"] == sum(t.get("finalTextResult") == "DNT" or
                                          t["state"] == "DNC" for t in texts)
    partition = ("remainingOutboundCount", "sentCount", "tooBigCount", "errorCount",
                 "doNotTextCount", "unsentCount", "recievedCount")
    assert sum(stats[k] for k in partition) == len(texts)
    assert stats["billedAmount"] == pytest.approx(
        sum(r["billedAmount"] for t in texts for r in t.get("records", ())))


# ---- seed ----------------------------------------------------------------------------------------
SEEDED = {"calls": {327: "FINISHED", 101: "FINISHED", 102: "FINISHED", 103: "RUNNING",
                    104: "STOPPED", 500: "FINISHED"},
          "texts": {610: "FINISHED", 611: "RUNNING"}}


@pytest.mark.parametrize("kind, broadcast_id", [(k, i) for k, ids in SEEDED.items() for i in ids])
def test_seeded_broadcasts_are_consistent_with_their_actions(checked: httpx.Client, kind: str,
                                                              broadcast_id: int) -> None:
    wire = broadcast(checked, broadcast_id, kind)
    mine = all_items(checked, f"/{kind}", campaignId=broadcast_id)
    assert mine and wire["status"] == SEEDED[kind][broadcast_id]
    assert wire["lastModified"] == max(a["modified"] for a in mine)
    assert all(a.get("labels", []) == wire.get("labels", []) for a in mine)
    assert {a["fromNumber"] for a in mine} == {wire["fromNumber"]}
    if wire["status"] == "FINISHED":
        assert all(a["state"] not in UNFINISHED for a in mine)
    if wire["status"] == "RUNNING":
        assert any(a["state"] == "READY" for a in mine)
    if kind == "texts":
        assert {t["message"] for t in mine} == {wire["message"]}
    stats = checked.get(f"/{kind}/broadcasts/{broadcast_id}/stats").json()
    (assert_call_stats_match if kind == "calls" else assert_text_stats_match)(stats, mine)
    batches = checked.get(f"/{kind}/broadcasts/{broadcast_id}/batches").json()["items"]
    assert sorted(b["id"] for b in batches) == sorted({a["batchId"] for a in mine})
    for batch in batches:
        in_batch = [a for a in mine if a["batchId"] == batch["id"]]
        assert batch == checked.get(f"/campaigns/batches/{batch['id']}").json()
        assert (batch["size"], batch["remaining"]) == (
            len(in_batch), sum(a["state"] == "READY" for a in in_batch))
        assert batch["broadcastId"] == broadcast_id and batch["enabled"]
        assert batch["created"] == min(a["created"] for a in in_batch)
        assert batch["status"] == ("ERRORS" if any(a["state"] == "INVALID" for a in in_batch)
                                   else "ACTIVE")


def test_seeded_schedule_and_documentation_batch(checked: httpx.Client) -> None:
    (schedule,) = broadcast(checked, 101)["schedules"]
    assert schedule["id"] == 701 and schedule["campaignId"] == 101
    assert schedule["daysOfWeek"][0] == "MONDAY" and schedule["timeZone"] == "America/Los_Angeles"
    assert checked.get("/campaigns/batches/331").json()["broadcastId"] == 327
    assert "schedules" not in broadcast(checked, 103)


# ---- finders -------------------------------------------------------------------------------------
def test_find_broadcasts_newest_first_with_filters(sim, checked: httpx.Client) -> None:
    seeded = checked.get("/calls/broadcasts").json()
    assert (seeded["limit"], seeded["offset"], seeded["totalCount"]) == (10, 0, 6)
    assert [b["id"] for b in seeded["items"]] == [103, 104, 500, 102, 101, 327]
    assert [b["id"] for b in checked.get("/texts/broadcasts").json()["items"]] == [611, 610]
    first = create(checked, name="Spring Sale calls", labels=["spring", "sale"])
    advance(sim, 1)
    second = create(checked, name="Winter notice", labels=["winter"], start=True)
    texts = create(checked, "texts", name="Spring Sale texts", labels=["spring"])

    def ids(kind: str = "calls", **params: object) -> list[int]:
        page = checked.get(f"/{kind}/broadcasts", params={"limit": 100, **params}).json()
        assert page["totalCount"] == len(page["items"])
        return [b["id"] for b in page["items"]]

    assert ids()[:3] == [second, first, 103]
    assert ids(name="spring sale") == [first] and ids("texts", name="Sale") == [texts]
    assert ids(label="spring") == [first] and ids("texts", label="spring") == [texts]
    assert ids(label="billing") == [103]
    assert ids(running="true") == [second, 103]
    assert set(ids(running="false")) == {first, 104, 500, 102, 101, 327}
    assert ids(scheduled="true") == [101]
    assert ids(intervalBegin=now(sim) - 500) == [second]
    page = checked.get("/calls/broadcasts", params={"limit": 2, "offset": 1}).json()
    assert [b["id"] for b in page["items"]] == [first, 103] and page["totalCount"] == 8
    assert "recipients" not in page["items"][0]


# ---- lifecycle -----------------------------------------------------------------------------------
def test_create_add_batch_start_finish_with_stats(sim, checked: httpx.Client) -> None:
    broadcast_id = create(checked, labels=["flow"])
    assert broadcast(checked, broadcast_id)["status"] == "SETUP"
    assert checked.get(f"/calls/broadcasts/{broadcast_id}/batches").json()["items"] == []
    batch_id = add_batch(checked, broadcast_id, ("12135550170", "12135550174", "12135550176",
                                                 "12135550177", "12135550178", "555"))
    batch = checked.get(f"/campaigns/batches/{batch_id}").json()
    assert batch | {"created": 0} == {
        "id": batch_id, "name": "more", "status": "ERRORS", "broadcastId": broadcast_id,
        "created": 0, "size": 6, "remaining": 5, "enabled": True}
    advance(sim, 600)                                     # not started: nothing moves
    assert states(checked, broadcast_id) == ["READY"] * 5 + ["INVALID"]
    assert checked.post(f"/calls/broadcasts/{broadcast_id}/start").content == b""
    started = now(sim)
    assert broadcast(checked, broadcast_id)["status"] == "RUNNING"
    advance(sim, 30)
    assert states(checked, broadcast_id) == ["SELECTED"] * 5 + ["INVALID"]
    stats = checked.get(f"/calls/broadcasts/{broadcast_id}/stats").json()
    assert stats["remainingOutboundCount"] == 5 and stats["callsRemaining"] == 0
    advance(sim, 60)
    calls = actions(checked, broadcast_id)
    assert [c.get("finalCallResult") for c in calls] == [
        "LA", "AM", "BUSY", "NO_ANS", "CARRIER_ERROR", None]
    assert all(c["labels"] == ["flow"] and c["batchId"] == batch_id for c in calls)
    stats = checked.get(f"/calls/broadcasts/{broadcast_id}/stats").json()
    assert_call_stats_match(stats, calls)
    assert stats | {"billedAmount": 0} == {
        "totalCount": 6, "totalOutboundCount": 6, "remainingOutboundCount": 0,
        "callsRemaining": 0, "callsAwaitingRedial": 0, "callsAttempted": 5, "callsPlaced": 5,
        "dialedCount": 5, "callsLiveAnswer": 1, "callsDuration": 108, "billedDuration": 120,
        "liveCount": 1, "answeringMachineCount": 1, "busyCount": 1, "doNotCallCount": 0,
        "transferCount": 0, "noAnswerCount": 1, "errorCount": 1, "miscCount": 1,
        "responseRatePercent": 40, "billedAmount": 0}
    assert stats["billedAmount"] == pytest.approx(0.10)
    finished = broadcast(checked, broadcast_id)
    assert finished["status"] == "FINISHED" and finished["lastModified"] == started + 90_000
    assert checked.get(f"/campaigns/batches/{batch_id}").json()["remaining"] == 0


def test_stop_holds_ready_calls_and_start_resumes(sim, checked: httpx.Client) -> None:
    broadcast_id = create(checked, numbers=("12135550180", "12135550181"), start=True)
    advance(sim, 10)
    checked.post(f"/calls/broadcasts/{broadcast_id}/stop")
    assert broadcast(checked, broadcast_id)["status"] == "STOPPED"
    advance(sim, 3600)
    assert states(checked, broadcast_id) == ["READY", "READY"]
    stats = checked.get(f"/calls/broadcasts/{broadcast_id}/stats").json()
    assert stats["callsRemaining"] == stats["remainingOutboundCount"] == 2
    checked.post(f"/calls/broadcasts/{broadcast_id}/stop")             # again: no change
    checked.post(f"/calls/broadcasts/{broadcast_id}/start")
    advance(sim, 90)
    assert states(checked, broadcast_id) == ["FINISHED", "FINISHED"]
    assert broadcast(checked, broadcast_id)["status"] == "FINISHED"


def test_finished_broadcast_restarts_only_with_new_recipients(sim, checked: httpx.Client) -> None:
    broadcast_id = create(checked, numbers=("12135550190",), start=True)
    advance(sim, 90)
    done = broadcast(checked, broadcast_id)
    assert done["status"] == "FINISHED"
    checked.post(f"/calls/broadcasts/{broadcast_id}/start")            # nothing left: no-op
    checked.post(f"/calls/broadcasts/{broadcast_id}/stop")
    assert broadcast(checked, broadcast_id) == done
    add_batch(checked, broadcast_id, ("12135550191",))
    advance(sim, 600)
    assert states(checked, broadcast_id) == ["FINISHED", "READY"]
    assert broadcast(checked, broadcast_id)["status"] == "FINISHED"
    checked.post(f"/calls/broadcasts/{broadcast_id}/start")
    assert broadcast(checked, broadcast_id)["status"] == "RUNNING"
    advance(sim, 90)
    assert broadcast(checked, broadcast_id)["status"] == "FINISHED"


def test_starting_a_broadcast_with_nothing_to_do(checked: httpx.Client) -> None:
    checked.post("/calls/broadcasts/104/start")       # seeded, STOPPED, every call done
    assert broadcast(checked, 104)["status"] == "FINISHED"
    empty = create(checked, start=True)               # no recipients yet: waits for some
    assert broadcast(checked, empty)["status"] == "RUNNING"
    invalid = create(checked, numbers=("123",))
    checked.post(f"/calls/broadcasts/{invalid}/start")
    assert broadcast(checked, invalid)["status"] == "FINISHED"


def test_seeded_calls_never_change(sim, checked: httpx.Client) -> None:
    before = all_items(checked, "/calls", campaignId=103)
    checked.post("/calls/broadcasts/103/stop")
    checked.post("/calls/broadcasts/103/start")
    advance(sim, 3600)
    assert all_items(checked, "/calls", campaignId=103) == before
    assert broadcast(checked, 103)["status"] == "RUNNING"


def test_archive_hides_and_freezes(sim, checked: httpx.Client) -> None:
    broadcast_id = create(checked, numbers=("12135550200",), start=True, name="To archive")
    assert checked.post(f"/calls/broadcasts/{broadcast_id}/archive").content == b""
    archived = broadcast(checked, broadcast_id)
    assert archived["status"] == "ARCHIVED"
    assert broadcast_id not in [b["id"] for b in checked.get(
        "/calls/broadcasts", params={"name": "To archive"}).json()["items"]]
    advance(sim, 600)
    assert states(checked, broadcast_id) == ["READY"]
    for response in (checked.post(f"/calls/broadcasts/{broadcast_id}/start"),
                     checked.post(f"/calls/broadcasts/{broadcast_id}/stop"),
                     checked.put(f"/calls/broadcasts/{broadcast_id}", json={"name": "x"}),
                     checked.post(f"/calls/broadcasts/{broadcast_id}/recipients",
                                  json=[{"phoneNumber": "12135550201"}]),
                     checked.post(f"/calls/broadcasts/{broadcast_id}/batches",
                                  json={"recipients": [{"phoneNumber": "12135550201"}]})):
        assert "is archived" in error(response, 400)
    checked.post(f"/calls/broadcasts/{broadcast_id}/archive")            # again: no change
    assert broadcast(checked, broadcast_id) == archived
    checked.post("/texts/broadcasts/610/archive")
    assert [b["id"] for b in checked.get("/texts/broadcasts").json()["items"]] == [611]


# ---- batches and recipients ----------------------------------------------------------------------
def test_disabled_batch_holds_its_calls(sim, checked: httpx.Client) -> None:
    broadcast_id = create(checked, numbers=("12135550210",))
    api_batch = actions(checked, broadcast_id)[0]["batchId"]
    other = add_batch(checked, broadcast_id, ("12135550211", "12135550212"), name="second")
    assert checked.put(f"/campaigns/batches/{other}", json={"enabled": False}).content == b""
    checked.post(f"/calls/broadcasts/{broadcast_id}/start")
    advance(sim, 600)
    assert states(checked, broadcast_id) == ["FINISHED", "READY", "READY"]
    assert broadcast(checked, broadcast_id)["status"] == "RUNNING"
    batches = checked.get(f"/calls/broadcasts/{broadcast_id}/batches").json()["items"]
    assert [(b["id"], b["name"], b["enabled"], b["remaining"]) for b in batches] == [
        (api_batch, f"API {broadcast_id}", True, 0), (other, "second", False, 2)]
    checked.put(f"/campaigns/batches/{other}", json={"id": other, "enabled": True,
                                                     "name": "ignored"})
    advance(sim, 90)
    assert states(checked, broadcast_id) == ["FINISHED"] * 3
    assert checked.get(f"/campaigns/batches/{other}").json()["name"] == "second"
    assert broadcast(checked, broadcast_id)["status"] == "FINISHED"
    page = checked.get(f"/calls/broadcasts/{broadcast_id}/calls",
                       params={"batchId": other}).json()
    assert page["totalCount"] == 2 and {c["batchId"] for c in page["items"]} == {other}


def test_batch_options_and_errors(checked: httpx.Client) -> None:
    broadcast_id = create(checked, numbers=("12135550220",))
    batch_id = add_batch(checked, broadcast_id, ("12135550220", "2135550221", "12135550221"),
                         scrubDuplicates=True)
    assert [c["toNumber"] for c in actions(checked, broadcast_id)] == [
        "12135550220", "12135550221"]
    assert checked.get(f"/campaigns/batches/{batch_id}").json()["size"] == 1
    before = len(actions(checked, broadcast_id))
    url = f"/calls/broadcasts/{broadcast_id}/batches"
    assert error(checked.post(url, json={"name": "empty"}), 400).startswith("recipients:")
    assert error(checked.post(url, json={"contactListId": 5}), 404) == "contact list 5 not found"
    assert error(checked.post(url, params={"strictValidation": "true"}, json={
        "recipients": [{"phoneNumber": "12135550222"}, {"phoneNumber": "12"}]}),
        400).startswith("recipients[1].phoneNumber:")
    assert error(checked.post(url, json={"recipients": [], "size": 3}), 400).startswith("size:")
    assert len(actions(checked, broadcast_id)) == before
    assert error(checked.put(f"/campaigns/batches/{batch_id}", json={"enabled": "no"}),
                 400).startswith("enabled:")
    error(checked.put("/campaigns/batches/999999", json={"enabled": False}), 404)
    error(checked.post("/calls/broadcasts/999999/batches", json={"name": "x"}), 404)
    error(checked.get("/calls/broadcasts/999999/batches"), 404)


@pytest.mark.parametrize("kind", ["calls", "texts"])
def test_a_batch_from_a_contact_list_reaches_its_members(checked: httpx.Client, kind: str) -> None:
    """BatchRequest.contactListId: each member of the list becomes an action of the new batch, on
    the contact's number (a member removed from the list is not reached)."""
    made = checked.post("/contacts/lists", json={"name": f"batch {kind}", "contactIds": [2, 3, 4]}).json()
    checked.delete(f"/contacts/lists/{made['id']}/items", params={"contactId": 3}).raise_for_status()
    broadcast_id = create(checked, kind)
    response = checked.post(f"/{kind}/broadcasts/{broadcast_id}/batches",
                            json={"name": "from a list", "contactListId": made["id"]})
    assert response.status_code == 201
    batch = checked.get(f"/campaigns/batches/{response.json()['id']}").json()
    mine = actions(checked, broadcast_id, kind)
    assert batch["size"] == 2 and sorted(a["contact"]["id"] for a in mine) == [2, 4]
    assert all(a["batchId"] == batch["id"] and a["state"] == "READY" for a in mine)


@pytest.mark.parametrize("kind", ["calls", "texts"])
def test_add_recipients_returns_the_new_actions(sim, checked: httpx.Client, kind: str) -> None:
    broadcast_id = create(checked, kind, numbers=("12135550230",), start=True)
    first = actions(checked, broadcast_id, kind)[0]
    body = [{"phoneNumber": "(213) 555-0231", "attributes": {"ref": "A-1"}},
            {"contactId": 3, "fromNumber": "13105551212"}]
    if kind == "texts":
        body[1]["message"] = "Just for you"
    response = checked.post(f"/{kind}/broadcasts/{broadcast_id}/recipients", json=body)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [a["state"] for a in items] == ["READY", "READY"]
    assert {a["batchId"] for a in items} == {first["batchId"]}         # the API batch
    assert items[0]["toNumber"] == "12135550231" and items[0]["attributes"] == {"ref": "A-1"}
    assert items[1]["fromNumber"] == "13105551212" and items[1]["contact"]["id"] == 3
    if kind == "texts":                  # texts go to a contact's mobile phone first
        assert items[1]["contact"] == {"id": 3, "mobilePhone": "13235550103"}
        assert (items[0]["message"], items[1]["message"]) == (TEXT_BROADCAST["message"],
                                                              "Just for you")
    else:
        assert items[1]["contact"] == {"id": 3, "homePhone": "12135550103"}
    assert checked.post(f"/{kind}/broadcasts/{broadcast_id}/recipients",
                        json=[]).json() == {"items": []}
    assert error(checked.post(f"/{kind}/broadcasts/{broadcast_id}/recipients",
                              json={"phoneNumber": "12135550232"}), 400).startswith("body:")
    advance(sim, 90)
    assert {a["state"] for a in actions(checked, broadcast_id, kind)} == {"FINISHED"}


# ---- update and schedules --------------------------------------------------------------------
def test_update_changes_only_the_fields_sent(sim, checked: httpx.Client) -> None:
    broadcast_id = create(checked, labels=["a"], maxActive=5,
                          sounds={"liveSoundId": 9, "machineSoundText": "Call us back"})
    before = broadcast(checked, broadcast_id)
    advance(sim, 5)
    response = checked.put(f"/calls/broadcasts/{broadcast_id}", json={
        "id": broadcast_id, "status": "RUNNING", "name": "Renamed", "labels": ["b", "b"],
        "sounds": {"liveSoundText": "Hello"}})
    assert response.status_code == 200 and response.content == b""
    after = broadcast(checked, broadcast_id)
    assert after == {**before, "name": "Renamed", "labels": ["b"],
                     "sounds": {"liveSoundText": "Hello"}, "lastModified": now(sim)}
    assert error(checked.put(f"/calls/broadcasts/{broadcast_id}", json={"sounds": {}}),
                 400).startswith("sounds:")
    assert error(checked.put(f"/calls/broadcasts/{broadcast_id}", json={"nmae": "x"}),
                 400).startswith("nmae:")
    assert error(checked.put(f"/calls/broadcasts/{broadcast_id}",
                             params={"strictValidation": "true"},
                             json={"recipients": [{"phoneNumber": "5"}]}),
                 400).startswith("recipients[0].phoneNumber:")
    assert broadcast(checked, broadcast_id) == after
    checked.put(f"/calls/broadcasts/{broadcast_id}", json={
        "recipients": [{"phoneNumber": "12135550240"}]})              # recipients are added
    assert [c["labels"] for c in actions(checked, broadcast_id)] == [["b"]]
    error(checked.put("/calls/broadcasts/610", json={"name": "x"}), 404)


def test_schedules_round_trip(checked: httpx.Client) -> None:
    broadcast_id = create(checked, schedules=[SCHEDULE, {**SCHEDULE, "daysOfWeek": ["MONDAY"],
                                                         "id": 12345, "campaignId": 1}])
    first, second = broadcast(checked, broadcast_id)["schedules"]
    assert first == {"id": first["id"], "campaignId": broadcast_id, **SCHEDULE}
    assert second["id"] == first["id"] + 1 and second["campaignId"] == broadcast_id
    assert second["daysOfWeek"] == ["MONDAY"]
    checked.put(f"/calls/broadcasts/{broadcast_id}", json={"name": "no schedule change"})
    assert broadcast(checked, broadcast_id)["schedules"] == [first, second]
    later = {**SCHEDULE, "startTimeOfDay": {"hour": 12, "minute": 30}}
    checked.put(f"/calls/broadcasts/{broadcast_id}", json={"schedules": [first, later]})
    kept, added = broadcast(checked, broadcast_id)["schedules"]
    assert kept == first and added["id"] not in (first["id"], second["id"])
    assert added["startTimeOfDay"] == {"hour": 12, "minute": 30}
    checked.put(f"/calls/broadcasts/{broadcast_id}", json={"schedules": []})
    assert broadcast(checked, broadcast_id)["schedules"] == []
    texts = create(checked, "texts", schedules=[SCHEDULE])
    response = checked.put(f"/texts/broadcasts/{texts}", json={"schedules": [
        *broadcast(checked, texts, "texts")["schedules"], later]})
    assert response.json() == {"id": texts}                          # TextBroadcastCreateResponse
    assert len(broadcast(checked, texts, "texts")["schedules"]) == 2
    assert broadcast(checked, texts, "texts")["status"] == "SETUP"   # stored, not enacted


@pytest.mark.parametrize("schedule, field", [
    ({"startDate": {"year": 2026, "month": 2, "day": 30}}, "schedules[0].startDate"),
    ({"startDate": {"year": 2026, "month": 2}}, "schedules[0].startDate"),
    ({"startTimeOfDay": {"hour": 24}}, "schedules[0].startTimeOfDay"),
    ({"stopTimeOfDay": {"hour": 1, "nano": -1}}, "schedules[0].stopTimeOfDay"),
    ({"timeZone": "Mars/Olympus"}, "schedules[0].timeZone"),
    ({"daysOfWeek": ["FUNDAY"]}, "schedules[0].daysOfWeek[0]"),
    ({"daysOfWeek": ["MONDAY", "MONDAY"]}, "schedules[0].daysOfWeek"),
    ({"startDate": {"year": 2026, "month": 3, "day": 2},
      "stopDate": {"year": 2026, "month": 3, "day": 1}}, "schedules[0].stopDate"),
    ({"weekly": True}, "schedules[0].weekly"),
])
def test_bad_schedules_are_400(checked: httpx.Client, schedule: dict, field: str) -> None:
    response = checked.post("/calls/broadcasts", json={**VOICE_BROADCAST, "schedules": [schedule]})
    assert error(response, 400).startswith(field + ":")


# ---- text broadcasts -----------------------------------------------------------------------------
def test_text_broadcast_runs_to_finished(sim, checked: httpx.Client) -> None:
    broadcast_id = create(checked, "texts", numbers=("12135550250", "12135550258",
                                                     "12135550259", "bad"), labels=["pickup"])
    wire = broadcast(checked, broadcast_id, "texts")
    assert wire | {"lastModified": 0} == {
        "id": broadcast_id, "name": "Pickup reminder", "status": "SETUP", "lastModified": 0,
        "fromNumber": "12135551189", "message": "Your order is ready for pickup.",
        "labels": ["pickup"], "bigMessageStrategy": "SEND_MULTIPLE"}
    advance(sim, 60)
    assert states(checked, broadcast_id, "texts") == ["READY"] * 3 + ["INVALID"]
    checked.post(f"/texts/broadcasts/{broadcast_id}/start")
    started = now(sim)
    advance(sim, 9)
    assert states(checked, broadcast_id, "texts") == ["READY"] * 3 + ["INVALID"]
    advance(sim, 1)
    texts = actions(checked, broadcast_id, "texts")
    assert [t.get("finalTextResult") for t in texts] == ["SENT", "DNT", "CARRIER_ERROR", None]
    sent = texts[0]
    assert sent["modified"] == started + 10_000 and sent["labels"] == ["pickup"]
    assert sent["records"] == [{"id": sent["records"][0]["id"], "billedAmount": 0.03,
                                "finishTime": started + 10_000, "toNumber": "12135550250",
                                "labels": ["pickup"], "message": TEXT_BROADCAST["message"],
                                "textResult": "SENT"}]
    stats = checked.get(f"/texts/broadcasts/{broadcast_id}/stats").json()
    assert_text_stats_match(stats, texts)
    assert stats == {"totalOutboundCount": 4, "remainingOutboundCount": 0, "sentCount": 1,
                     "unsentCount": 1, "recievedCount": 0, "doNotTextCount": 1,
                     "tooBigCount": 0, "errorCount": 1, "billedAmount": 0.03}
    finished = broadcast(checked, broadcast_id, "texts")
    assert finished["status"] == "FINISHED" and finished["lastModified"] == started + 10_000
    assert checked.get(f"/texts/{sent['id']}").json() == sent


@pytest.mark.parametrize("strategy, result, billed, recorded", [
    ("SEND_MULTIPLE", "SENT", 0.06, 200), ("DO_NOT_SEND", "TOO_BIG", 0.0, 200),
    ("TRIM", "SENT", 0.03, 160), ("MMS", "SENT", 0.03, 200),
])
def test_long_messages_follow_big_message_strategy(sim, checked: httpx.Client, strategy: str,
                                                   result: str, billed: float,
                                                   recorded: int) -> None:
    broadcast_id = create(checked, "texts", numbers=("12135550260",), start=True,
                          message="x" * 200, bigMessageStrategy=strategy, fromNumber="67076")
    advance(sim, 10)
    (text,) = actions(checked, broadcast_id, "texts")
    (record,) = text["records"]
    assert text["fromNumber"] == "67076" and len(text["message"]) == 200
    assert (record["textResult"], record["billedAmount"], len(record["message"])) == (
        result, billed, recorded)


@pytest.mark.parametrize("body, field", [
    ({"message": ""}, "message"),
    ({"message": 5}, "message"),
    ({"fromNumber": "1234"}, "fromNumber"),
    ({"bigMessageStrategy": "SPLIT"}, "bigMessageStrategy"),
    ({"sounds": {"liveSoundId": 9}}, "sounds"),
    ({"recipients": [{"phoneNumber": "12135550270", "dialplanXml": "<x/>"}]},
     "recipients[0].dialplanXml"),
    ({"recipients": [{"message": "hi"}]}, "recipients[0]"),
    ({"recipients": [{"contactId": 987654}]}, "recipients[0].contactId"),
])
def test_bad_text_broadcast_bodies_are_400(checked: httpx.Client, body: dict, field: str) -> None:
    response = checked.post("/texts/broadcasts", json={**TEXT_BROADCAST, **body})
    assert error(response, 400).startswith(field + ":")
    assert checked.get("/texts/broadcasts").json()["totalCount"] == 2


# ---- stats window, kinds, accounts, request log ------------------------------------------------
def test_stats_begin_and_end_filter_on_creation_time(sim, checked: httpx.Client) -> None:
    broadcast_id = create(checked, numbers=("12135550280",), start=True)
    advance(sim, 100)
    split = now(sim)
    add_batch(checked, broadcast_id, ("12135550284", "12135550285"))
    def total(**params: int) -> int:
        return checked.get(f"/calls/broadcasts/{broadcast_id}/stats",
                           params=params).json()["totalCount"]
    assert (total(), total(begin=split), total(end=split - 1), total(begin=split, end=split)) == \
        (3, 2, 1, 2)


def test_kinds_do_not_mix(checked: httpx.Client) -> None:
    for path in ("", "/stats", "/batches", "/texts", "/start"):
        method = "POST" if path == "/start" else "GET"
        error(checked.request(method, f"/calls/broadcasts/610{path}"), 404)
        error(checked.request(method, f"/texts/broadcasts/101{path.replace('texts', 'calls')}"),
              404)
    error(checked.get("/calls/broadcasts/101/texts"), 404)
    error(checked.get("/texts/broadcasts/610/calls"), 404)
    batch = checked.get("/campaigns/batches/6101").json()
    assert batch["broadcastId"] == 610


def test_accounts_are_isolated(sim, checked: httpx.Client) -> None:
    broadcast_id = create(checked, "texts", numbers=("12135550290",))
    batch_id = actions(checked, broadcast_id, "texts")[0]["batchId"]
    checked.post("/calls/broadcasts/103/stop")
    checked.put("/campaigns/batches/1401", json={"enabled": False})
    other = http_client(base_url=sim.base_url, auth=("broadcast-isolation-other", "x"))
    error(other.get(f"/texts/broadcasts/{broadcast_id}"), 404)
    error(other.get(f"/campaigns/batches/{batch_id}"), 404)
    assert other.get("/texts/broadcasts").json()["totalCount"] == 2
    assert other.get("/calls/broadcasts/103").json()["status"] == "RUNNING"
    assert other.get("/campaigns/batches/1401").json()["enabled"] is True
    assert other.post("/texts/broadcasts", json=TEXT_BROADCAST).json()["id"] == broadcast_id


def test_requests_are_recorded(sim, checked: httpx.Client, login: str) -> None:
    broadcast_id = create(checked, "texts")
    checked.put(f"/texts/broadcasts/{broadcast_id}", json={"name": "n"})
    checked.get(f"/texts/broadcasts/{broadcast_id}/stats", params={"begin": 5})
    checked.put("/campaigns/batches/1", json={"enabled": True})
    log = [(e["method"], e["path"], e["query"], e["body"], e["status"])
           for e in sent_requests(sim, login)]
    assert log == [
        ("POST", "/v2/texts/broadcasts", {"start": "false"}, TEXT_BROADCAST, 201),
        ("PUT", f"/v2/texts/broadcasts/{broadcast_id}", {}, {"name": "n"}, 200),
        ("GET", f"/v2/texts/broadcasts/{broadcast_id}/stats", {"begin": "5"}, None, 200),
        ("PUT", "/v2/campaigns/batches/1", {}, {"enabled": True}, 404)]
