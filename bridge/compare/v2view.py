"""The v1.1 <-> v2 view (`compare --v2`): every field of a bridge's v1.1 answer beside the v2 field
and value it came from, per the mapping tables, and whether the row's converter agrees.

It stays outside the serving path: it asks the bridge (`POST /explain`) which v2 requests the v1.1
request becomes, performs the GETs among them against the upstream with the caller's credentials
(never a write), and walks the answer with the same rows, converters and value reading as the
bridge and the comparison.  One row per v1.1 field:
`{"v1", "value", "v2", "v2_value", "converted", "agrees", "why", "row"}`; `agrees` is None where no
check is possible (the reason in `why`); the tables' `v2_only` fields present in the data are rows
with `v1: ""`.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from lxml import etree

from bridge.compare.normalize import Node, answer_tree, body_child, leaf
from bridge.compare.schema import TEXT, ElementType, schema
from bridge.contract.variants import Contract
from bridge.mappings import load
from bridge.orchestrate.broadcasts import WHOLE_LIST
from bridge.reference.catalog import REQUEST_TARGETS, slug
from bridge.translate.convert import Conversions
from bridge.translate.engine import response_converter, takes_whole_list, v2_value

# A page the bridge reads to fill a window is followed further (in pages of at least this many)
# only while some of the answer's ids are still unseen; no more than _MOST_ITEMS per list.
_PAGE = 100
_MOST_ITEMS = 10_000
# Objects read from a text path map with the row's `entity_for` table, as the broadcast strategies
# mark them (bridge/orchestrate/broadcasts.py); a 404 on a call broadcast path is retried there.
_CALLS, _TEXTS = "/calls/", "/texts/"


class V2ViewError(RuntimeError):
    """No view can be made: explain refused the request, or the upstream did not answer."""


def v2_view(operation: str, envelope: bytes, answer: bytes, *, bridge_url: str,
            auth: tuple[str, str] | None, client: httpx.Client) -> list[dict[str, Any]]:
    """The rows for one v1.1 request and the bridge's answer to it; [] for a fault or an empty answer."""
    tree = answer_tree(answer)
    if tree.name in ("Fault", "Body"):
        return []
    element = etree.QName(body_child(answer))
    root_type = schema().element(element.namespace or "", element.localname) or ElementType()
    requests = [r for r in _explain(client, bridge_url, envelope) if not _joined(operation, r["path"])]
    data = _fetch(client, requests, auth, _ids(tree))
    return _Walk(operation, data).answer(tree, root_type)


def _explain(client: httpx.Client, bridge_url: str, envelope: bytes) -> list[dict[str, Any]]:
    try:
        response = client.post(f"{bridge_url.rstrip('/')}/explain", content=envelope)
    except httpx.HTTPError as exc:
        raise V2ViewError(f"the bridge's /explain did not answer: {exc}") from None
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.status_code != 200:
        raise V2ViewError(f"the bridge cannot explain this request: {body.get('message') or response.status_code}")
    return body["requests"]


def _ids(tree: Node) -> set[str]:
    found = {tree.key} if tree.key else set()
    for child in tree.children:
        found |= _ids(child)
    return found


@dataclass
class _Data:
    """What v2 holds behind the answer: the object (or pages, laid end to end) the bridge read."""

    answer: Any
    texts: set[int] = field(default_factory=set)  # id() of the objects read from a text path
    window: list[Any] | None = None  # the items of the pages read, when the bridge read pages
    filtered: bool = False  # the bridge reads a whole list and keeps some (QueryBroadcasts VOICE or IVR alone)
    counted: int = 0  # count-only pages the bridge also read to adjust the object (GetBroadcastStats under 2014)


