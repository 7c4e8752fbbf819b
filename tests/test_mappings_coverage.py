"""The mapping tables are complete on both sides, and only they decide the translation.

v1.1 side: every element, attribute and enum value that a served operation's request or
response can carry in the bridge's own wsdl/ appears in the tables, and nothing else does.
v2 side: every field, query parameter and enum value of the Swagger definitions the served
operations touch is a row's target or a `v2_only` entry with a note.
"""
from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, Iterator

import pytest
import xmlschema

from bridge.mappings import load
from bridge.reference import catalog
from bridge.reference.catalog import enum_of

from conftest import REFERENCE, served_contract

SWAGGER = REFERENCE / "v2" / "swagger.json"
NS = {"svc": "http://api.callfire.com/service/xsd", "data": "http://api.callfire.com/data"}
# The v2 definitions the served operations send or read (CallPage: GET /calls' page).
V2_DEFINITIONS = ("Call", "CallRecord", "CallRecording", "Text", "TextRecord", "CallBroadcast",
                  "CallBroadcastSounds", "RetryConfig", "LocalTimeRestriction", "Contact", "ContactHistory",
                  "Recipient", "ResourceId", "ErrorResponse", "Note", "QuestionResponse", "CallPage",
                  # BroadcastService (mappings/broadcast.yaml)
                  "TextBroadcast", "CallBroadcastPage", "TextBroadcastPage", "TextBroadcastCreateResponse",
                  "CallBroadcastStats", "TextBroadcastStatsDto", "Batch", "BatchRequest", "BatchPage",
                  "Schedule", "LocalDate", "LocalTime",
                  # CallService sounds (mappings/call.yaml)
                  "CampaignSound", "CampaignSoundPage", "TextToSpeech", "CallCreateSound",
                  # TextService (mappings/text.yaml)
                  "TextPage", "TextList", "TextRecipient", "TextAutoReply", "TextAutoReplyPage",
                  # NumberService (mappings/number.yaml)
                  "Region", "RegionPage", "Number", "NumberList", "NumberLease", "NumberLeasePage", "NumberConfig",
                  "NumberConfigPage", "CallTrackingConfig", "IvrInboundConfig", "Keyword", "KeywordList",
                  "KeywordLease", "KeywordLeasePage", "NumberOrder", "NumberOrderItem", "NumberPurchaseRequest",
                  "KeywordPurchaseRequest",
                  # SubscriptionService (mappings/subscription.yaml)
                  "Webhook",
                  # ContactService (mappings/contact.yaml)
                  "ContactPage", "ContactList", "ContactListPage", "CreateContactListRequest",
                  "AddContactListContactsRequest", "ResourceIdList")
LITERAL_ALTERNATIVES = re.compile(r"\(([A-Z0-9_]+)\)(\|\(([A-Z0-9_]+)\))*")
REQUEST_PREFIXES = ("query.", "path.", "body.")

TABLES = load()
CATALOG = catalog()
OPERATIONS = tuple(TABLES.operations)


# ---- the bridge's XSD ------------------------------------------------------------------------

@cache
def schema(contract: str = "live") -> xmlschema.XMLSchema:
    """The served XSD: the tables cover the live contract, a superset of the 2014 one."""
    return xmlschema.XMLSchema(str(served_contract(contract) / "callfire-service.xsd"))


def clark(prefixed: str) -> str:
    prefix, _, local = prefixed.partition(":")
    return f"{{{NS[prefix]}}}{local}"


def children(element: Any) -> Iterator[tuple[str, Any]]:
    """(name, declaration) of the attributes ("@id") and child elements, in XSD order."""
    for name, attribute in element.attributes.items():
        if name is not None:  # xs:anyAttribute has no name
            yield "@" + name.rpartition("}")[2], attribute
    if not element.type.is_simple() and not element.type.has_simple_content():
        for child in element.iterchildren():
            yield child.local_name, child


def has_children(node: Any) -> bool:
    return not node.type.is_simple() and not node.type.has_simple_content() and any(True for _ in node.iterchildren())


