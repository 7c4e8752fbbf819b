"""GET /postbacks: the postback outbox, whatever the source (cloud/1, subscriptions): pending rows,
deliveries and dead letters; POST /postbacks replays dead letters (one, or all) — a plain HTML form.

A POST from another origin (a page elsewhere making the browser submit the form) is refused."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable
from urllib.parse import parse_qs, urlsplit

from bridge.postbacks.store import OutboxRow, PostbackStore
from bridge.web.respond import StartResponse, html, not_allowed, query, root, send

SHOWN = 200
STATUSES = ("pending", "delivered", "dead")


def display_target(url: str) -> str:
    """A postUrl without any user:password it carries."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")).geturl() \
        if parts.hostname else url


def when(seconds: float | None) -> str:
    return "" if seconds is None else datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def view(row: OutboxRow) -> dict[str, Any]:
    return {"id": row.id, "source": row.source, "target": display_target(row.target), "status": row.status,
            "event": row.event_id, "attempts": row.attempts, "created": when(row.created_at),
            "next": when(row.next_at) if row.status == "pending" else "", "finished": when(row.finished_at),
            "error": row.last_error or ""}


def postbacks_page(environ: dict[str, Any], start_response: StartResponse, store: PostbackStore,
                   now: float) -> Iterable[bytes]:
    method = environ["REQUEST_METHOD"]
    if method == "POST":
        if not _same_origin(environ):
            return send(start_response, "403 Forbidden", "text/plain; charset=utf-8", b"cross-origin POST refused\n")
        length = min(int(environ.get("CONTENT_LENGTH") or 0), 4096)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode("utf-8", "replace")).items()}
        retried = store.retry(None if form.get("id", "all") == "all" else [form["id"]], now)
        location = f"{root(environ)}/postbacks?status=dead&retried={retried}"
        start_response("303 See Other", [("Location", location), ("Content-Length", "0")])
        return [b""]
    if method != "GET":
        return not_allowed(start_response, "GET, POST")
    params = query(environ)
    status = params.get("status") if params.get("status") in STATUSES else None
    rows = [view(row) for row in store.rows(status, SHOWN)]
    return html(start_response, "200 OK", "postbacks.html", root=root(environ), nav="postbacks", rows=rows, shown=status,
                statuses=STATUSES, counts=store.counts(), retried=params.get("retried"))


def _same_origin(environ: dict[str, Any]) -> bool:
    origin = environ.get("HTTP_ORIGIN")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == environ.get("HTTP_HOST", "")
