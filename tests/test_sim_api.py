"""Behaviour of the CallFire v2 simulator over real HTTP: auth, accounts, finders, fixtures,
broadcast lifecycle in simulated time, validation errors and the /__sim/ controls."""
from __future__ import annotations

import base64
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.sim import SimClock, create_app, parse_credentials, start_in_thread
from bridge.sim.seed import SEED_ANCHOR_MS
from tests.sim_fixtures import (  # noqa: F401  (checked, client, login and sim are fixtures)
    IVR_XML, VOICE_BROADCAST, admin_url, advance, all_items, anon, checked, client, http_client, login,
    sent_requests, sim)

ms = lambda iso: int(datetime.fromisoformat(iso).timestamp() * 1000)  # noqa: E731


def create(client: httpx.Client, numbers: list[str], start: bool = True, **body: object) -> int:
    payload = {**VOICE_BROADCAST, **body, "recipients": [{"phoneNumber": n} for n in numbers]}
    response = client.post("/calls/broadcasts", params={"start": str(start).lower()},
                           json=payload)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def broadcast_calls(client: httpx.Client, broadcast_id: int) -> list[dict]:
    """A broadcast's calls, oldest first (recipient order)."""
    return client.get(f"/calls/broadcasts/{broadcast_id}/calls").json()["items"][::-1]


def error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["httpStatusCode"] == status
    assert body["helpLink"].startswith("https://developers.callfire.com/")
    return body


# ---- auth and accounts ---------------------------------------------------------------------
@pytest.mark.parametrize("authorization", [
    None, "Bearer abc", "Basic !!!notbase64", "Basic " + base64.b64encode(b"nocolon").decode(),
    "Basic " + base64.b64encode(b":emptylogin").decode(),
])
def test_missing_or_malformed_credentials_get_401(sim, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = anon.get(sim.base_url + "/calls", headers=headers)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="CallFire API"'
    assert error(response, 401)["message"] == "Unauthorized"


def test_unknown_v2_paths_need_auth_too(sim) -> None:
    error(anon.get(sim.base_url + "/nothing"), 401)


def test_credentials_restrict_logins() -> None:
    running = start_in_thread(credentials={"user": "pass"})
    try:
        url = running.base_url + "/calls/9652"
        assert anon.get(url, auth=("user", "pass")).status_code == 200
        error(anon.get(url, auth=("user", "wrong")), 401)
        error(anon.get(url, auth=("other", "pass")), 401)
    finally:
        running.stop()


def test_parse_credentials() -> None:
    assert parse_credentials("a:b, c:d:e") == {"a": "b", "c": "d:e"}
    assert parse_credentials("") is None and parse_credentials(None) is None
    with pytest.raises(ValueError):
        parse_credentials("nopassword")


def test_every_account_starts_with_the_same_seed(sim) -> None:
    pages = [anon.get(sim.base_url + "/calls", auth=(f"same-seed-{n}", "x"),
                       params={"limit": 1000}).json() for n in range(2)]
    assert pages[0] == pages[1]
    assert pages[0]["totalCount"] == 1531


def test_accounts_are_isolated(sim, client: httpx.Client) -> None:
    broadcast_id = create(client, ["12135550101"])
    call_id = broadcast_calls(client, broadcast_id)[0]["id"]
    contact_id = broadcast_calls(client, broadcast_id)[0]["contact"]["id"]
    other = httpx.Client(base_url=sim.base_url, auth=("isolated-other", "x"))
    error(other.get(f"/calls/broadcasts/{broadcast_id}"), 404)
    error(other.get(f"/calls/{call_id}"), 404)
    error(other.get(f"/contacts/{contact_id}"), 404)
    assert other.get("/calls", params={"campaignId": broadcast_id}).json()["totalCount"] == 0
    assert client.get("/calls").json()["totalCount"] == 1532


# ---- finders ---------------------------------------------------------------------------------
def test_calls_are_newest_first_and_pages_tile_the_result(client: httpx.Client) -> None:
    everything = all_items(client, "/calls", page=1000)
    keys = [(c["created"], c["id"]) for c in everything]
    assert keys == sorted(keys, reverse=True) and len(keys) == client.get("/calls").json()["totalCount"] == 1531
    assert all_items(client, "/calls", page=137) == everything
    default = client.get("/calls").json()
    assert (default["limit"], default["offset"], len(default["items"])) == (100, 0, 100)
    assert client.get("/texts").json()["limit"] == 10          # the 2020 spec's default


@pytest.fixture(scope="module")
def seed_calls(sim) -> list[dict]:
    """Every seeded call, newest first (identical in every fresh account)."""
    return all_items(http_client(base_url=sim.base_url, auth=("seed-reader", "x")), "/calls")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(0, 300), offset=st.integers(0, 1300))
