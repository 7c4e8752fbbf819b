"""What the bridge serves is CallFire's May 2014 v1.1 WSDL/XSD set.

Our files are the team's own (XSDs by hand, WSDLs generated from
wsdl/operations.yaml); the reference set in tests/contracts/v1.1-2014/ is
CallFire's (structure only). The bridge serves two variants derived from wsdl/
(bridge/contract/variants.py): "2014", the default, must be the reference
exactly; "live" may differ only by the extensions listed in ALLOWED_EXTENSIONS.

How the comparison works:
- WSDL: both soap12 WSDLs are loaded with zeep and flattened into "path: value"
  facts (service, ports, bindings, operation order, soapAction, style, message
  names, parts and their element QNames, faults, addresses). lxml adds what zeep
  does not keep: portType input/output names, the soap:body/fault forms inside
  the binding, targetNamespaces and the import chain.
- Schemas: zeep does not keep enumerations, patterns, defaults or choice
  structure, so the svc: and data: schemas are walked with lxml into a
  normalised tree (QNames resolved, default-valued attributes dropped,
  annotations ignored, unknown XSD constructs rejected) and diffed node by node.
  Every global element and type is compared, which covers everything reachable
  from the 61 operations. Diff lines read like
  "data:CallRecord/sequence/Duration: type xs:int -> xs:long".
"""

from __future__ import annotations

import functools
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import xmlschema
import zeep
from lxml import etree

from bridge.contract import PORTS, SOAP_ACTION_BASE, operation_for_request, operations
from bridge.contract import generate
from bridge.contract.variants import CB, MARK, Contract, served_files
from conftest import served_contract

OURS = Path(__file__).resolve().parents[1] / "wsdl"
REFERENCE = Path(__file__).resolve().parent / "contracts" / "v1.1-2014"
SOAP12_WSDL = "callfire-service-http-soap12.wsdl"
SOAP11_WSDL = "callfire-service-http-soap11.wsdl"
SERVICE_XSD = "callfire-service.xsd"

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SVC = "http://api.callfire.com/service/xsd"
DATA = "http://api.callfire.com/data"
PREFIXES = {
    SVC: "svc",
    DATA: "data",
    XS: "xs",
    "http://api.callfire.com/annotations": "ann",
    "http://www.w3.org/2005/05/xmlmime": "xmime",
    "http://schemas.xmlsoap.org/wsdl/soap12/": "soap12",
    "http://schemas.xmlsoap.org/wsdl/soap/": "soap",
    "http://api.callfire.com/service/wsdl": "svcwsdl",
}
COMPARED_NAMESPACES = (SVC, DATA)
# Attributes in these namespaces are documentation / Java code generation only.
IGNORED_ATTRIBUTE_NAMESPACES = {"http://api.callfire.com/annotations", "http://java.sun.com/xml/ns/jaxb"}
# XSD attribute values equal to the XSD default carry no meaning; drop them before comparing.
XSD_DEFAULTS = {"abstract": "false", "mixed": "false", "nillable": "false"}


# Every difference between the reference and wsdl/ that is allowed: the fields and
# values CallFire's later live API added (v11-contract.md §12), all optional.
ALLOWED_EXTENSIONS = {
    # data:Call: Note* and AgentCall? after CallRecord*
    "data:Call/sequence: added data:Note(occurs=[0..unbounded]) after data:CallRecord",
    "data:Call/sequence: added AgentCall(occurs=[0..1], type=xs:boolean) after data:Note",
    # data:Note (new): Text?, Created?
    "(schema data): added data:Note(type=(anonymous)) {sequence(occurs=[1..1])"
    " {Text(occurs=[0..1], type=xs:string) Created(occurs=[0..1], type=xs:dateTime)}}",
    # ActionRecord: SwitchId?, CallerName? after QuestionResponse*
    "type data:ActionRecord/sequence: added SwitchId(occurs=[0..1], type=xs:string) after QuestionResponse",
    "type data:ActionRecord/sequence: added CallerName(occurs=[0..1], type=xs:string) after SwitchId",
    # data:CallRecord: Note* after RecordingMeta*
    "data:CallRecord/sequence: added data:Note(occurs=[0..unbounded]) after data:RecordingMeta",
    # svc:SendRequest: Label* after ScrubBroadcastDuplicates
    "type svc:SendRequest/sequence: added Label(occurs=[0..unbounded], type=xs:string)"
    " after ScrubBroadcastDuplicates",
    # svc:SendCall: MaxActive? before the VoiceBroadcastConfig|IvrBroadcastConfig choice,
    # which therefore moves into a sequence.
    "svc:SendCall: missing choice(occurs=[1..1])"
    " {data:VoiceBroadcastConfig(occurs=[1..1]) data:IvrBroadcastConfig(occurs=[1..1])}",
    "svc:SendCall: added sequence(occurs=[1..1]) {MaxActive(occurs=[0..1], type=xs:int) choice(occurs=[1..1])"
    " {data:VoiceBroadcastConfig(occurs=[1..1]) data:IvrBroadcastConfig(occurs=[1..1])}}",
    # enumeration values
    "type data:ActionState: added enum CALLBACK after enum TIMEOUT",
    "type data:ActionState: added enum DISABLED after enum CALLBACK",
    "type data:ActionState: added enum SKIPPED after enum DISABLED",
    "type data:ActionState: added enum PERIOD_LIMIT after enum SKIPPED",
    "type data:ActionState: added enum RESTRICTED_NUMBER after enum PERIOD_LIMIT",
    "type data:Result: added enum SD after enum CARRIER_TEMP_ERROR",
    "type data:Result: added enum POSTPONED after enum SD",
    "type data:Result: added enum ABANDONED after enum POSTPONED",
    "type data:Result: added enum SKIPPED after enum ABANDONED",
    "type data:Result: added enum INVALID_NUMBER after enum SKIPPED",
    "type data:BroadcastType: added enum CCC after enum TEXT",
    # a second pattern: patterns of one restriction are alternatives
    "type data:Voice: pattern (MALE1)|(FEMALE1)|(FEMALE2)|(SPANISH1)"
    " -> (MALE1)|(FEMALE1)|(FEMALE2)|(SPANISH1) OR FRENCHCANADIAN1",
}

