"""Serving helpers: a waitress server run from a daemon thread (how the simulators run in-process:
tests, `make compare`), and how a request can tell that its client has gone."""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


STOP_TIMEOUT = 3.0   # seconds `stop` waits for running requests before closing their connections


@dataclass
class ServerThread:
    server: Any = field(repr=False)  # a waitress server (create_server), already bound
    thread: threading.Thread = field(repr=False)

    @property
    def port(self) -> int:
        return self.server.effective_port

    def stop(self) -> None:
        """Let the running requests finish, then close every socket from inside the server loop and
        wait for it to end.  In that order: a request that finishes signals the loop by writing to its
        trigger pipe, and once that pipe is closed its descriptor number is soon another socket's
        (a test once read "xHTTP/1.1 200 OK" from a server stopped the other way round)."""
        if not self.thread.is_alive():
            return
        server = self.server
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=STOP_TIMEOUT)
        try:
            server.trigger.pull_trigger(lambda: [d.close() for d in list(server._map.values())])
        except OSError:  # the trigger is already closed: the loop is ending on its own
            pass
        self.thread.join(timeout=10)


def run_in_thread(server: Any, name: str) -> ServerThread:
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    return ServerThread(server, thread)


def client_gone_probe(environ: dict[str, Any]) -> Callable[[], bool] | None:
    """A check, cheap enough to call between upstream calls, that the request's client has closed
    its connection; None when the server gives no way to tell.

    waitress (`channel_request_lookahead` >= 1) keeps reading the connection while a request runs
    and says so itself.  gunicorn hands over the socket: a non-blocking MSG_PEEK reads b"" once
    the client has closed (or half-closed) it, and raises BlockingIOError while it is open and
    silent.  Neither sees a client that vanished without closing (a pulled cable): TCP keepalive
    or the request deadline ends that one."""
    waitress_probe = environ.get("waitress.client_disconnected")
    if waitress_probe is not None:
        return waitress_probe
    sock = environ.get("gunicorn.socket")
    if sock is None:
        return None

    def closed() -> bool:
        try:
            return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:  # reset by the peer, or already closed here
            return True
    return closed
