"""RequestId de-duplication in PostgreSQL: the interface and answers of bridge.store.idempotency (read
its docstring), for replicas on many hosts.

What differs from SQLite, which locks the whole file for each claim:
- the first claim of a key is an INSERT ... ON CONFLICT DO NOTHING: of two replicas claiming at once,
  one inserts and the other waits for that transaction, then reads the row FOR UPDATE and answers
  "in_flight" (or "replay"), so exactly one sends;
- a claim's owner is a PostgreSQL session its process holds open while it lives ("pg:PID:START:SERVER":
  pg_stat_activity's pid and backend_start, and the server's pg_postmaster_start_time), not a host's
  pid: a replica killed on any host ends its session, and its in-flight claims are reconciled by the
  next claimant, as a dead worker's are on one host;
- but a session that ended with its server (a restart, a failover: the server now answering started
  after it) says nothing of its process, which may still be sending the create: such a claim stays
  in flight until `longest_request` has passed since it was made (the request deadline bounds every
  v2 request a claimant sends), and only then is it reconciled.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import psycopg

from bridge.store.idempotency import PURGE_INTERVAL, Claim, existing
from bridge.store.pg.connections import _INHERITED, Connections, connect, create_tables, redacted, usable

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS request_ids (
    account      TEXT             NOT NULL,
    operation    TEXT             NOT NULL,
    request_id   TEXT             NOT NULL,
    fingerprint  TEXT             NOT NULL,
    created_id   BIGINT,                    -- NULL while in flight
    claimed_at   DOUBLE PRECISION NOT NULL, -- unix seconds of the (last) claim
    completed_at DOUBLE PRECISION,
    owner        TEXT,                      -- the claiming process's session while in flight, NULL: outcome unknown
    PRIMARY KEY (account, operation, request_id)
);
CREATE INDEX IF NOT EXISTS request_ids_claimed_at ON request_ids (claimed_at)
"""
_KEY = "account = %s AND operation = %s AND request_id = %s"


