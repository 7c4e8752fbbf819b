"""What the operations layer (bridge.observability) adds to one GetCall, in CPU time: the WSGI
middleware (request id, contextvar, counter, histogram), spyne's method_call listener, and the v2
request hooks (two event hooks, a cached path template, a histogram), each measured against the
same work without it, in prometheus-client's multiprocess mode as `serve` runs it.

    .venv/bin/python bench/bench_ops_overhead.py
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="bench-ops-"))

import httpx  # noqa: E402

from bridge.observability.instrument import instrument_v2, name_operation  # noqa: E402
from bridge.observability.requests import Observed, RequestRecord, current  # noqa: E402
from bridge.v2.client import V2Client  # noqa: E402

N = 20000
REPEATS = 5


def per_call_us(work: Callable[[], object]) -> float:
    """Median over REPEATS of the CPU microseconds per call of `work`, run N times."""
    runs = []
    for _ in range(REPEATS):
        start = time.process_time()
        for _ in range(N):
            work()
        runs.append((time.process_time() - start) / N * 1e6)
    return statistics.median(runs)


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


def v2_hooks() -> tuple[float, float]:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"id": 1}))
    plain = V2Client("http://v2.test/v2", transport=transport, check_answers=False)
    hooked = V2Client("http://v2.test/v2", transport=transport, check_answers=False)
    instrument_v2(hooked)
    token = current.set(RequestRecord("bench"))
    try:
        return (per_call_us(lambda: plain.get("/calls/9652", authorization="Basic eDp5")),
                per_call_us(lambda: hooked.get("/calls/9652", authorization="Basic eDp5")))
    finally:
        current.reset(token)


def main() -> int:
    bare, observed = middleware()
    plain, hooked = v2_hooks()
    print(f"WSGI middleware + operation listener: {observed - bare:.1f} µs CPU per request "
          f"({bare:.1f} -> {observed:.1f})")
    print(f"v2 request hooks: {hooked - plain:.1f} µs CPU per v2 request ({plain:.1f} -> {hooked:.1f})")
    print(f"added per GetCall (one v2 request): {observed - bare + hooked - plain:.1f} µs CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
