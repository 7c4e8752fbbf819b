"""Every SQL statement of the postback tables, in one SQLite file shared by all workers (WAL).

Tables: `postback_events` (event ids already ingested), `postback_outbox` (one row per delivery,
pending, delivered or dead), `cloud1_registrations`, `postback_watermarks` (the poller's, per
account and resource), `postback_leases` (one poller at a time across workers), `cloud1_apikeys`.
Kept in this one module so that a second backend (PostgreSQL, issue 13) is a second module.
"""
from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bridge.postbacks.events import Delivery
from bridge.store.sqlite import Connections, create_tables

_SCHEMA = """
CREATE TABLE IF NOT EXISTS postback_events (
    event_id TEXT PRIMARY KEY,
    account  TEXT NOT NULL,
    seen_at  REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS postback_outbox (
    id           TEXT PRIMARY KEY,      -- the delivery id, sent as X-CallFire-Bridge-Delivery
    event_id     TEXT NOT NULL,
    source       TEXT NOT NULL,
    target       TEXT NOT NULL,
    body         BLOB NOT NULL,
    content_type TEXT NOT NULL,
    status       TEXT NOT NULL,         -- pending, delivered, dead
    created_at   REAL NOT NULL,         -- the maximum age counts from here (a replay resets it)
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      REAL NOT NULL,         -- not tried before this
    lease_owner  TEXT,
    lease_until  REAL,                  -- a deliverer holds the row until then
    last_error   TEXT,
    finished_at  REAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS postback_outbox_due ON postback_outbox (status, next_at);
CREATE TABLE IF NOT EXISTS cloud1_registrations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account     TEXT NOT NULL,
    kind        TEXT NOT NULL,          -- callfinish, campaignfinish
    campaign_id INTEGER,                -- callfinish/{campaignid}, NULL: every campaign
    post_url    TEXT NOT NULL,
    created_at  REAL NOT NULL,
    UNIQUE (account, kind, campaign_id)
);
CREATE TABLE IF NOT EXISTS postback_accounts (
    account       TEXT PRIMARY KEY,     -- the poller's accounts
    authorization TEXT NOT NULL         -- encrypted (apikeys.py), never stored in clear
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS postback_watermarks (
    account  TEXT NOT NULL,
    resource TEXT NOT NULL,             -- calls, texts
    created  INTEGER NOT NULL,          -- v2 ms: every action created before it was finished and ingested
    PRIMARY KEY (account, resource)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS postback_leases (
    name  TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cloud1_apikeys (
    apikey_hash TEXT PRIMARY KEY,       -- sha256 of the key: the key itself is not kept
    label       TEXT NOT NULL,          -- shown by `apikeys list` (the key's first characters)
    credentials BLOB NOT NULL,          -- Fernet token of "login:password"
    created_at  REAL NOT NULL
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class OutboxRow:
    id: str
    event_id: str
    source: str
    target: str
    body: bytes
    content_type: str
    status: str
    created_at: float
    attempts: int
    next_at: float
    last_error: str | None
    finished_at: float | None


@dataclass(frozen=True)
class Registration:
    id: int
    account: str
    kind: str
    campaign_id: int | None
    post_url: str


_ROW = ("id, event_id, source, target, body, content_type, status, created_at, attempts, next_at,"
        " last_error, finished_at")


class PostbackStore:
    """The postback tables in `path` (a file: every thread and process opens its own connection)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._db = Connections(self.path, synchronous="FULL")   # a lost commit is a lost postback
        with self._db.transaction() as db:
            create_tables(db, _SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db.transaction() as db:
            yield db

    # -- events and the outbox ------------------------------------------------------------------

    def ingest(self, event_id: str, account: str, deliveries: Iterable[Delivery], now: float) -> int | None:
        """Mark `event_id` seen and enqueue its deliveries in one transaction; None if already seen."""
        with self._db.transaction() as db:
            if db.execute("SELECT 1 FROM postback_events WHERE event_id = ?", (event_id,)).fetchone():
                return None
            db.execute("INSERT INTO postback_events (event_id, account, seen_at) VALUES (?, ?, ?)",
                       (event_id, account, now))
            count = 0
            for delivery in deliveries:
                db.execute("INSERT INTO postback_outbox (id, event_id, source, target, body, content_type,"
                           " status, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                           (uuid.uuid4().hex, event_id, delivery.source, delivery.target, delivery.body,
                            delivery.content_type, now, now))
                count += 1
            return count

    def seen(self, event_id: str) -> bool:
        return self._db.get().execute("SELECT 1 FROM postback_events WHERE event_id = ?",
                                      (event_id,)).fetchone() is not None

    def claim(self, owner: str, now: float, lease: float, limit: int) -> list[OutboxRow]:
        """Lease up to `limit` due pending rows to `owner` (an expired lease is free to take)."""
        with self._db.transaction() as db:
            rows = db.execute(f"SELECT {_ROW} FROM postback_outbox WHERE status = 'pending' AND next_at <= ?"
                              " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_at LIMIT ?",
                              (now, now, limit)).fetchall()
            db.executemany("UPDATE postback_outbox SET lease_owner = ?, lease_until = ? WHERE id = ?",
                           [(owner, now + lease, row[0]) for row in rows])
        return [OutboxRow(*row) for row in rows]

    def delivered(self, delivery_id: str, owner: str, now: float) -> None:
        with self._db.transaction() as db:
            db.execute("UPDATE postback_outbox SET status = 'delivered', finished_at = ?, attempts = attempts + 1,"
                       " lease_owner = NULL, lease_until = NULL, last_error = NULL"
                       " WHERE id = ? AND lease_owner = ?", (now, delivery_id, owner))

    def failed(self, delivery_id: str, owner: str, error: str, next_at: float | None, now: float) -> None:
        """One more failed attempt: try again at `next_at`, or (None) it is a dead letter."""
        with self._db.transaction() as db:
            if next_at is None:
                db.execute("UPDATE postback_outbox SET status = 'dead', finished_at = ?, attempts = attempts + 1,"
                           " lease_owner = NULL, lease_until = NULL, last_error = ? WHERE id = ? AND lease_owner = ?",
                           (now, error, delivery_id, owner))
            else:
                db.execute("UPDATE postback_outbox SET next_at = ?, attempts = attempts + 1, lease_owner = NULL,"
                           " lease_until = NULL, last_error = ? WHERE id = ? AND lease_owner = ?",
                           (next_at, error, delivery_id, owner))

    def rows(self, status: str | None = None, limit: int = 200) -> list[OutboxRow]:
        """Outbox rows, newest first (`status`: pending, delivered or dead; None: all)."""
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        found = self._db.get().execute(f"SELECT {_ROW} FROM postback_outbox {where}"
                                       " ORDER BY created_at DESC, id LIMIT ?", (*args, limit)).fetchall()
        return [OutboxRow(*row) for row in found]

    def counts(self) -> dict[str, int]:
        found = self._db.get().execute("SELECT status, COUNT(*) FROM postback_outbox GROUP BY status")
        return dict(found.fetchall())

    def retry(self, delivery_ids: list[str] | None, now: float) -> int:
        """Dead letters (these, or all) pending again, due now, their maximum age counted anew."""
        with self._db.transaction() as db:
            if delivery_ids is None:
                return db.execute("UPDATE postback_outbox SET status = 'pending', created_at = ?, next_at = ?,"
                                  " attempts = 0, finished_at = NULL WHERE status = 'dead'", (now, now)).rowcount
            return sum(db.execute("UPDATE postback_outbox SET status = 'pending', created_at = ?, next_at = ?,"
                                  " attempts = 0, finished_at = NULL WHERE status = 'dead' AND id = ?",
                                  (now, now, one)).rowcount for one in delivery_ids)

    # -- cloud/1 registrations -------------------------------------------------------------------

    def register(self, account: str, kind: str, campaign_id: int | None, post_url: str, now: float) -> int:
        """Save (or replace) the account's postUrl for `kind` [and campaign]; returns the registration id."""
        with self._db.transaction() as db:
            db.execute("DELETE FROM cloud1_registrations WHERE account = ? AND kind = ? AND campaign_id IS ?",
                       (account, kind, campaign_id))
            return db.execute("INSERT INTO cloud1_registrations (account, kind, campaign_id, post_url, created_at)"
                              " VALUES (?, ?, ?, ?, ?)", (account, kind, campaign_id, post_url, now)).lastrowid

    def unregister(self, account: str, kind: str, campaign_id: int | None) -> int:
        with self._db.transaction() as db:
            return db.execute("DELETE FROM cloud1_registrations WHERE account = ? AND kind = ? AND campaign_id IS ?",
                              (account, kind, campaign_id)).rowcount

    def registrations(self, account: str | None = None) -> list[Registration]:
        where, args = ("WHERE account = ?", (account,)) if account else ("", ())
        found = self._db.get().execute("SELECT id, account, kind, campaign_id, post_url FROM cloud1_registrations"
                                       f" {where} ORDER BY id", args).fetchall()
        return [Registration(*row) for row in found]

    # -- the poller ------------------------------------------------------------------------------

    def save_account(self, account: str, sealed_authorization: str) -> None:
        with self._db.transaction() as db:
            db.execute("INSERT OR REPLACE INTO postback_accounts (account, authorization) VALUES (?, ?)",
                       (account, sealed_authorization))

    def accounts(self) -> list[tuple[str, str]]:
        """(account, sealed authorization) of every account with a registration."""
        return self._db.get().execute(
            "SELECT a.account, a.authorization FROM postback_accounts a WHERE EXISTS"
            " (SELECT 1 FROM cloud1_registrations r WHERE r.account = a.account) ORDER BY a.account").fetchall()

    def watermark(self, account: str, resource: str) -> int | None:
        row = self._db.get().execute("SELECT created FROM postback_watermarks WHERE account = ? AND resource = ?",
                                     (account, resource)).fetchone()
        return row[0] if row else None

    def set_watermark(self, account: str, resource: str, created: int) -> None:
        with self._db.transaction() as db:
            db.execute("INSERT OR REPLACE INTO postback_watermarks (account, resource, created) VALUES (?, ?, ?)",
                       (account, resource, created))

    def mark_seen(self, account: str, event_ids: Iterable[str], now: float) -> None:
        """Events that happened before the account's first registration: never delivered."""
        with self._db.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO postback_events (event_id, account, seen_at) VALUES (?, ?, ?)",
                           [(event_id, account, now) for event_id in event_ids])

    def take_lease(self, name: str, owner: str, now: float, duration: float) -> bool:
        """True if `owner` holds lease `name` until now + duration (taken, renewed, or expired and taken over)."""
        with self._db.transaction() as db:
            row = db.execute("SELECT owner, until FROM postback_leases WHERE name = ?", (name,)).fetchone()
            if row is not None and row[0] != owner and row[1] > now:
                return False
            db.execute("INSERT OR REPLACE INTO postback_leases (name, owner, until) VALUES (?, ?, ?)",
                       (name, owner, now + duration))
            return True

    # -- the API key registry ----------------------------------------------------------------------

    def put_apikey(self, apikey_hash: str, label: str, credentials: bytes, now: float) -> None:
        with self._db.transaction() as db:
            db.execute("INSERT OR REPLACE INTO cloud1_apikeys (apikey_hash, label, credentials, created_at)"
                       " VALUES (?, ?, ?, ?)", (apikey_hash, label, credentials, now))

    def apikey(self, apikey_hash: str) -> bytes | None:
        row = self._db.get().execute("SELECT credentials FROM cloud1_apikeys WHERE apikey_hash = ?",
                                     (apikey_hash,)).fetchone()
        return row[0] if row else None

    def apikeys(self) -> list[tuple[str, float]]:
        return self._db.get().execute("SELECT label, created_at FROM cloud1_apikeys ORDER BY created_at").fetchall()

    def delete_apikey(self, apikey_hash: str) -> int:
        with self._db.transaction() as db:
            return db.execute("DELETE FROM cloud1_apikeys WHERE apikey_hash = ?", (apikey_hash,)).rowcount

    def apikey_tokens(self) -> list[bytes]:
        """Every registered key's sealed credentials."""
        return [row[0] for row in self._db.get().execute("SELECT credentials FROM cloud1_apikeys").fetchall()]

    def forget_account(self, account: str) -> int:
        """The account's cloud/1 registrations and the poller's credentials for it, deleted; how many
        registrations there were.  Deliveries already in the outbox stay (their events happened)."""
        with self._db.transaction() as db:
            dropped = db.execute("DELETE FROM cloud1_registrations WHERE account = ?", (account,)).rowcount
            db.execute("DELETE FROM postback_accounts WHERE account = ?", (account,))
            return dropped
