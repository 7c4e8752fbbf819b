"""Shadow mode (`serve --shadow URL`): the bridge answers every client itself and, in the background,
sends the same read to another v1.1 service, compares the two answers and records the outcome.

The other side (CallFire's own v1.1, or `callfire-bridge sim --legacy`) is the reference: it is the
`primary` of each outcome and the bridge the `candidate`, so /compare and its exports read like
`callfire-bridge compare --primary SHADOW --candidate BRIDGE`.

Never slowing or failing the client's call:
- the middleware keeps references to the request bytes the endpoint reads and to the chunks the
  bridge returns, nothing more, and hands them over when the server closes the response (the body
  has been sent);
- the hand-over is a non-blocking put on a bounded queue; a full queue drops the read and counts it;
- sending, comparing and recording run in daemon threads of each worker process; an exception there
  is logged (operation and exception type, never a header or a URL's credentials) and counted.
Only operations with `effect: read` (WsdlOperation.reads_only) are shadowed, and only answers that
are SOAP (HTTP 200, or a 500 fault): the bridge's HTTP-level refusals (401, 405, 413) are not.
The shadow side gets the client's own envelope, Content-Type, SOAPAction and path, and its
Authorization header unless `shadow_auth` replaces it; the header lives in memory until sent.
"""
from __future__ import annotations

import io
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from lxml import etree

from bridge.compare import compare_answers, rules
from bridge.compare.model import ERROR, Answer, Outcome
from bridge.compare.normalize import NotSoap
from bridge.compare.record import DROPPED
from bridge.store import factory
from bridge.config import Settings
from bridge.contract import WsdlOperation, operation_for_request
from bridge.soap.envelope import SoapVersion, detect_version

log = logging.getLogger("bridge.shadow")
SENDERS = 2  # threads per worker process sending to the shadow side
IDLE_FLUSH = 1.0  # seconds: an idle sender adds pending counts (drops) to the record this often
SHADOWED_STATUSES = (200, 500)  # a SOAP answer or a SOAP fault
FORWARDED = {"CONTENT_TYPE": "Content-Type", "HTTP_SOAPACTION": "SOAPAction", "HTTP_AUTHORIZATION": "Authorization"}
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False}
StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Read:
    """One client read, as handed to the sender threads."""

    operation: WsdlOperation
    path: str  # the client's path (/api/1.1/soap12/call): the same port on the shadow side
    request: bytes
    headers: dict[str, str]  # Content-Type, SOAPAction, Authorization: in memory only
    status: int  # the bridge's HTTP status
    answer: list[bytes]  # the bridge's answer, as the chunks it returned
    arrived: str  # ISO instant, the outcome's name
    elapsed_ms: float  # the bridge's time to answer the client


def display_url(url: str) -> str:
    """The URL without credentials in it (http://user:pass@host), for pages, reports and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc)).rstrip("/")


def requested_operation(request: bytes) -> WsdlOperation | None:
    """The operation of a SOAP request, from its Body's first element (parsing stops there: an
    upload of megabytes costs no more than a GetCall)."""
    try:
        for _, element in etree.iterparse(io.BytesIO(request), events=("start",), **_PARSER_OPTIONS):
            parent = element.getparent()
            if parent is not None and etree.QName(parent).localname == "Body" and parent.getparent() is not None:
                return operation_for_request(element.tag)
    except etree.XMLSyntaxError:
        pass
    return None


def shadowed_operation(request: bytes, status: int) -> WsdlOperation | None:
    """The read to send to the shadow side, if this request and the bridge's answer make one."""
    operation = requested_operation(request) if status in SHADOWED_STATUSES else None
    if operation is None or not operation.reads_only or b"<!DOCTYPE" in request:
        return None  # a DTD: the bridge refused the request, the shadow side is not sent it either
    return operation


def soap_version(read: Read) -> str:
    version = detect_version(read.headers.get("Content-Type", ""), read.request[:2048])
    return "1.2" if version is SoapVersion.SOAP12 else "1.1"


def without_header(request: bytes) -> str:
    """The envelope as kept in the record: its SOAP Header (WS-Security's password) left out."""
    if b"Header" in request:
        try:
            root = etree.fromstring(request, etree.XMLParser(**_PARSER_OPTIONS))
            for header in root.findall("{*}Header"):
                root.remove(header)
            return etree.tostring(root, encoding="unicode")
        except etree.XMLSyntaxError:
            return ""
    return request.decode("utf-8", "replace")


