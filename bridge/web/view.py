"""What the /mappings page shows: the catalog's tables as sections of rows, each row with the
text the search looks in, and the filters read from the query string.

The filter rule lives here once: page.js applies the same one (words split on spaces and
"=", all in the row's `data-search`; the operation in `data-ops`; `data-lossy`), so a shared
URL shows the same rows with or without JavaScript.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Iterable, Mapping

from bridge.reference import cells
from bridge.reference.catalog import Catalog, Entry, Operation, Table, catalog, enum_of

ARROWS = {"request": ("→", "request: v1.1 → v2"), "response": ("←", "response: v2 → v1.1"),
          "both": ("↔", "both ways")}
GROUPS = (
    ("operation", "Operations", "Each served v1.1 operation, the v2 endpoint that replaces it, and its fields."),
    ("entity", "Entities", "Each v2 object in a response becomes its v1.1 element by these rows."),
    ("enum", "Enumerations", "Enumeration values each way. Direction: both = each way; request = a v1.1 "
                             "value only ever sent; response = a v2 value read into v1.1."),
    ("errors", "Faults", "How a v2 failure reaches the v1.1 client (svc:ServiceFaultInfo)."),
    ("postback", "Postbacks", "The XML the bridge POSTs to a cloud/1 postUrl, from v2 events."),
)


@dataclass(frozen=True)
class Row:
    entry: Entry
    search: str  # lower-case text the search looks in

    @property
    def v1(self) -> str:
        return cells.value(self.entry.v1)

    @property
    def v2(self) -> str:
        return cells.target(self.entry) if self.entry.kind == "field" else cells.value(self.entry.v2)

    @property
    def how(self) -> str:
        return cells.how(self.entry)

    @property
    def default(self) -> str:
        return cells.default(self.entry)

    @property
    def arrow(self) -> tuple[str, str]:
        return ARROWS[self.entry.direction]


@dataclass(frozen=True)
class Section:
    """One catalog table: its heading, and for enumerations the fields that convert with it."""

    table: Table
    operation: Operation | None
    rows: tuple[Row, ...]
    users: tuple[Entry, ...] = ()

    @property
    def anchor(self) -> str:
        """As docs/mappings.md names its headings."""
        return self.table.name.lower()

    @property
    def has_how(self) -> bool:
        return any(row.entry.kind in ("field", "v2_only") for row in self.rows)

    def scoped(self, operation: str) -> Section:
        rows = tuple(r for r in self.rows if operation in r.entry.operations)
        return Section(self.table, self.operation, rows, tuple(u for u in self.users if operation in u.operations))


@dataclass(frozen=True)
class Group:
    kind: str
    title: str
    intro: str
    sections: tuple[Section, ...]


def search_text(entry: Entry, users: Iterable[Entry]) -> str:
    """The catalog's haystack; an enum value also answers to the fields that carry it, so
    that `FinalResult=INVALID_NUMBER` finds the CallResult value INVALID_NUMBER."""
    return " ".join((entry.haystack(), *(user.v1.lower() for user in users)))


def _users(book: Catalog) -> Mapping[str, tuple[Entry, ...]]:
    fields = [e for e in book.entries if e.kind == "field" and enum_of(e.convert)]
    return {t.name: tuple(f for f in fields if enum_of(f.convert) == t.name) for t in book.tables if t.kind == "enum"}


@cache
def layout() -> tuple[Group, ...]:
    """Every table of the bridge's catalog, grouped as docs/mappings.md groups them."""
    book = catalog()
    users = _users(book)
    sections = [Section(t, book.operation(t.name) if t.kind == "operation" else None,
                        tuple(Row(e, search_text(e, users.get(t.name, ()))) for e in book.in_table(t.name)),
                        users.get(t.name, ()))
                for t in book.tables]
    return tuple(Group(kind, title, intro, tuple(s for s in sections if s.table.kind == kind))
                 for kind, title, intro in GROUPS)


def scoped(groups: tuple[Group, ...], operation: str) -> tuple[Group, ...]:
    """Only the rows one operation's request or response touches."""
    result = []
    for group in groups:
        sections = tuple(s for s in (section.scoped(operation) for section in group.sections) if s.rows)
        result.append(Group(group.kind, group.title, group.intro, sections))
    return tuple(g for g in result if g.sections)


def words(text: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[\s=]+", text.lower()) if w)


@dataclass(frozen=True)
class Filters:
    text: str = ""
    operation: str = ""  # "" = every operation
    lossy: bool = False

    @classmethod
    def parse(cls, params: Mapping[str, str], operations: Iterable[Operation]) -> Filters:
        """Unknown operations are ignored (the select offers only served ones)."""
        wanted = params.get("op", "").lower()
        operation = next((op.name for op in operations if op.name.lower() == wanted), "")
        return cls(params.get("q", "").strip(), operation, params.get("lossy", "") in ("1", "on", "true"))

    @property
    def active(self) -> bool:
        return bool(words(self.text) or self.operation or self.lossy)

    def keeps(self, row: Row) -> bool:
        return ((not self.operation or self.operation in row.entry.operations)
                and (not self.lossy or row.entry.lossy)
                and all(w in row.search for w in words(self.text)))


def count_text(shown: int, total: int, active: bool) -> str:
    """page.js writes the same sentence."""
    return f"{shown} of {total} rows match" if active else f"{total} rows"


@dataclass(frozen=True)
class Hidden:
    """What the filters hide, rendered as `hidden` attributes (page.js recomputes it live)."""

    rows: frozenset[str]  # entry ids
    sections: frozenset[str]  # anchors
    groups: frozenset[str]  # kinds
    shown: int
    total: int


def hide(groups: Iterable[Group], filters: Filters) -> Hidden:
    rows: set[str] = set()
    sections: set[str] = set()
    empty_groups: set[str] = set()
    total = 0
    for group in groups:
        for section in group.sections:
            kept = [row for row in section.rows if filters.keeps(row)]
            rows |= {row.entry.id for row in section.rows} - {row.entry.id for row in kept}
            total += len(section.rows)
            if not kept:
                sections.add(section.anchor)
        if all(section.anchor in sections for section in group.sections):
            empty_groups.add(group.kind)
    return Hidden(frozenset(rows), frozenset(sections), frozenset(empty_groups), total - len(rows), total)