def descendants(element: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every value-carrying path: attributes and elements with a value; containers
    (VoiceBroadcastConfig, its RetryConfig) are walked into, their own attributes included."""
    for name, node in children(element):
        if name.startswith("@"):
            yield prefix + name, node
        elif has_children(node):
            yield from descendants(node, f"{prefix}{name}/")
        else:
            yield prefix + name, node
            yield from ((f"{prefix}{name}/{attribute}", a) for attribute, a in children(node))  # ToNumber/@ClientData


def enum_values(node: Any) -> tuple[str, set[str]] | None:
    """(prefixed type name, values) of an enumeration, a list of one, or a pattern of literals;
    of the data namespace or, like svc:BroadcastCommand, the service one."""
    own = node.type if node.type.is_simple() or not node.type.has_simple_content() else node.type.content
    simple = own.item_type if own.is_list() else own  # (ContactSource/Numbers: a list with an attribute)
    if simple is None or not simple.is_simple() or simple.name is None:
        return None
    prefix = next((p for p, uri in NS.items() if simple.name.startswith(f"{{{uri}}}")), None)
    if prefix is None:
        return None
    name = f"{prefix}:" + simple.name.rpartition("}")[2]
    if simple.enumeration:
        return name, set(simple.enumeration)
    patterns = simple.patterns.regexps if simple.patterns is not None else []
    # Several patterns of one restriction are alternatives (the live Voice adds one).
    if patterns and all(LITERAL_ALTERNATIVES.fullmatch(p) or p.isidentifier() for p in patterns):
        return name, {v for p in patterns for v in re.findall(r"[A-Z0-9_]+", p)}
    return None


def entity_element(table: dict[str, Any], contract: str = "live") -> Any:
    """The XSD declaration of an entity table's element (None: not in that contract);
    QuestionResponse is a local one, "data:X/Y" the local element Y of X (BroadcastStats/UsageStats)."""
    if ":" in table["v1"]:
        top, *local = table["v1"].split("/")
        element = schema(contract).maps.elements.get(clark(top))
        for step in local:
            element = next((node for name, node in children(element) if name == step), None) if element else None
        return element
    record = schema(contract).maps.elements[clark("data:CallRecord")]
    return next(node for name, node in children(record) if name == table["v1"])


def rows(operation: str, direction: str) -> dict[str, dict[str, Any]]:
    return {row["v1"]: row for row in TABLES.operations[operation][f"{direction}_fields"]}


# ---- (a) the v1.1 side -----------------------------------------------------------------------

@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_request_path_has_exactly_one_row(operation: str) -> None:
    element = schema().maps.elements[clark(TABLES.operations[operation]["request"])]
    paths = [path for path, _ in descendants(element)]
    table = [row["v1"] for row in TABLES.operations[operation]["request_fields"]]
    assert sorted(table) == sorted(paths), "rows must name every request value path once, and only those"


def test_request_paths_include_nested_elements_and_attributes() -> None:
    element = schema().maps.elements[clark("svc:SendCall")]
    paths = {path for path, _ in descendants(element)}
    assert {"VoiceBroadcastConfig/LocalTimeZoneRestriction/BeginTime", "ToNumber/@ClientData",
            "IvrBroadcastConfig/RetryConfig/RetryPhoneTypes"} <= paths


@pytest.mark.parametrize("operation", OPERATIONS)
def test_response_rows_name_the_response_element_children(operation: str) -> None:
    op = TABLES.operations[operation]
    if op["response"] == "Empty":  # the WSDL's Empty message: nothing to write
        assert op["response_fields"] == []
        return
    element = schema().maps.elements[clark(op["response"])]
    table = rows(operation, "response")
    own_name = op["response"].partition(":")[2]
    if set(table) == {own_name}:  # the response is the element itself: an entity or a simple value
        row = table[own_name]
        assert "entity" in row or element.type.is_simple()
    else:
        assert list(table) == [name for name, _ in children(element)]


@pytest.mark.parametrize("entity", list(TABLES.entities))
def test_entity_rows_name_every_child_in_xsd_order(entity: str) -> None:
    table = TABLES.entities[entity]
    assert [row["v1"] for row in table["fields"]] == [name for name, _ in children(entity_element(table))]


def test_every_response_element_of_the_issue_has_a_table() -> None:
    v1_elements = {table["v1"] for table in TABLES.entities.values()}
    assert {"data:Call", "data:CallRecord", "data:Text", "data:TextRecord", "data:RecordingMeta",
            "data:Note", "QuestionResponse", "data:Label"} <= v1_elements
    responses = {op["response"] for op in TABLES.operations.values()}
    assert {"svc:CallQueryResult", "data:ContactHistory", "svc:CreatedId", "data:Call"} <= responses


def constants(row: dict[str, Any]) -> set[str]:
    """The v1.1 values an entity row writes as they stand (`value`, and `default` of a row with no
    v2 source): Broadcast/Type, which v2 has no field for."""
    if "convert" in row:
        return set()
    found = {row["value"]} if "value" in row else set()
    if "default" in row and ("value" in row or row["v2"] == "-"):
        found.add(row["default"])
    return found


def enum_fields() -> Iterator[tuple[str, str, Any]]:
    """(where, row convert, XSD node) of every request path and response child of enum type.
    A request value that is never sent (v2 "-": Broadcast/Status) needs no converter."""
    for operation in OPERATIONS:
        element = schema().maps.elements[clark(TABLES.operations[operation]["request"])]
        table = rows(operation, "request")
        for path, node in descendants(element):
            if enum_values(node) and table[path]["v2"] != "-":
                yield f"{operation}.{path}", table[path].get("convert", ""), node
    for name, entity in TABLES.entities.items():
        table = {row["v1"]: row for row in entity["fields"]}
        for child, node in children(entity_element(entity)):
            if enum_values(node) and not constants(table[child]) and table[child]["v2"] != "-":
                yield f"{name}.{child}", table[child].get("convert", ""), node


@pytest.mark.parametrize("where, convert, node", list(enum_fields()), ids=lambda v: v if isinstance(v, str) else "")
def test_enum_fields_convert_with_a_table_holding_every_xsd_value(where: str, convert: str, node: Any) -> None:
    xsd_type, values = enum_values(node)
    table = TABLES.enums.get(enum_of(convert) or "")
    assert table is not None, f"{where} ({xsd_type}) needs an enum converter"
    assert table.v1_type == xsd_type
    assert set(table.v1_names()) == values


def test_constants_written_without_a_converter_are_values_of_the_2014_type() -> None:
    """Rows that write a constant (Broadcast/Type: VOICE, IVR, TEXT) write values of the element's
    type that CallFire's 2014 contract has too."""
    found = 0
    for name, entity in TABLES.entities.items():
        nodes = dict(children(entity_element(entity)))
        for row in entity["fields"]:
            if constants(row) and enum_values(nodes[row["v1"]]):  # (not "0" of a required counter)
                found += 1
                xsd_type, values = enum_values(nodes[row["v1"]])
                node_2014 = type("Node", (), {"type": schema("2014").maps.types[clark(xsd_type)]})()
                assert constants(row) <= values & enum_values(node_2014)[1], f"{name}.{row['v1']}"
    assert found


def test_enum_fields_include_the_types_of_the_issue() -> None:
    types = {enum_values(node)[0] for _, _, node in enum_fields()}
    assert {"data:ActionState", "data:Result", "data:Voice", "data:AnsweringMachineConfig",
            "data:RetryPhoneType", "data:BroadcastType"} <= types


@pytest.mark.parametrize("name", [n for n, t in TABLES.enums.items() if t.v1_type != "-"])
def test_every_enum_table_lists_exactly_its_xsd_type_values(name: str) -> None:
    table = TABLES.enums[name]
    simple = schema().maps.types[clark(table.v1_type)]
    found = enum_values(type("Node", (), {"type": simple})())
    assert found is not None and set(table.v1_names()) == found[1]


@pytest.mark.parametrize("name", [n for n, t in TABLES.enums.items() if t.v1_type != "-"])
def test_rows_marked_live_are_the_values_the_2014_contract_lacks(name: str) -> None:
    table = TABLES.enums[name]
    node = type("Node", (), {"type": schema("2014").maps.types[clark(table.v1_type)]})()
    values_2014 = enum_values(node)[1]
    assert {v.v1 for v in table.values if v.live_only} == set(table.v1_names()) - values_2014


@pytest.mark.parametrize("name", [n for n, t in TABLES.enums.items() if t.v1_type != "-"])
def test_every_v2_value_is_written_as_a_2014_value_by_default(name: str) -> None:
    """No enum value the May 2014 schema lacks ever goes out under the default contract."""
    table = TABLES.enums[name]
    node = type("Node", (), {"type": schema("2014").maps.types[clark(table.v1_type)]})()
    values_2014 = enum_values(node)[1]
    assert set(table.to_v1("2014").values()) <= values_2014
    assert table.unknown_v2_2014 in values_2014, "a v2 value the table lacks needs a 2014 value too"
    for value in table.values:
        if value.live_only and value.v2 is not None:
            assert value.lossy and value.v1_2014 and value.note, f"{value.v1} needs v1_2014, lossy and a note"


def test_entity_rows_marked_live_are_the_elements_the_2014_contract_lacks() -> None:
    for name, table in TABLES.entities.items():
        live = {n for n, _ in children(entity_element(table))}
        in_2014 = entity_element(table, "2014")
        present = {n for n, _ in children(in_2014)} if in_2014 is not None else set()
        marked = {row["v1"] for row in table["fields"] if row.get("contract") == "live"}
        if in_2014 is None:  # data:Note itself is live-only: only live rows lead to it
            continue
        assert marked == live - present, name
        for row in table["fields"]:
            if row.get("contract") == "live":
                assert row.get("fate") == "lossy" and "2014" in row.get("note", ""), row["v1"]


def test_broadcast_status_falls_back_for_every_v2_only_status() -> None:
    table = TABLES.enums["BroadcastStatus"]
    assert set(table.v1_names()) == {"START_PENDING", "RUNNING", "STOPPED", "FINISHED", "ARCHIVED"}
    for value in table.values:
        assert value.v1 is not None, f"{value.v2} needs a v1.1 status to be shown as"
        if value.v2 != value.v1:
            assert value.lossy and value.note, f"{value.v2} -> {value.v1} needs a note"
    assert table.to_v1()["SCHEDULED"] == "START_PENDING" and table.to_v1()["DECLINED"] == "STOPPED"


@pytest.mark.parametrize("name", list(TABLES.enums))
def test_fallback_rows_never_shadow_the_exact_pair(name: str) -> None:
    table = TABLES.enums[name]
    for value in table.values:
        if value.v1 is not None and value.v2 is not None and not value.lossy:
            assert table.to_v2()[value.v1] == value.v2
            assert table.to_v1()[value.v2] == value.v1


@pytest.mark.parametrize("name", list(TABLES.enums))
def test_every_lossy_value_says_what_happens(name: str) -> None:
    assert all(v.note for v in TABLES.enums[name].values if v.lossy or v.v1 is None or v.v2 is None)


# ---- (b, c) the v2 side ----------------------------------------------------------------------

@cache
def swagger() -> dict[str, Any]:
    return json.loads(SWAGGER.read_text(encoding="utf-8"))


def definition(name: str) -> dict[str, Any]:
    """A definition's properties, allOf parts merged (CallPage = Page + items of Call)."""
    raw = swagger()["definitions"][name]
    properties: dict[str, Any] = {}
    for part in raw.get("allOf", [raw]):
        if "$ref" in part:
            properties.update(definition(part["$ref"].rpartition("/")[2])["properties"])
        properties.update(part.get("properties", {}))
    return {"properties": properties}


def ref_name(schema_node: dict[str, Any]) -> str | None:
    node = schema_node.get("items", schema_node)
    return node["$ref"].rpartition("/")[2] if "$ref" in node else None


def walk(def_name: str, path: str, reached: set[tuple[str, str]]) -> bool:
    """Marks (definition, field) along a dot path; False when the path is not in the spec."""
    current: str | None = def_name
    for step in path.split("."):
        if current is None:
            return False
        properties = definition(current)["properties"]
        if step not in properties:
            return False
        reached.add((current, step))
        node = properties[step]
        if "additionalProperties" in node:
            return True  # a string map: the rest of the path is a key (attributes.ClientData)
        current = ref_name(node)
    return True


# An operation may list several v2 endpoints (BroadcastService: a call and a text broadcast kind,
# a read before a PUT); its strategy picks one per request.  So a request target has to exist in at
# least one of them, every parameter of every endpoint has to be mapped or v2_only, and a response
# row has to name a field of at least one endpoint's answer.

def endpoints(operation: str) -> list[tuple[str, str]]:
    return [(spec["path"], spec["method"].lower()) for spec in TABLES.operations[operation]["v2"]]


def parameters(operation: str) -> dict[str, dict[str, Any]]:
    """The parameters of all the operation's endpoints (the same name means the same thing)."""
    return {p["name"]: p for path, method in endpoints(operation)
            for p in swagger()["paths"][path][method].get("parameters", [])}


def body_definitions(operation: str) -> list[str]:
    found = [ref_name(p["schema"]) for path, method in endpoints(operation)
             for p in swagger()["paths"][path][method].get("parameters", []) if p["in"] == "body"]
    return list(dict.fromkeys(name for name in found if name))


def body_definition(operation: str) -> str | None:
    return next(iter(body_definitions(operation)), None)


def response_definitions(operation: str) -> list[str]:
    """The 2xx answers that have a body (PUT and the start/stop/archive POSTs have none)."""
    found = []
    for path, method in endpoints(operation):
        for code, response in swagger()["paths"][path][method]["responses"].items():
            if code.startswith("2") and "schema" in response:
                found.append(ref_name(response["schema"]))
    return list(dict.fromkeys(found))


def walk_any(def_names: list[str], path: str, reached: set[tuple[str, str]]) -> list[str]:
    """The definitions in which the dot path exists; marks its fields in each of them."""
    found = []
    for name in def_names:
        marks: set[tuple[str, str]] = set()
        if walk(name, path, marks):
            reached |= marks
            found.append(name)
    return found


def item_definition(def_name: str, path: str) -> str:
    """The definition of what a dot path of def_name holds (the item of an array): "" = def_name."""
    current = def_name
    for step in path.split(".") if path else ():
        current = ref_name(definition(current)["properties"][step])
    return current


def request_target(operation: str, target: str, reached: set, params: set) -> bool:
    kind, _, rest = target.partition(".")
    if kind in ("query", "path"):
        params.add((operation, rest))
        return rest in parameters(operation)
    if kind == "body":  # a JSON body's field, or a multipart endpoint's form field
        form = {n for n, p in parameters(operation).items() if p["in"] == "formData"}
        if rest in form:
            params.add((operation, rest))
        return bool(walk_any(body_definitions(operation), rest, reached)) or rest in form
    return kind in ("paging", "bridge") or target == "-"


@cache
def v2_reached() -> tuple[frozenset, frozenset]:
    """Every (definition, field) and (operation, parameter) some row or v2_only entry names."""
    reached: set[tuple[str, str]] = set()
    params: set[tuple[str, str]] = set()
    unknown: list[str] = []
    for name, op in TABLES.operations.items():
        params |= {(name, key) for spec in op["v2"] for key in spec.get("query", {})}
        for row in op["request_fields"]:
            for target in (row["v2"], *row.get("v2_fields", ())):
                if not request_target(name, target, reached, params):
                    unknown.append(f"{name} request {target}")
        responses = response_definitions(name)
        for row in op["response_fields"]:
            if row["v2"] == "-":  # computed by the bridge (the number of a broadcast's schedules)
                assert row.get("fate") == "bridge" and row.get("note"), f"{name}.{row['v1']}"
                continue
            holders = walk_any(responses, row["v2"], reached) if row["v2"] else responses
            if not holders:
                unknown.append(f"{name} response {row['v2']}")
            if "entity" in row:
                # One table per kind of item: `entity`, and `entity_for` {v2 definition: table}.
                tables = {TABLES.entities[row["entity"]]["v2"]: row["entity"], **row.get("entity_for", {})}
                for holder in holders:
                    item = item_definition(holder, row["v2"])
                    assert item in tables, f"{name}.{row['v1']}: no table for the {item} items"
                    assert TABLES.entities[tables[item]]["v2"] == item, f"{name}.{row['v1']}: items are {item}"
        for entry in op.get("v2_only", ()):
            target = entry["v2"]
            ok = (request_target(name, target, reached, params) if target.startswith(REQUEST_PREFIXES)
                  else bool(walk_any(responses, target, reached)))
            if not ok:
                unknown.append(f"{name} v2_only {target}")
    for name, entity in TABLES.entities.items():
        if entity["v2"] not in swagger()["definitions"]:
            # "labels[]": items of a v2 array; "bridge:X": a record the bridge keeps itself (a subscription)
            assert entity["v2"].endswith("[]") or entity["v2"].startswith("bridge:"), \
                f"{name}: v2 {entity['v2']} is not a definition"
            continue
        for row in [*entity["fields"], *entity.get("v2_only", ()), *([entity["any_attribute"]] if "any_attribute" in entity else [])]:
            paths = [p for p in (*row["v2"].split("|"), *row.get("v2_fields", ())) if p not in ("", "-")]
            if paths and not any([walk(entity["v2"], p, reached) for p in paths]):
                unknown.append(f"{name} {row['v2']}")
    body = TABLES.errors["error_response"]
    for row in [*body["fields"], *body["v2_only"]]:
        if not walk(body["v2"], row["v2"], reached):
            unknown.append(f"ErrorResponse {row['v2']}")
    assert not unknown, f"targets that are not in the v2 spec: {unknown}"
    return frozenset(reached), frozenset(params)


@pytest.mark.parametrize("name", V2_DEFINITIONS)
def test_every_field_of_a_touched_v2_definition_is_mapped_or_v2_only(name: str) -> None:
    reached, _ = v2_reached()
    missing = set(definition(name)["properties"]) - {field for owner, field in reached if owner == name}
    assert not missing, f"{name}: add rows or v2_only entries (with a note) for {sorted(missing)}"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_query_path_and_form_parameter_is_mapped_or_v2_only(operation: str) -> None:
    _, params = v2_reached()
    wanted = {n for n, p in parameters(operation).items() if p["in"] in ("query", "path", "formData")}
    assert wanted - {p for op, p in params if op == operation} == set()


def test_entity_tables_read_the_definitions_the_endpoints_return() -> None:
    assert {d for op in OPERATIONS for d in response_definitions(op)} == {
        "CallPage", "Call", "ResourceId", "ContactHistory", "CallBroadcast", "TextBroadcast", "CallBroadcastPage",
        "TextBroadcastPage", "TextBroadcastCreateResponse", "CallBroadcastStats", "TextBroadcastStatsDto", "Batch",
        "BatchPage",
        # sounds: GetSoundData and GetRecordingData answer audio (the spec's StreamingOutput, InputStream)
        "CampaignSound", "CampaignSoundPage", "StreamingOutput", "InputStream",
        "TextPage", "Text", "TextList", "TextAutoReply", "TextAutoReplyPage",
        "RegionPage", "NumberLeasePage", "NumberConfigPage", "NumberLease", "NumberConfig", "NumberList",
        "KeywordLeasePage", "KeywordList", "NumberOrder",
        "ContactPage", "Contact", "ContactList", "ContactListPage", "ResourceIdList"}
    assert body_definition("SendCall") == "CallBroadcast"
    assert body_definitions("CreateBroadcast") == ["CallBroadcast", "TextBroadcast"]
    assert body_definitions("SendText") == ["TextBroadcast", "TextRecipient"]


def v2_enum_fields() -> Iterator[tuple[str, tuple[str, ...]]]:
    for name in V2_DEFINITIONS:
        for field, node in definition(name)["properties"].items():
            values = node.get("enum") or node.get("items", {}).get("enum")
            if values:
                yield f"{name}.{field}", tuple(values)
    for operation in OPERATIONS:
        for param, node in parameters(operation).items():
            values = node.get("enum") or node.get("items", {}).get("enum")
            if values:
                yield f"{operation}?{param}", tuple(values)


@pytest.mark.parametrize("field, values", list(v2_enum_fields()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_v2_enum_value_is_in_the_table_for_its_field(field: str, values: tuple[str, ...]) -> None:
    tables = [t for t in TABLES.enums.values() if field in t.v2_fields]
    assert tables, f"no enum table lists {field} in its v2 fields"
    for table in tables:
        v2_values = {v.v2 for v in table.values if v.v2 is not None}
        assert set(values) == v2_values, f"{table.name} against the spec's {field}"


def test_v2_enum_fields_include_those_of_the_issue() -> None:
    fields = dict(v2_enum_fields())
    assert {"Call.finalCallResult", "Call.state", "CallRecord.result", "CallRecording.state", "Text.finalTextResult",
            "TextRecord.textResult", "CallBroadcast.status", "CallBroadcast.answeringMachineConfig",
            "CallBroadcastSounds.liveSoundTextVoice"} <= set(fields)


def test_enum_tables_name_real_v2_fields_and_parameters() -> None:
    for table in TABLES.enums.values():
        for where in table.v2_fields:
            if where.startswith(("GET ", "POST ")):
                method, _, rest = where.partition(" ")
                path, _, param = rest.split(" ")[0].partition("?")
                operation = swagger()["paths"][path][method.lower()]
                assert not param or param in {p["name"] for p in operation["parameters"]}, f"{table.name}: {where}"
            else:
                owner, _, path = where.partition(".")
                assert walk(owner, path, set()), f"{table.name}: {where}"
