"""bridge.serving.ServerThread, how every in-process server here stops (the simulators, test proxies):
a request still running when it stops is answered, and nothing writes into a descriptor it closed
(a test once read "xHTTP/1.1 200 OK": a stopped server's wake-up byte in another server's socket)."""
from __future__ import annotations

import logging
import threading

import httpx
import waitress

from bridge.cli import free_port
from bridge.serving import run_in_thread


def test_a_request_running_when_the_server_stops_is_answered_and_nothing_is_written_after(caplog) -> None:
    started, release = threading.Event(), threading.Event()

    def app(environ, start_response):
        started.set()
        release.wait(5)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
        return [b"done"]

    port = free_port()
    running = run_in_thread(waitress.create_server(app, host="127.0.0.1", port=port, threads=2), "stopping")
    answers: list[httpx.Response | Exception] = []

    def ask() -> None:
        try:
            answers.append(httpx.get(f"http://127.0.0.1:{port}/", timeout=10))
        except httpx.HTTPError as exc:
            answers.append(exc)

    client = threading.Thread(target=ask)
    with caplog.at_level(logging.ERROR, logger="waitress"):
        client.start()
        assert started.wait(5)
        threading.Timer(0.3, release.set).start()   # the request ends while stop() is under way
        running.stop()
        client.join(10)
    assert [a.text if isinstance(a, httpx.Response) else repr(a) for a in answers] == ["done"]
    assert not running.thread.is_alive()
    assert "Bad file descriptor" not in caplog.text and "Exception" not in caplog.text
