"""Runs the rows of `mappings/`: request tables as small closures, response tables as one
generated function each (`_compile_rows`: the rows written out as code, at start-up).

Request direction: a v1.1 request (as a plain dict, see `bridge.soap.reader`) ->
`V2Request`, the exact v2 call(s) to make.  Response direction: a v2 JSON object -> a
v1.1 element as a dict (`"@x"` attributes, `"_"` simple content, lists for repeated
children), which `bridge.soap.writer` serializes in the contract's order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Callable

from bridge.contract.variants import Contract
from bridge.errors import bad_request
from bridge.mappings import MappingSet, load
from bridge.translate.convert import (
    ENUM_REQUEST_CONVERTERS, ENUM_RESPONSE_CONVERTERS, REQUEST_CONVERTERS, RESPONSE_CONVERTERS,
    Conversions, FanOut, Lossy, MatchNothing, Merge, RequestConverter, format_datetime)


@dataclass
class V2Request:
    """What the bridge will send to v2 for one v1.1 request (also what `explain` prints)."""

    operation: str
    method: str
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] | list[dict[str, Any]] | None = None  # a list: POST /texts' recipients
    paging: dict[str, int] = field(default_factory=dict)
    paged: bool = False  # a v2 finder the bridge pages through (GET /calls); see bridge.v2.client.page_windows
    bridge: dict[str, Any] = field(default_factory=dict)
    multipart: bool = False  # the body goes as multipart/form-data (its Upload values as file parts)
    lossy: list[str] = field(default_factory=list)
    match_nothing: bool = False
    fan_out: tuple[str, tuple[str, ...]] | None = None


def _converter(name: str, mappings: MappingSet, registry: dict, enum_registry: dict) -> Callable:
    kind, _, arg = name.partition(":")
    if arg:
        return enum_registry[kind](mappings.enums[arg])
    return registry[name]


def v1_value(request: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = request
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return None
        node = node[step]
    return node


def _set(target: dict[str, Any], path: list[str], value: Any) -> None:
    for step in path[:-1]:
        target = target.setdefault(step, {})
    leaf = path[-1]
    if isinstance(value, Merge):
        obj = target.setdefault(leaf, {})
        obj.update(value.values)
        for key, default in value.defaults.items():
            obj.setdefault(key, default)
    else:
        target[leaf] = value


@dataclass(frozen=True)
class RequestRow:
    v1: tuple[str, ...]
    field_name: str
    target: str
    convert: RequestConverter | None
    default: str | None
    required: bool
    lossy_note: str | None
    when: str | None = None    # the row applies only when this v1.1 value is given ...
    unless: str | None = None  # ... or only when this one is not


def is_given(request: dict[str, Any], name: str) -> bool:
    """Whether the v1.1 value at path `name` ("A/B") was given."""
    return v1_value(request, tuple(name.split("/"))) not in (None, "", [])


def endpoint_holds(endpoint: dict[str, Any], request: dict[str, Any]) -> bool:
    """An endpoint's `when`: a v1.1 path that must be given, or {path: value} that must match."""
    when = endpoint["when"]
    if isinstance(when, str):
        return is_given(request, when)
    return all(str(v1_value(request, tuple(name.split("/"))) or "").strip() == str(value)
               for name, value in when.items())


