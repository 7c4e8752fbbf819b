"""Lets spyne 2.14 import on Python 3.11, 3.12 and 3.13; imported by `bridge/__init__.py`.

spyne vendors six 1.14 as `spyne.util.six`, whose `six.moves` importer only has the old
`find_module`/`load_module` protocol. Python 3.12 stopped calling `find_module`, so every
`from spyne.util.six.moves... import` fails ("No module named 'spyne.util.six.moves'").
`_SixMovesFinder` below answers those names with `find_spec` and hands them to spyne's own
importer, so spyne's six stays exactly as shipped. On 3.11 it comes first in `sys.meta_path`
(spyne appends its importer later), so all three versions import the moves the same way.

Python 3.13 removed `cgi` (spyne.server.http imports it); the `legacy-cgi` distribution,
a dependency on 3.13+, installs the same module under that name.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any, Sequence

SIX = "spyne.util.six"


class _SixMovesLoader(importlib.abc.Loader):
    """One `spyne.util.six.moves...` name, resolved by spyne's importer (load_module)."""

    def __init__(self, importer: Any) -> None:
        self.importer = importer
        self.own_spec: ModuleSpec | None = None

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        module: ModuleType = self.importer.load_module(spec.name)
        # A moved name resolves to the real module (`collections.abc`, `http.cookies`), which
        # the import system is about to give this alias's spec: keep its own to put back.
        self.own_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        if self.own_spec is not None:
            module.__spec__ = self.own_spec


class _SixMovesFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if not fullname.startswith(SIX + ".moves"):
            return None
        # The import system loaded the parent `spyne.util.six` before asking for its child.
        importer = sys.modules[SIX]._importer
        if fullname not in importer.known_modules:
            return None
        return importlib.util.spec_from_loader(fullname, _SixMovesLoader(importer))


sys.meta_path.append(_SixMovesFinder())
