"""`callfire-bridge compare`: replay v1.1 requests against two services and report the differences.

Exit status: 0 no unexplained difference, 1 differences (or a request one side could not answer
comparably), 2 usage or connection error.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from bridge.compare import rules
from bridge.compare.model import Outcome
from bridge.compare.replay import Options, Target, Unreachable, check_reachable, replay
from bridge.compare.reports import print_summary, to_json, to_junit
from bridge.compare.scenario import Request, ScenarioError, load

USAGE_ERROR = 2


def add_parser(commands: argparse._SubParsersAction) -> None:
    compare = commands.add_parser(
        "compare", help="replay v1.1 requests against two v1.1 services and diff the answers",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    compare.add_argument("scenarios", nargs="+", metavar="SCENARIO", type=Path,
                         help="a YAML file (operation + fields) or a directory of raw SOAP envelopes (*.xml)")
    compare.add_argument("--primary", required=True, metavar="URL",
                         help="the reference service's base URL (e.g. https://www.callfire.com)")
    compare.add_argument("--candidate", required=True, metavar="URL", help="the service under test (e.g. the bridge)")
    compare.add_argument("--primary-auth", metavar="USER:PASS",
                         help="Basic credentials for the primary (default: $CALLFIRE_COMPARE_PRIMARY_AUTH)")
    compare.add_argument("--candidate-auth", metavar="USER:PASS",
                         help="Basic credentials for the candidate (default: $CALLFIRE_COMPARE_CANDIDATE_AUTH, "
                              "else the primary's)")
    compare.add_argument("--soap", choices=("1.1", "1.2"), default="1.2", help="SOAP version of the envelopes sent")
    compare.add_argument("--ignore", action="append", default=[], metavar="PATH",
                         help="leave out differences at PATH (e.g. Call/Modified, /CallQueryResult/TotalResults)")
    compare.add_argument("--allow-writes", action="store_true",
                         help="also replay operations that change data, once per target with its own RequestId")
    compare.add_argument("--noise", action="store_true",
                         help="send each read twice to the primary; fields that differ between the two are noise")
    compare.add_argument("--v2", action="store_true",
                         help="also fetch the v2 data behind each candidate answer (the candidate must be the bridge) "
                              "and show every v1.1 field beside the v2 field and value it came from")
    compare.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one answer (default 60)")
    compare.add_argument("--report-json", type=Path, metavar="FILE")
    compare.add_argument("--report-html", type=Path, metavar="FILE")
    compare.add_argument("--junit", type=Path, metavar="FILE")


def _auth(value: str | None, variable: str) -> tuple[str, str] | None:
    value = value or os.environ.get(variable) or None
    if value is None:
        return None
    user, colon, password = value.partition(":")
    if not colon:
        raise ScenarioError("credentials are USER:PASS")
    return user, password


def run(args: argparse.Namespace) -> int:
    err = Console(stderr=True)
    try:
        requests: list[Request] = [r for path in args.scenarios for r in load(path)]
        primary = Target(args.primary, _auth(args.primary_auth, "CALLFIRE_COMPARE_PRIMARY_AUTH"))
        candidate = Target(args.candidate, _auth(args.candidate_auth, "CALLFIRE_COMPARE_CANDIDATE_AUTH") or primary.auth)
    except ScenarioError as exc:
        err.print(f"compare: {exc}", markup=False, highlight=False)
        return USAGE_ERROR
    options = Options(soap=args.soap, rules=rules().with_ignore(args.ignore), allow_writes=args.allow_writes,
                      noise=args.noise, timeout=args.timeout)
    with httpx.Client(timeout=args.timeout) as client:
        if args.v2:
            options.enrich = _v2_enricher(candidate, client)
        try:
            check_reachable(client, primary, "primary")
            check_reachable(client, candidate, "candidate")
        except Unreachable as exc:
            err.print(f"compare: {exc}", markup=False, highlight=False)
            return USAGE_ERROR
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err, transient=True) as progress:
            task = progress.add_task("comparing", total=len(requests))

            def advance(outcome: Outcome) -> None:
                progress.update(task, advance=1, description=f"{outcome.operation} {outcome.name}"[:40])

            report = replay(requests, primary, candidate, options, client, advance)
    print_summary(report, Console(width=None if sys.stdout.isatty() else 160))
    for path, render in ((args.report_json, to_json), (args.junit, to_junit), (args.report_html, _html)):
        if path is not None:
            path.write_text(render(report), encoding="utf-8")
    unanswered = [o for o in report.outcomes if o.error and (o.primary is None or o.primary.status is None
                                                             or o.candidate is None or o.candidate.status is None)]
    if unanswered:
        err.print(f"compare: {len(unanswered)} request(s) got no answer; first: {unanswered[0].error}",
                  markup=False, highlight=False)
        return USAGE_ERROR
    return report.exit_code


def _html(report) -> str:
    from bridge.compare.html import to_html
    return to_html(report)


def _v2_enricher(candidate: Target, client: httpx.Client):
    from bridge.compare.v2view import V2ViewError, v2_view

    def enrich(request: Request, outcome: Outcome) -> None:
        try:
            outcome.v2_view = v2_view(outcome.operation, outcome.request.encode(), outcome.candidate.body.encode(),
                                      bridge_url=candidate.url, auth=candidate.auth, client=client)
        except V2ViewError as exc:  # the comparison itself stands; the view says why it is missing
            outcome.v2_view = [{"v1": "", "value": None, "v2": "", "v2_value": None, "converted": None,
                                "agrees": None, "why": f"no v1.1 <-> v2 view: {exc}", "row": None}]
    return enrich
