"""V2Client against httpx.MockTransport fakes (the simulator suite runs it for real).

The client raises its own errors (bridge.v2.errors); the faults they become are test_faults.py's."""
from __future__ import annotations

import base64
import logging
import socket
import ssl
import threading
import time
import traceback
from collections.abc import Callable

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from bridge.v2.client import MAX_RETRY_AFTER, Page, V2Client, encode_params
from bridge.v2.errors import (V2AuthorizationError, V2BadResponse, V2ConnectError, V2Error, V2StatusError,
                              V2TimeoutError, V2TooLarge)

PASSWORD = "s3cr3t-Pa55"
AUTH = "Basic " + base64.b64encode(f"acct-user:{PASSWORD}".encode()).decode()
BASE = "https://api.test/v2"

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that records requests and answers from a script or a function."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


def make_client(handler: Handler, **options) -> tuple[V2Client, list[float]]:
    options.setdefault("backoff", 0)
    client = V2Client(BASE, transport=httpx.MockTransport(handler), **options)
    sleeps: list[float] = []
    client._sleep = sleeps.append
    return client, sleeps


def error_of(call: Callable[[], object], kind: type[V2Error] = V2Error) -> V2Error:
    with pytest.raises(kind) as info:
        call()
    return info.value


# --- plain requests -----------------------------------------------------------------------

def test_get_passes_authorization_unchanged_and_parses_json():
    rec = Recorder(httpx.Response(200, json={"id": 123, "state": "FINISHED"}))
    client, _ = make_client(rec)
    assert client.get("/calls/123", authorization=AUTH) == {"id": 123, "state": "FINISHED"}
    (request,) = rec.requests
    assert request.method == "GET"
    assert str(request.url) == "https://api.test/v2/calls/123"
    assert request.headers["Authorization"] == AUTH
    assert request.headers["Accept"] == "application/json"


def test_wsgi_transport_runs_an_app_in_process():
    def app(environ, start_response):
        assert environ["HTTP_AUTHORIZATION"] == AUTH
        assert environ["PATH_INFO"] == "/v2/calls" and environ["QUERY_STRING"] == "id=1&id=2"
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"items": []}']

    with V2Client("http://sim/v2", transport=httpx.WSGITransport(app=app)) as client:
        assert client.get("/calls", authorization=AUTH, params={"id": [1, 2]}) == {"items": []}


def test_post_sends_json_body():
    rec = Recorder(httpx.Response(200, json={"items": [{"id": 7, "state": "READY"}]}))
    client, _ = make_client(rec)
    body = {"recipients": [{"phoneNumber": "12135551234"}]}
    assert client.post("/calls", authorization=AUTH, json=[body], params={"campaignId": 5}) == \
        {"items": [{"id": 7, "state": "READY"}]}
    (request,) = rec.requests
    assert request.headers["Content-Type"] == "application/json"
    assert httpx.Response(200, content=request.content).json() == [body]
    assert request.url.params["campaignId"] == "5"


@pytest.mark.parametrize("status", [200, 201, 204])
def test_empty_2xx_body_is_none(status):
    client, _ = make_client(Recorder(httpx.Response(status)))
    assert client.post("/calls/broadcasts/1/start", authorization=AUTH) is None


def test_put_and_delete():
    rec = Recorder(httpx.Response(200), httpx.Response(204))
    client, _ = make_client(rec)
    assert client.put("/calls/broadcasts/1", authorization=AUTH, json={"name": "x"}) is None
    assert client.delete("/webhooks/9", authorization=AUTH) is None
    assert [r.method for r in rec.requests] == ["PUT", "DELETE"]


def test_params_encoding():
    rec = Recorder(httpx.Response(200, json={"items": []}))
    client, _ = make_client(rec)
    client.get("/calls", authorization=AUTH, params={
        "id": [1, 2, 3], "inbound": False, "archived": True, "label": None, "limit": 10,
        "states": "READY,FINISHED", "toNumber": "12135551234"})
    params = rec.requests[0].url.params
    assert params.get_list("id") == ["1", "2", "3"]
    assert params["inbound"] == "false" and params["archived"] == "true"
    assert "label" not in params
    assert params["limit"] == "10" and params["states"] == "READY,FINISHED"


