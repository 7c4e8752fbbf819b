"""The operation registry: each of the 61 v1.1 operations of the contract, joined with its
mapping table and the strategy that serves it.  Built once per process.

An operation is served when its table in `mappings/` names a `strategy`; adding one is a YAML
block.  The others answer NOT_IMPLEMENTED, naming their v2 replacement
(`mappings/replacements.yaml`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from bridge.contract import WsdlOperation, operations
from bridge.mappings import MappingSet, load


@dataclass(frozen=True)
class V11Operation:
    wsdl: WsdlOperation
    table: dict[str, Any] | None  # the operation's block in mappings/ (None: not mapped yet)

    @property
    def name(self) -> str:
        return self.wsdl.name

    @property
    def port(self) -> str:
        return self.wsdl.port

    @property
    def strategy(self) -> str | None:
        return self.table.get("strategy") if self.table else None

    @property
    def served(self) -> bool:
        return self.strategy is not None


@dataclass(frozen=True)
class Registry:
    by_name: dict[str, V11Operation]
    by_request: dict[str, V11Operation]  # Clark QName of the request element -> operation

    def served(self) -> list[V11Operation]:
        return [op for op in self.by_name.values() if op.served]


def build(tables: MappingSet, strategies: frozenset[str]) -> Registry:
    """Joins the contract with the tables; a strategy name no code defines fails here, at start-up."""
    by_name: dict[str, V11Operation] = {}
    for wsdl in operations():
        op = V11Operation(wsdl, tables.operations.get(wsdl.name))
        if op.strategy is not None and op.strategy not in strategies:
            raise ValueError(f"{op.name}: unknown strategy {op.strategy!r} (known: {', '.join(sorted(strategies))})")
        by_name[op.name] = op
    unknown = set(tables.operations) - set(by_name)
    if unknown:
        raise ValueError(f"mappings/ has tables for operations the contract lacks: {sorted(unknown)}")
    return Registry(by_name, {op.wsdl.request: op for op in by_name.values()})


@cache
def registry() -> Registry:
    from bridge.orchestrate.strategies import STRATEGIES
    return build(load(), frozenset(STRATEGIES))
