"""Durable state of the bridge (RequestId de-duplication)."""
from bridge.store.idempotency import Claim, IdempotencyStore, account_key

__all__ = ["Claim", "IdempotencyStore", "account_key"]
