"""The typed shape of `mappings/errors.yaml`: how each failure becomes a v1.1 fault.

Built once from the document `bridge.mappings.load()` parsed (`MappingSet.faults`), so the file
is read once and every decision (the v2 client's retries, `bridge.errors.fault_for`, the
bridge's own refusals) comes from this one object.  It fails at start-up, not mid-request,
when the file names an unknown fault code or leaves out a condition the code raises.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Mapping


class FaultCode(StrEnum):
    """svc:FaultCode, the v1.1 fault vocabulary."""

    BAD_REQUEST = "BAD_REQUEST"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    UNAVAILABLE = "UNAVAILABLE"
    TIMEOUT = "TIMEOUT"
    NOT_IMPLEMENTED = "NOT_IMPLEMENTED"


# The transport conditions bridge.errors.fault_for maps; the table must name each.
TRANSPORT_CONDITIONS = frozenset({"timeout", "connect_error", "bad_json", "too_large"})


@dataclass(frozen=True)
class FaultRule:
    """What one failure becomes: the v1.1 fault code, the bridge's HTTP status, retry or not."""

    fault: FaultCode
    http_status: int = 500
    retry: bool = False


@dataclass(frozen=True)
class ErrorTable:
    by_status: Mapping[int, FaultRule]
    other_4xx: FaultRule
    other_5xx: FaultRule
    transport: Mapping[str, FaultRule]
    request: Mapping[str, FaultRule]  # the bridge's own refusals, by condition

    @classmethod
    def from_document(cls, raw: Mapping[str, Any]) -> ErrorTable:
        table = cls(
            by_status=MappingProxyType({int(e["status"]): _rule(e) for e in raw["v2_status"]}),
            other_4xx=FaultRule(FaultCode(raw["other_4xx"])),
            other_5xx=FaultRule(FaultCode(raw["other_5xx"])),
            transport=MappingProxyType({e["condition"]: _rule(e) for e in raw["transport"]}),
            request=MappingProxyType({e["condition"]: _rule(e) for e in raw["request"]}),
        )
        missing = TRANSPORT_CONDITIONS - set(table.transport)
        if missing:
            raise ValueError(f"errors.yaml: transport conditions missing: {sorted(missing)}")
        return table

    def for_status(self, status: int) -> FaultRule:
        """The rule for a non-2xx v2 status; statuses the table does not list fall back to 4xx/5xx."""
        if status in self.by_status:
            return self.by_status[status]
        return self.other_4xx if 400 <= status < 500 else self.other_5xx

    @property
    def retry_statuses(self) -> frozenset[int]:
        """The v2 statuses an idempotent request is retried on (unlisted statuses never are)."""
        return frozenset(status for status, rule in self.by_status.items() if rule.retry)


def _rule(entry: Mapping[str, Any]) -> FaultRule:
    return FaultRule(FaultCode(entry["fault"]), int(entry.get("http_status", 500)),
                     bool(entry.get("retry", False)))
