"""One PostgreSQL database shared by every thread, worker process and replica: a connection per thread
and process (as bridge.store.sqlite), transactions at READ COMMITTED with row locks where two writers
could race, and the schema made idempotently under an advisory lock."""
from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bridge.store.sqlite import ThreadConnections

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10          # seconds to reach the server
LOCK_TIMEOUT = "10s"          # a statement waits this long for another transaction's row lock
SCHEMA_LOCK = 0x0CA11F12E     # pg_advisory_xact_lock key: one replica creates the tables at a time
# Connections a forked child got from its parent: kept referenced, since a collected connection's
# libpq finaliser would end the parent's session over the shared socket.
_INHERITED: list[psycopg.Connection] = []


def redacted(url: str) -> str:
    """`url` without its password, for logs and messages."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unparseable)"
    params.pop("password", None)
    return make_conninfo(**params)


class Connections(ThreadConnections):
    """This thread's connection to `url`; a new one after fork or after the server dropped it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"Connections({redacted(self.url)!r})"

    def get(self) -> psycopg.Connection:
        local = self._local
        db = getattr(local, "connection", None)
        if db is None or local.pid != os.getpid() or not usable(db):
            if db is not None and local.pid != os.getpid():
                _INHERITED.append(db)
            elif db is not None:
                db.close()
            db = connect(self.url)
            local.connection, local.pid = db, os.getpid()
        return db


    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """One transaction; rolled back on any exception."""
        db = self.get()
        with db.transaction():
            yield db


def usable(db: psycopg.Connection) -> bool:
    """Whether an idle connection may be used: an idle one the server has ended (a restart, an administrator,
    a keepalive that went unanswered) has its goodbye waiting on the socket. Checked without a round trip,
    before anything is sent, so a request is not lost to a connection that died while idle."""
    if db.closed or db.broken:
        return False
    readable, _, _ = select.select([db.fileno()], [], [], 0)
    return not readable


def connect(url: str) -> psycopg.Connection:
    """An autocommit connection (transactions are explicit); its errors never carry the password."""
    try:
        # keepalives: this side notices a server or network that went away in ~25 s, not the kernel's two hours.
        db = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, application_name="callfire-bridge",
                             keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=3)
    except psycopg.OperationalError as exc:
        # libpq's message names host and port, not the password; the URL is shown redacted.
        raise psycopg.OperationalError(f"PostgreSQL store {redacted(url)}: {exc}") from None
    db.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    return db


def create_tables(connections: Connections, schema: str) -> None:
    """Run `schema`'s `;`-separated statements (CREATE ... IF NOT EXISTS) in one transaction. Two replicas
    starting at once would otherwise race inside CREATE TABLE IF NOT EXISTS (a unique violation on
    pg_type): the advisory lock makes the second wait and then find the tables."""
    with connections.transaction() as db:
        db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        for statement in filter(str.strip, schema.split(";")):
            db.execute(statement)