# The one allowed WSDL difference: every binding fault is bound the standard way
# (soap12:fault naming the portType's fault) instead of the 2014-05 file's
# <soap12:body use="literal"/>, which JAX-WS wsimport refuses. The wire is the same.
ALLOWED_FAULT_BINDING = re.compile(
    r"binding \w+Binding/\w+: fault form soap12:body\(use=literal\) -> soap12:fault\(name=Fault, use=literal\)")


# ---------------------------------------------------------------------------
# Schema comparison
# ---------------------------------------------------------------------------

@dataclass
class Node:
    """A normalised schema construct: a path segment, its properties and children."""

    label: str
    props: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    ordered: bool = False  # child order is significant (model groups, enumerations)

    def add(self, child: Node) -> None:
        """Append a child, numbering repeated labels (a second choice is "choice#2")."""
        base, n = child.label, 2
        while any(c.label == child.label for c in self.children):
            child.label, n = f"{base}#{n}", n + 1
        self.children.append(child)


def _display(clark_or_ns: str, local: str | None = None) -> str:
    """``{ns}local`` (or ns + local) -> ``prefix:local``."""
    if local is None:
        ns, _, local = clark_or_ns[1:].partition("}") if clark_or_ns.startswith("{") else ("", "", clark_or_ns)
    else:
        ns = clark_or_ns
    if not ns:
        return local
    return f"{PREFIXES[ns]}:{local}" if ns in PREFIXES else f"{{{ns}}}{local}"


def _qname(el: etree._Element, value: str) -> str:
    """Resolve a QName-valued attribute with the element's namespace map, for display."""
    prefix, _, local = value.rpartition(":")
    return _display(el.nsmap.get(prefix or None, ""), local)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _xs_children(el: etree._Element) -> list[etree._Element]:
    """XSD children that carry meaning: no comments, no annotations; nothing foreign."""
    result = []
    for child in el:
        if not isinstance(child.tag, str) or child.tag == f"{{{XS}}}annotation":
            continue
        assert etree.QName(child).namespace == XS, f"unexpected element {child.tag} in schema"
        result.append(child)
    return result


def _occurs(el: etree._Element) -> str:
    return f"[{el.get('minOccurs', '1')}..{el.get('maxOccurs', '1')}]"


def _plain_props(el: etree._Element, names: tuple[str, ...], qnames: tuple[str, ...] = ()) -> dict[str, str]:
    """Listed attributes (dropping XSD defaults) plus foreign attributes such as xmime:*."""
    props = {}
    for name in names:
        value = el.get(name)
        if value is not None and XSD_DEFAULTS.get(name) != value:
            props[name] = _qname(el, value) if name in qnames else value
    for key, value in el.attrib.items():
        ns = etree.QName(key).namespace
        if ns and ns not in IGNORED_ATTRIBUTE_NAMESPACES:
            props[_display(key)] = value
    return props


def _element(el: etree._Element, is_global: bool, tns: str) -> Node:
    if el.get("ref"):
        node = Node(_qname(el, el.get("ref")), _plain_props(el, ()))
    else:
        node = Node(_display(tns, el.get("name")) if is_global else el.get("name"))
        node.props.update(_plain_props(el, ("default", "fixed", "nillable", "abstract", "substitutionGroup",
                                            "block", "final", "form"), qnames=("substitutionGroup",)))
        inline = _xs_children(el)
        if el.get("type"):
            node.props["type"] = _qname(el, el.get("type"))
        elif inline:
            node.props["type"] = "(anonymous)"
        else:
            node.props["type"] = "xs:anyType"
        for child in inline:
            kind = _local(child)
            assert kind in ("complexType", "simpleType"), f"unsupported {kind} in element {el.get('name')}"
            (_complex_type if kind == "complexType" else _simple_type)(child, node, tns)
    if not is_global:
        node.props["occurs"] = _occurs(el)
    return node


def _group(el: etree._Element, tns: str) -> Node:
    node = Node(_local(el), {"occurs": _occurs(el)}, ordered=True)
    for child in _xs_children(el):
        kind = _local(child)
        if kind == "element":
            node.add(_element(child, False, tns))
        elif kind in ("sequence", "choice", "all"):
            node.add(_group(child, tns))
        elif kind == "any":
            node.add(Node("any", {"occurs": _occurs(child), "namespace": child.get("namespace", "##any"),
                                  "processContents": child.get("processContents", "strict")}))
        else:
            raise AssertionError(f"unsupported {kind} in {node.label}")
    return node