def test_any_page_is_a_slice_of_the_whole(client: httpx.Client, seed_calls: list[dict],
                                          limit: int, offset: int) -> None:
    whole = [c for c in seed_calls if c.get("campaignId") == 500]
    page = client.get("/calls", params={"campaignId": 500, "limit": limit,
                                        "offset": offset}).json()
    assert page["items"] == whole[offset:offset + limit]
    assert (page["limit"], page["offset"], page["totalCount"]) == (limit, offset, 1200)


def test_a_limit_over_the_cap_is_answered_with_the_cap(checked: httpx.Client) -> None:
    # CallFire documents no maximum limit; the simulator answers at most 1000 items a page and
    # says so in the page's `limit` (a client continues from there, as from a capping v2).
    page = checked.get("/calls", params={"limit": 1500, "offset": 100}).json()
    assert (page["limit"], page["offset"], len(page["items"]), page["totalCount"]) == (1000, 100, 1000, 1531)
    assert checked.get("/calls", params={"limit": 1000}).json()["limit"] == 1000


@pytest.mark.parametrize("path", ["/calls", "/texts", "/calls/broadcasts", "/contacts", "/contacts/lists/801/items",
                                  "/numbers/leases", "/campaigns/sounds", "/calls/broadcasts/500/calls"])
def test_every_finder_keeps_the_cap(path: str) -> None:
    with httpx.Client(transport=httpx.WSGITransport(app=create_app(max_limit=2)), base_url="http://sim/v2",
                      auth=("capped", "x")) as capped:
        page = capped.get(path, params={"limit": 5}).json()
    assert page["limit"] == 2 and len(page["items"]) == 2 and page["totalCount"] > 2


def test_no_cap() -> None:
    with httpx.Client(transport=httpx.WSGITransport(app=create_app(max_limit=None)), base_url="http://sim/v2",
                      auth=("uncapped", "x")) as uncapped:
        page = uncapped.get("/calls", params={"limit": 2000}).json()
    assert (page["limit"], len(page["items"])) == (2000, 1531)


@pytest.mark.parametrize("params, predicate", [
    ({"campaignId": 101}, lambda c: c.get("campaignId") == 101),
    ({"campaignId": 0}, lambda c: "campaignId" not in c),
    ({"batchId": 5002}, lambda c: c.get("batchId") == 5002),
    ({"fromNumber": "13105550150"}, lambda c: c["fromNumber"] == "13105550150"),
    ({"toNumber": "18885550123"}, lambda c: c["toNumber"] == "18885550123"),
    ({"label": "billing"}, lambda c: "billing" in c.get("labels", ())),
    ({"states": "READY,CALLBACK"}, lambda c: c["state"] in ("READY", "CALLBACK")),
    ({"results": "SD, POSTPONED"}, lambda c: c.get("finalCallResult") in ("SD", "POSTPONED")),
    ({"inbound": "true"}, lambda c: c["inbound"]),
    ({"inbound": "false"}, lambda c: not c["inbound"]),
    ({"intervalBegin": SEED_ANCHOR_MS - 86_400_000 * 3}, lambda c: c["created"] >=
     SEED_ANCHOR_MS - 86_400_000 * 3),
    ({"intervalEnd": ms("2020-01-01T00:00:00+00:00")}, lambda c: c["id"] == 9652),
    ({"campaignId": 500, "states": "FINISHED", "results": "LA", "inbound": "false"},
     lambda c: c.get("campaignId") == 500 and c.get("finalCallResult") == "LA"),
])
def test_call_filters(client: httpx.Client, seed_calls: list[dict], params: dict,
                      predicate) -> None:
    expected = [c for c in seed_calls if predicate(c)]
    got = client.get("/calls", params={**params, "limit": 1000}).json()
    assert expected and got["items"] == expected[:1000] and got["totalCount"] == len(expected)
    assert all_items(client, "/calls", page=1000, **params) == expected


