"""v1.1 subscriptions in PostgreSQL: the interface of bridge.store.subscriptions (read its docstring),
every SQL statement of them here."""
from __future__ import annotations

import json
import secrets
import time

from bridge.store.pg.connections import Connections, create_tables, redacted
from bridge.store.subscriptions import Subscription

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
_COLUMNS = "id, account, enabled, endpoint, format, trigger, filter, secret, webhook_ids"


class PgSubscriptionStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self._db = Connections(url)
        create_tables(self._db, _SCHEMA)

    def __repr__(self) -> str:
        return f"PgSubscriptionStore({redacted(self.url)!r})"

    def reserve(self, account: str, enabled: bool, endpoint: str, format: str, trigger: str,
                filter: dict) -> Subscription:
        secret = secrets.token_urlsafe(24)
        with self._db.transaction() as db:
            (id_,) = db.execute(
                "INSERT INTO subscriptions (account, status, enabled, endpoint, format, trigger, filter, secret,"
                " webhook_ids, created_at) VALUES (%s, 'pending', %s, %s, %s, %s, %s, %s, '[]', %s) RETURNING id",
                (account, enabled, endpoint, format, trigger, json.dumps(filter), secret, time.time())).fetchone()
        return Subscription(int(id_), account, enabled, endpoint, format, trigger, filter, secret)

    def activate(self, subscription_id: int, webhook_ids: list[int]) -> None:
        self._db.get().execute("UPDATE subscriptions SET status = 'active', webhook_ids = %s WHERE id = %s",
                               (json.dumps(webhook_ids), subscription_id))

    def discard(self, subscription_id: int) -> None:
        self._db.get().execute("DELETE FROM subscriptions WHERE id = %s", (subscription_id,))

    def replace(self, subscription: Subscription) -> None:
        self._db.get().execute(
            "UPDATE subscriptions SET enabled = %s, endpoint = %s, format = %s, trigger = %s, filter = %s,"
            " webhook_ids = %s WHERE id = %s AND status = 'active'",
            (subscription.enabled, subscription.endpoint, subscription.format, subscription.trigger,
             json.dumps(subscription.filter), json.dumps(list(subscription.webhook_ids)), subscription.id))

    def get(self, account: str, subscription_id: int) -> Subscription | None:
        row = self._db.get().execute(f"SELECT {_COLUMNS} FROM subscriptions WHERE id = %s AND account = %s"
                                     " AND status = 'active'", (subscription_id, account)).fetchone()
        return _subscription(row) if row else None

    def by_id(self, subscription_id: int) -> Subscription | None:
        row = self._db.get().execute(f"SELECT {_COLUMNS} FROM subscriptions WHERE id = %s AND status = 'active'",
                                     (subscription_id,)).fetchone()
        return _subscription(row) if row else None

    def page(self, account: str, offset: int, count: int) -> tuple[list[Subscription], int]:
        db = self._db.get()
        total = db.execute("SELECT COUNT(*) FROM subscriptions WHERE account = %s AND status = 'active'",
                           (account,)).fetchone()[0]
        rows = db.execute(f"SELECT {_COLUMNS} FROM subscriptions WHERE account = %s AND status = 'active'"
                          " ORDER BY id LIMIT %s OFFSET %s", (account, count, offset)).fetchall()
        return [_subscription(row) for row in rows], int(total)

    def listening(self, account: str) -> list[Subscription]:
        rows = self._db.get().execute(f"SELECT {_COLUMNS} FROM subscriptions WHERE account = %s AND"
                                      " status = 'active' AND enabled ORDER BY id", (account,)).fetchall()
        return [_subscription(row) for row in rows]

    def close(self) -> None:
        self._db.close()


def _subscription(row: tuple) -> Subscription:
    id_, account, enabled, endpoint, format_, trigger, filter_, secret, webhook_ids = row
    return Subscription(int(id_), account, bool(enabled), endpoint, format_, trigger, json.loads(filter_), secret,
                        tuple(json.loads(webhook_ids)))
