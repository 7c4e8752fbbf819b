"""Shadow mode (`serve --shadow URL`): clients are answered by the bridge as always; their reads also go,
in the background, to another v1.1 service, and the differences show at /compare.

The served bridge's shadow side is a proxy in front of a second bridge (same seed) that alters one
answer (tests/shadow_fixtures.py); the failure cases use a shadow side that is slow or absent."""
from __future__ import annotations

import base64
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import lxml.etree
import lxml.html
import pytest
import requests
import zeep

from bridge.cli import free_port
from bridge.compare.model import DIFFERENT, ERROR, SAME, Answer, Difference, Outcome
from bridge.compare.record import DROPPED
from bridge.config import Settings
from bridge.server import BridgeApp
from bridge.web.examples import EXAMPLES
from conftest import WSDL_PATH, basic, serve
from contract_check import ContractCheck, ContractChecker
from pg_fixtures import Backend
from shadow_fixtures import (  # noqa: F401 - shadowed is a fixture
    ALTERED_CALL, Shadowed, run_waitress, shadowed, sleeping_app, wait_for)

SOAP12 = {"Content-Type": "application/soap+xml; charset=utf-8"}


def post(base_url: str, operation: str, login: str, password: str = "secret") -> httpx.Response:
    port = "call" if operation in ("GetCall", "QueryCalls", "SendCall") else "contact"
    return httpx.post(f"{base_url}/api/1.1/soap12/{port}", content=EXAMPLES[operation].encode(),
                      headers={**SOAP12, "Authorization": basic(login, password)}, timeout=30)


def outcomes(shadowed: Shadowed, **params: str) -> list[lxml.etree._Element]:
    return shadowed.page(**params).xpath("//article[@data-status]")


def difference_rows(article: lxml.etree._Element) -> list[list[str]]:
    return [[cell.text_content().strip() for cell in row.xpath("td")] for row in article.xpath(".//tbody/tr")]


def state_difference_shown(shadowed: Shadowed) -> bool:
    """The altered GetCall: shadow side FINISHED, bridge INVALID, no mapping row explaining it."""
    return any(row[:4] == ["Call/State", "value", "FINISHED", "INVALID"] and row[4].startswith("unexplained")
               for article in outcomes(shadowed, different="1") for row in difference_rows(article))


def test_a_read_through_zeep_is_answered_by_the_bridge_and_the_difference_shows_at_compare(
        shadowed: Shadowed, login: str) -> None:
    session = requests.Session()
    session.auth = (login, "secret")
    client = zeep.Client(shadowed.bridge.base_url + WSDL_PATH, transport=zeep.Transport(session=session))
    call = client.bind("CallFireApi", "CallServicePort").GetCall(Id=int(ALTERED_CALL))
    assert call.State == "INVALID"  # the bridge's own answer, whatever the shadow side says
    page = client.bind("CallFireApi", "CallServicePort").QueryCalls(MaxResults=10, FirstResult=0, BroadcastId=327)
    assert page.TotalResults > 0

    wait_for(lambda: state_difference_shown(shadowed), "GetCall's State difference at /compare")
    wait_for(lambda: _operation_row(shadowed, "QueryCalls").get("same", 0) >= 1, "QueryCalls compared")
    query_calls = _operation_row(shadowed, "QueryCalls")
    assert query_calls["different"] == 0 and query_calls["pass rate"] == "100%"
    assert _operation_row(shadowed, "GetCall")["different"] >= 1
    assert shadowed.page().xpath("string(//code[@id='ui-shadow'])") == shadowed.shadow_url


def _operation_row(shadowed: Shadowed, operation: str) -> dict[str, object]:
    table = shadowed.page().xpath("//table[@id='ui-operations']")
    if not table:
        return {}
    for row in table[0].xpath("tbody/tr"):
        cells = {td.get("data-label"): td.text_content().strip() for td in row.xpath("td")}
        if cells["operation"] == operation:
            return {k: v if k in ("operation", "pass rate") else int(v) for k, v in cells.items()}
    return {}


def test_different_only_and_the_exports(shadowed: Shadowed, login: str) -> None:
    assert post(shadowed.bridge.base_url, "GetCall", login).status_code == 200
    assert post(shadowed.bridge.base_url, "GetContactHistory", login).status_code == 200
    wait_for(lambda: state_difference_shown(shadowed), "a difference at /compare")
    wait_for(lambda: _operation_row(shadowed, "GetContactHistory").get("same", 0) >= 1,
                      "GetContactHistory compared")
    assert {a.get("data-status") for a in outcomes(shadowed, different="1")} == {DIFFERENT}
    assert {a.get("data-status") for a in outcomes(shadowed)} >= {DIFFERENT, SAME}

    report = httpx.get(shadowed.bridge.base_url + "/compare/report.json", params={"different": "1"}).json()
    assert report["primary"] == shadowed.shadow_url  # the shadow side is the reference
    assert report["candidate"] == shadowed.bridge.base_url
    assert report["outcomes"] and {o["status"] for o in report["outcomes"]} == {DIFFERENT}
    state = next(d for o in report["outcomes"] for d in o["differences"] if d["path"] == "Call/State")
    assert (state["primary"], state["candidate"], state["unexplained"]) == ("FINISHED", "INVALID", True)
    everything = httpx.get(shadowed.bridge.base_url + "/compare/report.json").json()
    assert "GetContactHistory" in everything["operations"]

    html = httpx.get(shadowed.bridge.base_url + "/compare/report.html", params={"different": "1"})
    assert html.headers["content-type"].startswith("text/html") and "Call/State" in html.text

    junit = lxml.etree.fromstring(httpx.get(shadowed.bridge.base_url + "/compare/report.xml").content)
    get_call = junit.find("testsuite[@name='GetCall']")
    assert int(get_call.get("failures")) >= 1
    assert "Call/State" in get_call.find("testcase/failure").text


