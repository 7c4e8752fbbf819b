"""gunicorn, embedded, as the process manager; waitress as the HTTP server inside each worker.

Why not gunicorn's own gthread worker: it reads a request's headers and body in a worker thread,
so a client that sends headers and part of a body and then nothing holds a thread until it gives
up; 8 such connections (2 workers x 4 threads) made every healthy request wait (issue 12, defect 5).
waitress reads every connection in its asynchronous I/O loop and hands a request to a thread only
once its headers and whole body have arrived (`inbuf`, spilling to a temporary file past 512 KiB),
so a stalled client costs a socket, never a thread.  gunicorn keeps doing what it is good at:
the shared listening socket, the worker processes, restarting one that dies, signals.

Bounds: a request must arrive whole within `read_timeout` (CALLFIRE_BRIDGE_READ_TIMEOUT, 30 s),
an idle keep-alive connection is closed after as long, and each worker holds at most
`CONNECTIONS` connections (stalled ones included) before it stops accepting until some close.
"""
from __future__ import annotations

import math
import os
import resource
import socket
import threading
import time
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from gunicorn.workers.base import Worker
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer

from bridge.config import Settings

CONNECTIONS = 1000  # per worker process, when the open-files limit allows (see connection_limit)


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, object]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # noqa: ANN201 - runs in each worker, after the fork
        from bridge.observability import logs
        from bridge.observability.requests import Observed
        from bridge.wsgi import application, start_worker
        settings = Settings.from_env()
        logs.setup(settings.log_format, settings.log_level)
        start_worker()   # postback delivery and polling run in every worker (leases share the work)
        return Observed(application)   # request ids, and per-operation metrics (bridge.observability)


class TimedChannel(HTTPChannel):
    """A waitress connection that remembers since when it has been reading the request in progress."""

    reading_since: float | None = None

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.reading_since = time.time()  # waitress' maintenance clock
        result = super().received(data)
        if self.request is None:  # nothing half-read: the request went to a thread, or none began
            self.reading_since = None
        return result


class BoundedServer(TcpWSGIServer):
    """waitress' server on a listening socket gunicorn opened, closing connections whose request
    has not arrived whole within `read_timeout` (waitress' own channel_timeout only counts silence)."""

    channel_class = TimedChannel
    read_timeout: float = 30.0

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = now - self.read_timeout
        for channel in list(self.active_channels.values()):
            since = getattr(channel, "reading_since", None)
            if since is not None and since < cutoff:
                channel.will_close = True


class WaitressWorker(Worker):
    """A gunicorn worker process serving with waitress on the arbiter's listening socket(s)."""

    def run(self) -> None:
        servers = bounded_servers(self.wsgi, [listener.sock for listener in self.sockets],
                                  threads=self.cfg.threads, settings=Settings.from_env())
        threading.Thread(target=self._heartbeat, args=(servers[0],), name="gunicorn-heartbeat", daemon=True).start()
        servers[0].run()  # one asyncore loop over every listener and connection (their shared map)
        servers[0].task_dispatcher.shutdown(timeout=self.cfg.graceful_timeout)

    def _heartbeat(self, server: TcpWSGIServer) -> None:
        """Tell the arbiter this worker lives; end the waitress loop on SIGTERM or when the arbiter died."""
        while self.alive and self.ppid == os.getppid():
            self.notify()
            time.sleep(min(1.0, self.timeout / 4) if self.timeout else 1.0)
        self.alive = False
        server.trigger.pull_trigger(lambda: [channel.close() for channel in list(server._map.values())])


def bounded_servers(app: Any, sockets: list[socket.socket], *, threads: int,
                    settings: Settings) -> list[BoundedServer]:
    """waitress servers on already listening `sockets`, sharing one loop and `threads` threads."""
    from waitress.adjustments import Adjustments
    from waitress.task import ThreadedTaskDispatcher

    from bridge.soap.app import upload_limit
    adjustments = Adjustments(
        threads=threads, connection_limit=connection_limit(),
        channel_timeout=math.ceil(settings.read_timeout), cleanup_interval=1,
        # Keep reading a connection while its request runs: a close is seen (bridge.serving.client_gone_probe).
        channel_request_lookahead=1,
        # Bodies up to twice the largest request the bridge reads (a CreateSound upload) reach the
        # bridge, which refuses an oversized one with a SOAP fault naming its limit; only beyond that
        # does waitress answer its own plain 413 without reading the body.
        max_request_body_size=2 * upload_limit(settings.max_sound_bytes),
        asyncore_use_poll=True,  # select() stops at descriptor 1024
        ident="callfire-bridge", expose_tracebacks=False)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    channels: dict[int, Any] = {}
    servers = []
    for sock in sockets:
        server = BoundedServer(app, channels, _sock=sock, dispatcher=dispatcher, adj=adjustments, bind_socket=False,
                               sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()))
        server.read_timeout = settings.read_timeout
        servers.append(server)
    return servers


def connection_limit() -> int:
    """CONNECTIONS, or fewer when the process may not open that many files."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return CONNECTIONS if soft == resource.RLIM_INFINITY else max(16, min(CONNECTIONS, soft - 64))


class BridgeLogger(glogging.Logger):
    """gunicorn's own log lines (the arbiter's, a worker's boot and exit) in the bridge's format."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from bridge.observability import logs
        for handler in self.error_log.handlers:
            handler.setFormatter(logs.formatter(Settings.from_env().log_format))


def child_exit(server: Any, worker: Any) -> None:
    """A worker exited: its metrics files stay (counters keep counting) but its live gauges go."""
    from bridge.observability.multiproc import worker_exited
    worker_exited(worker.pid)


def serve_forever(host: str, port: int, *, workers: int, threads: int) -> None:
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "bridge.gunicorn_app.WaitressWorker",
        "accesslog": None,  # access lines would carry nothing useful but could carry query strings
        "errorlog": "-",
        "loglevel": "warning",
        "logger_class": "bridge.gunicorn_app.BridgeLogger",
        "child_exit": child_exit,
    }).run()
