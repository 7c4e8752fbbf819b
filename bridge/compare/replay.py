"""Replays scenario requests against a primary and a candidate v1.1 service and compares the answers.

Reads are sent to both (and, with `noise`, twice to the primary first: the fields where the primary
disagrees with itself are reported as noise, Diffy's idea).  Writes (`effect: write` in
wsdl/operations.yaml) are never sent unless `allow_writes`, and then once per target, never twice to
the primary, each with its own RequestId so neither target mistakes it for the other's.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable

import httpx

from bridge.compare import compare_answers, noise_paths
from bridge.compare.diff import Rules
from bridge.compare.model import Answer, Outcome, Report
from bridge.compare.normalize import NotSoap
from bridge.compare.scenario import SOAP11, Request
from bridge.contract import PORTS

WSDL_PATH = "/api/1.1/wsdl/callfire-service-http-soap12.wsdl"
SEGMENTS = {service: segment for segment, service in PORTS.items()}  # CallService -> call


class Unreachable(RuntimeError):
    """A target that does not answer at all: compare stops with exit status 2."""


@dataclass(frozen=True)
class Target:
    url: str  # the service's base: its WSDL is at url + WSDL_PATH
    auth: tuple[str, str] | None = None

    def endpoint(self, request: Request) -> str:
        return f"{self.url.rstrip('/')}/api/1.1/soap12/{SEGMENTS[request.operation.port]}"


@dataclass
class Options:
    soap: str = "1.2"
    rules: Rules = field(default_factory=Rules)
    allow_writes: bool = False
    noise: bool = False
    timeout: float = 60.0
    # called with (request, outcome) after each comparison that got two answers: the v1.1 <-> v2 view
    enrich: Callable[[Request, Outcome], None] | None = None


def check_reachable(client: httpx.Client, target: Target, role: str) -> None:
    """Fetches the target's WSDL once, so a wrong URL is one clear message before anything is sent."""
    url = target.url.rstrip("/") + WSDL_PATH
    try:
        answer = client.get(url, auth=target.auth)
    except httpx.HTTPError as exc:
        raise Unreachable(f"the {role} at {target.url} cannot be reached: {exc}") from None
    if answer.status_code != 200 or b"definitions" not in answer.content[:2000]:
        raise Unreachable(f"the {role} at {target.url} does not serve the v1.1 WSDL at {url} "
                          f"(HTTP {answer.status_code})")


def send(client: httpx.Client, target: Target, request: Request, envelope: bytes, soap: str) -> Answer:
    version = request.soap or soap
    action = request.operation.soap_action
    headers = ({"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'} if version == SOAP11 else
               {"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'})
    started = time.perf_counter()
    try:
        answer = client.post(target.endpoint(request), content=envelope, headers=headers, auth=target.auth)
    except httpx.HTTPError as exc:
        return Answer(error=f"no answer from {target.url}: {type(exc).__name__}: {exc}",
                      elapsed_ms=(time.perf_counter() - started) * 1000)
    return Answer(answer.status_code, answer.text, (time.perf_counter() - started) * 1000)


def replay(requests: Iterable[Request], primary: Target, candidate: Target, options: Options,
           client: httpx.Client, progress: Callable[[Outcome], None] = lambda outcome: None) -> Report:
    report = Report(primary.url, candidate.url, options.soap, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    ignore=list(options.rules.ignore), noise=options.noise)
    for request in requests:
        outcome = _one(request, primary, candidate, options, client)
        if options.enrich is not None and outcome.status not in ("skipped", "error"):
            options.enrich(request, outcome)
        report.outcomes.append(outcome)
        progress(outcome)
    return report


def _one(request: Request, primary: Target, candidate: Target, options: Options, client: httpx.Client) -> Outcome:
    operation = request.operation
    outcome = Outcome(request.name, operation.name)
    if not operation.reads_only and not options.allow_writes:
        outcome.skipped = f"{operation.name} changes data: replayed only with --allow-writes"
        return outcome
    if operation.reads_only:
        envelopes = {role: request.envelope(options.soap) for role in ("primary", "candidate")}
    else:  # each target its own RequestId: a retry on one must not replay the other's
        run = uuid.uuid4().hex[:12]
        envelopes = {role: request.envelope(options.soap, f"urn:callfire-bridge:compare:{run}:{role}")
                     for role in ("primary", "candidate")}
    outcome.request = envelopes["primary"].decode("utf-8")
    outcome.primary = send(client, primary, request, envelopes["primary"], options.soap)
    noise: frozenset[str] = frozenset()
    if options.noise and operation.reads_only and outcome.primary.error is None:
        again = send(client, primary, request, envelopes["primary"], options.soap)
        if again.error is None:
            try:
                noise = noise_paths(outcome.primary.body.encode(), again.body.encode(), options.rules)
            except NotSoap:
                pass  # the comparison below names the problem
    outcome.candidate = send(client, candidate, request, envelopes["candidate"], options.soap)
    unanswered = [f"primary: {a.error}" if a is outcome.primary else f"candidate: {a.error}"
                  for a in (outcome.primary, outcome.candidate) if a.error]
    if unanswered:
        outcome.error = "; ".join(unanswered)
        return outcome
    try:
        outcome.differences = compare_answers(operation.name, outcome.primary.body.encode(),
                                              outcome.candidate.body.encode(), options.rules, noise)
    except NotSoap as exc:
        side = "primary" if _not_soap(outcome.primary) else "candidate"
        answer = outcome.primary if side == "primary" else outcome.candidate
        outcome.error = f"the {side} did not answer SOAP (HTTP {answer.status}): {exc}"
    return outcome


def _not_soap(answer: Answer) -> bool:
    from bridge.compare.normalize import answer_tree
    try:
        answer_tree(answer.body.encode())
    except NotSoap:
        return True
    return False