def test_a_write_is_never_sent_to_the_shadow_side(shadowed: Shadowed, login: str) -> None:
    created = post(shadowed.bridge.base_url, "SendCall", login)
    assert created.status_code == 200 and b"CreatedId" in created.content
    seen = len(shadowed.proxy.received)
    assert post(shadowed.bridge.base_url, "GetCall", login).status_code == 200  # a read, after the write
    wait_for(lambda: "GetCall" in shadowed.proxy.operations()[seen:], "the read at the shadow side")
    assert "SendCall" not in shadowed.proxy.operations()
    assert "SendCall" not in _operation_names(shadowed)


def _operation_names(shadowed: Shadowed) -> list[str]:
    return shadowed.page().xpath("//table[@id='ui-operations']/tbody/tr/td[1]//text()")


def test_credentials_reach_the_shadow_side_but_never_the_log_or_the_record(shadowed: Shadowed, login: str) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    token = base64.b64encode(f"{login}:{password}".encode())
    before = shadowed.counters()["compared"]
    assert post(shadowed.bridge.base_url, "GetContactHistory", login, password).status_code == 200
    wait_for(lambda: shadowed.counters()["compared"] > before, "the read compared")
    assert basic(login, password) in [r.authorization for r in shadowed.proxy.received]  # forwarded as sent
    files = [shadowed.folder / "serve.log", *shadowed.folder.glob("store-shadow.sqlite3*")]
    assert len(files) >= 2
    for path in files:
        content = path.read_bytes()
        assert password.encode() not in content and token not in content, path.name
    for export in ("/compare", "/compare/report.json", "/compare/report.xml"):
        assert password not in httpx.get(shadowed.bridge.base_url + export).text


@pytest.fixture
def slow_shadow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shadowed]:
    """serve --shadow to a side that takes 10 s to answer; 3 s shadow timeout; a queue of one read."""
    monkeypatch.setenv("CALLFIRE_BRIDGE_SHADOW_TIMEOUT", "3")
    monkeypatch.setenv("CALLFIRE_BRIDGE_SHADOW_QUEUE", "1")
    for url in run_waitress(sleeping_app(10), threads=16):
        for bridge in serve(tmp_path, "--shadow", url):
            yield Shadowed(bridge, tmp_path, url)


def test_a_slow_shadow_side_neither_fails_the_client_nor_holds_it_and_a_full_queue_drops(
        slow_shadow: Shadowed, login: str) -> None:
    # Per worker, two senders wait on the shadow side and one read waits in the queue: the rest are dropped.
    for _ in range(20):
        answer = post(slow_shadow.bridge.base_url, "GetCall", login)
        assert answer.status_code == 200 and b'id="9652"' in answer.content
    wait_for(lambda: slow_shadow.counters()["dropped"] >= 1, "drops counted")
    wait_for(lambda: slow_shadow.counters()["shadow errors"] >= 1, "timeouts counted")
    counters = slow_shadow.counters()
    assert counters["compared"] == 0
    assert counters["dropped"] + counters["shadow errors"] <= 20
    assert "ReadTimeout" in slow_shadow.page().xpath("string(//article[@data-status='error']//p[@class='fault'])")


@pytest.fixture
def dead_shadow(tmp_path: Path, contract_checker: ContractChecker) -> Iterator[tuple[httpx.Client, BridgeApp]]:
    """The bridge in-process, --shadow to a port nobody listens on."""
    from bridge.sim.app import create_app as create_sim
    from bridge.wsgi import create_app as create_bridge
    settings = Settings(store_path=tmp_path / "store.sqlite3", shadow=f"http://127.0.0.1:{free_port()}")
    bridge = create_bridge(settings, upstream="http://sim/v2", transport=httpx.WSGITransport(app=create_sim()))
    with httpx.Client(transport=httpx.WSGITransport(app=ContractCheck(bridge, contract_checker)),
                      base_url="http://bridge") as client:
        yield client, bridge


