"""The delivery policy of the outbox: at least once, exponential backoff with full jitter, a
maximum age after which a delivery is a dead letter (listed and replayable).

A row is leased to one deliverer for `lease` seconds before it is sent: a deliverer killed
mid-delivery (SIGKILL) leaves a lease that expires, and the row is sent again (the receiver sees
the same X-CallFire-Bridge-Delivery id and may drop the repeat)."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 2.0          # seconds: the first retry waits up to this
    cap: float = 600.0         # no wait is longer than this
    max_age: float = 86400.0   # seconds after enqueueing: then a failure makes it a dead letter
    lease: float = 30.0        # longer than one attempt can take: twice the attempt's timeout

    @classmethod
    def for_timeout(cls, attempt_timeout: float, **fields: float) -> "RetryPolicy":
        """The policy whose lease outlasts an attempt of `attempt_timeout` seconds twice over."""
        return cls(lease=2 * attempt_timeout, **fields)

    def next_attempt(self, attempts: int, created_at: float, now: float,
                     rng: Callable[[float, float], float] = random.uniform) -> float | None:
        """When to try again after `attempts` failed attempts (this one included); None: dead letter.
        Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): uniform in [0, min(cap, base*2^n))."""
        if now - created_at >= self.max_age:
            return None
        wait = rng(0.0, min(self.cap, self.base * 2 ** (attempts - 1)))
        return min(now + wait, created_at + self.max_age)
