"""The mapping tables as one flat list of entries with stable ids.

The CLI, docs/mappings.md and the /mappings page all render this list, and it is built
from nothing but `bridge.mappings.load()`: what they show is what the converters run.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from bridge.config import MAPPINGS_DIR
from bridge.mappings import EnumTable, MappingSet, load

REQUEST_TARGETS = ("query.", "path.", "body.")  # a v2_only entry with one of these is request side


@dataclass(frozen=True)
class Entry:
    """One row: a field, a v2-only field, an enum value or a fault rule."""

    id: str  # stable slug, unique in the catalog: the page's anchor
    kind: str  # field | v2_only | enum | fault
    direction: str  # request (v1.1 -> v2) | response (v2 -> v1.1) | both
    table: str  # operation, entity, enum table, "errors" or "ErrorResponse"
    operations: tuple[str, ...]  # served operations whose requests or responses carry it
    v1: str  # v1.1 path, enum value or FaultCode; "" when v1.1 has none
    v2: str  # v2 target as written in the table, enum value, or v2 status/condition
    convert: str = ""
    default: str | None = None  # None: no default ("" is one)
    fate: str = "carried"  # carried | lossy | bridge | ignored | v2_only
    lossy: bool = False
    note: str = ""
    entity: str = ""  # the entity table that maps each item of a response field
    via: str = ""  # request field carried by another row's converter
    required: bool = False
    v2_fields: tuple[str, ...] = ()  # the v2 fields behind an object or paging target

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def haystack(self) -> str:
        """Lower-case text the free-text search looks in."""
        return " ".join((self.id, self.table, self.v1, self.v2, self.convert, self.note,
                         *self.v2_fields)).lower()


@dataclass(frozen=True)
class Table:
    """A heading over entries: an operation, an entity, an enum table, or the fault tables."""

    name: str
    kind: str  # operation | entity | enum | errors
    v1: str  # e.g. "svc:QueryCalls -> svc:CallQueryResult", "data:Call", "data:Result"
    v2: str  # e.g. "GET /calls", "Call", "Call.finalCallResult, CallRecord.result, ..."
    operations: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Operation:
    """A served v1.1 operation and the v2 endpoint(s) that replace it."""

    name: str
    port: str
    request: str
    response: str
    endpoints: tuple[str, ...]  # e.g. "POST /calls/broadcasts?start=true"
    summary: str
    rules: tuple[str, ...]  # the table's `rules`, as sentences
    entities: tuple[str, ...]  # entity tables its response uses
    enums: tuple[str, ...]  # enum tables its converters use

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Catalog:
    operations: tuple[Operation, ...]
    tables: tuple[Table, ...]
    entries: tuple[Entry, ...]

    def operation(self, name: str) -> Operation | None:
        return next((op for op in self.operations if op.name.lower() == name.lower()), None)

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name.lower() == name.lower()), None)

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def in_table(self, name: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.table == name)

    def select(self, *, operation: str | None = None, lossy_only: bool = False,
               text: str = "") -> tuple[Entry, ...]:
        """The page's filters: by operation, lossy only, and words that must all occur."""
        words = text.lower().split()
        return tuple(
            e for e in self.entries
            if (operation is None or operation in e.operations)
            and (not lossy_only or e.lossy)
            and all(w in e.haystack() for w in words))


def slug(*parts: object) -> str:
    return re.sub(r"[^a-z0-9]+", "-", "-".join(str(p) for p in parts).lower()).strip("-")


def enum_of(convert: str) -> str | None:
    """`enum:CallResult` -> `CallResult` (the table a converter maps with)."""
    return convert.partition(":")[2] or None


