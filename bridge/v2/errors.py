"""The v2-failure → BridgeFault table, read once from `mappings/errors.yaml`.

The YAML file is the single source of truth; this module only gives it a typed shape
(and fails at start-up, not mid-request, when the file names an unknown fault code).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping

import yaml

from bridge.config import MAPPINGS_DIR
from bridge.errors import FaultCode

ERRORS_YAML = MAPPINGS_DIR / "errors.yaml"

TransportCondition = Literal["timeout", "connect_error", "bad_json"]


@dataclass(frozen=True)
class FaultRule:
    """What one v2 failure becomes: the v1.1 fault code, the bridge's HTTP status, retry or not."""

    fault: FaultCode
    http_status: int = 500
    retry: bool = False


@dataclass(frozen=True)
class ErrorTable:
    by_status: Mapping[int, FaultRule]
    other_4xx: FaultRule
    other_5xx: FaultRule
    transport: Mapping[str, FaultRule]

    def for_status(self, status: int) -> FaultRule:
        """The rule for a non-2xx v2 status; statuses the table does not list fall back to 4xx/5xx."""
        if status in self.by_status:
            return self.by_status[status]
        return self.other_4xx if 400 <= status < 500 else self.other_5xx

    def for_transport(self, condition: TransportCondition) -> FaultRule:
        return self.transport[condition]


def _rule(entry: Mapping[str, Any]) -> FaultRule:
    return FaultRule(FaultCode(entry["fault"]), int(entry.get("http_status", 500)),
                     bool(entry.get("retry", False)))


@cache
def load_error_table(path: Path = ERRORS_YAML) -> ErrorTable:
    """Parse the table (cached: the file is read once per process)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    table = ErrorTable(
        by_status=MappingProxyType({int(e["status"]): _rule(e) for e in raw["v2_status"]}),
        other_4xx=FaultRule(FaultCode(raw["other_4xx"])),
        other_5xx=FaultRule(FaultCode(raw["other_5xx"])),
        transport=MappingProxyType({e["condition"]: _rule(e) for e in raw["transport"]}),
    )
    missing = {"timeout", "connect_error", "bad_json"} - set(table.transport)
    if missing:
        raise ValueError(f"{path}: transport conditions missing: {sorted(missing)}")
    return table