def test_interval_is_inclusive_and_ids_override_other_filters(client: httpx.Client) -> None:
    created = ms("2013-03-07T20:01:59+00:00")
    assert [c["id"] for c in client.get("/calls", params={
        "intervalBegin": created, "intervalEnd": created}).json()["items"]] == [9652]
    some = [c["id"] for c in client.get("/calls", params={"limit": 3}).json()["items"]]
    found = client.get("/calls", params=[("id", i) for i in [*some, 9652, 1]] +
                       [("campaignId", 327), ("states", "READY")]).json()
    assert sorted(c["id"] for c in found["items"]) == sorted([*some, 9652])


def test_to_number_filter_accepts_ten_digits(client: httpx.Client) -> None:
    assert client.get("/calls", params={"toNumber": "8185551212"}).json()["totalCount"] == 1


def test_text_filters(client: httpx.Client) -> None:
    texts = all_items(client, "/texts")
    assert len(texts) == 300
    received = client.get("/texts", params={"results": "RECEIVED", "limit": 100}).json()
    assert received["totalCount"] == 40 and all(t["inbound"] for t in received["items"])
    promo = client.get("/texts", params={"campaignId": 610, "label": "promo", "limit": 200})
    assert promo.json()["totalCount"] == 120
    assert client.get("/texts", params={"states": "DUP"}).json()["totalCount"] >= 1


@pytest.mark.parametrize("params", [
    {"limit": "ten"}, {"offset": "-1"}, {"limit": "-5"}, {"states": "READY,DONE"},
    {"results": "SENT"}, {"inbound": "yes"}, {"campaignId": "x"}, {"id": "abc"},
    {"intervalBegin": "2020-01-01"},
])
def test_bad_finder_parameters_are_400(client: httpx.Client, params: dict) -> None:
    body = error(client.get("/calls", params=params), 400)
    assert next(iter(params)) in body["message"]


# ---- documentation fixtures ----------------------------------------------------------------
def test_query_calls_example_campaign_327(client: httpx.Client) -> None:
    page = client.get("/calls", params={"campaignId": 327, "limit": 100, "offset": 0}).json()
    assert page["totalCount"] == 1
    created = ms("2013-03-07T12:01:59-08:00")
    assert page["items"] == [{
        "id": 9652, "fromNumber": "13105551212", "toNumber": "18185551212", "state": "INVALID",
        "campaignId": 327, "batchId": 331, "contact": {"id": 4422, "homePhone": "18185551212"},
        "inbound": False, "created": created, "modified": created, "agentCall": False}]


def test_contact_history_example_contact_3(client: httpx.Client) -> None:
    history = client.get("/contacts/3/history").json()
    assert history["id"] == 3 and len(history["calls"]) >= 2 and len(history["texts"]) >= 2
    for actions in (history["calls"], history["texts"]):
        assert all(a["contact"]["id"] == 3 for a in actions)
        keys = [(a["created"], a["id"]) for a in actions]
        assert keys == sorted(keys, reverse=True)
    assert any("records" in c for c in history["calls"])
    window = client.get("/contacts/3/history", params={"limit": 2, "offset": 1}).json()
    assert window["calls"] == history["calls"][1:3] and window["texts"] == history["texts"][1:3]
    error(client.get("/contacts/424242/history"), 404)
    contact = client.get("/contacts/3").json()
    assert contact["firstName"] == "Maria" and contact["homePhone"] == "12135550103"


