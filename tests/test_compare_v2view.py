"""The v1.1 <-> v2 view (`compare --v2`) against the served bridge and its simulator: every field of
an answer beside the v2 field and value it came from, and a field the answer changed is flagged."""
from __future__ import annotations

import httpx
import pytest
from lxml import etree

from bridge.compare.diff import plain
from bridge.compare.v2view import V2ViewError, v2_view
from conftest import Live

ENVELOPE = ('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
            'xmlns:s="http://api.callfire.com/service/xsd"><env:Body>{}</env:Body></env:Envelope>')


def ask(live: Live, login: str, body: str) -> tuple[bytes, bytes]:
    envelope = ENVELOPE.format(body).encode()
    answer = httpx.post(f"{live.base_url}/api/1.1/soap12/call", content=envelope, auth=(login, "secret"),
                        headers={"Content-Type": "application/soap+xml; charset=utf-8"})
    assert answer.status_code == 200, answer.text
    return envelope, answer.content


def view(live: Live, login: str, envelope: bytes, answer: bytes, operation: str) -> list[dict]:
    with httpx.Client(timeout=30) as client:
        return v2_view(operation, envelope, answer, bridge_url=live.base_url, auth=(login, "secret"), client=client)


def leaf_paths(answer: bytes) -> set[str]:
    """The plain path of every value the answer writes (attributes and text leaves)."""
    body = etree.fromstring(answer).find("{*}Body")[0]
    found: set[str] = set()

    def walk(element: etree._Element, path: str) -> None:
        found.update(f"{path}/@{etree.QName(name).localname}" for name in element.attrib)
        children = [c for c in element if isinstance(c.tag, str)]
        if not children and (element.text or "").strip():
            found.add(path)
        for child in children:
            walk(child, f"{path}/{etree.QName(child).localname}")

    walk(body, etree.QName(body).localname)
    return found


@pytest.mark.parametrize("operation, body", [
    ("GetCall", "<s:GetCall><s:Id>9652</s:Id></s:GetCall>"),
    ("QueryCalls", "<s:QueryCalls><s:MaxResults>100</s:MaxResults><s:BroadcastId>327</s:BroadcastId></s:QueryCalls>"),
    ("GetBroadcast", "<s:GetBroadcast><s:Id>101</s:Id></s:GetBroadcast>"),
])
def test_every_field_of_the_answer_agrees_with_its_v2_value(live: Live, login: str, operation: str, body: str) -> None:
    envelope, answer = ask(live, login, body)
    rows = view(live, login, envelope, answer, operation)
    fields = [r for r in rows if r["v1"]]
    assert {plain(r["v1"]) for r in fields} == leaf_paths(answer)
    assert [r for r in fields if r["agrees"] is not True] == []
    assert all(r["v2"] and r["row"] for r in fields)


def test_the_view_names_the_v2_field_and_value_behind_each_field(live: Live, login: str) -> None:
    envelope, answer = ask(live, login, "<s:GetCall><s:Id>9652</s:Id></s:GetCall>")
    rows = {r["v1"]: r for r in view(live, login, envelope, answer, "GetCall")}
    assert rows["Call/BroadcastId"] | {"why": ""} == {
        "v1": "Call/BroadcastId", "value": "327", "v2": "campaignId", "v2_value": 327, "converted": "327",
        "agrees": True, "why": "", "row": "call-response-broadcastid"}
    created = rows["Call/Created"]
    assert (created["v2"], created["v2_value"], created["agrees"]) == ("created", 1362686519000, True)
    assert created["value"] == "2013-03-07T12:01:59-08:00"  # the same instant as v2's ms, in the bridge's zone


def test_a_state_changed_in_the_answer_is_flagged_with_the_v2_field_and_value(live: Live, login: str) -> None:
    envelope, answer = ask(live, login, "<s:QueryCalls><s:BroadcastId>327</s:BroadcastId></s:QueryCalls>")
    assert b"<data:State>INVALID</data:State>" in answer
    altered = answer.replace(b"<data:State>INVALID</data:State>", b"<data:State>FINISHED</data:State>", 1)
    rows = view(live, login, envelope, altered, "QueryCalls")
    wrong = [r for r in rows if r["agrees"] is False]
    assert len(wrong) == 1
    assert wrong[0]["v1"] == "CallQueryResult/Call[@id=9652]/State"
    assert (wrong[0]["value"], wrong[0]["v2"], wrong[0]["v2_value"]) == ("FINISHED", "items[id=9652].state", "INVALID")
    assert "INVALID" in wrong[0]["why"]


def test_v2_fields_without_a_v1_place_are_listed(live: Live, login: str) -> None:
    envelope, answer = ask(live, login, "<s:GetBroadcast><s:Id>101</s:Id></s:GetBroadcast>")
    v2_only = {r["v2"]: r for r in view(live, login, envelope, answer, "GetBroadcast") if not r["v1"]}
    assert v2_only["labels"]["v2_value"] == ["reminders"]
    assert v2_only["labels"]["row"] == "callbroadcast-v2only-labels"
    assert "LabelBroadcast" in v2_only["labels"]["why"]
    assert v2_only["schedules"]["v2_value"][0]["id"] == 701
    assert all(r["agrees"] is None for r in v2_only.values())


def test_a_text_broadcast_is_read_from_its_own_v2_resource(live: Live, login: str) -> None:
    envelope, answer = ask(live, login, "<s:GetBroadcast><s:Id>611</s:Id></s:GetBroadcast>")
    rows = view(live, login, envelope, answer, "GetBroadcast")
    message = next(r for r in rows if r["v1"] == "Broadcast/TextBroadcastConfig/Message")
    assert message["agrees"] is True and message["row"] == "textbroadcastconfig-response-message"
    assert [r for r in rows if r["agrees"] is False] == []


def test_a_fault_has_no_view(live: Live, login: str) -> None:
    envelope = ENVELOPE.format("<s:GetCall><s:Id>1</s:Id></s:GetCall>").encode()
    answer = httpx.post(f"{live.base_url}/api/1.1/soap12/call", content=envelope, auth=(login, "secret"),
                        headers={"Content-Type": "application/soap+xml; charset=utf-8"})
    assert view(live, login, envelope, answer.content, "GetCall") == []


def test_an_audio_answer_has_no_field_view_and_says_why(live: Live, login: str) -> None:
    envelope, answer = ask(live, login, "<s:GetSoundData><s:Id>9</s:Id></s:GetSoundData>")
    with pytest.raises(V2ViewError, match=r"GET .*/campaigns/sounds/9\.mp3: v2 answered audio/mpeg, not JSON"):
        view(live, login, envelope, answer, "GetSoundData")


def test_labels_the_bridge_gathered_are_shown_as_built_not_as_missing(live: Live, login: str) -> None:
    """QueryLabels' Label elements come from many v2 objects (row v2 "-"): no disagreement to flag."""
    envelope, answer = ask(live, login, "<s:QueryLabels><s:MaxResults>2</s:MaxResults></s:QueryLabels>")
    rows = [r for r in view(live, login, envelope, answer, "QueryLabels") if r["v1"].startswith("LabelQueryResult/Label")]
    assert [(r["v1"], r["value"], r["agrees"]) for r in rows] == [
        ("LabelQueryResult/Label[1]/Name", "alerts", None), ("LabelQueryResult/Label[2]/Name", "billing", None)]
    assert all(r["row"] == "querylabels-response-label" and r["why"].startswith("built by the bridge") for r in rows)
