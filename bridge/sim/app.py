"""The CallFire v2 simulator as a plain WSGI app: routing, auth, parameters, JSON.

All state lives behind one lock, so any number of server threads (and every bridge worker,
which share one simulator process) see one consistent CallFire.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

from bridge.sim import faults
from bridge.sim.broadcasts import BroadcastQuery
from bridge.sim.clock import SimClock
from bridge.sim.errors import SimError, bad_request, not_found
from bridge.sim.number_routes import NUMBER_ROUTES, NumberEndpoints
from bridge.sim.seed import build_seed
from bridge.sim.sounds import Audio, form_summary, read_form, recording_audio
from bridge.sim.state import Account, Accounts, ActionQuery
from bridge.sim import webhooks
from bridge.sim.vocab import CALL_RESULTS, CALL_STATES, TEXT_RESULTS, TEXT_STATES, nanp_e164

# (method, path pattern, handler name). "{id}" matches a decimal id, "{kind}" calls or texts
# (the handler reads it as request.kind), "{name}" one path segment (request.name, decoded);
# anything else is literal.
ROUTES: tuple[tuple[str, str, str], ...] = (
    ("GET", "/v2/calls", "find_calls"),
    ("GET", "/v2/calls/{id}", "get_call"),
    ("GET", "/v2/texts", "find_texts"),
    ("GET", "/v2/texts/{id}", "get_text"),
    ("POST", "/v2/texts", "send_texts"),
    ("GET", "/v2/texts/auto-replys", "find_auto_replies"),
    ("POST", "/v2/texts/auto-replys", "create_auto_reply"),
    ("GET", "/v2/texts/auto-replys/{id}", "get_auto_reply"),
    ("DELETE", "/v2/texts/auto-replys/{id}", "delete_auto_reply"),
    ("GET", "/v2/{kind}/broadcasts", "find_broadcasts"),
    ("POST", "/v2/{kind}/broadcasts", "create_broadcast"),
    ("GET", "/v2/{kind}/broadcasts/{id}", "get_broadcast"),
    ("PUT", "/v2/{kind}/broadcasts/{id}", "update_broadcast"),
    ("POST", "/v2/{kind}/broadcasts/{id}/start", "start_broadcast"),
    ("POST", "/v2/{kind}/broadcasts/{id}/stop", "stop_broadcast"),
    ("POST", "/v2/{kind}/broadcasts/{id}/archive", "archive_broadcast"),
    ("GET", "/v2/{kind}/broadcasts/{id}/stats", "broadcast_stats"),
    ("GET", "/v2/{kind}/broadcasts/{id}/batches", "broadcast_batches"),
    ("POST", "/v2/{kind}/broadcasts/{id}/batches", "add_broadcast_batch"),
    ("POST", "/v2/{kind}/broadcasts/{id}/recipients", "add_broadcast_recipients"),
    ("GET", "/v2/calls/broadcasts/{id}/calls", "broadcast_actions"),
    ("GET", "/v2/texts/broadcasts/{id}/texts", "broadcast_actions"),
    ("GET", "/v2/campaigns/batches/{id}", "get_batch"),
    ("PUT", "/v2/campaigns/batches/{id}", "update_batch"),
    ("GET", "/v2/contacts/{id}", "get_contact"),
    ("GET", "/v2/contacts/{id}/history", "get_contact_history"),
    # sounds and recordings (bridge/sim/sounds.py); .mp3/.wav answer audio, not JSON
    ("GET", "/v2/campaigns/sounds", "find_sounds"),
    ("POST", "/v2/campaigns/sounds/files", "upload_sound"),
    ("POST", "/v2/campaigns/sounds/tts", "text_to_speech_sound"),
    ("POST", "/v2/campaigns/sounds/calls", "record_sound"),
    ("GET", "/v2/campaigns/sounds/{id}", "get_sound"),
    ("GET", "/v2/campaigns/sounds/{id}.mp3", "sound_mp3"),
    ("GET", "/v2/campaigns/sounds/{id}.wav", "sound_wav"),
    ("GET", "/v2/calls/recordings/{id}.mp3", "recording_mp3"),
    ("GET", "/v2/calls/{id}/recordings/{name}.mp3", "call_recording_mp3"),
    # contacts' writes and contact lists (bridge/sim/contacts.py)
    ("GET", "/v2/contacts", "find_contacts"),
    ("POST", "/v2/contacts", "create_contacts"),
    ("PUT", "/v2/contacts/{id}", "update_contact"),
    ("DELETE", "/v2/contacts/{id}", "delete_contact"),
    ("GET", "/v2/contacts/lists", "find_contact_lists"),
    ("POST", "/v2/contacts/lists", "create_contact_list"),
    ("POST", "/v2/contacts/lists/upload", "upload_contact_list"),
    ("GET", "/v2/contacts/lists/{id}", "get_contact_list"),
    ("DELETE", "/v2/contacts/lists/{id}", "delete_contact_list"),
    ("GET", "/v2/contacts/lists/{id}/items", "contact_list_items"),
    ("POST", "/v2/contacts/lists/{id}/items", "add_contact_list_items"),
    ("DELETE", "/v2/contacts/lists/{id}/items", "remove_contact_list_items"),
    # webhooks (bridge/sim/webhooks.py): the store and the signed sends
    ("GET", "/v2/webhooks", "find_webhooks"),
    ("POST", "/v2/webhooks", "create_webhook"),
    ("GET", "/v2/webhooks/resources", "webhook_resources"),
    ("GET", "/v2/webhooks/resources/{name}", "webhook_resource"),
    ("GET", "/v2/webhooks/{id}", "get_webhook"),
    ("PUT", "/v2/webhooks/{id}", "update_webhook"),
    ("DELETE", "/v2/webhooks/{id}", "delete_webhook"),
    # Simulator controls: not part of v2, no auth.
    ("POST", "/__sim/advance", "advance"),
    ("GET", "/__sim/requests", "requests"),
    ("POST", "/__sim/reset", "reset"),
    ("GET", "/__sim/health", "health"),
    # injected faults (bridge/sim/faults.py)
    ("GET", "/__sim/faults", "faults"),
    ("POST", "/__sim/faults", "add_fault"),
    ("DELETE", "/__sim/faults", "clear_faults"),
    *NUMBER_ROUTES,       # /numbers, /keywords, /orders (bridge/sim/number_routes.py)
)
REALM = 'Basic realm="CallFire API"'
INT64_MAX = 2**63 - 1
# The most items a finder answers a page. CallFire documents no maximum `limit`; 1000 is the
# largest page its samples show (and v1.1's MaxResults limit). Over it, a page holds this many
# and reports `limit` 1000, so a client asking for more must continue as with a real cap.
MAX_LIMIT = 1000
_REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 405: "Method Not Allowed", 415: "Unsupported Media Type",
            500: "Internal Server Error"}
log = logging.getLogger(__name__)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    raw_body: bytes
    content_type: str
    authorization: str = ""
    request_id: str = ""           # the caller's X-Request-Id, shown in /__sim/requests
    path_id: int | None = None
    kind: str = ""                 # "calls" | "texts" on /{kind}/broadcasts paths
    name: str = ""                 # the {name} segment, percent-decoded
    parsed_form: dict[str, object] | None = None
    account: Account | None = None
    max_limit: int | None = None   # the simulator's cap on a finder's `limit`; None: none

    def json(self) -> object:
        if not self.raw_body.strip():
            return None
        if not self.content_type.startswith("application/json"):
            raise SimError(415, f"Content-Type must be application/json, not "
                                f"{self.content_type or 'missing'}")
        try:
            return json.loads(self.raw_body)
        except ValueError as exc:
            raise bad_request(f"body: malformed JSON ({exc})") from None

    def single(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values and values[0] != "" else None

    def integer(self, name: str, default: int | None = None, minimum: int = 0) -> int | None:
        raw = self.single(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f"{name}: {raw!r} is not an integer") from None
        if not minimum <= value <= INT64_MAX:
            raise bad_request(f"{name}: {value} is out of range")
        return value

    def paging(self, default_limit: int) -> tuple[int, int]:
        """A finder's (limit, offset). A `limit` over the cap is answered with the cap, and the
        page reports the limit it used: a client continues from where the page ends."""
        limit = self.integer("limit", default_limit)
        return (min(limit, self.max_limit) if self.max_limit else limit), self.integer("offset", 0)

    def boolean(self, name: str) -> bool | None:
        raw = self.single(name)
        if raw is None:
            return None
        if raw.lower() not in ("true", "false"):
            raise bad_request(f"{name}: {raw!r} is not true or false")
        return raw.lower() == "true"

    def enum_list(self, name: str, allowed: Iterable[str]) -> frozenset[str]:
        raw = self.single(name)
        values = frozenset(v.strip() for v in raw.split(",") if v.strip()) if raw else frozenset()
        unknown = sorted(values - set(allowed))
        if unknown:
            raise bad_request(f"{name}: unknown value(s) {', '.join(unknown)}; "
                              f"allowed: {', '.join(allowed)}")
        return values

    def form(self) -> dict[str, object]:
        if self.parsed_form is None:  # read once: for the log and for the handler
            self.parsed_form = read_form(self.content_type, self.raw_body)
        return self.parsed_form

    def log_entry(self) -> dict:
        """What /__sim/requests shows: repeated query keys as lists, the body parsed if JSON
        (a multipart form: its fields, and each file's name, size and sha256, never the bytes)."""
        query = {k: v if len(v) > 1 else v[0] for k, v in self.query.items()}
        try:
            if self.content_type.startswith("multipart/form-data"):
                body = form_summary(self.form())
            else:
                body = json.loads(self.raw_body) if self.raw_body.strip() else None
        except (ValueError, SimError):
            body = self.raw_body[:10_000].decode("utf-8", "replace")
        return {"method": self.method, "path": self.path, "query": query, "body": body,
                "request_id": self.request_id}


Handler = Callable[[Request], tuple[int, object]]


class Simulator(NumberEndpoints):
    """WSGI callable; `accounts`, `clock` and `lock` are open to in-process tests."""

    def __init__(self, credentials: dict[str, str] | None, clock: SimClock, max_limit: int | None = MAX_LIMIT) -> None:
        self.clock = clock
        self.max_limit = max_limit
        self.lock = threading.RLock()
        self.accounts = Accounts(build_seed(), credentials)
        self.faults = faults.Faults()
        self.webhook_sender = webhooks.Sender(self, build_seed().first_free["action"])
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            (method, re.compile("^" + pattern.replace(".", r"\.").replace("{id}", r"(?P<id>\d+)")
                                .replace("{kind}", r"(?P<kind>calls|texts)")
                                .replace("{name}", r"(?P<name>[^/]+)") + "$"),
             getattr(self, "_" + name)) for method, pattern, name in ROUTES]

    def account(self, login: str) -> Account:
        """The account of `login` (created if new), with its calls brought up to date."""
        with self.lock:
            account = self.accounts.get_or_create(login)
            account.settle(self.clock.now_ms())
            return account

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = _read_request(environ)
        request.max_limit = self.max_limit
        fault = self.faults.pick(request.method, request.path, request.authorization)
        if fault is not None:
            return faults.apply(fault, lambda respond: self._answer(request, respond), start_response)
        return self._answer(request, start_response)

    def _answer(self, request: Request, start_response: Callable) -> list[bytes]:
        headers = [("Content-Type", "application/json")]
        with self.lock:
            try:
                status, payload = self._dispatch(request)
            except SimError as exc:
                status, payload = exc.status, exc.body()
                if exc.status == 401:
                    headers.append(("WWW-Authenticate", REALM))
                if exc.status == 405:
                    headers.append(("Allow", ", ".join(self._allowed(request.path))))
            except Exception as exc:  # a simulator bug: answer like v2 would, keep the trace
                log.exception("simulator failure on %s %s", request.method, request.path)
                status, payload = 500, SimError(500, "Internal error", repr(exc)).body()
            if request.account is not None:
                request.account.requests[-1]["status"] = status
            if isinstance(payload, Audio):
                headers, body = [("Content-Type", payload.content_type)], payload.content
            else:
                body = b"" if payload is None else json.dumps(payload).encode()
        if payload is None:
            headers = []
        headers.append(("Content-Length", str(len(body))))
        start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
        return [body]

    def _dispatch(self, request: Request) -> tuple[int, object]:
        handler = None
        for method, pattern, candidate in self._routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                handler = candidate
                groups = match.groupdict()
                request.path_id = int(groups["id"]) if groups.get("id") else None
                request.kind = groups.get("kind") or ""
                request.name = unquote(groups.get("name") or "")
                break
        if request.path.startswith("/v2/"):
            request.account = self._authenticate(request)
            request.account.requests.append(request.log_entry())
            request.account.settle(self.clock.now_ms())
        if handler is None:
            if self._allowed(request.path):
                raise SimError(405, f"{request.method} is not allowed on {request.path}")
            raise not_found(f"no such resource: {request.path}")
        return handler(request)

    def _allowed(self, path: str) -> list[str]:
        return [method for method, pattern, _ in self._routes if pattern.match(path)]

    def _authenticate(self, request: Request) -> Account:
        scheme, _, token = request.authorization.partition(" ")
        try:
            login, sep, password = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            sep = ""
        if scheme.lower() != "basic" or not sep:
            raise SimError(401, "Unauthorized", "HTTP Basic credentials are missing or malformed")
        return self.accounts.login(login, password)

    # ---- v2 endpoints ----------------------------------------------------------------------
    def _find_calls(self, request: Request) -> tuple[int, object]:
        query = _action_query(request, CALL_STATES, CALL_RESULTS)
        return 200, request.account.find("calls", query, *request.paging(100))

    def _find_texts(self, request: Request) -> tuple[int, object]:
        query = _action_query(request, TEXT_STATES, TEXT_RESULTS)
        return 200, request.account.find("texts", query, *request.paging(10))  # spec default

    def _get_call(self, request: Request) -> tuple[int, object]:
        return 200, request.account.get("calls", request.path_id)

    def _get_text(self, request: Request) -> tuple[int, object]:
        return 200, request.account.get("texts", request.path_id)

    def _send_texts(self, request: Request) -> tuple[int, object]:
        return 200, request.account.broadcasts.send_texts(
            request.json(), request.integer("campaignId"), request.single("defaultMessage"),
            strict=bool(request.boolean("strictValidation")), now=self.clock.now_ms())

    # Auto-replies (v2 spells the path auto-replys); the logic is in autoreplies.py.
    def _find_auto_replies(self, request: Request) -> tuple[int, object]:
        return 200, request.account.auto_replies.find(request.single("number"), *request.paging(100))

    def _create_auto_reply(self, request: Request) -> tuple[int, object]:
        return 201, {"id": request.account.auto_replies.create(request.json())}

    def _get_auto_reply(self, request: Request) -> tuple[int, object]:
        return 200, request.account.auto_replies.get(request.path_id)

    def _delete_auto_reply(self, request: Request) -> tuple[int, object]:
        request.account.auto_replies.delete(request.path_id)
        return 204, None        # CallFire's samples: "204 - No Content" for a DELETE

    def _get_contact(self, request: Request) -> tuple[int, object]:
        return 200, request.account.contact(request.path_id)

    def _get_contact_history(self, request: Request) -> tuple[int, object]:
        return 200, request.account.contact_history(request.path_id, *request.paging(100))

    # Broadcasts: `request.kind` is the path's calls|texts; the logic is in broadcasts.py.
    def _find_broadcasts(self, request: Request) -> tuple[int, object]:
        query = BroadcastQuery(
            name=request.single("name"), label=request.single("label"),
            running=request.boolean("running"), scheduled=request.boolean("scheduled"),
            interval_begin=request.integer("intervalBegin"),
            interval_end=request.integer("intervalEnd"))
        return 200, request.account.broadcasts.find(request.kind, query,
                                                     *request.paging(10))   # spec default

    def _create_broadcast(self, request: Request) -> tuple[int, object]:
        broadcast_id = request.account.broadcasts.create(
            request.kind, request.json(), start=bool(request.boolean("start")),
            strict=bool(request.boolean("strictValidation")), now=self.clock.now_ms())
        return 201, {"id": broadcast_id}

    def _get_broadcast(self, request: Request) -> tuple[int, object]:
        return 200, request.account.broadcasts.get(request.kind, request.path_id).wire

    def _update_broadcast(self, request: Request) -> tuple[int, object]:
        request.account.broadcasts.update(
            request.kind, request.path_id, request.json(),
            strict=bool(request.boolean("strictValidation")), now=self.clock.now_ms())
        # The spec: no body for calls, TextBroadcastCreateResponse {id} for texts.
        return 200, {"id": request.path_id} if request.kind == "texts" else None

    def _start_broadcast(self, request: Request) -> tuple[int, object]:
        request.account.broadcasts.start(request.kind, request.path_id, self.clock.now_ms())
        return 200, None

    def _stop_broadcast(self, request: Request) -> tuple[int, object]:
        request.account.broadcasts.stop(request.kind, request.path_id, self.clock.now_ms())
        return 200, None

    def _archive_broadcast(self, request: Request) -> tuple[int, object]:
        request.account.broadcasts.archive(request.kind, request.path_id, self.clock.now_ms())
        return 200, None

    def _broadcast_stats(self, request: Request) -> tuple[int, object]:
        return 200, request.account.broadcasts.stats(
            request.kind, request.path_id, request.integer("begin"), request.integer("end"))

    def _broadcast_actions(self, request: Request) -> tuple[int, object]:
        kind = request.path.rsplit("/", 1)[1]           # .../calls or .../texts
        return 200, request.account.broadcasts.actions(
            kind, request.path_id, request.integer("batchId"), *request.paging(100))

    def _broadcast_batches(self, request: Request) -> tuple[int, object]:
        return 200, request.account.broadcasts.batches(request.kind, request.path_id,
                                                       *request.paging(100))

    def _add_broadcast_batch(self, request: Request) -> tuple[int, object]:
        batch_id = request.account.broadcasts.add_batch(
            request.kind, request.path_id, request.json(),
            strict=bool(request.boolean("strictValidation")), now=self.clock.now_ms())
        return 201, {"id": batch_id}

    def _add_broadcast_recipients(self, request: Request) -> tuple[int, object]:
        return 200, request.account.broadcasts.add_recipients(
            request.kind, request.path_id, request.json(),
            strict=bool(request.boolean("strictValidation")), now=self.clock.now_ms())

    def _get_batch(self, request: Request) -> tuple[int, object]:
        return 200, request.account.broadcasts.batch(request.path_id)

    def _update_batch(self, request: Request) -> tuple[int, object]:
        request.account.broadcasts.update_batch(request.path_id, request.json(),
                                                self.clock.now_ms())
        return 200, None

    # Sounds and recordings: the logic is in sounds.py.
    def _find_sounds(self, request: Request) -> tuple[int, object]:
        return 200, request.account.sounds.find(
            *request.paging(100), self.clock.now_ms(), pending=bool(request.boolean("includePending")),
            archived=bool(request.boolean("includeArchived")), scrubbed=bool(request.boolean("includeScrubbed")),
            name=request.single("filter"))

    def _upload_sound(self, request: Request) -> tuple[int, object]:
        return 200, request.account.sounds.upload(request.form(), self.clock.now_ms())

    def _text_to_speech_sound(self, request: Request) -> tuple[int, object]:
        return 200, request.account.sounds.text_to_speech(request.json(), self.clock.now_ms())

    def _record_sound(self, request: Request) -> tuple[int, object]:
        return 200, request.account.sounds.record_call(request.json(), self.clock.now_ms())

    def _get_sound(self, request: Request) -> tuple[int, object]:
        return 200, request.account.sounds.get(request.path_id, self.clock.now_ms())

    def _sound_mp3(self, request: Request) -> tuple[int, object]:
        return 200, request.account.sounds.data(request.path_id, "mp3", self.clock.now_ms())

    def _sound_wav(self, request: Request) -> tuple[int, object]:
        return 200, request.account.sounds.data(request.path_id, "wav", self.clock.now_ms())

    def _recording_mp3(self, request: Request) -> tuple[int, object]:
        return 200, recording_audio(request.account.recording(request.path_id))

    def _call_recording_mp3(self, request: Request) -> tuple[int, object]:
        return 200, recording_audio(request.account.call_recording(request.path_id, request.name))

    # Contacts' writes and contact lists: the logic is in contacts.py.
    def _find_contacts(self, request: Request) -> tuple[int, object]:
        return 200, request.account.contact_book.find(
            frozenset(_id(request, raw) for raw in request.query.get("id", ()) if raw != ""),
            frozenset(raw for raw in request.query.get("number", ()) if raw != ""),
            request.integer("contactListId"), request.single("propertyName"), request.single("propertyValue"),
            *request.paging(100))

    def _create_contacts(self, request: Request) -> tuple[int, object]:
        return 200, request.account.contact_book.create(request.json())

    def _update_contact(self, request: Request) -> tuple[int, object]:
        request.account.contact_book.update(request.path_id, request.json())
        return 200, None

    def _delete_contact(self, request: Request) -> tuple[int, object]:
        request.account.contact_book.delete(request.path_id)
        return 204, None

    def _find_contact_lists(self, request: Request) -> tuple[int, object]:
        return 200, request.account.contact_book.find_lists(request.single("name"), *request.paging(100))

    def _create_contact_list(self, request: Request) -> tuple[int, object]:
        return 200, request.account.contact_book.create_list(request.json(), self.clock.now_ms())

    def _upload_contact_list(self, request: Request) -> tuple[int, object]:
        return 200, request.account.contact_book.upload_list(request.form(), self.clock.now_ms())

    def _get_contact_list(self, request: Request) -> tuple[int, object]:
        return 200, request.account.contact_book.get_list(request.path_id)

    def _delete_contact_list(self, request: Request) -> tuple[int, object]:
        request.account.contact_book.delete_list(request.path_id)
        return 204, None

    def _contact_list_items(self, request: Request) -> tuple[int, object]:
        return 200, request.account.contact_book.items(request.path_id, *request.paging(100))

    def _add_contact_list_items(self, request: Request) -> tuple[int, object]:
        request.account.contact_book.add_items(request.path_id, request.json())
        return 200, None

    def _remove_contact_list_items(self, request: Request) -> tuple[int, object]:
        request.account.contact_book.remove_items(
            request.path_id, [_id(request, raw) for raw in request.query.get("contactId", ()) if raw != ""])
        return 204, None
    # Webhooks: the handlers are in webhooks.py.
    _find_webhooks = webhooks.find_webhooks
    _create_webhook = webhooks.create_webhook
    _webhook_resources = webhooks.webhook_resources
    _webhook_resource = webhooks.webhook_resource
    _get_webhook = webhooks.get_webhook
    _update_webhook = webhooks.update_webhook
    _delete_webhook = webhooks.delete_webhook

    # ---- simulator controls ----------------------------------------------------------------
    def _advance(self, request: Request) -> tuple[int, object]:
        raw = request.single("seconds")
        try:
            seconds = float(raw or "")
        except ValueError:
            raise bad_request(f"seconds: {raw!r} is not a number") from None
        if not 0 <= seconds < 10 * 365 * 86400:
            raise bad_request("seconds: must be between 0 and ten years")
        now = self.clock.advance(seconds)
        for account in self.accounts:
            account.settle(now)
        return 200, {"now": now}

    def _requests(self, request: Request) -> tuple[int, object]:
        login = request.single("login")
        if login is None:
            raise bad_request("login: required")
        account = self.accounts.find(login)
        return 200, {"items": list(account.requests) if account else []}

    def _reset(self, request: Request) -> tuple[int, object]:
        self.faults.clear()
        self.accounts.clear()
        self.clock.reset()
        return 200, {"now": self.clock.now_ms()}

    def _health(self, request: Request) -> tuple[int, object]:
        return 200, {"status": "ok", "now": self.clock.now_ms(), "accounts": len(self.accounts),
                     "clock": self.clock.mode, "speed": self.clock.speed}

    # Injected faults: the table is in faults.py.
    def _faults(self, request: Request) -> tuple[int, object]:
        return 200, {"items": self.faults.listing()}

    def _add_fault(self, request: Request) -> tuple[int, object]:
        return 201, {"id": self.faults.add(request.json()).id}

    def _clear_faults(self, request: Request) -> tuple[int, object]:
        return 200, {"removed": self.faults.clear(request.single("login"))}


