"""LabelService's gathering and removal (bridge/orchestrate/labels.py), through SOAP against the
in-process simulator: what QueryLabels lists, what Label*/Unlabel*/DeleteLabel send to v2, what a
DeleteLabel interrupted by a failing PUT leaves behind and that running it again finishes; the
bound on the work; the bridge's own cfb: labels; and the simulator's side (PUT of labels alone)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bridge.config import Settings
from bridge.orchestrate import labels
from conftest import basic
from contract_check import ContractCheck
from sim_spec import check

LOGIN = "labeller"
SOAP = ('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:ns1="http://api.callfire.com/service/xsd"><env:Body>{}</env:Body></env:Envelope>')


class FailingPuts(httpx.BaseTransport):
    """The simulator, except that a PUT to a path in `failing` answers 500 until removed."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.failing: set[str] = set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and request.url.path in self.failing:
            return httpx.Response(500, json={"httpStatusCode": 500, "internalCode": 0, "message": "boom"})
        return self.inner.handle_request(request)


@dataclass
class Bridge:
    soap: Callable[[str], httpx.Response]
    v2: httpx.Client             # the simulator, as LOGIN
    requests: Callable[[], list[dict]]
    transport: FailingPuts
    advance: Callable[[int], None]


def make_bridge(tmp_path: Path, contract_checker, **settings: object) -> Iterator[Bridge]:
    from bridge.sim.app import create_app as create_sim
    from bridge.wsgi import create_app as create_bridge

    sim = httpx.WSGITransport(app=create_sim())
    transport = FailingPuts(sim)
    app = create_bridge(Settings(store_path=tmp_path / "store.sqlite3", **settings), upstream="http://sim/v2",
                        transport=transport)
    client = httpx.Client(transport=httpx.WSGITransport(app=ContractCheck(app, contract_checker)),
                          base_url="http://bridge")
    v2 = httpx.Client(transport=sim, base_url="http://sim/v2", headers={"Authorization": basic(LOGIN)})
    admin = httpx.Client(transport=sim, base_url="http://sim")

    def soap(body: str) -> httpx.Response:
        return client.post("/api/1.1/soap12/label", content=SOAP.format(body).encode(),
                           headers={"Content-Type": "application/soap+xml", "Authorization": basic(LOGIN)})

    def requests() -> list[dict]:
        return admin.get("/__sim/requests", params={"login": LOGIN}).json()["items"]

    def advance(seconds: int) -> None:
        admin.post("/__sim/advance", params={"seconds": seconds}).raise_for_status()

    yield Bridge(soap, v2, requests, transport, advance)
    for c in (client, v2, admin):
        c.close()


@pytest.fixture
def bridge(tmp_path: Path, contract_checker) -> Iterator[Bridge]:
    yield from make_bridge(tmp_path, contract_checker)


@pytest.fixture
def small_pages(tmp_path: Path, contract_checker) -> Iterator[Bridge]:
    """v2 pages of 2 items: every list takes several GETs."""
    yield from make_bridge(tmp_path, contract_checker, v2_page_size=2)


def query_labels(bridge: Bridge, **paging: int) -> tuple[int, list[str]]:
    body = "".join(f"<ns1:{k}>{v}</ns1:{k}>" for k, v in paging.items())
    answer = bridge.soap(f"<ns1:QueryLabels>{body}</ns1:QueryLabels>")
    assert answer.status_code == 200, answer.text
    total = int(re.search(r"<svc:TotalResults>(\d+)<", answer.text).group(1))
    return total, re.findall(r"<data:Name>([^<]*)</data:Name>", answer.text)


def call(bridge: Bridge, operation: str, **fields: object) -> httpx.Response:
    body = "".join(f"<ns1:{k}>{v}</ns1:{k}>" for k, v in fields.items())
    return bridge.soap(f"<ns1:{operation}>{body}</ns1:{operation}>")


def fault_code(response: httpx.Response) -> str:
    assert response.status_code == 500, response.text
    return re.search(r"<FaultCode>(\w+)</FaultCode>", response.text).group(1)


def labels_of(bridge: Bridge, path: str) -> list[str]:
    return bridge.v2.get(path).json().get("labels", [])


def writes(bridge: Bridge) -> list[tuple[str, str, object]]:
    return [(r["method"], r["path"].removeprefix("/v2"), r["body"]) for r in bridge.requests() if r["method"] != "GET"]


SEED_LABELS = ["alerts", "billing", "campaigns", "delivery", "inbound", "main", "membership", "notice", "promo",
               "reminders", "sms", "survey"]


