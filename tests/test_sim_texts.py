"""Texts and auto-replies of the v2 simulator over real HTTP: POST /texts through a broadcast or
the account's default one, texts progressing in simulated time, big-message strategies, and the
auto-reply resource.  Every response of `checked` is checked against CallFire's 2020 Swagger spec."""
from __future__ import annotations

import httpx
import pytest

from tests.sim_fixtures import (  # noqa: F401  (checked, login and sim are fixtures)
    advance, checked, http_client, login, sim)

LONG = "x" * 200   # over one 160-character SMS


def send(http: httpx.Client, numbers: tuple[str, ...], **query: object) -> list[dict]:
    response = http.post("/texts", params=query, json=[{"phoneNumber": n} for n in numbers])
    assert response.status_code == 200, response.text
    return response.json()["items"]


def error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["message"]


def test_post_texts_goes_through_the_default_broadcast_and_progresses(sim, checked: httpx.Client) -> None:
    first = send(checked, ("12135550100", "12135550108"), defaultMessage="Hello")
    assert {t["state"] for t in first} == {"READY"} and {t["message"] for t in first} == {"Hello"}
    default = first[0]["campaignId"]
    assert {t["campaignId"] for t in first} == {default} and first[0]["fromNumber"] == "67076"
    broadcast = checked.get(f"/texts/broadcasts/{default}").json()
    assert broadcast["status"] == "RUNNING" and broadcast["fromNumber"] == "67076"
    advance(sim, 10)
    done = {t["toNumber"]: t for t in checked.get("/texts", params={"campaignId": default}).json()["items"]}
    assert done["12135550100"]["finalTextResult"] == "SENT" and done["12135550108"]["finalTextResult"] == "DNT"
    assert checked.get(f"/texts/broadcasts/{default}").json()["status"] == "FINISHED"
    again = send(checked, ("12135550101",), defaultMessage="Again")
    assert again[0]["campaignId"] == default, "one default broadcast per account"
    assert checked.get(f"/texts/broadcasts/{default}").json()["status"] == "RUNNING"


def test_post_texts_through_a_broadcast_uses_its_message_and_starts_it(sim, checked: httpx.Client) -> None:
    created = checked.post("/texts/broadcasts", json={"name": "Later", "message": "Broadcast text",
                                                      "fromNumber": "12135551189"}).json()["id"]
    assert checked.get(f"/texts/broadcasts/{created}").json()["status"] == "SETUP"
    [text] = send(checked, ("12135550102",), campaignId=created)
    assert (text["campaignId"], text["message"], text["fromNumber"]) == (created, "Broadcast text", "12135551189")
    assert checked.get(f"/texts/broadcasts/{created}").json()["status"] == "RUNNING"
    advance(sim, 10)
    assert checked.get(f"/texts/{text['id']}").json()["state"] == "FINISHED"


@pytest.mark.parametrize("strategy, result, billed, recorded", [
    ("SEND_MULTIPLE", "SENT", 0.06, LONG), ("TRIM", "SENT", 0.03, LONG[:160]), ("DO_NOT_SEND", "TOO_BIG", 0.0, LONG)])
def test_a_long_text_follows_its_broadcasts_big_message_strategy(sim, checked: httpx.Client, strategy: str,
                                                                   result: str, billed: float, recorded: str) -> None:
    created = checked.post("/texts/broadcasts", params={"start": "true"}, json={
        "name": strategy, "message": LONG, "bigMessageStrategy": strategy,
        "recipients": [{"phoneNumber": "12135550103"}]}).json()["id"]
    advance(sim, 10)
    [text] = checked.get("/texts", params={"campaignId": created}).json()["items"]
    [record] = text["records"]
    assert (text["finalTextResult"], record["billedAmount"], record["message"]) == (result, billed, recorded)


def test_post_texts_refusals(checked: httpx.Client) -> None:
    assert error(checked.post("/texts", json=[{"phoneNumber": "12135550104"}]), 400).startswith("body[0].message")
    assert error(checked.post("/texts", params={"campaignId": 101, "defaultMessage": "x"},
                              json=[{"phoneNumber": "12135550104"}]), 404).startswith("text broadcast 101")
    assert error(checked.post("/texts", params={"strictValidation": "true", "defaultMessage": "x"},
                              json=[{"phoneNumber": "555"}]), 400).startswith("body[0].phoneNumber")
    assert checked.post("/texts", params={"defaultMessage": "x"}, json=[]).json() == {"items": []}


def test_auto_replies_are_seeded_created_found_and_deleted(checked: httpx.Client) -> None:
    seeded = checked.get("/texts/auto-replys").json()
    assert seeded["totalCount"] == 2 and [r["id"] for r in seeded["items"]] == [1, 2]
    created = checked.post("/texts/auto-replys", json={
        "number": "12135551189", "keyword": "", "match": "OPEN?", "message": "Yes, until 6pm."})
    assert created.status_code == 201
    reply_id = created.json()["id"]
    assert checked.get(f"/texts/auto-replys/{reply_id}").json() == {
        "id": reply_id, "number": "12135551189", "keyword": "", "match": "OPEN?", "message": "Yes, until 6pm."}
    by_number = checked.get("/texts/auto-replys", params={"number": "12135551189"}).json()
    assert [r["id"] for r in by_number["items"]] == [1, reply_id]
    assert checked.get("/texts/auto-replys", params={"limit": 1, "offset": 1}).json()["items"][0]["id"] == 2
    deleted = checked.delete(f"/texts/auto-replys/{reply_id}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert checked.get(f"/texts/auto-replys/{reply_id}").status_code == 404
    assert checked.delete(f"/texts/auto-replys/{reply_id}").status_code == 404


def test_auto_reply_refusals_and_isolation(sim, checked: httpx.Client) -> None:
    assert error(checked.post("/texts/auto-replys", json={"number": "12135551189"}), 400).startswith("message")
    assert error(checked.post("/texts/auto-replys", json={"number": "1", "message": "m"}), 400).startswith("number")
    assert error(checked.post("/texts/auto-replys", json={"number": "67076", "message": "m", "reply": "x"}),
                 400).startswith("reply: unknown")
    reply_id = checked.post("/texts/auto-replys", json={"number": "67076", "message": "mine"}).json()["id"]
    other = http_client(base_url=sim.base_url, auth=("someone-else", "pw"))
    assert other.get(f"/texts/auto-replys/{reply_id}").status_code == 404
