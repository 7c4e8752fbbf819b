"""Hooks one worker's bridge into the metrics: which v1.1 operation a request is (spyne's
`method_call` event), each v2 request's latency (httpx event hooks), retries, circuit-breaker
opens, and the postback outbox (read at scrape time).  Nothing here changes what the bridge does."""
from __future__ import annotations

import functools
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
from prometheus_client.core import GaugeMetricFamily

from bridge.observability import metrics
from bridge.observability.context import current
from bridge.v2.answers import table as answer_table

if TYPE_CHECKING:
    from bridge.server import BridgeApp
    from bridge.v2.client import V2Client
    from bridge.v2.retry import CircuitBreaker

SENT = "callfire_bridge.sent"        # request extension: perf_counter() when the attempt left
OFF_TABLE = "other"
_NUMBER = re.compile(r"/[0-9]+(?=/|$)")


def instrument(app: BridgeApp) -> None:
    for soap_app in app.soap_endpoint.apps.values():
        soap_app.app.event_manager.add_listener("method_call", name_operation)
    instrument_v2(app.runtime.v2)


@metrics.best_effort
def name_operation(ctx: Any) -> None:
    """spyne matched the Body element to a served operation: its name labels the request."""
    record = current.get()
    if record is not None:
        record.operation = ctx.descriptor.name


def instrument_v2(client: V2Client) -> None:
    http: httpx.Client = client._http   # the V2Client's pooled httpx client: its public event hooks
    prefix = http.base_url.path.rstrip("/")
    hooks = http.event_hooks
    hooks["request"] = [*hooks.get("request", []), _sent]
    hooks["response"] = [*hooks.get("response", []), functools.partial(_answered, prefix)]
    client._sleep = _counting(client._sleep, metrics.best_effort(metrics.v2_retries.inc))   # the client sleeps only before a retry
    _count_opens(client.breaker)


@metrics.best_effort
def _sent(request: httpx.Request) -> None:
    request.extensions[SENT] = time.perf_counter()


@metrics.best_effort
def _answered(prefix: str, response: httpx.Response) -> None:
    request = response.request
    sent = request.extensions.get(SENT)
    if sent is not None:
        _v2_child(request.method, path_template(request.method, request.url.path.removeprefix(prefix))).observe(
            time.perf_counter() - sent)


@functools.lru_cache(maxsize=512)   # bounded label values: a dict lookup instead of the metric's locked one
def _v2_child(method: str, template: str) -> Any:
    return metrics.v2_seconds.labels(method, template)


def path_template(method: str, path: str) -> str:
    """The v2 answers table's path for a request path (`/calls/{id}`), or `other`: a bounded label."""
    return _template(method, _NUMBER.sub("/0", path))


@functools.lru_cache(maxsize=512)
def _template(method: str, path: str) -> str:
    answer = answer_table().find(method, path)
    return answer.path if answer is not None else OFF_TABLE


def _counting(function: Callable[..., Any], count: Callable[[], None]) -> Callable[..., Any]:
    @functools.wraps(function)
    def counted(*args: Any, **kwargs: Any) -> Any:
        count()
        return function(*args, **kwargs)
    return counted


def _count_opens(breaker: CircuitBreaker) -> None:
    """Count the failures that open the breaker (only failures are wrapped: successes cost nothing)."""
    failure = breaker.failure

    def counted_failure() -> None:
        was_open = breaker.state == "open"
        failure()
        if not was_open and breaker.state == "open":
            metrics.best_effort(metrics.breaker_opens.inc)()

    breaker.failure = counted_failure  # type: ignore[method-assign]


class OutboxCollector:
    """The postback outbox by status (pending, delivered, dead), read from its store at scrape time:
    one SQLite file shared by every worker, so no per-process counting."""

    def __init__(self, counts: Callable[[], dict[str, int]]) -> None:
        self.counts = counts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(f"{metrics.PREFIX}_postback_deliveries",
                                   "postback outbox rows by status: pending, delivered, dead (dead letters)",
                                   labels=["status"])
        try:
            counts = self.counts()
        except (sqlite3.Error, OSError):
            return   # /readyz says what is wrong with a store; the other metrics still answer
        for status in ("pending", "delivered", "dead"):
            family.add_metric([status], counts.get(status, 0))
        yield family
