"""A comparison Report as one self-contained HTML file (`compare --report-html`).

It opens offline: inline CSS, no script, no external fonts or images.  Every value comes from the
answers compared, so everything goes through Jinja2's autoescaping.  Per request: its differences
with the mapping row or rule that explains each, the two answers side by side (pretty-printed, the
differing elements highlighted), the request envelope and the v1.1 <-> v2 view.  A large answer is
cut at `SIDE_LIMIT` characters per side with a note; differences and disagreeing v2 rows never are.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from lxml import etree

from bridge.compare.model import DIFFERENT, ERROR, EXPECTED, SAME, SKIPPED, Difference, Outcome, Report

SIDE_LIMIT = 200_000  # characters of one pretty-printed answer shown side by side
V2_ROWS_LIMIT = 2_000  # v1.1 <-> v2 rows shown per request, besides every disagreeing one
STATUSES = (SAME, EXPECTED, DIFFERENT, SKIPPED, ERROR)

_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                         undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=True)
_STEP = re.compile(r"^(?P<name>[^\[]+)(?:\[(?P<predicate>[^\]]*)\])?$")


@dataclass
class Line:
    text: str
    marked: bool = False


@dataclass
class Text:
    """A pretty-printed document, its lines marked where a difference lies; cut at SIDE_LIMIT."""

    lines: list[Line] = field(default_factory=list)
    cut: str = ""  # the note when it was cut


@dataclass
class Rate:
    operation: str
    counts: dict[str, int]
    requests: int
    rate: str


def to_html(report: Report) -> str:
    return _TEMPLATES.get_template("report.html").render(
        report=report, rates=rates(report), totals=report.totals(), statuses=STATUSES,
        outcomes=[_outcome(o) for o in report.outcomes], side_limit_kb=SIDE_LIMIT // 1000)


def rates(report: Report) -> list[Rate]:
    """Per operation: pass rate = (same + expected) / compared (skipped requests were not compared)."""
    out = []
    for operation, counts in report.by_operation().items():
        compared = sum(counts[s] for s in (SAME, EXPECTED, DIFFERENT, ERROR))
        passed = counts[SAME] + counts[EXPECTED]
        out.append(Rate(operation, {s: counts[s] for s in STATUSES}, sum(counts.values()),
                        f"{100 * passed / compared:.0f}%" if compared else "-"))
    return out


def _outcome(outcome: Outcome) -> dict[str, Any]:
    primary = outcome.primary.body if outcome.primary else ""
    candidate = outcome.candidate.body if outcome.candidate else ""
    shown, hidden = _v2_rows(outcome.v2_view)
    return {
        "o": outcome, "status": outcome.status, "open": outcome.status in (DIFFERENT, ERROR),
        "differences": [_difference(d) for d in outcome.differences],
        "primary": _pretty(primary, [d.path for d in outcome.differences if d.primary is not None]),
        "candidate": _pretty(candidate, [d.path for d in outcome.differences if d.candidate is not None]),
        "request": _pretty(outcome.request, []),
        "v2_rows": shown, "v2_hidden": hidden,
        "v2_disagree": sum(1 for r in outcome.v2_view if r.get("agrees") is False),
    }


def _difference(d: Difference) -> dict[str, Any]:
    if d.noise:
        label, kind = "noise: the primary answered differently twice", "noise"
    elif d.explanation is not None:
        label, kind = "expected", "expected"
    else:
        label, kind = "unexplained", "unexplained"
    return {"d": d, "label": label, "class": kind}


def _v2_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The first V2_ROWS_LIMIT rows plus every disagreeing one after them; how many were left out."""
    shown = [r for i, r in enumerate(rows) if i < V2_ROWS_LIMIT or r.get("agrees") is False]
    return shown, len(rows) - len(shown)


def _pretty(document: str, paths: list[str]) -> Text:
    """The document pretty-printed (as sent when it is not XML), the elements at `paths` marked."""
    if not document:
        return Text()
    marked: set[int] = set()
    try:
        root = etree.fromstring(document.encode("utf-8"), _PARSER)
        pretty = etree.tostring(root, pretty_print=True, encoding="unicode")
        reread = etree.fromstring(pretty.encode("utf-8"), _PARSER)
        answer = _answer_element(reread)
        for path in paths:
            element = _find(answer, path) if answer is not None else None
            if element is not None:
                marked.update(range(element.sourceline, _last_line(element) + 1))
    except (etree.XMLSyntaxError, ValueError):
        pretty = document
    cut = ""
    if len(pretty) > SIDE_LIMIT:
        end = pretty.rfind("\n", 0, SIDE_LIMIT)
        cut = (f"Showing the first {end // 1000} KB of {len(pretty) // 1000} KB: the rest is left out of the "
               "report. Every difference is listed above.")
        pretty = pretty[:end]
    return Text([Line(text, number in marked) for number, text in enumerate(pretty.split("\n"), 1)], cut)


def _answer_element(root: etree._Element) -> etree._Element | None:
    """The Body's child (the answer or the Fault): where difference paths start."""
    body = next((child for child in root if isinstance(child.tag, str) and etree.QName(child).localname == "Body"), None)
    if body is None:
        return None
    return next((child for child in body if isinstance(child.tag, str)), None)


def _find(element: etree._Element, path: str) -> etree._Element | None:
    """The element a difference path names (`CallQueryResult/Call[@id=9652]/State`, `.../@id`:
    its element), as far as it exists on this side."""
    steps = path.split("/")
    if etree.QName(element).localname != _STEP.match(steps[0]).group("name"):
        return element  # a Fault against an answer: the whole answer differs
    for step in steps[1:]:
        if step.startswith("@"):
            return element
        match = _STEP.match(step)
        if match is None:
            return None
        name, predicate = match.group("name"), match.group("predicate")
        children = [c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == name]
        element = _pick(children, predicate)
        if element is None:
            return None
    return element


def _pick(children: list[etree._Element], predicate: str | None) -> etree._Element | None:
    if not predicate:
        return children[0] if children else None
    if predicate.isdigit():
        index = int(predicate) - 1
        return children[index] if index < len(children) else None
    key, _, value = predicate.partition("=")
    for child in children:
        if key.startswith("@") and child.get(key[1:], "").strip() == value:
            return child
        if not key.startswith("@") and any(etree.QName(g).localname == key and (g.text or "").strip() == value
                                           for g in child if isinstance(g.tag, str)):
            return child
    return None


def _last_line(element: etree._Element) -> int:
    """The line of the element's end tag in the pretty-printed text."""
    children = [child for child in element if isinstance(child.tag, str)]
    return element.sourceline if not children else _last_line(children[-1]) + 1