class Shadow:
    """The queue, the sender threads and the record of one worker process."""

    def __init__(self, url: str, record: factory.Shadow, *, auth: tuple[str, str] | None = None,
                 queue_size: int = 256, timeout: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.record = record
        self.auth = auth
        self.timeout = timeout
        self.rules = rules()
        self.queue: queue.Queue[Read] = queue.Queue(maxsize=queue_size)
        self._pending: Counter = Counter()  # (operation, status) counted by request threads, not yet recorded
        self._lock = threading.Lock()
        self._senders: list[threading.Thread] = []
        self._failing = False  # the shadow side stopped answering (logged once, until it answers again)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Shadow":
        auth = None
        if settings.shadow_auth:
            user, _, password = settings.shadow_auth.partition(":")
            auth = (user, password)
        return cls(settings.shadow or "", factory.shadow_record(settings),
                   auth=auth, queue_size=settings.shadow_queue, timeout=settings.shadow_timeout)

    @property
    def name(self) -> str:
        return display_url(self.url)

    def submit(self, read: Read) -> None:
        """Queue a read for the shadow side without ever waiting; a full queue drops and counts it."""
        self._start()
        try:
            self.queue.put_nowait(read)
        except queue.Full:
            self.count_later(read.operation.name, DROPPED)

    def count_later(self, operation: str, status: str) -> None:
        """Counted in memory here, added to the record by a sender thread (no SQLite on the client's thread)."""
        with self._lock:
            self._pending[(operation, status)] += 1

    def _start(self) -> None:
        """Senders start on first use, in the worker process that uses them (after gunicorn's fork)."""
        if self._senders:
            return
        with self._lock:
            if not self._senders:
                self._senders = [threading.Thread(target=self._send_forever, name=f"shadow-{n}", daemon=True)
                                 for n in range(SENDERS)]
                for thread in self._senders:
                    thread.start()

    def _send_forever(self) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while True:
                try:
                    read = self.queue.get(timeout=IDLE_FLUSH)
                except queue.Empty:
                    self._flush()
                    continue
                try:
                    outcome = self.compare(client, read)
                    self.record.add(outcome, soap_version(read))
                except Exception as exc:  # noqa: BLE001 - the shadow path must never stop or reach the client
                    log.error("shadow: %s while comparing %s", type(exc).__name__, read.operation.name)
                    self.count_later(read.operation.name, ERROR)
                self._flush()

    def _flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
        if not pending:
            return
        try:
            self.record.count(pending)
        except Exception as exc:  # noqa: BLE001 - a busy or broken record file: keep the counts for later
            log.error("shadow: %s while recording counts", type(exc).__name__)
            with self._lock:
                self._pending.update(pending)

    def compare(self, client: httpx.Client, read: Read) -> Outcome:
        """Send one read to the shadow side and compare its answer (primary) with the bridge's (candidate)."""
        answer = b"".join(read.answer)
        outcome = Outcome(read.arrived, read.operation.name, request=without_header(read.request),
                          candidate=Answer(read.status, answer.decode("utf-8", "replace"), read.elapsed_ms))
        outcome.primary = self._send(client, read)
        if outcome.primary.error:
            outcome.error = f"shadow side: {outcome.primary.error}"
            return outcome
        try:
            outcome.differences = compare_answers(read.operation.name, outcome.primary.body.encode(), answer,
                                                  self.rules)
        except NotSoap as exc:
            outcome.error = f"no comparable answer (shadow side HTTP {outcome.primary.status}): {exc}"
        return outcome

    def _send(self, client: httpx.Client, read: Read) -> Answer:
        headers = dict(read.headers)
        if self.auth is not None:
            headers.pop("Authorization", None)
        started = time.perf_counter()
        try:
            reply = client.post(self.url + read.path, content=read.request, headers=headers, auth=self.auth)
        except httpx.HTTPError as exc:
            if not self._failing:
                log.warning("shadow: no answer from %s (%s); counted as shadow errors at /compare",
                            self.name, type(exc).__name__)
                self._failing = True
            return Answer(error=f"no answer from {self.name}: {type(exc).__name__}",
                          elapsed_ms=(time.perf_counter() - started) * 1000)
        if self._failing:
            log.warning("shadow: %s answers again", self.name)
            self._failing = False
        return Answer(reply.status_code, reply.text, (time.perf_counter() - started) * 1000)


class ShadowMiddleware:
    """WSGI middleware around the SOAP endpoint: the client's call passes through untouched."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]], shadow: Shadow) -> None:
        self.app = app
        self.shadow = shadow

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        arrived, started = datetime.now(timezone.utc), time.perf_counter()
        recording = _RecordingInput(environ["wsgi.input"])
        seen: list[str] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            seen.append(status)
            return start_response(status, headers, exc_info)

        def hand_over(answer: list[bytes]) -> None:
            try:
                status = int(seen[-1].split()[0]) if seen else 0
                request = b"".join(recording.chunks)
                operation = shadowed_operation(request, status)
                if operation is None:
                    return
                headers = {name: environ[key] for key, name in FORWARDED.items() if environ.get(key)}
                self.shadow.submit(Read(operation, environ.get("PATH_INFO", ""), request, headers, status, answer,
                                        arrived.isoformat(timespec="milliseconds"),
                                        (time.perf_counter() - started) * 1000))
            except Exception as exc:  # noqa: BLE001 - never the client's problem
                log.error("shadow: %s while queueing a read", type(exc).__name__)
                self.shadow.count_later("(unknown)", ERROR)

        return _Tee(self.app(dict(environ, **{"wsgi.input": recording}), capture), hand_over)


class _RecordingInput:
    """wsgi.input that remembers what was read from it (the endpoint reads the whole body once)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.chunks: list[bytes] = []

    def read(self, *size: int) -> bytes:
        data = self.stream.read(*size)
        self.chunks.append(data)
        return data

    def readline(self, *size: int) -> bytes:
        data = self.stream.readline(*size)
        self.chunks.append(data)
        return data


class _Tee:
    """The bridge's answer, passed on chunk by chunk; `done(chunks)` once the server closes it, and
    only if every chunk went out (a client that hung up mid-answer is not shadowed)."""

    def __init__(self, inner: Iterable[bytes], done: Callable[[list[bytes]], None]) -> None:
        self.inner = inner
        self.done = done
        self.chunks: list[bytes] = []
        self.complete = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.chunks.append(chunk)
            yield chunk
        self.complete = True

    def close(self) -> None:
        try:
            close = getattr(self.inner, "close", None)
            if close is not None:
                close()
        finally:
            if self.complete:
                self.done(self.chunks)
