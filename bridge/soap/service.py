"""The one path every served operation takes through the SOAP layer: the request element read
by the XSD, its strategy run (bridge.orchestrate), the answer written by the XSD straight into
spyne's output (see writer.py for why).  No code here knows any operation."""
from __future__ import annotations

import logging
import sqlite3
from typing import Any

from spyne import Fault

from bridge.errors import BridgeFault, request_fault
from bridge.orchestrate import Exchange, serve
from bridge.registry import V11Operation
from bridge.runtime import Runtime
from bridge.soap.envelope import SoapVersion, envelope_parts
from bridge.soap.reader import read_request
from bridge.soap.url_bounds import check_url_values
from bridge.soap.writer import write_element
from bridge.translate.engine import V2Request
from bridge.v2.retry import retry_budget

RUNTIME_KEY = "callfire_bridge.runtime"
VERSION_KEY = "callfire_bridge.soap_version"
# When set to a list, each V2Request planned is appended to it: `explain` reads the plan's
# lossy notes while its dry-run runtime records the v2 calls.
EXPLAIN_KEY = "callfire_bridge.explain"
# A dict the endpoint turns into the Server-Timing header (ms spent in v2 calls).
TIMING_KEY = "callfire_bridge.timing"
log = logging.getLogger("bridge.soap")


class ServiceFault(Fault):
    """Carries a BridgeFault through spyne's dispatcher to BridgeWsgiApplication.handle_error."""

    def __init__(self, fault: BridgeFault) -> None:
        super().__init__("Client" if fault.client_side else "Server", fault.message)
        self.bridge_fault = fault


def run(ctx: Any, op: V11Operation) -> None:
    environ = ctx.transport.req_env
    runtime: Runtime = environ[RUNTIME_KEY]
    authorization = environ["HTTP_AUTHORIZATION"]  # SoapEndpoint refused requests without
    plans: list[V2Request] | None = environ.get(EXPLAIN_KEY)
    try:
        request = read_request(ctx.in_body_doc)
        check_url_values(op, request)
        exchange = Exchange(runtime, authorization)
        with retry_budget(runtime.v2.policy.budget):
            value = serve(exchange, op, request, on_plan=plans.append if plans is not None else None)
        environ[TIMING_KEY]["v2"] = exchange.timing.get("v2", 0.0)
        body = b"" if op.wsdl.response is None else write_element(
            *op.wsdl.response[1:].split("}"), value, runtime.conv.contract)
    except sqlite3.OperationalError:
        log.error("%s: RequestId store unavailable", op.name)
        raise ServiceFault(request_fault("store_busy", "RequestId store is busy; retry later")) from None
    except BridgeFault as fault:
        log.info("%s fault %s", op.name, fault.code.value)
        raise ServiceFault(fault) from None
    except Exception:
        # A bug: spyne would turn it into a bare Server fault and drop the traceback.
        log.exception("%s: internal error", op.name)
        raise ServiceFault(request_fault("internal_error", "internal error in the bridge")) from None
    version: SoapVersion = environ[VERSION_KEY]
    # spyne leaves a response alone once out_string is set (server/_base.py get_out_string_pull).
    ctx.out_string = envelope_parts(version, body)
