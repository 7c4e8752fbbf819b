"""Hooks one worker's bridge into the metrics: which v1.1 operation a request is (spyne's
`method_call` event), each v2 attempt's latency and the retries (the V2Client's observer),
circuit-breaker opens (the breaker's on_open), and the postback outbox (read at scrape time);
and hands the request id to the V2Client, which sends it to v2 as X-Request-Id.
Nothing here changes what the bridge answers."""
from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client.core import GaugeMetricFamily

from bridge.observability import metrics
from bridge.observability.context import current
from bridge.v2.answers import table as answer_table

if TYPE_CHECKING:
    from bridge.server import BridgeApp
    from bridge.v2.client import V2Client

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
    client.observer = V2Metrics()
    client.breaker.on_open = metrics.best_effort(metrics.breaker_opens.inc)
    client.request_id = served_request_id


def served_request_id() -> str | None:
    """The request id of the SOAP request being served (fan-out threads run in its context)."""
    record = current.get()
    return record.request_id if record is not None else None


class V2Metrics:
    """The V2Client's observer: each answered attempt's latency by method and path template, retries."""

    @metrics.best_effort
    def answered(self, method: str, path: str, seconds: float) -> None:
        _v2_child(method, path_template(method, path)).observe(seconds)

    @metrics.best_effort
    def retrying(self) -> None:
        metrics.v2_retries.inc()


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
