"""CallFire's cloud/1 reports API on the bridge, and the listener that turns v2 events into its postbacks.

    POST /cloud/1/reports/callback/callfinish               call-finished XML for every call and text
    POST /cloud/1/reports/callback/callfinish/{campaignid}  ... of that campaign (broadcast) only
    POST /cloud/1/reports/callback/campaignfinish           campaign-finished XML for every broadcast

Parameters `apikey` and `postUrl`, as a form body (application/x-www-form-urlencoded or text/plain
carrying the same `a=b&c=d`) or in the query string. A new postUrl replaces the one saved for the same
path. Unsubscribing (the page says "subscribe and unsubscribe dynamically" and shows no call for it):
the same POST with an empty `postUrl`, or a DELETE of the same path with the `apikey`. Answers are
CallFire's `<reportresponse>`: `Saved` / `success true`; a failure says why with `success false`
(HTTP 401 for an unknown apikey, 400 for a refused postUrl) and nothing is stored."""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from bridge.postbacks.events import Delivery, V2Event
from bridge.postbacks.payloads import call_finished_table, campaign_finished_table, render
from bridge.postbacks.safety import RefusedTarget, Resolver, check_target, resolve
from bridge.postbacks.store import PostbackStore
from bridge.store.idempotency import account_key
from bridge.translate.convert import Conversions
from bridge.v2.errors import V2Error

log = logging.getLogger(__name__)

PATH = re.compile(r"/cloud/1/reports/callback/(?P<kind>callfinish|campaignfinish)(?:/(?P<campaign>[0-9]{1,18}))?/?")
MAX_FORM = 16 * 1024
CONTENT_TYPE = "application/xml"
StartResponse = Callable[..., Any]


def report_response(description: str, success: bool) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<reportresponse>'
            f"<description>{escape(description)}</description><success>{'true' if success else 'false'}</success>"
            "</reportresponse>").encode("utf-8")


@dataclass
class Cloud1:
    store: PostbackStore
    authorization_of_key: Callable[[str], str | None]   # apikey -> v2 Authorization (None: unknown)
    remember: Callable[[str, str], None]                 # account, Authorization: kept (sealed) for the poller
    allow_private: bool = False
    clock: Callable[[], float] = time.time
    resolver: Resolver = resolve

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        match = PATH.fullmatch(environ.get("PATH_INFO", ""))
        method = environ["REQUEST_METHOD"]
        if match is None:
            return _answer(start_response, "404 Not Found", report_response("no such report", False))
        if method not in ("POST", "DELETE"):
            return _answer(start_response, "405 Method Not Allowed", report_response("POST apikey and postUrl", False))
        params = _params(environ)
        authorization = self.authorization_of_key(params.get("apikey", ""))
        if authorization is None:
            return _answer(start_response, "401 Unauthorized", report_response("Invalid apikey", False))
        account = account_key(authorization)
        kind, campaign = match["kind"], int(match["campaign"]) if match["campaign"] else None
        if kind == "campaignfinish" and campaign is not None:
            return _answer(start_response, "404 Not Found", report_response("no such report", False))
        post_url = params.get("postUrl", "").strip()
        if method == "DELETE" or not post_url:
            self.store.unregister(account, kind, campaign)
            return _answer(start_response, "200 OK", report_response("Deleted", True))
        try:
            check_target(post_url, allow_private=self.allow_private, resolver=self.resolver)
            self.remember(account, authorization)
        except RefusedTarget as exc:
            return _answer(start_response, "400 Bad Request", report_response(str(exc), False))
        except V2Error as exc:   # the credentials v2 refuses, or v2 down: nothing stored
            log.info("cloud/1: v2 refused the account's first poll: %s", exc)
            return _answer(start_response, "502 Bad Gateway", report_response(f"CallFire v2: {exc}", False))
        self.store.register(account, kind, campaign, post_url, self.clock())
        return _answer(start_response, "200 OK", report_response("Saved", True))


def _params(environ: dict[str, Any]) -> dict[str, str]:
    """apikey and postUrl from the query string and a form or text/plain body (the body wins)."""
    values = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_FORM)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else ""
    values.update({k: v[0] for k, v in parse_qs(body.strip(), keep_blank_values=True).items()})
    return values


def _answer(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "application/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


class Cloud1Listener:
    """The deliveries of one event for the account's cloud/1 registrations. A campaign-finished payload
    needs the broadcast's stats: `read_stats(event)` reads them as GetBroadcastStats does."""

    def __init__(self, store: PostbackStore, conv: Conversions, read_stats: Callable[[V2Event], dict]) -> None:
        self.store = store
        self.conv = conv
        self.read_stats = read_stats

    def __call__(self, event: V2Event) -> list[Delivery]:
        if event.event_type != "Finished":
            return []
        registrations = self.store.registrations(event.account)
        call_table = call_finished_table(event.resource_type)
        if call_table is not None:
            campaign = event.resource.get("campaignId")
            targets = [r for r in registrations if r.kind == "callfinish"
                       and (r.campaign_id is None or r.campaign_id == campaign)]
            body = render(call_table, event.resource, self.conv) if targets else b""
            return [Delivery(r.post_url, body, CONTENT_TYPE, f"cloud1:{r.id}") for r in targets]
        campaign_table = campaign_finished_table(event.resource_type)
        targets = [r for r in registrations if r.kind == "campaignfinish"] if campaign_table else []
        if not targets:
            return []
        body = render(campaign_table, {"broadcast": event.resource, "stats": self.read_stats(event)}, self.conv)
        return [Delivery(r.post_url, body, CONTENT_TYPE, f"cloud1:{r.id}") for r in targets]