def _attribute(el: etree._Element, tns: str) -> Node:
    if _local(el) == "anyAttribute":
        return Node("@*", {"namespace": el.get("namespace", "##any"),
                           "processContents": el.get("processContents", "strict")})
    assert _local(el) == "attribute", f"unsupported {_local(el)}"
    node = Node("@" + (_qname(el, el.get("ref")) if el.get("ref") else el.get("name")))
    node.props.update(_plain_props(el, ("default", "fixed", "form")))
    node.props["use"] = el.get("use", "optional")
    inline = _xs_children(el)
    if el.get("type"):
        node.props["type"] = _qname(el, el.get("type"))
    else:
        node.props["type"] = "(anonymous)" if inline else "xs:anySimpleType"
    for child in inline:
        _simple_type(child, node, tns)
    return node


def _content(el: etree._Element, node: Node, tns: str) -> None:
    """Model group and attributes of a complexType or of its extension/restriction."""
    for child in _xs_children(el):
        kind = _local(child)
        if kind in ("sequence", "choice", "all"):
            node.add(_group(child, tns))
        elif kind in ("attribute", "anyAttribute"):
            node.add(_attribute(child, tns))
        elif kind in ("complexContent", "simpleContent"):
            node.props["content"] = kind
            node.props.update(_plain_props(child, ("mixed",)))
            (derivation,) = _xs_children(child)
            node.props["derivation"] = _local(derivation)
            node.props["base"] = _qname(derivation, derivation.get("base"))
            _facets(derivation, node)
            _content(derivation, node, tns)
        elif kind not in _FACETS:  # facets are read by _facets()
            raise AssertionError(f"unsupported {kind} in {node.label}")


def _complex_type(el: etree._Element, node: Node, tns: str) -> None:
    node.props.update(_plain_props(el, ("abstract", "mixed", "block", "final")))
    _content(el, node, tns)


_FACETS = ("enumeration", "pattern", "length", "minLength", "maxLength", "minInclusive", "maxInclusive",
           "minExclusive", "maxExclusive", "totalDigits", "fractionDigits", "whiteSpace")


def _facets(restriction: etree._Element, node: Node) -> None:
    patterns = []
    for child in _xs_children(restriction):
        kind = _local(child)
        if kind == "enumeration":
            node.ordered = True
            node.add(Node(f"enum {child.get('value')}"))
        elif kind == "pattern":
            patterns.append(child.get("value"))
        elif kind in _FACETS:
            node.props[kind] = child.get("value")
    if patterns:
        node.props["pattern"] = " OR ".join(patterns)


def _simple_type(el: etree._Element, node: Node, tns: str) -> None:
    node.props.update(_plain_props(el, ("final",)))
    (derivation,) = _xs_children(el)
    kind = _local(derivation)
    inline = [c for c in _xs_children(derivation) if _local(c) == "simpleType"]
    assert not inline, f"unsupported inline simpleType inside {kind} of {node.label}"
    if kind == "restriction":
        node.props["restriction"] = _qname(derivation, derivation.get("base"))
        _facets(derivation, node)
    elif kind == "list":
        node.props["list"] = _qname(derivation, derivation.get("itemType"))
    elif kind == "union":
        node.props["union"] = " ".join(_qname(derivation, m) for m in derivation.get("memberTypes").split())
    else:
        raise AssertionError(f"unsupported {kind} in {node.label}")


def load_schemas(entry: Path) -> dict[str, tuple[Path, etree._Element]]:
    """targetNamespace -> (file, root) for the schema at ``entry`` and everything it imports."""
    found: dict[str, tuple[Path, etree._Element]] = {}
    pending = [entry]
    while pending:
        path = pending.pop()
        root = etree.parse(str(path)).getroot()
        found[root.get("targetNamespace")] = (path, root)
        for imp in root.findall(f"{{{XS}}}import") + root.findall(f"{{{XS}}}include"):
            target = path.parent / imp.get("schemaLocation")
            if not any(p == target for p, _ in found.values()):
                pending.append(target)
    return found


def schema_tree(path: Path, root: etree._Element) -> Node:
    """Normalised tree of one schema file: its settings, imports and global components."""
    tns = root.get("targetNamespace")
    node = Node(f"(schema {PREFIXES[tns]})", {
        "file": path.name,
        "elementFormDefault": root.get("elementFormDefault", "unqualified"),
        "attributeFormDefault": root.get("attributeFormDefault", "unqualified"),
        **{k: root.get(k) for k in ("blockDefault", "finalDefault") if root.get(k)},
    })
    components = []
    for child in _xs_children(root):
        kind = _local(child)
        if kind == "import":
            components.append(Node(f"import {PREFIXES.get(child.get('namespace'), child.get('namespace'))}",
                                   {"schemaLocation": child.get("schemaLocation")}))
        elif kind == "element":
            components.append(_element(child, True, tns))
        elif kind in ("complexType", "simpleType"):
            comp = Node(f"type {_display(tns, child.get('name'))}")
            (_complex_type if kind == "complexType" else _simple_type)(child, comp, tns)
            components.append(comp)
        else:
            raise AssertionError(f"unsupported global {kind} in {path.name}")
    for comp in sorted(components, key=lambda n: n.label):  # declaration order carries no meaning
        node.add(comp)
    return node


