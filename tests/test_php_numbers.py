"""NumberService from PHP's own SoapClient against the running bridge: buy a number (search a
region, order it, poll the order until FINISHED), configure call tracking, read it back and
release it (tests/php/numbers.php); keywords; the faults a v1.1 client meets."""
from __future__ import annotations

import json

from test_php import php, php_call
from test_php_broadcasts import as_list, ok


def test_buy_configure_read_and_release_a_number(live, login: str, monkeypatch) -> None:
    monkeypatch.setenv("BRIDGE_SIM_ADVANCE", f"{live.sim_url}/__sim/advance?seconds=30")
    seen = json.loads(php(live, "numbers.php", "90401", login=login))
    offered = as_list(seen["available"]["Number"])
    assert seen["available"]["TotalResults"] == len(offered) == 2
    number = offered[0]["Number"]
    assert offered[0]["Region"]["City"] == "SANTA MONICA" and offered[0]["TollFree"] is False
    assert "Status" not in offered[0] and "LeaseInfo" not in offered[0], "a number for sale has no lease"

    assert seen["statuses"] == ["PROCESSING", "PROCESSING", "FINISHED"], "60 s of simulated processing"
    order = seen["order"]
    assert order["id"] == seen["order_id"] and order["LocalNumbers"]["Fulfilled"] == number
    assert (order["LocalNumbers"]["Ordered"], order["TotalCost"]) == (1, 1.0)
    [ordered] = [r for r in live.sim_requests(login) if r["method"] == "POST"]
    assert (ordered["path"], ordered["body"]) == ("/v2/orders/numbers", {"numbers": [number]})

    configured = seen["configured"]
    assert (configured["Number"], configured["Status"]) == (number, "ACTIVE")
    assert configured["LeaseInfo"]["AutoRenew"] is True
    settings = configured["NumberConfiguration"]
    assert (settings["CallFeature"], settings["InboundCallConfigurationType"]) == ("ENABLED", "TRACKING")
    tracking = settings["InboundCallConfiguration"]["CallTrackingConfig"]
    assert tracking["TransferNumber"] == "12135550100 12135550101" and tracking["Record"] is True
    assert tracking["IntroSoundId"] == 3
    puts = [r for r in live.sim_requests(login) if r["method"] == "PUT"]
    assert puts[0] == {**puts[0], "path": f"/v2/numbers/leases/{number}", "body": {"callFeatureStatus": "ENABLED"}}
    assert puts[1]["path"] == f"/v2/numbers/leases/configs/{number}" and puts[1]["body"] == {
        "configType": "TRACKING", "callTrackingConfig": {
            "transferNumbers": ["12135550100", "12135550101"], "recorded": True, "introSoundId": 3}}

    assert number in {n["Number"] for n in as_list(seen["query"]["Number"])}
    released = seen["released"]
    assert released["Status"] == "ACTIVE" and released["LeaseInfo"]["AutoRenew"] is False, \
        "released: kept until its lease ends, not renewed"
    assert puts[2]["path"] == f"/v2/numbers/leases/{number}" and puts[2]["body"] == {"autoRenew": False}
    assert "[AutoRenew] => \n" in seen["released_print_r"]


def test_the_seeded_numbers_with_their_inbound_configuration(live, login: str) -> None:
    found = ok(php_call(live, "QueryNumbers", {"MaxResults": 3, "FirstResult": 3, "Region": {}}, login=login))
    numbers = as_list(found["Number"])
    assert found["TotalResults"] == 6 and [n["Number"] for n in numbers] == ["14155550100", "16465550123", "18885550123"]
    toll_free = numbers[2]
    assert toll_free["TollFree"] is True and "Region" not in toll_free
    assert toll_free["NumberConfiguration"]["TextFeature"] == "UNSUPPORTED"
    assert toll_free["NumberConfiguration"]["InboundCallConfiguration"]["CallTrackingConfig"]["TransferNumber"] \
        == "12135550100 12135550101"
    ivr = ok(php_call(live, "GetNumber", {"Number": "+12135551189"}, login=login))
    assert ivr["NumberConfiguration"]["InboundCallConfigurationType"] == "IVR"
    assert ivr["NumberConfiguration"]["InboundCallConfiguration"]["IvrInboundConfig"]["DialplanXml"].startswith(
        "<dialplan")
    assert ivr["Region"]["TimeZone"] == "America/Los_Angeles" and ivr["LeaseInfo"]["LeaseBegin"] == "2025-09-28"
    labelled = ok(php_call(live, "QueryNumbers", {"LabelName": "alerts", "Region": {}}, login=login))
    assert labelled["TotalResults"] == 1 and labelled["Number"]["Number"] == "16465550123"


def test_keywords_search_order_and_query(live, login: str) -> None:
    available = ok(php_call(live, "SearchAvailableKeywords", {"Keywords": "SUN WHITEN STOP"}, login=login))
    assert available["TotalResults"] == 1 and available["Keyword"] == {"ShortCode": "67076", "Keyword": "SUN"}
    order_id = ok(php_call(live, "CreateNumberOrder", {"Keywords": "SUN"}, login=login))
    live.advance(60)
    order = ok(php_call(live, "GetNumberOrder", {"Id": order_id}, login=login))
    assert order["Status"] == "FINISHED" and order["Keywords"]["Fulfilled"] == "SUN"
    owned = ok(php_call(live, "QueryKeywords", {"MaxResults": 10}, login=login))
    assert [k["Keyword"] for k in as_list(owned["Keyword"])] == ["SMILE", "SUN", "WHITEN"]
    assert ok(php_call(live, "Release", {"Number": "67076", "Keyword": "SUN"}, login=login)) is None
    [released] = [r for r in live.sim_requests(login) if r["method"] == "PUT"]
    assert (released["path"], released["body"]) == ("/v2/keywords/leases/SUN", {"autoRenew": False})


def test_what_v2_cannot_do_is_a_fault_naming_it(live, login: str) -> None:
    mixed = php_call(live, "CreateNumberOrder", {"Numbers": "13102301234", "Keywords": "SUN"}, login=login)
    assert mixed["ServiceFaultInfo"]["FaultCode"] == "BAD_REQUEST" and "separately" in mixed["faultstring"]
    missing = php_call(live, "GetNumber", {"Number": "13105550000"}, login=login)
    assert missing["ServiceFaultInfo"]["FaultCode"] == "NOT_FOUND"
    no_region = php_call(live, "SearchAvailableNumbers", {"Count": 2}, login=login)
    assert no_region["ServiceFaultInfo"]["FaultCode"] == "BAD_REQUEST" and "prefix" in no_region["faultstring"]
    toll_free = ok(php_call(live, "SearchAvailableNumbers", {"TollFree": True, "Count": 3,
                                                             "Region": {"City": "Chicago"}}, login=login))
    assert all(n["TollFree"] and n["Number"][1] == "8" for n in as_list(toll_free["Number"]))
