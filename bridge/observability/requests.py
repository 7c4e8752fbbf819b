"""The request id of every HTTP request, and the middleware that counts and times SOAP requests
by v1.1 operation (what it records for the request's log lines is in bridge.observability.context)."""
from __future__ import annotations

import itertools
import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from bridge.faults import FaultCode
from bridge.observability import metrics
from bridge.observability.context import RequestRecord, current

HEADER = "X-Request-Id"
UNKNOWN = "unknown"   # the operation label of a SOAP request refused before it named a served operation
# A client's id is kept when it is short and plain (it goes into log lines and a response header).
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")
_FAULT_CODE = re.compile(rb"FaultCode>([A-Z_]{1,32})</")
_FAULT_CODES = frozenset(code.value for code in FaultCode)
log = logging.getLogger("bridge.requests")


def request_id_of(environ: dict[str, Any]) -> str:
    """The client's X-Request-Id when sane, else a new one: 32 hex digits, a random prefix per
    process and a counter (a uuid4 per request cost more than all the metrics together)."""
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if given and _SANE.fullmatch(given) else f"{_ids.prefix}{next(_ids.counter):016x}"


class _Ids:
    def __init__(self) -> None:
        self.prefix = os.urandom(8).hex()
        self.counter = itertools.count(1)


_ids = _Ids()
os.register_at_fork(after_in_child=lambda: _ids.__init__())   # a forked worker draws its own prefix


def is_soap(path: str) -> bool:
    """POST /api/{1.0,1.1}/soap12/{port}: the requests counted per v1.1 operation."""
    return path.startswith("/api/1.") and path.startswith("/soap12/", 8)


def fault_code(chunks: Iterable[bytes]) -> str:
    """The svc:FaultCode of a fault answer (a few hundred bytes), or UNKNOWN."""
    match = _FAULT_CODE.search(b"".join(chunks))
    code = match.group(1).decode() if match else ""
    return code if code in _FAULT_CODES else UNKNOWN


class Observed:
    """WSGI middleware: a request id for every request; per SOAP request, a count, a latency and
    its fault code by operation.  Per request it costs a contextvar, a uuid, a counter and a histogram."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        record = RequestRecord(request_id_of(environ))
        token = current.set(record)
        started = time.perf_counter()
        statuses: list[str] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
            statuses.append(status)
            return start_response(status, [*headers, (HEADER, record.request_id)], exc_info)

        try:
            body = self.app(environ, start)
            if is_soap(environ.get("PATH_INFO", "")):
                status = statuses[-1] if statuses else "500"
                code = None
                if not status.startswith("2"):
                    # A fault: one small answer (spyne hands it over as an iterator), read for its code.
                    chunks = list(body)
                    if hasattr(body, "close"):
                        body.close()
                    body = chunks
                    code = fault_code(body)
                observe(record, status, code, time.perf_counter() - started)
            return body
        finally:
            current.reset(token)


def observe(record: RequestRecord, status: str, code: str | None, seconds: float) -> None:
    operation = record.operation or UNKNOWN
    metrics.observe_request(operation, seconds, code)
    if log.isEnabledFor(logging.INFO):
        log.info("%s answered %s%s in %.1f ms", operation, status.partition(" ")[0],
                 f" ({code})" if code else "", seconds * 1000)