def test_big_campaign_and_recordings(client: httpx.Client) -> None:
    assert client.get("/calls", params={"campaignId": 500}).json()["totalCount"] == 1200
    calls = all_items(client, "/calls")
    records = [r for c in calls for r in c.get("records", ())]
    assert {len(c["records"]) for c in calls if c["state"] == "FINISHED"} == {1, 2}
    assert any("questionResponses" in r for r in records)
    assert any("notes" in r for r in records) and any("notes" in c for c in calls)
    recording = next(x for r in records for x in r.get("recordings", ()))
    assert recording["state"] == "READY" and recording["mp3Url"].endswith(
        f"/calls/recordings/{recording['id']}.mp3")
    answered = [r for r in records if r.get("result") in ("LA", "AM")]
    assert all(r["answerTime"] >= r["originateTime"] and r["duration"] > 0 for r in answered)


# ---- broadcasts in simulated time ----------------------------------------------------------
def test_send_call_example_runs_to_finished(sim, client: httpx.Client) -> None:
    broadcast_id = create(client, ["18185551212", "12135550104", "12135550196"],
                          labels=["reminder"])
    broadcast = client.get(f"/calls/broadcasts/{broadcast_id}").json()
    assert broadcast["status"] == "RUNNING" and broadcast["sounds"] == {"liveSoundId": 9}
    calls = broadcast_calls(client, broadcast_id)
    assert [c["state"] for c in calls] == ["READY"] * 3
    assert {c["batchId"] for c in calls} != {None} and len({c["batchId"] for c in calls}) == 1
    assert all(c["campaignId"] == broadcast_id and c["fromNumber"] == "13105551212"
               and c["labels"] == ["reminder"] and "records" not in c for c in calls)
    assert calls[0]["contact"] == {"id": 4422, "homePhone": "18185551212"}   # reused
    started = calls[0]["created"]

    advance(sim, 30)
    assert [c["state"] for c in broadcast_calls(client, broadcast_id)] == ["SELECTED"] * 3
    advance(sim, 60)
    calls = broadcast_calls(client, broadcast_id)
    assert [c["finalCallResult"] for c in calls] == ["LA", "AM", "BUSY"]     # last digits 2/4/6
    for call in calls:
        (record,) = call["records"]
        assert call["state"] == "FINISHED" and call["modified"] == started + 90_000
        assert record["result"] == call["finalCallResult"]
        assert (record["originateTime"], record["finishTime"]) == (started + 30_000,
                                                                   started + 90_000)
        assert ("answerTime" in record) == (record["result"] in ("LA", "AM"))
        assert record["toNumber"] == call["toNumber"] and record["labels"] == ["reminder"]
    assert calls[0]["records"][0]["duration"] == 54 and calls[2]["records"][0]["duration"] == 0
    finished = client.get(f"/calls/broadcasts/{broadcast_id}").json()
    assert finished["status"] == "FINISHED" and finished["lastModified"] == started + 90_000
    assert client.get(f"/calls/{calls[0]['id']}").json() == calls[0]


def test_new_number_gets_a_new_contact_that_history_finds(sim, client: httpx.Client) -> None:
    broadcast_id = create(client, ["(646) 555-0142"])
    (call,) = broadcast_calls(client, broadcast_id)
    assert call["toNumber"] == "16465550142"
    contact = client.get(f"/contacts/{call['contact']['id']}").json()
    assert contact == {"id": call["contact"]["id"], "homePhone": "16465550142"}
    history = client.get(f"/contacts/{contact['id']}/history").json()
    assert [c["id"] for c in history["calls"]] == [call["id"]] and history["texts"] == []
    again = create(client, ["16465550142"])
    assert broadcast_calls(client, again)[0]["contact"]["id"] == contact["id"]


