"""`explain`: the exact v2 HTTP request(s) the bridge would make for a v1.1 request, without
calling upstream.  It runs the serving path itself (spyne parsing, the mapping tables, the
pager's windows) and stops where the v2 client would start, so what it prints is what the
bridge sends."""
from __future__ import annotations

import io
import json
import json as jsonlib
import pprint
import shlex
from dataclasses import dataclass, field
from typing import Any

import httpx
from lxml import etree

from bridge.contract import SVC
from bridge.contract.variants import Contract
from bridge.errors import BridgeFault, FaultCode
from bridge.mappings import load
from bridge.runtime import Runtime
from bridge.soap.app import SoapEndpoint
from bridge.soap.envelope import SoapVersion
from bridge.soap.service import EXPLAIN_KEY, RUNTIME_KEY
from bridge.translate.convert import Upload
from bridge.translate.engine import V2Request

ENVELOPES = (SoapVersion.SOAP11.namespace, SoapVersion.SOAP12.namespace)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
# A dry run needs credentials to pass the serving path's check; nothing is sent anywhere.
EXPLAIN_CREDENTIALS = "Basic ZXhwbGFpbjpleHBsYWlu"


@dataclass(frozen=True)
class HttpCall:
    method: str
    path: str
    query: list[tuple[str, str]]
    json: Any = None
    form: dict[str, Any] | None = None  # multipart fields; a file as {filename, content_type, size}

    def url(self, base: str) -> str:
        from urllib.parse import urlencode
        query = f"?{urlencode(self.query)}" if self.query else ""
        return f"{base.rstrip('/')}{self.path}{query}"

    def curl(self, base: str) -> str:
        parts = ["curl", "-u", '"$CALLFIRE_LOGIN:$CALLFIRE_PASSWORD"']
        if self.method != "GET":
            parts += ["-X", self.method]
        parts.append(shlex.quote(self.url(base)))
        if self.json is not None:
            parts += ["-H", shlex.quote("Content-Type: application/json"),
                      "-d", shlex.quote(json.dumps(self.json, separators=(",", ":")))]
        for name, value in (self.form or {}).items():
            field = (f"{name}=@{value['filename']};type={value['content_type']}" if isinstance(value, dict)
                     else f"{name}={value}")
            parts += ["-F", shlex.quote(field)]
        return " ".join(parts)

    def httpx_code(self) -> str:
        args = [repr(self.path)]
        if self.query:
            args.append(f"params={self.query!r}")
        if self.json is not None:
            args.append(f"json={pprint.pformat(self.json, sort_dicts=False)}")
        if self.form is not None:
            files = {n: (v["filename"], f"open({v['filename']!r}, 'rb')", v["content_type"])
                     for n, v in self.form.items() if isinstance(v, dict)}
            data = {n: v for n, v in self.form.items() if not isinstance(v, dict)}
            if data:
                args.append(f"data={data!r}")
            args.append("files={" + ", ".join(f"{n!r}: ({f!r}, {o}, {t!r})" for n, (f, o, t) in files.items()) + "}")
        return f"response = client.{self.method.lower()}({', '.join(args)})"


@dataclass
class Explanation:
    operation: str
    calls: list[HttpCall]
    lossy: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)  # what the served contract changes in the answer

    def python(self, base: str) -> str:
        lines = ["import httpx", "",
                 f"client = httpx.Client(base_url={base!r}, auth=(CALLFIRE_LOGIN, CALLFIRE_PASSWORD))"]
        for call in self.calls:
            lines += [call.httpx_code(), "response.raise_for_status()"]
        return "\n".join(lines)

    def as_dict(self, base: str) -> dict[str, Any]:
        return {"operation": self.operation, "lossy": self.lossy, "notes": self.notes, "answer": self.answer,
                "requests": [{"method": c.method, "path": c.path, "query": c.query, "json": c.json,
                              **({"form": c.form} if c.form is not None else {}),
                              "url": c.url(base), "curl": c.curl(base)} for c in self.calls],
                "python": self.python(base)}


