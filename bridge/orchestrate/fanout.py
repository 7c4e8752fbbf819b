"""Fan-out: the several independent v2 calls one v1.1 request needs, run concurrently.

At most `v2_concurrency` (CALLFIRE_BRIDGE_V2_CONCURRENCY) run at once per v1.1 request, each in
a copy of the request's context (its deadline).  Before each call starts, `bridge.deadline.check()`:
once the request's deadline has passed or its client has gone, no further call is sent — the
calls already in flight finish (or time out) and the first failure is what the request raises.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TypeVar

from bridge import deadline
from bridge.runtime import Runtime

T = TypeVar("T")


def concurrency(runtime: Runtime) -> int:
    """How many v2 calls of one request run at once; one in a dry run, so `explain` lists them in order."""
    return 1 if runtime.dry_run else runtime.settings.v2_concurrency


def fan_out(runtime: Runtime, calls: Sequence[Callable[[], T]]) -> list[T]:
    """Each call's result, in the calls' order; the first failure raised once the others stop."""
    limit = min(concurrency(runtime), len(calls))
    if limit <= 1:
        return [_checked(call) for call in calls]
    with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="v2-fan-out") as pool:
        futures = [pool.submit(deadline.in_context(_checked), call) for call in calls]
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        if pending:  # one failed: the calls not started yet are not sent
            for future in pending:
                future.cancel()
        return [future.result() for future in futures]


def _checked(call: Callable[[], T]) -> T:
    deadline.check()
    return call()
