"""One SQLite file shared by every thread and worker process: a connection per thread and process,
and write transactions that take the lock first."""
from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT = 10.0          # seconds a writer waits for another process's transaction
_INHERITED: list[sqlite3.Connection] = []   # connections a forked child got from its parent


class ThreadConnections:
    """One connection per thread and process (`_local.connection`, `_local.pid`): the part the SQLite and
    PostgreSQL backends share."""

    _local: threading.local

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        db = getattr(self._local, "connection", None)
        if db is not None and self._local.pid == os.getpid():
            db.close()
            del self._local.connection, self._local.pid


class Connections(ThreadConnections):
    """This thread's connection to `path`; a new one after fork (a connection must not cross processes).
    `synchronous`: FULL where a lost commit costs (a duplicate call), NORMAL where it does not."""

    def __init__(self, path: str | os.PathLike, synchronous: str) -> None:
        self.path = Path(path)
        self.synchronous = synchronous
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        use_wal(self.get())

    def get(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            if hasattr(local, "connection"):
                _INHERITED.append(local.connection)   # the parent's: neither use nor close it
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            db.execute(f"PRAGMA synchronous = {self.synchronous}")
            local.connection, local.pid = db, os.getpid()
        return local.connection

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: take the write lock first, so two writers cannot both read "absent"."""
        db = self.get()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


class Statements:
    """SQL written once with `?` placeholders: SQLite runs it as it is, a PostgreSQL subclass sets
    `placeholder = "%s"` (psycopg's style) and gives its own connections and schema."""

    placeholder = "?"

    def _sql(self, statement: str) -> str:
        return statement if self.placeholder == "?" else _restyled(statement, self.placeholder)


@functools.lru_cache(maxsize=256)   # a store's statements are a few dozen constants: rewritten once each
def _restyled(statement: str, placeholder: str) -> str:
    return statement.replace("?", placeholder)


def use_wal(db: sqlite3.Connection) -> None:
    """Put the file in WAL mode (persistent: recorded in the file).  Switching needs the file to
    itself, and SQLite answers "database is locked" at once, without its busy handler, while another
    connection reads: gunicorn's workers opening a new store together hit that, so wait here."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def create_tables(db: sqlite3.Connection, schema: str) -> None:
    """Run `schema`'s `;`-separated statements (CREATE ... IF NOT EXISTS) in the caller's transaction."""
    for statement in filter(str.strip, schema.split(";")):
        db.execute(statement)
