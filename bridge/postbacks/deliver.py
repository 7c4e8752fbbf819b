"""The delivery loop: lease due outbox rows, POST each, record the outcome by the RetryPolicy.

Every serving process may run one (gunicorn's workers all do): the leases keep a row with one
deliverer at a time. A 2xx answer is delivered; anything else, a refused target, a timeout or a
connection error is a failed attempt. The receiver's answer is logged as a short excerpt at most."""
from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable

import httpx

from bridge.postbacks.outbox import RetryPolicy
from bridge.postbacks.safety import RefusedTarget, Resolver, check_target, resolve
from bridge.postbacks.store import OutboxRow, PostbackStore

log = logging.getLogger(__name__)

DELIVERY_HEADER = "X-CallFire-Bridge-Delivery"
EXCERPT = 200                  # characters of a receiver's answer kept in last_error
MAX_CONNECT = 5.0              # seconds of an attempt's timeout that connecting may take


def attempt_timeout(seconds: float) -> httpx.Timeout:
    """`seconds` for one attempt in all: connecting takes at most MAX_CONNECT of them."""
    connect = min(MAX_CONNECT, seconds / 3)
    return httpx.Timeout(seconds - connect, connect=connect)
BATCH = 20                     # rows leased at a time


class Deliverer:
    def __init__(self, store: PostbackStore, *, policy: RetryPolicy = RetryPolicy(), allow_private: bool = False,
                 client: httpx.Client | None = None, clock: Callable[[], float] = time.time,
                 rng: Callable[[float, float], float] = random.uniform, resolver: Resolver = resolve) -> None:
        self.store = store
        self.policy = policy
        self.allow_private = allow_private
        self.client = client or httpx.Client(timeout=attempt_timeout(policy.lease / 2), follow_redirects=False)
        self.clock = clock
        self.rng = rng
        self.resolver = resolver
        self.owner = f"deliverer-{uuid.uuid4().hex[:12]}"

    def run_once(self) -> int:
        """Attempt every due row once; returns how many were attempted."""
        rows = self.store.claim(self.owner, self.clock(), self.policy.lease, BATCH)
        for row in rows:
            self.attempt(row)
        return len(rows)

    def attempt(self, row: OutboxRow) -> None:
        error = self._send(row)
        now = self.clock()
        if error is None:
            self.store.delivered(row.id, self.owner, now)
            return
        next_at = self.policy.next_attempt(row.attempts + 1, row.created_at, now, self.rng)
        self.store.failed(row.id, self.owner, error, next_at, now)
        log.info("postbacks: delivery %s to %s failed (%s)%s", row.id, row.source, error,
                 "; dead letter" if next_at is None else "")

    def _send(self, row: OutboxRow) -> str | None:
        """None if delivered, else why not."""
        try:
            check_target(row.target, allow_private=self.allow_private, resolver=self.resolver)
            response = self.client.post(row.target, content=row.body, headers={
                "Content-Type": row.content_type, DELIVERY_HEADER: row.id, "User-Agent": "callfire-bridge"})
        except RefusedTarget as exc:
            return f"refused: {exc}"
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {str(exc)[:EXCERPT]}"
        if response.is_success:
            return None
        return f"HTTP {response.status_code}: {response.text[:EXCERPT]!r}"
