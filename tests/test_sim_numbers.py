"""Numbers, keywords and orders of the v2 simulator over real HTTP: regions, the catalogue, leases
with labels and inbound configs, orders completing over simulated time, releasing by autoRenew.
Every response of `checked` is checked against CallFire's 2020 Swagger spec."""
from __future__ import annotations

import httpx

from bridge.sim.number_seed import KEYWORD_LEASES, LEASE_TERM_MS
from bridge.sim.numbers import ORDER_AFTER_MS
from tests.sim_fixtures import (  # noqa: F401  (checked, login and sim are fixtures)
    advance, checked, login, sim)


def error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["message"]


def test_regions_filter_and_page(checked: httpx.Client) -> None:
    everything = checked.get("/numbers/regions").json()
    assert everything["totalCount"] == len(everything["items"]) >= 10
    california = checked.get("/numbers/regions", params={"state": "ca", "limit": 2, "offset": 1}).json()
    assert california["totalCount"] == 5 and len(california["items"]) == 2
    assert {r["state"] for r in california["items"]} == {"CA"}
    [la] = checked.get("/numbers/regions", params={"prefix": "1213"}).json()["items"]
    assert (la["city"], la["zipcode"], la["timeZone"]) == ("LOS ANGELES", "90012", "America/Los_Angeles")


def test_local_and_toll_free_numbers_for_sale(checked: httpx.Client) -> None:
    local = checked.get("/numbers/local", params={"zipcode": "90401", "limit": 5}).json()["items"]
    assert len(local) == 5 and all(n["region"]["city"] == "SANTA MONICA" and not n["tollFree"] for n in local)
    assert all(n["nationalFormat"] == f"({n['number'][1:4]}) {n['number'][4:7]}-{n['number'][7:]}" for n in local)
    assert "13105551212" not in {n["number"] for n in checked.get(
        "/numbers/local", params={"prefix": "1310555"}).json()["items"]}, "a leased number is not for sale"
    assert "prefix" in error(checked.get("/numbers/local"), 400)
    toll_free = checked.get("/numbers/tollfree", params={"pattern": "87*"}).json()["items"]
    assert toll_free and all(n["number"].startswith("187") and n["tollFree"] for n in toll_free)
    assert "pattern" in error(checked.get("/numbers/tollfree", params={"pattern": "877"}), 400)


def test_seeded_leases_with_labels_and_configs(checked: httpx.Client) -> None:
    leases = checked.get("/numbers/leases").json()
    assert leases["totalCount"] == 6 and {l["status"] for l in leases["items"]} == {"ACTIVE"}
    lease = checked.get("/numbers/leases/12135551189").json()
    assert lease["labels"] == ["sms", "main"] and lease["region"]["city"] == "LOS ANGELES"
    assert [l["number"] for l in checked.get("/numbers/leases", params={"labelName": "alerts"}).json()["items"]] \
        == ["16465550123"]
    assert [l["number"] for l in checked.get("/numbers/leases", params={"tollFree": "true"}).json()["items"]] \
        == ["18885550123"]
    config = checked.get("/numbers/leases/configs/18885550123").json()
    assert config["configType"] == "TRACKING" and config["callTrackingConfig"]["recorded"] is True
    assert checked.get("/numbers/leases/configs/13105551212").json() == {"number": "13105551212"}
    assert checked.get("/numbers/leases/configs").json()["totalCount"] == 6
    assert error(checked.get("/numbers/leases/13105550000"), 404).startswith("number:")


def test_lease_update_sets_labels_and_auto_renew(checked: httpx.Client) -> None:
    response = checked.put("/numbers/leases/16465550123", json={"labels": ["a", "b", "a"], "autoRenew": False})
    assert response.status_code == 200 and response.content == b""
    lease = checked.get("/numbers/leases/16465550123").json()
    assert lease["labels"] == ["a", "b"] and lease["autoRenew"] is False and lease["status"] == "ACTIVE"
    assert "textFeatureStatus" in error(checked.put("/numbers/leases/18885550123",
                                                    json={"textFeatureStatus": "ENABLED"}), 400)
    assert "unknown" in error(checked.put("/numbers/leases/16465550123", json={"label": "x"}), 400)


def test_config_update_replaces_the_config(checked: httpx.Client) -> None:
    body = {"configType": "IVR", "ivrInboundConfig": {"dialplanXml": "<dialplan><hangup/></dialplan>"}}
    assert checked.put("/numbers/leases/configs/13105551212", json=body).status_code == 200
    assert checked.get("/numbers/leases/configs/13105551212").json() == {**body, "number": "13105551212"}
    bad = {"configType": "TRACKING", "callTrackingConfig": {"introSoundId": 999}}
    assert "introSoundId" in error(checked.put("/numbers/leases/configs/13105551212", json=bad), 400)


