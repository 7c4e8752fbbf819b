"""NumberService translation where rows alone do not say it (bridge/orchestrate/numbers.py), in
process against the v2 simulator: ConfigureNumber's two PUTs and what it keeps of the config it
replaces, the toll-free search, Release, orders of numbers or keywords, and v2-only statuses."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from lxml import etree

from bridge.mappings import load
from bridge.translate.convert import Conversions
from bridge.translate.engine import entity_writer
from conftest import InProcess

D = "{http://api.callfire.com/data}"
SVC = "{http://api.callfire.com/service/xsd}"


def puts(inproc: InProcess, login: str) -> list[tuple[str, object]]:
    return [(r["path"], r["body"]) for r in inproc.sim_requests(login) if r["method"] == "PUT"]


def fault_code(response) -> str:
    return etree.fromstring(response.content).findtext(f".//{SVC}FaultCode")


def test_configure_number_keeps_what_v1_cannot_say_of_a_config_of_the_same_type(inproc: InProcess, login: str) -> None:
    response = inproc.soap("<ns1:ConfigureNumber><ns1:Number>18885550123</ns1:Number><d:NumberConfiguration>"
                           "<d:InboundCallConfiguration><d:CallTrackingConfig><d:Screen>true</d:Screen>"
                           "</d:CallTrackingConfig></d:InboundCallConfiguration></d:NumberConfiguration>"
                           "</ns1:ConfigureNumber>", login=login, port="number")
    assert response.status_code == 200, response.text
    [(path, body)] = puts(inproc, login)
    assert path == "/v2/numbers/leases/configs/18885550123"
    assert body == {"configType": "TRACKING", "callTrackingConfig": {
        "transferNumbers": ["12135550100", "12135550101"], "screen": True, "recorded": True, "voicemail": True,
        "introSoundId": 3, "whisperSoundId": 4, "voicemailSoundId": 5}}, "voicemail kept, Screen changed"


def test_configure_number_to_another_type_sends_only_the_new_config(inproc: InProcess, login: str) -> None:
    response = inproc.soap("<ns1:ConfigureNumber><ns1:Number>18885550123</ns1:Number><d:NumberConfiguration>"
                           "<d:InboundCallConfigurationType>IVR</d:InboundCallConfigurationType>"
                           "<d:InboundCallConfiguration><d:IvrInboundConfig><d:DialplanXml>&lt;dialplan&gt;&lt;hangup/&gt;"
                           "&lt;/dialplan&gt;</d:DialplanXml></d:IvrInboundConfig></d:InboundCallConfiguration>"
                           "</d:NumberConfiguration></ns1:ConfigureNumber>", login=login, port="number")
    assert response.status_code == 200, response.text
    assert puts(inproc, login) == [("/v2/numbers/leases/configs/18885550123", {
        "configType": "IVR", "ivrInboundConfig": {"dialplanXml": "<dialplan><hangup/></dialplan>"}})]
    read = inproc.soap("<ns1:GetNumber><ns1:Number>18885550123</ns1:Number></ns1:GetNumber>", login=login, port="number")
    config = etree.fromstring(read.content).find(f".//{D}InboundCallConfiguration")
    assert [etree.QName(c).localname for c in config] == ["IvrInboundConfig"]


def test_configure_number_features_only_touches_the_lease(inproc: InProcess, login: str) -> None:
    response = inproc.soap("<ns1:ConfigureNumber><ns1:Number>13105551212</ns1:Number><d:NumberConfiguration>"
                           "<d:TextFeature>ENABLED</d:TextFeature></d:NumberConfiguration></ns1:ConfigureNumber>",
                           login=login, port="number")
    assert response.status_code == 200, response.text
    assert [(r["method"], r["path"]) for r in inproc.sim_requests(login)] == [
        ("PUT", "/v2/numbers/leases/13105551212")]
    refused = inproc.soap("<ns1:ConfigureNumber><ns1:Number>18885550123</ns1:Number><d:NumberConfiguration>"
                          "<d:TextFeature>ENABLED</d:TextFeature></d:NumberConfiguration></ns1:ConfigureNumber>",
                          login=login, port="number")
    assert fault_code(refused) == "BAD_REQUEST", "a toll-free number cannot text: v2 says 400"


def test_a_toll_free_search_leaves_the_region_out_and_says_so(inproc: InProcess, login: str) -> None:
    body = ("<ns1:SearchAvailableNumbers><d:Region><d:State>IL</d:State></d:Region><ns1:TollFree>1</ns1:TollFree>"
            "<ns1:Count>4</ns1:Count></ns1:SearchAvailableNumbers>")
    explained = inproc.client.post("/explain", content=body.replace(
        "<ns1:SearchAvailableNumbers>", '<ns1:SearchAvailableNumbers xmlns:ns1="http://api.callfire.com/service/xsd" '
        'xmlns:d="http://api.callfire.com/data">').encode()).json()
    assert [(r["path"], r["query"]) for r in explained["requests"]] == [("/numbers/tollfree", [["limit", "4"]])]
    assert any(note.startswith("Region/State: not sent") for note in explained["lossy"])
    answer = etree.fromstring(inproc.soap(body, login=login, port="number").content)
    assert answer.findtext(f".//{SVC}TotalResults") == "4"
    assert {n.findtext(f"{D}TollFree") for n in answer.iter(f"{D}Number") if len(n)} == {"true"}


def test_release_turns_renewal_off(inproc: InProcess, login: str) -> None:
    for body in ("<ns1:Release><ns1:Number>+16465550123</ns1:Number></ns1:Release>",
                 "<ns1:Release><ns1:Number>67076</ns1:Number><ns1:Keyword>SMILE</ns1:Keyword></ns1:Release>"):
        assert inproc.soap(body, login=login, port="number").status_code == 200
    assert puts(inproc, login) == [("/v2/numbers/leases/16465550123", {"autoRenew": False}),
                                   ("/v2/keywords/leases/SMILE", {"autoRenew": False})]


def test_numbers_and_keywords_cannot_be_ordered_together(inproc: InProcess, login: str) -> None:
    response = inproc.soap("<ns1:CreateNumberOrder><ns1:Keywords>SUN</ns1:Keywords><ns1:BulkTollFree>"
                           "<ns1:Count>1</ns1:Count></ns1:BulkTollFree></ns1:CreateNumberOrder>", login=login, port="number")
    assert fault_code(response) == "BAD_REQUEST" and "separately" in response.text
    assert inproc.sim_requests(login) == [], "refused before anything reaches v2"


def test_v2_only_order_statuses_are_2014_ones() -> None:
    conv = Conversions(ZoneInfo("UTC"), load().enums)
    write = entity_writer("NumberOrder")
    statuses = {v2: write({"id": 1, "status": v2}, conv)["Status"]
                for v2 in ("PAYMENT_ERROR", "REJECTED", "APPROVE_TIER_ONE", "PARTIALLY_ADJUSTED", "FINISHED")}
    assert statuses == {"PAYMENT_ERROR": "ERRORED", "REJECTED": "ERRORED", "APPROVE_TIER_ONE": "WAIT_FOR_PAYMENT",
                        "PARTIALLY_ADJUSTED": "ADJUSTED", "FINISHED": "FINISHED"}
    item = entity_writer("NumberOrderItem")({"ordered": 2, "unitCost": 1.0, "fulfilled": ["13105550001", "13105550002"]},
                                            conv)
    assert item == {"Ordered": "2", "UnitCost": "1.0", "Fulfilled": "13105550001 13105550002"}
