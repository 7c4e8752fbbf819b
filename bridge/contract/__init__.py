"""The CallFire v1.1 SOAP contract as data: the operation table behind wsdl/.

``wsdl/operations.yaml`` is the single source for the generated WSDL files
(``python -m bridge.contract.generate``) and for the server's dispatch table
below, so what the bridge serves and what it dispatches on cannot disagree.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import yaml

from bridge.config import WSDL_DIR

TABLE = WSDL_DIR / "operations.yaml"

NAMESPACES = {
    "svc": "http://api.callfire.com/service/xsd",
    "data": "http://api.callfire.com/data",
}
SVC, DATA = NAMESPACES["svc"], NAMESPACES["data"]
# soapAction = {SOAP_ACTION_BASE}/{PortType}/{Operation}; also the portTypes' namespace.
SOAP_ACTION_BASE = "http://api.callfire.com/service/wsdl"


@dataclass(frozen=True)
class WsdlOperation:
    """One v1.1 operation as the WSDL declares it (bridge.registry joins it with its mapping table)."""

    port: str  # service name, e.g. "CallService" (port type = port + "PortType")
    name: str  # e.g. "QueryCalls"
    soap_action: str
    request: str  # Clark QName of the request element (the SOAP Body child)
    response: str | None  # Clark QName of the response element; None = empty Body
    reads_only: bool  # effect: read in the table; replaying tools never send the others unasked


def clark(prefixed: str) -> str:
    """``svc:QueryCalls`` -> ``{http://api.callfire.com/service/xsd}QueryCalls``."""
    prefix, local = prefixed.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


@functools.cache
def table() -> dict[str, Any]:
    """The parsed operation table (shared with the generator)."""
    with TABLE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


PORTS: dict[str, str] = dict(table()["ports"])  # url segment -> service name


@functools.cache
def operations() -> tuple[WsdlOperation, ...]:
    """All 61 operations, in contract order."""
    result = []
    for row in table()["operations"]:
        port = PORTS[row["port"]]
        out = row["output"].get("element")
        if row.get("effect") not in ("read", "write"):
            raise ValueError(f"{TABLE}: {row['operation']} needs effect: read or write")
        result.append(
            WsdlOperation(
                port=port,
                name=row["operation"],
                soap_action=f"{SOAP_ACTION_BASE}/{port}PortType/{row['operation']}",
                request=clark(row["input"]["element"]),
                response=clark(out) if out else None,
                reads_only=row["effect"] == "read",
            )
        )
    return tuple(result)


@functools.cache
def _by_request() -> dict[str, WsdlOperation]:
    index = {op.request: op for op in operations()}
    assert len(index) == len(operations()), "request elements must be unique"
    return index


def operation_for_request(qname: str) -> WsdlOperation | None:
    """The operation whose request element has this Clark QName (dispatch on the Body child)."""
    return _by_request().get(qname)
