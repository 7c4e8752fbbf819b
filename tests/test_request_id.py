"""SendCall.RequestId: a repeat returns the first CreatedId and creates nothing in v2,
across bridge restarts and across gunicorn worker processes; in process on both store backends
(two replicas on one PostgreSQL: tests/test_replicas.py)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from conftest import InProcess, basic, in_process
from pg_fixtures import Backend

SVC = "{http://api.callfire.com/service/xsd}"


def send_call(request_id: str, number: str = "13105551212") -> str:
    return (f"<ns1:SendCall><ns1:RequestId>{request_id}</ns1:RequestId><ns1:ToNumber>{number}</ns1:ToNumber>"
            "<d:VoiceBroadcastConfig><d:LiveSoundText>Hi</d:LiveSoundText></d:VoiceBroadcastConfig></ns1:SendCall>")


def created_id(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(etree.fromstring(response.content).find(f".//{SVC}CreatedId").text)


def posts(requests: list[dict]) -> list[dict]:
    return [r for r in requests if r["method"] == "POST"]


@pytest.fixture
def inproc(backend: Backend, contract_checker) -> Iterator[InProcess]:
    yield from in_process(backend.folder, contract_checker, backend.settings(time_zone="UTC"))


def test_repeat_returns_the_first_id_and_creates_nothing(inproc: InProcess, login: str, backend: Backend) -> None:
    first = created_id(inproc.soap(send_call("urn:order:1"), login=login))
    assert created_id(inproc.soap(send_call("urn:order:1"), login=login)) == first
    assert len(posts(inproc.sim_requests(login))) == 1

    # A restart: a new bridge process on the same store file and the same upstream.
    from bridge.wsgi import create_app
    restarted = create_app(backend.settings(), upstream="http://sim/v2",
                           transport=httpx.WSGITransport(app=inproc.sim))
    client = httpx.Client(transport=httpx.WSGITransport(app=restarted), base_url="http://bridge")
    again = InProcess(client, inproc.sim, inproc.sim_client)
    assert created_id(again.soap(send_call("urn:order:1"), login=login)) == first
    assert len(posts(inproc.sim_requests(login))) == 1


def test_same_id_with_other_content_is_refused(inproc: InProcess, login: str) -> None:
    created_id(inproc.soap(send_call("urn:order:2"), login=login))
    response = inproc.soap(send_call("urn:order:2", number="12135550000"), login=login)
    info = etree.fromstring(response.content).find(f".//{SVC}ServiceFaultInfo")
    assert info.findtext(f"{SVC}FaultCode") == "BAD_REQUEST"
    assert info.findtext(f"{SVC}Message").startswith("RequestId: 'urn:order:2' was already used")
    assert len(posts(inproc.sim_requests(login))) == 1


def test_request_ids_belong_to_one_account(inproc: InProcess, login: str) -> None:
    mine = created_id(inproc.soap(send_call("urn:shared"), login=login))
    theirs = created_id(inproc.soap(send_call("urn:shared"), login=login + "-other"))
    assert len(posts(inproc.sim_requests(login))) == 1
    assert len(posts(inproc.sim_requests(login + "-other"))) == 1
    assert mine and theirs


def test_a_refused_send_can_be_retried_with_the_same_id(inproc: InProcess, login: str) -> None:
    refused = ("<ns1:SendCall><ns1:RequestId>urn:retry</ns1:RequestId><ns1:ToNumber>13105551212</ns1:ToNumber>"
               "<d:VoiceBroadcastConfig><d:LiveSoundId>999999</d:LiveSoundId></d:VoiceBroadcastConfig></ns1:SendCall>")
    assert inproc.soap(refused, login=login).status_code == 500
    fixed = refused.replace("999999", "9")
    assert created_id(inproc.soap(fixed, login=login)) > 0


def test_concurrent_repeats_across_workers_create_one_broadcast(live, login: str) -> None:
    envelope = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" '
                'xmlns:ns1="http://api.callfire.com/service/xsd" xmlns:d="http://api.callfire.com/data">'
                f'<e:Body>{send_call("urn:burst")}</e:Body></e:Envelope>')
    headers = {"Content-Type": "application/soap+xml", "Authorization": basic(login)}

    def post(_: int) -> httpx.Response:
        return httpx.post(f"{live.base_url}/api/1.1/soap12/call", content=envelope, headers=headers, timeout=30)

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(post, range(16)))
    ids = {created_id(r) for r in responses if r.status_code == 200}
    in_flight = [r for r in responses if r.status_code != 200]
    assert len(ids) == 1
    assert all(b"still in progress" in r.content for r in in_flight)
    assert len(posts(live.sim_requests(login))) == 1
    # Once the first finished, every repeat is a replay.
    assert created_id(post(0)) in ids


def test_a_repeated_create_broadcast_schedule_adds_one_schedule(inproc: InProcess, login: str) -> None:
    """CreateBroadcastSchedule's RequestId row promises it: the repeat answers the first id."""
    body = ("<ns1:CreateBroadcastSchedule><ns1:RequestId>urn:schedule-once</ns1:RequestId>"
            "<ns1:BroadcastId>327</ns1:BroadcastId><d:BroadcastSchedule>"
            "<d:StartTimeOfDay>09:00:00</d:StartTimeOfDay><d:StopTimeOfDay>17:00:00</d:StopTimeOfDay>"
            "<d:TimeZone>America/Chicago</d:TimeZone><d:DaysOfWeek>MONDAY</d:DaysOfWeek>"
            "</d:BroadcastSchedule></ns1:CreateBroadcastSchedule>")
    first, again = (inproc.soap(body, login=login, port="broadcast") for _ in range(2))
    assert first.status_code == again.status_code == 200, again.text
    created = [etree.fromstring(r.content).findtext(".//{http://api.callfire.com/service/xsd}CreatedId")
               for r in (first, again)]
    assert created[0] and created[0] == created[1]
    puts = [r for r in inproc.sim_requests(login) if r["method"] == "PUT"]
    assert len(puts) == 1
