"""What the operations layer (bridge.observability) adds to one GetCall, in CPU time: the WSGI
middleware (request id, contextvar, counter, histogram), spyne's method_call listener, and the v2
request hooks (two event hooks, a cached path template, a histogram), each measured against the
same work without it, in prometheus-client's multiprocess mode as `serve` runs it.

    .venv/bin/python bench/bench_ops_overhead.py
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="bench-ops-"))

import httpx  # noqa: E402

from bridge.observability.instrument import instrument_v2, name_operation  # noqa: E402
from bridge.observability.requests import Observed  # noqa: E402
from bridge.v2.client import V2Client  # noqa: E402

N = 20000
REPEATS = 5


def per_call_us(work: Callable[[], object]) -> float:
    """The least, over REPEATS, of the CPU microseconds per call of `work` run N times (as timeit
    advises: the other runs measure the other processes sharing the machine too)."""
    runs = []
    for _ in range(REPEATS):
        start = time.process_time()
        for _ in range(N):
            work()
        runs.append((time.process_time() - start) / N * 1e6)
    return min(runs)


def middleware() -> tuple[float, float]:
    def app(environ: dict, start_response: Callable) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/soap+xml")])
        return [b"<ok/>"]

    environ = {"PATH_INFO": "/api/1.1/soap12/call", "REQUEST_METHOD": "POST"}
    observed = Observed(app)

    def start_response(status: str, headers: list, exc_info: object = None) -> None:
        return None

    class Ctx:
        class descriptor:
            name = "GetCall"

    def with_listener() -> None:
        def named(environ: dict, start_response: Callable) -> list[bytes]:
            name_operation(Ctx)
            return app(environ, start_response)
        observed.app = named
        observed(environ, start_response)

    return per_call_us(lambda: app(environ, start_response)), per_call_us(with_listener)


def v2_hooks() -> float:
    """The two hooks a V2Client runs per attempt, on a real request and response (measured
    directly: the difference of two whole v2 calls drowns in their noise)."""
    client = V2Client("http://v2.test/v2", transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    instrument_v2(client)
    http = client._http
    request = httpx.Request("GET", "http://v2.test/v2/calls/9652")
    response = httpx.Response(200, json={"id": 9652}, request=request)
    on_request, on_response = http.event_hooks["request"][-1], http.event_hooks["response"][-1]

    def hooks() -> None:
        on_request(request)
        on_response(response)
    return per_call_us(hooks)


def end_to_end() -> tuple[float, float]:
    """A whole GetCall through the bridge's WSGI app, v2 answered by a canned call (no simulator
    work measured), without and with the operations layer; the two interleaved, the least of each."""
    import pathlib
    from unittest import mock

    from bridge.config import Settings
    from bridge.sim.app import create_app as create_sim
    from bridge.wsgi import create_app

    sim = httpx.Client(transport=httpx.WSGITransport(app=create_sim()), base_url="http://sim")
    call = sim.get("/v2/calls/9652", headers={"Authorization": "Basic eDp5"}).content
    transport = httpx.MockTransport(lambda request: httpx.Response(
        200, content=call, headers={"Content-Type": "application/json"}))
    settings = Settings(store_path=pathlib.Path(tempfile.mkdtemp()) / "s.sqlite3")
    with mock.patch("bridge.server.instrument", lambda app: None):
        plain = create_app(settings, upstream="http://v2.test/v2", transport=transport)
    observed = Observed(create_app(settings, upstream="http://v2.test/v2", transport=transport))
    body = (b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><GetCall '
            b'xmlns="http://api.callfire.com/service/xsd"><Id>9652</Id></GetCall></e:Body></e:Envelope>')

    def get_call(app: Callable) -> None:
        import io
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/1.1/soap12/call", "SERVER_NAME": "b",
                   "SERVER_PORT": "80", "wsgi.url_scheme": "http", "CONTENT_TYPE": "application/soap+xml",
                   "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "HTTP_AUTHORIZATION": "Basic eDp5"}
        b"".join(app(environ, lambda status, headers, exc_info=None: None))

    rounds = {"plain": [], "observed": []}
    for _ in range(7):
        for name, app in (("plain", plain), ("observed", observed)):
            start = time.process_time()
            for _ in range(500):
                get_call(app)
            rounds[name].append((time.process_time() - start) / 500 * 1e6)
    return min(rounds["plain"]), min(rounds["observed"])


def main() -> int:
    bare, observed = middleware()
    hooks = v2_hooks()
    whole_plain, whole_observed = end_to_end()
    print(f"WSGI middleware + operation listener: {observed - bare:.1f} µs CPU per request "
          f"({bare:.1f} -> {observed:.1f})")
    print(f"v2 request hooks: {hooks:.1f} µs CPU per v2 request")
    print(f"added per GetCall (one v2 request): {observed - bare + hooks:.1f} µs CPU")
    print(f"whole GetCall in-process: {whole_plain:.0f} µs CPU without, {whole_observed:.0f} µs with "
          f"({whole_observed - whole_plain:+.0f} µs; noisy on a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