NO_V2_REQUEST = {"method": "-", "path": ""}
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class RequestMap:
    operation: str
    endpoints: tuple[dict[str, Any], ...]
    rows: tuple[RequestRow, ...]
    rules: tuple[dict[str, Any], ...]

    def endpoint(self, request: dict[str, Any]) -> dict[str, Any]:
        """The first endpoint whose `when` holds, else the first without one; an operation whose table
        lists none is answered by the bridge itself (SubscriptionService's reads: its own store)."""
        if not self.endpoints:
            return NO_V2_REQUEST
        chosen = next((e for e in self.endpoints if "when" in e and endpoint_holds(e, request)), None)
        chosen = chosen or next((e for e in self.endpoints if "when" not in e), None)
        if chosen is None:
            raise ValueError(f"{self.operation}: no v2 endpoint's `when` holds and none is the default")
        return chosen

    def translate(self, request: dict[str, Any], conv: Conversions) -> V2Request:
        check_rules(self.rules, request, self.operation)
        endpoint = self.endpoint(request)
        plan = V2Request(self.operation, endpoint["method"], endpoint["path"],
                         query=dict(endpoint.get("query", {})), paged=bool(endpoint.get("paged")),
                         multipart=bool(endpoint.get("multipart")))
        path_params: dict[str, Any] = {}
        for row in self.rows:
            if (row.when and not is_given(request, row.when)) or (row.unless and is_given(request, row.unless)):
                if row.lossy_note and is_given(request, row.field_name):
                    plan.lossy.append(f"{row.field_name}: {row.lossy_note}")  # given, and not sent
                continue
            raw = v1_value(request, row.v1)
            if raw is None or raw == []:
                if row.required:
                    raise bad_request(row.field_name, "is required")
                if row.default is None:
                    continue
                raw = row.default
            value = row.convert(raw, row.field_name, conv) if row.convert else raw
            if isinstance(value, Lossy):
                plan.lossy.extend(value.notes)
                value = value.value
            if row.lossy_note and not (row.when or row.unless):  # a conditional row loses only when skipped
                plan.lossy.append(f"{row.field_name}: {row.lossy_note}")
            kind, _, rest = row.target.partition(".")
            if isinstance(value, MatchNothing):
                if kind == "query":
                    plan.match_nothing = True
                    continue
                value = []
            if kind == "query" and value == []:
                # An empty xs:list (<State/>; JAX-WS wrapper-style stubs send one for every
                # empty List) filters on nothing: leave the v2 parameter out, not "states=".
                continue
            if isinstance(value, FanOut):
                plan.fan_out = (rest, value.values)
                value = value.values[0]
            if kind == "query":
                plan.query[rest] = ",".join(value) if isinstance(value, list) else value
            elif kind == "path":
                path_params[rest] = value
            elif kind == "paging":
                plan.paging[rest] = value
            elif kind == "bridge":
                plan.bridge[rest] = value
            elif kind == "body":
                plan.body = plan.body if plan.body is not None else {}
                _set(plan.body, rest.split("."), value)
        # A placeholder no row fills stays for the strategy (one request per webhook a subscription has).
        plan.path = _PATH_PARAMETER.sub(lambda m: str(path_params.get(m[1], m[0])), plan.path)
        return plan


def check_rules(rules: tuple[dict[str, Any], ...], request: dict[str, Any], operation: str) -> None:
    """The table's `rules`: choices and requirements the XSD states but spyne does not enforce."""
    def present(name: str) -> bool:
        return is_given(request, name)

    for rule in rules:
        if "when" in rule and not present(rule["when"]):
            continue
        if "required" in rule and not present(rule["required"]):
            raise bad_request(rule["required"], "is required" + (f" ({rule['note']})" if "note" in rule else ""))
        if "exactly_one_of" in rule:
            given = [n for n in rule["exactly_one_of"] if present(n)]
            if len(given) != 1:
                names = " or ".join(rule["exactly_one_of"])
                problem = "only one may be given" if given else "one is required"
                raise bad_request(names, problem)
        if "at_least_one_of" in rule and not any(present(n) for n in rule["at_least_one_of"]):
            raise bad_request(" or ".join(rule["at_least_one_of"]),
                              "one is required" + (f" ({rule['note']})" if "note" in rule else ""))
        if "at_most_one_of" in rule and sum(present(n) for n in rule["at_most_one_of"]) > 1:
            raise bad_request(" and ".join(rule["at_most_one_of"]), "are alternatives: give only one"
                              + (f" ({rule['note']})" if "note" in rule else ""))
        if "type_matches_config" in rule:
            declared = v1_value(request, ("Type",))
            if declared is None:
                continue
            configs: dict[str, str] = rule["type_matches_config"]
            declared = str(declared).strip()
            if declared not in configs:
                raise bad_request("Type", f"{declared} broadcasts cannot be sent with {operation} "
                                          f"(use {' or '.join(configs)})")
            if not present(configs[declared]):
                raise bad_request("Type", f"{declared} needs {configs[declared]}")


@cache
def request_map(operation: str) -> RequestMap:
    mappings = load()
    op = mappings.operations[operation]
    rows = []
    for raw in op["request_fields"]:
        if raw["v2"] == "-" or "via" in raw:
            continue
        rows.append(RequestRow(
            v1=tuple(raw["v1"].split("/")),
            field_name=raw["v1"],
            target=raw["v2"],
            convert=_converter(raw["convert"], mappings, REQUEST_CONVERTERS, ENUM_REQUEST_CONVERTERS)
            if "convert" in raw else None,
            default=raw.get("default"),
            required=bool(raw.get("required", False)),
            lossy_note=raw.get("note") if raw.get("fate") == "lossy" else None,
            when=raw.get("when"), unless=raw.get("unless"),
        ))
    return RequestMap(operation, tuple(op["v2"]), tuple(rows), tuple(op.get("rules", ())))