def _joined(operation: str, path: str) -> bool:
    """A read the bridge joins into the objects of its first endpoint (`joins` in the table: a
    Number's lease config), not objects of the answer's own: left out of the view."""
    specs = load().operations.get(operation, {}).get("v2", ())
    return any(re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", spec["path"]), path) for spec in specs if spec.get("joins"))


def _fetch(client: httpx.Client, requests: list[dict[str, Any]], auth: tuple[str, str] | None,
           wanted: set[str]) -> _Data:
    """Explain's GETs, one v2 resource at a time (its windows grouped); a page is read on (`_page_through`)."""
    resources: dict[tuple[str, tuple], list[dict[str, Any]]] = {}
    for request in requests:
        if request["method"] == "GET":  # never a write, whatever the plan says
            query = tuple((k, v) for k, v in request["query"] if k not in ("limit", "offset"))
            resources.setdefault((request["url"].partition("?")[0], query), []).append(request)
    texts: set[int] = set()
    objects: list[Any] = []
    pages: list[tuple[list[Any], int]] = []
    filtered = False
    for (url, query), windows in resources.items():
        filtered |= sum(int(dict(w["query"]).get("limit", 0)) for w in windows) >= WHOLE_LIST
        url, first = _get(client, url, windows[0]["query"], auth)
        if isinstance(first, dict) and isinstance(first.get("items"), list):
            url, items, total = _page_through(client, url, list(query), auth, windows, wanted, first)
            pages.append((items, total))
        else:
            items = [first]
            objects.append(first)
        if _TEXTS in url:
            texts |= {id(item) for item in items}
    if objects and pages:  # one object plus counting pages: the object is the answer, the pages adjust it
        return _Data(objects[0], texts, counted=len(pages))
    if pages:
        items = [item for page, _ in pages for item in page]
        return _Data({"items": items, "totalCount": sum(total for _, total in pages)}, texts, items, filtered)
    if len(objects) != 1:
        raise V2ViewError(f"expected one v2 object behind the answer, the bridge's plan reads {len(objects)}")
    return _Data(objects[0], texts)


def _get(client: httpx.Client, url: str, params: list[tuple[str, str]], auth: tuple[str, str] | None
         ) -> tuple[str, Any]:
    """(the URL that answered, its JSON); a call broadcast path that is 404 is read as a text one."""
    response = _send(client, url, params, auth)
    if response.status_code == 404 and _CALLS in url and "/broadcasts/" in url:
        url = url.replace(_CALLS, _TEXTS, 1)
        response = _send(client, url, params, auth)
    if response.status_code != 200:
        raise V2ViewError(f"GET {url}: v2 answered {response.status_code} {response.text[:200]}")
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("application/json"):  # GetSoundData, GetRecordingData: audio bytes
        raise V2ViewError(f"GET {url}: v2 answered {content_type or 'no content type'}, not JSON fields")
    return url, response.json()


def _send(client: httpx.Client, url: str, params: list[tuple[str, str]], auth: tuple[str, str] | None
          ) -> httpx.Response:
    try:
        return client.get(url, params=params, auth=auth)
    except httpx.HTTPError as exc:
        raise V2ViewError(f"GET {url}: {exc}") from None


def _page_through(client: httpx.Client, url: str, query: list[tuple[str, str]], auth: tuple[str, str] | None,
                  windows: list[dict[str, Any]], wanted: set[str], first: dict[str, Any]) -> tuple[str, list[Any], int]:
    """The windows explain lists (stopping at v2's totalCount, or a short page when v2 gives none), then further pages
    while an id of the answer is unseen (explain plans against endless data, so the real offset of
    a second list, QueryBroadcasts' text broadcasts, may lie further)."""
    limits = [int(dict(w["query"]).get("limit", _PAGE)) for w in windows]
    offset = int(dict(windows[0]["query"]).get("offset", 0))
    total = int(first.get("totalCount", -1))
    items: list[Any] = []
    page, step = first, 0
    while True:
        found = page.get("items") or []
        items += found
        offset += len(found)
        limit = limits[min(step, len(limits) - 1)]
        step += 1
        # A short page ends the list only when v2 gives no count: a v2 that caps `limit` answers
        # fewer than asked while its totalCount says more follow.
        short = len(found) < min(limit, page.get("limit") if isinstance(page.get("limit"), int) else limit)
        if not found or len(items) >= _MOST_ITEMS or (total >= 0 and offset >= total) or (total < 0 and short):
            break
        if step >= len(limits):
            if wanted <= {str(i.get("id")) for i in items if isinstance(i, dict)}:
                break
            limit = max(limit, _PAGE)
        else:
            limit = limits[step]
        url, page = _get(client, url, [*query, ("limit", str(limit)), ("offset", str(offset))], auth)
    return url, items, total


@dataclass
class _Walk:
    operation: str
    data: _Data
    rows: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, tree: Node, element_type: ElementType) -> list[dict[str, Any]]:
        tables = load()
        op = tables.operations[self.operation]
        fields = op.get("response_fields", ())
        if len(fields) == 1 and fields[0]["v1"] == tree.name:  # GetCall: the answer is the entity
            row = fields[0]
            candidates = _flatten(self.data.window if self.data.window is not None else [self.data.answer], row)
            self._entity(self.operation, row, [tree], element_type, candidates, tree.name, "", root=True)
        else:
            self._object(self.operation, fields, tree, element_type, self.data.answer, tree.name, "")
            self._v2_only(self.operation, op, self.data.answer, "", response_only=True)
        return self.rows

    # ---- one v1.1 element and its v2 object ----------------------------------------------------

    def _object(self, table: str, fields: Any, node: Node, element_type: ElementType, obj: Any,
                v1_path: str, v2_path: str) -> None:
        for row in fields:
            name = row["v1"]
            if "entity" in row and row["v2"] == "-":
                self._built(table, row, [c for c in node.children if c.name == name], f"{v1_path}/{name}")
            elif "entity" in row:
                children = [c for c in node.children if c.name == name]
                value = None if _skipped(row, obj) else v2_value(row["v2"], obj)
                items = [] if value is None else value if isinstance(value, list) else [value]
                listed = isinstance(value, list)
                if row.get("contract") == "live" and not children:
                    for i, item in enumerate(items):
                        self._add("", "", _join(v2_path, row["v2"]) + (_identity(item, i) if listed else ""), item,
                                  None, None, "not in the 2014 contract" + _note(row), _row_id(table, row))
                    continue
                self._entity(table, row, children, element_type.children.get(name, ElementType()),
                             [(_join(v2_path, row["v2"]) + (_identity(item, i) if listed else ""), item)
                              for i, item in enumerate(items)],
                             f"{v1_path}/{name}", v2_path)
            else:
                self._leaf(table, row, node, element_type, obj, v1_path, v2_path)

    def _entity(self, table: str, row: dict[str, Any], children: list[Node], element_type: ElementType,
                candidates: list[tuple[str, Any]], v1_path: str, v2_path: str, root: bool = False) -> None:
        """Each v1.1 element of an entity row with its v2 object (by @id, else by position).  v2
        objects the answer lacks are a disagreement inside an entity (a call's records), not in the
        operation's own lists: the pages read go past the answer's window (MaxResults, FirstResult)."""
        by_id = {str(obj.get("id")): (path, obj) for path, obj in candidates if isinstance(obj, dict)}
        used: set[int] = set()
        for position, child in enumerate(children):
            here = v1_path if root else v1_path + _v1_identity(child, position, children)
            match = by_id.get(child.key) if child.key else (
                candidates[position] if position < len(candidates) else None)
            if match is None:
                self._add(here, _text(child), _join(v2_path, row["v2"]), None, None, False,
                          "v2 has no object for this element", _row_id(table, row))
                continue
            used.add(id(match[1]))
            entity = self._table_for(row, match[1])
            entity_table = load().entities[entity]
            self._object(entity, entity_table["fields"], child, element_type, match[1], here, match[0])
            self._v2_only(entity, entity_table, match[1], match[0])
        if root or table == self.operation:
            return
        for path, obj in candidates:
            if id(obj) not in used:
                self._add("", "", path, obj, None, False, f"in v2, not in the answer's {row['v1']}",
                          _row_id(table, row))

    def _built(self, table: str, row: dict[str, Any], children: list[Node], v1_path: str) -> None:
        """Elements the bridge builds from many v2 objects (an entity row with v2 "-": QueryLabels'
        Label, the distinct labels of every broadcast and lease): no one v2 field to set beside them."""
        for position, child in enumerate(children):
            here = v1_path + _v1_identity(child, position, children)
            for leaf in child.children or [child]:
                self._add(here if leaf is child else f"{here}/{leaf.name}", _text(leaf), "-", None, None, None,
                          f"built by the bridge: {row.get('note', '')}", _row_id(table, row))

    def _table_for(self, row: dict[str, Any], obj: Any) -> str:
        if row.get("entity_for") and id(obj) in self.data.texts:
            return next(iter(row["entity_for"].values()))
        return row["entity"]

    def _leaf(self, table: str, row: dict[str, Any], node: Node, element_type: ElementType, obj: Any,
              v1_path: str, v2_path: str) -> None:
        name, spec, entry = row["v1"], row["v2"], _row_id(table, row)
        if name.startswith("@"):
            found = node.attrs.get(name[1:])
            written = [found] if found is not None else []
            kind = element_type.attributes.get(name[1:], TEXT)
            paths = [f"{v1_path}/{name}"]
            nodes: list[Node] = []
        else:
            nodes = [c for c in node.children if c.name == name]
            written = [c.text for c in nodes]
            child_type = element_type.children.get(name)
            kind = child_type.text if child_type and child_type.text else element_type.leaves.get(name, TEXT)
            paths = [f"{v1_path}/{name}{_v1_identity(c, i, nodes)}" for i, c in enumerate(nodes)]
        value = "; ".join(w.raw for w in written if w is not None)
        shown_path = paths[0] if len(paths) == 1 else f"{v1_path}/{name}"
        if spec == "-":
            if written:
                constant = f"the constant {row['default']!r}" if "default" in row else "nothing"
                self._add(shown_path, value, "-", None, row.get("default"), None,
                          f"v2 has no field: the bridge writes {constant}" + _note(row), entry)
            return
        v2_field = _join(v2_path, spec)
        if _skipped(row, obj):
            if written:
                self._add(shown_path, value, v2_field, None, None, False,
                          f"the row applies only {_condition(row)}, yet the answer has {name}", entry)
            return
        raw = v2_value(spec, obj)
        converted = _convert(row, raw, Contract.V2014)
        if not written:
            if converted is None or converted == []:
                return
            if row.get("contract") == "live":
                self._add("", "", v2_field, raw, converted, None, "not in the 2014 contract" + _note(row), entry)
            else:
                self._add(shown_path, "", v2_field, raw, converted, False,
                          f"v2 has {raw!r}, the answer has no {name}", entry)
            return
        agrees, why = _agreement(converted, raw, written, nodes, kind)
        if not agrees and self.data.filtered and table == self.operation and spec == "totalCount":
            agrees, why = None, "the bridge reads the whole list and counts the items it keeps; v2 counts them all"
        if agrees is False:
            live = _convert(row, raw, Contract.LIVE)
            if live != converted and _same(live, written, nodes, kind):
                converted, agrees, why = live, True, "as the live contract (--contract live) writes it"
        if spec == "" and row.get("v2_fields"):
            # a converter of the whole object: show the fields it reads
            v2_field = ", ".join(_join(v2_path, f) for f in row["v2_fields"])
            raw = {f: v2_value(f, obj) for f in row["v2_fields"]}
        self._add(shown_path, value, v2_field, raw, converted, agrees, (why + _note(row)).strip(), entry)

    def _v2_only(self, table: str, spec: dict[str, Any], obj: Any, v2_path: str, response_only: bool = False) -> None:
        for entry in spec.get("v2_only", ()):
            if response_only and entry["v2"].startswith(REQUEST_TARGETS):
                continue
            value = v2_value(entry["v2"], obj) if isinstance(obj, dict) else None
            if value is not None:
                self._add("", "", _join(v2_path, entry["v2"]), value, None, None,
                          entry.get("note", "no v1.1 field"), slug(table, "v2only", entry["v2"]))

    def _add(self, v1: str, value: str, v2: str, v2_value_: Any, converted: Any, agrees: bool | None,
             why: str, row: str) -> None:
        if agrees is False and self.data.counted:  # the v2 figure shown is before the bridge's own counts
            agrees, why = None, (f"{why}; the bridge also counted with {self.data.counted} more v2 request(s) "
                                 "and adds them (see the row's note)")
        self.rows.append({"v1": v1, "value": value, "v2": v2, "v2_value": v2_value_, "converted": converted,
                          "agrees": agrees, "why": why, "row": row})


