"""Durable v1.1 `RequestId` de-duplication, shared by every worker process through one SQLite file.

Semantics follow Stripe's idempotency keys and the IETF Idempotency-Key draft:

- The key is (account, operation, request_id). `account` is an opaque value the caller
  derives (e.g. a hash of the login); credentials are never stored here.
- The first `claim` of a key answers "new" and records it as in flight, together with a
  fingerprint of the request (the caller's checksum of the parameters that matter).
- `complete` records the id that was created; later claims answer "replay" with it, so
  nothing is created twice, across restarts and across processes.
- A claim with the same key but another fingerprint answers "mismatch" (IETF: 422).
- A claim while the first is still in flight answers "in_flight" (IETF: 409, "retry later").
- `release` forgets an in-flight key after the upstream call failed, so a retry may proceed.

In-flight takeover, the trade-off: a worker that dies between `claim` and `complete` would
block its key for ever. So an in-flight claim older than `in_flight_timeout` is handed to
the next claimant as "new". If the first worker was not dead but only slow, both reach
CallFire and one call is placed twice; the first `complete` wins and is what replays return.
Keep `in_flight_timeout` well above the longest upstream call (timeout x attempts).

Retention: keys are kept for `retention` after their claim (the expiry policy to publish);
older rows are ignored and purged opportunistically, and a key reused after that is "new".
"""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

from bridge.store.sqlite import Connections

log = logging.getLogger(__name__)

PURGE_INTERVAL = 600.0       # seconds between opportunistic purges, per store instance

_SCHEMA = """
CREATE TABLE IF NOT EXISTS request_ids (
    account      TEXT    NOT NULL,
    operation    TEXT    NOT NULL,
    request_id   TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    created_id   INTEGER,              -- NULL while in flight
    claimed_at   REAL    NOT NULL,     -- unix seconds of the (last) claim
    completed_at REAL,
    PRIMARY KEY (account, operation, request_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS request_ids_claimed_at ON request_ids (claimed_at);
"""


@dataclass(frozen=True)
class Claim:
    status: Literal["new", "replay", "mismatch", "in_flight"]
    created_id: int | None = None


class IdempotencyStore:
    """RequestId de-duplication in a SQLite file (WAL; safe across threads and processes).

    `path` must be a file: every thread and process opens its own connection to it.
    `clock` (unix seconds) is for tests.
    """

    def __init__(self, path: str | os.PathLike, *, retention: timedelta = timedelta(days=30),
                 in_flight_timeout: timedelta = timedelta(minutes=10),
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._db = Connections(self.path, synchronous="FULL")   # a lost commit could mean a duplicate call
        self._retention = retention.total_seconds()
        self._in_flight_timeout = in_flight_timeout.total_seconds()
        self._clock = clock
        self._next_purge = 0.0
        with self._db.transaction() as db:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)

    def __repr__(self) -> str:
        return f"IdempotencyStore({str(self.path)!r})"

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        self._db.close()

    def claim(self, account: str, operation: str, request_id: str, fingerprint: str) -> Claim:
        """Claim a key before calling upstream; see the module docstring for the answers."""
        key = (account, operation, request_id)
        now = self._clock()
        with self._db.transaction() as db:
            if now >= self._next_purge:
                self._purge(db, now)
            row = db.execute(
                "SELECT fingerprint, created_id, claimed_at, completed_at FROM request_ids"
                " WHERE account = ? AND operation = ? AND request_id = ?", key).fetchone()
            if row is None or row[2] <= now - self._retention:
                db.execute("INSERT OR REPLACE INTO request_ids (account, operation, request_id,"
                           " fingerprint, claimed_at) VALUES (?, ?, ?, ?, ?)",
                           (*key, fingerprint, now))
                return Claim("new")
            stored_fingerprint, created_id, claimed_at, completed_at = row
            if stored_fingerprint != fingerprint:
                return Claim("mismatch")
            if completed_at is not None:
                return Claim("replay", created_id)
            if claimed_at > now - self._in_flight_timeout:
                return Claim("in_flight")
            db.execute("UPDATE request_ids SET claimed_at = ? WHERE account = ? AND operation = ?"
                       " AND request_id = ?", (now, *key))
            log.warning("idempotency: in-flight %s claim older than %.0f s taken over",
                        operation, self._in_flight_timeout)
            return Claim("new")

    def complete(self, account: str, operation: str, request_id: str, created_id: int) -> None:
        """Record the created id of a claimed key; the first completion of a key wins."""
        with self._db.transaction() as db:
            done = db.execute("UPDATE request_ids SET created_id = ?, completed_at = ?"
                              " WHERE account = ? AND operation = ? AND request_id = ?"
                              " AND completed_at IS NULL",
                              (created_id, self._clock(), account, operation, request_id))
        if done.rowcount == 0:
            log.warning("idempotency: %s completed for a key that is not in flight", operation)

    def release(self, account: str, operation: str, request_id: str) -> None:
        """Forget an in-flight key (upstream failed: a retry may proceed); completed keys stay."""
        with self._db.transaction() as db:
            db.execute("DELETE FROM request_ids WHERE account = ? AND operation = ?"
                       " AND request_id = ? AND completed_at IS NULL",
                       (account, operation, request_id))

    def purge(self) -> int:
        """Delete rows older than `retention`; returns how many."""
        with self._db.transaction() as db:
            return self._purge(db, self._clock())

    def _purge(self, db: sqlite3.Connection, now: float) -> int:
        self._next_purge = now + PURGE_INTERVAL
        return db.execute("DELETE FROM request_ids WHERE claimed_at <= ?",
                          (now - self._retention,)).rowcount


def account_key(authorization: str) -> str:
    """An opaque per-account key (hash of the Basic login); credentials are never stored."""
    scheme, _, token = authorization.partition(" ")
    subject = authorization
    if scheme.lower() == "basic":
        try:
            subject = base64.b64decode(token).decode("utf-8", "replace").partition(":")[0]
        except ValueError:
            pass
    return hashlib.sha256(subject.encode("utf-8")).hexdigest()[:32]
