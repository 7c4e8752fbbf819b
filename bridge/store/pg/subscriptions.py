"""v1.1 subscriptions in PostgreSQL: bridge.store.subscriptions' statements (read its docstring) on this
backend's connections, with its schema."""
from __future__ import annotations

from typing import Any

from bridge.store.pg.connections import Connections, create_tables, redacted
from bridge.store.sealed import Sealer
from bridge.store.subscriptions import SubscriptionStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id          BIGSERIAL PRIMARY KEY,
    account     TEXT             NOT NULL, -- bridge.store.account_key of the caller
    status      TEXT             NOT NULL, -- pending, active
    enabled     BOOLEAN          NOT NULL,
    endpoint    TEXT             NOT NULL,
    format      TEXT             NOT NULL, -- NotificationFormat's table value (a Content-Type)
    trigger     TEXT             NOT NULL, -- SubscriptionTriggerEvent's table value ("Resource:Event ...")
    filter      TEXT             NOT NULL, -- JSON {broadcastId, batchId, fromNumber, toNumber, inbound}
    secret      TEXT             NOT NULL, -- signs v2's webhook posts: the receiver verifies them with it
    webhook_ids TEXT             NOT NULL, -- JSON [v2 webhook id, ...]
    created_at  DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS subscriptions_account ON subscriptions (account, status)
"""


class PgSubscriptionStore(SubscriptionStore):
    """SubscriptionStore's statements on PostgreSQL connections."""

    placeholder = "%s"

    def __init__(self, url: str, sealer: Sealer) -> None:
        self.url = url
        self.sealer = sealer
        self._db = Connections(url)
        create_tables(self._db, _SCHEMA)

    def __repr__(self) -> str:
        return f"PgSubscriptionStore({redacted(self.url)!r})"

    def _insert(self, db: Any, statement: str, params: tuple) -> int:
        (id_,) = db.execute(statement + " RETURNING id", params).fetchone()
        return int(id_)
