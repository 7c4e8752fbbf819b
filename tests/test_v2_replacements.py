"""mappings/replacements.yaml names the CallFire v2 replacement of every v1.1 operation.

Complete: one entry per operation of wsdl/operations.yaml, under its port, in the contract's
order, and nothing else. Accurate: every "METHOD /path" (in `v2` lists and in the prose) is a
request of the v2 Swagger spec, every `backticked` name is a v2 field or query parameter, every
enumeration table lists exactly the values of its v1.1 XSD type (2014-05 contract plus the values
the bridge's live contract adds), and every v1.1 element named exists in the request element.
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from lxml import etree

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TABLE = ROOT / "mappings" / "replacements.yaml"
OPERATIONS = ROOT / "wsdl" / "operations.yaml"
SWAGGER = HERE / "contracts" / "v2" / "swagger.json"
XSD_2014 = [HERE / "contracts" / "v1.1-2014" / name for name in ("callfire-service.xsd", "callfire-data.xsd")]
XSD_LIVE = [ROOT / "wsdl" / name for name in ("callfire-service.xsd", "callfire-data.xsd")]

XS = "http://www.w3.org/2001/XMLSchema"
CONTRACT_ATTRIBUTE = "{urn:callfire-bridge:contract}contract"
PREFIXES = {"svc": "http://api.callfire.com/service/xsd", "data": "http://api.callfire.com/data"}
METHODS = ("GET", "POST", "PUT", "DELETE")
REQUEST = re.compile(r"^(GET|POST|PUT|DELETE) (/\S+)$")
REQUEST_IN_PROSE = re.compile(r"\b(GET|POST|PUT|DELETE) (/[^\s,;)]+)")
BACKTICKED = re.compile(r"`([^`]*)`")
ENUM_TABLES = ("commands", "types", "trigger_events", "formats")
ENTRY_KEYS = {"v2", "how", "gap", "implemented", "elements", *ENUM_TABLES}
VALUE_KEYS = {"v2", "how", "gap", "contract"}
ELEMENT_KEYS = {"v2", "how", "gap"}
HOW_MAX = 600  # the fault's Message has to stay readable


# ---- sources -----------------------------------------------------------------------------------

@cache
def table() -> dict[str, Any]:
    return yaml.safe_load(TABLE.read_text(encoding="utf-8"))


@cache
def contract() -> dict[str, Any]:
    return yaml.safe_load(OPERATIONS.read_text(encoding="utf-8"))


def operations_by_port() -> dict[str, list[str]]:
    """{service name: [operation, ...]} in the contract's order."""
    ports = contract()["ports"]
    result: dict[str, list[str]] = {service: [] for service in ports.values()}
    for operation in contract()["operations"]:
        result[ports[operation["port"]]].append(operation["operation"])
    return result


def request_elements() -> dict[str, str]:
    return {operation["operation"]: operation["input"]["element"] for operation in contract()["operations"]}


@cache
def swagger() -> dict[str, Any]:
    return json.loads(SWAGGER.read_text(encoding="utf-8"))


@cache
def v2_names() -> frozenset[str]:
    """Every property name of every definition and every parameter name of the spec."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name in node.get("properties", {}) if isinstance(node.get("properties"), dict) else ():
                names.add(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(swagger()["definitions"])
    for methods in swagger()["paths"].values():
        for method, spec in methods.items():
            if method.upper() in METHODS:
                names.update(parameter["name"] for parameter in spec.get("parameters", []))
    return frozenset(names)


def entries() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for port, operations in table().items():
        for name, entry in (operations or {}).items():
            yield port, name, entry


def replacements() -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, item) for every item with v2/how/gap: operations, enum values and elements."""
    for _port, name, entry in entries():
        yield name, entry
        for key in ENUM_TABLES:
            for value, item in (entry.get(key) or {}).get("values", {}).items():
                yield f"{name} {key} {value}", item
        for element, item in (entry.get("elements") or {}).items():
            yield f"{name} element {element}", item


