"""/mappings/explain: paste a v1.1 request, see the v2 request(s) the bridge would send.

A plain form POST rendered by bridge.explain, the same code as `POST /explain` (JSON) and
the serving path, so the page works without JavaScript and shows what the bridge does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import parse_qs

from bridge.errors import BridgeFault, FaultCode
from bridge.explain import Explanation, HttpCall, explain
from bridge.reference.catalog import catalog
from bridge.runtime import Runtime
from bridge.soap.app import MAX_BODY, SoapEndpoint
from bridge.web.examples import EXAMPLES, PLACEHOLDER
from bridge.web.respond import StartResponse, html, not_allowed, query, root

MAX_FORM = 3 * MAX_BODY  # a form field is percent-encoded: up to three bytes per byte


@dataclass(frozen=True)
class ShownCall:
    """One v2 request as the page shows it (absolute URL, pretty JSON, curl)."""

    method: str
    url: str
    body: str | None
    curl: str

    @classmethod
    def of(cls, call: HttpCall, base: str) -> ShownCall:
        body = None if call.json is None else json.dumps(call.json, indent=2, ensure_ascii=False)
        return cls(call.method, call.url(base), body, call.curl(base))


def explain_page(environ: dict[str, Any], start_response: StartResponse, runtime: Runtime,
                 endpoint: SoapEndpoint) -> Iterable[bytes]:
    method = environ["REQUEST_METHOD"]
    if method in ("GET", "HEAD"):
        text = EXAMPLES.get(query(environ).get("example", ""), "")
        return _render(environ, start_response, "200 OK", text)
    if method != "POST":
        return not_allowed(start_response, "GET, POST")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_FORM:
        fault = BridgeFault(FaultCode.BAD_REQUEST, f"the request is over {MAX_BODY // 1024 // 1024} MB")
        return _render(environ, start_response, "413 Content Too Large", "", fault=fault)
    form = parse_qs(environ["wsgi.input"].read(length).decode("utf-8", "replace")) if length else {}
    text = form.get("request", [""])[0]
    if not text.strip():
        fault = BridgeFault(FaultCode.BAD_REQUEST, "paste a v1.1 request (a SOAP envelope or the request element)")
        return _render(environ, start_response, "400 Bad Request", text, fault=fault)
    try:
        explanation = explain(text.encode(), runtime, endpoint)
    except BridgeFault as fault:
        return _render(environ, start_response, "400 Bad Request", text, fault=fault)
    return _render(environ, start_response, "200 OK", text, explanation=explanation, base=runtime.upstream)


def _render(environ: dict[str, Any], start_response: StartResponse, status: str, text: str, *,
            fault: BridgeFault | None = None, explanation: Explanation | None = None,
            base: str = "") -> list[bytes]:
    operation = catalog().operation(explanation.operation) if explanation else None
    calls = [ShownCall.of(call, base) for call in explanation.calls] if explanation else []
    return html(start_response, status, "explain.html", root=root(environ), nav="explain", text=text, placeholder=PLACEHOLDER,
                examples=EXAMPLES, fault=fault, explanation=explanation, operation=operation, calls=calls,
                python=explanation.python(base) if explanation else "")