def test_encode_params_drops_none_inside_lists():
    assert encode_params({"id": [1, None, 2], "x": None}) == [("id", "1"), ("id", "2")]
    assert encode_params(None) == []


def test_cookies_never_follow_the_next_caller():
    rec = Recorder(httpx.Response(200, json={}, headers={"Set-Cookie": "JSESSIONID=abc; Path=/"}))
    client, _ = make_client(rec)
    client.get("/me/account", authorization=AUTH)
    client.get("/me/account", authorization="Basic b3RoZXI6cHc=")
    assert "Cookie" not in rec.requests[1].headers


@pytest.mark.parametrize("path", ["calls", "//evil.example/x", "https://evil.example/v2/calls",
                                  "/calls?id=1"])
def test_path_must_be_v2_relative(path):
    client, _ = make_client(Recorder(httpx.Response(200)))
    with pytest.raises(ValueError):
        client.get(path, authorization=AUTH)


# --- v2 error responses -------------------------------------------------------------------

@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 418, 429, 500, 503, 504, 599])
def test_error_status_carries_status_and_body(status):
    body = {"httpStatusCode": status, "internalCode": 0, "message": "boom",
            "developerMessage": "dev boom"}
    client, _ = make_client(Recorder(httpx.Response(status, json=body)), retries=0)
    error = error_of(lambda: client.get("/calls/1", authorization=AUTH), V2StatusError)
    assert (error.status, error.body) == (status, body)
    assert error.message == str(error) == f"CallFire v2 returned {status}: boom"
    assert error.detail == "dev boom; internalCode 0"


@pytest.mark.parametrize("internal_code, expected", [(2, "internalCode 2"), ("2", "internalCode 2"),
                                                     ("", None), (None, None)])
def test_v2_message_and_developer_message(internal_code, expected):
    body = {"httpStatusCode": 404, "internalCode": internal_code, "message": "Call 123 not found",
            "developerMessage": "no call with id 123", "helpLink": "https://callfire.com"}
    client, _ = make_client(Recorder(httpx.Response(404, json=body)))
    error = error_of(lambda: client.get("/calls/123", authorization=AUTH), V2StatusError)
    assert error.status == 404 and error.body == body
    assert str(error) == "CallFire v2 returned 404: Call 123 not found"
    assert error.detail == "; ".join(filter(None, ["no call with id 123", expected]))


@pytest.mark.parametrize("content, content_type", [
    (b"<html><body>502 Bad Gateway</body></html>", "text/html"),
    (b"", "application/json"),
    (b"[1, 2]", "application/json"),
    (b"{not json", "application/json"),
    (b"\xff\xfe", "application/json"),
])
def test_error_body_that_is_not_an_error_response(content, content_type):
    response = httpx.Response(400, content=content, headers={"Content-Type": content_type})
    client, _ = make_client(Recorder(response))
    error = error_of(lambda: client.post("/calls", authorization=AUTH, json=[]), V2StatusError)
    assert error.status == 400 and error.body is None
    assert str(error) == "CallFire v2 returned 400: Bad Request"
    assert error.detail is None


def test_success_body_that_is_not_json_is_a_bad_response():
    client, _ = make_client(Recorder(httpx.Response(200, content=b"<html/>")))
    error = error_of(lambda: client.get("/calls/1", authorization=AUTH), V2BadResponse)
    assert str(error) == "CallFire v2 answered GET /calls/1 with something unexpected: 200 and a body that is not JSON"


# --- retries ------------------------------------------------------------------------------

def test_get_retries_503_and_honours_retry_after():
    rec = Recorder(httpx.Response(503, headers={"Retry-After": "2"}),
                   httpx.Response(429, headers={"Retry-After": "3600"}),
                   httpx.Response(200, json={"id": 1, "state": "READY"}))
    client, sleeps = make_client(rec)
    assert client.get("/calls/1", authorization=AUTH) == {"id": 1, "state": "READY"}
    assert len(rec.requests) == 3
    assert sleeps == [2.0, MAX_RETRY_AFTER]


