"""Orchestration: between the SOAP layer and the v2 client, how each v1.1 operation becomes
v2 calls (paging, fan-out, idempotency, the call/text broadcast split).  `STRATEGIES` names
every strategy the tables in `mappings/` may pick; `serve` runs one operation through its own."""
from bridge.orchestrate.generic import Exchange, Strategy
from bridge.orchestrate.strategies import STRATEGIES, serve

__all__ = ["STRATEGIES", "Exchange", "Strategy", "serve"]
