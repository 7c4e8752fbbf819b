"""QueryCalls asks v2 for its whole window in as few requests as v2 allows (bridge.v2.client.fetch_range),
over real HTTP: what reached v2 is the simulator's /__sim/requests log.

Campaign 500 holds 1200 calls. The default simulator answers up to 1000 items a page; `capped` is one
that answers at most 300, as a v2 that caps `limit` on its side."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bridge.config import Settings
from bridge.sim import RunningSim, start_in_thread
from conftest import basic
from contract_check import ContractCheck, ContractChecker

CALLS_IN_500 = 1200
ENVELOPE = ('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
            'xmlns:ns1="http://api.callfire.com/service/xsd"><env:Body><ns1:QueryCalls>'
            "<ns1:MaxResults>{count}</ns1:MaxResults><ns1:FirstResult>{first}</ns1:FirstResult>"
            "<ns1:BroadcastId>500</ns1:BroadcastId></ns1:QueryCalls></env:Body></env:Envelope>")


def query_calls(client: httpx.Client, login: str, count: int, first: int = 0) -> tuple[int, list[int]]:
    """QueryCalls on campaign 500: (TotalResults, the ids of the Calls answered, in order)."""
    answer = client.post("/api/1.1/soap12/call", content=ENVELOPE.format(count=count, first=first).encode(),
                         headers={"Content-Type": "application/soap+xml", "Authorization": basic(login)})
    assert answer.status_code == 200, answer.text
    total = int(re.search(r"<svc:TotalResults>(\d+)<", answer.text).group(1))
    return total, [int(i) for i in re.findall(r'<data:Call id="(\d+)"', answer.text)]


def v2_windows(requests: list[dict]) -> list[tuple[int, int]]:
    """(offset, limit) of every GET /v2/calls that reached the simulator, in offset order."""
    return sorted((int(r["query"]["offset"]), int(r["query"]["limit"]))
                  for r in requests if r["method"] == "GET" and r["path"] == "/v2/calls")


def campaign_500(sim_url: str) -> list[int]:
    """Every call id of campaign 500 in v2's order, read straight from the simulator."""
    ids: list[int] = []
    with httpx.Client(base_url=sim_url + "/v2", auth=("reader-500", "x")) as v2:
        while len(ids) < CALLS_IN_500:
            page = v2.get("/calls", params={"campaignId": 500, "limit": 1000, "offset": len(ids)}).json()
            ids += [call["id"] for call in page["items"]]
    return ids


# ---- the default bridge and simulator (`callfire-bridge serve`) ---------------------------------

def test_query_calls_1000_is_one_v2_request(live, login: str) -> None:
    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        total, ids = query_calls(client, login, 1000)
    assert total == CALLS_IN_500 and ids == campaign_500(live.sim_url)[:1000]
    assert v2_windows(live.sim_requests(login)) == [(0, 1000)]


def test_query_calls_100_is_one_v2_request(live, login: str) -> None:
    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        assert query_calls(client, login, 100, first=1150)[1] == campaign_500(live.sim_url)[1150:]
        assert query_calls(client, login, 100)[1] == campaign_500(live.sim_url)[:100]
    # the window and one item more: what tells a v2 that reports no totalCount has more
    assert v2_windows(live.sim_requests(login)) == [(0, 101), (1150, 101)]


# ---- a v2 that caps `limit`, and a configured maximum --------------------------------------------

@pytest.fixture(scope="module")
def capped_sim() -> Iterator[RunningSim]:
    running = start_in_thread(max_limit=300)
    yield running
    running.stop()


def bridge_on(sim: RunningSim, tmp_path: Path, checker: ContractChecker, **settings: object) -> httpx.Client:
    """The bridge in process, its v2 the simulator over real HTTP."""
    from bridge.wsgi import create_app
    app = create_app(Settings(store_path=tmp_path / "store.sqlite3", **settings), upstream=sim.base_url)
    return httpx.Client(transport=httpx.WSGITransport(app=ContractCheck(app, checker)), base_url="http://bridge")


def sim_requests(sim: RunningSim, login: str) -> list[dict]:
    return httpx.get(sim.base_url.removesuffix("/v2") + "/__sim/requests", params={"login": login}).json()["items"]


def test_a_capping_v2_is_continued_with_its_page_size(capped_sim: RunningSim, tmp_path: Path,
                                                      contract_checker: ContractChecker, login: str) -> None:
    with bridge_on(capped_sim, tmp_path, contract_checker) as client:
        total, ids = query_calls(client, login, 1000, first=50)
    assert total == CALLS_IN_500
    assert ids == campaign_500(capped_sim.base_url.removesuffix("/v2"))[50:1050]   # complete, in v2's order
    # v2 answered 300 of the 1000 asked: the rest in pages of 300, up to the window's end
    assert v2_windows(sim_requests(capped_sim, login)) == [(50, 1000), (350, 300), (650, 300), (950, 100)]


def test_the_configured_maximum_still_applies(capped_sim: RunningSim, tmp_path: Path,
                                              contract_checker: ContractChecker, login: str) -> None:
    with bridge_on(capped_sim, tmp_path, contract_checker, v2_page_size=250) as client:
        total, ids = query_calls(client, login, 1000)
    assert total == CALLS_IN_500 and ids == campaign_500(capped_sim.base_url.removesuffix("/v2"))[:1000]
    assert v2_windows(sim_requests(capped_sim, login)) == [(0, 250), (250, 250), (500, 250), (750, 250)]


def test_the_v2_view_reads_a_capping_v2_to_the_end_of_the_answer(capped_sim: RunningSim, tmp_path: Path,
                                                                 contract_checker: ContractChecker,
                                                                 login: str) -> None:
    """`compare --v2` reads the pages behind an answer itself: a page shorter than asked is not the end
    while v2's totalCount says more (a 1000-call answer from a v2 that gives 300 a page)."""
    from bridge.compare.v2view import v2_view
    from bridge.wsgi import create_app

    app = create_app(Settings(store_path=tmp_path / "store.sqlite3"), upstream=capped_sim.base_url)
    envelope = ENVELOPE.format(count=1000, first=50).encode()
    with httpx.Client(mounts={"http://bridge": httpx.WSGITransport(app=ContractCheck(app, contract_checker))},
                      timeout=60) as client:
        answer = client.post("http://bridge/api/1.1/soap12/call", content=envelope,
                             headers={"Content-Type": "application/soap+xml", "Authorization": basic(login)})
        assert answer.status_code == 200, answer.text
        rows = v2_view("QueryCalls", envelope, answer.content, bridge_url="http://bridge",
                       auth=(login, "secret"), client=client)
    fields = [r for r in rows if r["v1"]]
    assert len({r["v1"].split("/@")[0] for r in fields if "/Call[" in r["v1"]}) > 900, "every Call is viewed"
    assert [r for r in fields if r["agrees"] is not True] == []
