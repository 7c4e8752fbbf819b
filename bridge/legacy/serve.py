"""Serving the legacy simulator with waitress: blocking for the command, a thread for tests."""
from __future__ import annotations

from dataclasses import dataclass, field

from waitress.server import create_server

from bridge.legacy.app import create_app
from bridge.serving import ServerThread, run_in_thread

WSDL_PATH = "/api/1.1/wsdl/callfire-service-http-soap12.wsdl"
THREADS = 8


def _server(app: object, host: str, port: int):
    return create_server(app, host=host, port=port, threads=THREADS, ident="callfire-v1.1-legacy-sim")


def serve(host: str, port: int, credentials: dict[str, str] | None = None, time_zone: str = "UTC") -> None:
    """Serve until interrupted; prints the WSDL URL once the port is bound (port 0: any free)."""
    server = _server(create_app(credentials=credentials, time_zone=time_zone), host, port)
    print(f"CallFire v1.1 legacy simulator: http://{host}:{server.effective_port}{WSDL_PATH}", flush=True)
    server.run()


@dataclass
class RunningLegacy:
    """A legacy simulator serving real HTTP from a background thread."""

    app: object                 # the WSGI app served (a LegacyApp, or one wrapped by the caller)
    base_url: str               # http://HOST:PORT
    _running: ServerThread = field(repr=False)

    @property
    def wsdl(self) -> str:
        return self.base_url + WSDL_PATH

    def stop(self) -> None:
        self._running.stop()


def start_in_thread(host: str = "127.0.0.1", port: int = 0, app: object | None = None,
                    **kw: object) -> RunningLegacy:
    """Serve `app` (default: `create_app(**kw)`) on `host:port` (0: a free port) in a daemon thread."""
    served = app if app is not None else create_app(**kw)
    running = run_in_thread(_server(served, host, port), "callfire-v1.1-legacy-sim")
    return RunningLegacy(served, f"http://{host}:{running.port}", running)
