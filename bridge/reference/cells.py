"""Plain-text cells shared by every renderer (terminal, markdown, the page), so a row
reads the same wherever it is shown."""
from __future__ import annotations

from bridge.reference.catalog import Entry


def target(entry: Entry) -> str:
    """The v2 side, with the fields behind an object or paging target:
    `body.localTimeRestriction.{enabled, beginHour, ...}`, `paging.count -> query.limit`."""
    if entry.v2 == "-":
        return "(not sent)" if entry.direction == "request" else "(nothing in v2)"
    fields = entry.v2_fields
    if not fields:
        return entry.v2 or "(the whole v2 value)"
    if not entry.v2:
        return ", ".join(fields)
    prefix = entry.v2 + "."
    if all(f.startswith(prefix) for f in fields):
        return prefix + "{" + ", ".join(f[len(prefix):] for f in fields) + "}"
    return f"{entry.v2} -> {', '.join(fields)}"


def how(entry: Entry) -> str:
    """How the value travels: its converter, the entity table of each item, or another row."""
    if entry.entity:
        return f"entity {entry.entity}"
    if entry.via:
        return f"via {entry.via}"
    return entry.convert


def default(entry: Entry) -> str:
    if entry.required:
        return "required"
    return '""' if entry.default == "" else entry.default or ""


def value(text: str) -> str:
    """One side of an enum row; v1.1 or v2 may have no value."""
    return text or "(none)"
