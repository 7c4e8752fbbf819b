"""`callfire-bridge mappings ...`: the catalog in a terminal (rich tables that wrap to its
width) or as JSON for scripts.  Each command returns its exit code: 1 when nothing matched."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterable

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from bridge.reference import cells
from bridge.reference.catalog import Catalog, Entry, Operation, catalog
from bridge.reference.export import EXPORTERS
from bridge.reference.lookup import LookupResult, close_matches, lookup


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _table(title: str, columns: Iterable[str], rows: Iterable[Iterable[str]]) -> Table:
    """Few columns and no side borders, so that a table fits 80 columns; long cells wrap."""
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


def _how(entry: Entry) -> str:
    """Converter, default and any fate but the usual one, in one cell."""
    default = cells.default(entry)
    parts = [cells.how(entry), f"default {default}" if default and not entry.required else default,
             "" if entry.fate == "carried" else entry.fate]
    return ", ".join(p for p in parts if p)


def field_table(title: str, entries: Iterable[Entry], *, qualified: bool = False) -> Table:
    """`qualified`: name each field Table.path, as `lookup` accepts it back."""
    return _table(title, ("v1.1", "v2", "how", "note"), (
        (f"{e.table}.{e.v1}" if qualified else e.v1, cells.target(e), _how(e), e.note) for e in entries))


def v2_only_table(title: str, entries: Iterable[Entry]) -> Table:
    return _table(title, ("table", "v2", "note"), ((e.table, e.v2, e.note) for e in entries))


def enum_table(title: str, entries: Iterable[Entry]) -> Table:
    return _table(title, ("table", "v1.1", "v2", "direction", "lossy", "note"), (
        (e.table, cells.value(e.v1), cells.value(e.v2), e.direction, "lossy" if e.lossy else "", e.note)
        for e in entries))


def operations_table(operations: Iterable[Operation]) -> Table:
    return _table("v1.1 operations served by the bridge",
                  ("operation", "port", "v1.1 request -> response", "v2", "summary"),
                  ((op.name, op.port, f"{op.request}\n-> {op.response}", "\n".join(op.endpoints), op.summary)
                   for op in operations))


def list_operations(as_json: bool) -> int:
    ops = catalog().operations
    if as_json:
        _print_json({"operations": [op.as_dict() for op in ops]})
    else:
        _console().print(operations_table(ops))
    return 0


def show(name: str, as_json: bool) -> int:
    book = catalog()
    op = book.operation(name)
    if op is None:
        return _no_match(LookupResult(name, "none", (), (), suggestions=close_matches(
            name, [o.name for o in book.operations])), as_json)
    rows = book.in_table(op.name)
    request = [e for e in rows if e.kind == "field" and e.direction == "request"]
    response = [e for e in rows if e.kind == "field" and e.direction == "response"]
    v2_only = [e for e in rows if e.kind == "v2_only"]
    if as_json:
        _print_json({"operation": op.as_dict(), "request": [e.as_dict() for e in request],
                     "response": [e.as_dict() for e in response], "v2_only": [e.as_dict() for e in v2_only],
                     "entities": {t: [e.as_dict() for e in book.in_table(t)] for t in op.entities},
                     "enums": list(op.enums)})
        return 0
    parts: list[Any] = [
        Text(f"{op.name} ({op.port}): {op.request} -> {op.response}", style="bold"),
        Text(f"v2: {', '.join(op.endpoints)}"), Text(op.summary)]
    parts += [Text(f"rule: {rule}") for rule in op.rules]
    parts += [field_table(f"Request {op.request} -> {', '.join(op.endpoints)}", request),
              field_table(f"Response {op.response}", response)]
    if v2_only:
        parts.append(v2_only_table("v2 fields and parameters with no v1.1 place", v2_only))
    for table in op.entities:
        heading = next(t for t in book.tables if t.name == table)
        entries = book.in_table(table)
        parts.append(field_table(f"Entity {table}: {heading.v1} <- v2 {heading.v2}",
                                 (e for e in entries if e.kind == "field")))
        extra = [e for e in entries if e.kind == "v2_only"]
        if extra:
            parts.append(v2_only_table(f"{table}: v2 fields with no v1.1 place", extra))
    if op.enums:
        parts.append(Text(f"enums: {', '.join(op.enums)}  (callfire-bridge mappings lookup NAME)"))
    _console().print(Group(*parts))
    return 0


def find(terms: list[str], as_json: bool) -> int:
    book = catalog()
    try:
        result = lookup(book, *terms)
    except ValueError as exc:
        sys.stderr.write(f"callfire-bridge mappings lookup: {exc}\n")
        return 2
    if not result.found:
        return _no_match(result, as_json)
    if as_json:
        _print_json(result.as_dict())
    else:
        _console().print(Group(*_lookup_parts(book, result)))
    return 0


def _lookup_parts(book: Catalog, result: LookupResult) -> list[Any]:
    parts: list[Any] = [] if result.kind == "enum" else [
        Text(f"{op.name} ({op.port}) -> {', '.join(op.endpoints)}", style="bold") for op in result.operations]
    if result.kind == "operation":
        op = result.operations[0]
        return parts + [Text(op.summary), Text(f"details: callfire-bridge mappings show {op.name}")]
    fields = [e for e in result.entries if e.kind == "field"]
    if fields:
        parts.append(field_table(f"fields matching {result.query!r}", fields, qualified=True))
    v2_only = [e for e in result.entries if e.kind == "v2_only"]
    if v2_only:
        parts.append(v2_only_table("v2 only: no v1.1 field", v2_only))
    values = [e for e in result.entries if e.kind == "enum"]
    if values:
        parts.append(enum_table(f"enum values matching {result.query!r}", values))
    if result.related:
        parts.append(_table("fields that carry these values", ("v1.1", "v2", "converter"),
                            ((f"{e.table}.{e.v1}", cells.target(e), cells.how(e)) for e in result.related)))
    return parts


def _no_match(result: LookupResult, as_json: bool) -> int:
    if as_json:
        _print_json(result.as_dict())
    else:
        hint = f"; did you mean: {', '.join(result.suggestions)}?" if result.suggestions else ""
        sys.stdout.write(f"no match for {result.query!r}{hint}\n")
    return 1


def export(fmt: str, output: str | None) -> int:
    text = EXPORTERS[fmt](catalog())
    if output is None:
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
        sys.stdout.write(f"{output}: {len(catalog().entries)} entries ({fmt})\n")
    return 0
