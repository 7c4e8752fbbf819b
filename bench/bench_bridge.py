"""Bridge vs direct CallFire v2, measured in the same run against the same simulator.

    .venv/bin/python bench/bench_bridge.py [--rounds-scale 1.0] [--out bench/results.md]

Starts `callfire-bridge serve` (gunicorn, 2 waitress workers, the simulator as its own process) on
loopback, then times, with one keep-alive httpx client each side and rounds interleaved:
  GetCall                      vs GET /v2/calls/{id}   (and the bridge's /health: the hop alone)
  QueryCalls MaxResults=100    vs GET /v2/calls?limit=100
  QueryCalls MaxResults=1000   vs GET /v2/calls?limit=1000 (one request) and 10 x limit=100
and, in-process, the cost of turning 1000 v2 calls into CallQueryResult bytes.
Numbers are wall-clock on whatever machine runs it; README.md quotes one run. Writes its section of
bench/results.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from bridge.cli import free_port
from results_file import write_section

ROOT = Path(__file__).resolve().parent.parent
AUTH = ("bench", "bench")
SOAP = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:s="http://api.callfire.com/service/xsd"><e:Body>{}</e:Body></e:Envelope>')


def start_bridge(store: Path) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bridge.cli", "serve", "--port", str(port),
                                "--workers", "2", "--store", str(store), "--sim-clock", "frozen"],
                               stdout=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            return process, base, httpx.get(base + "/health").json()["upstream"]
        except (httpx.TransportError, ValueError):
            time.sleep(0.1)
    raise SystemExit("bridge did not start")


def timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def measure(pairs: dict[str, Callable[[], None]], rounds: int, warmup: int = 10) -> dict[str, list[float]]:
    for fn in pairs.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in pairs}
    for _ in range(rounds):  # interleaved, so drift hits every side alike
        for name, fn in pairs.items():
            samples[name].append(timed(fn))
    return samples


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def serialization(rounds: int) -> dict[str, list[float]]:
    from bridge.mappings import load
    from bridge.sim.app import create_app
    from bridge.soap.writer import SVC, write_element
    from bridge.translate.engine import response_writer
    from bridge.translate.convert import Conversions

    client = httpx.Client(transport=httpx.WSGITransport(app=create_app()), base_url="http://sim", auth=AUTH)
    items = client.get("/v2/calls", params={"campaignId": 500, "limit": 1000}).json()["items"]
    conv = Conversions(ZoneInfo("UTC"), load().enums)
    out: dict[str, list[float]] = {"translate 1000 calls (v2 JSON -> v1.1 values)": [],
                                   "serialize 1000-call CallQueryResult (bytes)": []}
    for _ in range(rounds):
        start = time.perf_counter()
        value = response_writer("QueryCalls")({"items": items, "totalCount": 1200}, conv)
        middle = time.perf_counter()
        write_element(SVC, "CallQueryResult", value, conv.contract)
        end = time.perf_counter()
        out["translate 1000 calls (v2 JSON -> v1.1 values)"].append((middle - start) * 1000)
        out["serialize 1000-call CallQueryResult (bytes)"].append((end - middle) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds-scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args()
    scale = args.rounds_scale

    with tempfile.TemporaryDirectory() as tmp:
        process, bridge, upstream = start_bridge(Path(tmp) / "store.sqlite3")
        try:
            soap = httpx.Client(base_url=bridge, auth=AUTH, headers={"Content-Type": "application/soap+xml"})
            v2 = httpx.Client(base_url=upstream, auth=AUTH)

            own_work: dict[Callable[[], None], list[float]] = {}  # the bridge's Server-Timing "bridge" part

            def bridge_call(body: str) -> Callable[[], None]:
                payload = SOAP.format(body).encode()

                def call() -> None:
                    response = soap.post("/api/1.1/soap12/call", content=payload)
                    response.raise_for_status()
                    timing = response.headers["server-timing"]
                    own_work[call].append(float(timing.split("bridge;dur=")[1].split(";")[0]))
                own_work[call] = []
                return call

            def direct(path: str, **params: object) -> Callable[[], None]:
                return lambda: v2.get(path, params=params).raise_for_status()

            def direct_paged() -> None:
                for offset in range(0, 1000, 100):
                    v2.get("/calls", params={"campaignId": 500, "limit": 100, "offset": offset}).raise_for_status()

            rows = []
            scenarios = [
                ("GetCall", int(400 * scale), {
                    "bridge": bridge_call("<s:GetCall><s:Id>9652</s:Id></s:GetCall>"),
                    "direct": direct("/calls/9652"),
                    # The same server, a trivial handler: what the extra HTTP hop alone costs.
                    "bridge GET /health (hop only)": lambda: soap.get("/health").raise_for_status()}),
                ("QueryCalls MaxResults=100", int(150 * scale), {
                    "bridge": bridge_call("<s:QueryCalls><s:MaxResults>100</s:MaxResults>"
                                          "<s:BroadcastId>500</s:BroadcastId></s:QueryCalls>"),
                    "direct": direct("/calls", campaignId=500, limit=100)}),
                ("QueryCalls MaxResults=1000", int(40 * scale), {
                    "bridge": bridge_call("<s:QueryCalls><s:MaxResults>1000</s:MaxResults>"
                                          "<s:BroadcastId>500</s:BroadcastId></s:QueryCalls>"),
                    "direct": direct("/calls", campaignId=500, limit=1000),
                    "direct, 10 pages of 100": direct_paged}),
            ]
            for name, rounds, pairs in scenarios:
                samples = measure(pairs, rounds)
                base = statistics.median(samples["direct"])
                for side, values in samples.items():
                    median = statistics.median(values)
                    rows.append((name, side, rounds, median, pct(values, 0.9),
                                 "" if side == "direct" else f"{median / base:.2f}x",
                                 "" if side == "direct" else f"{median - base:+.2f}"))
                for fn in pairs.values():
                    if fn not in own_work:
                        continue
                    values = own_work[fn][-rounds:]  # without the warm-up
                    rows.append((name, "bridge's own work (its Server-Timing)", len(values),
                                 statistics.median(values), pct(values, 0.9), "", ""))
        finally:
            os.killpg(process.pid, signal.SIGTERM)

    for name, values in serialization(int(30 * scale)).items():
        rows.append((name, "in-process", len(values), statistics.median(values), pct(values, 0.9), "", ""))

    header = ("| scenario | side | rounds | median ms | p90 ms | bridge/direct | added ms (median) |\n"
              "|---|---|---:|---:|---:|---:|---:|\n")
    table = header + "".join(f"| {n} | {s} | {r} | {m:.2f} | {p:.2f} | {ratio} | {added} |\n"
                             for n, s, r, m, p, ratio, added in rows)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    report = (f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine}; bridge = `serve` (gunicorn, 2 waitress "
              f"workers x 4 threads), upstream = the embedded simulator (waitress), all on loopback.\n\n{table}")
    write_section(args.out, "Bridge vs direct CallFire v2 (bench/bench_bridge.py)", report)
    print(report)


if __name__ == "__main__":
    main()
