"""The bridge's HTTP surface, in one routing table.

    GET  /api/{1.1,1.0}/wsdl/{file}        the contract files (soap12:address -> this bridge)
    POST /api/{1.1,1.0}/soap12/{port}      the seven v1.1 ports, SOAP 1.1 and 1.2
    POST /explain                          the v2 request(s) a v1.1 request becomes (JSON)
    GET  /mappings                         the mapping tables, searchable (?q=&op=&lossy=1)
    GET  /mappings/{Operation}             one operation's rows
    GET|POST /mappings/explain             the explain form (HTML)
    GET  /mappings/static/{file}           the pages' CSS and JavaScript
    GET  /compare                          shadow mode's differences (serve --shadow URL)
    GET  /compare/report.{json,xml,html}   ... exported as JSON, JUnit XML and the HTML report
    GET  /health                           liveness (and which upstream is in use)
    POST /cloud/1/reports/callback/...     cloud/1 report callbacks (bridge.postbacks.cloud1)
    GET|POST /postbacks                    the postback outbox and its dead letters (retry: POST)
    POST /webhooks/v2/{subscription id}    v2 webhooks of a subscription (bridge.postbacks.webhooks)
    GET  /healthz, /readyz, /metrics       probes and Prometheus metrics (bridge.observability)
"""
from __future__ import annotations

import json
import re
import time
from functools import cached_property, lru_cache
from typing import Any, Callable, Iterable

from bridge import web
from bridge.compare.shadow import Shadow, ShadowMiddleware
from bridge.config import Settings
from bridge.contract import PORTS
from bridge.contract.variants import Contract, served_files
from bridge.deadline import request_deadline
from bridge.errors import BridgeFault
from bridge.explain import explain
from bridge.runtime import Runtime
from bridge.serving import client_gone_probe
from bridge.soap.app import MAX_BODY, SoapEndpoint
from bridge.postbacks.service import Postbacks
from bridge.postbacks.webhooks import receive as receive_webhook
from bridge.web.postbacks_page import postbacks_page
from bridge.observability import metrics as observability_metrics
from bridge.observability.instrument import OutboxCollector, instrument
from bridge.observability.readiness import ReadinessProbe

ROUTES = [
    (re.compile(r"/api/1\.[01]/wsdl/(?P<file>[\w.-]+)"), "wsdl"),
    (re.compile(r"/api/1\.[01]/soap12/(?P<port>\w+)"), "soap"),
    (re.compile(r"/explain"), "explain"),
    (re.compile(r"/mappings/?"), "mappings"),
    (re.compile(r"/mappings/explain"), "mappings_explain"),
    (re.compile(r"/mappings/static/(?P<file>[\w.-]+)"), "mappings_static"),
    (re.compile(r"/mappings/(?P<operation>[^/]+)"), "mappings"),
    (re.compile(r"/compare/?"), "compare"),
    (re.compile(r"/compare/report\.(?P<file_type>\w+)"), "compare_report"),
    (re.compile(r"/health"), "health"),
    (re.compile(r"/cloud/1/reports/callback/.*"), "cloud1"),
    (re.compile(r"/postbacks/?"), "postbacks_page"),
    (re.compile(r"/webhooks/v2/(?P<subscription_id>[0-9]{1,18})"), "subscription_webhook"),
    (re.compile(r"/healthz"), "healthz"),
    (re.compile(r"/readyz"), "readyz"),
    (re.compile(r"/metrics"), "metrics"),
]
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_ADDRESS = re.compile(rb'location="https://www\.callfire\.com/api/1\.1/soap12/(\w+)"')
StartResponse = Callable[..., Any]


@lru_cache(maxsize=64)  # bounded: the Host header is the client's to choose
def wsdl_bytes(file_name: str, base_url: str, version_path: str, contract: Contract) -> bytes:
    """A contract file with every port's address pointing at this bridge (cached per base URL)."""
    raw = served_files(contract)[file_name]
    prefix = f'location="{base_url}/api/{version_path}/soap12/'.encode()
    return _ADDRESS.sub(lambda m: prefix + m.group(1) + b'"', raw)


def base_url(environ: dict[str, Any], settings: Settings) -> str:
    if settings.external_base_url:
        return settings.external_base_url.rstrip("/")
    scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST", "")
    if not _HOST.fullmatch(host):  # it is written into an XML attribute: only a plain host[:port]
        host = f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{'https' if scheme == 'https' else 'http'}://{host}"


