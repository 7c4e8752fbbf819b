"""The operations layer's rules that need no running bridge: /readyz asks v2 at most once a
second per worker, however often it is probed; a credential that reaches a log line is redacted."""
from __future__ import annotations

import logging
from pathlib import Path

import httpx

from bridge.config import Settings
from bridge.observability import logs
from bridge.observability.readiness import CACHE_SECONDS, ReadinessProbe
from bridge.runtime import Runtime


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_readyz_probes_v2_at_most_once_per_cache_period(tmp_path: Path) -> None:
    probes: list[httpx.Request] = []

    def v2(request: httpx.Request) -> httpx.Response:
        probes.append(request)
        return httpx.Response(401)   # v2 without credentials: up

    runtime = Runtime.create(Settings(store_path=tmp_path / "s.sqlite3"), "http://v2.test/v2")
    clock = Clock()
    probe = ReadinessProbe(runtime, clock)
    probe.client = httpx.Client(transport=httpx.MockTransport(v2))
    assert all(probe.check().ready for _ in range(50))
    assert len(probes) == 1 and "authorization" not in probes[0].headers
    clock.now += CACHE_SECONDS + 0.01
    assert probe.check().ready and len(probes) == 2


def test_a_v2_5xx_is_not_ready(tmp_path: Path) -> None:
    runtime = Runtime.create(Settings(store_path=tmp_path / "s.sqlite3"), "http://v2.test/v2")
    probe = ReadinessProbe(runtime)
    probe.client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(503)))
    assert probe.check().problems == {"v2": "CallFire v2 answered 503"}


def test_a_credential_in_a_log_line_is_redacted() -> None:
    record = logging.LogRecord("bridge.test", logging.INFO, __file__, 1, "sent %s", ("Basic YWxpY2U6c2VjcmV0",), None)
    for log_format in logs.FORMATS:
        line = logs.formatter(log_format).format(record)
        assert "YWxpY2U6c2VjcmV0" not in line and "Basic [redacted]" in line


def test_retries_and_breaker_opens_are_counted() -> None:
    from prometheus_client import REGISTRY

    from bridge.observability.instrument import instrument_v2
    from bridge.v2.client import V2Client
    from bridge.v2.errors import V2Error
    from bridge.v2.retry import CircuitBreaker

    def value(name: str) -> float:
        return REGISTRY.get_sample_value(name) or 0.0

    client = V2Client("http://v2.test/v2", transport=httpx.MockTransport(lambda request: httpx.Response(503)),
                      retries=2, breaker=CircuitBreaker("http://v2.test/v2", failures=3, cooldown=60))
    client._sleep = lambda seconds: None   # no backoff waits in a test
    instrument_v2(client)
    retries, opens = value("callfire_bridge_v2_retries_total"), value("callfire_bridge_v2_breaker_opens_total")
    for _ in range(2):   # 3 attempts open the breaker; the second call fails fast without a request
        try:
            client.get("/calls/1", authorization="Basic eDp5")
        except V2Error:
            pass
    assert value("callfire_bridge_v2_retries_total") - retries == 2
    assert value("callfire_bridge_v2_breaker_opens_total") - opens == 1
    assert REGISTRY.get_sample_value("callfire_bridge_v2_request_duration_seconds_count",
                                     {"method": "GET", "path": "/calls/{id}"}) >= 3


def test_readyz_asks_the_store_the_bridge_was_given(backend, tmp_path: Path) -> None:
    """On either backend /readyz is ready while the store answers, and names the store when it does
    not (a PostgreSQL that is not there: its URL without the password)."""
    probe = ReadinessProbe(Runtime.create(backend.settings(), "http://v2.test/v2"))
    probe.client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(401)))
    request_ids = backend.request_ids()          # the tables exist once a store has been opened
    assert probe.check().ready, probe.check().problems
    request_ids.close()
    if backend.url is None:        # the file is gone
        runtime = Runtime.create(backend.settings(), "http://v2.test/v2")
        for file in runtime.store.path.parent.glob(runtime.store.path.name + "*"):
            file.unlink()
    else:                          # a server that is not there
        runtime = Runtime.create(Settings(store_path=tmp_path / "s.sqlite3",
                                          store="postgresql://bridge:s3cret@127.0.0.1:1/none"), "http://v2.test/v2")
    problems = ReadinessProbe(runtime).check().problems
    assert "the RequestId store does not answer" in problems["store"] and "s3cret" not in problems["store"]