# ---- a small XSD reader (lxml) -----------------------------------------------------------------

class Schema:
    """Global elements and named types of a set of XSD files, and paths through their content."""

    def __init__(self, files: list[Path]) -> None:
        self.elements: dict[tuple[str, str], etree._Element] = {}
        self.types: dict[tuple[str, str], etree._Element] = {}
        for path in files:
            root = etree.parse(str(path)).getroot()
            namespace = root.get("targetNamespace")
            for child in root:
                kind = etree.QName(child).localname if isinstance(child.tag, str) else ""
                if kind == "element":
                    self.elements[(namespace, child.get("name"))] = child
                elif kind in ("complexType", "simpleType"):
                    self.types[(namespace, child.get("name"))] = child

    @staticmethod
    def qname(node: etree._Element, value: str) -> tuple[str, str]:
        prefix, _, local = value.rpartition(":")
        return node.nsmap[prefix or None], local

    def particles(self, node: etree._Element) -> Iterator[etree._Element]:
        """The element declarations of a complex type, its groups and its base types."""
        for child in node:
            if not isinstance(child.tag, str) or etree.QName(child).namespace != XS:
                continue
            kind = etree.QName(child).localname
            if kind == "element":
                yield self.elements[self.qname(child, child.get("ref"))] if child.get("ref") else child
            elif kind in ("sequence", "choice", "all", "complexContent"):
                yield from self.particles(child)
            elif kind in ("extension", "restriction"):
                base = self.types.get(self.qname(child, child.get("base")))
                if base is not None:
                    yield from self.particles(base)
                yield from self.particles(child)

    def content(self, declaration: etree._Element) -> etree._Element | None:
        if declaration.get("type"):
            return self.types.get(self.qname(declaration, declaration.get("type")))
        return declaration.find(f"{{{XS}}}complexType")

    def element(self, prefixed: str) -> etree._Element:
        prefix, _, local = prefixed.partition(":")
        return self.elements[(PREFIXES[prefix], local)]

    def path(self, start: etree._Element, path: str) -> etree._Element:
        declaration = start
        for step in path.split("/"):
            content = self.content(declaration)
            found = [e for e in (self.particles(content) if content is not None else ()) if e.get("name") == step]
            if not found:
                raise KeyError(f"no element {step!r} in {declaration.get('name')}")
            declaration = found[0]
        return declaration

    def value_type(self, declaration: etree._Element) -> tuple[str, str]:
        """The simple type of an element: its named type, or the item type of an inline xs:list."""
        if declaration.get("type"):
            return self.qname(declaration, declaration.get("type"))
        item = declaration.find(f"{{{XS}}}simpleType/{{{XS}}}list")
        assert item is not None, f"{declaration.get('name')} has neither a type nor an inline list"
        return self.qname(item, item.get("itemType"))

    def enumeration(self, name: tuple[str, str]) -> dict[str, etree._Element]:
        return {e.get("value"): e for e in self.types[name].iter(f"{{{XS}}}enumeration")}


@cache
def schema_2014() -> Schema:
    return Schema(XSD_2014)


@cache
def schema_live() -> Schema:
    return Schema(XSD_LIVE)


def type_name(prefixed: str) -> tuple[str, str]:
    prefix, _, local = prefixed.partition(":")
    return PREFIXES[prefix], local


# ---- completeness --------------------------------------------------------------------------------

def test_the_file_has_no_repeated_keys() -> None:
    """yaml.safe_load keeps the last of two equal keys; a repeated operation would hide silently."""
    def walk(node: yaml.Node, where: str) -> None:
        if isinstance(node, yaml.MappingNode):
            keys = [key.value for key, _ in node.value]
            repeated = sorted({key for key in keys if keys.count(key) > 1})
            assert not repeated, f"{where}: repeated keys {repeated}"
            for key, value in node.value:
                walk(value, f"{where}/{key.value}")
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, where)

    walk(yaml.compose(TABLE.read_text(encoding="utf-8"), Loader=yaml.SafeLoader), "replacements.yaml")


