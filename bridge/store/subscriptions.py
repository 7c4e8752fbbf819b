"""v1.1 subscriptions, durably: in the bridge's SQLite file, or in PostgreSQL (bridge.store.pg.subscriptions);
every SQL statement of them is here, written once for both.

A subscription is first reserved (`pending`: its id is in the callback URL of the webhooks about to be
registered), then `activate`d with its webhooks' ids, or `discard`ed when they could not all be made.
Only active ones are read. A process killed between the two leaves a pending row, never read (and
its webhooks, if any were made, post to a receiver that refuses them: no secret verifies).
Each subscription's webhook secret is stored sealed (bridge.store.sealed): whoever reads the database
alone cannot sign a webhook the receiver would take.
"""
from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridge.store.sealed import Sealer
from bridge.store.sqlite import Connections, Statements, create_tables

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account     TEXT    NOT NULL,       -- bridge.store.account_key of the caller
    status      TEXT    NOT NULL,       -- pending, active
    enabled     INTEGER NOT NULL,
    endpoint    TEXT    NOT NULL,
    format      TEXT    NOT NULL,       -- NotificationFormat's table value (a Content-Type)
    trigger     TEXT    NOT NULL,       -- SubscriptionTriggerEvent's table value ("Resource:Event ...")
    filter      TEXT    NOT NULL,       -- JSON {broadcastId, batchId, fromNumber, toNumber, inbound}
    secret      TEXT    NOT NULL,       -- sealed (Fernet): signs v2's webhook posts, the receiver verifies them
    webhook_ids TEXT    NOT NULL,       -- JSON [v2 webhook id, ...]
    created_at  REAL    NOT NULL
);
CREATE INDEX IF NOT EXISTS subscriptions_account ON subscriptions (account, status);
"""
FILTER_FIELDS = ("broadcastId", "batchId", "fromNumber", "toNumber", "inbound")


@dataclass(frozen=True)
class Subscription:
    """A stored subscription; `wire` is what the `Subscription` entity table reads."""

    id: int
    account: str
    enabled: bool
    endpoint: str
    format: str
    trigger: str
    filter: dict = field(default_factory=dict)
    secret: str = ""
    webhook_ids: tuple[int, ...] = ()

    @property
    def wire(self) -> dict:
        wire = {"id": self.id, "enabled": self.enabled, "endpoint": self.endpoint, "format": self.format,
                "trigger": self.trigger}
        if self.filter:
            wire["filter"] = self.filter
        return wire

    @property
    def resources(self) -> list[tuple[str, str]]:
        """(v2 resource, event) of each webhook, from the trigger's table value."""
        return [tuple(pair.split(":", 1)) for pair in self.trigger.split()]  # type: ignore[misc]


class SubscriptionStore(Statements):
    """The SQLite backend, and every statement of both: PostgreSQL (bridge.store.pg.subscriptions)
    gives its own connections, schema and placeholder and the id of an inserted row."""

    def __init__(self, path: str | os.PathLike, sealer: Sealer) -> None:
        self.path = Path(path)
        self.sealer = sealer
        self._db = Connections(self.path, synchronous="FULL")   # a lost subscription is a silent receiver
        with self._db.transaction() as db:
            create_tables(db, _SCHEMA)

    def _insert(self, db: Any, statement: str, params: tuple) -> int:
        """Run an INSERT; the new row's id."""
        return int(db.execute(statement, params).lastrowid)

    def reserve(self, account: str, enabled: bool, endpoint: str, format: str, trigger: str,
                filter: dict) -> Subscription:
        """A new pending subscription with a fresh secret."""
        secret = secrets.token_urlsafe(24)
        with self._db.transaction() as db:
            id_ = self._insert(db, self._sql(
                "INSERT INTO subscriptions (account, status, enabled, endpoint, format, trigger, filter, secret,"
                " webhook_ids, created_at) VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, '[]', ?)"),
                (account, bool(enabled), endpoint, format, trigger, json.dumps(filter),
                 self.sealer.seal(secret).decode("ascii"), time.time()))
        return Subscription(id_, account, enabled, endpoint, format, trigger, filter, secret)

    def activate(self, subscription_id: int, webhook_ids: list[int]) -> None:
        with self._db.transaction() as db:
            db.execute(self._sql("UPDATE subscriptions SET status = 'active', webhook_ids = ? WHERE id = ?"),
                       (json.dumps(webhook_ids), subscription_id))

    def discard(self, subscription_id: int) -> None:
        with self._db.transaction() as db:
            db.execute(self._sql("DELETE FROM subscriptions WHERE id = ?"), (subscription_id,))

    def replace(self, subscription: Subscription) -> None:
        """Store an active subscription's new settings and webhooks (its id, account and secret stay)."""
        with self._db.transaction() as db:
            db.execute(self._sql("UPDATE subscriptions SET enabled = ?, endpoint = ?, format = ?, trigger = ?,"
                                 " filter = ?, webhook_ids = ? WHERE id = ? AND status = 'active'"),
                       (bool(subscription.enabled), subscription.endpoint, subscription.format,
                        subscription.trigger, json.dumps(subscription.filter),
                        json.dumps(list(subscription.webhook_ids)), subscription.id))

    def get(self, account: str, subscription_id: int) -> Subscription | None:
        """The account's active subscription `subscription_id` (None: none, or another account's)."""
        row = self._db.get().execute(self._sql(f"SELECT {_COLUMNS} FROM subscriptions WHERE id = ? AND account = ?"
                                               " AND status = 'active'"), (subscription_id, account)).fetchone()
        return self._subscription(row) if row else None

    def by_id(self, subscription_id: int) -> Subscription | None:
        """An active subscription whatever its account (the webhook receiver's look-up)."""
        row = self._db.get().execute(self._sql(f"SELECT {_COLUMNS} FROM subscriptions WHERE id = ?"
                                               " AND status = 'active'"), (subscription_id,)).fetchone()
        return self._subscription(row) if row else None

    def page(self, account: str, offset: int, count: int) -> tuple[list[Subscription], int]:
        """A window of the account's active subscriptions, oldest first, and how many it has."""
        db = self._db.get()
        total = db.execute(self._sql("SELECT COUNT(*) FROM subscriptions WHERE account = ? AND status = 'active'"),
                           (account,)).fetchone()[0]
        rows = db.execute(self._sql(f"SELECT {_COLUMNS} FROM subscriptions WHERE account = ? AND status = 'active'"
                                    " ORDER BY id LIMIT ? OFFSET ?"), (account, count, offset)).fetchall()
        return [self._subscription(row) for row in rows], int(total)

    def listening(self, account: str) -> list[Subscription]:
        """The account's active, enabled subscriptions (the notification listener's)."""
        rows = self._db.get().execute(self._sql(f"SELECT {_COLUMNS} FROM subscriptions WHERE account = ? AND"
                                                " status = 'active' AND enabled ORDER BY id"), (account,)).fetchall()
        return [self._subscription(row) for row in rows]

    def close(self) -> None:
        self._db.close()

    def _subscription(self, row: tuple) -> Subscription:
        id_, account, enabled, endpoint, format_, trigger, filter_, sealed, webhook_ids = row
        # A secret sealed under another key opens as nothing: its webhooks are refused, never trusted.
        secret = self.sealer.open(sealed.encode("ascii")) or ""
        return Subscription(int(id_), account, bool(enabled), endpoint, format_, trigger, json.loads(filter_),
                            secret, tuple(json.loads(webhook_ids)))


_COLUMNS = "id, account, enabled, endpoint, format, trigger, filter, secret, webhook_ids"
