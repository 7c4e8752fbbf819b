"""The one place that chooses where the bridge's durable state lives: SQLite files beside `store_path`
(the default: one host), or one PostgreSQL database (`--store postgresql://...`, CALLFIRE_BRIDGE_STORE:
many replicas on many hosts). Each store has one interface and two backends; psycopg is imported only
when PostgreSQL is chosen."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Union

from bridge.config import Settings

if TYPE_CHECKING:
    from bridge.compare.record import ShadowRecord
    from bridge.postbacks.store import PostbackStore
    from bridge.store.idempotency import IdempotencyStore
    from bridge.store.pg.idempotency import PgIdempotencyStore
    from bridge.store.pg.postbacks import PgPostbackStore
    from bridge.store.pg.shadow import PgShadowRecord
    from bridge.store.pg.subscriptions import PgSubscriptionStore
    from bridge.store.subscriptions import SubscriptionStore

RequestIds = Union["IdempotencyStore", "PgIdempotencyStore"]
Subscriptions = Union["SubscriptionStore", "PgSubscriptionStore"]
Postbacks = Union["PostbackStore", "PgPostbackStore"]
Shadow = Union["ShadowRecord", "PgShadowRecord"]

SCHEMES = ("postgresql://", "postgres://")


def is_postgresql(store: object) -> bool:
    return isinstance(store, str) and store.startswith(SCHEMES)


def store_option(store: str | None) -> dict[str, str]:
    """`--store` as a Settings field: a URL is `store`, anything else the SQLite file `store_path`."""
    if store is None:
        return {}
    return {"store": store} if is_postgresql(store) else {"store_path": store}


def postgresql_url(settings: Settings) -> str | None:
    """The PostgreSQL database settings name, or None: the SQLite files."""
    if settings.store is None:
        return None
    if not is_postgresql(settings.store):
        raise ValueError("CALLFIRE_BRIDGE_STORE: a postgresql://user@host:port/db URL (a SQLite file is "
                         "--store PATH or CALLFIRE_BRIDGE_STORE_PATH)")
    return settings.store


def describe(settings: Settings) -> str:
    """Where the state is, for a start-up line: the file, or the URL without its password."""
    url = postgresql_url(settings)
    if url is None:
        return str(settings.store_path)
    from bridge.store.pg.connections import redacted
    return redacted(url)


def request_ids(settings: Settings) -> RequestIds:
    url = postgresql_url(settings)
    if url is None:
        from bridge.store.idempotency import IdempotencyStore
        return IdempotencyStore(settings.store_path)
    from bridge.store.pg.idempotency import PgIdempotencyStore
    # No v2 request of a SOAP request outlives its deadline (bridge.deadline); 5 s for clocks that differ.
    return PgIdempotencyStore(url, longest_request=timedelta(seconds=settings.request_deadline + 5))


def subscriptions(settings: Settings) -> Subscriptions:
    from bridge.store.sealed import Sealer, key_path
    url = postgresql_url(settings)
    sealer = Sealer(key_path(settings))   # webhook secrets are kept sealed
    if url is None:
        from bridge.store.subscriptions import SubscriptionStore
        return SubscriptionStore(settings.store_path, sealer)   # the RequestId file, tables of their own
    from bridge.store.pg.subscriptions import PgSubscriptionStore
    return PgSubscriptionStore(url, sealer)


def postbacks(settings: Settings) -> Postbacks:
    url = postgresql_url(settings)
    if url is None:
        from bridge.postbacks.service import store_path
        from bridge.postbacks.store import PostbackStore
        return PostbackStore(store_path(settings))
    from bridge.store.pg.postbacks import PgPostbackStore
    return PgPostbackStore(url)


def shadow_record(settings: Settings) -> Shadow:
    url = postgresql_url(settings)
    if url is None:
        from bridge.compare.record import ShadowRecord
        return ShadowRecord(settings.shadow_store_path, settings.shadow_keep)
    from bridge.store.pg.shadow import PgShadowRecord
    return PgShadowRecord(url, settings.shadow_keep)
