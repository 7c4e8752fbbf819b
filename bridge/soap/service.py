"""The shared path of every implemented operation: credentials, translation faults, and
writing the response element straight into spyne's output (see writer.py for why)."""
from __future__ import annotations

import base64
import hashlib
import logging
import sqlite3
from typing import Any, Callable

from spyne import Fault

from bridge.errors import BridgeFault, FaultCode
from bridge.runtime import Runtime
from bridge.soap.envelope import SoapVersion, envelope
from bridge.soap.requests import request_dict
from bridge.soap.writer import write_element

RUNTIME_KEY = "callfire_bridge.runtime"
VERSION_KEY = "callfire_bridge.soap_version"
log = logging.getLogger("bridge.soap")

# (namespace, element name, element value as built by bridge.translate)
Response = tuple[str, str, Any]
Handler = Callable[[Runtime, str, dict[str, Any]], Response]


class ServiceFault(Fault):
    """Carries a BridgeFault through spyne's dispatcher to BridgeWsgiApplication.handle_error."""

    def __init__(self, fault: BridgeFault) -> None:
        super().__init__("Client" if fault.client_side else "Server", fault.message)
        self.bridge_fault = fault


def run(ctx: Any, operation: str, request: Any, handler: Handler) -> None:
    environ = ctx.transport.req_env
    runtime: Runtime = environ[RUNTIME_KEY]
    authorization = environ.get("HTTP_AUTHORIZATION")
    try:
        if not authorization:
            raise BridgeFault(FaultCode.FORBIDDEN, "HTTP Basic credentials (SoapClient login/password) are required",
                              http_status=401)
        namespace, name, value = handler(runtime, authorization, request_dict(request) or {})
        body = write_element(namespace, name, value)
    except sqlite3.OperationalError:
        log.error("%s: RequestId store unavailable", operation)
        raise ServiceFault(BridgeFault(FaultCode.UNAVAILABLE, "RequestId store is busy; retry later")) from None
    except BridgeFault as fault:
        log.info("%s fault %s", operation, fault.code.value)
        raise ServiceFault(fault) from None
    version: SoapVersion = environ[VERSION_KEY]
    # spyne leaves a response alone once out_string is set (server/_base.py get_out_string_pull).
    ctx.out_string = [envelope(version, body)]


def account_key(authorization: str) -> str:
    """An opaque per-account key (hash of the Basic login); credentials are never stored."""
    scheme, _, token = authorization.partition(" ")
    subject = authorization
    if scheme.lower() == "basic":
        try:
            subject = base64.b64decode(token).decode("utf-8", "replace").partition(":")[0]
        except ValueError:
            pass
    return hashlib.sha256(subject.encode("utf-8")).hexdigest()[:32]