# ---- response direction ----------------------------------------------------------------------

EntityWriter = Callable[[dict[str, Any], Conversions], dict[str, Any]]


def _getter(spec: str) -> Callable[[dict[str, Any]], Any]:
    """`a.b` walks objects; `a|b` takes the first present; `` is the object itself.

    Single-key paths (nearly all rows) get a plain dict lookup: this runs ~30 times per
    call in a 1000-call QueryCalls.
    """
    if spec == "":
        return lambda obj: obj
    alternatives = [tuple(alt.split(".")) for alt in spec.split("|")]
    if len(alternatives) == 1 and len(alternatives[0]) == 1:
        key = alternatives[0][0]
        return lambda obj: obj.get(key)

    def get(obj: dict[str, Any]) -> Any:
        for path in alternatives:
            node: Any = obj
            for step in path:
                node = node.get(step) if isinstance(node, dict) else None
                if node is None:
                    break
            if node is not None:
                return node
        return None

    return get


def v2_value(spec: str, obj: Any) -> Any:
    """The value a row's `v2` path reads from a v2 object (for tools that check one row at a time)."""
    return _getter(spec)(obj)


def takes_whole_list(spec: str) -> bool:
    """Whether a response converter takes a v2 array whole (an xs:list), not item by item."""
    return spec.startswith("enum_list:") or spec == "xs_list"


def response_converter(spec: str) -> Callable[[Any, Conversions], Any]:
    """The converter a response row's `convert` names, as the writers below run it."""
    return _converter(spec, load(), RESPONSE_CONVERTERS, ENUM_RESPONSE_CONVERTERS)


@cache
def entity_writer(entity: str) -> EntityWriter:
    """A v2 object -> v1.1 element dict, compiled from entities.yaml (its `fields`, then its
    `any_attribute` row: the attributes an xs:anyAttribute carries, v1 "@*")."""
    table = load().entities[entity]
    return _compile_rows((*table["fields"], *([table["any_attribute"]] if "any_attribute" in table else [])))


@cache
def response_writer(operation: str) -> EntityWriter:
    """A v2 answer -> the operation's v1.1 response element dict, from its `response_fields`."""
    return _compile_rows(tuple(load().operations[operation]["response_fields"]))


def compile_tables() -> None:
    """Compiles every response table now (at start-up), not on the first request that needs it."""
    mappings = load()
    for entity in mappings.entities:
        entity_writer(entity)
    for operation, table in mappings.operations.items():
        if table.get("response_fields"):
            response_writer(operation)


# The v1 name of a row whose converter writes the attributes of an xs:anyAttribute, several at once.
ANY_ATTRIBUTE = "@*"

# Set by a strategy on v2 objects whose definition the rows must tell apart (a TextBroadcast
# among CallBroadcasts): `entity_for` then picks the table for it.
V2_DEFINITION = "__v2_definition"


def _entity_converter(row: dict[str, Any]) -> EntityWriter:
    """`entity: T` maps each object with table T; `entity_for: {Definition: U}` maps the objects
    a strategy marked as v2 `Definition` with table U instead."""
    default = entity_writer(row["entity"])
    if "entity_for" not in row:
        return default
    by_definition = {name: entity_writer(table) for name, table in row["entity_for"].items()}

    def write(obj: dict[str, Any], conv: Conversions) -> dict[str, Any]:
        return by_definition.get(obj.get(V2_DEFINITION), default)(obj, conv)

    return write


def _condition(row: dict[str, Any]) -> Callable[[dict[str, Any]], bool] | None:
    """`only_if: f` / `unless: f`: the row applies only when v2 field f is present / absent."""
    if "only_if" in row:
        present = _getter(row["only_if"])
        return lambda obj: present(obj) is not None
    if "unless" in row:
        absent = _getter(row["unless"])
        return lambda obj: absent(obj) is None
    return None


def _ordering(row: dict[str, Any]) -> Callable[[list[Any]], list[Any]] | None:
    """`order: {newest_first: f}`: a v2 array written in descending order of its items' field f
    (v1.1 lists attempts newest first where v2 lists them oldest first); items without f last."""
    order = row.get("order")
    if order is None:
        return None
    if set(order) != {"newest_first"}:
        raise ValueError(f"{row['v1']}: unknown order {order!r} (newest_first: FIELD)")
    key = _getter(order["newest_first"])

    def rank(item: Any) -> tuple[bool, Any]:
        value = key(item)
        return value is not None, value or 0

    def newest_first(items: list[Any]) -> list[Any]:
        return sorted(items, key=rank, reverse=True)

    return newest_first