def envelope_for(document: bytes) -> bytes:
    """A SOAP envelope as given, or a bare v1.1 request element wrapped in a SOAP 1.2 one."""
    try:
        root = etree.fromstring(document, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise BridgeFault(FaultCode.BAD_REQUEST, f"not well-formed XML: {exc}") from None
    if etree.QName(root).namespace in ENVELOPES:
        return document
    if etree.QName(root).namespace is None:  # a bare element written without its namespace
        root = _in_namespace(root, SVC)
    body = etree.tostring(root)
    return (b'<env:Envelope xmlns:env="' + SoapVersion.SOAP12.namespace.encode() + b'"><env:Body>'
            + body + b"</env:Body></env:Envelope>")


def _in_namespace(element: etree._Element, namespace: str) -> etree._Element:
    copy = etree.Element(f"{{{namespace}}}{element.tag}", dict(element.attrib))
    copy.text = element.text
    for child in element:
        if isinstance(child.tag, str):
            copy.append(_in_namespace(child, namespace))
    return copy


class RecordingTransport(httpx.BaseTransport):
    """A v2 upstream for dry runs: records each request and answers as if v2 had endless data
    (full pages, a huge totalCount), so the pager asks for every page a real window needs."""

    UNBOUNDED = 2**31 - 1

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "GET":
            limit = int(request.url.params.get("limit", "1"))
            return httpx.Response(200, json={"items": [{} for _ in range(limit)], "totalCount": self.UNBOUNDED})
        if request.method == "POST":
            return httpx.Response(201, json={"id": 0})
        return httpx.Response(204)


def dry_run(document: bytes, runtime: Runtime, endpoint: SoapEndpoint | None = None
            ) -> tuple[V2Request, list[httpx.Request]]:
    """The serving path itself, its v2 client recording instead of sending: the plan it made
    and the v2 requests it would have sent (faults as BridgeFault)."""
    endpoint = endpoint or SoapEndpoint(runtime)
    recorder = RecordingTransport()
    payload = envelope_for(document)
    plans: list[V2Request] = []
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/1.1/soap12/call", "QUERY_STRING": "",
               "CONTENT_TYPE": "application/soap+xml; charset=utf-8", "CONTENT_LENGTH": str(len(payload)),
               "wsgi.input": io.BytesIO(payload), "wsgi.url_scheme": "http", "SERVER_NAME": "explain",
               "SERVER_PORT": "80", "HTTP_AUTHORIZATION": EXPLAIN_CREDENTIALS,
               EXPLAIN_KEY: plans, RUNTIME_KEY: runtime.dry_run_copy(recorder)}
    answer = b"".join(endpoint(environ, lambda status, headers, *exc: None))
    if plans and not _fault_info(answer):
        return plans[0], recorder.requests
    info = _fault_info(answer)
    if info is None:
        raise BridgeFault(FaultCode.BAD_REQUEST, "no v1.1 request element was found")
    raise BridgeFault(FaultCode(info.findtext(f"{{{SVC}}}FaultCode")), info.findtext(f"{{{SVC}}}Message") or "")


def _fault_info(answer: bytes) -> etree._Element | None:
    return etree.fromstring(answer, _PARSER).find(f".//{{{SVC}}}ServiceFaultInfo")


