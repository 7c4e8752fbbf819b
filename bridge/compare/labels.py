"""Which mapping row explains a difference, read from the tables the bridge itself runs on.

A difference is labelled expected only when a row says exactly this will happen, never because a
field is merely lossy in general (that would hide a wrong mapping in a lossy field):
- an element CallFire added after the 2014 contract (a `contract: live` row) that one side writes and
  the other, serving the 2014 contract, leaves out;
- an optional element v2 has no value for (a `v2: "-"` row), which a v1.1 server wrote and the bridge
  cannot (a broadcast config's Created);
- a lossy row's `default` written on one side (FromNumber `UNKNOWN` where v2 has no number);
- an enum value CallFire added after 2014 on one side and the row's `v1_2014` on the other
  (`SD` against `AM`), or the table's `unknown_v2_2014` for a value the tables do not know;
- a row marked `approximate: true` (a figure v2 cannot give, such as a per-result attempt count):
  any difference in that field, or inside the list it writes;
- a `mappings/compare.yaml` `expected` rule (a fault's wording).
Other differences in a field with mapping rows carry those rows' ids as `related`, for the reader.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Iterable

from bridge.compare.diff import Rules, plain
from bridge.compare.model import EXTRA, MISSING, VALUE, Difference, Explanation
from bridge.mappings import MappingSet, load
from bridge.reference.catalog import catalog, enum_of, slug

_MAX_DEPTH = 8  # entity tables nest (Broadcast -> config -> ...); a cycle stops here


@dataclass(frozen=True)
class FieldRow:
    table: str  # the operation or entity table holding the row
    row: dict[str, Any]
    direction: str  # "response" for every row here; kept for the catalog id

    @property
    def entry_id(self) -> str:
        return slug(self.table, self.direction, self.row["v1"])


@dataclass
class FieldIndex:
    """Plain response paths (`CallQueryResult/Call/FromNumber`) -> the rows that write them."""

    rows: dict[str, list[FieldRow]] = field(default_factory=dict)

    def add(self, path: str, row: FieldRow) -> None:
        self.rows.setdefault(path, []).append(row)


@cache
def field_index(operation: str) -> FieldIndex:
    """Every response field of a served operation and the rows that write it (also the v1.1<->v2 view)."""
    tables = load()
    index = FieldIndex()
    op = tables.operations.get(operation)
    if op is None or not op.get("response"):
        return index
    root = op["response"].partition(":")[2]
    for row in op.get("response_fields", ()):
        if row["v1"] == root:  # GetCall: the answer is the entity itself
            _entity_rows(tables, index, root, _entities(row), 0)
        else:
            path = f"{root}/{row['v1']}"
            index.add(path, FieldRow(operation, row, "response"))
            _entity_rows(tables, index, path, _entities(row), 0)
    return index


def _entities(row: dict[str, Any]) -> list[str]:
    return [name for name in (row.get("entity"), *row.get("entity_for", {}).values()) if name]


def _entity_rows(tables: MappingSet, index: FieldIndex, path: str, names: Iterable[str], depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    for name in names:
        for row in tables.entities[name].get("fields", ()):
            child = f"{path}/{row['v1']}"
            index.add(child, FieldRow(name, row, "response"))
            _entity_rows(tables, index, child, _entities(row), depth + 1)


def explain(operation: str, difference: Difference, rules: Rules) -> None:
    """Sets `difference.explanation` (or `related`) in place."""
    expected = rules.expected_note(difference.path, difference.kind)
    if expected is not None:
        difference.explanation = Explanation("mappings/compare.yaml", expected[0], expected[1])
        return
    index = field_index(operation).rows
    rows = index.get(plain(difference.path), [])
    for field_row in rows:
        found = _by_row(field_row, difference, load())
        if found is not None:
            difference.explanation = found
            return
    approximate = _approximate(index, plain(difference.path))
    if approximate is not None:
        difference.explanation = approximate
        return
    difference.related = tuple(dict.fromkeys(r.entry_id for r in rows if catalog().entry(r.entry_id)))


def _approximate(index: dict[str, list[FieldRow]], path: str) -> Explanation | None:
    """The `approximate` row writing this path or the list above it (ResultStat for ResultStat/Attempts)."""
    steps = path.split("/")
    for end in range(len(steps), 0, -1):
        for field_row in index.get("/".join(steps[:end]), []):
            if field_row.row.get("approximate"):
                return Explanation(_source(field_row), f"{field_row.table}.{field_row.row['v1']}",
                                   field_row.row.get("note", ""), field_row.entry_id)
    return None


def _source(field_row: FieldRow) -> str:
    tables = load()
    return "mappings/" + ("entities.yaml" if field_row.table in tables.entities else
                          tables.operations[field_row.table]["source"])


def _by_row(field_row: FieldRow, d: Difference, tables: MappingSet) -> Explanation | None:
    row, source = field_row.row, _source(field_row)
    name = f"{field_row.table}.{row['v1']}"
    note = row.get("note", "")
    if d.kind in (MISSING, EXTRA) and row.get("contract") == "live":
        return Explanation(source, name, note or "not in the 2014 contract", field_row.entry_id)
    if d.kind in (MISSING, EXTRA) and row.get("v2") == "-" and "default" not in row:
        return Explanation(source, name, note or "v2 has nothing for it", field_row.entry_id)
    if d.kind != VALUE:
        return None
    if row.get("fate") == "lossy" and "default" in row and str(row["default"]) in (d.primary, d.candidate):
        return Explanation(source, name, note, field_row.entry_id)
    table = enum_of(row.get("convert", ""))
    if table is None or table not in tables.enums:
        return None
    enum = tables.enums[table]
    pair = {(d.primary or "").strip(), (d.candidate or "").strip()}
    for value in enum.values:
        if value.live_only and value.v1_2014 and pair == {value.v1, value.v1_2014}:
            return Explanation("mappings/enums.yaml", f"{table} {value.v1}",
                               value.note or f"written {value.v1_2014} under the 2014 contract",
                               slug(table, value.v1))
    if enum.unknown_v2_2014 in pair and (pair - {enum.unknown_v2_2014}) - set(enum.v1_names()):
        return Explanation("mappings/enums.yaml", f"{table} unknown_v2_2014",
                           f"a value the tables do not know is written {enum.unknown_v2_2014} under the 2014 contract")
    return None
