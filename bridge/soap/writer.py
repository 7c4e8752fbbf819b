"""Writes v1.1 response elements as bytes, in the order the served XSD declares.

Why not spyne's serializer: it costs ~130-200 ms for a 1000-call CallQueryResult on this
machine; string building from a layout compiled once from `wsdl/*.xsd` (each layout's writer
generated as code, `_compile`) costs ~10 ms.
The XSD is the single source of element order and namespaces, so output can only be in
contract order.  Values arrive as dicts from `bridge.translate` ("@x" attributes, "_"
simple content, lists for repeated children, "*" for an interleaved xs:choice list).
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, Callable

from lxml import etree

from bridge.contract import DATA, SVC
from bridge.contract.variants import Contract, served_files
from bridge.contract.xsd import XS, global_components

PREFIXES = {SVC: "svc", DATA: "data"}
NS_DECLS = " ".join(f'xmlns:{p}="{ns}"' for ns, p in PREFIXES.items())


@dataclass
class Layout:
    """One complex type: attribute names, then children in XSD order."""

    attributes: list[str] = field(default_factory=list)
    children: list[tuple[str, str, "Layout | None"]] = field(default_factory=list)  # (name, tag, layout)
    simple_content: bool = False
    any_attribute: bool = False  # xs:anyAttribute: "@x" keys beyond the declared ones are written too
    repeated: set[str] = field(default_factory=set)  # children that may occur more than once, and xs:lists
    # The XSD built-in type under each simple child ("dateTime", "long", "string"...); the reader checks it.
    simple_types: dict[str, str] = field(default_factory=dict)

    @cached_property
    def plan(self) -> list[tuple[str, str, str, "Layout | None"]]:
        """(name, "<tag>", "</tag>", layout) per child: tags built once, not per element written."""
        return [(name, f"<{tag}>", f"</{tag}>", layout) for name, tag, layout in self.children]

    @cached_property
    def write(self) -> Callable[[list[str], str, Any], None]:
        """write(out, tag, value): appends the element `tag` holding `value` to `out` (see _compile)."""
        return _compile(self)


class _Schemas:
    """Compiles the served XSD files into Layouts (once per process and contract)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.elements, self.types = global_components(files)
        self.cache: dict[tuple[str, str], Layout | None] = {}  # finished layouts only
        # Workers serve in threads: a layout is compiled under the lock, and a reader never sees one
        # half-built (it once read a SendCall as empty: "ToNumber: is required" under a burst).
        self._lock = threading.RLock()
        self._building: set[tuple[str, str]] = set()

    @staticmethod
    def _qname(node: etree._Element, value: str) -> tuple[str, str]:
        prefix, _, local = value.rpartition(":")
        return node.nsmap.get(prefix or None, ""), local

    def element_layout(self, key: tuple[str, str]) -> Layout | None:
        if key in self.cache:
            return self.cache[key]
        with self._lock:
            if key in self.cache:
                return self.cache[key]
            if key in self._building:  # a type that contains itself: the inner reference has no layout
                return None
            self._building.add(key)
            try:
                layout = self._element(self.elements[key], key[0])
            finally:
                self._building.discard(key)
            self.cache[key] = layout
            return layout

    def _element(self, node: etree._Element, tns: str) -> Layout | None:
        complex_type = node.find(f"{{{XS}}}complexType")
        if complex_type is not None:
            return self._complex(complex_type, tns)
        type_name = node.get("type")
        if type_name:
            key = self._qname(node, type_name)
            if key in self.types and self.types[key].tag == f"{{{XS}}}complexType":
                return self._complex(self.types[key], key[0])
        return None

    def _complex(self, node: etree._Element, tns: str) -> Layout:
        layout = Layout()
        self._collect(node, tns, layout)
        return layout

    def _collect(self, node: etree._Element, tns: str, layout: Layout) -> None:
        for child in node:
            tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if tag in ("sequence", "choice", "all"):
                self._collect(child, tns, layout)
            elif tag in ("complexContent", "simpleContent"):
                layout.simple_content = layout.simple_content or tag == "simpleContent"
                self._collect(child, tns, layout)
            elif tag == "extension":
                base = self._qname(child, child.get("base"))
                if base in self.types and self.types[base].tag == f"{{{XS}}}complexType":
                    self._collect(self.types[base], base[0], layout)
                self._collect(child, tns, layout)
            elif tag == "attribute" and child.get("name"):
                layout.attributes.append(child.get("name"))
            elif tag == "anyAttribute":
                layout.any_attribute = True
            elif tag == "element":
                if child.get("ref"):
                    key = self._qname(child, child.get("ref"))
                    name = key[1]
                    layout.children.append((name, _tag(key[0], key[1]), self.element_layout(key)))
                    declaration = self.elements[key]
                else:
                    name = child.get("name")
                    layout.children.append((name, _tag(tns, name), self._element(child, tns)))
                    declaration = child
                builtin = self._builtin(declaration, declaration.get("type"))
                if builtin is not None:
                    layout.simple_types[name] = builtin
                if child.get("maxOccurs", "1") != "1" or self._is_list(child):
                    layout.repeated.add(name)


    def _builtin(self, node: etree._Element, type_name: str | None) -> str | None:
        """The XSD built-in a simple type restricts (or lists), e.g. "dateTime"; None if complex."""
        if not type_name:
            return None
        key = self._qname(node, type_name)
        if key[0] == XS:
            return key[1]
        simple = self.types.get(key)
        if simple is None or simple.tag != f"{{{XS}}}simpleType":
            return None
        for derivation in simple:
            if derivation.tag == f"{{{XS}}}restriction":
                return self._builtin(derivation, derivation.get("base"))
            if derivation.tag == f"{{{XS}}}list":
                return self._builtin(derivation, derivation.get("itemType"))
        return None

    def _is_list(self, element: etree._Element) -> bool:
        """An xs:list-typed element (State, Result, ...): its items may also come as repeated elements."""
        type_name = element.get("type")
        if not type_name:
            return False
        simple = self.types.get(self._qname(element, type_name))
        return simple is not None and simple.find(f"{{{XS}}}list") is not None


