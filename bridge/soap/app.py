"""The SOAP endpoint: one WSGI callable for all seven v1.1 ports, both SOAP versions.

spyne serves one SOAP version per Application, so there are two Applications over the
same services; a request goes to the one matching its envelope.  Dispatch is on the Body
element (spyne's own routing), never on the URL or SOAPAction, as CallFire clients may
send any operation to any port URL.  Every failure, spyne's included, leaves as a SOAP
fault carrying svc:ServiceFaultInfo.
"""
from __future__ import annotations

import io
import logging
import re
import sys
import time
from http import HTTPStatus
from typing import Any, Callable, Iterable

from lxml import etree
import spyne.const
from spyne import AnyXml, Application, ServiceBase, rpc
from spyne.protocol.soap import Soap11, Soap12
from spyne.server.wsgi import WsgiApplication

from bridge.errors import BridgeFault, not_implemented, request_fault
from bridge.registry import V11Operation, registry
from bridge.runtime import Runtime
from bridge.soap.charset import as_utf8
from bridge.soap.envelope import SoapVersion, detect_version, fault_body
from bridge.soap.service import RUNTIME_KEY, TIMING_KEY, VERSION_KEY, ServiceFault, run
from bridge.soap.writer import SVC, compile_layouts
from bridge.translate.engine import compile_tables

MAX_BODY = 2 * 1024 * 1024
ENVELOPE_ROOM = 64 * 1024  # what an upload request holds besides its file
HEAD = 8192  # where the Body's request element starts, past any SOAP header


