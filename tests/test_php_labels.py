"""LabelService from PHP's own SoapClient against the running bridge: label a broadcast and a
number, find both in QueryLabels, unlabel one, delete a label everywhere; the other labels of the
broadcast and of the number lease survive (v2 keeps labels inside them, bridge/orchestrate/labels.py)."""
from __future__ import annotations

from test_php import php_call

from test_php_broadcasts import as_list, ok

NUMBER = "12135551189"   # a seeded lease (bridge/sim/number_seed.py): labels sms, main


def labels(live, login: str) -> list[str]:
    answer = ok(php_call(live, "QueryLabels", {}, login=login))
    return [label["Name"] for label in as_list(answer.get("Label"))]


def test_label_query_unlabel_and_delete_from_php(live, login: str) -> None:
    before = labels(live, login)
    assert "vip" not in before and {"sms", "main", "billing", "notice"} <= set(before)

    assert ok(php_call(live, "LabelBroadcast", {"Id": 103, "LabelName": "vip"}, login=login)) is None
    assert ok(php_call(live, "LabelNumber", {"Number": NUMBER, "LabelName": "vip"}, login=login)) is None
    assert ok(php_call(live, "LabelBroadcast", {"Id": 611, "LabelName": "dispatch"}, login=login)) is None
    after = labels(live, login)
    assert set(after) == set(before) | {"vip", "dispatch"} and after == sorted(after)
    assert ok(php_call(live, "QueryLabels", {"MaxResults": 2, "FirstResult": 1}, login=login)) == {
        "TotalResults": len(after), "Label": [{"Name": name} for name in after[1:3]]}

    # Unlabelling the text broadcast, the only holder of "dispatch": v2 no longer has that label.
    assert ok(php_call(live, "UnlabelBroadcast", {"Id": 611, "LabelName": "dispatch"}, login=login)) is None
    assert "dispatch" not in labels(live, login)

    # DeleteLabel: gone from the broadcast and the number; their other labels stay.
    assert ok(php_call(live, "DeleteLabel", {"LabelName": "vip"}, login=login)) is None
    assert "vip" not in labels(live, login)
    assert ok(php_call(live, "QueryBroadcasts", {"LabelName": "billing"}, login=login))["Broadcast"]["id"] == 103
    assert ok(php_call(live, "QueryBroadcasts", {"LabelName": "vip"}, login=login))["TotalResults"] == 0
    assert {"sms", "main", "billing", "notice", "delivery"} <= set(labels(live, login))


def test_a_label_removed_from_its_last_holder_no_longer_exists(live, login: str) -> None:
    """v1.1 kept a label until DeleteLabel; in v2 a label nothing carries is gone."""
    assert ok(php_call(live, "UnlabelNumber", {"Number": "16465550123", "LabelName": "alerts"}, login=login)) is None
    assert "alerts" in labels(live, login)          # broadcast 104 still carries it
    assert ok(php_call(live, "UnlabelBroadcast", {"Id": 104, "LabelName": "alerts"}, login=login)) is None
    assert "alerts" not in labels(live, login)


def test_php_sees_the_bridges_refusals_as_faults(live, login: str) -> None:
    refused = php_call(live, "DeleteLabel", {"LabelName": "cfb:rid:42"}, login=login)
    assert not refused["ok"] and refused["ServiceFaultInfo"]["FaultCode"] == "BAD_REQUEST"
    assert "cfb:" in refused["ServiceFaultInfo"]["Message"]
    unknown = php_call(live, "LabelNumber", {"Number": "19995550000", "LabelName": "vip"}, login=login)
    assert not unknown["ok"] and unknown["ServiceFaultInfo"]["FaultCode"] == "NOT_FOUND"