def render(node: Node) -> str:
    """One-line canonical form of a subtree (used for added/missing lines)."""
    text = node.label
    if node.props:
        text += "(" + ", ".join(f"{k}={v}" for k, v in sorted(node.props.items())) + ")"
    if node.children:
        text += " {" + " ".join(render(c) for c in node.children) + "}"
    return text


def diff_nodes(ref: Node, ours: Node, path: str = "") -> list[str]:
    """Readable differences of two normalised trees, reference -> ours."""
    here = path or ref.label
    out = [f"{here}: {key} {ref.props.get(key, '(none)')} -> {ours.props.get(key, '(none)')}"
           for key in sorted(ref.props.keys() | ours.props.keys())
           if ref.props.get(key) != ours.props.get(key)]
    ref_by = {c.label: c for c in ref.children}
    our_by = {c.label: c for c in ours.children}
    out += [f"{here}: missing {render(c)}" for c in ref.children if c.label not in our_by]
    for i, child in enumerate(ours.children):
        if child.label not in ref_by:
            where = f" after {ours.children[i - 1].label}" if i else " first"
            out.append(f"{here}: added {render(child)}" + (where if ours.ordered else ""))
    if ref.ordered or ours.ordered:
        common_ref = [c.label for c in ref.children if c.label in our_by]
        common_ours = [c.label for c in ours.children if c.label in ref_by]
        if common_ref != common_ours:
            out.append(f"{here}: order {' '.join(common_ref)} -> {' '.join(common_ours)}")
    for child in ref.children:
        if child.label in our_by:
            out += diff_nodes(child, our_by[child.label], f"{path}/{child.label}" if path else child.label)
    return out


def schema_diff(ref_dir: Path, our_dir: Path) -> list[str]:
    """Differences between the svc:/data: schemas reachable from each callfire-service.xsd."""
    ref, ours = load_schemas(ref_dir / SERVICE_XSD), load_schemas(our_dir / SERVICE_XSD)
    out = []
    for ns in COMPARED_NAMESPACES:
        assert ns in ref and ns in ours, f"schema for {ns} not reached from {SERVICE_XSD}"
        out += diff_nodes(schema_tree(*ref[ns]), schema_tree(*ours[ns]))
    return out


# ---------------------------------------------------------------------------
# WSDL comparison
# ---------------------------------------------------------------------------

def _zeep_facts(wsdl: Path) -> dict[str, str]:
    """What zeep sees: services, ports, bindings, operations, soapActions, messages, parts."""
    doc = zeep.wsdl.Document(str(wsdl), transport=zeep.Transport())
    facts = {"services": " ".join(doc.services)}
    for service in doc.services.values():
        facts[f"{service.name}: ports"] = " ".join(service.ports)
        for port in service.ports.values():
            binding, at = port.binding, f"{service.name}/{port.name}"
            facts[f"{at}: binding"] = binding.name.localname
            facts[f"{at}: binding namespace"] = binding.name.namespace
            facts[f"{at}: soap version"] = type(binding).__name__
            facts[f"{at}: address"] = port.binding_options["address"]
            facts[f"{at}: portType"] = _display(binding.port_type.name.text)
            facts[f"{at}: operations"] = " ".join(binding._operations)
            for op in binding._operations.values():
                where = f"{at}/{op.name}"
                facts[f"{where}: soapAction"] = op.soapaction
                facts[f"{where}: style"] = op.style
                messages = [("input", op.input, op.abstract.input_message),
                            ("output", op.output, op.abstract.output_message)]
                messages += [(f"fault {name}", fault, fault.abstract) for name, fault in op.faults.items()]
                for kind, bound, abstract in messages:
                    facts[f"{where}: {kind} binding name"] = str(bound.name)
                    facts[f"{where}: {kind} message"] = _display(abstract.name.text)
                    facts[f"{where}: {kind} parts"] = " ".join(
                        f"{name}={_display(part.element.qname.text)}" for name, part in abstract.parts.items()
                    ) or "(none)"
    return facts


IO_TAGS = tuple(f"{{{WSDL}}}{kind}" for kind in ("input", "output", "fault"))


def _extensions(el: etree._Element) -> str:
    """The SOAP extension elements directly under a WSDL element, e.g. ``soap12:body(use=literal)``."""
    return " ".join(_display(ext.tag) + "(" + ", ".join(f"{k}={v}" for k, v in sorted(ext.attrib.items())) + ")"
                    for ext in el if isinstance(ext.tag, str) and etree.QName(ext).namespace != WSDL)


