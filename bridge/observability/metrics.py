"""The bridge's Prometheus metrics, and the text `/metrics` serves.

Under `callfire-bridge serve` every gunicorn worker writes its values into files of
PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode; see bridge.observability.multiproc):
a scrape of any worker reads all of them, so the counts are the whole bridge's.  Without that variable (in-process use)
the metrics are this process's own.

Labels are bounded: a v1.1 operation name (or `unknown`), a v1.1 fault code, an HTTP method and a
v2 path template from mappings/v2_answers.yaml (`/calls/{id}`, never an id; `other` off the table).
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram,
                               generate_latest)
from prometheus_client import multiprocess

from bridge.observability.multiproc import multiprocess_dir

PREFIX = "callfire_bridge"
log = logging.getLogger(__name__)
_Hook = TypeVar("_Hook", bound=Callable[..., Any])


def best_effort(hook: _Hook) -> _Hook:
    """A metrics hook that can fail (its files gone, a full disk) without failing the request it
    measures: the failure is logged, the request goes on."""
    @functools.wraps(hook)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return hook(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - whatever broke, the answer must not
            log.warning("metrics: %s failed (%s: %s); the request goes on unmeasured",
                        hook.__name__, type(exc).__name__, exc)
            return None
    return guarded  # type: ignore[return-value]

# Seconds: a GetCall takes a millisecond or two over the bridge's own work, a large QueryCalls or a
# fan-out up to seconds, a request at its deadline 60 s.
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
V2_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

requests = Counter(f"{PREFIX}_requests", "v1.1 SOAP requests answered, by operation", ["operation"])
request_seconds = Histogram(f"{PREFIX}_request_duration_seconds",
                            "time from a SOAP request's arrival to its answer, by v1.1 operation",
                            ["operation"], buckets=REQUEST_BUCKETS)
faults = Counter(f"{PREFIX}_faults", "v1.1 faults answered, by operation and svc:FaultCode",
                 ["operation", "code"])
v2_seconds = Histogram(f"{PREFIX}_v2_request_duration_seconds",
                       "time from sending a v2 request to its answer read, per attempt, by method "
                       "and path template", ["method", "path"], buckets=V2_BUCKETS)
v2_retries = Counter(f"{PREFIX}_v2_retries", "v2 requests sent again (429, 502-504, transport failures)")
breaker_opens = Counter(f"{PREFIX}_v2_breaker_opens", "times a worker's v2 circuit breaker opened")

# label values -> children: a dict lookup per request instead of prometheus-client's locked one.
_per_operation: dict[str, tuple[Any, Any]] = {}


@best_effort
def observe_request(operation: str, seconds: float, fault_code: str | None) -> None:
    children = _per_operation.get(operation)
    if children is None:
        children = _per_operation[operation] = (requests.labels(operation), request_seconds.labels(operation))
    children[0].inc()
    children[1].observe(seconds)
    if fault_code is not None:
        faults.labels(operation, fault_code).inc()


def render(extra: Iterable[Any] = ()) -> tuple[bytes, str]:
    """The exposition text and its content type: every worker's metrics, then `extra` collectors
    (values read at scrape time, e.g. the postback outbox)."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    text = generate_latest(registry)
    extras = CollectorRegistry(auto_describe=False)
    for collector in extra:
        extras.register(collector)
    return text + generate_latest(extras), CONTENT_TYPE_LATEST
