"""Answers the questions people ask while rewriting v1.1 code, from the catalog alone.

    lookup(c, "Result", "INVALID_NUMBER")   an enum value, from either side
    lookup(c, "FinalResult=INVALID_NUMBER") the same, named by the field that carries it
    lookup(c, "QueryCalls.LabelName")       a v1.1 field (also "LabelName", "Call.FinalResult")
    lookup(c, "v2:campaignId")              a v2 field or parameter -> the v1.1 fields
    lookup(c, "QueryCalls")                 an operation -> its v2 endpoint(s)

Matching ignores case.  Nothing found -> `suggestions` (difflib) for "did you mean".
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Iterable

from bridge.reference.catalog import Catalog, Entry, Operation, enum_of

V2_PREFIXES = ("query.", "path.", "body.")
NOT_V2 = ("paging.", "bridge.", "-")  # the bridge's own paging and state, or nothing: no v2 name


@dataclass(frozen=True)
class LookupResult:
    query: str
    kind: str  # operation | field | v2 | enum | none
    operations: tuple[Operation, ...]  # the operations concerned, for their v2 endpoints
    entries: tuple[Entry, ...]
    related: tuple[Entry, ...] = ()  # enum answers: the fields whose converter uses those tables
    suggestions: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.kind != "none"

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "kind": self.kind, "found": self.found,
                "operations": [op.as_dict() for op in self.operations],
                "entries": [e.as_dict() for e in self.entries],
                "related": [e.as_dict() for e in self.related],
                "suggestions": list(self.suggestions)}


def lookup(catalog: Catalog, *terms: str) -> LookupResult:
    """`terms`: one name ("LabelName", "v2:label", "Name=VALUE") or a name and a value."""
    if not 1 <= len(terms) <= 2:
        raise ValueError("give a name, or a name and a value (e.g. Result INVALID_NUMBER)")
    query = " ".join(terms)
    name, value = (terms[0], terms[1]) if len(terms) == 2 else _split(terms[0])
    if value is not None:
        return _enum_value(catalog, query, name, value)
    if name.lower().startswith("v2:"):
        result = _result(catalog, query, "v2", _named_fields(catalog, name))
        result = result if result.found else _values(catalog, query, name[3:])
        return result if result.found else _nothing(catalog, query, name)
    operation = catalog.operation(name)
    if operation is not None:
        return LookupResult(query, "operation", (operation,), catalog.in_table(operation.name))
    table = catalog.table(name)
    if table is not None and table.kind == "enum":
        related = tuple(e for e in catalog.entries if e.kind == "field" and enum_of(e.convert) == table.name)
        return _result(catalog, query, "enum", catalog.in_table(table.name), related)
    if table is not None and table.kind == "postback":   # a payload of mappings/postbacks.yaml: all its rows
        return _result(catalog, query, "field", catalog.in_table(table.name))
    result = _result(catalog, query, "field", _named_fields(catalog, name))
    return result if result.found else _values(catalog, query, name)


def _split(term: str) -> tuple[str, str | None]:
    name, sep, value = term.partition("=")
    return (name.strip(), value.strip()) if sep else (term.strip(), None)


def _result(catalog: Catalog, query: str, kind: str, entries: Iterable[Entry],
            related: tuple[Entry, ...] = ()) -> LookupResult:
    found = tuple(entries)
    names = {name for e in found for name in e.operations}
    operations = tuple(op for op in catalog.operations if op.name in names)
    return LookupResult(query, kind if found else "none", operations, found, related if found else ())


def _v1_matches(path: str, name: str) -> bool:
    path, name = path.lower(), name.lower()
    last = path.rsplit("/", 1)[-1]
    return name in (path, last) or name.lstrip("@") == last.lstrip("@")


def _v1_fields(catalog: Catalog, text: str) -> tuple[Entry, ...]:
    """v1.1 fields by path or last step, optionally scoped: "QueryCalls.LabelName", "Call.State"."""
    scope, _, name = text.rpartition(".")
    operation = catalog.operation(scope) if scope else None
    table = catalog.table(scope) if scope and operation is None else None
    if scope and operation is None and table is None:
        return ()
    return tuple(
        e for e in catalog.entries
        if e.kind == "field" and _v1_matches(e.v1, name)
        and (operation is None or operation.name in e.operations)
        and (table is None or e.table == table.name))


def v2_names(entry: Entry) -> set[str]:
    """The names a v2 target answers to: `query.campaignId` -> {query.campaignId, campaignId}."""
    names: set[str] = set()
    for path in (*entry.v2.split("|"), *entry.v2_fields):
        if path and not path.startswith(NOT_V2):
            bare = next((path[len(p):] for p in V2_PREFIXES if path.startswith(p)), path)
            names |= {path, bare, bare.rsplit(".", 1)[-1]}
    return names


def _named_fields(catalog: Catalog, name: str) -> tuple[Entry, ...]:
    """Fields named on the v1.1 side ("LabelName") or, with "v2:", on the v2 side."""
    if not name.lower().startswith("v2:"):
        return _v1_fields(catalog, name)
    wanted = name[3:].strip().lower()
    return tuple(e for e in catalog.entries
                 if e.kind in ("field", "v2_only") and wanted in {n.lower() for n in v2_names(e)})


def _values(catalog: Catalog, query: str, value: str, tables: Iterable[str] | None = None,
            related: tuple[Entry, ...] = ()) -> LookupResult:
    """Enum values equal to `value` on either side, optionally within some tables."""
    within = set(tables) if tables is not None else None
    wanted = value.lower()
    result = _result(catalog, query, "enum", (
        e for e in catalog.entries
        if e.kind == "enum" and (within is None or e.table in within) and wanted in (e.v1.lower(), e.v2.lower())),
        related)
    if result.found:
        return result
    if not within:
        return _nothing(catalog, query, value)
    vocabulary = [v for e in catalog.entries if e.table in within for v in (e.v1, e.v2) if v]
    return LookupResult(query, "none", (), (), suggestions=close_matches(value, vocabulary))


def _enum_value(catalog: Catalog, query: str, name: str, value: str) -> LookupResult:
    """`Result INVALID_NUMBER`: the name is an enum table, its XSD type, or a field that uses one."""
    lowered = name.lower()
    tables = [t.name for t in catalog.tables if t.kind == "enum"
              and lowered in (t.name.lower(), t.v1.lower(), t.v1.lower().partition(":")[2])]
    if tables:
        related = tuple(e for e in catalog.entries if e.kind == "field" and enum_of(e.convert) in tables)
    else:
        related = tuple(e for e in _named_fields(catalog, name) if enum_of(e.convert))
        tables = list(dict.fromkeys(enum_of(e.convert) or "" for e in related))
    if not tables:
        return _nothing(catalog, query, name)
    return _values(catalog, query, value, tables, related)


def _nothing(catalog: Catalog, query: str, word: str) -> LookupResult:
    return LookupResult(query, "none", (), (), suggestions=close_matches(word, _vocabulary(catalog)))


def _vocabulary(catalog: Catalog) -> list[str]:
    words = [op.name for op in catalog.operations] + [t.name for t in catalog.tables]
    for e in catalog.entries:
        if e.kind == "enum":
            words += [v for v in (e.v1, e.v2) if v]
        elif e.kind in ("field", "v2_only"):
            words += [e.v1, e.v1.rsplit("/", 1)[-1]] if e.v1 else []
            words += [f"v2:{n}" for n in v2_names(e) if "." not in n]
    return list(dict.fromkeys(w for w in words if w))


def close_matches(word: str, vocabulary: list[str]) -> tuple[str, ...]:
    """"Did you mean": up to five words of `vocabulary` like `word`, ignoring case."""
    by_lower = {w.lower(): w for w in vocabulary}
    return tuple(by_lower[m] for m in difflib.get_close_matches(word.lower(), list(by_lower), n=5, cutoff=0.6))
