"""SendText and CreateAutoReply translation without a server: which v2 request a v1.1 request
becomes, what is refused, and what cannot travel."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bridge.errors import BridgeFault, FaultCode
from bridge.mappings import load
from bridge.translate.convert import Conversions
from bridge.translate.engine import request_map
from bridge.translate.text import send_text

UTC = Conversions(ZoneInfo("UTC"), load().enums)
CONFIG = {"FromNumber": "67076", "Message": "Hi", "BigMessageStrategy": "DO_NOT_SEND",
          "LocalTimeZoneRestriction": {"BeginTime": "09:00:30"}}


def test_a_plain_send_text_creates_and_starts_a_text_broadcast() -> None:
    plan = send_text({"ToNumber": [{"_": "12135550500 12135550500", "@ClientData": "c"}],
                      "ScrubBroadcastDuplicates": "true", "TextBroadcastConfig": CONFIG}, UTC)
    assert (plan.method, plan.path, plan.query) == ("POST", "/texts/broadcasts", {"start": True})
    assert plan.body == {"name": "API Send", "fromNumber": "67076", "message": "Hi", "bigMessageStrategy": "DO_NOT_SEND",
                         "localTimeRestriction": {"enabled": True, "beginHour": 9, "beginMinute": 0,
                                                  "endHour": 23, "endMinute": 59},
                         "recipients": [{"phoneNumber": "12135550500", "attributes": {"ClientData": "c"}}]}
    assert [note.split(":")[0] for note in plan.lossy] == ["TextBroadcastConfig/LocalTimeZoneRestriction/BeginTime"]


def test_broadcast_id_sends_through_post_texts_and_lists_what_it_cannot_carry() -> None:
    plan = send_text({"ToNumber": [{"_": "12135550501"}], "BroadcastId": "610", "BroadcastName": "ignored",
                      "TextBroadcastConfig": CONFIG}, UTC)
    assert (plan.method, plan.path) == ("POST", "/texts")
    assert plan.query == {"campaignId": 610, "defaultMessage": "Hi"}
    assert plan.body == [{"phoneNumber": "12135550501", "fromNumber": "67076"}]
    dropped = {note.split(":")[0] for note in plan.lossy if "POST /texts" in note}
    assert dropped == {"BroadcastName", "TextBroadcastConfig/BigMessageStrategy",
                       "TextBroadcastConfig/LocalTimeZoneRestriction/BeginTime"}


def test_use_default_broadcast_sends_without_a_campaign() -> None:
    plan = send_text({"ToNumber": [{"_": "12135550502"}], "UseDefaultBroadcast": "true",
                      "TextBroadcastConfig": {"Message": "Hi"}}, UTC)
    assert (plan.path, plan.query, plan.body) == ("/texts", {"defaultMessage": "Hi"}, [{"phoneNumber": "12135550502"}])
    assert not plan.lossy, "the default BroadcastName is not the caller's: nothing they gave was lost"


@pytest.mark.parametrize("request_, message", [
    ({"ToNumber": [{"_": "1"}]}, "TextBroadcastConfig: is required"),
    ({"ToNumber": [{"_": "1"}], "TextBroadcastConfig": {"FromNumber": "67076"}}, "TextBroadcastConfig/Message: is required"),
    ({"ToNumber": [{"_": "1"}], "Type": "VOICE", "TextBroadcastConfig": {"Message": "m"}},
     "Type: VOICE broadcasts cannot be sent with SendText"),
    ({"ToNumber": [{"_": "1"}], "BroadcastId": "610", "UseDefaultBroadcast": "1", "TextBroadcastConfig": {"Message": "m"}},
     "BroadcastId and UseDefaultBroadcast: name two broadcasts"),
    ({"ToNumber": [{"_": "1"}], "TextBroadcastConfig": {"Message": "m", "BigMessageStrategy": "MMS"}},
     "TextBroadcastConfig/BigMessageStrategy: 'MMS' is not one of SEND_MULTIPLE"),
])
def test_send_text_refuses_what_v1_1_refused(request_: dict, message: str) -> None:
    with pytest.raises(BridgeFault) as info:
        send_text(request_, UTC)
    assert info.value.code is FaultCode.BAD_REQUEST
    assert info.value.message.startswith(message)


def test_create_auto_reply_needs_number_match_and_message() -> None:
    plan = request_map("CreateAutoReply").translate(
        {"AutoReply": {"Number": "+12135551189", "Keyword": "K", "Match": "M", "Message": "R"}}, UTC)
    assert (plan.path, plan.body) == ("/texts/auto-replys", {"number": "12135551189", "keyword": "K", "match": "M",
                                                             "message": "R"})
    with pytest.raises(BridgeFault, match="AutoReply/Message: is required"):
        request_map("CreateAutoReply").translate({"AutoReply": {"Number": "12135551189", "Match": "M"}}, UTC)
