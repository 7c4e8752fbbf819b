"""`callfire-bridge` console script."""
from __future__ import annotations

import argparse
import atexit
import os
import socket
import subprocess
import sys
import time

import httpx

from bridge.config import Settings

WSDL_PATH = "/api/1.1/wsdl/callfire-service-http-soap12.wsdl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="callfire-bridge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the v1.1 SOAP bridge")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker")
    serve.add_argument("--upstream", help="CallFire v2 base URL, e.g. https://api.callfire.com/v2 "
                                          "(default: the embedded simulator)")
    serve.add_argument("--external-base-url", help="public URL written into the served WSDL")
    serve.add_argument("--time-zone", help="IANA zone of xs:dateTime output (default UTC)")
    serve.add_argument("--store", help="SQLite file of the RequestId store")
    serve.add_argument("--sim-credentials", help="simulator accounts user:pass,... (default: any)")
    args = parser.parse_args(argv)
    return run_serve(args)


def run_serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env(upstream=args.upstream, external_base_url=args.external_base_url,
                                 time_zone=args.time_zone, store_path=args.store,
                                 sim_credentials=args.sim_credentials)
    upstream = settings.upstream or start_simulator(settings.sim_credentials)
    # Workers build their Runtime from the environment (bridge.wsgi), after the fork.
    os.environ["CALLFIRE_BRIDGE_UPSTREAM"] = upstream
    for name, value in (("EXTERNAL_BASE_URL", settings.external_base_url), ("TIME_ZONE", settings.time_zone),
                        ("STORE_PATH", str(settings.store_path))):
        if value:
            os.environ[f"CALLFIRE_BRIDGE_{name}"] = value
    base = settings.external_base_url or f"http://{args.host}:{args.port}"
    print(f"CallFire v1.1 bridge -> {upstream}", flush=True)
    print(f"WSDL: {base}{WSDL_PATH}", flush=True)
    from bridge.gunicorn_app import serve_forever
    serve_forever(args.host, args.port, workers=args.workers, threads=args.threads)
    return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_simulator(credentials: str | None) -> str:
    """The embedded CallFire v2 simulator: ONE process shared by every bridge worker."""
    port = free_port()
    command = [sys.executable, "-m", "bridge.sim", "--host", "127.0.0.1", "--port", str(port)]
    if credentials:
        command += ["--credentials", credentials]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    atexit.register(process.terminate)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/__sim/health", timeout=1).status_code == 200:
                return f"http://127.0.0.1:{port}/v2"
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the embedded CallFire v2 simulator did not start")


if __name__ == "__main__":
    sys.exit(main())
