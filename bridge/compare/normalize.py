"""A v1.1 answer as a tree of comparable values.

Each leaf keeps what the server wrote (`raw`, shown in reports) and the value two answers are
compared by (`value`): a dateTime is its instant whatever its offset, a number its value
(`10` = `10.0`), a boolean `true`/`1`, an xs:list the set of its items.  A SOAP fault becomes a
`Fault` node with the SOAP code and the ServiceFaultInfo fields, so a fault on one side and an
answer on the other is one clear difference.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from bridge.compare.schema import BINARY, BOOLEAN, INSTANT, LIST, NUMBER, ElementType, schema

SOAP_ENVELOPES = ("http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=True)


class NotSoap(ValueError):
    """The answer is not a SOAP envelope with a Body (an HTML error page, a proxy's text)."""


@dataclass(frozen=True)
class Leaf:
    raw: str
    value: Any  # what equality is decided on

    def same(self, other: "Leaf") -> bool:
        return self.value == other.value


@dataclass
class Node:
    name: str  # local name; namespaces are the contract's and carry no meaning between two servers
    attrs: dict[str, Leaf] = field(default_factory=dict)
    text: Leaf | None = None
    children: list["Node"] = field(default_factory=list)

    @property
    def key(self) -> str | None:
        """The element's identity among its siblings: its @id (Call, Broadcast, ContactBatch...)."""
        ident = self.attrs.get("id")
        return ident.raw.strip() if ident is not None else None


def leaf(raw: str, kind: str) -> Leaf:
    text = raw.strip()
    if kind == INSTANT:
        return Leaf(raw, _instant(text))
    if kind == NUMBER:
        try:
            return Leaf(raw, Decimal(text))
        except InvalidOperation:
            return Leaf(raw, text)
    if kind == BOOLEAN:
        return Leaf(raw, {"true": True, "1": True, "false": False, "0": False}.get(text, text))
    if kind == LIST:
        return Leaf(raw, tuple(sorted(text.split())))
    if kind == BINARY:
        return Leaf(raw, "".join(text.split()))  # line breaks in base64 carry nothing
    return Leaf(raw, raw)


def _instant(text: str) -> Any:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        return ("no offset", moment)  # never equal to an instant: which one it means is unknown
    return moment.astimezone(timezone.utc)


def body_child(payload: bytes) -> etree._Element:
    """The element in the SOAP Body (the answer or the Fault)."""
    try:
        root = etree.fromstring(payload, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotSoap(f"not XML: {exc}") from None
    qname = etree.QName(root)
    if qname.namespace not in SOAP_ENVELOPES or qname.localname != "Envelope":
        raise NotSoap(f"not a SOAP envelope (root element {qname.localname})")
    body = root.find(f"{{{qname.namespace}}}Body")
    if body is None:
        raise NotSoap("the SOAP envelope has no Body")
    children = [child for child in body if isinstance(child.tag, str)]
    if not children:
        raise NotSoap("the SOAP Body is empty")  # an operation with an empty answer: see answer_tree
    return children[0]


def answer_tree(payload: bytes) -> Node:
    """The Body's answer as a Node tree; an empty Body (UpdateBroadcast...) is an empty `Body` node."""
    try:
        element = body_child(payload)
    except NotSoap as exc:
        if str(exc) == "the SOAP Body is empty":
            return Node("Body")
        raise
    qname = etree.QName(element)
    if qname.namespace in SOAP_ENVELOPES and qname.localname == "Fault":
        return _fault(element)
    return _node(element, schema().element(qname.namespace or "", qname.localname),
                 schema().leaf_kind(qname.namespace or "", qname.localname))


def _node(element: etree._Element, element_type: ElementType | None, kind: str = "text") -> Node:
    known = element_type or ElementType()
    node = Node(etree.QName(element).localname)
    for name, value in element.attrib.items():
        local = etree.QName(name).localname
        if etree.QName(name).namespace == "http://www.w3.org/2001/XMLSchema-instance":
            continue  # xsi:type / xsi:nil spelling differs between servers, the values do not
        node.attrs[local] = leaf(value, known.attributes.get(local, "text"))
    children = [child for child in element if isinstance(child.tag, str)]
    if not children and (element.text or element_type is None or known.text):
        node.text = leaf(element.text or "", known.text or kind)
    for child in children:
        name = etree.QName(child).localname
        node.children.append(_node(child, known.children.get(name), known.leaves.get(name, "text")))
    return node


def _fault(element: etree._Element) -> Node:
    """SOAP 1.1 and 1.2 faults alike: Code (Sender/Receiver or Client/Server) and ServiceFaultInfo."""
    node = Node("Fault")
    code = element.find(".//{*}Code/{*}Value")
    if code is None:
        code = element.find("faultcode")
    if code is not None and code.text:
        local = code.text.strip().rpartition(":")[2]
        node.children.append(Node("Code", text=Leaf(code.text, {"Client": "Sender", "Server": "Receiver"}.get(local, local))))
    reason = element.find(".//{*}Reason/{*}Text")
    if reason is None:
        reason = element.find("faultstring")
    if reason is not None:
        node.children.append(Node("Reason", text=Leaf(reason.text or "", reason.text or "")))
    info = element.find(".//{*}ServiceFaultInfo")
    if info is not None:
        qname = etree.QName(info)
        node.children.append(_node(info, schema().element(qname.namespace or "", qname.localname)))
    return node