# ---- values ------------------------------------------------------------------------------------

_ZONE = ZoneInfo("UTC")  # instants are compared as instants: the zone only changes how one is shown


def _convert(row: dict[str, Any], raw: Any, contract: Contract) -> Any:
    """What the bridge's writer makes of the row's v2 value (engine._compile_rows, one row)."""
    conv = Conversions(_ZONE, load().enums, contract)
    if "value" in row:
        return str(row["value"]) if raw is not None else row.get("default")
    if raw is None:
        return row.get("default")
    convert = response_converter(row["convert"]) if "convert" in row else None
    if isinstance(raw, list) and not takes_whole_list(row.get("convert", "")):
        return [convert(item, conv) if convert else str(item) for item in raw]
    return convert(raw, conv) if convert else str(raw)


def _agreement(converted: Any, raw: Any, written: list[Any], nodes: list[Node], kind: str) -> tuple[bool, str]:
    if converted is None:
        return False, "v2 has no value here, the answer has one"
    if _same(converted, written, nodes, kind):
        return True, ""
    return False, f"v2 {raw!r} converts to {converted!r}"


def _same(converted: Any, written: list[Any], nodes: list[Node], kind: str) -> bool:
    if isinstance(converted, dict):  # simple content with attributes (ToNumber and @ClientData)
        return len(nodes) == 1 and _element_matches(converted, nodes[0], kind)
    if isinstance(converted, list):
        if converted and isinstance(converted[0], dict):  # repeated elements (ResultStat)
            return Counter(_frozen(c) for c in converted) == Counter(_frozen(_as_dict(n)) for n in nodes)
        return [leaf(str(c), kind).value for c in converted] == [w.value for w in written if w is not None]
    return len(written) == 1 and written[0] is not None and leaf(str(converted), kind).same(written[0])