def _reading(spec: str) -> list[str]:
    """Code setting `value` to what _getter(spec) reads from `obj`."""
    if spec == "":
        return ["value = obj"]
    alternatives = [alt.split(".") for alt in spec.split("|")]
    if len(alternatives) == 1 and len(alternatives[0]) == 1:
        return [f"value = obj.get({spec!r})"]
    lines: list[str] = []
    for number, steps in enumerate(alternatives):
        indent = "" if number == 0 else "    "
        if number:
            lines.append("if value is None:")
        node = "obj"
        for step in steps:
            lines.append(f"{indent}value = {node}.get({step!r}) if isinstance({node}, dict) else None")
            node = "value"
    return lines


# Converters the compiled code writes inline (the same expression as the function).
_INLINE = {"long": "str(int({}))", "int": "str(int({}))", "string": "str({})",
           "ms_datetime": "format_datetime(int({}), conv.zone)"}


def _compile_rows(rows: tuple[dict[str, Any], ...]) -> EntityWriter:
    """One table's rows as one Python function, generated from them once (the table stays the
    only source: the function is its rows written out).  A 1000-call page runs ~3,000 of these;
    a loop over the rows that decided per row what to do cost twice as much."""
    mappings = load()
    names: dict[str, Any] = {"format_datetime": format_datetime, "LIVE": Contract.LIVE}
    lines = ["def write(obj, conv):", "    element = {}", "    live = conv.contract is LIVE"]
    for index, row in enumerate(rows):
        if row["v2"] == "-" and "default" not in row:
            continue  # v2 has nothing for it: never written
        name = row["v1"]
        whole = False  # the converter takes a v2 array whole (an xs:list), not item by item
        inline = None  # an expression of "{}", the v2 value
        if "value" in row:  # a constant, written when the v2 field is present
            names[f"constant{index}"] = str(row["value"])
            inline = f"constant{index}"
            convert = None
        elif "entity" in row:
            convert = _entity_converter(row)
        elif "convert" in row:
            convert = _converter(row["convert"], mappings, RESPONSE_CONVERTERS, ENUM_RESPONSE_CONVERTERS)
            whole = takes_whole_list(row["convert"])
            inline = _INLINE.get(row["convert"]) if name != ANY_ATTRIBUTE else None
        else:
            convert, inline = None, "str({})"
        body: list[str] = []
        ordering = _ordering(row)
        key = row["v2"]
        body += _reading(key)
        if ordering is not None:
            names[f"order{index}"] = ordering
            body.append(f"if value.__class__ is list: value = order{index}(value)")
        body.append("if value is None:")
        if row.get("default") is not None:
            body.append(f"    element[{name!r}] = {row['default']!r}")
        else:
            body.append("    pass")
        if convert is not None:
            names[f"convert{index}"] = convert
        one = inline.format("value") if inline else f"convert{index}(value, conv)"
        if not whole:
            each = inline.format("item") if inline else f"convert{index}(item, conv)"
            body += ["elif value.__class__ is list:", f"    element[{name!r}] = [{each} for item in value]"]
        body.append("else:")
        if inline:
            body.append(f"    element[{name!r}] = {one}")
        elif name == ANY_ATTRIBUTE:
            body += [f"    converted = {one}", "    if converted:",
                     "        element.update(converted)  # {\"@name\": value, ...}: attributes the XSD leaves open"]
        else:
            body += [f"    converted = {one}", "    if converted is not None:", f"        element[{name!r}] = converted"]
        condition = _condition(row)
        guards = []
        if row.get("contract") == "live":
            guards.append("live")  # the 2014 contract has no place for it: not even computed
        if condition is not None:
            names[f"applies{index}"] = condition
            guards.append(f"applies{index}(obj)")
        lines.append(f"    # {name} <- {key or '(the object)'}")
        indent = "    "
        if guards:
            lines.append(f"    if {' and '.join(guards)}:")
            indent = "        "
        lines += [indent + line for line in body]
    lines.append("    return element")
    exec(compile("\n".join(lines), f"<mapping rows: {', '.join(sorted({r['v1'] for r in rows})[:3])}...>", "exec"),
         names)
    return names["write"]