def test_retry_after_http_date():
    when = httpx.Response(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    rec = Recorder(when, httpx.Response(200, json={"id": 1, "state": "READY"}))
    client, sleeps = make_client(rec)
    client.get("/calls/1", authorization=AUTH)
    assert sleeps == [0.0]      # a date in the past: retry at once


def test_get_gives_up_after_retries():
    rec = Recorder(httpx.Response(503, json={"message": "maintenance"}))
    client, sleeps = make_client(rec, retries=2)
    error = error_of(lambda: client.get("/calls/1", authorization=AUTH), V2StatusError)
    assert len(rec.requests) == 3 and len(sleeps) == 2
    assert error.status == 503 and "maintenance" in error.message


def test_backoff_is_full_jitter_within_exponential_cap():
    client, sleeps = make_client(Recorder(httpx.Response(502)), retries=3, backoff=0.1)
    error_of(lambda: client.get("/calls/1", authorization=AUTH), V2StatusError)
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps):
        assert 0 <= delay <= 0.1 * 2 ** attempt


@pytest.mark.parametrize("status", [400, 404, 500])
def test_get_not_retried_on_non_retry_status(status):
    rec = Recorder(httpx.Response(status))
    client, _ = make_client(rec)
    error_of(lambda: client.get("/calls/1", authorization=AUTH), V2StatusError)
    assert len(rec.requests) == 1


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_post_never_retried_on_status(status):
    rec = Recorder(httpx.Response(status))
    client, sleeps = make_client(rec)
    error_of(lambda: client.post("/calls", authorization=AUTH, json=[]), V2StatusError)
    assert len(rec.requests) == 1 and sleeps == []


@pytest.mark.parametrize("error", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")])
def test_post_retried_when_nothing_was_sent(error):
    rec = Recorder(error, httpx.Response(200, json={"items": [{"id": 1}]}))
    client, _ = make_client(rec)
    assert client.post("/calls", authorization=AUTH, json=[]) == {"items": [{"id": 1}]}
    assert len(rec.requests) == 2


@pytest.mark.parametrize("error", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("gone")])
def test_post_not_retried_once_sent(error):
    rec = Recorder(error)
    client, _ = make_client(rec)
    expected = V2TimeoutError if isinstance(error, httpx.TimeoutException) else V2ConnectError
    raised = error_of(lambda: client.post("/calls", authorization=AUTH, json=[]), expected)
    assert len(rec.requests) == 1 and raised.detail == type(error).__name__


def test_get_timeout_retried_then_timeout_error():
    rec = Recorder(httpx.ReadTimeout("slow"))
    client, _ = make_client(rec, retries=2, timeout=7)
    error = error_of(lambda: client.get("/calls/1", authorization=AUTH), V2TimeoutError)
    assert len(rec.requests) == 3
    assert error.message == "CallFire v2 did not answer GET /calls/1 within 7 s"


def test_connect_error_exhausted_is_a_connect_error():
    rec = Recorder(httpx.ConnectError("refused"))
    client, _ = make_client(rec, retries=1)
    error = error_of(lambda: client.post("/calls", authorization=AUTH, json=[]), V2ConnectError)
    assert len(rec.requests) == 2
    assert error.message == "CallFire v2 could not be reached for POST /calls"


