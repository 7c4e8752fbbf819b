"""The one error type of the legacy simulator: a v1.1 ServiceFault, as CallFire's JAX-WS stack sent it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LegacyFault(Exception):
    """Becomes a SOAP fault whose detail is svc:ServiceFaultInfo {FaultCode, Message}.

    `code` is a v1.1 FaultCode; `client_side` picks soap:Sender/Client over soap:Receiver/Server.
    """

    code: str
    message: str
    client_side: bool = True

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def bad_request(message: str) -> LegacyFault:
    return LegacyFault("BAD_REQUEST", message)


def not_found(entity: str, entity_id: int) -> LegacyFault:
    return LegacyFault("NOT_FOUND", f"{entity} {entity_id} not found")


def not_simulated(operation: str, port: str, simulated: list[str]) -> LegacyFault:
    return LegacyFault("NOT_IMPLEMENTED",
                       f"{operation} ({port}) is not simulated by the legacy CallFire v1.1 simulator; "
                       f"it answers only the read operations {', '.join(simulated)}",
                       client_side=False)
