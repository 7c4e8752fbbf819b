"""Injected upstream faults (`/__sim/faults`): the unlucky network and the odd v2 answer, on demand.

A fault matches requests by method and path pattern (fnmatch: `*` matches any characters, `/`
included) and optionally one login, fires with a probability and at most `count` times, and is
one of KINDS.  Some kinds stop the request before the simulator acts on it (nothing is created),
others let it act and then spoil the answer (a create happened, the client cannot tell):

| kind            | acts? | what the client sees |
|-----------------|-------|----------------------|
| latency         | yes   | the real answer, `seconds` late |
| status          | no    | `status` with a v2 ErrorResponse (`retry_after`: a Retry-After header); `after: true` acts first |
| reset           | no    | the connection drops after the first byte of the answer |
| timeout         | no    | nothing for `seconds`, then the connection drops |
| created_timeout | yes   | as `timeout`, after acting (v2 created it, the answer never came) |
| truncated       | yes   | half the real answer, then the connection drops |
| not_json        | yes   | 200 with an HTML page |
| shape           | yes   | 200 with `body` (JSON, default `{}`; a string is sent as it is: "" an empty body) |

A dropped connection or a timeout is raised inside the answer as the httpx exception a client
would meet, so in process (httpx.WSGITransport) the bridge sees the same failure as over HTTP,
where waitress closes the connection once the answer has started (a reset, a truncated answer).
`timeout` in process needs no `seconds` (0: the exception at once); over HTTP give `seconds`
above the client's timeout (the client has given up before waitress answers 500).
"""
from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from bridge.sim.errors import SimError, bad_request

KINDS = ("latency", "status", "reset", "timeout", "created_timeout", "truncated", "not_json", "shape")
# Kinds that let the simulator act on the request before spoiling (or delaying) its answer.
ACTS = frozenset({"latency", "created_timeout", "truncated", "not_json", "shape"})
MAX_SECONDS = 600.0
HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"

StartResponse = Callable[..., Any]
Answer = Callable[[StartResponse], Iterable[bytes]]


@dataclass
class Fault:
    id: int
    kind: str
    method: str = "*"
    path: str = "/v2/*"
    login: str | None = None
    probability: float = 1.0
    count: int | None = None       # fires at most this many times; None: every time
    status: int = 503
    retry_after: str | None = None
    after: bool = False            # status: act first (a 5xx after v2 took effect)
    seconds: float = 0.0
    body: Any = field(default_factory=dict)
    hits: int = 0

    def matches(self, method: str, path: str, login: str | None) -> bool:
        return ((self.method == "*" or self.method == method) and fnmatch.fnmatchcase(path, self.path)
                and (self.login is None or self.login == login))

    @property
    def acts(self) -> bool:
        return self.kind in ACTS or (self.kind == "status" and self.after)


class Faults:
    """The simulator's fault table; thread-safe (faults fire outside the simulator's lock)."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1
        self._rng = rng or random.Random()

    def add(self, spec: object) -> Fault:
        fault = _parse(spec, self._next_id)
        with self._lock:
            self._faults.append(fault)
            self._next_id += 1
        return fault

    def clear(self, login: str | None = None) -> int:
        """Remove every fault (of one login's, when given); returns how many."""
        with self._lock:
            kept = [f for f in self._faults if login is not None and f.login != login]
            removed = len(self._faults) - len(kept)
            self._faults = kept
        return removed

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def pick(self, method: str, path: str, authorization: str) -> Fault | None:
        """The first fault that matches the request and fires this time (its count spent)."""
        if not path.startswith("/v2/"):
            return None  # the simulator's controls are never spoiled
        login = login_of(authorization)
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, path, login) or fault.count == 0:
                    continue
                if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                    continue
                fault.hits += 1
                if fault.count is not None:
                    fault.count -= 1
                return fault
        return None


