"""The shadow mode's record in PostgreSQL: the interface of bridge.compare.record (read its docstring),
every SQL statement of it here. One record for every replica: `/compare` on any of them shows them all."""
from __future__ import annotations

import json
from collections import Counter

import psycopg

from bridge.compare.model import Outcome
from bridge.compare.record import Counts, Stored, _kept, _now, outcome_from
from bridge.store.pg.connections import Connections, create_tables, redacted

_SCHEMA = """
CREATE TABLE IF NOT EXISTS shadow_outcomes (
    id        BIGSERIAL PRIMARY KEY,
    operation TEXT NOT NULL,
    status    TEXT NOT NULL,
    soap      TEXT NOT NULL,     -- the SOAP version the client sent
    outcome   TEXT NOT NULL      -- model.Outcome as JSON
);
CREATE TABLE IF NOT EXISTS shadow_counts (
    operation TEXT NOT NULL,
    status    TEXT NOT NULL,     -- same, expected, different, error, dropped
    n         BIGINT NOT NULL,
    PRIMARY KEY (operation, status)
);
CREATE TABLE IF NOT EXISTS shadow_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)
"""


class PgShadowRecord:
    def __init__(self, url: str, keep: int = 500) -> None:
        self.url = url
        self.keep = keep
        self._db = Connections(url)
        create_tables(self._db, _SCHEMA)
        self._db.get().execute("INSERT INTO shadow_meta VALUES ('started', %s) ON CONFLICT DO NOTHING", (_now(),))

    def __repr__(self) -> str:
        return f"PgShadowRecord({redacted(self.url)!r})"

    def reset(self) -> None:
        with self._db.transaction() as db:
            db.execute("TRUNCATE shadow_outcomes, shadow_counts, shadow_meta")
            db.execute("INSERT INTO shadow_meta VALUES ('started', %s)", (_now(),))

    def close(self) -> None:
        self._db.close()

    def add(self, outcome: Outcome, soap: str) -> None:
        data = json.dumps(_kept(outcome), ensure_ascii=False)
        with self._db.transaction() as db:
            (row_id,) = db.execute("INSERT INTO shadow_outcomes (operation, status, soap, outcome)"
                                   " VALUES (%s, %s, %s, %s) RETURNING id",
                                   (outcome.operation, outcome.status, soap, data)).fetchone()
            _bump(db, outcome.operation, outcome.status, 1)
            db.execute("DELETE FROM shadow_outcomes WHERE id <= %s", (row_id - self.keep,))

    def count(self, pending: Counter) -> None:
        with self._db.transaction() as db:
            for (operation, status), n in sorted(pending.items()):   # one order: no deadlock between workers
                _bump(db, operation, status, n)

    def started(self) -> str:
        row = self._db.get().execute("SELECT value FROM shadow_meta WHERE name = 'started'").fetchone()
        return row[0] if row else ""

    def counts(self) -> Counts:
        counts = Counts()
        for operation, status, n in self._db.get().execute(
                "SELECT operation, status, n FROM shadow_counts ORDER BY operation"):
            counts.by_operation.setdefault(operation, Counter())[status] = int(n)
        return counts

    def recent(self, limit: int | None = None, *, statuses: tuple[str, ...] = (),
               operation: str = "") -> list[Stored]:
        where, args = [], []
        if statuses:
            where.append("status = ANY(%s)")
            args.append(list(statuses))
        if operation:
            where.append("operation = %s")
            args.append(operation)
        sql = ("SELECT id, soap, outcome FROM shadow_outcomes" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY id DESC" + (" LIMIT %s" if limit is not None else ""))
        rows = self._db.get().execute(sql, (*args, *(() if limit is None else (limit,)))).fetchall()
        return [Stored(int(row_id), soap, outcome_from(json.loads(data))) for row_id, soap, data in rows]


def _bump(db: psycopg.Connection, operation: str, status: str, n: int) -> None:
    db.execute("INSERT INTO shadow_counts VALUES (%s, %s, %s) ON CONFLICT (operation, status)"
               " DO UPDATE SET n = shadow_counts.n + excluded.n", (operation, status, n))
