"""Durable state of the bridge in SQLite files shared by its workers (RequestId de-duplication; sqlite.py)."""
from bridge.store.idempotency import Claim, IdempotencyStore, account_key

__all__ = ["Claim", "IdempotencyStore", "account_key"]