def _lxml_facts(wsdl: Path) -> dict[str, str]:
    """What zeep does not keep: messages as declared, portType io names, binding extension forms,
    namespaces, imports."""
    facts: dict[str, str] = {}
    pending = [wsdl]
    while pending:
        path = pending.pop()
        root = etree.parse(str(path)).getroot()
        facts[f"{path.name}: targetNamespace"] = root.get("targetNamespace")
        for imp in root.iter(f"{{{WSDL}}}import", f"{{{XS}}}import"):
            location = imp.get("location") or imp.get("schemaLocation")
            facts[f"{path.name}: imports {imp.get('namespace')}"] = location
            if location.endswith(".wsdl"):
                pending.append(path.parent / location)
        for message in root.iter(f"{{{WSDL}}}message"):
            facts[f"{path.name}: message {message.get('name')}"] = " ".join(
                f"{part.get('name')}={_qname(part, part.get('element'))}" for part in message) or "(none)"
        for port_type in root.iter(f"{{{WSDL}}}portType"):
            for op in port_type.iter(f"{{{WSDL}}}operation"):
                for io in op.iterchildren(*IO_TAGS):
                    facts[f"portType {port_type.get('name')}/{op.get('name')}: {_local(io)} name"] = io.get("name")
        for binding in root.iter(f"{{{WSDL}}}binding"):
            facts[f"binding {binding.get('name')}: form"] = _extensions(binding)
            for op in binding.iter(f"{{{WSDL}}}operation"):
                facts[f"binding {binding.get('name')}/{op.get('name')}: form"] = _extensions(op)
                for io in op.iterchildren(*IO_TAGS):
                    facts[f"binding {binding.get('name')}/{op.get('name')}: {_local(io)} form"] = _extensions(io)
    return facts


@functools.cache
def wsdl_facts(wsdl: Path) -> dict[str, str]:
    """All compared facts of a binding WSDL and the files it imports."""
    return {**_zeep_facts(wsdl), **_lxml_facts(wsdl)}


def diff_facts(ref: dict[str, str], ours: dict[str, str]) -> list[str]:
    out = []
    for key in ref:
        if key not in ours:
            out.append(f"{key} missing (was {ref[key]})")
        elif ref[key] != ours[key]:
            out.append(f"{key} {ref[key]} -> {ours[key]}")
    out += [f"{key} added ({ours[key]})" for key in ours if key not in ref]
    return out


def wsdl_diff(ref_dir: Path, our_dir: Path) -> list[str]:
    return diff_facts(wsdl_facts(ref_dir / SOAP12_WSDL), wsdl_facts(our_dir / SOAP12_WSDL))


def served_dir(source: Path, contract: str, destination: Path) -> Path:
    """The files the bridge serves under `contract` when its wsdl/ folder is `source`."""
    destination.mkdir(parents=True, exist_ok=True)
    for name, payload in served_files(Contract(contract), source).items():
        (destination / name).write_bytes(payload)
    return destination


def contract_diff(source: Path, work: Path) -> list[str]:
    """Every difference from the reference that neither variant served from `source` may have:
    anything at all under "2014", anything but an allowed extension under "live"."""
    v2014, live = served_dir(source, "2014", work / "2014"), served_dir(source, "live", work / "live")
    return [line for line in wsdl_diff(REFERENCE, v2014) + schema_diff(REFERENCE, v2014)
            + [line for line in wsdl_diff(REFERENCE, live) + schema_diff(REFERENCE, live)
               if line not in ALLOWED_EXTENSIONS]
            if not ALLOWED_FAULT_BINDING.fullmatch(line)]


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def reference_present() -> None:
    assert (REFERENCE / SOAP12_WSDL).is_file(), f"reference WSDL set missing: expected it in {REFERENCE}"


@pytest.mark.parametrize("contract", ["2014", "live"])
def test_wsdl_matches_reference(contract: str) -> None:
    diffs = wsdl_diff(REFERENCE, served_contract(contract))
    assert len([line for line in diffs if ALLOWED_FAULT_BINDING.fullmatch(line)]) == len(operations())
    diffs = [line for line in diffs if not ALLOWED_FAULT_BINDING.fullmatch(line)]
    assert not diffs, "WSDL differs from the 2014-05 contract:\n" + "\n".join(diffs)


def test_the_default_contract_is_the_2014_schema_exactly() -> None:
    """No element, attribute or enum value CallFire's May 2014 schema lacks is served by default."""
    diffs = schema_diff(REFERENCE, served_contract("2014"))
    assert not diffs, "the 2014 variant differs from the 2014-05 contract:\n" + "\n".join(diffs)


def test_the_live_contract_differs_only_by_allowed_extensions() -> None:
    unexpected = [line for line in schema_diff(REFERENCE, served_contract("live")) if line not in ALLOWED_EXTENSIONS]
    assert not unexpected, "schemas differ from the 2014-05 contract:\n" + "\n".join(unexpected)


def test_every_allowed_extension_is_present_in_the_live_contract() -> None:
    missing = ALLOWED_EXTENSIONS - set(schema_diff(REFERENCE, served_contract("live")))
    assert not missing, "extensions listed but not served live:\n" + "\n".join(sorted(missing))


def test_extensions_are_marked_in_the_files_and_never_served() -> None:
    marked = [node for name in ("callfire-data.xsd", SERVICE_XSD)
              for node in etree.parse(str(OURS / name)).iter() if node.get(MARK) == "live"]
    # One marker per extension: 8 elements (Note, Call x2, ActionRecord x2, CallRecord,
    # SendRequest, SendCall), 11 enum values, 1 pattern.
    assert len(marked) == 20
    for contract in Contract:
        served = b"".join(served_files(contract).values())
        assert CB.encode() not in served, "the bridge's own marker is not part of any served contract"


