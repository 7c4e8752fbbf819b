"""What a running bridge process holds: settings, the v2 client, the RequestId store and
the converters' context.  Built once per worker process at start-up."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import httpx

from bridge.config import Settings
from bridge.contract.variants import Contract
from bridge.mappings import load
from bridge.store import factory
from bridge.translate.convert import Conversions
from bridge.v2.client import V2Client
from bridge.v2.retry import CircuitBreaker


@dataclass
class Runtime:
    settings: Settings
    v2: V2Client
    conv: Conversions
    upstream: str
    # `explain`: the whole pipeline runs, but its v2 client records instead of sending, and
    # nothing is claimed in the RequestId store.
    dry_run: bool = False

    @cached_property
    def store(self) -> factory.RequestIds:
        # Opened on first use: serving reads and `explain` never touch the store.
        return factory.request_ids(self.settings)

    @cached_property
    def subscriptions(self) -> factory.Subscriptions:
        # SubscriptionService's records, beside the RequestIds (tables of their own).
        return factory.subscriptions(self.settings)

    @classmethod
    def create(cls, settings: Settings, upstream: str,
               transport: httpx.BaseTransport | None = None) -> "Runtime":
        client = V2Client(upstream, transport=transport, timeout=settings.v2_timeout,
                          retries=settings.v2_retries, page_size=settings.v2_page_size,
                          concurrency=settings.v2_concurrency, retry_budget=settings.v2_retry_budget,
                          breaker=CircuitBreaker(upstream, failures=settings.v2_breaker_failures,
                                                 cooldown=settings.v2_breaker_cooldown))
        conv = Conversions(settings.zone, load().enums, Contract(settings.contract), settings.max_sound_bytes)
        return cls(settings, client, conv, upstream)

    def dry_run_copy(self, transport: httpx.BaseTransport) -> "Runtime":
        """This runtime with its v2 calls going to `transport` (a recorder) instead of upstream."""
        settings = self.settings
        client = V2Client(self.upstream, transport=transport, timeout=settings.v2_timeout, retries=0,
                          page_size=settings.v2_page_size, concurrency=1, check_answers=False)
        return Runtime(settings, client, self.conv, self.upstream, dry_run=True)

    def close(self) -> None:
        self.v2.close()
