"""Side-by-side comparison of two v1.1 services' answers (`callfire-bridge compare`, `serve --shadow`).

It sits beside the serving path, not in it: it reads answers as a client does and explains their
differences from the same mapping tables the bridge runs on.
"""
from __future__ import annotations

from bridge.compare.diff import Rules, diff, plain, rules
from bridge.compare.labels import explain
from bridge.compare.model import Difference
from bridge.compare.normalize import answer_tree


def compare_answers(operation: str, primary: bytes, candidate: bytes, rules: Rules,
                    noise: frozenset[str] = frozenset()) -> list[Difference]:
    """The differences between two SOAP answers to the same request, each explained where a mapping
    row or a rule expects it; `noise`: plain paths at which the primary disagreed with itself.
    Raises normalize.NotSoap when either answer is not a SOAP envelope."""
    found = diff(answer_tree(primary), answer_tree(candidate), rules)
    for difference in found:
        if plain(difference.path) in noise:
            difference.noise = True
        else:
            explain(operation, difference, rules)
    return found


def noise_paths(first: bytes, second: bytes, rules: Rules) -> frozenset[str]:
    """Where two answers of the primary to the same request differ (Diffy's noise): plain paths."""
    return frozenset(plain(d.path) for d in diff(answer_tree(first), answer_tree(second), rules))


__all__ = ["compare_answers", "noise_paths", "rules"]