def test_recipient_by_contact_id_and_attributes(client: httpx.Client) -> None:
    body = {**VOICE_BROADCAST, "recipients": [
        {"contactId": 3, "attributes": {"order": "A-1"}, "fromNumber": "12135551189"}]}
    broadcast_id = client.post("/calls/broadcasts", json=body).json()["id"]
    (call,) = broadcast_calls(client, broadcast_id)
    assert call["contact"] == {"id": 3, "homePhone": "12135550103"}
    assert call["attributes"] == {"order": "A-1"} and call["fromNumber"] == "12135551189"


def test_invalid_numbers_and_strict_validation(client: httpx.Client) -> None:
    broadcast_id = create(client, ["12135550107", "555-1234", "11234567890"])
    states = [c["state"] for c in broadcast_calls(client, broadcast_id)]
    assert states == ["READY", "INVALID", "INVALID"]
    before = client.get("/calls").json()["totalCount"]
    response = client.post("/calls/broadcasts", params={"strictValidation": "true"}, json={
        **VOICE_BROADCAST, "recipients": [{"phoneNumber": "12135550108"},
                                          {"phoneNumber": "555-1234"}]})
    assert "recipients[1].phoneNumber" in error(response, 400)["message"]
    assert client.get("/calls").json()["totalCount"] == before


def test_all_invalid_broadcast_finishes_at_once(client: httpx.Client) -> None:
    broadcast_id = create(client, ["123"])
    assert client.get(f"/calls/broadcasts/{broadcast_id}").json()["status"] == "FINISHED"


def test_unstarted_broadcast_waits_then_start_and_stop(sim, client: httpx.Client) -> None:
    broadcast_id = create(client, ["12135550111", "12135550112"], start=False)
    assert client.get(f"/calls/broadcasts/{broadcast_id}").json()["status"] == "SETUP"
    advance(sim, 600)
    assert [c["state"] for c in broadcast_calls(client, broadcast_id)] == ["READY", "READY"]
    response = client.post(f"/calls/broadcasts/{broadcast_id}/start")
    assert response.status_code == 200 and response.content == b""
    advance(sim, 40)
    response = client.post(f"/calls/broadcasts/{broadcast_id}/stop")
    assert response.status_code == 200 and response.content == b""
    assert client.get(f"/calls/broadcasts/{broadcast_id}").json()["status"] == "STOPPED"
    advance(sim, 600)                       # calls already dialing still finish
    assert [c["state"] for c in broadcast_calls(client, broadcast_id)] == ["FINISHED"] * 2
    error(client.post("/calls/broadcasts/999999/start"), 404)
    error(client.post("/calls/broadcasts/999999/stop"), 404)


def test_stop_holds_calls_not_yet_dialing(sim, client: httpx.Client) -> None:
    broadcast_id = create(client, ["12135550113"])
    client.post(f"/calls/broadcasts/{broadcast_id}/stop")
    advance(sim, 600)
    assert broadcast_calls(client, broadcast_id)[0]["state"] == "READY"
    client.post(f"/calls/broadcasts/{broadcast_id}/start")
    advance(sim, 90)
    assert broadcast_calls(client, broadcast_id)[0]["state"] == "FINISHED"
    assert client.get(f"/calls/broadcasts/{broadcast_id}").json()["status"] == "FINISHED"


def test_ivr_broadcast_records_stash_answers(sim, client: httpx.Client) -> None:
    body = {"name": "IVR", "fromNumber": "13105551212", "dialplanXml": IVR_XML,
            "recipients": [{"phoneNumber": "12135550120"}]}
    response = client.post("/calls/broadcasts", params={"start": "true"}, json=body)
    broadcast_id = response.json()["id"]
    stored = client.get(f"/calls/broadcasts/{broadcast_id}").json()
    assert stored["dialplanXml"] == IVR_XML and "answeringMachineConfig" not in stored
    advance(sim, 90)
    (record,) = broadcast_calls(client, broadcast_id)[0]["records"]
    assert record["questionResponses"] == [{"question": "confirmed", "response": "yes"}]


