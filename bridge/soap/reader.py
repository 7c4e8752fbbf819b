"""Reads a v1.1 request element into the plain dict `bridge.translate` works on, by the XSD.

Attributes become "@name", simple content "_", children that may repeat (maxOccurs > 1, or
an xs:list sent as repeated elements by suds and Node's `soap`) lists; absent and empty
values are left out, so the tables see exactly what the client sent.  Children are matched
by local name whatever their namespace, and unknown ones are ignored: the leniency legacy
clients built against other CallFire WSDLs need.  The layout is the live contract's, a
superset of the 2014 one, so a later field a PHP array sends still reaches v2.
"""
from __future__ import annotations

from typing import Any

from lxml import etree

from bridge.contract.variants import Contract
from bridge.soap.writer import Layout, schemas


def read_request(element: etree._Element) -> dict[str, Any]:
    qname = etree.QName(element)
    layout = schemas(Contract.LIVE).element_layout((qname.namespace, qname.localname))
    return _read(element, layout) if layout is not None else {}


def _read(element: etree._Element, layout: Layout) -> dict[str, Any]:
    # Unqualified attributes by name ("@ClientData"); a namespaced one (xsi:type, xsi:nil) keeps its
    # "{namespace}" so that it is never taken for one of the contract's attributes.
    result: dict[str, Any] = {f"@{name}": value for name, value in element.attrib.items()}
    if layout.simple_content and element.text and element.text.strip():
        result["_"] = element.text
    known = {name: child_layout for name, _, child_layout in layout.children}
    for child in element.iterchildren(etree.Element):
        name = etree.QName(child).localname
        if name not in known:
            continue
        child_layout = known[name]
        if child_layout is None:
            if not (child.text or "").strip():
                continue
            value: Any = child.text
        else:
            value = _read(child, child_layout)
        if name in layout.repeated:
            result.setdefault(name, []).append(value)
        elif name in result:  # a single-valued child sent twice: the converter names the problem
            previous = result[name]
            result[name] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            result[name] = value
    return result
