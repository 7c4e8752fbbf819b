"""Serving the simulator: a blocking `serve` for `make serve`, a thread for tests."""
from __future__ import annotations

from dataclasses import dataclass, field

from waitress.server import create_server

from bridge.sim.app import MAX_LIMIT, Simulator, create_app
from bridge.serving import ServerThread, run_in_thread
from bridge.sim.clock import SimClock

# Keep idle keep-alive connections far longer than any client pool does (httpx: 5 s), so the
# server never closes a connection just as a bridge worker reuses it.
CHANNEL_TIMEOUT = 300
THREADS = 8


def _server(app: Simulator, host: str, port: int):
    return create_server(app, host=host, port=port, threads=THREADS,
                         channel_timeout=CHANNEL_TIMEOUT, connection_limit=1000,
                         ident="callfire-v2-sim")


def serve(host: str, port: int, credentials: dict[str, str] | None, clock: SimClock,
          max_limit: int | None = MAX_LIMIT) -> None:
    """Serve until interrupted; prints the base URL once the port is bound (port 0: any free)."""
    server = _server(create_app(credentials=credentials, clock=clock, max_limit=max_limit), host, port)
    print(f"CallFire v2 simulator: http://{host}:{server.effective_port}/v2", flush=True)
    server.run()


@dataclass
class RunningSim:
    """A simulator serving real HTTP from a background thread."""

    app: Simulator
    base_url: str
    _running: ServerThread = field(repr=False)

    def stop(self) -> None:
        self._running.stop()


def start_in_thread(host: str = "127.0.0.1", port: int = 0, **kw) -> RunningSim:
    """Start a simulator on `host:port` (0: a free port); `kw` goes to `create_app`."""
    app = create_app(**kw)
    running = run_in_thread(_server(app, host, port), "callfire-v2-sim")
    return RunningSim(app, f"http://{host}:{running.port}/v2", running)
