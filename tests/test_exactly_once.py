"""RequestId, exactly once for good (issue 12, defects 2 and 3): a create whose outcome is unknown
is looked up in v2 by its marker before anything is sent again, never guessed by a time window;
a create v2 refused frees its RequestId at once; the marker never reaches a v1.1 answer. In process,
on both store backends (SQLite, PostgreSQL: tests/pg_fixtures.py)."""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from bridge.orchestrate.markers import PREFIX
from bridge.store import account_key
from conftest import InProcess, basic, in_process
from pg_fixtures import Backend

SVC = "{http://api.callfire.com/service/xsd}"


def send_call(request_id: str, number: str = "13105551212") -> str:
    return (f"<ns1:SendCall><ns1:RequestId>{request_id}</ns1:RequestId><ns1:ToNumber>{number}</ns1:ToNumber>"
            "<ns1:Label>vip</ns1:Label>"
            "<d:VoiceBroadcastConfig><d:LiveSoundText>Hi</d:LiveSoundText></d:VoiceBroadcastConfig></ns1:SendCall>")


def created_id(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(etree.fromstring(response.content).find(f".//{SVC}CreatedId").text)


def fault(response: httpx.Response) -> tuple[str, str]:
    info = etree.fromstring(response.content).find(f".//{SVC}ServiceFaultInfo")
    return info.findtext(f"{SVC}FaultCode"), info.findtext(f"{SVC}Message")


def inject(inproc: InProcess, login: str, **spec: object) -> None:
    inproc.sim_client.post("/__sim/faults", json={"login": login, **spec}).raise_for_status()


def posts(inproc: InProcess, login: str) -> list[dict]:
    return [r for r in inproc.sim_requests(login) if r["method"] == "POST"]


def broadcasts(inproc: InProcess, login: str) -> int:
    """How many call broadcasts the account holds (seeded ones included)."""
    page = inproc.sim_client.get("/v2/calls/broadcasts", params={"limit": 1},
                                 headers={"Authorization": basic(login)}).json()
    return page["totalCount"]


@pytest.fixture
def inproc(backend: Backend, contract_checker) -> Iterator[InProcess]:
    yield from in_process(backend.folder, contract_checker, backend.settings(time_zone="UTC"))


@pytest.fixture(autouse=True)
def no_sleeping(inproc: InProcess) -> None:
    inproc.client._transport.app.app.runtime.v2._sleep = lambda seconds: None


def test_a_create_that_timed_out_is_found_by_its_marker_not_sent_again(inproc: InProcess, login: str) -> None:
    before = broadcasts(inproc, login)
    inject(inproc, login, kind="created_timeout", method="POST", path="/v2/calls/broadcasts", count=1)
    first = created_id(inproc.soap(send_call("urn:timeout"), login=login))   # reconciled in the same request
    assert created_id(inproc.soap(send_call("urn:timeout"), login=login)) == first
    assert broadcasts(inproc, login) == before + 1
    (post,) = posts(inproc, login)
    assert [label for label in post["body"]["labels"] if label.startswith(PREFIX)]


def test_an_unknown_outcome_left_by_a_failed_lookup_is_reconciled_on_the_next_retry(inproc: InProcess,
                                                                                    login: str) -> None:
    before = broadcasts(inproc, login)
    inject(inproc, login, kind="created_timeout", method="POST", path="/v2/calls/broadcasts", count=1)
    inject(inproc, login, kind="status", status=503, method="GET", path="/v2/calls/broadcasts", count=3)
    assert fault(inproc.soap(send_call("urn:lookup-failed"), login=login))[0] == "TIMEOUT"
    # 15 minutes or 15 ms later, the same: the retry asks v2, finds it and answers it.
    retried = created_id(inproc.soap(send_call("urn:lookup-failed"), login=login))
    assert broadcasts(inproc, login) == before + 1
    assert len(posts(inproc, login)) == 1 and retried > 0


@pytest.mark.parametrize("status", [429, 503, 400])
def test_a_refused_create_frees_its_request_id_at_once(inproc: InProcess, login: str, status: int) -> None:
    inject(inproc, login, kind="status", status=status, retry_after="30", method="POST", count=1)
    assert inproc.soap(send_call(f"urn:refused-{status}"), login=login).status_code == 500
    assert created_id(inproc.soap(send_call(f"urn:refused-{status}"), login=login)) > 0
    assert len(posts(inproc, login)) == 1   # the refused POST was never acted on; the retry went to v2


def test_a_502_whose_post_v2_refused_frees_the_request_id_after_one_lookup(inproc: InProcess, login: str) -> None:
    before = broadcasts(inproc, login)
    inject(inproc, login, kind="status", status=502, method="POST", count=3)
    assert fault(inproc.soap(send_call("urn:502"), login=login))[0] == "UNAVAILABLE"
    lookups = [r for r in inproc.sim_requests(login) if str(r["query"].get("label", "")).startswith(PREFIX)]
    assert lookups and all(r["method"] == "GET" and r["path"] == "/v2/calls/broadcasts" for r in lookups)
    assert created_id(inproc.soap(send_call("urn:502"), login=login)) > 0   # at once, not "in progress"
    assert broadcasts(inproc, login) == before + 1


def test_a_create_without_a_marker_says_its_outcome_is_unknown(inproc: InProcess, login: str) -> None:
    """CreateAutoReply: v2's auto-reply has no field to carry a marker; a timeout is never resent."""
    body = ("<ns1:CreateAutoReply><ns1:RequestId>urn:reply</ns1:RequestId><d:AutoReply>"
            "<d:Number>12135551189</d:Number><d:Match>HI</d:Match><d:Message>Hello</d:Message>"
            "</d:AutoReply></ns1:CreateAutoReply>")
    inject(inproc, login, kind="created_timeout", method="POST", count=1)
    assert fault(inproc.soap(body, login=login, port="text"))[0] == "TIMEOUT"
    for _ in range(2):   # every retry: never "in progress", never sent again
        code, message = fault(inproc.soap(body, login=login, port="text"))
        assert code == "UNAVAILABLE" and "outcome" in message and "new RequestId" in message
    assert len(posts(inproc, login)) == 1


def test_the_marker_never_reaches_a_v11_answer(inproc: InProcess, login: str) -> None:
    broadcast = created_id(inproc.soap(send_call("urn:hidden"), login=login))
    calls = inproc.soap(f"<ns1:QueryCalls><ns1:BroadcastId>{broadcast}</ns1:BroadcastId></ns1:QueryCalls>", login=login)
    assert calls.status_code == 200 and b"<data:Name>vip</data:Name>" in calls.content
    assert PREFIX.encode() not in calls.content
    got = inproc.soap(f"<ns1:GetBroadcast><ns1:Id>{broadcast}</ns1:Id></ns1:GetBroadcast>", login=login,
                      port="broadcast")
    assert got.status_code == 200 and PREFIX.encode() not in got.content
    # ...while v2 has it, for the lookup
    marker = PREFIX + hashlib.sha256(f"{account_key(basic(login))}\0SendCall\0urn:hidden".encode()).hexdigest()[:32]
    found = inproc.sim_client.get("/v2/calls/broadcasts", params={"label": marker},
                                  headers={"Authorization": basic(login)}).json()
    assert [b["id"] for b in found["items"]] == [broadcast]


def test_the_account_key_is_not_the_login() -> None:
    assert "alice" not in account_key("Basic " + base64.b64encode(b"alice:pw").decode())


def test_a_deadline_that_passes_before_the_post_frees_the_request_id(inproc: InProcess, login: str,
                                                                      backend: Backend) -> None:
    from bridge.wsgi import create_app

    def bridge(deadline: float) -> InProcess:   # on the inproc bridge's store
        app = create_app(backend.settings(request_deadline=deadline), upstream="http://sim/v2",
                         transport=httpx.WSGITransport(app=inproc.sim))
        return InProcess(httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://bridge"),
                         inproc.sim, inproc.sim_client)

    hurried = bridge(1e-9)
    code, message = fault(hurried.soap(send_call("urn:deadline"), login=login))
    assert code == "UNAVAILABLE" and "deadline" in message
    assert posts(inproc, login) == []
    assert created_id(bridge(60).soap(send_call("urn:deadline"), login=login)) > 0   # not "in progress"