def test_reference_against_itself_is_clean() -> None:
    """The comparison reports nothing for identical input (no spurious lines)."""
    assert schema_diff(REFERENCE, REFERENCE) == []
    assert wsdl_diff(REFERENCE, REFERENCE) == []


MUTATIONS = [
    # (file, {old text: new text}, a line the comparison must report)
    ("callfire-data.xsd", {'name="AnswerTime"': 'name="AnswerTim"'},
     "data:CallRecord/sequence: missing AnswerTime(occurs=[0..1], type=xs:dateTime)"),
    ("callfire-data.xsd", {'<xs:element name="ContactId" type="xs:long"/>\n      <xs:element name="Inbound"':
                           '<xs:element name="Inbound" type="xs:boolean"/>\n      <xs:element name="ContactId"'},
     "type data:Action/sequence: order FromNumber ToNumber State BatchId BroadcastId ContactId Inbound Created"),
    ("callfire-data.xsd", {'<xs:enumeration value="XFER_LEG"/>': ""},
     "type data:Result: missing enum XFER_LEG"),
    ("callfire-data.xsd", {'name="Duration" type="xs:int"/>\n            <xs:element ref="data:RecordingMeta"':
                           'name="Duration" type="xs:long"/>\n            <xs:element ref="data:RecordingMeta"'},
     "data:CallRecord/sequence/Duration: type xs:int -> xs:long"),
    ("callfire-data.xsd", {'<xs:pattern value="[0-9#\\*]"/>': '<xs:pattern value="[0-9#]"/>'},
     "type data:PhoneDigit: pattern [0-9#\\*] -> [0-9#]"),
    ("callfire-data.xsd", {'<xs:list itemType="data:DayOfWeek"/>': '<xs:list itemType="xs:string"/>'},
     "data:BroadcastSchedule/sequence/DaysOfWeek: list data:DayOfWeek -> xs:string"),
    ("callfire-data.xsd", {'<xs:element name="Text">\n    <xs:complexType>\n      <xs:complexContent>\n'
                           '        <xs:extension base="data:Action">':
                           '<xs:element name="Text">\n    <xs:complexType>\n      <xs:complexContent>\n'
                           '        <xs:extension base="data:ActionRecord">'},
     "data:Text: base data:Action -> data:ActionRecord"),
    ("callfire-data.xsd", {'name="ClientData" type="xs:string" use="optional"': 'name="ClientData" type="xs:string"'
                                                                                   ' use="required"'},
     "type data:ToNumber/@ClientData: use optional -> required"),
    ("callfire-data.xsd", {'<xs:anyAttribute processContents="lax"/>\n    </xs:complexType>': "</xs:complexType>"},
     "data:Contact: missing @*(namespace=##any, processContents=lax)"),
    ("callfire-data.xsd", {'<xs:choice>\n          <xs:element ref="data:VoiceBroadcastConfig"/>':
                           '<xs:choice maxOccurs="2">\n          <xs:element ref="data:VoiceBroadcastConfig"/>'},
     "data:Broadcast/sequence/choice: occurs [1..1] -> [1..2]"),
    ("callfire-data.xsd", {'default="SEND_MULTIPLE"': 'default="TRIM"'},
     "data:TextBroadcastConfig/sequence/BigMessageStrategy: default SEND_MULTIPLE -> TRIM"),
    ("callfire-data.xsd", {'<xs:element ref="data:TextRecord"':
                           '<xs:element name="Extra" type="xs:string" minOccurs="0"/>'
                           '<xs:element ref="data:TextRecord"'},
     "data:Text/sequence: added Extra(occurs=[0..1], type=xs:string) after Message"),
    (SERVICE_XSD, {' xmime:expectedContentTypes="application/octet-stream"/>\n\n  <xs:element name="QuerySoundMeta"':
                   '/>\n\n  <xs:element name="QuerySoundMeta"'},
     "svc:SoundData: xmime:expectedContentTypes application/octet-stream -> (none)"),
    # an allowed extension in the wrong place is not allowed
    (SERVICE_XSD, {'<xs:element name="Label" type="xs:string" minOccurs="0" maxOccurs="unbounded"'
                   ' cb:contract="live"/>': "",
                   'maxOccurs="unbounded"/>\n      <xs:element name="Scrub':
                   'maxOccurs="unbounded"/><xs:element name="Label" type="xs:string" minOccurs="0"'
                   ' maxOccurs="unbounded" cb:contract="live"/>\n      <xs:element name="Scrub'},
     "type svc:SendRequest/sequence: added Label(occurs=[0..unbounded], type=xs:string) after ToNumber"),
    (SERVICE_XSD, {'default="1000"': 'default="100"'},
     "type svc:Query/sequence/MaxResults: default 1000 -> 100"),
    (SERVICE_XSD, {'<xs:element ref="data:Call" minOccurs="0" maxOccurs="unbounded"/>':
                   '<xs:element ref="data:Call" minOccurs="0"/>'},
     "svc:CallQueryResult/sequence/data:Call: occurs [0..unbounded] -> [0..1]"),
    (SERVICE_XSD, {'elementFormDefault="qualified"': 'elementFormDefault="unqualified"'},
     "(schema svc): elementFormDefault qualified -> unqualified"),
    (SOAP12_WSDL, {"CallServicePortType/QueryCalls": "CallServicePortType/QueryCall"},
     "CallFireApi/CallServicePort/QueryCalls: soapAction"
     " http://api.callfire.com/service/wsdl/CallServicePortType/QueryCalls"
     " -> http://api.callfire.com/service/wsdl/CallServicePortType/QueryCall"),
    (SOAP12_WSDL, {'<wsdl:port name="LabelServicePort"': '<wsdl:port name="LabelsServicePort"'},
     "CallFireApi: ports BroadcastServicePort SubscriptionServicePort TextServicePort CallServicePort"
     " ContactServicePort NumberServicePort LabelServicePort -> BroadcastServicePort"),
    ("callfire-service.wsdl", {'message name="BroadcastSchedules"': 'message name="Schedules"',
                               'message="tns:BroadcastSchedules"': 'message="tns:Schedules"'},
     "CallFireApi/BroadcastServicePort/QueryBroadcastSchedule: output message"
     " svcwsdl:BroadcastSchedules -> svcwsdl:Schedules"),
    ("callfire-service.wsdl", {'<wsdl:part name="Response" element="svc:BroadcastQueryResult"/>':
                               '<wsdl:part name="Response" element="svc:QueryBroadcasts"/>'},
     "CallFireApi/BroadcastServicePort/QueryBroadcasts: output parts"
     " Response=svc:BroadcastQueryResult -> Response=svc:QueryBroadcasts"),
    ("callfire-service.wsdl", {'<wsdl:output name="ContactBatchId"': '<wsdl:output name="BatchId"'},
     "portType BroadcastServicePortType/CreateContactBatch: output name ContactBatchId -> BatchId"),
]