def test_every_operation_has_one_entry_under_its_port_in_contract_order() -> None:
    expected = operations_by_port()
    assert list(table()) == list(expected), "ports: the seven services in the contract's order"
    for port, operations in expected.items():
        assert list(table()[port] or {}) == operations, f"{port}: one entry per operation, in the contract's order"
    assert sum(len(operations) for operations in expected.values()) == 61


@pytest.mark.parametrize("port,name,entry", list(entries()), ids=lambda value: value if isinstance(value, str) else "")
def test_entry_shape(port: str, name: str, entry: dict[str, Any]) -> None:
    assert isinstance(entry, dict) and not set(entry) - ENTRY_KEYS, f"{name}: unknown keys {set(entry) - ENTRY_KEYS}"
    assert entry.get("implemented", True) is True, f"{name}: implemented is true or absent"
    for key in ENUM_TABLES:
        if key in entry:
            assert set(entry[key]) == {"type", "element", "values"}, f"{name}.{key}: type, element and values"
            for value, item in entry[key]["values"].items():
                assert not set(item) - VALUE_KEYS, f"{name}.{key}.{value}: unknown keys"
                assert item.get("contract", "live") == "live", f"{name}.{key}.{value}: contract is live or absent"
    for element, item in (entry.get("elements") or {}).items():
        assert not set(item) - ELEMENT_KEYS, f"{name}.elements.{element}: unknown keys"


@pytest.mark.parametrize("where,item", list(replacements()), ids=[where for where, _ in replacements()])
def test_every_replacement_has_requests_a_how_and_a_gap_when_v2_has_nothing(where: str, item: dict[str, Any]) -> None:
    assert isinstance(item.get("v2"), list), f"{where}: v2 is a list"
    how = item.get("how")
    assert isinstance(how, str) and how.strip(), f"{where}: a non-empty how"
    assert "\n" not in how and len(how) <= HOW_MAX, f"{where}: how is one short paragraph"
    if "gap" in item:
        assert isinstance(item["gap"], str) and item["gap"].strip() and "\n" not in item["gap"], f"{where}: gap text"
    if not item["v2"]:
        assert item.get("gap"), f"{where}: no v2 request, so the gap must say what is lost"
    assert len(set(item["v2"])) == len(item["v2"]), f"{where}: a v2 request listed twice"


# ---- agreement with the v2 spec ----------------------------------------------------------------

def v2_requests() -> list[tuple[str, str]]:
    return [(where, request) for where, item in replacements() for request in item.get("v2") or []]


@pytest.mark.parametrize("where,v2_request", v2_requests(), ids=[f"{w}: {r}" for w, r in v2_requests()])
def test_v2_requests_are_requests_of_the_spec(where: str, v2_request: str) -> None:
    match = REQUEST.match(v2_request)
    assert match, f"{where}: {v2_request!r} is not 'METHOD /path'"
    method, path = match.groups()
    assert path in swagger()["paths"], f"{where}: {path} is not a path of the v2 spec"
    assert method.lower() in swagger()["paths"][path], f"{where}: the v2 spec has no {method} {path}"


def prose() -> Iterator[tuple[str, str]]:
    for where, item in replacements():
        for key in ("how", "gap"):
            if isinstance(item.get(key), str):
                yield f"{where} {key}", item[key]


def test_requests_named_in_the_prose_are_requests_of_the_spec() -> None:
    wrong = []
    for where, text in prose():
        for method, path in REQUEST_IN_PROSE.findall(text):
            path = path.rstrip(".:")
            if path not in swagger()["paths"] or method.lower() not in swagger()["paths"][path]:
                wrong.append(f"{where}: {method} {path}")
    assert not wrong, "requests that the v2 spec does not have:\n" + "\n".join(wrong)


