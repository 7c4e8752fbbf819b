"""The two contracts the bridge can serve, derived from the one set of files in wsdl/.

``2014`` (the default) is CallFire's May 2014 v1.1 contract, exactly: integrations that
vendored CallFire's WSDL (zeep in strict mode, suds, JAX-WS stubs) reject any element or
enum value it lacks.  ``live`` adds what CallFire's live API grew later (2015-16): the
nodes marked ``cb:contract="live"`` in wsdl/*.xsd.  Both are derived here once per
process, so the XSD files stay the single source and the variants cannot drift apart.
"""
from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path

from lxml import etree

from bridge.contract import WSDL_DIR

CB = "urn:callfire-bridge:contract"
MARK = f"{{{CB}}}contract"
XS = "http://www.w3.org/2001/XMLSchema"
_GROUPS = {f"{{{XS}}}sequence", f"{{{XS}}}choice", f"{{{XS}}}all"}


class Contract(StrEnum):
    V2014 = "2014"
    LIVE = "live"


def derive(schema: bytes, contract: Contract) -> bytes:
    """One XSD file as served under `contract`, without the bridge's own marker attributes."""
    root = etree.fromstring(schema)
    for node in list(root.iter()):
        if not isinstance(node.tag, str) or node.get(MARK) is None:
            continue
        if node.get(MARK) != Contract.LIVE:
            raise ValueError(f"unknown cb:contract value {node.get(MARK)!r}")
        if contract is Contract.LIVE:
            del node.attrib[MARK]
            continue
        parent = node.getparent()
        _remove(node)
        _collapse(parent)
    # Only the marker namespace goes: the others are used inside QName values (type="data:X"),
    # which cleanup_namespaces cannot see.
    etree.cleanup_namespaces(root, keep_ns_prefixes=[p for p, ns in root.nsmap.items() if ns != CB])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _remove(node: etree._Element) -> None:
    """Drop a node and the indentation before it (its tail moves to the previous sibling)."""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = node.tail
    else:
        node.getparent().text = node.tail
    node.getparent().remove(node)


def _collapse(group: etree._Element) -> None:
    """A sequence left holding one model group is that group: the 2014 form of SendCall,
    whose live form wraps its config choice in a sequence to add MaxActive before it."""
    children = [c for c in group if isinstance(c.tag, str)]
    if (group.tag == f"{{{XS}}}sequence" and not group.attrib and len(children) == 1
            and children[0].tag in _GROUPS):
        child = children[0]
        child.tail = group.tail
        group.getparent().replace(group, child)


@cache
def served_files(contract: Contract, directory: Path = WSDL_DIR) -> dict[str, bytes]:
    """Every contract file (WSDLs and XSDs) as the bridge serves it under `contract`."""
    files: dict[str, bytes] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix == ".xsd":
            files[path.name] = derive(path.read_bytes(), contract)
        elif path.suffix == ".wsdl":
            files[path.name] = path.read_bytes()
    return files
