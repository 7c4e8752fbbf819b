"""What the v1.1 XSD says about each element of an answer, as far as comparing needs it.

The comparison reads values by their schema type (dateTimes as instants, numbers by value,
xs:lists as sets), never by sniffing the text: "0123" and "123" are different phone numbers.
The layout is the live contract's, a superset of the 2014 one, so an answer from CallFire itself
(which carries later elements) is typed too.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache

from lxml import etree

from bridge.contract.variants import Contract, served_files
from bridge.contract.xsd import XS, global_components


# Leaf kinds: how a value is read before two of them are compared.
INSTANT, NUMBER, BOOLEAN, LIST, BINARY, TEXT = "instant", "number", "boolean", "list", "binary", "text"
_BUILTIN_KINDS = {
    "dateTime": INSTANT, "boolean": BOOLEAN, "base64Binary": BINARY, "hexBinary": BINARY,
    **{name: NUMBER for name in (
        "long", "int", "integer", "short", "byte", "decimal", "float", "double", "unsignedLong",
        "unsignedInt", "unsignedShort", "unsignedByte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger")},
}


@dataclass
class ElementType:
    """A complex type: its attributes' and leaf children's kinds, and its complex children."""

    attributes: dict[str, str] = field(default_factory=dict)
    leaves: dict[str, str] = field(default_factory=dict)  # child local name -> leaf kind
    children: dict[str, "ElementType"] = field(default_factory=dict)  # child local name -> its type
    text: str | None = None  # the kind of simple content (ToNumber's number), None: none


class Schema:
    def __init__(self, files: dict[str, bytes]) -> None:
        self._elements, self._types = global_components(files)
        self._complex_cache: dict[tuple[str, str], ElementType] = {}
        # Shadow mode compares in threads: a type is built under the lock, so no thread reads the
        # placeholder a recursive type leaves while it is half-built.
        self._lock = threading.RLock()

    def element(self, namespace: str, name: str) -> ElementType | None:
        """The type of a global element (an answer's Body child); None for a simple or unknown one."""
        node = self._elements.get((namespace, name))
        return None if node is None else self._element_type(node, namespace)

    def leaf_kind(self, namespace: str, name: str) -> str:
        node = self._elements.get((namespace, name))
        return TEXT if node is None else self._simple_kind(node, node.get("type"))

    @staticmethod
    def _qname(node: etree._Element, value: str) -> tuple[str, str]:
        prefix, _, local = value.rpartition(":")
        return node.nsmap.get(prefix or None, ""), local

    def _element_type(self, node: etree._Element, tns: str) -> ElementType | None:
        inline = node.find(f"{{{XS}}}complexType")
        if inline is not None:
            return self._complex(inline, tns)
        type_name = node.get("type")
        if type_name:
            key = self._qname(node, type_name)
            found = self._types.get(key)
            if found is not None and found.tag == f"{{{XS}}}complexType":
                with self._lock:
                    if key not in self._complex_cache:
                        self._complex_cache[key] = ElementType()  # a recursive type refers to itself
                        self._complex_cache[key].__dict__.update(self._complex(found, key[0]).__dict__)
                    return self._complex_cache[key]
        return None

    def _complex(self, node: etree._Element, tns: str) -> ElementType:
        result = ElementType()
        self._collect(node, tns, result)
        return result

    def _collect(self, node: etree._Element, tns: str, result: ElementType) -> None:
        for child in node:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if tag in ("sequence", "choice", "all", "complexContent", "simpleContent"):
                self._collect(child, tns, result)
            elif tag == "extension":
                base = self._qname(child, child.get("base"))
                found = self._types.get(base)
                if found is not None and found.tag == f"{{{XS}}}complexType":
                    self._collect(found, base[0], result)
                elif node.tag == f"{{{XS}}}simpleContent":
                    result.text = self._simple_kind(child, child.get("base"))
                self._collect(child, tns, result)
            elif tag == "attribute" and child.get("name"):
                result.attributes[child.get("name")] = self._simple_kind(child, child.get("type"))
            elif tag == "element":
                self._add_child(child, tns, result)

    def _add_child(self, child: etree._Element, tns: str, result: ElementType) -> None:
        if child.get("ref"):
            namespace, name = self._qname(child, child.get("ref"))
            target = self._elements[(namespace, name)]
        else:
            namespace, name, target = tns, child.get("name"), child
        complex_type = self._element_type(target, namespace)
        if complex_type is not None:
            result.children[name] = complex_type
        else:
            result.leaves[name] = self._simple_kind(target, target.get("type"))

    def _simple_kind(self, node: etree._Element, type_name: str | None) -> str:
        if type_name is None:
            inline = node.find(f"{{{XS}}}simpleType")
            return TEXT if inline is None else self._simple_type_kind(inline, node)
        namespace, local = self._qname(node, type_name)
        if namespace == XS:
            return _BUILTIN_KINDS.get(local, TEXT)
        found = self._types.get((namespace, local))
        return TEXT if found is None else self._simple_type_kind(found, found)

    def _simple_type_kind(self, simple: etree._Element, context: etree._Element) -> str:
        if simple.find(f"{{{XS}}}list") is not None:
            return LIST
        restriction = simple.find(f"{{{XS}}}restriction")
        if restriction is not None and restriction.get("base"):
            return self._simple_kind(restriction, restriction.get("base"))
        return TEXT


@cache
def schema() -> Schema:
    return Schema(served_files(Contract.LIVE))
