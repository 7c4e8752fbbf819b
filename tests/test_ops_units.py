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
