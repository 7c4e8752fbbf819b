"""cloud/1 API keys -> v2 credentials.

With a real upstream the bridge keeps a registry (`callfire-bridge apikeys add|list|remove`): the key
is stored only as its SHA-256, the v2 login:password as a Fernet token whose key is a file (0600)
beside the store; neither is ever printed or logged.  Removing the last key of a v2 account removes
that account's cloud/1 registrations too. With the embedded simulator any apikey is
accepted and is the account whose Basic login equals the key (its password from the simulator's
accounts when they are restricted)."""
from __future__ import annotations

import base64
import hashlib
import time

from bridge.postbacks.store import PostbackStore
from bridge.store.idempotency import account_key
from bridge.store.sealed import Sealer


def _hash(apikey: str) -> str:
    return hashlib.sha256(apikey.encode("utf-8")).hexdigest()


def basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode("utf-8")).decode("ascii")


class ApiKeyRegistry:
    """The registry of a bridge with a real upstream."""

    def __init__(self, store: PostbackStore, sealer: Sealer) -> None:
        self.store = store
        self.sealer = sealer

    def add(self, apikey: str, login: str, password: str) -> str:
        """Register (or replace) `apikey`; returns its label, what `list` shows: the start of its SHA-256
        (which tells the keys apart and reveals none of them), and the v2 login."""
        label = f"sha256:{_hash(apikey)[:12]} -> {login}"
        self.store.put_apikey(_hash(apikey), label, self.sealer.seal(f"{login}:{password}"), time.time())
        return label

    def remove(self, apikey: str) -> int | None:
        """Forget `apikey`: how many cloud/1 registrations went with it (None: it was not registered).
        When no other key reaches its v2 account, the account's registrations go too: nothing would be
        left to subscribe or unsubscribe them with, and the bridge stops polling v2 with credentials its
        operator took away."""
        token = self.store.apikey(_hash(apikey)) if apikey else None
        if token is None or not self.store.delete_apikey(_hash(apikey)):
            return None
        account = self._account(token)
        if account is None or any(self._account(other) == account for other in self.store.apikey_tokens()):
            return 0
        return self.store.forget_account(account)

    def _account(self, token: bytes) -> str | None:
        credentials = self.sealer.open(token)
        if credentials is None:
            return None
        login, _, password = credentials.partition(":")
        return account_key(basic(login, password))

    def labels(self) -> list[tuple[str, float]]:
        return self.store.apikeys()

    def authorization(self, apikey: str) -> str | None:
        """The v2 Authorization header of `apikey`, None when it is not registered."""
        token = self.store.apikey(_hash(apikey)) if apikey else None
        credentials = self.sealer.open(token) if token else None
        if credentials is None:
            return None
        login, _, password = credentials.partition(":")
        return basic(login, password)


class SimulatorKeys:
    """The embedded simulator's: an apikey is the login of the account it names."""

    def __init__(self, accounts: dict[str, str] | None) -> None:
        self.accounts = accounts   # None: any login works

    def authorization(self, apikey: str) -> str | None:
        if not apikey or ":" in apikey:
            return None
        if self.accounts is None:
            return basic(apikey, apikey)
        password = self.accounts.get(apikey)
        return None if password is None else basic(apikey, password)