def describe_rule(rule: Mapping[str, Any]) -> str:
    """A `rules` item as the sentence a reader needs; unknown kinds fail loudly."""
    when = f"when {rule['when']} is given: " if "when" in rule else ""
    if "required" in rule:
        text = f"{rule['required']} is required"
    elif "exactly_one_of" in rule:
        text = "exactly one of " + ", ".join(rule["exactly_one_of"])
    elif "at_least_one_of" in rule:
        text = "at least one of " + ", ".join(rule["at_least_one_of"])
    elif "at_most_one_of" in rule:
        text = "at most one of " + ", ".join(rule["at_most_one_of"])
    elif "type_matches_config" in rule:
        pairs = rule["type_matches_config"]
        text = ("Type, when given, must match the config: "
                + ", ".join(f"{t} needs {c}" for t, c in pairs.items()) + "; other Types are refused")
    else:
        raise ValueError(f"no description for rule {dict(rule)}")
    note = f" ({rule['note']})" if "note" in rule else ""
    return f"{when}{text}{note}"


def _endpoint(spec: Mapping[str, Any]) -> str:
    query = "&".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                     for k, v in spec.get("query", {}).items())
    return f"{spec['method']} {spec['path']}" + (f"?{query}" if query else "")


def _entities_of(op: Mapping[str, Any], entities: Mapping[str, Any]) -> tuple[str, ...]:
    """Entity tables an operation's response reaches, in first-use order."""
    found: list[str] = []

    def visit(rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            # entity_for: the tables for items of another v2 definition (a TextBroadcast)
            for child in (row.get("entity"), *row.get("entity_for", {}).values()):
                if child and child not in found:
                    found.append(child)
                    visit(entities[child].get("fields", ()))

    visit(op.get("response_fields", ()))
    return tuple(found)


def _enums_of(op: Mapping[str, Any], entity_names: tuple[str, ...], entities: Mapping[str, Any]) -> tuple[str, ...]:
    rows = [*op["request_fields"], *(r for name in entity_names for r in entities[name].get("fields", ()))]
    return tuple(dict.fromkeys(t for r in rows if (t := enum_of(r.get("convert", "")))))


def _field(raw: Mapping[str, Any], table: str, direction: str, operations: tuple[str, ...]) -> Entry:
    fate = raw.get("fate", "carried")
    return Entry(
        id=slug(table, direction, raw["v1"]), kind="field", direction=direction, table=table,
        operations=operations, v1=raw["v1"], v2=raw["v2"], convert=raw.get("convert", ""),
        default=None if "default" not in raw else str(raw["default"]), fate=fate, lossy=fate == "lossy", note=raw.get("note", ""),
        entity=raw.get("entity", ""), via=raw.get("via", ""), required=bool(raw.get("required", False)),
        v2_fields=tuple(raw.get("v2_fields", ())))


def _v2_only(raw: Mapping[str, Any], table: str, direction: str, operations: tuple[str, ...]) -> Entry:
    return Entry(id=slug(table, "v2only", raw["v2"]), kind="v2_only", direction=direction, table=table,
                 operations=operations, v1="", v2=raw["v2"], fate="v2_only", note=raw.get("note", ""))


def _enum_entries(table: EnumTable, operations: tuple[str, ...]) -> list[Entry]:
    """One entry per value, keyed by its v1.1 value; v2-only values and fallbacks by their v2 value."""
    counts = Counter(v.v1 for v in table.values)
    entries = []
    for value in table.values:
        exact = value.v1 is not None and (counts[value.v1] == 1 or not value.lossy)
        key = (value.v1,) if exact else ("v2", value.v2)
        if value.v1 is None or (value.lossy and value.v2 is not None):
            direction = "response"  # a v2-only value or a fallback: read from v2 only
        elif value.v2 is None:
            direction = "request"  # a v1.1-only value: only ever sent
        else:
            direction = "both"
        entries.append(Entry(
            id=slug(table.name, *key), kind="enum", direction=direction, table=table.name,
            operations=operations, v1=value.v1 or "", v2=value.v2 or "",
            fate="lossy" if value.lossy else "carried", lossy=value.lossy, note=value.note))
    return entries


def _fault_entries(errors: Mapping[str, Any], operations: tuple[str, ...]) -> list[Entry]:
    def fault(key: tuple[object, ...], v2: str, row: Mapping[str, Any], extra: str = "") -> Entry:
        return Entry(id=slug("errors", *key), kind="fault", direction="response", table="errors",
                     operations=operations, v1=row["fault"], v2=v2,
                     note=row.get("note", "") + extra)

    entries = []
    for row in errors["v2_status"]:
        answer = f"; SOAP fault with HTTP {row['http_status']}" + ("; GET retried first" if row["retry"] else "")
        entries.append(fault(("status", row["status"]), f"HTTP {row['status']}", row, answer))
    for group in ("4xx", "5xx"):
        entries.append(fault(("other", group), f"other {group}", {"fault": errors[f"other_{group}"]},
                             f"any {group} status not listed above"))
    for row in errors["transport"]:
        entries.append(fault(("transport", row["condition"]), row["condition"], row))
    for row in errors["request"]:
        entries.append(fault(("request", row["condition"]), f"(bridge: {row['condition']})", row,
                             f"; SOAP fault with HTTP {row['http_status']}"))
    body = errors["error_response"]
    for row in body["fields"]:
        entries.append(Entry(id=slug("ErrorResponse", row["v2"]), kind="field", direction="response",
                             table="ErrorResponse", operations=operations, v1=row["v1"], v2=row["v2"],
                             note=row.get("note", "")))
    entries += [_v2_only(row, "ErrorResponse", "response", operations) for row in body.get("v2_only", ())]
    return entries


def build(mappings: MappingSet) -> Catalog:
    """The catalog of one set of tables (pure: same tables, same catalog, same ids)."""
    ops, tables, entries = [], [], []
    entity_users: dict[str, list[str]] = {name: [] for name in mappings.entities}
    enum_users: dict[str, list[str]] = {name: [] for name in mappings.enums}
    for name, op in mappings.operations.items():
        used_entities = _entities_of(op, mappings.entities)
        used_enums = _enums_of(op, used_entities, mappings.entities)
        for table_name in used_entities:
            entity_users[table_name].append(name)
        for table_name in used_enums:
            enum_users[table_name].append(name)
        endpoints = tuple(_endpoint(spec) for spec in op["v2"])
        ops.append(Operation(name, op["port"], op["request"], op["response"], endpoints, op.get("summary", ""),
                             tuple(describe_rule(r) for r in op.get("rules", ())), used_entities, used_enums))
        tables.append(Table(name, "operation", f"{op['request']} -> {op['response']}", ", ".join(endpoints), (name,)))
        entries += [_field(r, name, "request", (name,)) for r in op["request_fields"]]
        entries += [_field(r, name, "response", (name,)) for r in op.get("response_fields", ())]
        entries += [_v2_only(r, name, "request" if r["v2"].startswith(REQUEST_TARGETS) else "response", (name,))
                    for r in op.get("v2_only", ())]
    for name, entity in mappings.entities.items():
        users = tuple(entity_users[name])
        tables.append(Table(name, "entity", entity["v1"], entity["v2"], users))
        entries += [_field(r, name, "response", users) for r in entity.get("fields", ())]
        entries += [_v2_only(r, name, "response", users) for r in entity.get("v2_only", ())]
    for name, enum in mappings.enums.items():
        users = tuple(enum_users[name])
        tables.append(Table(name, "enum", enum.v1_type, ", ".join(enum.v2_fields), users))
        entries += _enum_entries(enum, users)
    every_op = tuple(mappings.operations)
    tables.append(Table("errors", "errors", "svc:ServiceFaultInfo/FaultCode", "HTTP status", every_op))
    tables.append(Table("ErrorResponse", "errors", mappings.errors["error_response"]["v1"],
                        mappings.errors["error_response"]["v2"], every_op))
    entries += _fault_entries(mappings.errors, every_op)
    for name, payload in mappings.postbacks.items():   # postbacks.yaml: what the bridge POSTs, not a SOAP answer
        tables.append(Table(name, "postback", payload["v1"], payload["v2"], ()))
        entries += [_field(r, name, "response", ()) for r in payload["fields"]]
    duplicates = [i for i, n in Counter(e.id for e in entries).items() if n > 1]
    if duplicates:
        raise ValueError(f"mapping rows with the same id: {duplicates}")
    return Catalog(tuple(ops), tuple(tables), tuple(entries))


@cache
def catalog(directory: Path = MAPPINGS_DIR) -> Catalog:
    """The catalog of the tables in `directory` (the bridge's own by default), built once."""
    return build(load(directory))