def explain(document: bytes, runtime: Runtime, endpoint: SoapEndpoint | None = None) -> Explanation:
    plan, requests = dry_run(document, runtime, endpoint)
    base_path = httpx.URL(runtime.upstream).path.rstrip("/")
    explanation = Explanation(plan.operation, [], list(plan.lossy),
                              answer=answer_losses(plan.operation, runtime.conv.contract))
    for request in requests:
        path, query = request.url.path.removeprefix(base_path), list(request.url.params.multi_items())
        if request.headers.get("Content-Type", "").startswith("multipart/form-data"):
            explanation.calls.append(HttpCall(request.method, path, query, form=form_of(plan)))
            continue
        body = jsonlib.loads(request.content) if request.content else None
        explanation.calls.append(HttpCall(request.method, path, query, body))
    if plan.match_nothing:
        explanation.notes.append("No v2 request: every value of a filter has no v2 counterpart, so the "
                                 "bridge answers an empty result (see the lossy notes).")
    if plan.fan_out:
        explanation.notes.append(f"{plan.fan_out[0]}: v2 filters on one number, so one query per number "
                                 "(each from offset 0), merged newest first.")
    if plan.paged and requests:
        explanation.notes.append(paging_note(runtime.settings.v2_page_size))
    if plan.bridge.get("request_id"):
        explanation.notes.append(f"RequestId {plan.bridge['request_id']!r}: if this account already used it, "
                                 "the bridge sends nothing and answers the first CreatedId.")
    if plan.bridge.get("scrub_duplicates"):
        explanation.notes.append("ScrubBroadcastDuplicates: repeated numbers were removed from recipients.")
    return explanation


def paging_note(most: int) -> str:
    """How the bridge pages a v2 finder (bridge.v2.client.fetch_range), for the request plan shown."""
    return (f"One v2 request for the whole window: limit = MaxResults + 1 (the one item more tells whether "
            f"more follow when v2 reports no totalCount), at most {most} (v2_page_size); a larger window "
            f"takes pages of {most}, the first alone, the rest concurrently. If v2 answers fewer items "
            "than asked while its totalCount says more exist, the bridge continues from there with the "
            "page size v2 used; it stops at v2's totalCount.")


def form_of(plan: V2Request) -> dict[str, Any]:
    """A multipart plan's fields as explain shows them: a file by its name, type and size."""
    return {name: {"filename": v.filename, "content_type": v.content_type, "size": len(v.content)}
            if isinstance(v, Upload) else v for name, v in (plan.body or {}).items()}


def answer_losses(operation: str, contract: Contract) -> list[str]:
    """From the tables: what the v1.1 answer of `operation` cannot show under `contract`
    (the 2014 contract lacks CallFire's later elements and values)."""
    if contract is Contract.LIVE:
        return []
    tables = load()
    out: list[str] = []
    seen: set[str] = set()
    pending = [row["entity"] for row in tables.operations[operation]["response_fields"] if "entity" in row]
    while pending:
        entity = pending.pop(0)
        if entity in seen:
            continue
        seen.add(entity)
        for row in tables.entities[entity]["fields"]:
            if row.get("contract") == "live":
                out.append(f"{entity}/{row['v1']} is not written: not in the 2014 contract (serve --contract live)")
                continue
            if "entity" in row:
                pending += [row["entity"], *row.get("entity_for", {}).values()]
            kind, _, table = row.get("convert", "").partition(":")
            if kind == "enum":
                out += [f"{entity}/{row['v1']}: v2 {v.v2} is written as {v.v1_2014} (2014 contract; {v.v1} live)"
                        for v in tables.enums[table].values if v.live_only and v.v2 and v.v1_2014]
    return out


def render_text(explanation: Explanation, base: str) -> str:
    """What `callfire-bridge explain` prints: copy-ready curl lines and httpx code."""
    lines = [f"{explanation.operation}: {len(explanation.calls)} v2 request(s)"]
    for number, call in enumerate(explanation.calls, 1):
        lines += ["", f"[{number}] {call.method} {call.url(base)}"]
        if call.json is not None:
            lines.append(json.dumps(call.json, indent=2))
        if call.form is not None:
            lines.append("multipart/form-data: " + json.dumps(call.form))
        lines.append(call.curl(base))
    if explanation.calls:
        lines += ["", "# Python (httpx)", explanation.python(base)]
    for title, items in (("Lossy", explanation.lossy), ("Notes", explanation.notes),
                         ("In the answer", explanation.answer)):
        if items:
            lines += ["", f"{title}:"] + [f"- {item}" for item in items]
    return "\n".join(lines)
