"""GET /compare: what shadow mode (`serve --shadow URL`) has found, and its exports.

    GET /compare                        counters, pass rates per operation, the recent outcomes and
                                        their differences; ?different=1 and ?op=Operation narrow them
    GET /compare/report.{json,xml,html} the kept outcomes as `callfire-bridge compare` writes them
                                        (JSON, JUnit XML: bridge.compare.reports; the self-contained
                                        HTML report: bridge.compare.html), with the page's filters

The record is shared by every worker (bridge.compare.record), so any worker serves the same page.
Plain HTML: the filters are a GET form; nothing needs JavaScript.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import urlencode

from bridge.compare.html import to_html
from bridge.compare.model import DIFFERENT, ERROR, EXPECTED, SAME, Difference, Report
from bridge.compare.record import DROPPED, Stored
from bridge.compare.reports import to_json, to_junit
from bridge.compare.shadow import Shadow
from bridge.web.respond import REPORT_POLICY, StartResponse, html, not_allowed, query, root, send

SHOWN = 100  # outcomes on the page; the exports carry every kept one
EXPORTS = {"json": ("application/json", to_json), "xml": ("application/xml; charset=utf-8", to_junit),
           "html": ("text/html; charset=utf-8", to_html)}


@dataclass(frozen=True)
class OperationRow:
    operation: str
    counts: Counter

    @property
    def compared(self) -> int:
        return sum(self.counts[s] for s in (SAME, EXPECTED, DIFFERENT))

    @property
    def pass_rate(self) -> str:
        """Same or expected among the compared; shadow errors and drops say nothing of the bridge."""
        return f"{100 * (self.counts[SAME] + self.counts[EXPECTED]) / self.compared:.0f}%" if self.compared else "–"


@dataclass(frozen=True)
class Filters:
    different: bool
    operation: str

    @classmethod
    def parse(cls, environ: dict[str, Any]) -> "Filters":
        params = query(environ)
        return cls(params.get("different") == "1", params.get("op", ""))

    @property
    def statuses(self) -> tuple[str, ...]:
        return (DIFFERENT,) if self.different else ()

    @property
    def query_string(self) -> str:
        params = {**({"different": "1"} if self.different else {}), **({"op": self.operation} if self.operation else {})}
        return "?" + urlencode(params) if params else ""


def explanation_of(d: Difference) -> str:
    """The words beside a difference; the template links the mapping row when there is one."""
    if d.noise:
        return "noise: the shadow side answered differently twice"
    if d.explanation is not None:
        return f"expected: {d.explanation.row} ({d.explanation.source}): {d.explanation.note}"
    return "unexplained"


def compare_page(environ: dict[str, Any], start_response: StartResponse, shadow: Shadow | None) -> Iterable[bytes]:
    if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
        return not_allowed(start_response, "GET")
    if shadow is None:
        return html(start_response, "200 OK", "compare.html", root=root(environ), nav="compare", shadow=None)
    filters = Filters.parse(environ)
    counts = shadow.record.counts()
    totals = counts.totals()
    outcomes = shadow.record.recent(SHOWN, statuses=filters.statuses, operation=filters.operation)
    return html(start_response, "200 OK", "compare.html", root=root(environ), nav="compare", shadow=shadow.name,
                started=shadow.record.started(), filters=filters, outcomes=outcomes, shown=SHOWN,
                operations=[OperationRow(name, c) for name, c in counts.by_operation.items()],
                totals={"compared": totals[SAME] + totals[EXPECTED] + totals[DIFFERENT], SAME: totals[SAME],
                        EXPECTED: totals[EXPECTED], DIFFERENT: totals[DIFFERENT], DROPPED: totals[DROPPED],
                        "shadow errors": totals[ERROR]},
                explanation_of=explanation_of)


def compare_report(environ: dict[str, Any], start_response: StartResponse, shadow: Shadow | None,
                   file_type: str, bridge_url: str) -> Iterable[bytes]:
    if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
        return not_allowed(start_response, "GET")
    if shadow is None or file_type not in EXPORTS:
        reason = b"shadow mode is off: serve --shadow URL\n" if shadow is None else b"no such report\n"
        return send(start_response, "404 Not Found", "text/plain; charset=utf-8", reason)
    filters = Filters.parse(environ)
    stored = shadow.record.recent(statuses=filters.statuses, operation=filters.operation)
    content_type, render = EXPORTS[file_type]
    body = render(report_of(stored, shadow, bridge_url)).encode()
    return send(start_response, "200 OK", content_type, body,
                [("Content-Disposition", f'inline; filename="shadow-report.{file_type}"')], policy=REPORT_POLICY)


def report_of(stored: list[Stored], shadow: Shadow, bridge_url: str) -> Report:
    """The kept outcomes, oldest first, as the Report `compare --primary SHADOW --candidate BRIDGE` makes."""
    versions = sorted({s.soap for s in stored})
    return Report(primary=shadow.name, candidate=bridge_url, soap=", ".join(versions) or "-",
                  started=shadow.record.started(), outcomes=[s.outcome for s in reversed(stored)])
