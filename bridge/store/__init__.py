"""Durable state of the bridge: SQLite files shared by its workers (sqlite.py), or one PostgreSQL database
shared by many replicas (pg/); factory.py chooses (RequestId de-duplication, subscriptions)."""
from bridge.store.idempotency import Claim, IdempotencyStore, account_key

__all__ = ["Claim", "IdempotencyStore", "account_key"]
