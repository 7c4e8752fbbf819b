"""Where the contract (`wsdl/`) and the mapping tables (`mappings/`) are read from.

The top-level `wsdl/` and `mappings/` of the repository are the source of truth. A built
wheel carries copies of them as package data, `bridge/_data/{wsdl,mappings}` (setup.py copies
them at build time), found here with importlib.resources. A checkout has no `bridge/_data`
(an editable install leaves the package in place), so there the top-level directories are
read directly, and edits to them take effect without a rebuild.
"""
from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

# Installed packages are plain files (pip unpacks wheels; no zip imports here), so what
# importlib.resources returns is a file-system path: callers get a Path to open and list.
_PACKAGED = Path(str(files(__package__) / "_data"))
# The repository the bridge runs from, or None when it runs from an installed wheel.
CHECKOUT: Path | None = None if _PACKAGED.is_dir() else Path(__file__).resolve().parent.parent

_BASE = _PACKAGED if CHECKOUT is None else CHECKOUT
WSDL_DIR = _BASE / "wsdl"
# An operator's own copy of the tables (e.g. one more operation, served by a YAML block)
# replaces the shipped ones for the whole process.
MAPPINGS_DIR = Path(os.environ.get("CALLFIRE_BRIDGE_MAPPINGS_DIR") or _BASE / "mappings")
