"""The shadow mode's record: recent outcomes and running counts, in one SQLite file shared by every
gunicorn worker (bridge.store.sqlite: WAL, a connection per thread and process), or in PostgreSQL
(bridge.store.pg.shadow: one record for every replica) with the same statements.

Bounded: the last `keep` outcomes are kept, older ones deleted as new ones arrive; the counts
(per operation and status, plus `dropped`) count everything since the record was reset, which
`callfire-bridge serve` does at start-up. Nothing here holds credentials: an outcome keeps the
request's envelope without its SOAP Header (where WS-Security would put a password) and, when the
two answers differ, both answers up to BODY_LIMIT characters each (a longer one is not kept).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from os import PathLike
from pathlib import Path
from typing import Any

from bridge.compare.model import SAME, Answer, Difference, Explanation, Outcome
from bridge.store.sqlite import Connections, Statements, create_tables

BODY_LIMIT = 256 * 1024  # characters of each answer kept with an outcome that is not `same`
DROPPED = "dropped"  # the count of reads the queue had no room for

_SCHEMA = """
CREATE TABLE IF NOT EXISTS shadow_outcomes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    operation TEXT NOT NULL,
    status    TEXT NOT NULL,
    soap      TEXT NOT NULL,     -- the SOAP version the client sent
    outcome   TEXT NOT NULL      -- model.Outcome as JSON
);
CREATE TABLE IF NOT EXISTS shadow_counts (
    operation TEXT NOT NULL,
    status    TEXT NOT NULL,     -- same, expected, different, error, dropped
    n         INTEGER NOT NULL,
    PRIMARY KEY (operation, status)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS shadow_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""


@dataclass
class Stored:
    """An outcome as read back, with its row id (the page's anchor) and SOAP version."""

    id: int
    soap: str
    outcome: Outcome


@dataclass
class Counts:
    """Running counts per operation: {operation: Counter(status -> n)}."""

    by_operation: dict[str, Counter] = field(default_factory=dict)

    def totals(self) -> Counter:
        total: Counter = Counter()
        for counts in self.by_operation.values():
            total.update(counts)
        return total


class ShadowRecord(Statements):
    """The SQLite backend, and every statement of both: PostgreSQL (bridge.store.pg.shadow) gives its
    own connections, schema and placeholder."""

    def __init__(self, path: str | PathLike, keep: int = 500) -> None:
        self.path = Path(path)
        self.keep = keep
        self._db = Connections(self.path, synchronous="NORMAL")  # a count lost in a power cut is no harm
        with self._db.transaction() as db:
            create_tables(db, _SCHEMA)
        self._mark_started()

    def _mark_started(self) -> None:
        self._db.get().execute(self._sql("INSERT INTO shadow_meta VALUES ('started', ?) ON CONFLICT DO NOTHING"),
                               (_now(),))

    def reset(self) -> None:
        """Forget every outcome and count: a new run (the serve command, before its workers start)."""
        with self._db.transaction() as db:
            for table in ("shadow_outcomes", "shadow_counts", "shadow_meta"):
                db.execute(f"DELETE FROM {table}")
            db.execute(self._sql("INSERT INTO shadow_meta VALUES ('started', ?)"), (_now(),))

    def close(self) -> None:
        """Close this thread's connection (the serve command's, before gunicorn forks)."""
        self._db.close()

    def add(self, outcome: Outcome, soap: str) -> None:
        """Store one outcome, count it, and delete the oldest beyond `keep`."""
        data = json.dumps(_kept(outcome), ensure_ascii=False)
        with self._db.transaction() as db:
            db.execute(self._sql("INSERT INTO shadow_outcomes (operation, status, soap, outcome) VALUES (?, ?, ?, ?)"),
                       (outcome.operation, outcome.status, soap, data))
            self._bump(db, outcome.operation, outcome.status, 1)
            db.execute(self._sql("DELETE FROM shadow_outcomes WHERE id <= (SELECT MAX(id) FROM shadow_outcomes) - ?"),
                       (self.keep,))

    def count(self, pending: Counter) -> None:
        """Add counts kept in memory meanwhile: {(operation, status): n} (reads dropped by a full queue)."""
        with self._db.transaction() as db:
            for (operation, status), n in sorted(pending.items()):   # one order: no deadlock between workers
                self._bump(db, operation, status, n)

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
        """Kept outcomes, newest first; `statuses` / `operation` narrow them (empty: all)."""
        where, args = [], []
        if statuses:
            where.append(f"status IN ({', '.join('?' * len(statuses))})")
            args.extend(statuses)
        if operation:
            where.append("operation = ?")
            args.append(operation)
        sql = ("SELECT id, soap, outcome FROM shadow_outcomes" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY id DESC" + (" LIMIT ?" if limit is not None else ""))
        rows = self._db.get().execute(self._sql(sql), (*args, *(() if limit is None else (limit,)))).fetchall()
        return [Stored(int(row_id), soap, outcome_from(json.loads(data))) for row_id, soap, data in rows]

    def _bump(self, db: Any, operation: str, status: str, n: int) -> None:
        db.execute(self._sql("INSERT INTO shadow_counts VALUES (?, ?, ?) ON CONFLICT (operation, status)"
                             " DO UPDATE SET n = shadow_counts.n + excluded.n"), (operation, status, n))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _kept(outcome: Outcome) -> dict[str, Any]:
    """The outcome as stored: answers' bodies only where they differ, and bounded."""
    data = asdict(outcome)
    for side in ("primary", "candidate"):
        answer = data[side]
        if answer is None:
            continue
        if outcome.status == SAME or len(answer["body"]) > BODY_LIMIT:
            answer["body"] = ""
    return data


def outcome_from(data: dict[str, Any]) -> Outcome:
    differences = [Difference(**{**d, "explanation": Explanation(**d["explanation"]) if d["explanation"] else None,
                                 "related": tuple(d["related"])}) for d in data["differences"]]
    answers = {side: Answer(**data[side]) if data[side] else None for side in ("primary", "candidate")}
    return Outcome(**{**data, **answers, "differences": differences})

