"""Secrets the stores keep at rest (v2 credentials of cloud/1 API keys, webhook secrets of
subscriptions), sealed with a Fernet key in a file (mode 0600) beside the store: a copy of the
database alone (a backup, a PostgreSQL dump) reveals none of them.  Replicas on one PostgreSQL
share the key file (docs/scale-out.md)."""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bridge.config import Settings


def key_path(settings: Settings) -> Path:
    """The Fernet key sealing secrets at rest (0600), beside the store."""
    store = Path(settings.store_path)
    return store.with_name(f"{store.stem}-postbacks.key")


class Sealer:
    """Encrypts secrets at rest with a Fernet key kept in `key_path` (made 0600 on first use)."""

    def __init__(self, key_path: Path) -> None:
        self.key_path = Path(key_path)
        if not self.key_path.exists():
            self.key_path.parent.mkdir(parents=True, exist_ok=True)
            try:
                descriptor = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as fh:
                    fh.write(Fernet.generate_key())
            except FileExistsError:   # another worker made it first
                pass
        self._fernet = Fernet(self.key_path.read_bytes().strip())

    def seal(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def open(self, token: bytes) -> str | None:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            return None
