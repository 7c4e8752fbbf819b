"""`/readyz`: may a load balancer send this worker requests?  Ready when the RequestId store answers
a trivial query and CallFire v2 answers an unauthenticated request (any status below 500: a 401 is
v2 saying "who are you", so it is up).  The result is kept for `CACHE_SECONDS` per worker and one
probe runs at a time, so a load balancer probing every worker often never hammers v2."""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass

import httpx

from bridge.runtime import Runtime
from bridge.store.factory import postgresql_url

CACHE_SECONDS = 1.0
V2_TIMEOUT = 2.0          # seconds: a v2 slower than this to say 401 is not one to send requests to
V2_PROBE_PATH = "/calls"  # v2's own finder: without credentials it answers 401 at once


def store_problem(runtime: Runtime) -> str | None:
    """Why the RequestId store cannot answer, or None.  The one place that knows the store kinds:
    a fresh connection each time (a worker's open ones would keep reading a file since replaced)."""
    url = postgresql_url(runtime.settings)
    try:
        if url is None:
            db = sqlite3.connect(f"file:{runtime.store.path}?mode=rw", uri=True, timeout=V2_TIMEOUT)
        else:
            from bridge.store.pg.connections import connect  # psycopg only when PostgreSQL is chosen
            db = connect(url)   # its errors name the database without its password
        try:
            db.execute("SELECT 1 FROM request_ids LIMIT 1").fetchall()
        finally:
            db.close()
    except Exception as exc:  # sqlite3.Error, OSError, psycopg.Error: whichever store, it does not answer
        return f"the RequestId store does not answer ({type(exc).__name__}: {exc})"
    return None


def v2_problem(client: httpx.Client, upstream: str) -> str | None:
    """Why CallFire v2 is not reachable, or None."""
    try:
        status = client.get(upstream.rstrip("/") + V2_PROBE_PATH, params={"limit": 1}).status_code
    except httpx.HTTPError as exc:
        return f"CallFire v2 is not reachable ({type(exc).__name__})"
    return f"CallFire v2 answered {status}" if status >= 500 else None


@dataclass(frozen=True)
class Readiness:
    problems: dict[str, str]   # check -> why not ready ("store", "v2")
    checked_at: float

    @property
    def ready(self) -> bool:
        return not self.problems


class ReadinessProbe:
    """A worker's readiness, re-checked at most every CACHE_SECONDS."""

    def __init__(self, runtime: Runtime, clock=time.monotonic) -> None:  # noqa: ANN001 - tests pass a clock
        self.runtime = runtime
        self.clock = clock
        # Its own client: no credentials, no retries, no circuit breaker, a short timeout.
        self.client = httpx.Client(timeout=V2_TIMEOUT, headers={"User-Agent": "callfire-bridge readyz"})
        self._lock = threading.Lock()
        self._last: Readiness | None = None

    def check(self) -> Readiness:
        last = self._last
        if last is not None and self.clock() - last.checked_at < CACHE_SECONDS:
            return last
        if not self._lock.acquire(blocking=last is None):
            return last   # another thread is probing: its predecessor's answer stands meanwhile
        try:
            problems = {name: problem for name, problem in (
                ("store", store_problem(self.runtime)),
                ("v2", v2_problem(self.client, self.runtime.upstream))) if problem}
            self._last = Readiness(problems, self.clock())
            return self._last
        finally:
            self._lock.release()
