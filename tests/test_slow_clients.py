"""Defect 5 of issue 12: clients that stall mid-request neither starve healthy ones nor stay forever.

A stalled client sends its headers with `Content-Length: 5000`, 6 bytes of body, then nothing (no
credentials needed).  Before: gunicorn's gthread worker read bodies in its threads, so 8 of them
(2 workers x 4 threads) made every healthy request wait until the stalled ones gave up."""
from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bridge.config import Settings
from bridge.gunicorn_app import bounded_servers
from bridge.serving import ServerThread, run_in_thread
from conftest import Live, basic, serve

STALLED_HEAD = (b"POST /api/1.1/soap12/call HTTP/1.1\r\nHost: bridge\r\n"
                b"Content-Type: application/soap+xml\r\nContent-Length: 5000\r\n\r\n<e:Env")
GET_CALL = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:s="http://api.callfire.com/service/xsd">'
            '<e:Body><s:GetCall><s:Id>9652</s:Id></s:GetCall></e:Body></e:Envelope>').encode()
CLIENT_TIMEOUT = 20.0  # seconds: generous, a loaded CI machine must not fail it; stalled ones would exceed any


def stall(port: int, count: int) -> list[socket.socket]:
    connections = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(STALLED_HEAD)
        connections.append(sock)
    return connections


def still_open(sock: socket.socket) -> bool:
    """The server has not closed it (reading would block, not return b"")."""
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def patient_bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """`serve` as users run it, its read timeout long enough for the stalled clients to outlast the test."""
    yield from serve(tmp_path_factory.mktemp("slow-clients"), "--read-timeout", "300")


def test_sixteen_stalled_connections_do_not_hold_up_healthy_requests(patient_bridge: Live, login: str) -> None:
    port = int(patient_bridge.base_url.rpartition(":")[2])
    stalled = stall(port, 16)
    latencies = []
    try:
        time.sleep(0.5)  # the bridge has taken them in
        for _ in range(20):
            start = time.perf_counter()
            # A new connection each time, as PHP's SoapClient makes: it must be accepted and served.
            answer = httpx.post(patient_bridge.base_url + "/api/1.1/soap12/call", content=GET_CALL,
                                headers={"Content-Type": "application/soap+xml", "Authorization": basic(login)},
                                timeout=CLIENT_TIMEOUT)
            latencies.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200 and b'id="9652"' in answer.content
        assert all(still_open(sock) for sock in stalled), "the stalled clients were dropped, so nothing was shown"
    finally:
        for sock in stalled:
            sock.close()
    print(f"20 GetCalls beside 16 stalled connections: p50 {statistics.median(latencies):.0f} ms, "
          f"max {max(latencies):.0f} ms (client timeout {CLIENT_TIMEOUT:g} s)")


@pytest.fixture
def strict_server(tmp_path: Path) -> Iterator[ServerThread]:
    """The bridge's waitress setup in-process with a 1 s read timeout, serving a trivial app."""
    def app(environ, start_response):  # noqa: ANN001, ANN202 - WSGI
        body = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]

    listener = socket.create_server(("127.0.0.1", 0))
    server, = bounded_servers(app, [listener], threads=2, settings=Settings(read_timeout=1.0))
    running = run_in_thread(server, "bounded")
    yield running
    running.stop()


def closed_within(sock: socket.socket, seconds: float, trickle: bool = False) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if trickle:
                sock.sendall(b"x")
        except OSError:
            return True
        if not still_open(sock):
            return True
        time.sleep(0.2)
    return False


def test_a_request_that_does_not_arrive_within_the_read_timeout_is_closed(strict_server: ServerThread) -> None:
    stalled, = stall(strict_server.port, 1)
    trickling, = stall(strict_server.port, 1)  # a byte every 0.2 s: never silent, never done
    with stalled, trickling:
        assert closed_within(trickling, 30, trickle=True)
        assert closed_within(stalled, 30)
    # ... while a request that arrives whole is served
    answer = httpx.post(f"http://127.0.0.1:{strict_server.port}/", content=b"whole", timeout=CLIENT_TIMEOUT)
    assert answer.content == b"whole"
