"""WSGI entry point: `bridge.wsgi:application` builds one worker's app from the environment."""
from __future__ import annotations

import threading

import httpx

from bridge.config import Settings
from bridge.runtime import Runtime
from bridge.server import BridgeApp


def create_app(settings: Settings | None = None, *, upstream: str | None = None,
               transport: httpx.BaseTransport | None = None) -> BridgeApp:
    settings = settings or Settings.from_env()
    target = upstream or settings.upstream
    if not target:
        raise SystemExit("no upstream: set CALLFIRE_BRIDGE_UPSTREAM or use `callfire-bridge serve`")
    return BridgeApp(Runtime.create(settings, target, transport=transport))


def application(environ, start_response):  # noqa: ANN001 - gunicorn/waitress entry point
    if _app is None:
        start_worker()   # under another WSGI server too: postbacks are delivered from its first request on
    return _app(environ, start_response)


def start_worker() -> None:
    """A gunicorn worker, after the fork: its app built now, and its background threads (postbacks) started."""
    global _app
    with _starting:   # the first requests of a threaded server may arrive together
        if _app is None:
            _app = create_app()
            _app.start_background()


_app: BridgeApp | None = None
_starting = threading.Lock()
