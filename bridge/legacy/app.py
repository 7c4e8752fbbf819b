"""The legacy simulator's HTTP surface, in one routing table.

    GET  /api/{1.1,1.0}/wsdl/{file}     the 2014 contract files (soap12:address -> this server)
    POST /api/{1.1,1.0}/soap12/{port}   SOAP 1.1 and 1.2; the Body element decides the operation
"""
from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree

from bridge.contract import PORTS, operation_for_request
from bridge.legacy import envelope
from bridge.legacy.contract import contract_file, file_names
from bridge.legacy.data import legacy_data
from bridge.legacy.envelope import SoapVersion
from bridge.legacy.faults import LegacyFault, bad_request, not_simulated
from bridge.legacy.operations import OPERATIONS
from bridge.legacy.request import RequestFields

ROUTES = [
    (re.compile(r"/api/1\.[01]/wsdl/(?P<file>[\w.-]+)"), "wsdl"),
    (re.compile(r"/api/1\.[01]/soap12/(?P<port>\w+)"), "soap"),
]
MAX_BODY = 2 * 1024 * 1024
REALM = 'Basic realm="CallFire API"'
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
StartResponse = Callable[..., Any]
log = logging.getLogger(__name__)


class LegacyApp:
    """WSGI app: CallFire's v1.1 SOAP service answering reads from the v2 simulator's seed.

    `credentials` (login -> password) restricts who may call; None: any Basic login works, and
    every login sees the same seed. `time_zone` is the zone dateTimes are written in, and the one
    an input dateTime without an offset is read in.
    """

    def __init__(self, credentials: dict[str, str] | None = None, time_zone: str = "UTC") -> None:
        self.credentials = credentials
        self.zone = ZoneInfo(time_zone)
        self.data = legacy_data()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        for pattern, name in ROUTES:
            match = pattern.fullmatch(path)
            if match:
                return getattr(self, name)(environ, start_response, **match.groupdict())
        return respond(start_response, "404 Not Found", "text/plain; charset=utf-8", b"not found\n")

    def wsdl(self, environ: dict[str, Any], start_response: StartResponse, file: str) -> Iterable[bytes]:
        # Served with or without credentials: PHP sends its login/password here too.
        if file not in file_names():
            return respond(start_response, "404 Not Found", "text/plain; charset=utf-8", b"no such contract file\n")
        version_path = "1.0" if environ["PATH_INFO"].startswith("/api/1.0/") else "1.1"
        payload = contract_file(file, base_url(environ), version_path)
        return respond(start_response, "200 OK", "text/xml; charset=utf-8", payload)

    def soap(self, environ: dict[str, Any], start_response: StartResponse, port: str) -> Iterable[bytes]:
        if port not in PORTS:
            return respond(start_response, "404 Not Found", "text/plain; charset=utf-8", b"no such port\n")
        if environ["REQUEST_METHOD"] != "POST":
            start_response("405 Method Not Allowed", [("Allow", "POST"), ("Content-Length", "0")])
            return [b""]
        if not self.authorized(environ.get("HTTP_AUTHORIZATION", "")):
            start_response("401 Unauthorized", [("WWW-Authenticate", REALM),
                                                 ("Content-Type", "text/plain; charset=utf-8"),
                                                 ("Content-Length", "13")])
            return [b"Unauthorized\n"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(min(length, MAX_BODY + 1) if length else MAX_BODY + 1)
        version = SoapVersion.of_content_type(environ.get("CONTENT_TYPE", ""))
        try:
            if len(body) > MAX_BODY:
                raise bad_request(f"request body over {MAX_BODY} bytes")
            version, request = envelope.read(body, environ.get("CONTENT_TYPE", ""))
            payload = envelope.write(version, self.answer(request))
            status = "200 OK"
        except LegacyFault as error:
            payload, status = envelope.fault(version, error), "500 Internal Server Error"
        except Exception:  # a bug here: still a fault, with the trace in the log
            log.exception("legacy simulator failure")
            error = LegacyFault("UNAVAILABLE", "internal error in the legacy simulator", client_side=False)
            payload, status = envelope.fault(version, error), "500 Internal Server Error"
        return respond(start_response, status, version.content_type, payload)

    def answer(self, request: etree._Element) -> etree._Element:
        """The response element for one request element (dispatch on its QName)."""
        operation = operation_for_request(request.tag)
        if operation is None:
            raise bad_request(f"{etree.QName(request).localname} is not a CallFire v1.1 operation")
        handler = OPERATIONS.get(operation.name)
        if handler is None:
            raise not_simulated(operation.name, operation.port, list(OPERATIONS))
        return handler(RequestFields(request, self.zone), self.data, self.zone)

    def authorized(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        try:
            login, sep, password = base64.b64decode(token.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        if scheme.lower() != "basic" or not sep or not login:
            return False
        return self.credentials is None or self.credentials.get(login) == password


def base_url(environ: dict[str, Any]) -> str:
    """This server as the client reached it (written into the WSDL's port addresses)."""
    scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST", "")
    if not _HOST.fullmatch(host):  # it goes into an XML attribute: only a plain host[:port]
        host = f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{'https' if scheme == 'https' else 'http'}://{host}"


def respond(start_response: StartResponse, status: str, content_type: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def create_app(*, credentials: dict[str, str] | None = None, time_zone: str = "UTC") -> LegacyApp:
    return LegacyApp(credentials, time_zone)
