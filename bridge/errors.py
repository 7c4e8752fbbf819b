"""The one place for the bridge's errors.

Every failure a v1.1 client can see is a `BridgeFault`: it becomes a SOAP fault whose
detail is `svc:ServiceFaultInfo {FaultCode, Message, Detail?}`.  `http_status` is 500 for
ordinary faults (what CallFire's JAX-WS stack sent); v2's 401/403 pass through as 401/403.
Codes and HTTP statuses come from the one table (`bridge.faults`, mappings/errors.yaml):
`fault_for` for the v2 client's errors, `request_fault` for the bridge's own refusals.
"""
from __future__ import annotations

from bridge.faults import FaultCode, FaultRule
from bridge.mappings import load
from bridge.v2.errors import (V2AuthorizationError, V2BadResponse, V2ConnectError, V2Error, V2StatusError,
                              V2TimeoutError, V2TooLarge)

__all__ = ["CLIENT_SIDE", "BridgeFault", "FaultCode", "bad_request", "fault_for", "not_implemented",
           "request_fault"]


# Client-side mistakes are SOAP 1.1 "Client" / SOAP 1.2 "Sender" faults; the rest are "Server"/"Receiver".
CLIENT_SIDE = frozenset({FaultCode.BAD_REQUEST, FaultCode.FORBIDDEN, FaultCode.NOT_FOUND})


class BridgeFault(Exception):
    """A failure reported to the v1.1 client as a SOAP fault with ServiceFaultInfo."""

    def __init__(self, code: FaultCode, message: str, *, detail: str | None = None,
                 http_status: int = 500) -> None:
        super().__init__(message)
        self.code = FaultCode(code)
        self.message = message
        self.detail = detail
        self.http_status = http_status

    @property
    def client_side(self) -> bool:
        return self.code in CLIENT_SIDE

    def __repr__(self) -> str:
        return f"BridgeFault({self.code}, {self.message!r}, http_status={self.http_status})"


def bad_request(field: str, problem: str) -> BridgeFault:
    """A BAD_REQUEST fault that names the offending v1.1 field first, as users grep for it."""
    return BridgeFault(FaultCode.BAD_REQUEST, f"{field}: {problem}")


def not_implemented(operation: str, port: str) -> BridgeFault:
    """NOT_IMPLEMENTED, naming what replaces the operation in v2 (mappings/replacements.yaml)."""
    entry = load().replacements[operation]
    message = f"{operation} ({port}) is not implemented by this bridge yet"
    if entry["v2"]:
        message += f"; in CallFire v2: {', '.join(entry['v2'])}"
    message += f" — {entry['how']}"
    if entry.get("gap"):
        message += f" Not possible in v2: {entry['gap']}"
    return request_fault("not_implemented", message)


def request_fault(condition: str, message: str) -> BridgeFault:
    """One of the bridge's own refusals; code and HTTP status come from mappings/errors.yaml."""
    return _fault(load().faults.request[condition], message)


def fault_for(error: V2Error) -> BridgeFault:
    """The fault a v1.1 client sees for a v2 client error; the message and detail are the error's."""
    table = load().faults
    match error:
        case V2StatusError(status=status):
            rule = table.for_status(status)
        case V2TimeoutError():
            rule = table.transport["timeout"]
        case V2ConnectError():
            rule = table.transport["connect_error"]
        case V2BadResponse():
            rule = table.transport["bad_json"]
        case V2TooLarge():
            rule = table.transport["too_large"]
        case V2AuthorizationError():
            # Credentials that cannot be sent are refused as missing ones are.
            rule = table.request["no_credentials"]
        case _:
            raise TypeError(f"no fault rule for {type(error).__name__}")
    return _fault(rule, error.message, error.detail)


def _fault(rule: FaultRule, message: str, detail: str | None = None) -> BridgeFault:
    return BridgeFault(rule.fault, message, detail=detail, http_status=rule.http_status)
