"""The floor under issue 13's CPU and throughput targets: what the serving stack the design names
costs per request before the bridge does any work of its own.

    .venv/bin/python bench/bench_floor.py [--seconds 8] [--connections 8] [--out bench/results.md]

Three WSGI apps run in the bridge's own server (gunicorn, 2 WaitressWorker processes x 4 threads,
bridge.gunicorn_app), against the simulator as its own process, all on loopback, each loaded by wrk:

- `hop`: answers a fixed 1 KB body (the HTTP hop: gunicorn + waitress, nothing else);
- `hop + httpx GET`: one GET /v2/calls/9652 to the simulator with a shared keep-alive httpx.Client,
  its body returned as it came (the least a translating proxy does: no SOAP, no JSON, no XML);
- `bridge GetCall`: `callfire-bridge serve` answering GetCall (the figure issue 13 targets).

The workers' CPU per request is read from /proc (the simulator's own is not counted), next to the
simulator answering the same GET directly. If the second row alone is above 0.8 ms, the target
"CPU per GetCall <= 0.8 ms" cannot be met with waitress and httpx, whatever the bridge's own code does.
Each server's p50 for one client, less the simulator's, is likewise the floor under "GetCall p50
added by the bridge <= 1.0 ms": what a proxy that does nothing but the hop and the GET adds.
"""
from __future__ import annotations

import argparse
import http.client
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

import procstat
import wrk
from bench_targets import AUTHORIZATION, GET_CALL, SOAP_HEADERS, SOAP_PATH, interleaved
from results_file import write_section
from served import running_bridge

from bridge.cli import free_port

TITLE = "The serving stack's floor (bench/bench_floor.py)"
FIXED = b"x" * 1024


def answer(start_response, body: bytes, content_type: str = "application/json") -> list[bytes]:  # noqa: ANN001
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def hop_app(upstream: str):  # noqa: ANN201 - a WSGI app
    """A fixed 1 KB answer: gunicorn + waitress and nothing else."""
    return lambda environ, start_response: answer(start_response, FIXED, "text/plain")


def httpx_app(upstream: str):  # noqa: ANN201 - a WSGI app
    """One GET to the simulator with an httpx.Client shared by the worker's threads."""
    client = httpx.Client(base_url=upstream, headers={"Authorization": AUTHORIZATION})
    return lambda environ, start_response: answer(start_response, client.get("/calls/9652").content)


def httpx_per_thread_app(upstream: str):  # noqa: ANN201 - a WSGI app
    """The same GET with one httpx.Client per thread."""
    local = threading.local()

    def app(environ: dict, start_response) -> list[bytes]:  # noqa: ANN001 - WSGI
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=upstream, headers={"Authorization": AUTHORIZATION})
        return answer(start_response, local.client.get("/calls/9652").content)
    return app


def stdlib_app(upstream: str):  # noqa: ANN201 - a WSGI app
    """The same GET with http.client, one keep-alive connection per thread: httpx's share of the cost."""
    parts = urlsplit(upstream)
    local = threading.local()

    def app(environ: dict, start_response) -> list[bytes]:  # noqa: ANN001 - WSGI
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection(parts.hostname, parts.port)
        local.connection.request("GET", parts.path + "/calls/9652", headers={"Authorization": AUTHORIZATION})
        return answer(start_response, local.connection.getresponse().read())
    return app


# kind -> (its WSGI app, threads per worker)
APPS = {"hop": (hop_app, 4), "httpx": (httpx_app, 4), "httpx-1": (httpx_app, 1),
        "local": (httpx_per_thread_app, 4), "stdlib": (stdlib_app, 4), "stdlib-1": (stdlib_app, 1)}


def worker_main(kind: str, port: int, upstream: str) -> None:
    """Runs in a subprocess: gunicorn with the bridge's waitress worker serving `kind`."""
    from gunicorn.app.base import BaseApplication
    make, threads = APPS[kind]

    class Floor(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": 2, "threads": threads,
                               "worker_class": "bridge.gunicorn_app.WaitressWorker",
                               "accesslog": None, "loglevel": "warning"}.items():
                self.cfg.set(key, value)

        def load(self):  # noqa: ANN202
            return make(upstream)
    Floor().run()


