"""What a v1.1 client sees agrees with itself across operations (the legacy-simulator comparison's
findings): a filter finds every call shown with the value asked for, attempts come newest first,
ToNumber carries every recipient attribute, a disabled batch's calls still wait, one broadcast
list, broadcast stats that count what QueryCalls/QueryTexts show.  Against the in-process bridge
and simulator, the default 2014 contract (every answer checked against CallFire's 2014 schema)."""
from __future__ import annotations

from collections import Counter

import pytest
from lxml import etree

from bridge.sim.seed import BIG_CAMPAIGN_ID, DOC_CAMPAIGN_ID
from conftest import InProcess

D = "{http://api.callfire.com/data}"
RUNNING_CAMPAIGN_ID, STATES_CAMPAIGN_ID, STATES_BATCH_ID, TEXT_CAMPAIGN_ID = 103, 104, 1401, 610


def answer(inproc: InProcess, login: str, body: str, port: str = "call") -> etree._Element:
    response = inproc.soap(body, login=login, port=port)
    assert response.status_code == 200, response.text
    return next(etree.fromstring(response.content).iter("{*}Body"))[0]


def calls(inproc: InProcess, login: str, filters: str, element: str = "Call") -> list[etree._Element]:
    """Every match, page after page of 1000."""
    query = "QueryCalls" if element == "Call" else "QueryTexts"
    port = "call" if element == "Call" else "text"
    found: list[etree._Element] = []
    while True:
        page = answer(inproc, login, f"<ns1:{query}><MaxResults>1000</MaxResults><FirstResult>{len(found)}"
                                     f"</FirstResult>{filters}</ns1:{query}>", port).findall(f"{D}{element}")
        found += page
        if len(page) < 1000:
            return found


@pytest.mark.parametrize("field, value", [("State", "READY"), ("State", "FINISHED"), ("State", "TIMEOUT")])
def test_a_state_filter_finds_every_call_shown_in_that_state(inproc: InProcess, login: str, field: str,
                                                             value: str) -> None:
    seen = 0
    for campaign in (RUNNING_CAMPAIGN_ID, STATES_CAMPAIGN_ID):
        everything = calls(inproc, login, f"<BroadcastId>{campaign}</BroadcastId>")
        shown = {c.get("id") for c in everything if c.findtext(f"{D}{field}") == value}
        found = calls(inproc, login, f"<BroadcastId>{campaign}</BroadcastId><{field}>{value}</{field}>")
        assert {c.get("id") for c in found} == shown
        seen += len(shown)
    assert seen


@pytest.mark.parametrize("result", ["LA", "AM", "UNDIALED"])
def test_a_result_filter_finds_every_call_shown_with_that_final_result(inproc: InProcess, login: str,
                                                                      result: str) -> None:
    everything = calls(inproc, login, f"<BroadcastId>{BIG_CAMPAIGN_ID}</BroadcastId>")
    shown = {c.get("id") for c in everything if c.findtext(f"{D}FinalResult") == result}
    found = calls(inproc, login, f"<BroadcastId>{BIG_CAMPAIGN_ID}</BroadcastId><Result>{result}</Result>")
    assert {c.get("id") for c in found} == shown and shown


def test_a_disabled_batchs_calls_are_ready_and_counted_remaining(inproc: InProcess, login: str) -> None:
    batch_calls = calls(inproc, login, f"<BatchId>{STATES_BATCH_ID}</BatchId>")
    waiting = sum(c.findtext(f"{D}State") == "READY" for c in batch_calls)
    assert waiting == 4  # the seed's DISABLED calls: still to be dialled once the batch is enabled
    batch = answer(inproc, login, f"<ns1:GetContactBatch><Id>{STATES_BATCH_ID}</Id></ns1:GetContactBatch>",
                   "broadcast")
    assert batch.findtext(f"{D}Remaining") == str(waiting)
    listed = answer(inproc, login, f"<ns1:QueryContactBatches><BroadcastId>{STATES_CAMPAIGN_ID}</BroadcastId>"
                                   "</ns1:QueryContactBatches>", "broadcast").find(f"{D}ContactBatch")
    assert listed.findtext(f"{D}Remaining") == str(waiting)
    running = calls(inproc, login, "<BatchId>1301</BatchId>")
    batch = answer(inproc, login, "<ns1:GetContactBatch><Id>1301</Id></ns1:GetContactBatch>", "broadcast")
    assert batch.findtext(f"{D}Remaining") == str(sum(c.findtext(f"{D}State") == "READY" for c in running))