def test_query_labels_gathers_broadcasts_and_leases_sorted_and_distinct(bridge: Bridge) -> None:
    """The seed: broadcasts 101-104, 500 (calls), 610-611 (texts) and six number leases;
    "survey" and "alerts" are on a broadcast and a lease, listed once."""
    assert query_labels(bridge) == (len(SEED_LABELS), SEED_LABELS)
    assert query_labels(bridge, FirstResult=10, MaxResults=5) == (len(SEED_LABELS), SEED_LABELS[10:])
    paths = [r["path"] for r in bridge.requests()]
    assert set(paths) == {"/v2/calls/broadcasts", "/v2/texts/broadcasts", "/v2/numbers/leases"}


def test_query_labels_pages_through_every_list(small_pages: Bridge) -> None:
    assert query_labels(small_pages) == (len(SEED_LABELS), SEED_LABELS)
    offsets = sorted(int(r["query"]["offset"]) for r in small_pages.requests() if r["path"] == "/v2/numbers/leases")
    assert offsets == [0, 2, 4]  # six leases, two a page


def test_query_labels_reads_at_most_max_holders_per_list(small_pages: Bridge, monkeypatch) -> None:
    """Past the bound, a list's labels are not seen (the cost is bounded; README says so)."""
    monkeypatch.setattr(labels, "MAX_HOLDERS", 2)
    total, names = query_labels(small_pages)
    leases = small_pages.v2.get("/numbers/leases", params={"limit": 2}).json()["items"]
    assert {label for lease in leases for label in lease["labels"]} <= set(names)
    assert "inbound" not in names and total == len(names) < len(SEED_LABELS)


def test_label_and_unlabel_a_broadcast_keep_its_other_labels(bridge: Bridge) -> None:
    assert call(bridge, "LabelBroadcast", Id=103, LabelName="vip").status_code == 200
    assert labels_of(bridge, "/calls/broadcasts/103") == ["billing", "notice", "vip"]
    assert call(bridge, "LabelBroadcast", Id=611, LabelName="vip").status_code == 200   # a text broadcast
    assert labels_of(bridge, "/texts/broadcasts/611") == ["delivery", "vip"]
    assert call(bridge, "UnlabelBroadcast", Id=103, LabelName="billing").status_code == 200
    assert labels_of(bridge, "/calls/broadcasts/103") == ["notice", "vip"]
    assert writes(bridge) == [("PUT", "/calls/broadcasts/103", {"labels": ["billing", "notice", "vip"]}),
                              ("PUT", "/texts/broadcasts/611", {"labels": ["delivery", "vip"]}),
                              ("PUT", "/calls/broadcasts/103", {"labels": ["notice", "vip"]})]


def test_nothing_is_sent_when_the_labels_would_not_change(bridge: Bridge) -> None:
    assert call(bridge, "LabelBroadcast", Id=103, LabelName="billing").status_code == 200
    assert call(bridge, "UnlabelBroadcast", Id=103, LabelName="never-there").status_code == 200
    assert call(bridge, "UnlabelNumber", Number="12135551189", LabelName="never-there").status_code == 200
    assert call(bridge, "DeleteLabel", LabelName="never-there").status_code == 200
    assert writes(bridge) == []


def test_label_and_unlabel_a_number(bridge: Bridge) -> None:
    assert call(bridge, "LabelNumber", Number="+12135551189", LabelName="vip").status_code == 200
    assert labels_of(bridge, "/numbers/leases/12135551189") == ["sms", "main", "vip"]
    assert call(bridge, "UnlabelNumber", Number="12135551189", LabelName="sms").status_code == 200
    assert labels_of(bridge, "/numbers/leases/12135551189") == ["main", "vip"]
    assert fault_code(call(bridge, "LabelNumber", Number="19995550000", LabelName="vip")) == "NOT_FOUND"


def test_a_number_just_ordered_can_be_labelled_and_is_listed(bridge: Bridge) -> None:
    """The issue's workflow: order a number, wait for the order, label it, query labels."""
    order = bridge.v2.post("/orders/numbers", json={"localCount": 1, "city": "SEATTLE"}).json()["id"]
    bridge.advance(60)
    number = bridge.v2.get(f"/orders/{order}").json()["localNumbers"]["fulfilled"][0]
    assert call(bridge, "LabelNumber", Number=number, LabelName="seattle-line").status_code == 200
    assert labels_of(bridge, f"/numbers/leases/{number}") == ["seattle-line"]
    assert "seattle-line" in query_labels(bridge)[1]


def test_delete_label_removes_it_from_every_holder_and_keeps_the_others(bridge: Bridge) -> None:
    for operation, key in (("LabelBroadcast", {"Id": 101}), ("LabelBroadcast", {"Id": 610}),
                           ("LabelNumber", {"Number": "13105550150"})):
        assert call(bridge, operation, LabelName="vip", **key).status_code == 200
    assert call(bridge, "DeleteLabel", LabelName="vip").status_code == 200
    assert labels_of(bridge, "/calls/broadcasts/101") == ["reminders"]
    assert labels_of(bridge, "/texts/broadcasts/610") == ["promo"]
    assert labels_of(bridge, "/numbers/leases/13105550150") == ["campaigns"]
    assert "vip" not in query_labels(bridge)[1]


