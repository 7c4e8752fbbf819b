"""The record of the request being served, in a contextvar: the middleware sets it
(bridge.observability.requests), spyne's `method_call` event names its v1.1 operation
(bridge.observability.instrument), log lines read it (bridge.observability.logs).
Fan-out threads see it because they run in a copy of the request's context (bridge.deadline.in_context)."""
from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass
class RequestRecord:
    request_id: str
    operation: str | None = None   # the v1.1 operation, once spyne has matched the Body element


current: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar("callfire_bridge_request",
                                                                               default=None)
