"""The v2 client's own exceptions, httpx style: what went wrong talking to CallFire v2.

They say nothing about v1.1 or SOAP; `bridge.errors.fault_for` maps them to the fault a v1.1
client sees.  Messages never carry the caller's Authorization header.
"""
from __future__ import annotations

from typing import Any


class V2Error(Exception):
    """Any failure of a v2 request; `detail` is extra text for the fault's Detail."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        # False when nothing left the bridge (the connection was never made, the breaker was open).
        self.sent = True

    @property
    def refused(self) -> bool:
        """True when v2 certainly did not act on the request (a create may be sent again at once);
        otherwise its outcome is unknown and `create_once` asks v2 what happened."""
        return not self.sent


class V2StatusError(V2Error):
    """v2 answered with a non-2xx status; `body` is its ErrorResponse (None when not a JSON object).

    The message is v2's `message` (else the HTTP reason phrase); the detail is its
    developerMessage, then `internalCode N` (a number or a string in v2), joined by '; '.
    """

    def __init__(self, status: int, body: dict[str, Any] | None, reason: str = "") -> None:
        fields = body or {}
        text = _text(fields.get("message")) or reason or "error"
        details = [_text(fields.get("developerMessage"))]
        code = fields.get("internalCode")
        if isinstance(code, (int, str)) and not isinstance(code, bool) and str(code).strip():
            details.append(f"internalCode {str(code).strip()}")
        super().__init__(f"CallFire v2 returned {status}: {text}",
                         detail="; ".join(d for d in details if d) or None)
        self.status = status
        self.body = body

    @property
    def refused(self) -> bool:
        # A 4xx (429 included) is v2 turning the request down, and a 503 says it was not processed
        # (RFC 9110); after another 5xx it may have taken effect.
        return 400 <= self.status < 500 or self.status == 503


class V2TimeoutError(V2Error):
    """v2 did not answer within the client's timeout (connect timeouts included)."""


class V2ConnectError(V2Error):
    """v2 could not be reached, or the connection failed mid-request (refused, reset, protocol)."""


class V2Unavailable(V2ConnectError):
    """The circuit breaker is open: v2 kept failing, so nothing was sent (bridge.v2.retry)."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.sent = False


class V2TooLarge(V2Error):
    """A binary answer (a sound, a recording) longer than the client was told to carry."""


class V2BadResponse(V2Error):
    """A 2xx whose body is not JSON, or not what `mappings/v2_answers.yaml` says it holds."""


class V2AuthorizationError(V2Error):
    """The caller's Authorization header cannot be sent (missing, not ASCII, control characters).

    Checked before sending because HTTP libraries quote an illegal header value in their errors.
    """

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)
        self.sent = False


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
