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


def test_a_worker_that_exits_leaves_the_metrics_directory_to_the_others(tmp_path: Path) -> None:
    """Forked workers inherit atexit handlers: a worker that failed to boot once removed the shared
    PROMETHEUS_MULTIPROC_DIR, and every other worker's next v2 request failed with a plain 500."""
    import os
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import os, sys
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        from bridge.observability.multiproc import ensure_multiprocess_dir
        made = ensure_multiprocess_dir()
        print(made, flush=True)
        pid = os.fork()
        if pid == 0:
            sys.exit(3)                     # a worker that failed to boot: atexit handlers run
        os.waitpid(pid, 0)
        print(os.path.isdir(made), flush=True)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    made, after_worker = out
    assert after_worker == "True"                     # still there for the other workers
    assert not os.path.exists(made)                   # removed when the serving process exits


def test_a_metric_that_cannot_be_written_does_not_fail_the_request(monkeypatch, caplog) -> None:
    """prometheus-client writes each value into a file of PROMETHEUS_MULTIPROC_DIR; if that breaks,
    the v2 answer still reaches the caller (it once became a plain-text 500) and the log says why."""
    from bridge.observability import instrument, metrics
    from bridge.v2.client import V2Client

    def gone(*labels: str):
        raise FileNotFoundError("/tmp/callfire-bridge-metrics-x/histogram_1.db")

    client = V2Client("http://v2.test/v2", transport=httpx.MockTransport(
        lambda request: httpx.Response(200, json={"items": []})))
    instrument.instrument_v2(client)
    instrument._v2_child.cache_clear()
    monkeypatch.setattr(metrics.v2_seconds, "labels", gone)
    with caplog.at_level(logging.WARNING, logger="bridge.observability.metrics"):
        assert client.get("/calls/broadcasts/7/batches", authorization="Basic eDp5") == {"items": []}
    assert "unmeasured" in caplog.text and "FileNotFoundError" in caplog.text
    instrument._v2_child.cache_clear()
