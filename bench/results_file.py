"""bench/results.md holds one `## ` section per benchmark; each bench rewrites its own section only."""
from __future__ import annotations

import re
from pathlib import Path


def write_section(path: Path, title: str, text: str) -> None:
    """Replace (or append) the section headed `## {title}` with `text`."""
    old = path.read_text() if path.exists() else ""
    section = f"## {title}\n\n{text.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _: section + "\n", old, count=1) if pattern.search(old) else \
        (old.rstrip() + "\n\n" if old.strip() else "") + section
    path.write_text(new.rstrip() + "\n")
