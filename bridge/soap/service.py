"""The shared path of every implemented operation: credentials, translation faults, and
writing the response element straight into spyne's output (see writer.py for why)."""
from __future__ import annotations

import base64
import hashlib
import logging
import sqlite3
import time
from dataclasses import dataclass
from typing import Any, Callable

from spyne import Fault

from bridge.errors import BridgeFault, request_fault
from bridge.runtime import Runtime
from bridge.soap.envelope import SoapVersion, envelope
from bridge.soap.requests import request_dict
from bridge.soap.writer import write_element
from bridge.translate.convert import Conversions
from bridge.translate.engine import V2Request

RUNTIME_KEY = "callfire_bridge.runtime"
VERSION_KEY = "callfire_bridge.soap_version"
# When set to a list, the request is translated and its V2Request appended there instead of
# being sent: `explain` shows exactly what the serving path would do.
EXPLAIN_KEY = "callfire_bridge.explain"
# A dict the endpoint turns into the Server-Timing header (ms spent in v2 calls and mapping their answers).
TIMING_KEY = "callfire_bridge.timing"
log = logging.getLogger("bridge.soap")



@dataclass(frozen=True)
class Operation:
    """One v1.1 operation: plan (pure) -> execute (v2 calls) -> respond (pure) -> write."""

    name: str
    plan: Callable[[dict[str, Any], Conversions], V2Request]       # bridge.translate
    execute: Callable[[Runtime, str, V2Request], Any]               # the v2 calls
    respond: Callable[[Any, V2Request, Conversions], Any]           # bridge.translate: v2 data -> v1.1 value
    namespace: str                                                  # of the response element
    element: str


class ServiceFault(Fault):
    """Carries a BridgeFault through spyne's dispatcher to BridgeWsgiApplication.handle_error."""

    def __init__(self, fault: BridgeFault) -> None:
        super().__init__("Client" if fault.client_side else "Server", fault.message)
        self.bridge_fault = fault


def run(ctx: Any, operation: Operation, request: Any) -> None:
    environ = ctx.transport.req_env
    runtime: Runtime = environ[RUNTIME_KEY]
    authorization = environ.get("HTTP_AUTHORIZATION")
    explained: list[V2Request] | None = environ.get(EXPLAIN_KEY)
    try:
        if not authorization and explained is None:
            raise request_fault("no_credentials", "HTTP Basic credentials (SoapClient login/password) are required")
        v2_request = operation.plan(request_dict(request) or {}, runtime.conv)
        if explained is not None:
            explained.append(v2_request)
            ctx.out_string = [b""]
            return
        started = time.perf_counter()
        answer = operation.execute(runtime, authorization, v2_request)
        environ[TIMING_KEY]["v2"] = (time.perf_counter() - started) * 1000
        value = operation.respond(answer, v2_request, runtime.conv)
        body = write_element(operation.namespace, operation.element, value, runtime.conv.contract)
    except sqlite3.OperationalError:
        log.error("%s: RequestId store unavailable", operation.name)
        raise ServiceFault(request_fault("store_busy", "RequestId store is busy; retry later")) from None
    except BridgeFault as fault:
        log.info("%s fault %s", operation.name, fault.code.value)
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