def test_broadcast_calls_filter_by_batch(client: httpx.Client) -> None:
    page = client.get("/calls/broadcasts/500/calls", params={"batchId": 5003, "limit": 5}).json()
    assert page["totalCount"] == 400 and {c["batchId"] for c in page["items"]} == {5003}
    error(client.get("/calls/broadcasts/610/calls"), 404)     # a text campaign


def test_first_new_broadcast_id_matches_send_call_example(client: httpx.Client) -> None:
    assert create(client, ["18185551212"]) == 332
    assert create(client, ["18185551212"]) == 333


# ---- request validation ----------------------------------------------------------------------
@pytest.mark.parametrize("body, field", [
    ({"sounds": {"liveSoundId": 51}}, "sounds.liveSoundId"),
    ({"sounds": {"liveSoundText": "hi", "machineSoundId": 0}}, "sounds.machineSoundId"),
    ({"sounds": {}}, "sounds"),
    ({"sounds": {"transferSoundText": "only a transfer sound"}}, "sounds"),
    ({"sounds": {"liveSoundId": 9}, "answeringMachineConfig": "MAYBE"}, "answeringMachineConfig"),
    ({"sounds": {"liveSoundText": "hi", "liveSoundTextVoice": "ROBOT"}},
     "sounds.liveSoundTextVoice"),
    ({"sounds": {"liveSoundId": "9"}}, "sounds.liveSoundId"),
    ({"sounds": {"liveSoundId": True}}, "sounds.liveSoundId"),
    ({"sounds": {"liveSoundId": 9}, "maxActive": "10"}, "maxActive"),
    ({"sounds": {"liveSoundId": 9}, "labels": "one"}, "labels"),
    ({"sounds": {"liveSoundId": 9}, "callResult": "LA"}, "callResult"),
    ({"sounds": {"liveSoundId": 9, "liveSoundVoice": "MALE1"}}, "sounds.liveSoundVoice"),
    ({"sounds": {"liveSoundId": 9}, "fromNumber": "12345"}, "fromNumber"),
    ({"sounds": {"liveSoundId": 9}, "localTimeRestriction": {"beginHour": "8"}},
     "localTimeRestriction.beginHour"),
    ({"sounds": {"liveSoundId": 9}, "retryConfig": {"retryResults": ["INVALID_NUMBER"]}},
     "retryConfig.retryResults[0]"),
    ({"dialplanXml": "<dialplan><play>"}, "dialplanXml"),
    ({"sounds": {"liveSoundId": 9}, "recipients": [{"attributes": {"a": "b"}}]},
     "recipients[0]"),
    ({"sounds": {"liveSoundId": 9}, "recipients": [{"contactId": 987654}]},
     "recipients[0].contactId"),
    ({"sounds": {"liveSoundId": 9}, "recipients": [{"phoneNumber": 12135550100}]},
     "recipients[0].phoneNumber"),
])
def test_bad_broadcast_bodies_are_400_naming_the_field(client: httpx.Client, body: dict,
                                                      field: str) -> None:
    message = error(client.post("/calls/broadcasts", json={"name": "x", **body}), 400)["message"]
    assert message.startswith(field + ":")
    assert client.get("/calls", params={"campaignId": 332}).json()["totalCount"] == 0