def create_app(*, credentials: dict[str, str] | None = None,
               clock: SimClock | None = None, max_limit: int | None = MAX_LIMIT) -> Simulator:
    """A fresh simulator. `credentials` (login -> password) restricts logins; None: any login.
    `max_limit`: the most items a finder answers a page (None: no cap).

    The default clock is frozen: in-process users are tests that want the same numbers on every
    run; the commands (`python -m bridge.sim`, `callfire-bridge serve`) default to a live one.
    """
    return Simulator(credentials, clock or SimClock(), max_limit)


def _read_request(environ: dict) -> Request:
    length = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    raw_body = stream.read(int(length)) if length.isdigit() else stream.read()
    request = Request(method=environ["REQUEST_METHOD"].upper(),
                      path=environ.get("PATH_INFO") or "/",
                      query=parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
                      raw_body=raw_body, content_type=environ.get("CONTENT_TYPE", ""),
                      authorization=environ.get("HTTP_AUTHORIZATION", ""),
                      request_id=environ.get("HTTP_X_REQUEST_ID", ""))
    return request


def _action_query(request: Request, states: Iterable[str], results: Iterable[str]) -> ActionQuery:
    ids = frozenset(_id(request, raw) for raw in request.query.get("id", ()) if raw != "")
    return ActionQuery(
        ids=ids, campaign_id=request.integer("campaignId"), batch_id=request.integer("batchId"),
        from_number=_number(request.single("fromNumber")),
        to_number=_number(request.single("toNumber")), label=request.single("label"),
        states=request.enum_list("states", states), results=request.enum_list("results", results),
        inbound=request.boolean("inbound"), interval_begin=request.integer("intervalBegin"),
        interval_end=request.integer("intervalEnd"))


def _id(request: Request, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"id: {raw!r} is not an integer") from None


def _number(raw: str | None) -> str | None:
    """'8185551212' finds calls stored as '18185551212'; anything else is matched as given."""
    return None if raw is None else nanp_e164(raw) or raw

