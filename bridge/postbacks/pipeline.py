"""One entry for every event source: an event is ingested once, with all its deliveries."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bridge.postbacks.events import Delivery, Listener, V2Event
from bridge.postbacks.store import PostbackStore

log = logging.getLogger(__name__)


class Pipeline:
    """`ingest` asks every listener what to send for an event and enqueues it all in ONE transaction
    with the event's seen-mark: a crash loses nothing and a repeat (a webhook redelivered, the poller
    seeing an event the webhook brought) enqueues nothing."""

    def __init__(self, store: PostbackStore, listeners: list[Listener],
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.listeners = listeners
        self._clock = clock

    def ingest(self, event: V2Event) -> int:
        """The number of deliveries enqueued (0 for an event seen before)."""
        if self.store.seen(event.event_id):   # cheap early exit; the transaction checks again
            return 0
        deliveries: list[Delivery] = [d for listener in self.listeners for d in listener(event)]
        count = self.store.ingest(event.event_id, event.account, deliveries, self._clock())
        if count:
            log.info("postbacks: %s -> %d deliveries", event.event_id, count)
        return count or 0
