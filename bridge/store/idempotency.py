"""Durable v1.1 `RequestId` de-duplication, shared by every worker process through one SQLite file.

Semantics follow Stripe's idempotency keys and the IETF Idempotency-Key draft:

- The key is (account, operation, request_id). `account` is an opaque value the caller
  derives (e.g. a hash of the login); credentials are never stored here.
- The first `claim` of a key answers "new" and records it as in flight, together with a
  fingerprint of the request (the caller's checksum of the parameters that matter).
- `complete` records the id that was created; later claims answer "replay" with it, so
  nothing is created twice, across restarts and across processes.
- A claim with the same key but another fingerprint answers "mismatch" (IETF: 422).
- A claim while the first is still in flight in a live process answers "in_flight" (IETF: 409,
  "retry later").
- `release` forgets an in-flight key after upstream refused the request, so a retry may proceed.
- `unknown` records that the upstream outcome is unknown (a timeout, a reset): the next claim
  answers "reconcile", as does a claim whose owner process has died (a worker killed between
  `claim` and `complete`).  "reconcile" hands the key to the claimant, who must ask upstream
  what happened (bridge.orchestrate.markers) before sending anything: no time window decides.

The owner of an in-flight claim is its process (host, pid and the pid's start time, so a reused
pid is not mistaken for it).  A process on another host cannot be checked and is taken as alive
(the store is a local SQLite file: one host).

Retention: keys are kept for `retention` after their claim (the expiry policy to publish);
older rows are ignored and purged opportunistically, and a key reused after that is "new".
"""
from __future__ import annotations

import base64
import hashlib
import logging
import os
import socket
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

from bridge.store.sqlite import Connections, create_tables

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
    owner        TEXT,                 -- the claiming process while in flight, NULL when the outcome is unknown
    PRIMARY KEY (account, operation, request_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS request_ids_claimed_at ON request_ids (claimed_at);
"""


@dataclass(frozen=True)
class Claim:
    status: Literal["new", "replay", "mismatch", "in_flight", "reconcile"]
    created_id: int | None = None


class IdempotencyStore:
    """RequestId de-duplication in a SQLite file (WAL; safe across threads and processes).

    `path` must be a file: every thread and process opens its own connection to it.
    `clock` (unix seconds) is for tests.
    """

    def __init__(self, path: str | os.PathLike, *, retention: timedelta = timedelta(days=30),
                 clock: Callable[[], float] = time.time,
                 alive: Callable[[str], bool] | None = None) -> None:
        self.path = Path(path)
        self._db = Connections(self.path, synchronous="FULL")   # a lost commit could mean a duplicate call
        self._retention = retention.total_seconds()
        self._clock = clock
        self._alive = alive or owner_alive
        self._next_purge = 0.0
        with self._db.transaction() as db:
            create_tables(db, _SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(request_ids)")}
            if "owner" not in columns:  # a store written before owners were recorded
                db.execute("ALTER TABLE request_ids ADD COLUMN owner TEXT")

    def __repr__(self) -> str:
        return f"IdempotencyStore({str(self.path)!r})"

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        self._db.close()

    def owner(self) -> str:
        """This process as the owner its claims record."""
        return current_owner()

    def claim(self, account: str, operation: str, request_id: str, fingerprint: str) -> Claim:
        """Claim a key before calling upstream; see the module docstring for the answers."""
        key = (account, operation, request_id)
        now = self._clock()
        with self._db.transaction() as db:
            if now >= self._next_purge:
                self._purge(db, now)
            row = db.execute(
                "SELECT fingerprint, created_id, claimed_at, completed_at, owner FROM request_ids"
                " WHERE account = ? AND operation = ? AND request_id = ?", key).fetchone()
            if row is None or row[2] <= now - self._retention:
                db.execute("INSERT OR REPLACE INTO request_ids (account, operation, request_id,"
                           " fingerprint, claimed_at, owner) VALUES (?, ?, ?, ?, ?, ?)",
                           (*key, fingerprint, now, current_owner()))
                return Claim("new")
            answer = existing(row, fingerprint, self._alive)
            if answer is not None:
                return answer
            owner = row[4]
            db.execute("UPDATE request_ids SET claimed_at = ?, owner = ? WHERE account = ? AND operation = ?"
                       " AND request_id = ?", (now, current_owner(), *key))
            log.info("idempotency: %s claim to reconcile (%s)", operation,
                     "outcome unknown" if owner is None else "its process has gone")
            return Claim("reconcile")

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

    def unknown(self, account: str, operation: str, request_id: str) -> None:
        """Record that upstream's outcome is unknown: the next claim reconciles it."""
        with self._db.transaction() as db:
            db.execute("UPDATE request_ids SET owner = NULL WHERE account = ? AND operation = ?"
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


def existing(row: tuple, fingerprint: str, alive: Callable[[str], bool]) -> Claim | None:
    """The answer to a claim of a live key (fingerprint, created_id, claimed_at, completed_at, owner);
    None: the claimant takes it over to reconcile (its outcome is unknown, or its owner has gone)."""
    stored_fingerprint, created_id, _, completed_at, owner = row
    if stored_fingerprint != fingerprint:
        return Claim("mismatch")
    if completed_at is not None:
        return Claim("replay", created_id)
    if owner is not None and alive(owner):
        return Claim("in_flight")
    return None


def _process_stat(pid: int) -> tuple[str, str]:
    """(state, start time in clock ticks since boot) of process `pid`; ("", "") when it cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "", ""
    fields = stat.rpartition(")")[2].split()   # counted after the command name: field 3 is fields[0]
    return fields[0], fields[19]


def owner_alive(owner: str) -> bool:
    """Whether the process that wrote `owner` (host:pid:start) still runs."""
    host, _, rest = owner.partition(":")
    pid, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # cannot tell: keep it in flight
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    state, started = _process_stat(int(pid))
    if state in ("Z", "X"):
        # Killed and not yet reaped (its parent died too, and PID 1 in a container may never reap it):
        # a zombie holds its pid and start time but finishes nothing.
        return False
    return not start or started in ("", start)


def current_owner() -> str:
    """This process as a claim's owner (computed per call: gunicorn forks workers after import)."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_stat(pid)[1]}"


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