def test_real_timeout_against_a_silent_server():
    """A real socket that accepts and never answers: the timeout is enforced."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        port = server.getsockname()[1]
        errors: list[V2Error] = []
        with V2Client(f"http://127.0.0.1:{port}/v2", timeout=0.2, retries=0) as client:
            asking = threading.Thread(target=lambda: errors.append(
                error_of(lambda: client.get("/calls/1", authorization=AUTH), V2TimeoutError)), daemon=True)
            asking.start()
            asking.join(60)   # without the timeout the GET would wait for ever: a hang, not a slow answer
        assert not asking.is_alive() and len(errors) == 1
        assert errors[0].message == "CallFire v2 did not answer GET /calls/1 within 0.2 s"
    finally:
        server.close()


def ssl_contexts_made(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """From now on, each TLS context made (a CA bundle loaded: ~25 ms of CPU) is appended to the list."""
    made: list[object] = []
    create = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        made.append(args or kwargs)
        return create(*args, **kwargs)
    monkeypatch.setattr(ssl, "create_default_context", counted)
    return made


def test_concurrent_requests_reuse_a_bounded_set_of_connections_and_close_them_all(monkeypatch):
    """A worker's threads each borrow a client with its own pool: every answer reaches the thread
    that asked, connections are kept alive (no more than requests ever sent at once), closing the
    V2Client closes every one of them, and no request waits for a CA bundle to load."""
    import waitress

    from bridge.serving import run_in_thread

    ports: set[str] = set()

    def app(environ, start_response):
        ports.add(environ["REMOTE_PORT"])
        time.sleep(0.005)   # requests overlap
        body = ('{"id": %s}' % environ["PATH_INFO"].rsplit("/", 1)[1]).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    server = run_in_thread(waitress.create_server(app, host="127.0.0.1", port=0, threads=8), "v2-stub")
    try:
        client = V2Client(f"http://127.0.0.1:{server.port}/v2", check_answers=False)
        loaded = ssl_contexts_made(monkeypatch)
        wrong: list[tuple[int, object]] = []

        def ask(thread: int) -> None:
            for n in range(15):
                call_id = thread * 100 + n
                answer = client.get(f"/calls/{call_id}", authorization=AUTH)
                if answer != {"id": call_id}:
                    wrong.append((call_id, answer))

        threads = [threading.Thread(target=ask, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert wrong == []
        assert 1 <= len(ports) <= 8          # 120 requests, kept-alive connections
        assert loaded == []                  # the clients made for them share the V2Client's TLS context
        client.close()
        deadline = time.monotonic() + 10
        while server.server.active_channels and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.server.active_channels == {}
    finally:
        server.stop()


# --- fetch_range --------------------------------------------------------------------------

def finder(n: int, total: int | None = None, delay: Callable[[int], float] | None = None,
           cap: int | None = None, echo: bool = True) -> Handler:
    """A fake v2 finder over items 0..n-1; `total` overrides the totalCount it reports; `cap`
    is the most items it answers a page (reporting that `limit`, or none when not `echo`)."""
    def handler(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        limit = min(limit, cap) if cap else limit
        if delay:
            time.sleep(delay(offset))
        items = [{"id": i, "state": "FINISHED"} for i in range(offset, min(n, offset + limit))]
        return httpx.Response(200, json={"items": items, **({"limit": limit} if echo else {}), "offset": offset,
                                         "totalCount": n if total is None else total})
    return handler


def windows(rec: Recorder) -> list[tuple[int, int]]:
    return sorted((int(r.url.params["offset"]), int(r.url.params["limit"])) for r in rec.requests)


def ids(page: Page) -> list[int]:
    return [item["id"] for item in page.items]


def test_fetch_range_unaligned_offset():
    rec = Recorder(finder(1000))
    client, _ = make_client(rec, page_size=50)
    page = client.fetch_range("/calls", authorization=AUTH, params={"campaignId": 0},
                              offset=37, count=150)
    assert ids(page) == list(range(37, 187)) and page.total_count == 1000
    assert windows(rec) == [(37, 50), (87, 50), (137, 50)]
    assert all(r.url.params["campaignId"] == "0" for r in rec.requests)


def test_fetch_range_count_smaller_than_a_page():
    rec = Recorder(finder(1000))
    client, _ = make_client(rec, page_size=100)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=10, count=5)
    assert ids(page) == [10, 11, 12, 13, 14] and page.total_count == 1000
    assert len(rec.requests) == 1


def test_fetch_range_overrides_caller_limit_and_offset():
    rec = Recorder(finder(1000))
    client, _ = make_client(rec, page_size=100)
    client.fetch_range("/texts", authorization=AUTH, params={"limit": 3, "offset": 900},
                       offset=0, count=100)
    assert windows(rec) == [(0, 100)]


def test_fetch_range_unknown_total_short_final_page():
    rec = Recorder(finder(120, total=-1))
    client, _ = make_client(rec, page_size=50)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=0, count=1000)
    assert ids(page) == list(range(120)) and page.total_count == 120
    assert windows(rec) == [(0, 50), (50, 50), (100, 50)]


def test_fetch_range_unknown_total_more_beyond_window():
    rec = Recorder(finder(1000, total=-1))
    client, _ = make_client(rec, page_size=50)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=200, count=100)
    assert ids(page) == list(range(200, 300))
    assert page.total_count == 301      # offset + items seen, with the one look-ahead item
    assert windows(rec) == [(200, 50), (250, 50), (300, 1)]


def test_fetch_range_total_smaller_than_requested():
    rec = Recorder(finder(30))
    client, _ = make_client(rec, page_size=10)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=5, count=100)
    assert ids(page) == list(range(5, 30)) and page.total_count == 30
    assert windows(rec) == [(5, 10), (15, 10), (25, 5)]


def test_fetch_range_offset_past_the_end():
    rec = Recorder(finder(30))
    client, _ = make_client(rec, page_size=10)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=40, count=10)
    assert page == Page([], 30)


def test_fetch_range_short_page_under_a_total_that_overstates():
    # v2 answers 25 of the 50 asked (and says it used 50) while its totalCount says 1000: one
    # page from there is asked alone (v2 might cap without saying so); empty, it ends the fetch.
    rec = Recorder(finder(25, total=1000))
    client, _ = make_client(rec, page_size=50)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=0, count=500)
    assert ids(page) == list(range(25)) and page.total_count == 1000
    assert windows(rec) == [(0, 50), (25, 25)]


def test_fetch_range_whole_window_is_one_request():
    rec = Recorder(finder(1200))
    client, _ = make_client(rec, page_size=1000)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=0, count=1000)
    assert ids(page) == list(range(1000)) and page.total_count == 1200
    assert windows(rec) == [(0, 1000)]
    client.fetch_range("/calls", authorization=AUTH, params={}, offset=100, count=100)
    assert windows(rec)[1:] == [(100, 101)]     # the window and one item more (see the -1 case)


def test_fetch_range_configured_maximum_applies():
    rec = Recorder(finder(1200))
    client, _ = make_client(rec, page_size=250)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=0, count=1000)
    assert ids(page) == list(range(1000))
    assert windows(rec) == [(0, 250), (250, 250), (500, 250), (750, 250)]


def test_fetch_range_continues_with_the_size_a_capping_v2_reports():
    rec = Recorder(finder(1200, cap=300))
    client, _ = make_client(rec, page_size=1000, concurrency=4)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=50, count=1000)
    assert ids(page) == list(range(50, 1050)) and page.total_count == 1200
    assert windows(rec) == [(50, 1000), (350, 300), (650, 300), (950, 100)]


def test_fetch_range_v2_that_caps_without_saying_so():
    # No `limit` in v2's page: the size it used is what it answered; the first page past it
    # is fetched alone (it could be the end), the rest concurrently.
    rec = Recorder(finder(1200, cap=300, echo=False))
    client, _ = make_client(rec, page_size=1000, concurrency=4)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=0, count=1000)
    assert ids(page) == list(range(1000)) and page.total_count == 1200
    sent = [(int(r.url.params["offset"]), int(r.url.params["limit"])) for r in rec.requests]
    assert sent[:2] == [(0, 1000), (300, 300)] and sorted(sent[2:]) == [(600, 300), (900, 100)]


def test_fetch_range_unknown_total_with_a_capping_v2():
    rec = Recorder(finder(2000, total=-1, cap=300))
    client, _ = make_client(rec, page_size=1000)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=0, count=1000)
    assert ids(page) == list(range(1000)) and page.total_count == 1001
    assert [(int(r.url.params["offset"]), int(r.url.params["limit"])) for r in rec.requests] == [
        (0, 1000), (300, 300), (600, 300), (900, 101)]


def test_fetch_range_unknown_total_list_ends_inside_a_capped_window():
    rec = Recorder(finder(700, total=-1, cap=300))
    client, _ = make_client(rec, page_size=1000)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=0, count=1000)
    assert ids(page) == list(range(700)) and page.total_count == 700
    assert windows(rec) == [(0, 1000), (300, 300), (600, 300)]


def test_fetch_range_cap_that_shrinks_midway_keeps_order():
    # A v2 whose cap changes between requests: a page shorter than asked restarts from there.
    caps = iter([400, 400, 150])
    inner = {cap: finder(1000, cap=cap) for cap in (150, 400)}

    def handler(request: httpx.Request) -> httpx.Response:
        return inner[next(caps, 150)](request)

    client, _ = make_client(Recorder(handler), page_size=1000, concurrency=1)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=0, count=1000)
    assert ids(page) == list(range(1000)) and page.total_count == 1000


def test_fetch_range_concurrent_pages_keep_v2_order():
    in_flight = peak = 0
    lock = threading.Lock()
    inner = finder(1000, delay=lambda offset: 0.05 if offset < 500 else 0.0)

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            return inner(request)
        finally:
            with lock:
                in_flight -= 1

    client, _ = make_client(handler, page_size=100, concurrency=4)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=0, count=1000)
    assert ids(page) == list(range(1000)) and page.total_count == 1000
    assert 1 < peak <= 4


def test_fetch_range_sequential_when_concurrency_is_one():
    rec = Recorder(finder(1000))
    client, _ = make_client(rec, page_size=100, concurrency=1)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=0, count=300)
    assert ids(page) == list(range(300))
    assert [int(r.url.params["offset"]) for r in rec.requests] == [0, 100, 200]


def test_fetch_range_failing_page_raises_its_error():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["offset"] == "200":
            return httpx.Response(404, json={"message": "gone"})
        return finder(1000)(request)

    client, _ = make_client(handler, page_size=100)
    error = error_of(lambda: client.fetch_range("/calls", authorization=AUTH, params={},
                                                offset=0, count=500), V2StatusError)
    assert error.status == 404 and error.message == "CallFire v2 returned 404: gone"


def test_fetch_range_body_that_is_not_a_page():
    client, _ = make_client(Recorder(httpx.Response(200, json=[1, 2])))
    error = error_of(lambda: client.fetch_range("/calls", authorization=AUTH, params={},
                                                offset=0, count=5), V2BadResponse)
    assert str(error) == "CallFire v2 answered GET /calls with something unexpected: a JSON list, not an object"


@pytest.mark.parametrize("offset, count", [(-1, 5), (0, 0)])
def test_fetch_range_rejects_bad_window(offset, count):
    client, _ = make_client(Recorder(finder(10)))
    with pytest.raises(ValueError):
        client.fetch_range("/calls", authorization=AUTH, params={}, offset=offset, count=count)


@settings(max_examples=150, deadline=None)
@given(n=st.integers(0, 400), offset=st.integers(0, 450), count=st.integers(1, 300),
       page_size=st.integers(1, 120), concurrency=st.integers(1, 4), known=st.booleans(),
       cap=st.none() | st.integers(1, 130), echo=st.booleans())
def test_fetch_range_property(n, offset, count, page_size, concurrency, known, cap, echo):
    rec = Recorder(finder(n, total=None if known else -1, cap=cap, echo=echo))
    client, _ = make_client(rec, page_size=page_size, concurrency=concurrency)
    page = client.fetch_range("/calls", authorization=AUTH, params={}, offset=offset, count=count)
    if not known and cap and not echo and cap < min(page_size, count + 1) and cap < n - offset:
        # totalCount -1 and a cap v2 does not report: its full page reads as the list's end
        assert ids(page) == list(range(n))[offset:offset + min(cap, count)]
        return
    assert ids(page) == list(range(n))[offset:offset + count]
    if known:
        assert page.total_count == n
    elif offset + count < n:
        assert page.total_count == offset + count + 1
    else:
        assert page.total_count == max(n, offset)
    assert all(1 <= int(r.url.params["limit"]) <= page_size for r in rec.requests)
    assert all(int(r.url.params["offset"]) < offset + count + 1 for r in rec.requests)


# --- credentials and phone numbers stay out of logs and errors ----------------------------

SECRETS = [AUTH, AUTH.split()[1], PASSWORD]


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


@pytest.mark.parametrize("answer", [
    httpx.Response(401, json={"message": "Unauthorized", "developerMessage": "bad login"}),
    httpx.Response(503, content=b"<html>down</html>"),
    httpx.Response(200, content=b"not json"),
    httpx.ConnectError("refused"),
    httpx.ReadTimeout("slow"),
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_credentials_never_in_logs_or_errors(caplog, answer, method):
    caplog.set_level(logging.DEBUG)
    client, _ = make_client(Recorder(answer), retries=1)
    params = {"toNumber": "12135551234"}
    call = (lambda: client.get("/calls", authorization=AUTH, params=params)) if method == "GET" \
        else (lambda: client.post("/calls", authorization=AUTH, params=params, json=[]))
    error = error_of(call)
    assert_no_secrets(caplog.text, str(error), repr(error), error.detail or "", repr(getattr(error, "body", None)),
                      repr(client), "".join(traceback.format_exception(error)))
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("bridge.")]
    assert ours and not any("12135551234" in m for m in ours)


@pytest.mark.parametrize("authorization", [AUTH + "\r\nX-Injected: 1", AUTH + "é", ""],
                         ids=["crlf", "non-ascii", "empty"])
def test_unsendable_authorization_is_an_error_that_does_not_quote_it(caplog, authorization):
    caplog.set_level(logging.DEBUG)
    rec = Recorder(httpx.Response(200, json={}))
    client, _ = make_client(rec)
    error = error_of(lambda: client.get("/calls/1", authorization=authorization), V2AuthorizationError)
    assert error.refused and rec.requests == []
    assert_no_secrets(caplog.text, str(error), repr(error), "".join(traceback.format_exception(error)))


def test_request_log_has_method_path_status_and_param_names(caplog):
    caplog.set_level(logging.DEBUG, logger="bridge.v2.client")
    client, _ = make_client(Recorder(httpx.Response(200, json={"items": []})))
    client.get("/calls", authorization=AUTH, params={"toNumber": "12135551234", "limit": 5})
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bridge.v2.client"]
    assert line.startswith("v2 GET /calls params=[toNumber,limit] -> 200 in ")
    assert line.endswith(" ms")


# ---- binary answers and uploads (sounds, recordings) ----------------------------------------

def test_get_bytes_reads_audio_and_refuses_more_than_the_limit() -> None:
    audio = bytes(range(256)) * 40
    client, _ = make_client(Recorder(httpx.Response(200, content=audio, headers={"Content-Type": "audio/mpeg"})))
    assert client.get_bytes("/campaigns/sounds/9.mp3", authorization=AUTH, max_bytes=len(audio)) == audio
    too_large = error_of(lambda: client.get_bytes("/campaigns/sounds/9.mp3", authorization=AUTH,
                                                  max_bytes=len(audio) - 1), V2TooLarge)
    assert f"more than {len(audio) - 1} bytes" in too_large.message


def test_get_bytes_stops_a_stream_without_length_at_the_limit() -> None:
    chunks: list[bytes] = []

    def endless() -> object:
        while True:
            chunks.append(b"x" * 1000)
            yield chunks[-1]

    client, _ = make_client(Recorder(lambda request: httpx.Response(200, content=endless(),
                                                                    headers={"Content-Type": "audio/mpeg"})))
    error_of(lambda: client.get_bytes("/calls/recordings/1.mp3", authorization=AUTH, max_bytes=5000), V2TooLarge)
    assert len(chunks) == 6  # read one chunk past the limit, no more


def test_get_bytes_errors_are_v2_errors_and_retried_like_gets() -> None:
    missing = {"httpStatusCode": 404, "message": "sound 7 not found"}
    client, sleeps = make_client(Recorder(httpx.Response(503), httpx.Response(404, json=missing)))
    error = error_of(lambda: client.get_bytes("/campaigns/sounds/7.wav", authorization=AUTH, max_bytes=10), V2StatusError)
    assert error.status == 404 and "sound 7 not found" in error.message and len(sleeps) == 1


def test_post_multipart_sends_fields_and_the_file() -> None:
    recorder = Recorder(httpx.Response(200, json={"id": 51, "status": "ACTIVE"}))
    client, _ = make_client(recorder)
    created = client.post_multipart("/campaigns/sounds/files", authorization=AUTH, fields={"name": "Hello"},
                                    files={"file": ("sound.wav", b"RIFF....WAVE", "audio/wav")})
    assert created == {"id": 51, "status": "ACTIVE"}
    sent = recorder.requests[0]
    assert sent.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    body = sent.read()
    assert b'name="name"\r\n\r\nHello' in body and b'filename="sound.wav"' in body and b"RIFF....WAVE" in body
    assert sent.headers["Authorization"] == AUTH


@pytest.mark.parametrize("content", [
    # v2's ids are Java longs (Swagger: int64): both ends exact (orjson reads wider integers as floats)
    b'{"id": 9223372036854775807, "other": -9223372036854775808}',
    '{"id": 1, "name": "caf\u00e9"}'.encode("utf-16"),                 # UTF-16 with its BOM: orjson refuses it
])
def test_v2_json_is_read_exactly_whatever_its_encoding(content: bytes) -> None:
    import json
    client = V2Client("http://v2.test/v2", check_answers=False,
                      transport=httpx.MockTransport(lambda request: httpx.Response(200, content=content)))
    assert client.get("/calls/1", authorization="Basic eDp5") == json.loads(content)