def _tag(namespace: str, name: str) -> str:
    return f"{PREFIXES[namespace]}:{name}"


@cache
def schemas(contract: Contract) -> _Schemas:
    # The served variant's layout: an element the contract lacks has no place to be written.
    return _Schemas(served_files(contract))


# XML 1.0 cannot carry C0 controls other than tab/CR/LF: they are dropped, not escaped.
_SPECIAL = re.compile(r"[&<>\"\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def escape(text: str) -> str:
    if _SPECIAL.search(text) is None:
        return text
    return _SPECIAL.sub(lambda m: _ESCAPES.get(m.group(), ""), text)


def _write(out: list[str], tag: str, layout: Layout | None, value: Any) -> None:
    if layout is None:  # a simple-typed element
        out.append(f"<{tag}>{escape(value)}</{tag}>")
    else:
        layout.write(out, tag, value)


def _write_interleaved(out: list[str], layout: Layout, interleaved: list[tuple[str, Any]]) -> None:
    """An xs:choice list ("*": [(name, value), ...]), in the order given."""
    by_name = {name: (child_tag, child_layout) for name, child_tag, child_layout in layout.children}
    for name, item in interleaved:
        child_tag, child_layout = by_name[name]
        _write(out, child_tag, child_layout, item)


def _compile(layout: Layout) -> Callable[[list[str], str, Any], None]:
    """The writer of one layout, generated from it once: its attributes and children in XSD order
    as straight-line code with their tags as constants (a 1000-call CallQueryResult writes ~35,000
    elements; walking the plan per element cost twice as much)."""
    names: dict[str, Any] = {"escape": escape, "search": _SPECIAL.search, "write_interleaved": _write_interleaved,
                             "layout": layout, "declared": frozenset(f"@{a}" for a in layout.attributes)}
    lines = ["def write(out, tag, value):", "    start = '<' + tag"]
    for attribute in layout.attributes:
        key = f"@{attribute}"
        lines += [f"    if {key!r} in value:",
                  f"        start += {f' {attribute}=' + chr(34)!r} + escape(value[{key!r}]) + '\"'"]
    if layout.any_attribute:  # "@x" keys beyond the declared ones are written too
        lines += ["    for key, text in value.items():",
                  "        if key[:1] == '@' and key not in declared:",
                  "            start += ' ' + key[1:] + '=\"' + escape(text) + '\"'"]
    if layout.simple_content:
        lines += ["    out.append(start + '>' + escape(value.get('_', '')) + '</' + tag + '>')"]
    else:
        lines += ["    out.append(start + '>')", "    interleaved = value.get('*')", "    if interleaved is not None:",
                  "        write_interleaved(out, layout, interleaved)", "    else:", "        pass"]
        for index, (name, open_tag, close_tag, child_layout) in enumerate(layout.plan):
            lines += [f"        child = value.get({name!r})", "        if child is not None:"]
            if child_layout is None:  # simple content, escaped only when it holds a special character
                text = "{0} if search({0}) is None else escape({0})"
                lines += ["            if child.__class__ is list:",
                          "                for item in child:",
                          f"                    out.append({open_tag!r} + ({text.format('item')}) + {close_tag!r})",
                          "            else:",
                          f"                out.append({open_tag!r} + ({text.format('child')}) + {close_tag!r})"]
            else:
                names[f"write{index}"] = child_layout.write
                lines += ["            if child.__class__ is list:",
                          "                for item in child:",
                          f"                    write{index}(out, {open_tag[1:-1]!r}, item)",
                          "            else:",
                          f"                write{index}(out, {open_tag[1:-1]!r}, child)"]
        lines += ["    out.append('</' + tag + '>')"]
    exec(compile("\n".join(lines), "<layout writer>", "exec"), names)
    return names["write"]


def compile_layouts(contract: Contract, elements: list[tuple[str, str]]) -> None:
    """Compiles the writers of these global elements (and of every type inside them) now."""
    for key in elements:
        layout = schemas(contract).element_layout(key)
        if layout is not None:
            layout.write  # noqa: B018 - a cached_property: compiled here, once


def write_element(namespace: str, name: str, value: Any, contract: Contract) -> bytes:
    """One global element (e.g. svc:CallQueryResult, data:Call) with the namespace declarations."""
    layout = schemas(contract).element_layout((namespace, name))
    out: list[str] = []
    _write(out, _tag(namespace, name), layout, value)
    first = out[0]
    cut = first.index(">") if not first.endswith("/>") else len(first) - 2
    out[0] = f"{first[:cut]} {NS_DECLS}{first[cut:]}"
    return "".join(out).encode("utf-8")
