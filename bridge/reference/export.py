"""The whole catalog as markdown (docs/mappings.md), CSV or JSON: one row per entry."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from typing import Callable, Iterable

from bridge.reference import cells
from bridge.reference.catalog import Catalog, Entry, Table

REGENERATE = "callfire-bridge mappings export --format markdown --output docs/mappings.md"
COLUMNS = tuple(f.name for f in fields(Entry))
FATES = (
    ("carried", "the value travels unchanged in meaning (the converter checks its form)"),
    ("lossy", "part of the value cannot travel; the note says what is lost"),
    ("bridge", "used by the bridge itself, not sent to v2"),
    ("ignored", "not carried: a read-only v1.1 input that is dropped, or a v1.1 element v2 has nothing for"),
    ("v2_only", "a v2 field or parameter that no v1.1 field maps to"),
)


def to_json(catalog: Catalog) -> str:
    document = {"operations": [op.as_dict() for op in catalog.operations],
                "tables": [t.as_dict() for t in catalog.tables],
                "entries": [e.as_dict() for e in catalog.entries]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_csv(catalog: Catalog) -> str:
    """One line per entry; lists (operations, v2_fields) are space separated."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in catalog.entries:
        writer.writerow([_csv_value(value) for value in entry.as_dict().values()])
    return out.getvalue()


def _csv_value(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _code(text: str) -> str:
    """A name or path as code; descriptions in parentheses stay prose."""
    return f"`{_cell(text)}`" if text and not text.startswith("(") else text


def _row(*cells_: str) -> str:
    return "| " + " | ".join(cells_) + " |"


def _table(header: tuple[str, ...], rows: Iterable[str]) -> list[str]:
    rows = list(rows)
    if not rows:
        return []
    return [_row(*header), _row(*("---" for _ in header)), *rows, ""]


def _field_rows(entries: Iterable[Entry]) -> list[str]:
    def row(e: Entry) -> str:
        how = f"[{e.entity}](#{e.entity.lower()})" if e.entity else _code(cells.how(e))
        default = cells.default(e) if e.required else _code(cells.default(e))
        return _row(_code(e.v1), _code(cells.target(e)), how, default, e.fate, _cell(e.note))
    return _table(("v1.1", "v2", "converter", "default", "fate", "note"), (row(e) for e in entries))


def _v2_only_rows(entries: Iterable[Entry]) -> list[str]:
    return _table(("v2 only", "note"), (_row(_code(e.v2), _cell(e.note)) for e in entries))


def _enum_rows(entries: Iterable[Entry]) -> list[str]:
    return _table(("v1.1", "v2", "direction", "lossy", "note"), (
        _row(_code(cells.value(e.v1)), _code(cells.value(e.v2)), e.direction, "lossy" if e.lossy else "",
             _cell(e.note)) for e in entries))


def _fault_rows(entries: Iterable[Entry]) -> list[str]:
    return _table(("v2", "v1.1 FaultCode", "note"), (_row(_code(e.v2), _code(e.v1), _cell(e.note)) for e in entries))


def _links(names: Iterable[str]) -> str:
    return ", ".join(f"[{n}](#{n.lower()})" for n in names) or "none"


def _operation_section(catalog: Catalog, name: str) -> list[str]:
    op = catalog.operation(name)
    assert op is not None
    rows = catalog.in_table(name)
    lines = [f"## {op.name}", "", op.summary, "",
             f"- v1.1: `{op.port}`, `{op.request}` → `{op.response}`",
             f"- v2: {', '.join(_code(e) for e in op.endpoints)}",
             f"- entities in the response: {_links(op.entities)}",
             f"- enumerations: {_links(op.enums)}"]
    lines += [f"- rule: {_cell(rule)}" for rule in op.rules]
    lines += ["", "### Request", ""] + _field_rows(e for e in rows if e.kind == "field" and e.direction == "request")
    lines += ["### Response", ""] + _field_rows(e for e in rows if e.kind == "field" and e.direction == "response")
    v2_only = [e for e in rows if e.kind == "v2_only"]
    if v2_only:
        lines += ["### v2 only", ""] + _v2_only_rows(v2_only)
    return lines


def _table_section(catalog: Catalog, table: Table) -> list[str]:
    rows = catalog.in_table(table.name)
    used = f"Used by: {', '.join(table.operations)}." if table.operations else "Not used by a served operation yet."
    if table.kind == "postback":
        used = "Posted to cloud/1 postUrls."
    if table.kind == "enum":
        return [f"### {table.name}", "", f"v1.1 `{table.v1}` ↔ v2 {_cell(table.v2)}. {used}", "", *_enum_rows(rows)]
    lines = [f"### {table.name}", "", f"v1.1 `{table.v1}` ← v2 `{table.v2}`. {used}", ""]
    return lines + _field_rows(e for e in rows if e.kind == "field") + _v2_only_rows(e for e in rows if e.kind == "v2_only")


def to_markdown(catalog: Catalog) -> str:
    lines = [
        "# CallFire v1.1 → v2 mapping reference", "",
        "Generated from `mappings/*.yaml`, the tables the bridge's converters run on. Do not edit this file:",
        "change the tables, then regenerate it with", "", f"    {REGENERATE}", "",
        "Look things up from a terminal with `callfire-bridge mappings list | show OPERATION | lookup NAME [VALUE]`.",
        "", "Fates: " + "; ".join(f"**{name}**: {meaning}" for name, meaning in FATES) + ".", "",
        "## Operations", "",
        *_table(("operation", "port", "v1.1 request → response", "v2", "summary"), (
            _row(f"[{op.name}](#{op.name.lower()})", op.port, f"`{op.request}` → `{op.response}`",
                 ", ".join(_code(e) for e in op.endpoints), _cell(op.summary)) for op in catalog.operations)),
    ]
    for op in catalog.operations:
        lines += _operation_section(catalog, op.name)
    lines += ["## Entities", "", "Each v2 object in a response becomes its v1.1 element by these rows.", ""]
    for table in catalog.tables:
        if table.kind == "entity":
            lines += _table_section(catalog, table)
    lines += ["## Enumerations", "",
              "Direction: both = each way; request = a v1.1 value only ever sent; "
              "response = a v2 value read into v1.1 (a fallback when both sides are given).", ""]
    for table in catalog.tables:
        if table.kind == "enum":
            lines += _table_section(catalog, table)
    lines += ["## Faults", "", "How a v2 failure reaches the v1.1 client (`svc:ServiceFaultInfo`).", "",
              *_fault_rows(e for e in catalog.in_table("errors")),
              "### ErrorResponse", "", "v2's error body → `svc:ServiceFaultInfo`.", "",
              *_field_rows(e for e in catalog.in_table("ErrorResponse") if e.kind == "field"),
              *_v2_only_rows(e for e in catalog.in_table("ErrorResponse") if e.kind == "v2_only")]
    lines += ["## Postbacks", "", "The XML the bridge POSTs to a cloud/1 postUrl, from v2 events (mappings/postbacks.yaml).", ""]
    for table in catalog.tables:
        if table.kind == "postback":
            lines += _table_section(catalog, table)
    return "\n".join(lines).rstrip("\n") + "\n"


EXPORTERS: dict[str, Callable[[Catalog], str]] = {"markdown": to_markdown, "csv": to_csv, "json": to_json}
FORMATS = tuple(EXPORTERS)