def test_attempts_come_newest_first_and_the_final_result_is_the_newest(inproc: InProcess, login: str) -> None:
    retried = [c for c in calls(inproc, login, f"<BroadcastId>{BIG_CAMPAIGN_ID}</BroadcastId>")
               if len(c.findall(f"{D}CallRecord")) > 1 and c.findtext(f"{D}State") == "FINISHED"]
    assert retried
    for call in retried:
        records = call.findall(f"{D}CallRecord")
        ids = [int(r.get("id")) for r in records]
        assert ids == sorted(ids, reverse=True)
        assert call.findtext(f"{D}FinalResult") == records[0].findtext(f"{D}Result")


def test_to_number_carries_every_recipient_attribute_both_ways(inproc: InProcess, login: str) -> None:
    seeded = calls(inproc, login, f"<BroadcastId>{BIG_CAMPAIGN_ID}</BroadcastId>")
    assert any(c.find(f"{D}ToNumber").get("member_id", "").startswith("M") for c in seeded)
    created = answer(inproc, login, (
        "<ns1:SendCall><ToNumber ClientData='order-7' member_id='M42' appointment-id='A 9'>13105551212</ToNumber>"
        "<VoiceBroadcastConfig><LiveSoundText>Hello</LiveSoundText></VoiceBroadcastConfig></ns1:SendCall>"))
    sent = calls(inproc, login, f"<BroadcastId>{created.text}</BroadcastId>")
    to_number = sent[0].find(f"{D}ToNumber")
    assert (to_number.text, dict(to_number.attrib)) == (
        "13105551212", {"ClientData": "order-7", "member_id": "M42", "appointment-id": "A 9"})


def test_query_broadcasts_is_one_list_whose_windows_follow_each_other(inproc: InProcess, login: str) -> None:
    def ids(paging: str = "") -> list[str]:
        found = answer(inproc, login, f"<ns1:QueryBroadcasts>{paging}</ns1:QueryBroadcasts>", "broadcast")
        return [b.get("id") for b in found.findall(f"{D}Broadcast")]

    everything = ids()
    windows = [ids(f"<MaxResults>3</MaxResults><FirstResult>{first}</FirstResult>") for first in range(0, 9, 3)]
    assert [i for window in windows for i in window] == everything
    # text broadcasts among the call broadcasts, not after them: 610 (Oct 2026) before 101 and the 2013 doc's 327
    assert everything.index(str(TEXT_CAMPAIGN_ID)) < everything.index("101") < everything.index(str(DOC_CAMPAIGN_ID))


def stats(inproc: InProcess, login: str, broadcast: int) -> etree._Element:
    return answer(inproc, login, f"<ns1:GetBroadcastStats><Id>{broadcast}</Id></ns1:GetBroadcastStats>", "broadcast")


def test_broadcast_stats_count_what_query_calls_shows(inproc: InProcess, login: str) -> None:
    for campaign in (BIG_CAMPAIGN_ID, RUNNING_CAMPAIGN_ID, DOC_CAMPAIGN_ID):
        shown = calls(inproc, login, f"<BroadcastId>{campaign}</BroadcastId>")
        got = stats(inproc, login, campaign)
        states = Counter(c.findtext(f"{D}State") for c in shown)
        assert got.findtext(f"{D}ActionStatistics/{D}Finished") == str(len(shown) - states["READY"] - states["SELECTED"])
        waiting = got.findtext(f"{D}ActionStatistics/{D}Unattempted"), got.findtext(f"{D}ActionStatistics/{D}RetryWait")
        assert int(waiting[0]) + int(waiting[1]) == states["READY"]
        finals = Counter(c.findtext(f"{D}FinalResult") for c in shown if c.findtext(f"{D}State") != "READY")
        for stat in got.findall(f"{D}ResultStat"):
            assert int(stat.findtext(f"{D}Actions")) > 0  # only results that occurred
            if stat.findtext(f"{D}Result") in ("LA", "AM", "BUSY", "NO_ANS"):  # counted alone by v2
                assert int(stat.findtext(f"{D}Actions")) == finals[stat.findtext(f"{D}Result")]


def test_text_broadcast_stats_count_what_query_texts_shows(inproc: InProcess, login: str) -> None:
    shown = calls(inproc, login, f"<BroadcastId>{TEXT_CAMPAIGN_ID}</BroadcastId>", "Text")
    got = stats(inproc, login, TEXT_CAMPAIGN_ID)
    assert got.findtext(f"{D}ActionStatistics/{D}Finished") == str(sum(t.findtext(f"{D}State") == "FINISHED" for t in shown))
    attempted = sum(t.findtext(f"{D}FinalResult") not in (None, "UNDIALED") for t in shown)
    assert got.findtext(f"{D}UsageStats/{D}Attempts") == got.findtext(f"{D}UsageStats/{D}Actions") == str(attempted)
    assert all(int(s.findtext(f"{D}Actions")) > 0 for s in got.findall(f"{D}ResultStat"))