def _element_matches(converted: dict[str, Any], node: Node, kind: str) -> bool:
    for key, expected in converted.items():
        if key == "_":
            if node.text is None or not leaf(str(expected), kind).same(node.text):
                return False
        elif key.startswith("@"):
            if key[1:] not in node.attrs or node.attrs[key[1:]].raw.strip() != str(expected):
                return False
    return set(node.attrs) <= {k[1:] for k in converted if k.startswith("@")}


def _as_dict(node: Node) -> dict[str, Any]:
    return {child.name: child.text.value if child.text else None for child in node.children}


def _frozen(values: dict[str, Any]) -> tuple:
    # A converter's strings against values read by XSD kind: numbers and text written alike.
    return tuple(sorted((k, str(v).strip()) for k, v in values.items()))


def _text(node: Node) -> str:
    return node.text.raw if node.text is not None else ""


def _skipped(row: dict[str, Any], obj: Any) -> bool:
    """The row's only_if / unless condition says it does not apply to this v2 object."""
    if "only_if" in row:
        return v2_value(row["only_if"], obj) is None
    if "unless" in row:
        return v2_value(row["unless"], obj) is not None
    return False


def _condition(row: dict[str, Any]) -> str:
    return f"when v2 has {row['only_if']}" if "only_if" in row else f"when v2 has no {row['unless']}"


def _note(row: dict[str, Any]) -> str:
    return f" ({row['note']})" if row.get("fate") == "lossy" and row.get("note") else ""


# ---- paths -------------------------------------------------------------------------------------

def _join(prefix: str, spec: str) -> str:
    if not spec:
        return prefix
    return f"{prefix}.{spec}" if prefix else spec


def _identity(item: Any, position: int) -> str:
    if isinstance(item, dict) and item.get("id") is not None:
        return f"[id={item['id']}]"
    return f"[{position}]"


def _v1_identity(node: Node, position: int, siblings: list[Node]) -> str:
    if node.key:
        return f"[@id={node.key}]"
    return f"[{position + 1}]" if len(siblings) > 1 else ""


def _flatten(objects: list[Any], row: dict[str, Any]) -> list[tuple[str, Any]]:
    """The candidates for a one-object answer: the row's v2 value in each object read, lists opened."""
    out: list[tuple[str, Any]] = []
    for obj in objects:
        value = v2_value(row["v2"], obj)
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            if item is not None:
                out.append((_join("", row["v2"]) + (f"[{i}]" if isinstance(value, list) else ""), item))
    return out


def _row_id(table: str, row: dict[str, Any]) -> str:
    return slug(table, "response", row["v1"])
