"""What a serving process runs for postbacks: the store, the pipeline and its listeners, the cloud/1
endpoint, and (started by `serve` in each worker) the delivery and polling threads."""
from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

from bridge.config import Settings
from bridge.orchestrate.broadcasts import broadcast_stats
from bridge.orchestrate.generic import Exchange
from bridge.postbacks.apikeys import ApiKeyRegistry, SimulatorKeys
from bridge.postbacks.cloud1 import Cloud1, Cloud1Listener
from bridge.postbacks.deliver import Deliverer
from bridge.postbacks.events import Listener, V2Event
from bridge.postbacks.notifications import SubscriptionListener
from bridge.postbacks.outbox import RetryPolicy
from bridge.postbacks.loop import Loop
from bridge.postbacks.pipeline import Pipeline
from bridge.postbacks.poller import Poller
from bridge.store import factory
from bridge.store.sealed import Sealer, key_path
from bridge.runtime import Runtime
from bridge.sim.credentials import parse_credentials
from bridge.translate.engine import V2Request

log = logging.getLogger(__name__)


def store_path(settings: Settings) -> Path:
    """The postback tables' SQLite file, beside the RequestId store (shared by all workers)."""
    store = Path(settings.store_path)
    return store.with_name(f"{store.stem}-postbacks.sqlite3")


class Postbacks:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self._threads: list[Loop] = []

    @cached_property
    def store(self) -> factory.Postbacks:
        return factory.postbacks(self.settings)

    @cached_property
    def sealer(self) -> Sealer:
        return Sealer(key_path(self.settings))

    @cached_property
    def keys(self) -> ApiKeyRegistry | SimulatorKeys:
        if self.settings.postback_simulator:
            return SimulatorKeys(parse_credentials(self.settings.sim_credentials))
        return ApiKeyRegistry(self.store, self.sealer)

    @cached_property
    def pipeline(self) -> Pipeline:
        listeners: list[Listener] = [Cloud1Listener(self.store, self.runtime.conv, self.read_stats)]
        # Other listeners (SubscriptionService) register here, one line each.
        listeners.append(SubscriptionListener(self.runtime.subscriptions, self.runtime.conv))   # SubscriptionService
        return Pipeline(self.store, listeners)

    @cached_property
    def poller(self) -> Poller:
        return Poller(self.store, self.pipeline, self.runtime.v2, self.authorization_of,
                      interval=self.settings.postback_poll_interval)

    @cached_property
    def cloud1(self) -> Cloud1:
        return Cloud1(self.store, self.keys.authorization, self.remember,
                      allow_private=bool(self.settings.postback_allow_private))

    @cached_property
    def deliverer(self) -> Deliverer:
        policy = RetryPolicy.for_timeout(self.settings.postback_timeout, max_age=self.settings.postback_max_age)
        return Deliverer(self.store, policy=policy,
                         allow_private=bool(self.settings.postback_allow_private))

    def remember(self, account: str, authorization: str) -> None:
        """An account with a registration: its credentials sealed for the poller, its baseline taken."""
        self.store.save_account(account, self.sealer.seal(authorization).decode("ascii"))
        self.poller.baseline(account, authorization)

    def authorization_of(self, account: str) -> str | None:
        sealed = dict(self.store.accounts()).get(account)
        return self.sealer.open(sealed.encode("ascii")) if sealed else None

    def read_stats(self, event: V2Event) -> dict:
        """The broadcast's stats as GetBroadcastStats reads them (its strategy, the same v2 reads)."""
        authorization = self.authorization_of(event.account)
        if authorization is None:
            return {}
        # GetBroadcastStats' own path: the call broadcast, else (v2 answers 404) the text broadcast of that id.
        plan = V2Request("GetBroadcastStats", "GET", f"/calls/broadcasts/{event.resource['id']}/stats")
        return dict(broadcast_stats(Exchange(self.runtime, authorization), None, plan))

    @property
    def polling(self) -> bool:
        mode = self.settings.postback_poll
        return mode == "on" or (mode == "auto" and bool(self.settings.postback_simulator))

    def start(self) -> None:
        """The delivery thread, and the poller when polling is on (each worker: leases share the work)."""
        self._threads.append(Loop("postback-delivery", self.deliverer.run_once, 1.0, again_while_busy=True))
        if self.polling:
            self._threads.append(Loop("postback-poller", self.poller.run_once, self.poller.interval))
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        for thread in self._threads:
            thread.stop()
        self._threads.clear()
