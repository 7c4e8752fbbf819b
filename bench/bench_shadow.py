"""Shadow mode's cost to the client: GetCall latency through bridges with no shadow, a healthy shadow,
a slow one and a dead one, measured in the same run, rounds interleaved.

    .venv/bin/python bench/bench_shadow.py [--rounds 400] [--out bench/results.md]

One CallFire v2 simulator (frozen clock) serves as upstream of every bridge. Bridges, each
`callfire-bridge serve` (gunicorn, 2 workers x 4 threads), all on loopback:
  no shadow       the bridge as it runs without --shadow
  healthy shadow  --shadow another bridge on the same upstream (answers in a few ms, compared in full)
  slow shadow     --shadow a proxy that waits 2 s, then relays to that other bridge
  dead shadow     --shadow a port nobody listens on (connection refused)
The client's latency is what matters; the shadow sides' counters (compared, dropped, errors) are read
from each bridge's /compare at the end. Writes the "Shadow mode" section of bench/results.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import lxml.html
import waitress

from bridge.cli import free_port
from results_file import write_section

ROOT = Path(__file__).resolve().parent.parent
AUTH = ("bench", "bench")
GET_CALL = (b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:s="http://api.callfire.com/service/xsd">'
            b"<e:Body><s:GetCall><s:Id>9652</s:Id></s:GetCall></e:Body></e:Envelope>")
SLOW_SECONDS = 2.0
WARMUP = 20  # rounds not counted (every request is shadowed, though)


def wait_until_up(url: str, process: subprocess.Popen | None = None) -> None:
    for _ in range(300):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            if process is not None and process.poll() is not None:
                raise SystemExit(f"{url}: the process exited")
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def start(command: list[str], health: str, processes: list[subprocess.Popen]) -> None:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, start_new_session=True)
    processes.append(process)
    wait_until_up(health, process)


def start_bridge(folder: Path, upstream: str, processes: list[subprocess.Popen], *options: str) -> str:
    port = free_port()
    folder.mkdir()
    start([sys.executable, "-m", "bridge.cli", "serve", "--port", str(port), "--workers", "2",
           "--upstream", upstream, "--store", str(folder / "store.sqlite3"), *options],
          f"http://127.0.0.1:{port}/health", processes)
    return f"http://127.0.0.1:{port}"


def slow_proxy(target: str) -> Callable[[dict[str, Any], Callable], Iterable[bytes]]:
    """Relays to `target` after SLOW_SECONDS."""
    client = httpx.Client(base_url=target, timeout=30)

    def app(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        time.sleep(SLOW_SECONDS)
        headers = {"Content-Type": environ.get("CONTENT_TYPE", ""), "Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        answer = client.post(environ["PATH_INFO"], content=body, headers=headers)
        start_response(f"{answer.status_code} {answer.reason_phrase}",
                       [("Content-Type", answer.headers["content-type"]), ("Content-Length", str(len(answer.content)))])
        return [answer.content]
    return app


def counters(bridge: str) -> dict[str, str]:
    page = lxml.html.fromstring(httpx.get(bridge + "/compare").text)
    return {div.findtext("dt"): div.findtext("dd") for div in page.xpath("//dl[@id='ui-counters']/div")}


def _shadowed(counts: dict[str, str], sent: int) -> str:
    """compared | dropped | shadow errors | still queued (sent, not yet done when the counters were read)."""
    if not counts:
        return "- | - | - | -"
    done = [int(counts[name]) for name in ("compared", "dropped", "shadow errors")]
    return " | ".join(str(n) for n in (*done, sent - sum(done)))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args()
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        try:
            sim_port = free_port()
            start([sys.executable, "-m", "bridge.sim", "--port", str(sim_port), "--sim-clock", "frozen"],
                  f"http://127.0.0.1:{sim_port}/__sim/health", processes)
            upstream = f"http://127.0.0.1:{sim_port}/v2"
            reference = start_bridge(folder / "reference", upstream, processes)
            proxy_port = free_port()
            proxy = waitress.create_server(slow_proxy(reference), host="127.0.0.1", port=proxy_port, threads=16)
            threading.Thread(target=proxy.run, daemon=True).start()
            bridges = {
                "no shadow": start_bridge(folder / "none", upstream, processes),
                "healthy shadow": start_bridge(folder / "healthy", upstream, processes, "--shadow", reference),
                f"slow shadow ({SLOW_SECONDS:.0f} s)": start_bridge(folder / "slow", upstream, processes, "--shadow",
                                                                     f"http://127.0.0.1:{proxy_port}"),
                "dead shadow": start_bridge(folder / "dead", upstream, processes, "--shadow",
                                            f"http://127.0.0.1:{free_port()}"),
            }
            clients = {name: httpx.Client(base_url=url, auth=AUTH, headers={"Content-Type": "application/soap+xml"})
                       for name, url in bridges.items()}
            samples: dict[str, list[float]] = {name: [] for name in bridges}
            order = list(clients.items())
            for round_ in range(args.rounds + WARMUP):
                random.shuffle(order)  # interleaved in a new order each round: drift and position hit every side alike
                for name, client in order:
                    started = time.perf_counter()
                    client.post("/api/1.1/soap12/call", content=GET_CALL).raise_for_status()
                    if round_ >= WARMUP:
                        samples[name].append((time.perf_counter() - started) * 1000)
            time.sleep(SLOW_SECONDS + 6)  # let the senders finish what they hold before reading the counters
            seen = {name: counters(url) for name, url in bridges.items()}
        finally:
            for process in processes:
                os.killpg(process.pid, signal.SIGTERM)

    base = statistics.median(samples["no shadow"])
    header = ("| GetCall through the bridge | rounds | median ms | p90 ms | vs no shadow (median) "
              "| compared | dropped | shadow errors | still queued |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    rows = "".join(
        f"| {name} | {len(values)} | {statistics.median(values):.2f} | {pct(values, 0.9):.2f} | "
        f"{statistics.median(values) - base:+.2f} ms | {_shadowed(seen[name], args.rounds + WARMUP)} |\n"
        for name, values in samples.items())
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    report = (f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine} by `bench/bench_shadow.py`; "
              f"each bridge = gunicorn 2 workers x 4 threads, shadow queue 256 and 2 senders per worker, "
              f"timeout 5 s; one simulator upstream; all on loopback; one client, sequential requests.\n\n"
              f"{header}{rows}")
    write_section(args.out, "Shadow mode (bench/bench_shadow.py)", report)
    print(report)


if __name__ == "__main__":
    main()
