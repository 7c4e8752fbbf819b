"""The simulator's accounts ("user:pass,user2:pass2"): from a flag, a file or the environment."""
from __future__ import annotations

def read_credentials_file(path: str) -> str:
    """A credentials file: user:pass pairs separated by commas or newlines."""
    try:
        with open(path, encoding="utf-8") as file:
            return ",".join(line.strip() for line in file.read().replace(",", "\n").splitlines() if line.strip())
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the credentials file {path}: {exc}") from None


def chosen_credentials(flag: str | None, file: str | None, environment: str | None) -> str | None:
    """The pairs from the flag, else the file, else the environment (CALLFIRE_BRIDGE_SIM_CREDENTIALS):
    the flag is visible to every `ps`, the other two are not."""
    if flag is not None and file is not None:
        raise ValueError("give the credentials as a flag or as a file, not both")
    if flag is not None:
        return flag
    return read_credentials_file(file) if file is not None else environment


def parse_credentials(text: str | None) -> dict[str, str] | None:
    """'user:pass,user2:pass2' -> {'user': 'pass', ...}; empty or None -> None (any login)."""
    if not text or not text.strip():
        return None
    pairs = {}
    for item in text.split(","):
        login, sep, password = item.strip().partition(":")
        if not login or not sep:
            raise ValueError(f"credentials must look like user:pass, got {item.strip()!r}")
        pairs[login] = password
    return pairs
