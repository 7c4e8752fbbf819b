"""Two answers' trees -> the differences between them, path by path (rules: mappings/compare.yaml)."""
from __future__ import annotations

import fnmatch
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from bridge.compare.model import ELEMENT, EXTRA, MISSING, ORDER, VALUE, Difference
from bridge.compare.normalize import Leaf, Node
from bridge.config import MAPPINGS_DIR

_PREDICATE = re.compile(r"\[[^\]]*\]")


def plain(path: str) -> str:
    """`CallQueryResult/Call[@id=1]/State` -> `CallQueryResult/Call/State`: what patterns match."""
    return _PREDICATE.sub("", path)


def matches(pattern: str, path: str) -> bool:
    """A rule or --ignore path against a difference's path (see mappings/compare.yaml)."""
    steps = plain(path).split("/")
    wanted = pattern.strip("/").split("/")
    if pattern.startswith("/"):
        return len(steps) == len(wanted) and all(fnmatch.fnmatchcase(s, w) for s, w in zip(steps, wanted))
    return len(steps) >= len(wanted) and all(
        fnmatch.fnmatchcase(s, w) for s, w in zip(steps[-len(wanted):], wanted))


@dataclass(frozen=True)
class Rules:
    unordered: tuple[str, ...] = ()
    keys: tuple[tuple[str, str], ...] = ()  # (path, child whose value identifies the element)
    expected: tuple[tuple[str, str, str | None], ...] = ()  # (path, note, kind or None: any kind)
    ignore: tuple[str, ...] = ()  # --ignore: differences under these paths are not reported at all

    def with_ignore(self, paths: Iterable[str]) -> "Rules":
        return Rules(self.unordered, self.keys, self.expected, (*self.ignore, *paths))

    def ignored(self, path: str) -> bool:
        return any(matches(p, path) for p in self.ignore)

    def is_unordered(self, path: str) -> bool:
        return any(matches(p, path) for p in self.unordered)

    def key_child(self, path: str) -> str | None:
        return next((key for p, key in self.keys if matches(p, path)), None)

    def expected_note(self, path: str, kind: str) -> tuple[str, str] | None:
        return next(((p, note) for p, note, only in self.expected
                     if matches(p, path) and only in (None, kind)), None)


@cache
def rules(directory: Path = MAPPINGS_DIR) -> Rules:
    with (directory / "compare.yaml").open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return Rules(tuple(r["path"] for r in raw.get("unordered", ())),
                 tuple((r["path"], r["key"]) for r in raw.get("keys", ())),
                 tuple((r["path"], r["note"], r.get("kind")) for r in raw.get("expected", ())))


def diff(primary: Node, candidate: Node, rules: Rules) -> list[Difference]:
    out: list[Difference] = []
    if primary.name != candidate.name:
        out.append(Difference(primary.name, ELEMENT, _summary(primary), _summary(candidate)))
    else:
        _diff_node(primary, candidate, primary.name, rules, out)
    return out


def _diff_node(p: Node, c: Node, path: str, rules: Rules, out: list[Difference]) -> None:
    if rules.ignored(path):
        return
    for name in sorted(set(p.attrs) | set(c.attrs)):
        _diff_leaf(p.attrs.get(name), c.attrs.get(name), f"{path}/@{name}", rules, out)
    if p.text is not None or c.text is not None:
        if p.text is None or c.text is None or not p.text.same(c.text):
            out.append(Difference(path, VALUE, _raw(p.text), _raw(c.text)))
    _diff_children(p.children, c.children, path, rules, out)


def _diff_leaf(p: Leaf | None, c: Leaf | None, path: str, rules: Rules, out: list[Difference]) -> None:
    if rules.ignored(path) or (p is not None and c is not None and p.same(c)):
        return
    kind = MISSING if c is None else EXTRA if p is None else VALUE
    out.append(Difference(path, kind, _raw(p), _raw(c)))


def _keyed(children: list[Node], path: str, rules: Rules, counts: Counter) -> list[tuple[tuple[str, str], Node]]:
    """Each child with its identity: (name, "[@id=..]" | "[Key=..]" | "[n]" | "").  `counts`: the most
    children of each name on either side (a position is written when either has several)."""
    seen: Counter = Counter()
    keyed = []
    for child in children:
        seen[child.name] += 1
        key_child = rules.key_child(f"{path}/{child.name}")
        identity = ""
        if child.key is not None:
            identity = f"[@id={child.key}]"
        elif key_child is not None:
            value = next((g.text.raw.strip() for g in child.children if g.name == key_child and g.text), "")
            identity = f"[{key_child}={value}]"
        elif counts[child.name] > 1:
            identity = f"[{seen[child.name]}]"
        keyed.append(((child.name, identity), child))
    return keyed