class Session:
    """This process's liveness session: opened on first use (after gunicorn's fork), held until exit."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        self._pid = 0
        self._db: psycopg.Connection | None = None
        self._owner = ""

    def owner(self) -> str:
        with self._lock:
            db = self._db
            if db is None or self._pid != os.getpid() or not usable(db):
                if db is not None and self._pid != os.getpid():
                    _INHERITED.append(db)
                elif db is not None:
                    db.close()
                db = self._db = connect(self.url)
                # A host that vanishes (power, network) sends no FIN: the server probes the idle session
                # and ends it after ~25 s, instead of the kernel's default two hours.
                for name, value in (("idle", 10), ("interval", 5), ("count", 3)):
                    db.execute(f"SET tcp_keepalives_{name} = {value}")
                pid, start, server = db.execute(
                    "SELECT pid, extract(epoch FROM backend_start), extract(epoch FROM pg_postmaster_start_time())"
                    " FROM pg_stat_activity WHERE pid = pg_backend_pid()").fetchone()
                self._owner, self._pid = f"pg:{pid}:{start}:{server}", os.getpid()
            return self._owner


class PgIdempotencyStore:
    """RequestId de-duplication in the PostgreSQL database at `url` (shared by every replica)."""

    def __init__(self, url: str, *, retention: timedelta = timedelta(days=30),
                 longest_request: timedelta = timedelta(seconds=65),
                 clock: Callable[[], float] = time.time,
                 alive: Callable[[str], bool] | None = None) -> None:
        self.url = url
        self._db = Connections(url)
        self._session = Session(url)
        self._retention = retention.total_seconds()
        self._longest_request = longest_request.total_seconds()
        self._clock = clock
        self._alive = alive or self.session_alive
        self._next_purge = 0.0
        create_tables(self._db, _SCHEMA)

    def __repr__(self) -> str:
        return f"PgIdempotencyStore({redacted(self.url)!r})"

    def close(self) -> None:
        self._db.close()

    def owner(self) -> str:
        return self._session.owner()

    def session_alive(self, owner: str) -> bool:
        """Whether the session `owner` names still runs (its process holds it until it exits)."""
        kind, pid, start, *_ = [*owner.split(":"), "", ""]
        if kind != "pg" or not pid.isdigit():
            return True   # not a session: cannot tell, keep it in flight
        # backend_start is NULL for another role's session without pg_read_all_stats: then the pid decides.
        return bool(self._db.get().execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s AND (backend_start IS NULL"
            " OR extract(epoch FROM backend_start) = %s::numeric))", (int(pid), start)).fetchone()[0])

    def claim(self, account: str, operation: str, request_id: str, fingerprint: str) -> Claim:
        key = (account, operation, request_id)
        now = self._clock()
        if now >= self._next_purge:
            self._purge(now)
        owner = self.owner()
        while True:
            with self._db.transaction() as db:
                if db.execute("INSERT INTO request_ids (account, operation, request_id, fingerprint, claimed_at,"
                              " owner) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
                              (*key, fingerprint, now, owner)).fetchone():
                    return Claim("new")
                row = db.execute("SELECT fingerprint, created_id, claimed_at, completed_at, owner FROM request_ids"
                                 f" WHERE {_KEY} FOR UPDATE", key).fetchone()
                if row is None:
                    continue   # released or purged between the two statements: claim again
                if row[2] <= now - self._retention:
                    db.execute("UPDATE request_ids SET fingerprint = %s, created_id = NULL, claimed_at = %s,"
                               f" completed_at = NULL, owner = %s WHERE {_KEY}", (fingerprint, now, owner, *key))
                    return Claim("new")
                answer = existing(row, fingerprint, self._alive)
                if answer is not None:
                    return answer
                if row[4] is not None and row[2] > now - self._longest_request and _ended_with_server(db, row[4]):
                    return Claim("in_flight")   # its process may still be sending: see the module docstring
                db.execute(f"UPDATE request_ids SET claimed_at = %s, owner = %s WHERE {_KEY}", (now, owner, *key))
            log.info("idempotency: %s claim to reconcile (%s)", operation,
                     "outcome unknown" if row[4] is None else "its process has gone")
            return Claim("reconcile")

    def complete(self, account: str, operation: str, request_id: str, created_id: int) -> None:
        with self._db.transaction() as db:
            done = db.execute(f"UPDATE request_ids SET created_id = %s, completed_at = %s WHERE {_KEY}"
                              " AND completed_at IS NULL", (created_id, self._clock(), account, operation, request_id))
        if done.rowcount == 0:
            log.warning("idempotency: %s completed for a key that is not in flight", operation)

    def release(self, account: str, operation: str, request_id: str) -> None:
        with self._db.transaction() as db:
            db.execute(f"DELETE FROM request_ids WHERE {_KEY} AND completed_at IS NULL",
                       (account, operation, request_id))

    def unknown(self, account: str, operation: str, request_id: str) -> None:
        with self._db.transaction() as db:
            db.execute(f"UPDATE request_ids SET owner = NULL WHERE {_KEY} AND completed_at IS NULL",
                       (account, operation, request_id))

    def purge(self) -> int:
        return self._purge(self._clock())

    def _purge(self, now: float) -> int:
        # SKIP LOCKED: replicas purging at once never wait on (or deadlock over) each other's rows.
        self._next_purge = now + PURGE_INTERVAL
        with self._db.transaction() as db:
            return db.execute("DELETE FROM request_ids WHERE ctid IN (SELECT ctid FROM request_ids"
                              " WHERE claimed_at <= %s FOR UPDATE SKIP LOCKED)", (now - self._retention,)).rowcount


def _ended_with_server(db: psycopg.Connection, owner: str) -> bool:
    """Whether the session `owner` names ran on a server instance that is no longer the one answering
    (restarted, or another after a failover); an owner written before servers were recorded: no."""
    server = owner.split(":")[3:4]
    if not server:
        return False
    now_serving = db.execute("SELECT extract(epoch FROM pg_postmaster_start_time())").fetchone()[0]
    return str(now_serving) != server[0]
