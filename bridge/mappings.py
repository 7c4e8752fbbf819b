"""Loads the mapping tables in `mappings/`: the single source of every v1.1 <-> v2 rule.

The converters, the fault mapping, the CLI and the pages all read these objects; no
second copy of a mapping lives in code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from bridge.config import MAPPINGS_DIR
from bridge.faults import ErrorTable

OPERATION_FILES = ("call.yaml", "contact.yaml", "broadcast.yaml", "text.yaml", "number.yaml", "label.yaml",
                   "subscription.yaml")
POSTBACK_FILE = "postbacks.yaml"


@dataclass(frozen=True)
class EnumValue:
    v1: str | None
    v2: str | None
    lossy: bool
    note: str
    live_only: bool = False  # v1 is a value CallFire added after the 2014-05 contract
    v1_2014: str | None = None  # what the 2014 contract writes instead (live_only values)


@dataclass(frozen=True)
class EnumTable:
    name: str
    v1_type: str
    v2_fields: tuple[str, ...]
    values: tuple[EnumValue, ...]
    unknown_v2: str
    unknown_v2_2014: str | None = None  # the 2014 value written for a v2 value this table lacks

    def v1_names(self) -> tuple[str, ...]:
        return tuple(v.v1 for v in self.values if v.v1 is not None)

    def to_v2(self) -> dict[str, str | None]:
        return {v.v1: v.v2 for v in self.values if v.v1 is not None}

    def shown_as_2014(self) -> dict[str, tuple[str, ...]]:
        """v2 value of a 2014 v1.1 value -> the later v2 values the 2014 contract writes as that
        v1.1 value (READY -> CALLBACK, DISABLED): what a 2014 filter on it must also find."""
        exact = self.to_v2()
        out: dict[str, tuple[str, ...]] = {}
        for v in self.values:
            target = exact.get(v.v1_2014) if v.live_only and v.v1_2014 else None
            if target is not None and v.v2 is not None and v.v2 != target:
                out[target] = (*out.get(target, ()), v.v2)
        return out

    def to_v1(self, contract: str = "live") -> dict[str, str]:
        """v2 value -> the v1.1 value written in `contract` ("2014" or "live")."""
        out: dict[str, str] = {}
        for v in self.values:
            if v.v2 is None or v.v1 is None:
                continue
            out[v.v2] = v.v1_2014 if contract == "2014" and v.live_only and v.v1_2014 else v.v1
        return out


@dataclass(frozen=True)
class MappingSet:
    enums: dict[str, EnumTable]
    operations: dict[str, dict[str, Any]]
    entities: dict[str, dict[str, Any]]
    errors: dict[str, Any]  # errors.yaml as written, notes included (the reference pages show it)
    replacements: dict[str, dict[str, Any]]  # operation -> its v2 replacement (replacements.yaml)
    # postback payload -> its table (postbacks.yaml: the XML CallFire POSTed, from v2 events)
    postbacks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @cached_property
    def faults(self) -> ErrorTable:
        """errors.yaml's typed table: what every failure decision reads (built once per set)."""
        return ErrorTable.from_document(self.errors)


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _enum(name: str, raw: dict[str, Any]) -> EnumTable:
    values = tuple(
        EnumValue(v.get("v1"), v.get("v2"), bool(v.get("lossy", False)), v.get("note", ""),
                  v.get("contract") == "live", v.get("v1_2014"))
        for v in raw["values"]
    )
    return EnumTable(name, raw["v1_type"], tuple(raw.get("v2", ())), values, raw.get("unknown_v2", "pass"),
                     raw.get("unknown_v2_2014"))


@cache
def load(directory: Path = MAPPINGS_DIR) -> MappingSet:
    """Parse every table once per process."""
    enums = {name: _enum(name, raw) for name, raw in _read(directory / "enums.yaml").items()}
    operations: dict[str, dict[str, Any]] = {}
    for file_name in OPERATION_FILES:
        for name, op in _read(directory / file_name)["operations"].items():
            operations[name] = {"name": name, "source": file_name, **op}
    entities = _read(directory / "entities.yaml")
    errors = _read(directory / "errors.yaml")
    replacements = {name: entry for port in _read(directory / "replacements.yaml").values()
                    for name, entry in port.items()}
    postbacks = _read(directory / POSTBACK_FILE)["payloads"] if (directory / POSTBACK_FILE).exists() else {}
    postbacks.update(_read(directory / "subscription.yaml").get("payloads", {}))   # SubscriptionService notifications
    return MappingSet(enums, operations, entities, errors, replacements, postbacks)
