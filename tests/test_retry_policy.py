"""The retry policy and the circuit breaker (issue 12): GETs retried within a per-request budget,
never past the request's deadline; a breaker per upstream that opens when v2 keeps failing,
fails fast with "CallFire v2 unavailable, retry in N s", half-opens and closes on its own."""
from __future__ import annotations

import httpx
import pytest

from bridge.deadline import request_deadline
from bridge.v2.client import V2Client
from bridge.v2.errors import V2StatusError, V2Unavailable
from bridge.v2.retry import CircuitBreaker, retry_budget

AUTH = "Basic dXNlcjpwYXNz"
CALL = {"id": 1, "state": "READY"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Upstream:
    """A v2 that answers from a script of statuses (then 200s), counting requests."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.count = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        status = self.statuses.pop(0) if self.statuses else 200
        return httpx.Response(status, json=CALL if status == 200 else {"message": "down"})


def client_for(upstream: Upstream, clock: Clock | None = None, **options: object) -> tuple[V2Client, list[float]]:
    breaker = CircuitBreaker("http://v2", failures=3, cooldown=30, clock=clock or Clock())
    client = V2Client("http://v2/v2", transport=httpx.MockTransport(upstream), breaker=breaker,
                      backoff=0, **options)
    sleeps: list[float] = []
    client._sleep = sleeps.append
    return client, sleeps


def get(client: V2Client) -> object:
    return client.get("/calls/1", authorization=AUTH)


def test_the_breaker_opens_fails_fast_and_recovers() -> None:
    clock = Clock()
    upstream = Upstream(*[503] * 9)
    client, _ = client_for(upstream, clock, retries=0)
    openings: list[float] = []
    client.breaker.on_open = lambda: openings.append(clock.now)   # what /metrics counts
    for _ in range(3):
        with pytest.raises(V2StatusError):
            get(client)
    assert client.breaker.state == "open" and upstream.count == 3 and openings == [clock.now]
    client.breaker.failure()                       # a request that left before it opened: no new opening
    assert len(openings) == 1
    with pytest.raises(V2Unavailable) as error:   # fails fast: v2 is not asked
        get(client)
    assert error.value.message == "CallFire v2 unavailable, retry in 30 s" and upstream.count == 3
    clock.now += 20
    with pytest.raises(V2Unavailable, match="retry in 10 s"):
        get(client)
    clock.now += 10                                # half-open: one probe, which fails: open again
    assert client.breaker.state == "half-open"
    with pytest.raises(V2StatusError):
        get(client)
    assert client.breaker.state == "open" and upstream.count == 4 and len(openings) == 2
    upstream.statuses.clear()                      # v2 is back
    clock.now += 30
    assert get(client) == CALL
    assert client.breaker.state == "closed"
    assert get(client) == CALL and upstream.count == 6


def test_refusals_and_rate_limits_do_not_open_the_breaker() -> None:
    client, _ = client_for(Upstream(404, 400, 429, 404, 400, 429), retries=0)
    for _ in range(6):
        with pytest.raises(V2StatusError):
            get(client)
    assert client.breaker.state == "closed"


def test_only_one_probe_while_half_open() -> None:
    clock = Clock()
    client, _ = client_for(Upstream(503, 503, 503), clock, retries=0)
    for _ in range(3):
        with pytest.raises(V2StatusError):
            get(client)
    clock.now += 30
    client.breaker.before()          # a probe is under way (another thread)
    with pytest.raises(V2Unavailable):
        get(client)
    clock.now += 30                  # ...and never reported: another request probes
    assert get(client) == CALL and client.breaker.state == "closed"


def test_retries_within_the_requests_budget() -> None:
    upstream = Upstream(*[502] * 100)
    client, sleeps = client_for(upstream, retries=2)
    client.breaker = CircuitBreaker("http://v2", failures=1000)
    with retry_budget(3):
        for _ in range(3):
            with pytest.raises(V2StatusError):
                get(client)
    assert upstream.count == 3 + 3      # three GETs, three retries in all (not 2 each)
    assert len(sleeps) == 3


def test_no_retry_past_the_deadline() -> None:
    upstream = Upstream(503, 503, 503)
    client, sleeps = client_for(upstream, retries=2)
    client.breaker = CircuitBreaker("http://v2", failures=1000)
    slow = httpx.Response(503, headers={"Retry-After": "4"}, json={})
    client._http.first._transport = httpx.MockTransport(lambda request: slow)
    with request_deadline(1.0):
        with pytest.raises(V2StatusError):
            get(client)
    assert sleeps == []   # a 4 s Retry-After does not fit in the 1 s left
    with pytest.raises(V2StatusError):
        get(client)       # outside a deadline it is honoured (capped at 5 s)
    assert sleeps == [4.0, 4.0]


def test_posts_are_not_retried_once_sent() -> None:
    upstream = Upstream(502, 502)
    client, _ = client_for(upstream, retries=2)
    with pytest.raises(V2StatusError) as error:
        client.post("/calls/broadcasts", authorization=AUTH, json={})
    assert upstream.count == 1 and not error.value.refused


def test_a_v11_client_sees_the_open_breaker_as_unavailable(inproc, login: str) -> None:
    from lxml import etree
    svc = "{http://api.callfire.com/service/xsd}"
    inproc.client._transport.app.app.runtime.v2._sleep = lambda seconds: None
    inproc.sim_client.post("/__sim/faults", json={"login": login, "kind": "status", "status": 503}).raise_for_status()
    for _ in range(2):   # 3 attempts each: the 5th failure in a row opens it
        assert inproc.soap("<ns1:GetCall><ns1:Id>9652</ns1:Id></ns1:GetCall>", login=login).status_code == 500
    hits = inproc.sim_client.get("/__sim/faults").json()["items"][0]["hits"]
    answer = inproc.soap("<ns1:GetCall><ns1:Id>9652</ns1:Id></ns1:GetCall>", login=login)
    info = etree.fromstring(answer.content).find(f".//{svc}ServiceFaultInfo")
    assert info.findtext(f"{svc}FaultCode") == "UNAVAILABLE"
    assert info.findtext(f"{svc}Message") == "CallFire v2 unavailable, retry in 10 s"
    assert inproc.sim_client.get("/__sim/faults").json()["items"][0]["hits"] == hits   # v2 not asked