@pytest.mark.parametrize("file, edits, expected", MUTATIONS, ids=[m[2][:60] for m in MUTATIONS])
def test_comparison_reports_mutation(tmp_path: Path, file: str, edits: dict[str, str], expected: str) -> None:
    """The comparison has teeth: a broken copy of wsdl/ is reported, by name."""
    mutated = tmp_path / "wsdl"
    shutil.copytree(OURS, mutated)
    text = (mutated / file).read_text(encoding="utf-8")
    for old, new in edits.items():
        assert text.count(old) == 1, f"mutation anchor not unique in {file}: {old!r}"
        text = text.replace(old, new)
    (mutated / file).write_text(text, encoding="utf-8")
    diffs = contract_diff(mutated, tmp_path)
    assert any(line.startswith(expected) for line in diffs), f"not reported: {expected}\ngot:\n" + "\n".join(diffs)


def _operations_per_binding(wsdl: Path) -> dict[str, list[str]]:
    client = zeep.Client(wsdl=str(wsdl))
    return {port.name: list(port.binding._operations)
            for service in client.wsdl.services.values() for port in service.ports.values()}


@pytest.mark.parametrize("wsdl", [SOAP12_WSDL, SOAP11_WSDL])
def test_wsdl_loads_in_zeep_with_all_operations(wsdl: str) -> None:
    per_binding = _operations_per_binding(OURS / wsdl)
    expected: dict[str, list[str]] = {}
    for op in operations():
        expected.setdefault(f"{op.port}Port", []).append(op.name)
    assert per_binding == expected
    assert sum(map(len, per_binding.values())) == 61


def test_soap11_wsdl_is_the_same_contract_over_soap11() -> None:
    """Only the binding flavour differs from our soap12 file: names, actions, messages are equal."""
    soap12, soap11 = wsdl_facts(OURS / SOAP12_WSDL), wsdl_facts(OURS / SOAP11_WSDL)
    assert {v for k, v in soap11.items() if k.endswith(": soap version")} == {"Soap11Binding"}
    assert soap11[f"{SOAP11_WSDL}: targetNamespace"] == "http://api.callfire.com/service/wsdl/http/soap11"
    io_forms = {v for k, v in soap11.items() if k.endswith(("input form", "output form", "fault form"))}
    assert io_forms == {"soap:body(use=literal)", "soap:fault(name=Fault, use=literal)"}
    binding_forms = {v for k, v in soap11.items() if k.startswith("binding ") and k.endswith("Binding: form")}
    assert binding_forms == {"soap:binding(transport=http://schemas.xmlsoap.org/soap/http)"}

    def flavourless(facts: dict[str, str]) -> dict[str, str]:
        skip = (": soap version", ": binding namespace", " form", "-soap12.wsdl: targetNamespace",
                "-soap11.wsdl: targetNamespace")
        return {k.replace(SOAP11_WSDL, SOAP12_WSDL): v for k, v in facts.items() if not k.endswith(skip)}

    assert diff_facts(flavourless(soap12), flavourless(soap11)) == []


@pytest.mark.parametrize("wsdl", [SOAP12_WSDL, SOAP11_WSDL])
def test_one_rewritable_address_per_port(wsdl: str) -> None:
    """The server rewrites these to its own URL, so each port has exactly one, in this form."""
    text = (OURS / wsdl).read_text(encoding="utf-8")
    segments = re.findall(r'location="https://www\.callfire\.com/api/1\.1/soap12/([a-z]+)"', text)
    assert segments == list(PORTS)
    assert text.count('location="') == len(PORTS) + 1  # + the wsdl:import