def test_malformed_json_wrong_type_and_content_type(client: httpx.Client) -> None:
    headers = {"Content-Type": "application/json"}
    assert "malformed JSON" in error(client.post("/calls/broadcasts", content=b"{\"name\":",
                                                 headers=headers), 400)["message"]
    error(client.post("/calls/broadcasts", json=[VOICE_BROADCAST]), 400)
    error(client.post("/calls/broadcasts", content=b"name=x",
                      headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)


def test_unknown_paths_and_methods(client: httpx.Client) -> None:
    error(client.get("/calls/abc"), 404)
    error(client.get("/calls/99999999999999999999"), 404)
    response = client.put("/calls/9652")
    assert error(response, 405) and response.headers["Allow"] == "GET"
    assert client.delete("/calls/broadcasts").headers.get("Allow") == "GET, POST"
    assert client.delete("/texts/broadcasts/610").headers.get("Allow") == "GET, PUT"


# ---- simulator controls ----------------------------------------------------------------------
def test_requests_log_shows_what_was_sent(sim, client: httpx.Client, login: str) -> None:
    client.get("/calls", params=[("id", 1), ("id", 2), ("limit", 5)], headers={"X-Request-Id": "trace-1"})
    client.post("/calls/broadcasts", params={"start": "true"}, json={"name": "bad"})
    log = sent_requests(sim, login)
    assert log == [
        {"method": "GET", "path": "/v2/calls", "query": {"id": ["1", "2"], "limit": "5"},
         "body": None, "request_id": "trace-1", "status": 200},
        {"method": "POST", "path": "/v2/calls/broadcasts", "query": {"start": "true"},
         "body": {"name": "bad"}, "request_id": "", "status": 400},
    ]
    assert sent_requests(sim, "nobody-logged-in-as-this") == []
    error(anon.get(admin_url(sim, "requests")), 400)


def test_health_advance_and_reset() -> None:
    running = start_in_thread(clock=SimClock("frozen"))
    try:
        health = anon.get(admin_url(running, "health")).json()
        assert health == {"status": "ok", "now": SEED_ANCHOR_MS, "accounts": 0, "clock": "frozen",
                          "speed": 1.0}
        anon.get(running.base_url + "/calls/9652", auth=("someone", "x"))
        assert advance(running, 1.5) == SEED_ANCHOR_MS + 1500
        error(anon.post(admin_url(running, "advance"), params={"seconds": "-1"}), 400)
        error(anon.post(admin_url(running, "advance"), params={"seconds": "soon"}), 400)
        assert anon.get(admin_url(running, "health")).json()["accounts"] == 1
        assert anon.post(admin_url(running, "reset")).json() == {"now": SEED_ANCHOR_MS}
        assert anon.get(admin_url(running, "health")).json()["accounts"] == 0
    finally:
        running.stop()


def test_in_process_state_access() -> None:
    app = create_app()
    account = app.account("direct")
    assert account.calls[9652]["campaignId"] == 327 and len(account.contacts) > 200
    assert app.clock.now_ms() == SEED_ANCHOR_MS


def test_concurrent_clients_share_one_consistent_simulator(sim) -> None:
    clients = [http_client(base_url=sim.base_url, auth=(f"concurrent{n}", "x")) for n in range(4)]

    def work(n: int) -> tuple[int, int, str]:
        http = clients[n % 4]
        created = http.post("/calls/broadcasts", json={
            **VOICE_BROADCAST, "recipients": [{"phoneNumber": f"1213555{n:04d}"}]})
        listed = http.get("/calls", params={"limit": 1})
        refused = "" if created.status_code == 201 and listed.status_code == 200 else created.text + listed.text
        return created.status_code, listed.status_code, refused  # what was refused says why

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert set(pool.map(work, range(64))) == {(201, 200, "")}
    totals = {http.get("/calls").json()["totalCount"] for http in clients}
    assert totals == {1531 + 16}


def test_command_line_prints_the_base_url() -> None:
    process = subprocess.Popen([sys.executable, "-m", "bridge.sim", "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("CallFire v2 simulator: http://127.0.0.1:")
        base_url = line.split(": ", 1)[1]
        assert base_url.endswith("/v2")
        assert anon.get(base_url + "/calls/9652", auth=("cli", "x")).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
