"""Secrets the stores keep at rest (v2 credentials of cloud/1 API keys, webhook secrets of
subscriptions), sealed with a Fernet key in a file (mode 0600) beside the store: a copy of the
database alone (a backup, a PostgreSQL dump) reveals none of them.  Replicas on one PostgreSQL
share the key file (docs/scale-out.md)."""
from __future__ import annotations

import os
import uuid
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
            _make_key(self.key_path)
        self._fernet = Fernet(self.key_path.read_bytes().strip())

    def seal(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def open(self, token: bytes) -> str | None:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            return None


def _make_key(path: Path) -> None:
    """Write a new key to `path` unless another process did first, never showing a half-written file:
    the key is written whole under a private name and then linked into place (a link either appears
    with the whole key or fails because the name exists).  Workers starting together all call this;
    one that opened the name while another was still writing it read an empty key and failed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as fh:
            fh.write(Fernet.generate_key())
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:   # another process made it first: theirs is the key
            pass
    finally:
        draft.unlink(missing_ok=True)
