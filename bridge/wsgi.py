"""WSGI entry point: `bridge.wsgi:application` builds one worker's app from the environment."""
from __future__ import annotations

import gc
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
            settle_heap()


def settle_heap() -> None:
    """Takes what the worker built to serve (spyne's and lxml's objects, the compiled tables and
    layouts: ~60,000 objects that live as long as it) out of the collector's sight.  Each full
    collection walked them again: 6-7 ms of a 1000-call QueryCalls went to the 4 full collections
    30 of them set off, about 0.2 ms with them frozen (bench/bench_targets.py, own work)."""
    gc.freeze()


_app: BridgeApp | None = None
_starting = threading.Lock()