def test_shadowing_the_legacy_simulator_the_reads_agree(tmp_path: Path, contract_checker: ContractChecker,
                                                        login: str) -> None:
    """`sim --legacy`, the independent v1.1 stand-in for CallFire, as the shadow side: same seed, same answers."""
    from bridge.legacy import start_in_thread
    from bridge.sim.app import create_app as create_sim
    from bridge.wsgi import create_app as create_bridge
    legacy = start_in_thread(port=0)
    try:
        settings = Settings(store_path=tmp_path / "store.sqlite3", shadow=legacy.base_url)
        bridge = create_bridge(settings, upstream="http://sim/v2", transport=httpx.WSGITransport(app=create_sim()))
        with httpx.Client(transport=httpx.WSGITransport(app=ContractCheck(bridge, contract_checker)),
                          base_url="http://bridge") as client:
            for operation in ("GetCall", "QueryCalls"):
                answer = client.post("/api/1.1/soap12/call", content=EXAMPLES[operation].encode(),
                                     headers={**SOAP12, "Authorization": basic(login)})
                assert answer.status_code == 200
            wait_for(lambda: len(bridge.shadow.record.recent()) == 2, "both reads compared")
    finally:
        legacy.stop()
    assert bridge.shadow.record.counts().by_operation == {"GetCall": {SAME: 1}, "QueryCalls": {SAME: 1}}


def get_call(client: httpx.Client, login: str) -> httpx.Response:
    return client.post("/api/1.1/soap12/call", content=EXAMPLES["GetCall"].encode(),
                       headers={**SOAP12, "Authorization": basic(login)})


def test_a_dead_shadow_side_does_not_fail_the_client_and_is_counted(
        dead_shadow: tuple[httpx.Client, BridgeApp], login: str) -> None:
    client, bridge = dead_shadow
    answer = get_call(client, login)
    assert answer.status_code == 200 and b'id="9652"' in answer.content
    wait_for(lambda: bridge.shadow.record.counts().totals()[ERROR] == 1, "the shadow error counted")
    page = lxml.html.fromstring(client.get("/compare").text)
    counters = {div.findtext("dt"): div.findtext("dd") for div in page.xpath("//dl[@id='ui-counters']/div")}
    assert (counters["shadow errors"], counters["compared"]) == ("1", "0")
    assert "no answer from" in page.xpath("string(//article[@data-status='error']//p[@class='fault'])")


def test_an_exception_in_the_shadow_path_is_logged_and_counted_never_raised(
        dead_shadow: tuple[httpx.Client, BridgeApp], login: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    client, bridge = dead_shadow

    def broken(*args: object) -> Answer:
        raise RuntimeError("a bug in the comparison")
    monkeypatch.setattr(bridge.shadow, "_send", broken)
    answer = get_call(client, login)
    assert answer.status_code == 200 and b'id="9652"' in answer.content
    wait_for(lambda: bridge.shadow.record.counts().by_operation.get("GetCall", {}).get(ERROR) == 1, "counted")
    assert "shadow: RuntimeError while comparing GetCall" in caplog.text


def test_without_shadow_the_page_says_it_is_off_and_how_to_turn_it_on(inproc) -> None:  # noqa: ANN001
    page = lxml.html.fromstring(inproc.client.get("/compare").text)
    assert page.xpath("//*[@id='ui-shadow-off']")
    assert "serve --shadow URL" in page.text_content()
    assert inproc.client.get("/compare/report.json").status_code == 404


def outcome(status: str, n: int) -> Outcome:
    differences = [Difference("Call/State", "value", "FINISHED", "INVALID")] if status == DIFFERENT else []
    return Outcome(f"read {n}", "GetCall", primary=Answer(200, "<a/>"), candidate=Answer(200, "<b/>"),
                   differences=differences)


def test_the_record_keeps_the_last_outcomes_and_counts_them_all(backend: Backend) -> None:
    record = backend.shadow_record(keep=3)   # a SQLite file, or PostgreSQL (one record for every replica)
    for n in range(5):
        record.add(outcome(DIFFERENT if n % 2 else SAME, n), "1.2")
    record.count(Counter({("GetCall", DROPPED): 2}))
    assert [s.outcome.name for s in record.recent()] == ["read 4", "read 3", "read 2"]
    assert record.counts().by_operation["GetCall"] == {SAME: 3, DIFFERENT: 2, DROPPED: 2}
    assert record.started()
    kept = record.recent(statuses=(DIFFERENT,))[0].outcome
    assert kept.differences[0].primary == "FINISHED" and kept.candidate.body == "<b/>"
    assert record.recent(statuses=(SAME,))[0].outcome.candidate.body == ""  # a same answer is not kept
    record.reset()
    assert record.recent() == [] and record.counts().totals() == {}


@pytest.mark.parametrize("options, message", [
    (["--shadow", "www.callfire.com"], "--shadow: a v1.1 service's base URL"),
    (["--shadow", "https://www.callfire.com", "--shadow-auth", "login-without-password"], "--shadow-auth: USER:PASS"),
])
def test_serve_refuses_shadow_settings_it_cannot_use(options: list[str], message: str, tmp_path: Path) -> None:
    from bridge.cli import main
    with pytest.raises(SystemExit, match=message):
        main(["serve", "--store", str(tmp_path / "store.sqlite3"), *options])
