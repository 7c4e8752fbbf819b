"""Orchestration: between the SOAP layer and the v2 client, how each v1.1 operation becomes
v2 calls (paging, fan-out, idempotency).  `strategies.STRATEGIES` names every strategy the
tables in `mappings/` may pick; `serve` runs one operation through its strategy."""
from bridge.orchestrate.strategies import STRATEGIES, Exchange, Strategy, serve

__all__ = ["STRATEGIES", "Exchange", "Strategy", "serve"]
