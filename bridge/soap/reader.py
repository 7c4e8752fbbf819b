"""Reads a v1.1 request element into the plain dict `bridge.translate` works on, by the XSD.

Attributes become "@name", simple content "_", children that may repeat (maxOccurs > 1, or
an xs:list sent as repeated elements by suds and Node's `soap`) lists; absent and empty
values are left out, so the tables see exactly what the client sent.  Children are matched
by local name whatever their namespace, and unknown ones are ignored: the leniency legacy
clients built against other CallFire WSDLs need.  The layout is the live contract's, a
superset of the 2014 one, so a later field a PHP array sends still reaches v2.

Values whose XSD type the converters cannot take in any length are checked here, against the
contract, before anything is translated: an xs:dateTime/xs:time offset beyond ±14:00 (Python's
timezone refuses ±24:00 and beyond) and a number of more than MAX_NUMBER_CHARS characters
(Python refuses to parse over 4,300 digits) are BAD_REQUEST faults naming the field.
"""
from __future__ import annotations

import re
from typing import Any

from lxml import etree

from bridge.contract.variants import Contract
from bridge.errors import bad_request
from bridge.soap.writer import Layout, schemas

# XSD: a timezone offset is -14:00..+14:00 (XML Schema 1.1 part 2, 3.3.7 timezoneFrag).
MAX_OFFSET_MINUTES = 14 * 60
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})\s*$")
_TIMES = frozenset({"dateTime", "time", "date"})
# The longest xs:long is 20 characters; leading zeros and spaces leave room, not 4,300 digits.
MAX_NUMBER_CHARS = 64
_NUMBERS = frozenset({"long", "int", "short", "byte", "integer", "decimal", "nonNegativeInteger",
                      "positiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"})


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
            value: Any = _checked(name, child.text, layout.simple_types.get(name))
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


def _checked(name: str, text: str, xsd_type: str | None) -> str:
    """`text` if its XSD type can hold it; a BAD_REQUEST fault naming `name` if not."""
    if xsd_type in _TIMES:
        offset = _OFFSET.search(text)
        if offset and int(offset[2]) * 60 + int(offset[3]) > MAX_OFFSET_MINUTES:
            raise bad_request(name, f"{text.strip()!r} has a timezone offset beyond ±14:00 (xs:{xsd_type})")
    elif xsd_type in _NUMBERS and len(text) > MAX_NUMBER_CHARS:
        raise bad_request(name, f"{len(text)} characters is no xs:{xsd_type} "
                                f"(the bridge reads at most {MAX_NUMBER_CHARS})")
    return text
