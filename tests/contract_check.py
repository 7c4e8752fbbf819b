"""Every SOAP response of every test, checked against CallFire's May 2014 schema.

The in-process bridge is wrapped in `ContractCheck` (WSGI middleware); the live
`callfire-bridge serve` is reached through `ContractCheckProxy`, a reverse proxy in front of
it, so PHP, zeep, suds, Node and Java traffic is checked the same way.  A response body (or
a fault's ServiceFaultInfo) the 2014 schema rejects is recorded; an autouse fixture in
conftest fails the test that received it.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, Iterable

import httpx
from lxml import etree

SOAP_NAMESPACES = ("http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/")
SVC = "http://api.callfire.com/service/xsd"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class ContractChecker:
    """Validates SOAP responses against one contract's XSD and keeps what failed."""

    def __init__(self, contract_dir: Path) -> None:
        self.schema = etree.XMLSchema(etree.parse(str(contract_dir / "callfire-service.xsd")))
        self.problems: list[str] = []
        self.checked = 0
        self._lock = threading.Lock()

    def check(self, path: str, content_type: str, body: bytes) -> None:
        if "xml" not in content_type or not body.lstrip().startswith(b"<"):
            return
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError as exc:
            self._record(f"{path}: response is not XML ({exc})")
            return
        if etree.QName(root).namespace not in SOAP_NAMESPACES:
            return  # a WSDL or XSD file
        for payload in _payloads(root):
            if not self.schema.validate(etree.ElementTree(payload)):
                self._record(f"{path}: <{etree.QName(payload).localname}> breaks the 2014 contract: "
                             f"{self.schema.error_log.last_error}")
        with self._lock:
            self.checked += 1

    def take_problems(self) -> list[str]:
        with self._lock:
            problems, self.problems = self.problems, []
        return problems

    def _record(self, problem: str) -> None:
        with self._lock:
            self.problems.append(problem)


def _payloads(envelope: etree._Element) -> list[etree._Element]:
    """The Body's response element, or the ServiceFaultInfo of a fault (copied: validated alone)."""
    body = next((c for c in envelope if etree.QName(c).localname == "Body"), None)
    if body is None or len(body) == 0:
        return []
    child = body[0]
    if etree.QName(child).localname == "Fault":
        return [_detached(info) for info in child.iter(f"{{{SVC}}}ServiceFaultInfo")]
    return [_detached(child)]


def _detached(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element))


class ContractCheck:
    """WSGI middleware: passes every response through unchanged, checking it on the way."""

    def __init__(self, app: Callable, checker: ContractChecker) -> None:
        self.app, self.checker = app, checker

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        seen: dict[str, str] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            seen["content_type"] = dict((k.lower(), v) for k, v in headers).get("content-type", "")
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):  # WSGI: the server closes the answer (shadow mode hooks on it)
                result.close()
        self.checker.check(environ.get("PATH_INFO", ""), seen.get("content_type", ""), body)
        return [body]


class ContractCheckProxy:
    """WSGI reverse proxy to a running bridge, checking every response it relays.

    The Host header is passed on, so the WSDL's addresses name the proxy and clients keep
    talking through it."""

    HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-authorization",
                  "content-length", "content-encoding"}

    def __init__(self, upstream: str, checker: ContractChecker) -> None:
        self.checker = checker
        self.client = httpx.Client(base_url=upstream, timeout=60)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        content = environ["wsgi.input"].read(length) if length else b""
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_") and key[5:].replace("_", "-").lower() not in self.HOP_BY_HOP}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        url = environ.get("PATH_INFO", "") + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        answer = self.client.request(environ["REQUEST_METHOD"], url, content=content, headers=headers)
        self.checker.check(environ.get("PATH_INFO", ""), answer.headers.get("content-type", ""), answer.content)
        relayed = [(k, v) for k, v in answer.headers.items() if k.lower() not in self.HOP_BY_HOP]
        start_response(f"{answer.status_code} {answer.reason_phrase}",
                       relayed + [("Content-Length", str(len(answer.content)))])
        return [answer.content]