class BridgeApp:
    """WSGI application of one bridge worker."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.soap_endpoint = SoapEndpoint(runtime)
        # serve --shadow: reads also go, in the background, to another v1.1 service (bridge.compare.shadow)
        self.shadow = Shadow.from_settings(runtime.settings) if runtime.settings.shadow else None
        self.soap_service = self.soap_endpoint if self.shadow is None else ShadowMiddleware(self.soap_endpoint,
                                                                                              self.shadow)
        # Operations: each request's v1.1 operation, v2 latencies, retries, breaker opens (bridge.observability).
        instrument(self)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        for pattern, name in ROUTES:
            match = pattern.fullmatch(path)
            if match:
                return getattr(self, name)(environ, start_response, **match.groupdict())
        return respond(start_response, "404 Not Found", "text/plain; charset=utf-8", b"not found\n")

    def wsdl(self, environ: dict[str, Any], start_response: StartResponse, file: str) -> Iterable[bytes]:
        # Served with or without credentials: PHP sends its login/password here too.
        contract = Contract(self.runtime.settings.contract)
        if file not in served_files(contract):
            return respond(start_response, "404 Not Found", "text/plain; charset=utf-8", b"no such contract file\n")
        version_path = "1.0" if environ["PATH_INFO"].startswith("/api/1.0/") else "1.1"
        payload = wsdl_bytes(file, base_url(environ, self.runtime.settings), version_path, contract)
        return respond(start_response, "200 OK", "text/xml; charset=utf-8", payload)

    def soap(self, environ: dict[str, Any], start_response: StartResponse, port: str) -> Iterable[bytes]:
        if port not in PORTS:
            return respond(start_response, "404 Not Found", "text/plain; charset=utf-8", b"no such port\n")
        if environ["REQUEST_METHOD"] == "GET" and environ.get("QUERY_STRING", "").lower().startswith("wsdl"):
            location = f"{base_url(environ, self.runtime.settings)}/api/1.1/wsdl/callfire-service-http-soap12.wsdl"
            start_response("302 Found", [("Location", location), ("Content-Length", "0")])
            return [b""]
        # Upstream work for this request stops at its deadline, or when its client has gone.
        with request_deadline(self.runtime.settings.request_deadline, client_gone_probe(environ)):
            return self.soap_service(environ, start_response)

    def explain(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] != "POST":
            return respond(start_response, "405 Method Not Allowed", "text/plain; charset=utf-8", b"POST a v1.1 request\n")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        document = environ["wsgi.input"].read(min(length, MAX_BODY)) if length else b""
        try:
            result = explain(document, self.runtime, self.soap_endpoint).as_dict(self.runtime.upstream)
            status = "200 OK"
        except BridgeFault as fault:
            result, status = {"fault": fault.code.value, "message": fault.message}, "400 Bad Request"
        return respond(start_response, status, "application/json", json.dumps(result, indent=2).encode())

    def mappings(self, environ: dict[str, Any], start_response: StartResponse,
                 operation: str | None = None) -> Iterable[bytes]:
        return web.mappings_page(environ, start_response, operation)

    def mappings_explain(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return web.explain_page(environ, start_response, self.runtime, self.soap_endpoint)

    def mappings_static(self, environ: dict[str, Any], start_response: StartResponse, file: str) -> Iterable[bytes]:
        return web.static_file(environ, start_response, file)

    def compare(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return web.compare_page(environ, start_response, self.shadow)

    def compare_report(self, environ: dict[str, Any], start_response: StartResponse, file_type: str) -> Iterable[bytes]:
        return web.compare_report(environ, start_response, self.shadow, file_type,
                                  base_url(environ, self.runtime.settings))

    def health(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = json.dumps({"status": "ok", "upstream": self.runtime.upstream}).encode()
        return respond(start_response, "200 OK", "application/json", body)

    # -- postbacks (bridge.postbacks) --
    @cached_property
    def postbacks(self) -> Postbacks:
        return Postbacks(self.runtime)

    def cloud1(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return self.postbacks.cloud1(environ, start_response)

    def postbacks_page(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return postbacks_page(environ, start_response, self.postbacks.store, time.time())

    def subscription_webhook(self, environ: dict[str, Any], start_response: StartResponse,
                             subscription_id: str) -> Iterable[bytes]:
        return receive_webhook(environ, start_response, self.runtime.subscriptions, self.postbacks.pipeline,
                               int(subscription_id))

    def start_background(self) -> None:
        """What a serving worker runs beside its requests: postback delivery and polling."""
        self.postbacks.start()

    # -- operations (bridge.observability) --
    def healthz(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Liveness: this worker answers (nothing upstream is asked)."""
        return respond(start_response, "200 OK", "application/json", b'{"status": "ok"}')

    @cached_property
    def readiness(self) -> ReadinessProbe:
        return ReadinessProbe(self.runtime)

    def readyz(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Readiness: 200 when the store answers and v2 is reachable, else 503 naming what is not."""
        state = self.readiness.check()
        if state.ready:
            return respond(start_response, "200 OK", "application/json", b'{"status": "ready"}')
        body = json.dumps({"status": "not ready", "problems": state.problems}).encode()
        return respond(start_response, "503 Service Unavailable", "application/json", body)

    def metrics(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        payload, content_type = observability_metrics.render([OutboxCollector(lambda: self.postbacks.store.counts())])
        return respond(start_response, "200 OK", content_type, payload)


def respond(start_response: StartResponse, status: str, content_type: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