def test_backticked_names_are_v2_fields_or_parameters() -> None:
    wrong = []
    for where, text in prose():
        for quoted in BACKTICKED.findall(text):
            name = quoted.partition("=")[0]
            for segment in name.split("."):
                if segment not in v2_names():
                    wrong.append(f"{where}: `{quoted}`")
    assert not wrong, "backticked names that are no v2 field or parameter:\n" + "\n".join(wrong)


def test_implemented_operations_send_what_the_mapping_tables_send() -> None:
    """`implemented` agrees with the bridge's own mapping tables (every mappings/*.yaml with `operations`)."""
    served: dict[str, set[str]] = {}
    for path in sorted((ROOT / "mappings").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path != TABLE and isinstance(data, dict) and isinstance(data.get("operations"), dict):
            for name, operation in data["operations"].items():
                served[name] = {f"{request['method']} {request['path']}" for request in operation.get("v2", [])}
    assert served, "no operation tables found in mappings/"
    marked = {name: set(entry["v2"]) for _port, name, entry in entries() if entry.get("implemented")}
    assert set(marked) == set(served)
    # An operation answered from the bridge's own store sends nothing; its entry keeps the advice.
    assert {name: v2 for name, v2 in marked.items() if served[name]} == {n: v2 for n, v2 in served.items() if v2}


# ---- agreement with the v1.1 XSDs --------------------------------------------------------------

def enum_tables() -> list[tuple[str, str, dict[str, Any]]]:
    return [(name, key, entry[key]) for _port, name, entry in entries() for key in ENUM_TABLES if key in entry]


@pytest.mark.parametrize("name,key,enum", enum_tables(), ids=[f"{n}.{k}" for n, k, _ in enum_tables()])
def test_enum_tables_list_exactly_the_values_of_their_xsd_type(name: str, key: str, enum: dict[str, Any]) -> None:
    type_ = type_name(enum["type"])
    declared = schema_2014().enumeration(type_)
    assert declared, f"{name}.{key}: {enum['type']} is no enumeration of the 2014-05 XSD"
    live = {value for value, node in schema_live().enumeration(type_).items()
            if node.get(CONTRACT_ATTRIBUTE) == "live"}
    values = enum["values"]
    expected = set(declared) | live
    assert set(values) >= expected, f"{name}.{key}: values without an entry: {sorted(expected - set(values))}"
    assert set(values) <= expected, f"{name}.{key}: no such {enum['type']} value: {sorted(set(values) - expected)}"
    for value, item in values.items():
        assert (item.get("contract") == "live") == (value in live and value not in declared), \
            f"{name}.{key}.{value}: `contract: live` exactly for the values only the live contract has"
    # the element named carries that type
    request = schema_2014().element(request_elements()[name])
    assert schema_2014().value_type(schema_2014().path(request, enum["element"])) == type_, \
        f"{name}.{key}: {enum['element']} is not of type {enum['type']}"


def elements() -> list[tuple[str, str]]:
    return [(name, element) for _port, name, entry in entries() for element in (entry.get("elements") or {})]


@pytest.mark.parametrize("name,element", elements(), ids=[f"{n}/{e}" for n, e in elements()])
def test_elements_are_children_of_the_request_element(name: str, element: str) -> None:
    request = schema_2014().element(request_elements()[name])
    schema_2014().path(request, element)  # raises KeyError when absent


def test_broadcast_commands_are_start_stop_archive() -> None:
    """The 2014-05 BroadcastCommand; MaxActive is a separate element of ControlBroadcast, not a command."""
    commands = table()["BroadcastService"]["ControlBroadcast"]["commands"]["values"]
    assert list(commands) == ["START", "STOP", "ARCHIVE"]
    assert "MaxActive" in table()["BroadcastService"]["ControlBroadcast"]["elements"]
