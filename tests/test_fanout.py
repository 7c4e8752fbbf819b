"""Defect 4 of issue 12: a fan-out (QueryCalls' ToNumber values, one v2 GET each) runs concurrently
within CALLFIRE_BRIDGE_V2_CONCURRENCY, and stops sending at the request's deadline or when its
client has gone.  The simulator sits behind a transport that makes each v2 call take a while and
watches how many run at once (what a slow CallFire v2 would look like)."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bridge.config import Settings
from bridge.gunicorn_app import bounded_servers
from bridge.serving import client_gone_probe, run_in_thread
from conftest import basic, serve

NUMBERS = [str(12135550000 + n) for n in range(100)]
QUERY = ('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
         'xmlns:ns1="http://api.callfire.com/service/xsd"><env:Body>'
         '<ns1:QueryCalls><ns1:MaxResults>10</ns1:MaxResults><ns1:ToNumber>{}</ns1:ToNumber></ns1:QueryCalls>'
         '</env:Body></env:Envelope>').format(" ".join(NUMBERS))


@dataclass
class SlowV2(httpx.BaseTransport):
    """The simulator, each call taking `delay` seconds; records when each GET /calls started."""

    inner: httpx.BaseTransport
    delay: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    active: int = 0
    most_at_once: int = 0
    started: list[float] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.active += 1
            self.most_at_once = max(self.most_at_once, self.active)
            if request.url.path.endswith("/v2/calls"):
                self.started.append(time.monotonic())
        try:
            time.sleep(self.delay)
            response = self.inner.handle_request(request)
            response.read()
            return response
        finally:
            with self.lock:
                self.active -= 1


def bridge_over(tmp_path: Path, slow: SlowV2, **settings: object):  # noqa: ANN201 - a BridgeApp
    from bridge.wsgi import create_app
    return create_app(Settings(store_path=tmp_path / "store.sqlite3", **settings),  # type: ignore[arg-type]
                      upstream="http://sim/v2", transport=slow)


@pytest.fixture
def slow_v2() -> Iterator[SlowV2]:
    from bridge.sim.app import create_app as create_sim
    yield SlowV2(httpx.WSGITransport(app=create_sim()), delay=0.05)


def query(app: object, login: str) -> httpx.Response:
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://bridge") as client:
        return client.post("/api/1.1/soap12/call", content=QUERY.encode(), timeout=60,
                           headers={"Content-Type": "application/soap+xml; charset=utf-8",
                                    "Authorization": basic(login)})


def test_a_hundred_numbers_run_concurrently_within_the_limit(tmp_path: Path, slow_v2: SlowV2, login: str) -> None:
    answer = query(bridge_over(tmp_path, slow_v2, v2_concurrency=4), login)
    assert answer.status_code == 200, answer.text
    assert len(slow_v2.started) == 100  # one GET per number, all of them
    assert slow_v2.most_at_once == 4    # concurrent, and never more than CALLFIRE_BRIDGE_V2_CONCURRENCY


def test_the_fan_out_stops_at_the_request_deadline(tmp_path: Path, slow_v2: SlowV2, login: str) -> None:
    slow_v2.delay = 0.2  # 100 GETs, 4 at a time: 5 s of upstream work against a 1 s deadline
    app = bridge_over(tmp_path, slow_v2, v2_concurrency=4, request_deadline=1.0)
    arrived = time.monotonic()  # the request's deadline starts a little later: the bridge's clock is behind
    answer = query(app, login)
    assert answer.status_code == 500
    assert "<FaultCode>UNAVAILABLE</FaultCode>" in answer.text.replace("ns0:", "").replace("svc:", "")
    assert "deadline of 1 s" in answer.text
    after_deadline = [t for t in slow_v2.started if t > arrived + 1.0]
    print(f"GETs sent: {len(slow_v2.started)} of 100; started after the deadline: {len(after_deadline)}")
    assert len(slow_v2.started) < 100
    # A GET checks the deadline just before it starts: at most one per concurrent slot can slip past.
    assert len(after_deadline) <= 4


def test_the_fan_out_stops_when_the_client_disconnects(tmp_path: Path, slow_v2: SlowV2, login: str) -> None:
    slow_v2.delay = 0.2
    app = bridge_over(tmp_path, slow_v2, v2_concurrency=4)
    finished = threading.Event()

    def watched(environ, start_response):  # noqa: ANN001, ANN202 - WSGI
        try:
            return app(environ, start_response)
        finally:
            finished.set()

    # waitress as `serve` runs it in each worker: it keeps reading the connection during a request.
    listener = socket.create_server(("127.0.0.1", 0))
    server = run_in_thread(bounded_servers(watched, [listener], threads=2, settings=Settings())[0], "bridge")
    try:
        request = (f"POST /api/1.1/soap12/call HTTP/1.1\r\nHost: bridge\r\nAuthorization: {basic(login)}\r\n"
                   f"Content-Type: application/soap+xml; charset=utf-8\r\nContent-Length: {len(QUERY)}\r\n\r\n")
        with socket.create_connection(("127.0.0.1", server.port)) as client:
            client.sendall(request.encode() + QUERY.encode())
            while len(slow_v2.started) < 8:  # the fan-out is under way
                time.sleep(0.01)
        gone_at, sent_then = time.monotonic(), len(slow_v2.started)
        assert finished.wait(timeout=60), "the request kept running after its client had gone"
        after = [t for t in slow_v2.started if t > gone_at]
        print(f"GETs sent: {len(slow_v2.started)} of 100 ({sent_then} when the client left, "
              f"{len(after)} after)")
        assert len(slow_v2.started) < 100
        # waitress notices the close on its next loop turn; GETs already past their check still go.
        assert len(slow_v2.started) <= sent_then + 4 * 3
    finally:
        server.stop()


def test_gunicorns_socket_tells_a_closed_connection() -> None:
    ours, theirs = socket.socketpair()
    with ours:
        probe = client_gone_probe({"gunicorn.socket": ours})
        assert probe is not None and probe() is False  # open and silent
        theirs.close()
        assert probe() is True


def test_no_probe_where_the_server_offers_none() -> None:
    assert client_gone_probe({}) is None


def test_serve_hands_its_request_deadline_to_the_workers(tmp_path: Path, login: str) -> None:
    for bridge in serve(tmp_path, "--request-deadline", "0.001"):
        answer = httpx.post(bridge.base_url + "/api/1.1/soap12/call", content=QUERY.encode(), timeout=30,
                            headers={"Content-Type": "application/soap+xml; charset=utf-8",
                                     "Authorization": basic(login)})
        assert answer.status_code == 500 and "deadline of 0.001 s" in answer.text
        assert [r for r in bridge.sim_requests(login) if r["path"] == "/v2/calls"] == []
