"""The served XSD files' global components, indexed by (target namespace, name).

Both readers of the schema start here: the SOAP writer's layouts (bridge/soap/writer.py) and the
comparison's leaf kinds (bridge/compare/schema.py)."""
from __future__ import annotations

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
SCHEMA_FILES = ("callfire-data.xsd", "callfire-service.xsd")

Key = tuple[str, str]


def global_components(files: dict[str, bytes]) -> tuple[dict[Key, etree._Element], dict[Key, etree._Element]]:
    """(global elements, global complex and simple types) of the data and service schemas."""
    elements: dict[Key, etree._Element] = {}
    types: dict[Key, etree._Element] = {}
    for name in SCHEMA_FILES:
        root = etree.fromstring(files[name])
        tns = root.get("targetNamespace")
        for child in root:
            if child.tag == f"{{{XS}}}element":
                elements[(tns, child.get("name"))] = child
            elif child.tag in (f"{{{XS}}}complexType", f"{{{XS}}}simpleType"):
                types[(tns, child.get("name"))] = child
    return elements, types