def test_operation_table_api_agrees_with_zeep() -> None:
    """bridge.contract.operations() dispatches exactly what the served WSDL declares."""
    facts = wsdl_facts(OURS / SOAP12_WSDL)
    for op in operations():
        where = f"CallFireApi/{op.port}Port/{op.name}"
        assert facts[f"{where}: soapAction"] == op.soap_action == f"{SOAP_ACTION_BASE}/{op.port}PortType/{op.name}"
        request = facts[f"{where}: input parts"].split("=")[1]
        assert _display(op.request) == request
        response = facts[f"{where}: output parts"]
        assert (response == "(none)") if op.response is None else response.endswith("=" + _display(op.response))


def test_operation_lookup() -> None:
    assert len(operations()) == 61
    schedules = operation_for_request(f"{{{SVC}}}QueryBroadcastSchedules")
    assert schedules is not None and schedules.name == "QueryBroadcastSchedule" and schedules.port == "BroadcastService"
    get_call = operation_for_request(f"{{{SVC}}}GetCall")
    assert get_call is not None and get_call.response == f"{{{DATA}}}Call"
    update = operation_for_request(f"{{{SVC}}}UpdateBroadcast")
    assert update is not None and update.response is None
    assert operation_for_request(f"{{{DATA}}}GetCall") is None
    assert PORTS["call"] == "CallService" and len(PORTS) == 7


def test_generated_wsdl_in_sync_with_table() -> None:
    assert generate.stale() == [], "run: python -m bridge.contract.generate"
    assert generate.main(["--check"]) == 0


@functools.cache
def _schema(directory: Path) -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(directory / SERVICE_XSD))


def test_our_schemas_compile() -> None:
    schema = _schema(served_contract("live"))
    assert f"{{{SVC}}}CallQueryResult" in schema.maps.elements
    assert f"{{{DATA}}}Note" in schema.maps.elements
    xmlschema.XMLSchema10(str(OURS / "callfire-ann.xsd"))


CALL_2014 = f"""
  <Call xmlns="{DATA}" id="135">
    <FromNumber>13105551212</FromNumber>
    <ToNumber ClientData="abc">13105551213</ToNumber>
    <State>FINISHED</State>
    <BroadcastId>77</BroadcastId>
    <ContactId>9</ContactId>
    <Inbound>false</Inbound>
    <Created>2014-05-01T10:00:00Z</Created>
    <Modified>2014-05-01T10:01:00-07:00</Modified>
    <FinalResult>LA</FinalResult>
    <Label><Name>vip</Name></Label>
    <CallRecord id="136">
      <Result>LA</Result><FinishTime>2014-05-01T10:01:00Z</FinishTime><BilledAmount>1.5</BilledAmount>
      <QuestionResponse><Question>q</Question><Response>r</Response></QuestionResponse>
      {{record_extra}}
      <Duration>42</Duration>
      <RecordingMeta id="5"><Name>r1</Name><Created>2014-05-01T10:01:00Z</Created></RecordingMeta>
      {{record_notes}}
    </CallRecord>
    {{call_extra}}
  </Call>"""


def _call_query_result(**extra: str) -> str:
    call = CALL_2014.format(record_extra=extra.get("record_extra", ""), record_notes=extra.get("record_notes", ""),
                            call_extra=extra.get("call_extra", ""))
    return f'<CallQueryResult xmlns="{SVC}"><TotalResults>1</TotalResults>{call}</CallQueryResult>'


def test_2014_call_query_result_validates_against_both() -> None:
    sample = _call_query_result()
    _schema(REFERENCE).validate(sample)
    _schema(served_contract("2014")).validate(sample)
    _schema(served_contract("live")).validate(sample)


def test_extended_call_query_result_validates_against_ours() -> None:
    note = f'<Note xmlns="{DATA}"><Text>called back</Text><Created>2016-01-01T00:00:00Z</Created></Note>'
    sample = _call_query_result(
        record_extra="<SwitchId>sw1</SwitchId><CallerName>ACME</CallerName>",
        record_notes=note,
        call_extra=note + "<AgentCall>true</AgentCall>",
    ).replace("<FinalResult>LA</FinalResult>", "<FinalResult>ABANDONED</FinalResult>")
    _schema(served_contract("live")).validate(sample)
    assert not _schema(REFERENCE).is_valid(sample)
    assert not _schema(served_contract("2014")).is_valid(sample)


def test_service_fault_info_validates() -> None:
    fault = f'<ServiceFaultInfo xmlns="{SVC}"><FaultCode>NOT_FOUND</FaultCode><Message>no such call</Message>' \
            "</ServiceFaultInfo>"
    _schema(served_contract("2014")).validate(fault)
    assert not _schema(served_contract("2014")).is_valid(fault.replace("NOT_FOUND", "GONE"))


def test_send_call_with_extensions_validates() -> None:
    send = (f'<SendCall xmlns="{SVC}" xmlns:d="{DATA}"><Type>VOICE</Type><ToNumber>13105551212</ToNumber>'
            "<Label>a</Label><Label>b</Label><MaxActive>5</MaxActive>"
            "<d:VoiceBroadcastConfig><d:LiveSoundText>hi</d:LiveSoundText>"
            "<d:LiveSoundTextVoice>FRENCHCANADIAN1</d:LiveSoundTextVoice></d:VoiceBroadcastConfig></SendCall>")
    _schema(served_contract("live")).validate(send)
    assert not _schema(served_contract("2014")).is_valid(send)