def upload_limit(max_sound_bytes: int) -> int:
    """The largest upload request read: its file of max_sound_bytes in base64 (4 characters
    per 3 bytes, plus the CRLF MIME-style encoders add every 76), and the rest."""
    return max(MAX_BODY, max_sound_bytes * 4 // 3 * 78 // 76 + ENVELOPE_ROOM)


def upload_requests() -> re.Pattern[bytes]:
    """The request elements that carry a file (a row converting a sound_file: CreateSound),
    the only ones allowed past MAX_BODY."""
    names = [op.wsdl.request.rpartition("}")[2] for op in registry().served()
             if any(row.get("convert") == "sound_file" for row in op.table["request_fields"])]
    alternatives = b"|".join(re.escape(name.encode()) for name in names) or b"(?!)"
    return re.compile(rb"<(?:[\w.-]+:)?(?:" + alternatives + rb")[\s/>]")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
log = logging.getLogger("bridge.soap")
# Sent with every 401, whichever way it was reached (no credentials, or v2's 401 passed through).
CHALLENGE = ("WWW-Authenticate", 'Basic realm="CallFire API"')


def status_line(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


# spyne runs a full `gc.collect()` when a method context closes, at most once a second per
# process (`spyne.const.MIN_GC_INTERVAL`), so that files it spooled for uploads give back their
# descriptors promptly.  The bridge has spyne spool nothing, and a full collection over a worker
# holding a 1000-call answer took ~33 ms of some unlucky request's time: CPython's generational
# collector is left to do its job.
spyne.const.MIN_GC_INTERVAL = float("inf")

# spyne logs every fault with a traceback (at CRITICAL for a bug) and, on parse errors, the raw
# request (phone numbers, next to the Authorization header): silence its loggers; the bridge logs
# client mistakes at info without a traceback, and bugs at error with one (service.run).
for _name in ("spyne", "spyne.application", "spyne.application.client", "spyne.application.server"):
    logging.getLogger(_name).setLevel(logging.CRITICAL + 1)
# httpx logs full URLs (query values: phone numbers) at INFO.
logging.getLogger("httpx").setLevel(logging.WARNING)


def services() -> list[type[ServiceBase]]:
    """One spyne service per v1.1 port, a method per served operation, made from the registry.

    spyne matches the Body element to the method (`_in_message_name`) and reports faults; the
    request is declared `AnyXml` because the bridge reads the element itself (bridge.soap.reader,
    by the XSD) and writes the answer itself (bridge.soap.writer)."""
    ports: dict[str, dict[str, Any]] = {}
    for op in registry().served():
        ports.setdefault(op.port, {})[op.name] = _method(op)
    return [type(port, (ServiceBase,), methods) for port, methods in ports.items()]


def _method(op: V11Operation) -> Any:
    def method(ctx: Any, request: Any) -> None:  # request: spyne's AnyXml view; the element is ctx.in_body_doc
        run(ctx, op)

    method.__name__ = op.name
    return rpc(AnyXml, _body_style="bare", _in_message_name=op.wsdl.request.rpartition("}")[2])(method)


class BridgeWsgiApplication(WsgiApplication):
    """spyne's WSGI server with every fault rendered by bridge.soap.envelope."""

    def __init__(self, app: Application, version: SoapVersion, max_content_length: int) -> None:
        super().__init__(app, max_content_length=max_content_length)
        self.version = version

    def handle_error(self, p_ctx, others, error, start_response):  # noqa: ANN001 - spyne's signature
        fault = as_bridge_fault(error, p_ctx, self.version)
        p_ctx.out_string = [fault_body(self.version, fault)]
        p_ctx.transport.resp_code = status_line(fault.http_status)
        if fault.http_status == 401:
            p_ctx.transport.resp_headers[CHALLENGE[0]] = CHALLENGE[1]
        return super().handle_error(p_ctx, others, error, start_response)


def as_bridge_fault(error: Exception, p_ctx: Any, version: SoapVersion) -> BridgeFault:
    """spyne's faults carry no ServiceFaultInfo: give each the v1.1 fault code it means."""
    if isinstance(error, ServiceFault):
        return error.bridge_fault
    code = getattr(error, "faultcode", "Server") or "Server"
    text = getattr(error, "faultstring", "") or ""
    if "ResourceNotFound" in code or "MethodNotFound" in code:
        requested = (p_ctx.method_request_string or "") if p_ctx is not None else ""
        operation = registry().by_request.get(requested)
        if operation is not None:
            return not_implemented(operation.name, operation.port)
        local = requested.rpartition('}')[2] or 'the request'
        return request_fault("unknown_operation", f"{local} is not a CallFire v1.1 operation")
    if code.startswith("Client"):
        # spyne's words for a missing or renamed Body ("Soap envelope is empty!") name no element.
        parsed = getattr(p_ctx, "in_document", None)
        problem = envelope_problem(parsed[0], version) if isinstance(parsed, tuple) else None
        fault = problem or request_fault("malformed", f"malformed request: {text}")
        log.info("refused: %s", fault.message)
        return fault
    log.error("internal error (%s)", type(error).__name__)
    return request_fault("internal_error", "internal error in the bridge")


def build_spyne_apps(max_content_length: int = MAX_BODY) -> dict[SoapVersion, BridgeWsgiApplication]:
    """The two spyne applications; SoapEndpoint has already refused bodies over their size."""
    apps = {}
    for version, protocol in ((SoapVersion.SOAP11, Soap11), (SoapVersion.SOAP12, Soap12)):
        in_protocol = protocol(validator="soft")
        # A CreateSound Data of a few MB is one text node over libxml2's 10 MB default limit; DTDs
        # (entity expansion) are refused before parsing and the body's size is bounded above.
        in_protocol.parser_kwargs["huge_tree"] = True
        application = Application(services(), tns=SVC, name="CallFireApi",
                                  in_protocol=in_protocol, out_protocol=protocol())
        apps[version] = BridgeWsgiApplication(application, version, max_content_length)
    return apps


class SoapEndpoint:
    """WSGI app for POST /api/{1.0,1.1}/soap12/{port}."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.max_upload = upload_limit(runtime.settings.max_sound_bytes)
        self.apps = build_spyne_apps(self.max_upload)
        self.uploads = upload_requests()
        # The mapping tables and the answers' layouts become code at start-up, not on a first request.
        compile_tables()
        compile_layouts(runtime.conv.contract, [tuple(op.wsdl.response[1:].split("}")) for op in registry().served()
                                                if op.wsdl.response is not None])

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        arrived = time.perf_counter()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        content_type = environ.get("CONTENT_TYPE", "")
        body = environ["wsgi.input"].read(min(length, self.max_upload + 1) if length else self.max_upload + 1)
        if not environ.get("HTTP_AUTHORIZATION"):
            # Credentials first, whatever the request is (even an operation not implemented, or
            # no operation at all), as CallFire's own service behind HTTP Basic answered.
            return reject(start_response, detect_version(content_type, body[:2048]), request_fault(
                "no_credentials", "HTTP Basic credentials (SoapClient login/password) are required"))
        try:
            body = as_utf8(body, content_type)
        except BridgeFault as fault:
            log.info("refused: %s", fault.message)
            return reject(start_response, detect_version(content_type, body[:2048]), fault)
        version = detect_version(content_type, body[:2048])
        refusal = self.refusal(environ, body)
        if refusal is not None:
            log.info("refused: %s", refusal.message)
            return reject(start_response, version, refusal)
        environ = dict(environ, **{
            "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
            # spyne reads the content type to pick the charset only (the body is UTF-8 now);
            # the envelope decides the version.
            "CONTENT_TYPE": version.content_type,
            # explain brings its own dry-run runtime; a client cannot set WSGI keys.
            RUNTIME_KEY: environ.get(RUNTIME_KEY, self.runtime), VERSION_KEY: version, TIMING_KEY: {},
        })
        started: list[bool] = []

        def tracked(status: str, headers: list, exc_info: Any = None) -> Callable:
            started.append(True)
            return start_response(status, headers + [server_timing(arrived, environ[TIMING_KEY])], exc_info)

        try:
            return self.apps[version](environ, tracked)
        except Exception as exc:  # a spyne crash must still leave as a fault, never as a bare 500
            exc_info = sys.exc_info() if started else None
            problem = parsed_envelope_problem(body, version)  # spyne 2.14 crashes on some envelopes it refuses
            if problem is not None:
                log.info("refused: %s", problem.message)
                return reject(start_response, version, problem, exc_info)
            log.error("internal error (%s)", type(exc).__name__, exc_info=exc)
            return reject(start_response, version, request_fault("internal_error", "internal error in the bridge"),
                          exc_info)

    def refusal(self, environ: dict[str, Any], body: bytes) -> BridgeFault | None:
        """What is refused before spyne parses anything: too large, not POST, empty, a DTD."""
        if len(body) > MAX_BODY:
            too_large = self.too_large(body)
            if too_large is not None:
                return too_large
        if environ["REQUEST_METHOD"] != "POST":
            return request_fault("not_post", "SOAP requests are POSTed")
        if not body.strip():
            return request_fault("malformed", "the request body is empty: a SOAP envelope is required")
        if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
            # SOAP forbids DTDs; refusing them up front closes XXE and entity expansion.
            return request_fault("dtd", "a SOAP message must not contain a DTD")
        return None

    def too_large(self, body: bytes) -> BridgeFault | None:
        """Over MAX_BODY only an upload may go, up to the room its max_sound_bytes file needs."""
        if self.uploads.search(body[:HEAD]) is None:
            return request_fault("too_large", f"request body over {MAX_BODY} bytes")
        if len(body) > self.max_upload:
            return request_fault("too_large", f"request body over {self.max_upload} bytes: the room for a sound "
                                              f"of max_sound_bytes {self.runtime.settings.max_sound_bytes} "
                                              "(CALLFIRE_BRIDGE_MAX_SOUND_BYTES)")
        return None


def server_timing(arrived: float, timing: dict[str, float]) -> tuple[str, str]:
    """Where the time went, for operators and the benchmark: the v2 calls, and the bridge's
    own work (SOAP parsing, dispatch, translation both ways, writing the response)."""
    total = (time.perf_counter() - arrived) * 1000
    v2 = timing.get("v2", 0.0)
    return ("Server-Timing", f'v2;dur={v2:.2f};desc="v2 calls", bridge;dur={total - v2:.2f};desc="bridge work"')


def parsed_envelope_problem(body: bytes, version: SoapVersion) -> BridgeFault | None:
    """envelope_problem of a body spyne crashed on (malformed XML is spyne's to report)."""
    try:
        return envelope_problem(etree.fromstring(body, _PARSER), version)
    except etree.XMLSyntaxError:
        return None


def envelope_problem(root: etree._Element, version: SoapVersion) -> BridgeFault | None:
    """What is wrong with a well-formed envelope: not an Envelope, no Body, or a Body holding no
    element; None when it looks right."""
    if root.tag != f"{{{version.namespace}}}Envelope":
        return request_fault("malformed", f"the root element is {root.tag}, not a SOAP Envelope in "
                                          f"{version.namespace}")
    soap_body = root.find(f"{{{version.namespace}}}Body")
    if soap_body is None:
        return request_fault("malformed", f"the SOAP Envelope has no Body element in {version.namespace}")
    if next(soap_body.iterchildren(etree.Element), None) is None:
        return request_fault("empty_body", "the SOAP Body holds no v1.1 request element")
    return None


def reject(start_response: Callable, version: SoapVersion, fault: BridgeFault, exc_info: Any = None) -> list[bytes]:
    payload = fault_body(version, fault)
    headers = [("Content-Type", version.content_type), ("Content-Length", str(len(payload)))]
    if fault.http_status == 401:
        headers.append(CHALLENGE)
    start_response(status_line(fault.http_status), headers, exc_info)
    return [payload]