def started(url: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        try:
            httpx.get(url, headers={"Authorization": AUTHORIZATION})
            return
        except httpx.TransportError:
            if process.poll() is not None:
                raise SystemExit(f"{url} did not start")
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def workers_of(arbiter: int, count: int = 2) -> list[int]:
    """gunicorn's worker pids, once all `count` have been forked (one answering is not all of them)."""
    for _ in range(200):
        workers = procstat.children(arbiter)
        if len(workers) == count:
            return workers
        time.sleep(0.05)
    raise SystemExit(f"expected {count} workers under {arbiter}, found {procstat.children(arbiter)}")


def p50(url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None, rounds: int = 300) -> float:
    """Median ms of `rounds` requests one after another from one keep-alive httpx client, after a
    third as many unmeasured (bench_targets' own latency loop)."""
    with httpx.Client(headers=headers or {}) as client:
        def call() -> None:
            (client.post(url, content=body) if body is not None else client.get(url)).raise_for_status()
        return statistics.median(interleaved({"one": call}, rounds, warmup=rounds // 3)["one"])


def measure(url: str, lua: str, pids: list[int], *, connections: int, seconds: int) -> tuple[float, float]:
    """(requests/s, worker CPU ms per request) for one wrk run."""
    before = procstat.cpu_seconds(pids)
    load = wrk.run(url, lua, connections=connections, seconds=seconds)
    used = procstat.cpu_seconds(pids) - before
    if load.errors:
        raise SystemExit(f"{load.errors} errors against {url}")
    return load.per_second, used / load.requests * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.md"))
    args = parser.parse_args()
    rows: list[tuple[str, float, float, float]] = []
    rounds = max(50, args.seconds * 40)
    with tempfile.TemporaryDirectory() as folder, \
            running_bridge(Path(folder), "--threads", "4", "--postback-poll", "off") as served:
        sim_pid = next(pid for pid in procstat.children(served.pid) if "bridge.sim" in procstat.command_line(pid))
        direct_lua = wrk.script("GET", {"Authorization": AUTHORIZATION})
        direct = served.upstream + "/calls/9652"
        rows.append(("simulator answering GET /v2/calls/9652 directly",
                     *measure(direct, direct_lua, [sim_pid], connections=args.connections, seconds=args.seconds),
                     p50(direct, headers={"Authorization": AUTHORIZATION}, rounds=rounds)))
        for kind, name in (("hop", "hop: gunicorn + waitress, fixed 1 KB answer"),
                           ("httpx", "hop + one httpx GET to the simulator, body passed through"),
                           ("httpx-1", "the same, 1 thread per worker"),
                           ("local", "hop + the same GET, one httpx.Client per thread"),
                           ("stdlib", "hop + the same GET with http.client (a connection per thread)"),
                           ("stdlib-1", "the same, 1 thread per worker")):
            port = free_port()
            process = subprocess.Popen([sys.executable, __file__, "--worker", kind, str(port), served.upstream],
                                       start_new_session=True)
            url = f"http://127.0.0.1:{port}/"
            try:
                started(url, process)
                rows.append((name, *measure(url, wrk.script("GET", {}), workers_of(process.pid),
                                            connections=args.connections, seconds=args.seconds),
                             p50(url, rounds=rounds)))
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        workers = [pid for pid in procstat.children(served.pid) if pid != sim_pid]
        soap_headers = {**SOAP_HEADERS, "Authorization": AUTHORIZATION}
        soap = wrk.script("POST", soap_headers, GET_CALL)
        rows.append(("bridge GetCall (callfire-bridge serve)",
                     *measure(served.base + SOAP_PATH, soap, workers, connections=args.connections,
                              seconds=args.seconds),
                     p50(served.base + SOAP_PATH, body=GET_CALL, headers=soap_headers, rounds=rounds)))
    direct_p50 = rows[0][3]
    lines = ["| server | requests/s | worker CPU ms per request | p50 ms, one client | added to the direct p50 |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {name} | {rate:.0f} | {cpu:.3f} | {latency:.2f} | "
              f"{'—' if index == 0 else f'{latency - direct_p50:+.2f}'} |"
              for index, (name, rate, cpu, latency) in enumerate(rows)]
    intro = (f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
             f"{os.cpu_count()} cores, Python {platform.python_version()}; wrk, one thread, {args.connections} "
             f"connections, {args.seconds} s a run; CPU: utime + stime of the serving processes from /proc "
             f"(the simulator's only in its own row); p50: {rounds} requests one after another from one "
             f"keep-alive httpx client after {rounds // 3} unmeasured, before the wrk run.")
    print(intro)
    print("\n".join(lines))
    write_section(args.out, TITLE, intro + "\n\n" + "\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        worker_main(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        main()
