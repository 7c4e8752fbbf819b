"""The polling fallback: finished calls, texts and broadcasts read from v2 and fed to the pipeline,
for deployments v2's webhooks cannot reach (and the embedded simulator, where it is on by default).

Watermark, per account and resource (calls, texts): the `created` time (v2 ms) before which every
call or text was finished and ingested at the last poll. v2's finders filter on `created` only
(`intervalBegin`), not on when an action finished, so each poll reads every action created since the
watermark and moves it to the oldest one still unfinished (or to the newest seen: `created` is not
unique, the bound is inclusive and the pipeline drops what it has seen). Broadcasts have no
creation time in v2: every list page is read each poll and a FINISHED broadcast is an event once
per `lastModified`.

An account is polled from its first registration on: what finished before it is marked seen then
(`baseline`), never delivered. One poller at a time across workers and processes: a lease row."""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from bridge.postbacks.events import event_id_for, make_event
from bridge.postbacks.pipeline import Pipeline
from bridge.postbacks.store import PostbackStore
from bridge.v2.client import V2Client
from bridge.v2.errors import V2Error

log = logging.getLogger(__name__)

UNFINISHED = {"READY", "SELECTED", "CALLBACK", "DISABLED"}   # may still be dialled or sent
ACTIONS = (("calls", "OutboundCall", "InboundCall"), ("texts", "OutboundText", "InboundText"))
BROADCASTS = (("calls", "CallBroadcast"), ("texts", "TextBroadcast"))
LEASE = "poller"


class Poller:
    def __init__(self, store: PostbackStore, pipeline: Pipeline, v2: V2Client,
                 authorization_of: Callable[[str], str | None], *, interval: float = 5.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.pipeline = pipeline
        self.v2 = v2
        self.authorization_of = authorization_of   # account -> its v2 Authorization (sealed in the store)
        self.interval = interval
        self.clock = clock
        self.owner = f"poller-{uuid.uuid4().hex[:12]}"

    # -- v2 reads ---------------------------------------------------------------------------------

    def _newest_created(self, path: str, authorization: str) -> int:
        items = self.v2.get(path, authorization=authorization, params={"limit": 1, "offset": 0}).get("items") or []
        return int(items[0].get("created", 0)) if items else 0

    # -- baseline and polls -----------------------------------------------------------------------

    def baseline(self, account: str, authorization: str) -> None:
        """Start polling `account` from now: what already finished is marked seen, never delivered."""
        seen: list[str] = []
        for resource, outbound, inbound in ACTIONS:
            if self.store.watermark(account, resource) is not None:
                continue
            newest = self._newest_created(f"/{resource}", authorization)
            found = self.v2.iter_items(f"/{resource}", authorization=authorization, params={"intervalBegin": newest})
            for item in found:
                if item.get("state") == "FINISHED":
                    seen.append(event_id_for(inbound if item.get("inbound") else outbound, "Finished", item))
            self.store.set_watermark(account, resource, newest)
        if self.store.watermark(account, "broadcasts") is None:
            for kind, resource_type in BROADCASTS:
                for broadcast in self.v2.iter_items(f"/{kind}/broadcasts", authorization=authorization, params={}):
                    if broadcast.get("status") == "FINISHED":
                        seen.append(event_id_for(resource_type, "Finished", broadcast))
            self.store.set_watermark(account, "broadcasts", 0)
        self.store.mark_seen(account, seen, self.clock())

    def poll_account(self, account: str, authorization: str) -> int:
        """Ingest every finished call, text and broadcast of `account` not seen yet; returns deliveries."""
        enqueued = 0
        now_ms = int(self.clock() * 1000)
        for resource, outbound, inbound in ACTIONS:
            mark = self.store.watermark(account, resource)
            if mark is None:
                continue
            unfinished, newest = [], mark
            found = self.v2.iter_items(f"/{resource}", authorization=authorization, params={"intervalBegin": mark})
            for item in found:
                created = int(item.get("created", mark))
                newest = max(newest, created)
                if item.get("state") in UNFINISHED:
                    unfinished.append(created)
                elif item.get("state") == "FINISHED":
                    resource_type = inbound if item.get("inbound") else outbound
                    enqueued += self.pipeline.ingest(make_event(account, resource_type, "Finished", item,
                                                                int(item.get("modified") or now_ms)))
            self.store.set_watermark(account, resource, min(unfinished, default=newest))
        for kind, resource_type in BROADCASTS:
            for broadcast in self.v2.iter_items(f"/{kind}/broadcasts", authorization=authorization, params={}):
                if broadcast.get("status") == "FINISHED":
                    enqueued += self.pipeline.ingest(make_event(account, resource_type, "Finished", broadcast,
                                                                int(broadcast.get("lastModified") or now_ms)))
        return enqueued

    def run_once(self) -> int:
        """Poll every registered account if this poller holds the lease; returns deliveries enqueued."""
        if not self.store.take_lease(LEASE, self.owner, self.clock(), 3 * self.interval + 60):
            return 0
        enqueued = 0
        for account, _ in self.store.accounts():
            authorization = self.authorization_of(account)
            if authorization is None:
                continue
            try:
                enqueued += self.poll_account(account, authorization)
            except V2Error as exc:   # one account's failure (credentials revoked, v2 down) spares the others
                log.warning("postbacks: polling account %s failed: %s", account[:8], exc)
        return enqueued