def _diff_children(primary: list[Node], candidate: list[Node], path: str, rules: Rules,
                   out: list[Difference]) -> None:
    unordered = {n.name for n in (*primary, *candidate) if rules.is_unordered(f"{path}/{n.name}")}
    for name in sorted(unordered):
        _diff_multiset([n for n in primary if n.name == name], [n for n in candidate if n.name == name],
                       f"{path}/{name}", rules, out)
    p_rest = [n for n in primary if n.name not in unordered]
    c_rest = [n for n in candidate if n.name not in unordered]
    counts = _most(p_rest, c_rest)
    p_keyed, c_keyed = _keyed(p_rest, path, rules, counts), _keyed(c_rest, path, rules, counts)
    p_index, c_index = dict(p_keyed), dict(c_keyed)
    for key, node in p_keyed:
        step = f"{path}/{key[0]}{key[1]}"
        if key in c_index:
            _diff_node(node, c_index[key], step, rules, out)
        elif not rules.ignored(step):
            out.append(Difference(step, MISSING, _summary(node), None))
    for key, node in c_keyed:
        step = f"{path}/{key[0]}{key[1]}"
        if key not in p_index and not rules.ignored(step):
            out.append(Difference(step, EXTRA, None, _summary(node)))
    _diff_order([key for key, _ in p_keyed if key in c_index and key[1]],
                [key for key, _ in c_keyed if key in p_index and key[1]], path, rules, out)


def _diff_order(p_order: list[tuple[str, str]], c_order: list[tuple[str, str]], path: str, rules: Rules,
                out: list[Difference]) -> None:
    """One ORDER difference per reordered name; one at the parent when only the interleaving of
    several names differs (a contact history's calls and texts)."""
    reordered = False
    for name in dict.fromkeys(name for name, _ in p_order):
        mine = [k for k in p_order if k[0] == name]
        theirs = [k for k in c_order if k[0] == name]
        if mine != theirs:
            reordered = True
            if not rules.ignored(f"{path}/{name}"):
                out.append(Difference(f"{path}/{name}", ORDER, _order(mine), _order(theirs)))
    if not reordered and p_order != c_order and not rules.ignored(path):
        out.append(Difference(path, ORDER, _order(p_order), _order(c_order)))


def _most(primary: list[Node], candidate: list[Node]) -> Counter:
    return Counter(n.name for n in primary) | Counter(n.name for n in candidate)  # | keeps the larger


def _diff_multiset(primary: list[Node], candidate: list[Node], path: str, rules: Rules,
                   out: list[Difference]) -> None:
    if rules.ignored(path):
        return
    left = list(primary)
    unmatched: list[Node] = []
    for node in candidate:
        twin = next((i for i, other in enumerate(left) if _fingerprint(other) == _fingerprint(node)), None)
        if twin is None:
            unmatched.append(node)
        else:
            left.pop(twin)
    parent = path.rpartition("/")[0]
    counts = _most(left, unmatched)
    p_keyed, c_keyed = dict(_keyed(left, parent, rules, counts)), dict(_keyed(unmatched, parent, rules, counts))
    for key, node in p_keyed.items():
        if key in c_keyed and key[1]:  # the same identity (an id or a key child): compare field by field
            _diff_node(node, c_keyed.pop(key), f"{path}{key[1]}", rules, out)
        else:
            out.append(Difference(f"{path}{key[1]}", MISSING, _summary(node), None))
    for key, node in c_keyed.items():
        out.append(Difference(f"{path}{key[1]}", EXTRA, None, _summary(node)))


def _fingerprint(node: Node) -> Any:
    return (node.name, tuple(sorted((k, repr(v.value)) for k, v in node.attrs.items())),
            repr(node.text.value) if node.text else None, tuple(_fingerprint(c) for c in node.children))


def _raw(leaf: Leaf | None) -> str | None:
    return None if leaf is None else leaf.raw


def _order(keys: list[tuple[str, str]], limit: int = 12) -> str:
    shown = [f"{name}{identity}" for name, identity in keys[:limit]]
    return ", ".join(shown) + (f", ... ({len(keys)} in all)" if len(keys) > limit else "")


def _summary(node: Node, limit: int = 200) -> str:
    """A short one-line rendering of a subtree, for a missing or extra element."""
    text = _render(node)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _render(node: Node) -> str:
    attrs = "".join(f' {k}="{v.raw}"' for k, v in node.attrs.items())
    inner = node.text.raw if node.text is not None else "".join(_render(c) for c in node.children)
    return f"<{node.name}{attrs}>{inner}</{node.name}>"
