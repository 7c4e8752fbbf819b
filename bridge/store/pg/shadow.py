"""The shadow mode's record in PostgreSQL: bridge.compare.record's statements (read its docstring) on this
backend's connections, with its schema. One record for every replica: `/compare` on any of them shows them all."""
from __future__ import annotations

from bridge.compare.record import ShadowRecord
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


class PgShadowRecord(ShadowRecord):
    """ShadowRecord's statements on PostgreSQL connections."""

    placeholder = "%s"

    def __init__(self, url: str, keep: int = 500) -> None:
        self.url = url
        self.keep = keep
        self._db = Connections(url)
        create_tables(self._db, _SCHEMA)
        self._mark_started()

    def __repr__(self) -> str:
        return f"PgShadowRecord({redacted(self.url)!r})"