def test_delete_label_interrupted_by_a_failing_put_is_finished_by_a_retry(bridge: Bridge) -> None:
    """Holders are done call broadcasts, text broadcasts, number leases: a PUT failing on the text
    broadcast leaves the call broadcast done and the text broadcast and the lease labelled."""
    for operation, key in (("LabelBroadcast", {"Id": 102}), ("LabelBroadcast", {"Id": 611}),
                           ("LabelNumber", {"Number": "14155550100"})):
        assert call(bridge, operation, LabelName="vip", **key).status_code == 200
    bridge.transport.failing.add("/v2/texts/broadcasts/611")
    assert fault_code(call(bridge, "DeleteLabel", LabelName="vip")) == "UNAVAILABLE"
    assert "vip" not in labels_of(bridge, "/calls/broadcasts/102")
    assert "vip" in labels_of(bridge, "/texts/broadcasts/611")
    assert "vip" in labels_of(bridge, "/numbers/leases/14155550100")
    assert "vip" in query_labels(bridge)[1]

    bridge.transport.failing.clear()
    assert call(bridge, "DeleteLabel", LabelName="vip").status_code == 200
    assert "vip" not in query_labels(bridge)[1]
    assert labels_of(bridge, "/texts/broadcasts/611") == ["delivery"]
    assert labels_of(bridge, "/numbers/leases/14155550100") == ["campaigns", "survey"]


def test_delete_label_beyond_one_round_reads_again_until_done(small_pages: Bridge, monkeypatch) -> None:
    monkeypatch.setattr(labels, "MAX_HOLDERS", 2)
    for broadcast_id in (101, 102, 103, 104, 500):
        assert call(small_pages, "LabelBroadcast", Id=broadcast_id, LabelName="vip").status_code == 200
    assert call(small_pages, "DeleteLabel", LabelName="vip").status_code == 200
    assert small_pages.v2.get("/calls/broadcasts", params={"label": "vip"}).json()["items"] == []


def test_the_bridges_own_labels_are_never_listed_removed_or_accepted(bridge: Bridge) -> None:
    """cfb:... labels mark what the bridge created (issue 12): invisible to LabelService."""
    marker = f"{labels.INTERNAL_PREFIX}rid:42"
    assert bridge.v2.put("/calls/broadcasts/103", json={"labels": ["billing", marker]}).status_code == 200
    assert marker not in query_labels(bridge)[1]
    assert call(bridge, "UnlabelBroadcast", Id=103, LabelName="billing").status_code == 200
    assert labels_of(bridge, "/calls/broadcasts/103") == [marker]
    for operation, key in (("DeleteLabel", {}), ("UnlabelBroadcast", {"Id": 103}), ("LabelBroadcast", {"Id": 103}),
                           ("UnlabelNumber", {"Number": "12135551189"})):
        assert fault_code(call(bridge, operation, LabelName=marker, **key)) == "BAD_REQUEST"
    assert labels_of(bridge, "/calls/broadcasts/103") == [marker]


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_label_name_is_refused_before_v2_is_called(bridge: Bridge, name: str) -> None:
    answer = call(bridge, "LabelBroadcast", Id=103, LabelName=name)
    assert fault_code(answer) == "BAD_REQUEST" and "LabelName" in answer.text
    assert bridge.requests() == []


def test_the_simulator_puts_labels_alone_and_answers_the_spec(bridge: Bridge) -> None:
    """What the strategies rely on: a PUT of `labels` alone replaces them (a set) and keeps the rest."""
    before = bridge.v2.get("/calls/broadcasts/101").json()
    assert bridge.v2.put("/calls/broadcasts/101", json={"labels": ["a", "b", "a"]}).status_code == 200
    after = bridge.v2.get("/calls/broadcasts/101").json()
    check("CallBroadcast", after)
    assert after["labels"] == ["a", "b"]
    assert {k: v for k, v in after.items() if k not in ("labels", "lastModified")} == \
        {k: v for k, v in before.items() if k not in ("labels", "lastModified")}
    assert [b["id"] for b in bridge.v2.get("/calls/broadcasts", params={"label": "b"}).json()["items"]] == [101]
    lease = bridge.v2.get("/numbers/leases", params={"labelName": "main"}).json()
    check("NumberLeasePage", lease)
    assert {item["number"] for item in lease["items"]} == {"12135551189", "13105551212"}