def test_a_number_order_finishes_and_its_numbers_become_leases(sim, checked: httpx.Client) -> None:
    [wanted] = checked.get("/numbers/local", params={"city": "Seattle", "limit": 1}).json()["items"]
    created = checked.post("/orders/numbers", json={"numbers": [wanted["number"]], "tollFreeCount": 1})
    assert created.status_code == 201
    order_id = created.json()["id"]
    order = checked.get(f"/orders/{order_id}").json()
    assert order["status"] == "PROCESSING" and order["totalCost"] == 3.0
    assert order["localNumbers"] == {"ordered": 1, "unitCost": 1.0, "fulfilled": []}
    assert wanted["number"] not in {n["number"] for n in checked.get(
        "/numbers/local", params={"city": "Seattle"}).json()["items"]}, "an ordered number is off sale"
    assert checked.get(f"/numbers/leases/{wanted['number']}").status_code == 404
    advance(sim, ORDER_AFTER_MS / 1000)
    order = checked.get(f"/orders/{order_id}").json()
    assert order["status"] == "FINISHED" and order["localNumbers"]["fulfilled"] == [wanted["number"]]
    [toll_free] = order["tollFreeNumbers"]["fulfilled"]
    lease = checked.get(f"/numbers/leases/{wanted['number']}").json()
    assert (lease["status"], lease["autoRenew"], lease["region"]["city"]) == ("ACTIVE", True, "SEATTLE")
    assert checked.get(f"/numbers/leases/{toll_free}").json()["textFeatureStatus"] == "UNSUPPORTED"
    assert "not available" in error(checked.post("/orders/numbers", json={"numbers": [wanted["number"]]}), 400)
    advance(sim, LEASE_TERM_MS / 1000)
    renewed = checked.get(f"/numbers/leases/{wanted['number']}").json()
    assert renewed["leaseEnd"] == lease["leaseEnd"] + LEASE_TERM_MS and renewed["status"] == "ACTIVE"


def test_bulk_orders_need_enough_numbers_in_the_region(checked: httpx.Client) -> None:
    assert "only" in error(checked.post("/orders/numbers", json={"localCount": 500, "state": "NV"}), 400)
    assert "at least one" in error(checked.post("/orders/numbers", json={}), 400)
    assert checked.post("/orders/numbers", json={"localCount": 2, "zipcode": "89101"}).status_code == 201
    assert error(checked.get("/orders/99999"), 404)


def test_keywords_search_order_and_release(sim, checked: httpx.Client) -> None:
    found = checked.get("/keywords", params=[("keywords", "sun"), ("keywords", "WHITEN"),
                                             ("keywords", "STOP"), ("keywords", "MOON")]).json()
    assert found == {"items": [{"shortCode": "67076", "keyword": "SUN"},
                               {"shortCode": "67076", "keyword": "MOON"}]}
    assert checked.get("/keywords/SUN/available").json() is True
    order_id = checked.post("/orders/keywords", json={"keywords": ["sun"]}).json()["id"]
    assert checked.get("/keywords/SUN/available").json() is False
    advance(sim, ORDER_AFTER_MS / 1000)
    assert checked.get(f"/orders/{order_id}").json()["keywords"]["fulfilled"] == ["SUN"]
    lease = checked.get("/keywords/leases/sun").json()
    assert (lease["shortCode"], lease["status"]) == ("67076", "ACTIVE")
    assert checked.get("/keywords/leases").json()["totalCount"] == 3
    assert checked.put("/keywords/leases/SUN", json={"autoRenew": False}).status_code == 200
    advance(sim, 31 * 86400)
    assert checked.get("/keywords/leases/SUN").json()["status"] == "RELEASED"
    whiten = checked.get("/keywords/leases/WHITEN").json()
    assert whiten["status"] == "ACTIVE" and whiten["leaseEnd"] == KEYWORD_LEASES[0]["leaseEnd"], \
        "a seeded lease keeps its seeded term"


def test_a_released_number_is_for_sale_again(sim, checked: httpx.Client) -> None:
    assert checked.put("/numbers/leases/14155550100", json={"autoRenew": False}).status_code == 200
    advance(sim, 31 * 86400)
    assert checked.get("/numbers/leases/14155550100").json()["status"] == "RELEASED"
    assert "14155550100" in {n["number"] for n in checked.get(
        "/numbers/local", params={"prefix": "1415555"}).json()["items"]}
