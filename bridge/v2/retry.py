"""When the v2 client tries again, and when it stops trying (Envoy's retry policy and circuit breaker).

- `RetryPolicy`: which failures are retried and how long to wait: exponential backoff with full
  jitter, v2's Retry-After honoured up to a cap.  GETs are retried on the statuses of
  `mappings/errors.yaml` (429, 502, 503, 504) and on transport failures; other methods only when
  nothing was sent (a create whose outcome is unknown is reconciled by `create_once`, not resent).
- `RetryBudget`: at most `budget` retries per v1.1 request over all its v2 requests, so a
  request that fans out does not multiply its retries by its fan-out (`retry_budget`, set per SOAP
  request; a thread pool reaches it through `bridge.deadline.in_context`).
- `CircuitBreaker`: one per upstream per worker process.  After `failures` failures in a row (a
  transport failure, a 5xx, an answer that is not what v2 promises; never a 4xx or a 429) it opens:
  every v2 request fails at once with "CallFire v2 unavailable, retry in N s" for `cooldown`
  seconds; then one request goes through (half-open): its success closes the breaker, its failure
  opens it again.
"""
from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bridge.v2.errors import V2Unavailable


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 2                 # extra attempts of one v2 request
    backoff: float = 0.1             # ceiling of the first backoff sleep (doubles per attempt)
    max_backoff: float = 2.0         # ceiling of any backoff sleep
    max_retry_after: float = 5.0     # a longer Retry-After is shortened: the v1.1 caller is waiting
    budget: int = 10                 # retries per v1.1 request, over all its v2 requests
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})

    def delay(self, attempt: int, retry_after: float | None, rng: Callable[[float, float], float]) -> float:
        """The sleep before retry number attempt+1: Retry-After if v2 gave one, else full jitter."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        return rng(0, min(self.max_backoff, self.backoff * 2 ** attempt))


class RetryBudget:
    """Retries left to one v1.1 request (shared by the threads of its fan-out)."""

    def __init__(self, retries: int) -> None:
        self._left = retries
        self._lock = threading.Lock()

    def spend(self) -> bool:
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True


_budget: contextvars.ContextVar[RetryBudget | None] = contextvars.ContextVar("callfire_bridge_retry_budget",
                                                                            default=None)


@contextmanager
def retry_budget(retries: int) -> Iterator[None]:
    """The retry budget of the v1.1 request run inside."""
    token = _budget.set(RetryBudget(retries))
    try:
        yield
    finally:
        _budget.reset(token)


def spend_retry() -> bool:
    """Take one retry from the current request's budget; outside a request, only the per-call limit applies."""
    budget = _budget.get()
    return budget is None or budget.spend()


class CircuitBreaker:
    """closed -> (failures in a row) -> open -> (cooldown) -> half-open -> one probe -> closed | open."""

    def __init__(self, upstream: str, *, failures: int = 5, cooldown: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if failures < 1 or cooldown < 0:
            raise ValueError("failures must be >= 1 and cooldown >= 0")
        self.upstream = upstream
        self._threshold = failures
        self._cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probing: float | None = None   # when the half-open probe left
        self.on_open: Callable[[], None] | None = None   # told each time the breaker opens (metrics)

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half-open" if self._clock() >= self._opened_at + self._cooldown else "open"

    def before(self) -> None:
        """Raise V2Unavailable when the breaker is open (or half-open with its probe under way)."""
        with self._lock:
            if self._opened_at is None:
                return
            now = self._clock()
            wait = self._opened_at + self._cooldown - now
            # One probe at a time; a probe that never reported (its thread died) is replaced after a cooldown.
            if wait <= 0 and (self._probing is None or now - self._probing >= self._cooldown):
                self._probing = now   # this request is the probe
                return
        raise V2Unavailable(f"CallFire v2 unavailable, retry in {max(1, round(wait))} s",
                            detail=f"circuit breaker open after {self._threshold} failures in a row")

    def success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._probing = None

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            # Opening: from closed at the threshold, or a half-open probe that failed (not a failure
            # of a request that left before it opened, which only moves the cooldown).
            opens = self._probing is not None or (self._opened_at is None and self._failures >= self._threshold)
            if self._probing is not None or self._failures >= self._threshold:
                self._opened_at = self._clock()
                self._probing = None
        if opens and self.on_open is not None:
            self.on_open()