def apply(fault: Fault, answer: Answer, start_response: StartResponse) -> Iterable[bytes]:
    """The WSGI answer to a request `fault` fired on; `answer(start_response)` acts on it."""
    if fault.kind == "latency":
        time.sleep(fault.seconds)
        return answer(start_response)
    if fault.kind == "status":
        if fault.after:
            _drain(answer)
        return _status(fault, start_response)
    if fault.kind in ("reset", "timeout", "created_timeout"):
        if fault.acts:
            _drain(answer)
        return _dropped(fault, start_response)
    status, headers, body = _captured(answer)
    if fault.kind == "truncated":
        return _truncated(status, headers, body, start_response)
    payload = HTML if fault.kind == "not_json" else (
        fault.body.encode() if isinstance(fault.body, str) else json.dumps(fault.body).encode())
    content_type = "text/html" if fault.kind == "not_json" else "application/json"
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(payload)))])
    return [payload]


def login_of(authorization: str) -> str | None:
    """The Basic login, unchecked (faults are scoped by it; the simulator authenticates later)."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(token, validate=True).decode().partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return None


def _status(fault: Fault, start_response: StartResponse) -> list[bytes]:
    body = json.dumps(SimError(fault.status, f"injected fault: {fault.status}").body()).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    if fault.retry_after is not None:
        headers.append(("Retry-After", fault.retry_after))
    start_response(f"{fault.status} Injected", headers)
    return [body]


def _dropped(fault: Fault, start_response: StartResponse) -> Iterator[bytes]:
    """An answer that never completes: a timeout after `seconds`, or a reset."""
    time.sleep(fault.seconds)
    if fault.kind != "reset":
        # Nothing answered: in process the client's read times out; over HTTP it gave up already.
        raise httpx.ReadTimeout("injected fault: no answer")
    # Over HTTP the connection must be closed, not answered 500: start an answer that promises more.
    start_response("200 OK", [("Content-Length", "64")])
    yield b"{"
    raise httpx.RemoteProtocolError("injected fault: connection reset")


def _truncated(status: str, headers: list[tuple[str, str]], body: bytes,
               start_response: StartResponse) -> Iterator[bytes]:
    kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
    start_response(status, kept + [("Content-Length", str(max(len(body), 2)))])
    yield body[:max(len(body) // 2, 1)]
    raise httpx.RemoteProtocolError("injected fault: answer cut short")


def _captured(answer: Answer) -> tuple[str, list[tuple[str, str]], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        seen.update(status=status, headers=headers)

    body = b"".join(answer(start_response))
    return seen["status"], seen["headers"], body


def _drain(answer: Answer) -> None:
    _captured(answer)


def _parse(spec: object, fault_id: int) -> Fault:
    if not isinstance(spec, dict):
        raise bad_request("body: a JSON object describing one fault")
    unknown = sorted(set(spec) - {"kind", "method", "path", "login", "probability", "count", "status",
                                  "retry_after", "after", "seconds", "body"})
    if unknown:
        raise bad_request(f"{unknown[0]}: not a fault field")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise bad_request(f"kind: one of {', '.join(KINDS)}")
    fault = Fault(fault_id, kind)
    for name, kinds in (("method", str), ("path", str), ("login", str), ("retry_after", (str, int)),
                        ("after", bool), ("probability", (int, float)), ("count", int),
                        ("status", int), ("seconds", (int, float))):
        if spec.get(name) is None:
            continue
        value = spec[name]
        if not isinstance(value, kinds) or (isinstance(value, bool) and name != "after"):
            raise bad_request(f"{name}: {value!r} has the wrong type")
        setattr(fault, name, str(value) if name == "retry_after" else value)
    if "body" in spec:
        fault.body = spec["body"]
    fault.method = fault.method.upper()
    if not 0 < fault.probability <= 1:
        raise bad_request("probability: in (0, 1]")
    if fault.count is not None and fault.count < 1:
        raise bad_request("count: at least 1")
    if not 400 <= fault.status <= 599:
        raise bad_request("status: an error status, 400..599")
    if not 0 <= fault.seconds <= MAX_SECONDS:
        raise bad_request(f"seconds: 0..{MAX_SECONDS:g}")
    return fault
