"""The per-request deadline: how long one SOAP request may keep the bridge working upstream.

The bridge sets it for each SOAP request (`request_deadline`; `--request-deadline`, default
60 s) together with a probe telling whether the client is still connected (see
`bridge.serving.client_gone_probe`).  Anything doing v2 work on the request's behalf reads it:
`remaining()` caps a timeout or a retry sleep, `check()` between upstream calls stops the work
with a fault once the deadline has passed or the client has gone.

It is a contextvar: a thread started for the request sees it only when run in a copy of the
request's context (`in_context`, as the fan-out does).
"""
from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from bridge.errors import BridgeFault, request_fault

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class _Deadline:
    at: float                             # time.monotonic() when it passes
    seconds: float                        # as configured, for the fault's message
    client_gone: Callable[[], bool] | None  # True once the client closed its connection


_current: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar("callfire_bridge_deadline",
                                                                            default=None)


class DeadlineExceeded(BridgeFault):
    """The request's deadline passed before its upstream work was done (UNAVAILABLE)."""


class ClientGone(BridgeFault):
    """The client closed its connection: no further v2 call is made; the fault reaches nobody."""


@contextmanager
def request_deadline(seconds: float | None,
                     client_gone: Callable[[], bool] | None = None) -> Iterator[None]:
    """The deadline (and the client's liveness probe) of the request run inside; None: no deadline."""
    token = _current.set(None if seconds is None and client_gone is None else
                         _Deadline(time.monotonic() + seconds if seconds is not None else float("inf"),
                                   seconds if seconds is not None else float("inf"), client_gone))
    try:
        yield
    finally:
        _current.reset(token)


def remaining() -> float | None:
    """Seconds left before the current request's deadline (0 when passed); None outside one."""
    current = _current.get()
    if current is None or current.at == float("inf"):
        return None
    return max(0.0, current.at - time.monotonic())


def expired() -> bool:
    """The current request's deadline has passed."""
    left = remaining()
    return left is not None and left <= 0


def client_gone() -> bool:
    """The current request's client has closed its connection (False when nobody can tell)."""
    current = _current.get()
    return current is not None and current.client_gone is not None and current.client_gone()


def check() -> None:
    """Raise ClientGone or DeadlineExceeded when upstream work for this request should stop."""
    if client_gone():
        raise ClientGone(**_fault_args("client_gone", "the client closed the connection; upstream work stopped"))
    if expired():
        seconds = _current.get().seconds  # type: ignore[union-attr] - expired() saw it
        raise DeadlineExceeded(**_fault_args(
            "deadline", f"the request's deadline of {seconds:g} s passed before CallFire v2 had answered "
                        "everything it needs (CALLFIRE_BRIDGE_REQUEST_DEADLINE); retry, or ask for less"))


def in_context(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` running in a copy of the caller's context: hand it to a thread pool so the request's
    deadline (and every other contextvar) reaches the thread."""
    context = contextvars.copy_context()

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return context.copy().run(fn, *args, **kwargs)
    return run


def _fault_args(condition: str, message: str) -> dict[str, object]:
    """A fault's code and HTTP status from mappings/errors.yaml, as BridgeFault's arguments."""
    fault = request_fault(condition, message)
    return {"code": fault.code, "message": fault.message, "http_status": fault.http_status}
