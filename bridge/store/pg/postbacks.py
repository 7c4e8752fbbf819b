"""The postback tables in PostgreSQL: the interface of bridge.postbacks.store (read its docstring for the
tables), every SQL statement of them here.

Across replicas: an event is ingested once (its id's primary key, ON CONFLICT DO NOTHING), a due outbox
row is leased by one deliverer (SELECT ... FOR UPDATE SKIP LOCKED: others take the next rows instead of
waiting), and the poller's lease is taken by one upsert whose WHERE admits only its holder or an expired one.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from bridge.postbacks.events import Delivery
from bridge.postbacks.store import OutboxRow, Registration, _ROW
from bridge.store.pg.connections import Connections, create_tables, redacted

_SCHEMA = """
CREATE TABLE IF NOT EXISTS postback_events (
    event_id TEXT PRIMARY KEY,
    account  TEXT NOT NULL,
    seen_at  DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS postback_outbox (
    id           TEXT PRIMARY KEY,      -- the delivery id, sent as X-CallFire-Bridge-Delivery
    event_id     TEXT NOT NULL,
    source       TEXT NOT NULL,
    target       TEXT NOT NULL,
    body         BYTEA NOT NULL,
    content_type TEXT NOT NULL,
    status       TEXT NOT NULL,         -- pending, delivered, dead
    created_at   DOUBLE PRECISION NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      DOUBLE PRECISION NOT NULL,
    lease_owner  TEXT,
    lease_until  DOUBLE PRECISION,
    last_error   TEXT,
    finished_at  DOUBLE PRECISION
);
CREATE INDEX IF NOT EXISTS postback_outbox_due ON postback_outbox (status, next_at);
CREATE TABLE IF NOT EXISTS cloud1_registrations (
    id          BIGSERIAL PRIMARY KEY,
    account     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    campaign_id BIGINT,                 -- NULL: every campaign (one such row: NULLS NOT DISTINCT, PostgreSQL 15)
    post_url    TEXT NOT NULL,
    created_at  DOUBLE PRECISION NOT NULL,
    UNIQUE NULLS NOT DISTINCT (account, kind, campaign_id)
);
CREATE TABLE IF NOT EXISTS postback_accounts (
    account       TEXT PRIMARY KEY,
    "authorization" TEXT NOT NULL       -- quoted (a reserved word), encrypted (apikeys.py), never in clear
);
CREATE TABLE IF NOT EXISTS postback_watermarks (
    account  TEXT NOT NULL,
    resource TEXT NOT NULL,
    created  BIGINT NOT NULL,
    PRIMARY KEY (account, resource)
);
CREATE TABLE IF NOT EXISTS postback_leases (
    name  TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS cloud1_apikeys (
    apikey_hash TEXT PRIMARY KEY,
    label       TEXT NOT NULL,
    credentials BYTEA NOT NULL,          -- Fernet token of "login:password"
    created_at  DOUBLE PRECISION NOT NULL
)
"""


class PgPostbackStore:
    """The postback tables in the PostgreSQL database at `url` (shared by every replica)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._db = Connections(url)
        create_tables(self._db, _SCHEMA)

    def __repr__(self) -> str:
        return f"PgPostbackStore({redacted(self.url)!r})"

    def close(self) -> None:
        self._db.close()

    # -- events and the outbox ------------------------------------------------------------------

    def ingest(self, event_id: str, account: str, deliveries: Iterable[Delivery], now: float) -> int | None:
        with self._db.transaction() as db:
            if not db.execute("INSERT INTO postback_events (event_id, account, seen_at) VALUES (%s, %s, %s)"
                              " ON CONFLICT DO NOTHING RETURNING 1", (event_id, account, now)).fetchone():
                return None
            rows = [(uuid.uuid4().hex, event_id, delivery.source, delivery.target, delivery.body,
                     delivery.content_type, now, now) for delivery in deliveries]
            with db.cursor() as cursor:
                cursor.executemany("INSERT INTO postback_outbox (id, event_id, source, target, body, content_type,"
                                   " status, created_at, next_at) VALUES (%s, %s, %s, %s, %s, %s, 'pending', %s, %s)",
                                   rows)
            return len(rows)

    def seen(self, event_id: str) -> bool:
        return self._db.get().execute("SELECT 1 FROM postback_events WHERE event_id = %s",
                                      (event_id,)).fetchone() is not None

    def claim(self, owner: str, now: float, lease: float, limit: int) -> list[OutboxRow]:
        with self._db.transaction() as db:
            rows = db.execute(f"UPDATE postback_outbox SET lease_owner = %s, lease_until = %s WHERE id IN"
                              " (SELECT id FROM postback_outbox WHERE status = 'pending' AND next_at <= %s"
                              " AND (lease_until IS NULL OR lease_until <= %s) ORDER BY next_at LIMIT %s"
                              f" FOR UPDATE SKIP LOCKED) RETURNING {_ROW}",
                              (owner, now + lease, now, now, limit)).fetchall()
        return sorted((_row(row) for row in rows), key=lambda row: row.next_at)

    def delivered(self, delivery_id: str, owner: str, now: float) -> None:
        self._db.get().execute(
            "UPDATE postback_outbox SET status = 'delivered', finished_at = %s, attempts = attempts + 1,"
            " lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE id = %s AND lease_owner = %s",
            (now, delivery_id, owner))

    def failed(self, delivery_id: str, owner: str, error: str, next_at: float | None, now: float) -> None:
        if next_at is None:
            self._db.get().execute(
                "UPDATE postback_outbox SET status = 'dead', finished_at = %s, attempts = attempts + 1,"
                " lease_owner = NULL, lease_until = NULL, last_error = %s WHERE id = %s AND lease_owner = %s",
                (now, error, delivery_id, owner))
        else:
            self._db.get().execute(
                "UPDATE postback_outbox SET next_at = %s, attempts = attempts + 1, lease_owner = NULL,"
                " lease_until = NULL, last_error = %s WHERE id = %s AND lease_owner = %s",
                (next_at, error, delivery_id, owner))

    def rows(self, status: str | None = None, limit: int = 200) -> list[OutboxRow]:
        where, args = ("WHERE status = %s", (status,)) if status else ("", ())
        found = self._db.get().execute(f"SELECT {_ROW} FROM postback_outbox {where}"
                                       " ORDER BY created_at DESC, id LIMIT %s", (*args, limit)).fetchall()
        return [_row(row) for row in found]

    def counts(self) -> dict[str, int]:
        found = self._db.get().execute("SELECT status, COUNT(*) FROM postback_outbox GROUP BY status")
        return {status: int(n) for status, n in found.fetchall()}

    def retry(self, delivery_ids: list[str] | None, now: float) -> int:
        reset = ("UPDATE postback_outbox SET status = 'pending', created_at = %s, next_at = %s, attempts = 0,"
                 " finished_at = NULL WHERE status = 'dead'")
        if delivery_ids is None:
            return self._db.get().execute(reset, (now, now)).rowcount
        return self._db.get().execute(reset + " AND id = ANY(%s)", (now, now, list(delivery_ids))).rowcount

    # -- cloud/1 registrations -------------------------------------------------------------------

    def register(self, account: str, kind: str, campaign_id: int | None, post_url: str, now: float) -> int:
        """Save (or replace) the account's postUrl; a replacement is a new registration (a new id), as in SQLite."""
        with self._db.transaction() as db:
            db.execute("DELETE FROM cloud1_registrations WHERE account = %s AND kind = %s"
                       " AND campaign_id IS NOT DISTINCT FROM %s", (account, kind, campaign_id))
            (id_,) = db.execute("INSERT INTO cloud1_registrations (account, kind, campaign_id, post_url, created_at)"
                                " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                                (account, kind, campaign_id, post_url, now)).fetchone()
            return int(id_)

    def unregister(self, account: str, kind: str, campaign_id: int | None) -> int:
        return self._db.get().execute("DELETE FROM cloud1_registrations WHERE account = %s AND kind = %s"
                                      " AND campaign_id IS NOT DISTINCT FROM %s", (account, kind, campaign_id)).rowcount

    def registrations(self, account: str | None = None) -> list[Registration]:
        where, args = ("WHERE account = %s", (account,)) if account else ("", ())
        found = self._db.get().execute("SELECT id, account, kind, campaign_id, post_url FROM cloud1_registrations"
                                       f" {where} ORDER BY id", args).fetchall()
        return [Registration(*row) for row in found]

    # -- the poller ------------------------------------------------------------------------------

    def save_account(self, account: str, sealed_authorization: str) -> None:
        self._db.get().execute("INSERT INTO postback_accounts (account, \"authorization\") VALUES (%s, %s) ON CONFLICT"
                               " (account) DO UPDATE SET \"authorization\" = excluded.\"authorization\"",
                               (account, sealed_authorization))

    def accounts(self) -> list[tuple[str, str]]:
        return self._db.get().execute(
            "SELECT a.account, a.\"authorization\" FROM postback_accounts a WHERE EXISTS"
            " (SELECT 1 FROM cloud1_registrations r WHERE r.account = a.account) ORDER BY a.account").fetchall()

    def watermark(self, account: str, resource: str) -> int | None:
        row = self._db.get().execute("SELECT created FROM postback_watermarks WHERE account = %s AND resource = %s",
                                     (account, resource)).fetchone()
        return row[0] if row else None

    def set_watermark(self, account: str, resource: str, created: int) -> None:
        self._db.get().execute("INSERT INTO postback_watermarks (account, resource, created) VALUES (%s, %s, %s)"
                               " ON CONFLICT (account, resource) DO UPDATE SET created = excluded.created",
                               (account, resource, created))

    def mark_seen(self, account: str, event_ids: Iterable[str], now: float) -> None:
        with self._db.transaction() as db, db.cursor() as cursor:
            cursor.executemany("INSERT INTO postback_events (event_id, account, seen_at) VALUES (%s, %s, %s)"
                               " ON CONFLICT DO NOTHING", [(event_id, account, now) for event_id in event_ids])

    def take_lease(self, name: str, owner: str, now: float, duration: float) -> bool:
        return self._db.get().execute(
            "INSERT INTO postback_leases (name, owner, until) VALUES (%s, %s, %s) ON CONFLICT (name) DO UPDATE"
            " SET owner = excluded.owner, until = excluded.until"
            " WHERE postback_leases.owner = excluded.owner OR postback_leases.until <= %s RETURNING 1",
            (name, owner, now + duration, now)).fetchone() is not None

    # -- the API key registry ----------------------------------------------------------------------

    def put_apikey(self, apikey_hash: str, label: str, credentials: bytes, now: float) -> None:
        self._db.get().execute(
            "INSERT INTO cloud1_apikeys (apikey_hash, label, credentials, created_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (apikey_hash) DO UPDATE SET label = excluded.label, credentials = excluded.credentials,"
            " created_at = excluded.created_at", (apikey_hash, label, credentials, now))

    def apikey(self, apikey_hash: str) -> bytes | None:
        row = self._db.get().execute("SELECT credentials FROM cloud1_apikeys WHERE apikey_hash = %s",
                                     (apikey_hash,)).fetchone()
        return bytes(row[0]) if row else None

    def apikeys(self) -> list[tuple[str, float]]:
        return self._db.get().execute("SELECT label, created_at FROM cloud1_apikeys ORDER BY created_at").fetchall()

    def delete_apikey(self, apikey_hash: str) -> int:
        return self._db.get().execute("DELETE FROM cloud1_apikeys WHERE apikey_hash = %s", (apikey_hash,)).rowcount

    def apikey_tokens(self) -> list[bytes]:
        return [bytes(row[0]) for row in self._db.get().execute("SELECT credentials FROM cloud1_apikeys").fetchall()]

    def forget_account(self, account: str) -> int:
        with self._db.transaction() as db:
            dropped = db.execute("DELETE FROM cloud1_registrations WHERE account = %s", (account,)).rowcount
            db.execute("DELETE FROM postback_accounts WHERE account = %s", (account,))
            return dropped


def _row(row: tuple) -> OutboxRow:
    """BYTEA arrives as bytes (psycopg 3); the rest as SQLite's."""
    return OutboxRow(*row[:4], bytes(row[4]), *row[5:])
