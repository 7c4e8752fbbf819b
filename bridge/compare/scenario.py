"""Scenarios: the v1.1 requests `compare` replays.

A SCENARIO is a YAML file or a directory of raw SOAP envelopes (`*.xml`, sorted by name; the operation
is read from the Body).  A YAML file holds `requests:` (or is a list of them), each:

    - name: the doc's call                # optional; default "Operation #n"
      operation: GetCall
      fields: {Id: 9652}                 # the request element's children, as zeep takes them
    - operation: QueryCalls
      body: |                            # or the request element itself, as XML
        <QueryCalls xmlns="http://api.callfire.com/service/xsd"><MaxResults>5</MaxResults></QueryCalls>

`fields` are turned into an envelope by zeep from the project's own copy of CallFire's 2014 WSDL:
repeated or xs:list fields are YAML lists, a simpleContent element with attributes is
`{_value_1: "13105551212", ClientData: "x"}`.
"""
from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from bridge.contract import SVC, WsdlOperation, operation_for_request, operations
from bridge.contract.variants import Contract, served_files

SOAP11, SOAP12 = "1.1", "1.2"
ENVELOPE_NS = {SOAP11: "http://schemas.xmlsoap.org/soap/envelope/", SOAP12: "http://www.w3.org/2003/05/soap-envelope"}
WSDL_FILE = {SOAP11: "callfire-service-http-soap11.wsdl", SOAP12: "callfire-service-http-soap12.wsdl"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


class ScenarioError(ValueError):
    """A scenario that cannot be read: the message names the file and the request."""


@dataclass(frozen=True)
class Request:
    name: str
    operation: WsdlOperation
    body: etree._Element  # the request element (the Body child)
    soap: str | None = None  # the version a raw envelope was written in; None: the run's --soap
    fields: dict[str, Any] | None = None  # a YAML request's fields (to rebuild it with a RequestId)

    def envelope(self, soap: str, request_id: str | None = None) -> bytes:
        """The envelope to send; `request_id` replaces the request's RequestId (or adds it, for a
        request built from fields whose element takes one), so each target gets its own."""
        body = _copy(self.body)
        if request_id is not None:
            existing = request_id_element(body)
            if existing is not None:
                existing.text = request_id
            elif self.fields is not None and _takes_request_id(self.operation):
                body = _zeep_body(self.operation, {**self.fields, "RequestId": request_id})
        ns = ENVELOPE_NS[self.soap or soap]
        envelope = etree.Element(f"{{{ns}}}Envelope", nsmap={"soap": ns})
        etree.SubElement(envelope, f"{{{ns}}}Body").append(body)
        return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _copy(element: etree._Element) -> etree._Element:
    copy = etree.fromstring(etree.tostring(element), _PARSER)
    etree.cleanup_namespaces(copy)  # zeep's message leaves its envelope's declaration behind
    return copy


def load(path: Path) -> list[Request]:
    if path.is_dir():
        files = sorted(path.glob("*.xml"))
        if not files:
            raise ScenarioError(f"{path}: no *.xml envelopes in this directory")
        return [_from_envelope(file) for file in files]
    if not path.is_file():
        raise ScenarioError(f"{path}: no such file or directory")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not YAML ({exc})") from None
    items = document.get("requests") if isinstance(document, dict) else document
    if not isinstance(items, list) or not items:
        raise ScenarioError(f"{path}: expected `requests:`, a list of {{operation, fields | body}}")
    return [_from_yaml(path, number, item) for number, item in enumerate(items, 1)]


def _from_envelope(file: Path) -> Request:
    try:
        root = etree.fromstring(file.read_bytes(), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ScenarioError(f"{file}: not XML ({exc})") from None
    soap = next((version for version, ns in ENVELOPE_NS.items() if etree.QName(root).namespace == ns), None)
    body = root.find(f"{{{ENVELOPE_NS[soap]}}}Body") if soap else None
    child = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
    if child is None:
        raise ScenarioError(f"{file}: not a SOAP 1.1 or 1.2 envelope with a request in its Body")
    operation = operation_for_request(child.tag)
    if operation is None:
        raise ScenarioError(f"{file}: {etree.QName(child).localname} is not a CallFire v1.1 request element")
    return Request(file.stem, operation, child, soap)


def _from_yaml(path: Path, number: int, item: Any) -> Request:
    where = f"{path}: request {number}"
    if not isinstance(item, dict) or "operation" not in item:
        raise ScenarioError(f"{where}: needs `operation`")
    unknown = set(item) - {"name", "operation", "fields", "body"}
    if unknown:  # often a comma in an unquoted flow-style name: `{name: a, b, ...}`
        raise ScenarioError(f"{where}: unknown key(s) {sorted(map(str, unknown))} (quote a name that holds a comma)")
    operation = next((op for op in operations() if op.name == item["operation"]), None)
    if operation is None:
        raise ScenarioError(f"{where}: {item['operation']!r} is not a CallFire v1.1 operation")
    name = str(item.get("name") or f"{operation.name} #{number}")
    if "body" in item:
        try:
            body = etree.fromstring(str(item["body"]).encode(), _PARSER)
        except etree.XMLSyntaxError as exc:
            raise ScenarioError(f"{where}: body is not XML ({exc})") from None
        if body.tag != operation.request:
            raise ScenarioError(f"{where}: body is {body.tag}, {operation.name} takes {operation.request}")
        return Request(name, operation, body)
    try:
        fields = dict(item.get("fields") or {})
        return Request(name, operation, _zeep_body(operation, fields), fields=fields)
    except Exception as exc:  # zeep's own messages name the field it could not place
        raise ScenarioError(f"{where}: {type(exc).__name__}: {exc}") from None


def _zeep_body(operation: WsdlOperation, fields: dict[str, Any]) -> etree._Element:
    client = _zeep_client()
    service = client.bind("CallFireApi", f"{operation.port}Port")
    message = client.create_message(service, operation.name, **fields)
    body = message.find(f"{{{ENVELOPE_NS[SOAP12]}}}Body")
    return _copy(next(c for c in body if isinstance(c.tag, str)))


@functools.cache
def _zeep_client() -> Any:
    """zeep over the project's 2014 contract files, written once to a temporary directory (zeep reads
    WSDL imports from files or URLs, and the files live in the package)."""
    import zeep
    folder = Path(tempfile.mkdtemp(prefix="callfire-bridge-compare-"))
    for name, content in served_files(Contract.V2014).items():
        (folder / name).write_bytes(content)
    return zeep.Client(str(folder / WSDL_FILE[SOAP12]), settings=zeep.Settings(strict=True))


def _takes_request_id(operation: WsdlOperation) -> bool:
    from bridge.compare.schema import schema
    namespace, _, name = operation.request[1:].partition("}")
    element_type = schema().element(namespace, name)
    return element_type is not None and "RequestId" in element_type.leaves


def request_id_element(body: etree._Element) -> etree._Element | None:
    """The request's RequestId (SendCall, SendText, CreateBroadcast...), wherever it sits."""
    return next(iter(body.iter(f"{{{SVC}}}RequestId", "RequestId")), None)
