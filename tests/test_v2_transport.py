"""The v2 client's own transport (bridge/v2/transport.py) over real sockets: keep-alive, a
connection the server closed, refused and silent upstreams, compressed and streamed answers."""
from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bridge.v2.client import V2Client
from bridge.v2.errors import V2ConnectError, V2TimeoutError, V2TooLarge

AUTH = "Basic YTpi"


class Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: list[int] = []
    close_after: bool = False       # answer Connection: close
    drop_idle: bool = False         # close the socket after answering, saying nothing

    def setup(self) -> None:
        super().setup()
        Upstream.connections.append(self.client_address[1])

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.startswith("/v2/slow"):
            time.sleep(1.0)
        if self.path.startswith("/v2/sounds/"):
            self.answer(b"RIFF" + b"\0" * 5000, "audio/wav")
            return
        body = json.dumps({"id": 7, "path": self.path, "auth": self.headers["Authorization"]}).encode()
        if "gzip" in self.path:
            self.answer(gzip.compress(body), "application/json", {"Content-Encoding": "gzip"})
        else:
            self.answer(body, "application/json")

    def answer(self, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if Upstream.close_after:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        if Upstream.drop_idle:
            self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[str]:
    Upstream.connections, Upstream.close_after, Upstream.drop_idle = [], False, False
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v2"
    server.shutdown()
    server.server_close()


def test_answers_are_read_over_one_kept_alive_connection(upstream: str) -> None:
    with V2Client(upstream, retries=0) as client:
        first = client.get("/echo/7", authorization=AUTH, params={"limit": 2, "states": ["READY", "FINISHED"]})
        second = client.get("/echo/8", authorization=AUTH)
    assert first == {"id": 7, "path": "/v2/echo/7?limit=2&states=READY&states=FINISHED", "auth": AUTH}
    assert second["path"] == "/v2/echo/8"
    assert len(Upstream.connections) == 1


@pytest.mark.parametrize("how", ["close_after", "drop_idle"])
def test_a_connection_the_upstream_closed_is_not_reused(upstream: str, how: str) -> None:
    setattr(Upstream, how, True)
    with V2Client(upstream, retries=0) as client:
        for number in range(3):
            assert client.get(f"/echo/{number}", authorization=AUTH)["path"] == f"/v2/echo/{number}"
            time.sleep(0.05)   # the upstream's close has arrived before the next request
    assert len(Upstream.connections) == 3


def test_a_compressed_answer_is_decoded(upstream: str) -> None:
    with V2Client(upstream, retries=0) as client:
        assert client.get("/echo/gzip", authorization=AUTH)["id"] == 7


def test_a_binary_answer_streams_and_its_limit_holds(upstream: str) -> None:
    with V2Client(upstream, retries=0) as client:
        assert len(client.get_bytes("/sounds/1.wav", authorization=AUTH, max_bytes=10_000)) == 5004
        with pytest.raises(V2TooLarge):
            client.get_bytes("/sounds/1.wav", authorization=AUTH, max_bytes=100)
        assert client.get("/echo/9", authorization=AUTH)["id"] == 7   # the pool survived both


def test_a_refused_connection_is_a_connect_error_with_nothing_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with V2Client(f"http://127.0.0.1:{port}/v2", retries=0) as client, pytest.raises(V2ConnectError) as raised:
        client.get("/echo/1", authorization=AUTH)
    assert raised.value.sent is False


def test_an_upstream_slower_than_the_timeout_is_a_timeout(upstream: str) -> None:
    with V2Client(upstream, retries=0, timeout=0.2) as client, pytest.raises(V2TimeoutError):
        client.get("/slow", authorization=AUTH)
