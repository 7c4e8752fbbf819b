"""TextService from PHP's own SoapClient against the running bridge (CallFire's 2014 WSDL as
served): SendText then QueryTexts/GetText by the returned broadcast, RequestId de-duplication,
sending through an existing broadcast, and auto-replies."""
from __future__ import annotations

from test_php import php_call
from test_php_broadcasts import as_list, ok

CONFIG = {"FromNumber": "67076", "Message": "Your order has shipped."}


def test_send_text_then_query_and_get_texts_by_the_broadcast(live, login: str) -> None:
    broadcast_id = int(ok(php_call(live, "SendText", {
        "BroadcastName": "PHP texts", "ToNumber": {"_": "12135550400", "ClientData": "order-9"},
        "TextBroadcastConfig": {**CONFIG, "BigMessageStrategy": "TRIM"}}, login=login)))
    [sent] = [r for r in live.sim_requests(login) if r["method"] == "POST"]
    assert sent["path"] == "/v2/texts/broadcasts" and sent["query"]["start"] in ("true", ["true"])
    assert sent["body"] == {"name": "PHP texts", "fromNumber": "67076", "message": "Your order has shipped.",
                            "bigMessageStrategy": "TRIM",
                            "recipients": [{"phoneNumber": "12135550400", "attributes": {"ClientData": "order-9"}}]}

    found = php_call(live, "QueryTexts", {"BroadcastId": broadcast_id}, login=login)
    text = ok(found)["Text"]   # one Text decodes as an object, as CallFire's examples show
    assert ok(found)["TotalResults"] == 1 and isinstance(text, dict)
    assert (text["State"], text["BroadcastId"], text["Message"]) == ("READY", broadcast_id, "Your order has shipped.")
    assert text["ToNumber"] == {"_": "12135550400", "ClientData": "order-9"} and text["FromNumber"] == "67076"
    assert "[Text] => stdClass Object" in found["print_r"]

    live.advance(10)
    got = php_call(live, "GetText", {"Id": text["id"]}, login=login)
    finished = ok(got)
    assert (finished["id"], finished["State"], finished["FinalResult"]) == (text["id"], "FINISHED", "SENT")
    record = finished["TextRecord"]
    assert record["Result"] == "SENT" and record["Message"] == "Your order has shipped." and record["BilledAmount"] > 0
    assert "[TextRecord] => stdClass Object" in got["print_r"] and "[ToNumber] => stdClass Object" in got["print_r"]


def test_texts_are_arrays_with_single_element_arrays(live, login: str) -> None:
    broadcast_id = int(ok(php_call(live, "SendText", {"ToNumber": "12135550401", "TextBroadcastConfig": CONFIG},
                                   login=login)))
    texts = ok(php_call(live, "QueryTexts", {"BroadcastId": broadcast_id}, login=login, single=True))["Text"]
    assert isinstance(texts, list) and len(texts) == 1 and texts[0]["ToNumber"]["_"] == "12135550401"
    many = ok(php_call(live, "SendText", {"ToNumber": "12135550402 12135550403", "TextBroadcastConfig": CONFIG},
                       login=login))
    assert len(ok(php_call(live, "QueryTexts", {"BroadcastId": int(many)}, login=login))["Text"]) == 2


def test_send_text_twice_with_one_request_id_sends_once(live, login: str) -> None:
    request = {"RequestId": "urn:order:77", "ToNumber": "12135550404", "TextBroadcastConfig": CONFIG}
    first = ok(php_call(live, "SendText", request, login=login))
    assert ok(php_call(live, "SendText", request, login=login)) == first
    assert len([r for r in live.sim_requests(login) if r["method"] == "POST"]) == 1
    changed = php_call(live, "SendText", {**request, "ToNumber": "12135550405"}, login=login)
    assert changed["ServiceFaultInfo"]["FaultCode"] == "BAD_REQUEST" and "RequestId" in changed["faultstring"]


def test_send_text_through_an_existing_broadcast(live, login: str) -> None:
    """BroadcastId (and UseDefaultBroadcast) send with POST /texts; CreatedId is that broadcast."""
    created = int(ok(php_call(live, "CreateBroadcast", {"Broadcast": {
        "Name": "PHP existing", "Type": "TEXT", "TextBroadcastConfig": {"Message": "Broadcast's own"}}}, login=login)))
    answer = ok(php_call(live, "SendText", {"BroadcastId": created, "ToNumber": "12135550406",
                                            "TextBroadcastConfig": {"Message": "Sent now"}}, login=login))
    assert int(answer) == created
    [sent] = [r for r in live.sim_requests(login) if r["path"] == "/v2/texts"]
    assert sent["query"] == {"campaignId": str(created), "defaultMessage": "Sent now"}
    assert sent["body"] == [{"phoneNumber": "12135550406"}]
    text = ok(php_call(live, "QueryTexts", {"BroadcastId": created}, login=login))["Text"]
    assert text["Message"] == "Sent now" and text["BroadcastId"] == created

    default = int(ok(php_call(live, "SendText", {"UseDefaultBroadcast": True, "ToNumber": "12135550407",
                                                 "TextBroadcastConfig": {"Message": "Default"}}, login=login)))
    assert default not in (0, created)
    assert ok(php_call(live, "GetBroadcast", {"Id": default}, login=login))["Type"] == "TEXT"
    both = php_call(live, "SendText", {"UseDefaultBroadcast": True, "BroadcastId": created, "ToNumber": "12135550408",
                                       "TextBroadcastConfig": {"Message": "x"}}, login=login)
    assert both["ServiceFaultInfo"]["FaultCode"] == "BAD_REQUEST"


def test_auto_replies_create_query_get_delete(live, login: str) -> None:
    created = int(ok(php_call(live, "CreateAutoReply", {"AutoReply": {
        "Number": "12135551189", "Keyword": "OPEN", "Match": "OPEN?", "Message": "Until 6pm today."}}, login=login)))
    got = ok(php_call(live, "GetAutoReply", {"Id": created}, login=login))
    assert got == {"id": created, "Number": "12135551189", "Keyword": "OPEN", "Match": "OPEN?",
                   "Message": "Until 6pm today."}
    mine = ok(php_call(live, "QueryAutoReplies", {"Number": "12135551189"}, login=login))
    assert mine["TotalResults"] == 2 and [r["id"] for r in as_list(mine["AutoReply"])] == [1, created]
    everything = ok(php_call(live, "QueryAutoReplies", {"MaxResults": 1, "FirstResult": 1}, login=login))
    assert everything["TotalResults"] == 3 and everything["AutoReply"]["id"] == 2   # one: an object
    assert ok(php_call(live, "DeleteAutoReply", {"Id": created}, login=login)) is None
    gone = php_call(live, "GetAutoReply", {"Id": created}, login=login)
    assert gone["ServiceFaultInfo"]["FaultCode"] == "NOT_FOUND"
