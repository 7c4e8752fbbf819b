"""Durable state of the bridge (RequestId de-duplication)."""
from bridge.store.idempotency import Claim, IdempotencyStore

__all__ = ["Claim", "IdempotencyStore"]
