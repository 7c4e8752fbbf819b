"""A comparison Report as JSON, as JUnit XML (one test case per request) and as a terminal table."""
from __future__ import annotations

import json

from lxml import etree
from rich.console import Console
from rich.table import Table

from bridge.compare.model import DIFFERENT, ERROR, EXPECTED, SAME, SKIPPED, Difference, Report


def to_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)


def describe(d: Difference) -> str:
    """One line per difference: path, both values, and the row or rule that explains it."""
    line = f"{d.path}: {d.kind}: primary {_shown(d.primary)}, candidate {_shown(d.candidate)}"
    if d.noise:
        return line + " [noise: the primary answered differently twice]"
    if d.explanation is not None:
        return line + f" [expected: {d.explanation.source} {d.explanation.row}: {d.explanation.note}]"
    if d.related:
        return line + f" [mapping rows: {', '.join(d.related)}]"
    return line


def _shown(value: str | None) -> str:
    return "(absent)" if value is None else repr(value)


def to_junit(report: Report) -> str:
    """Suites per operation; an unexplained difference is a failure, an unanswered request an error,
    a write left out a skip.  Expected differences and noise are kept in system-out."""
    suites = etree.Element("testsuites", name="callfire-bridge compare")
    for operation, counts in report.by_operation().items():
        outcomes = [o for o in report.outcomes if o.operation == operation]
        suite = etree.SubElement(suites, "testsuite", name=operation, tests=str(len(outcomes)),
                                 failures=str(counts[DIFFERENT]), errors=str(counts[ERROR]),
                                 skipped=str(counts[SKIPPED]))
        for outcome in outcomes:
            case = etree.SubElement(suite, "testcase", classname=operation, name=outcome.name)
            if outcome.error:
                etree.SubElement(case, "error", message=outcome.error)
            elif outcome.skipped:
                etree.SubElement(case, "skipped", message=outcome.skipped)
            elif outcome.status == DIFFERENT:
                failing = [d for d in outcome.differences if d.unexplained]
                disagreeing = [r for r in outcome.v2_view if r.get("agrees") is False]
                failure = etree.SubElement(case, "failure", message=(
                    f"{len(failing)} unexplained difference(s)" if failing else
                    f"{len(disagreeing)} field(s) disagree with their v2 value"))
                failure.text = "\n".join([*(describe(d) for d in failing),
                                          *(f"{r['v1']}: {r.get('why', '')}" for r in disagreeing)])
            labelled = [describe(d) for d in outcome.differences if not d.unexplained]
            if labelled:
                etree.SubElement(case, "system-out").text = "\n".join(labelled)
    return etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


def print_summary(report: Report, console: Console) -> None:
    table = Table(title=f"{report.primary}  vs  {report.candidate}  (SOAP {report.soap})")
    for column in ("operation", "requests", SAME, EXPECTED, DIFFERENT, SKIPPED, ERROR, "pass rate"):
        table.add_column(column, justify="left" if column == "operation" else "right")
    for operation, counts in report.by_operation().items():
        compared = sum(counts[s] for s in (SAME, EXPECTED, DIFFERENT, ERROR))
        passed = counts[SAME] + counts[EXPECTED]
        rate = f"{100 * passed / compared:.0f}%" if compared else "-"
        table.add_row(operation, str(sum(counts.values())), *(str(counts[s]) for s in
                      (SAME, EXPECTED, DIFFERENT, SKIPPED, ERROR)), rate)
    console.print(table)
    for outcome in report.outcomes:
        if outcome.status in (DIFFERENT, ERROR):
            console.print(f"{outcome.operation} {outcome.name}: {outcome.error or outcome.status}", style="bold",
                          highlight=False, markup=False)
            for d in outcome.differences:
                if d.unexplained:
                    console.print("  " + describe(d), style="red", highlight=False, markup=False)
    totals = report.totals()
    console.print(f"{len(report.outcomes)} requests: {totals[SAME]} same, {totals[EXPECTED]} with expected "
                  f"differences only, {totals[DIFFERENT]} different, {totals[SKIPPED]} skipped, "
                  f"{totals[ERROR]} errors", highlight=False)
