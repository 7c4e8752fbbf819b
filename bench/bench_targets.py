"""Issue 13's table, every row measured in ONE run: the bridge and CallFire v2 (the simulator) side by side.

    .venv/bin/python bench/bench_targets.py [--repeats 3] [--seconds 8] [--quick] [--out bench/results.md]

Starts `callfire-bridge serve` (gunicorn, 2 worker processes x 4 threads, the simulator as its own
process, postback polling off as against real CallFire) on loopback. "direct" is the same request
straight to the simulator. Each figure is the median of `--repeats` repeats; in each repeat:

- latency, one keep-alive httpx client per side, the sides' requests interleaved so drift hits them
  alike: GetCall (and the bridge's /health: the hop alone; its Server-Timing: own work and v2 as it
  sees it), QueryCalls MaxResults 10 and 1000 (direct: limit=10, limit=1000, ten pages of 100), and
  GetCall again with 50 ms of latency injected into v2 (the simulator's /__sim/faults, both sides);
- throughput with wrk (bench/wrk.py; one wrk thread, its own CPU reported): GetCall with 8, 16, 32
  connections, QueryCalls MaxResults=100 with 8; the bridge workers' CPU from /proc per GetCall.

Then, once: the workers' peak RSS after 8 connections of QueryCalls MaxResults=1000, and, in-process,
whether spyne still runs gc.collect(), the time in CPython's full collections, and (unless the bridge's Server-Timing names them: `translate`,
`write`, `json`) the split of its own work on 1000 calls. Writes its section of bench/results.md and
prints the table. Numbers are wall-clock on a machine the load generator shares; read the ratios.
"""
from __future__ import annotations

import argparse
import base64
import gc
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

import procstat
import wrk
from results_file import write_section
from served import Served, running_bridge

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Issue 13 targets: bridge vs direct CallFire v2 (bench/bench_targets.py)"
LOGIN, PASSWORD = "bench", "bench"
SLOW_LOGIN = "bench-slow"  # the account whose v2 requests get the injected latency
AUTHORIZATION = "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
SOAP_PATH = "/api/1.1/soap12/call"
SOAP_HEADERS = {"Content-Type": "application/soap+xml; charset=utf-8"}
SOAP = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:s="http://api.callfire.com/service/xsd"><e:Body>{}</e:Body></e:Envelope>')
GET_CALL = SOAP.format("<s:GetCall><s:Id>9652</s:Id></s:GetCall>").encode()
CAMPAIGN = 500  # the simulator's paging campaign: 1200 calls
NAN = float("nan")


def query_calls(max_results: int) -> bytes:
    return SOAP.format(f"<s:QueryCalls><s:MaxResults>{max_results}</s:MaxResults>"
                       f"<s:BroadcastId>{CAMPAIGN}</s:BroadcastId></s:QueryCalls>").encode()


@dataclass(frozen=True)
class Target:
    on: str        # "bridge" (the bridge's figure) or "ratio" (bridge / direct)
    op: str        # "<=" or ">="
    limit: float
    text: str

    def met(self, bridge: float, ratio: float | None) -> bool:
        value = bridge if self.on == "bridge" else ratio
        return value is not None and (value <= self.limit if self.op == "<=" else value >= self.limit)


@dataclass(frozen=True)
class Row:
    figure: str
    unit: str
    bridge: float
    direct: float | None = None
    target: Target | None = None

    @property
    def ratio(self) -> float | None:
        return self.bridge / self.direct if self.direct else None

    def cells(self) -> tuple[str, ...]:
        ratio = self.ratio
        return (self.figure, f"{self.bridge:.{digits(self.bridge)}f} {self.unit}",
                "—" if self.direct is None else f"{self.direct:.{digits(self.direct)}f} {self.unit}",
                "—" if ratio is None else f"{ratio:.2f}×",
                self.target.text if self.target else "—",
                "—" if self.target is None else ("yes" if self.target.met(self.bridge, ratio) else "no"))


def digits(value: float) -> int:
    return 3 if abs(value) < 0.1 else 2 if abs(value) < 100 else 0


HEADER = ("figure", "bridge", "direct", "bridge/direct", "target", "met")


# --- the bridge under test -----------------------------------------------------------------------

@dataclass(frozen=True)
class Bridge(Served):
    workers: list[int]   # gunicorn worker pids
    simulator: int       # the simulator's pid

    def deepest_queue(self) -> int:
        """The most requests waitress ever had waiting for a worker thread (its warnings), 0 if never."""
        return max(map(int, re.findall(r"Task queue depth is (\d+)", self.log.read_text())), default=0)


@contextmanager
def measured_bridge(folder: Path) -> Iterator[Bridge]:
    """The bridge, 4 threads a worker, postback polling off (as against real CallFire), and its processes."""
    with running_bridge(folder, "--threads", "4", "--postback-poll", "off") as served:
        for _ in range(100):  # gunicorn forks its workers after the simulator started
            kids = procstat.children(served.pid)
            workers = [pid for pid in kids if "bridge.sim" not in procstat.command_line(pid)]
            if len(workers) == 2:
                break
            time.sleep(0.1)
        else:
            raise SystemExit(f"expected 2 gunicorn workers, found {workers}")
        simulator = next(pid for pid in kids if "bridge.sim" in procstat.command_line(pid))
        yield Bridge(served.base, served.upstream, served.pid, served.log, workers, simulator)


def server_timing(header: str) -> dict[str, float]:
    """`v2;dur=1.2;desc="v2 calls", bridge;dur=0.4` -> {"v2": 1.2, "bridge": 0.4}."""
    return {name: float(dur) for name, dur in re.findall(r"([\w-]+);dur=([\d.]+)", header)}


# --- latency: sequential requests, sides interleaved ---------------------------------------------

class Sides:
    """One keep-alive client per side; each request's wall time (ms) and the bridge's Server-Timing."""

    def __init__(self, bridge: Bridge, login: str = LOGIN) -> None:
        auth = (login, PASSWORD)
        self.soap = httpx.Client(base_url=bridge.base, auth=auth, headers=SOAP_HEADERS, timeout=60)
        self.v2 = httpx.Client(base_url=bridge.upstream, auth=auth, timeout=60)
        self.timings: dict[str, list[dict[str, float]]] = {}

    def bridge(self, name: str, payload: bytes) -> Callable[[], None]:
        self.timings[name] = []

        def call() -> None:
            response = self.soap.post(SOAP_PATH, content=payload)
            response.raise_for_status()
            # No header (or no part of that name) is a NaN figure: "nan" in the table, never a target met.
            self.timings[name].append(server_timing(response.headers.get("server-timing", "")))
        return call

    def direct(self, path: str, **params: object) -> Callable[[], None]:
        return lambda: self.v2.get(path, params=params).raise_for_status()

    def close(self) -> None:
        self.soap.close()
        self.v2.close()


def interleaved(calls: dict[str, Callable[[], None]], rounds: int, warmup: int = 3) -> dict[str, list[float]]:
    for call in calls.values():
        for _ in range(warmup):
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - start) * 1000)
    return samples


def latency_repeat(bridge: Bridge, rounds: int) -> dict[str, float]:
    """One repeat of every sequential figure (p50s, ms)."""
    sides = Sides(bridge)
    try:
        # A third of the rounds unmeasured first: just after start-up both sides ran slower for a few
        # hundred requests (the direct side as much as the bridge: the machine, not a cache filling).
        get = interleaved({"bridge": sides.bridge("GetCall", GET_CALL), "direct": sides.direct("/calls/9652"),
                           "health": lambda: sides.soap.get("/health").raise_for_status()}, rounds,
                          warmup=max(3, rounds // 3))
        get_timing = sides.timings["GetCall"][-rounds:]

        def ten_pages() -> None:
            for offset in range(0, 1000, 100):
                sides.v2.get("/calls", params={"campaignId": CAMPAIGN, "limit": 100,
                                               "offset": offset}).raise_for_status()
        pages = max(3, rounds // 20)
        query = interleaved({"bridge 1000": sides.bridge("QueryCalls 1000", query_calls(1000)),
                             "direct 1000": sides.direct("/calls", campaignId=CAMPAIGN, limit=1000),
                             "direct 10x100": ten_pages,
                             "bridge 10": sides.bridge("QueryCalls 10", query_calls(10)),
                             "direct 10": sides.direct("/calls", campaignId=CAMPAIGN, limit=10)}, pages)
        query_timing = sides.timings["QueryCalls 1000"][-pages:]
    finally:
        sides.close()
    figures = {f"GetCall {side}": statistics.median(values) for side, values in get.items()}
    figures |= {f"QueryCalls {side}": statistics.median(values) for side, values in query.items()}
    figures["GetCall own"] = statistics.median(t.get("bridge", NAN) for t in get_timing)
    figures["GetCall v2 seen"] = statistics.median(t.get("v2", NAN) for t in get_timing)
    for part in ("bridge", *sorted({name for t in query_timing for name in t} - {"bridge", "v2"})):
        figures[f"QueryCalls 1000 timing {part}"] = statistics.median(t.get(part, NAN) for t in query_timing)
    figures |= slow_upstream_repeat(bridge, max(5, rounds // 10))
    return figures


def slow_upstream_repeat(bridge: Bridge, rounds: int) -> dict[str, float]:
    """GetCall with 50 ms of latency injected into every v2 request of SLOW_LOGIN's account."""
    fault = {"kind": "latency", "seconds": 0.05, "login": SLOW_LOGIN}
    httpx.post(bridge.sim_root + "/__sim/faults", json=fault).raise_for_status()
    sides = Sides(bridge, SLOW_LOGIN)
    try:
        samples = interleaved({"bridge": sides.bridge("GetCall", GET_CALL),
                               "direct": sides.direct("/calls/9652")}, rounds, warmup=1)
    finally:
        sides.close()
        httpx.delete(bridge.sim_root + "/__sim/faults", params={"login": SLOW_LOGIN}).raise_for_status()
    return {f"GetCall 50ms {side}": statistics.median(values) for side, values in samples.items()}


# --- throughput: wrk ------------------------------------------------------------------------------

def soap_load(bridge: Bridge, payload: bytes) -> tuple[str, str]:
    return bridge.base + SOAP_PATH, wrk.script("POST", {**SOAP_HEADERS, "Authorization": AUTHORIZATION}, payload)


def direct_load(bridge: Bridge, path: str) -> tuple[str, str]:
    return bridge.upstream + path, wrk.script("GET", {"Authorization": AUTHORIZATION})


def throughput_repeat(bridge: Bridge, seconds: int, client_cpu: list[float]) -> dict[str, float]:
    """req/s per side and connection count, and CPU ms per request (bridge workers; the simulator for direct)."""
    figures: dict[str, float] = {}
    cpu: dict[str, list[tuple[float, int]]] = {"bridge": [], "direct": []}
    scenarios = [(f"GetCall {n}", n, soap_load(bridge, GET_CALL), direct_load(bridge, "/calls/9652"))
                 for n in (8, 16, 32)]
    scenarios.append(("QueryCalls100 8", 8, soap_load(bridge, query_calls(100)),
                      direct_load(bridge, f"/calls?campaignId={CAMPAIGN}&limit=100")))
    for name, connections, *loads in scenarios:
        for side, (url, lua), pids in zip(("bridge", "direct"), loads, (bridge.workers, [bridge.simulator])):
            before = procstat.cpu_seconds(pids)
            load = wrk.run(url, lua, connections=connections, seconds=seconds)
            used = procstat.cpu_seconds(pids) - before
            if load.errors or not load.requests:
                raise RuntimeError(f"{name} {side}: {load.errors} failed requests of {load.requests}")
            figures[f"{name} {side}"] = load.per_second
            client_cpu.append(load.client_cpu / load.requests * 1000)
            if name.startswith("GetCall"):
                cpu[side].append((used, load.requests))
    for side, runs in cpu.items():
        figures[f"GetCall cpu {side}"] = sum(u for u, _ in runs) / sum(n for _, n in runs) * 1000
    return figures


def peak_rss(bridge: Bridge, seconds: int) -> float:
    """The largest worker's peak RSS (MB) once 8 connections asked for 1000-call pages."""
    url, lua = soap_load(bridge, query_calls(1000))
    load = wrk.run(url, lua, connections=8, seconds=max(seconds, 5))  # long enough for pages to finish
    if load.errors or not load.requests:
        raise RuntimeError(f"QueryCalls 1000 under load: {load.errors} failed of {load.requests}")
    return max(procstat.peak_rss_mb(pid) for pid in bridge.workers)


# --- in-process: spyne's gc.collect() and the split of the bridge's own work ------------------------

def collections(seconds: float) -> tuple[float, float]:
    """While the in-process bridge answers QueryCalls 1000 back to back, its heap settled as a worker's
    (bridge.wsgi.settle_heap): gc.collect() calls per second (spyne's), and ms per request spent in
    CPython's own full (generation 2) collections."""
    from bridge.config import Settings
    from bridge.sim.app import create_app as create_sim
    from bridge.wsgi import create_app as create_bridge, settle_heap

    with tempfile.TemporaryDirectory() as folder:
        app = create_bridge(Settings(store_path=Path(folder) / "store.sqlite3", time_zone="UTC"),
                            upstream="http://sim/v2", transport=httpx.WSGITransport(app=create_sim()))
        client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://bridge",
                              auth=(LOGIN, PASSWORD), headers=SOAP_HEADERS)
        client.post(SOAP_PATH, content=query_calls(1000)).raise_for_status()  # warm: layouts compiled
        settle_heap()
        calls, full, began = 0, 0.0, 0.0
        collect = gc.collect

        def counted(*args: int) -> int:
            nonlocal calls
            calls += 1
            return collect(*args)

        def timed(phase: str, info: dict[str, int]) -> None:
            nonlocal full, began
            if info["generation"] == 2:
                if phase == "start":
                    began = time.perf_counter()
                else:
                    full += time.perf_counter() - began
        gc.collect = counted
        gc.callbacks.append(timed)
        requests = 0
        try:
            start = time.perf_counter()
            while time.perf_counter() - start < seconds:
                client.post(SOAP_PATH, content=query_calls(1000)).raise_for_status()
                requests += 1
            elapsed = time.perf_counter() - start
        finally:
            gc.collect = collect
            gc.callbacks.remove(timed)
            gc.unfreeze()
    return calls / elapsed, full * 1000 / requests


def own_work_split(rounds: int) -> dict[str, float]:
    """The bridge's own work on 1000 v2 calls, in-process by the code path it serves QueryCalls with
    (ms, medians): decoding v2's JSON, translating to v1.1 values, writing the CallQueryResult."""
    from zoneinfo import ZoneInfo

    from bridge.mappings import load
    from bridge.sim.app import create_app
    from bridge.soap.writer import SVC, write_element
    from bridge.translate.convert import Conversions
    from bridge.translate.engine import response_writer
    from bridge.v2.client import decode_json
    from bridge.wsgi import settle_heap

    sim = httpx.Client(transport=httpx.WSGITransport(app=create_app()), base_url="http://sim", auth=(LOGIN, PASSWORD))
    raw = sim.get("/v2/calls", params={"campaignId": CAMPAIGN, "limit": 1000}).content
    conv = Conversions(ZoneInfo("UTC"), load().enums)
    writer = response_writer("QueryCalls")
    write_element(SVC, "CallQueryResult", writer(decode_json(raw), conv), conv.contract)  # layouts compiled
    settle_heap()   # as in a worker: the collector's full passes are not the work measured
    parts: dict[str, list[float]] = {"json": [], "translate": [], "write": []}
    for _ in range(rounds):
        start = time.perf_counter()
        page = decode_json(raw)
        decoded = time.perf_counter()
        value = writer({"items": page["items"], "totalCount": 1200}, conv)
        translated = time.perf_counter()
        write_element(SVC, "CallQueryResult", value, conv.contract)
        written = time.perf_counter()
        for part, seconds in (("json", decoded - start), ("translate", translated - decoded),
                              ("write", written - translated)):
            parts[part].append(seconds * 1000)
    gc.unfreeze()
    return {part: statistics.median(values) for part, values in parts.items()}


def in_process_split(rounds: int) -> dict[str, tuple[float, str]]:
    """own_work_split, or "n/a" figures (NaN) when the bridge's internals it calls have changed, so the
    minutes already measured still make a table."""
    try:
        return {part: (ms, "in-process") for part, ms in own_work_split(rounds).items()}
    except (ImportError, AttributeError, TypeError, KeyError) as exc:
        print(f"in-process split of the own work failed ({type(exc).__name__}: {exc}); report the parts "
              "in the bridge's Server-Timing as translate, write and json", file=sys.stderr)
        return {part: (NAN, "in-process: n/a") for part in ("translate", "write", "json")}


# --- the table ------------------------------------------------------------------------------------

def table_rows(f: dict[str, float], rss: float, collected: tuple[float, float],
               split: dict[str, tuple[float, str]]) -> list[Row]:
    slope = {side: (f[f"QueryCalls {side} 1000"] - f[f"QueryCalls {side} 10"]) / 990 for side in ("bridge", "direct")}
    rows = [
        Row("GetCall p50", "ms", f["GetCall bridge"], f["GetCall direct"]),
        Row("GetCall p50 added by the bridge", "ms", f["GetCall bridge"] - f["GetCall direct"],
            target=Target("bridge", "<=", 1.0, "≤ 1.0 ms")),
        Row("GetCall hop alone (bridge GET /health p50)", "ms", f["GetCall health"]),
        Row("GetCall bridge own work (Server-Timing bridge)", "ms", f["GetCall own"]),
        Row("GetCall v2 as seen by the bridge (Server-Timing v2) vs direct", "ms", f["GetCall v2 seen"],
            f["GetCall direct"]),
        Row("QueryCalls 1000 p50 vs one limit=1000 request", "ms", f["QueryCalls bridge 1000"],
            f["QueryCalls direct 1000"], Target("ratio", "<=", 2.5, "≤ 2.50×")),
        Row("QueryCalls 1000 p50 vs ten pages of 100", "ms", f["QueryCalls bridge 1000"],
            f["QueryCalls direct 10x100"]),
        Row("QueryCalls 1000 bridge own work (Server-Timing bridge)", "ms", f["QueryCalls 1000 timing bridge"],
            target=Target("bridge", "<=", 20.0, "≤ 20 ms")),
    ]
    rows += [Row(f"QueryCalls 1000 own work: {label} ({split[part][1]})", "ms", split[part][0])
             for part, label in (("translate", "translate"), ("write", "write"), ("json", "JSON decode"))]
    rows += [Row(f"QueryCalls 1000 own work: {part} (Server-Timing)", "ms", f[f"QueryCalls 1000 timing {part}"])
             for part in sorted(k.removeprefix("QueryCalls 1000 timing ") for k in f
                                if k.startswith("QueryCalls 1000 timing "))
             if part not in ("bridge", "translate", "write", "json")]
    rows.append(Row("spyne gc.collect() calls per second (in-process, QueryCalls 1000)", "/s",
                    collected[0], target=Target("bridge", "<=", 0.0, "0 (no periodic full collection)")))
    rows.append(Row("CPython's full collections per QueryCalls 1000 (in-process, heap settled as in a worker)", "ms",
                    collected[1]))
    rows += [Row(f"throughput GetCall, {n} clients", "req/s", f[f"GetCall {n} bridge"], f[f"GetCall {n} direct"],
                 Target("ratio", ">=", 0.35, "≥ 0.35×")) for n in (8, 16, 32)]
    rows += [
        Row("CPU per GetCall (bridge: its workers; direct: the simulator)", "ms", f["GetCall cpu bridge"],
            f["GetCall cpu direct"], Target("bridge", "<=", 0.8, "≤ 0.8 ms")),
        Row("throughput QueryCalls 100, 8 clients", "req/s", f["QueryCalls100 8 bridge"], f["QueryCalls100 8 direct"],
            Target("ratio", ">=", 0.75, "≥ 0.75×")),
        Row("RSS peak per worker, 1000-call pages, 8 clients", "MB", rss,
            target=Target("bridge", "<=", 150, "≤ 150 MB")),
        Row("cost growth per call, MaxResults 10 -> 1000", "ms", slope["bridge"], slope["direct"],
            Target("bridge", "<=", 0.04, "≤ 0.04 ms per call")),
        Row("GetCall p50 with 50 ms v2 latency", "ms", f["GetCall 50ms bridge"], f["GetCall 50ms direct"],
            Target("ratio", "<=", 1.05, "≤ 1.05×")),
    ]
    return rows


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---:|---:|---:|---|---|"]
    return "\n".join(lines + ["| " + " | ".join(row.cells()) + " |" for row in rows]) + "\n"


def print_table(rows: list[Row], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for name in HEADER:
        table.add_column(name, justify="left" if name in ("figure", "target") else "right")
    for row in rows:
        cells = list(row.cells())
        cells[-1] = {"yes": "[green]yes[/]", "no": "[red]no[/]"}.get(cells[-1], cells[-1])
        table.add_row(*cells)
    console = Console()
    console.width = max(console.width, 150)  # piped output defaults to 80 columns
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=300, help="GetCall rounds per repeat (others scale from it)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 repeat, 1 s wrk runs, few rounds")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.seconds, args.rounds = 1, 1, 20
    if not wrk.available():
        raise SystemExit("wrk is not installed: `make bench-deps` (Debian package wrk)")

    started = time.monotonic()
    repeats: list[dict[str, float]] = []
    client_cpu: list[float] = []
    with tempfile.TemporaryDirectory() as folder, measured_bridge(Path(folder)) as bridge:
        for _ in range(args.repeats):
            repeats.append(latency_repeat(bridge, args.rounds) | throughput_repeat(bridge, args.seconds, client_cpu))
        rss = peak_rss(bridge, args.seconds)
        queue = bridge.deepest_queue()
    figures = {name: statistics.median(r[name] for r in repeats) for name in repeats[0]}
    timed = {part: (figures[f"QueryCalls 1000 timing {part}"], "Server-Timing")
             for part in ("translate", "write", "json") if f"QueryCalls 1000 timing {part}" in figures}
    if len(timed) < 3:
        timed = in_process_split(max(5, args.rounds // 20)) | timed
    rows = table_rows(figures, rss, collections(1.5 if args.quick else 3.0), timed)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    met = sum(1 for row in rows if row.target and row.target.met(row.bridge, row.ratio))
    report = (
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine}, {time.monotonic() - started:.0f} s; "
        f"bridge = `callfire-bridge serve` (gunicorn, 2 worker processes x 4 threads, postback polling off), "
        f"direct = the same request straight to the embedded simulator (its own process, waitress); all on loopback, "
        f"the load generator on the same cores. Medians of {args.repeats} repeat(s). Latency: one keep-alive httpx "
        f"client per side, the sides interleaved ({args.rounds} GetCall rounds a repeat, after "
        f"{max(3, args.rounds // 3)} unmeasured). Throughput: wrk, one "
        f"thread, {args.seconds} s a run, sides one after the other; wrk's own CPU was "
        f"{statistics.median(client_cpu):.3f} ms per request (median of its runs). CPU per GetCall: utime + stime "
        f"of the worker processes (direct: of the simulator) from /proc over the GetCall runs, per request. RSS: "
        f"the largest worker's VmHWM after wrk's 8 connections asked for 1000-call pages for {max(args.seconds, 5)} s. "
        f"Cost growth: (p50 at 1000 - p50 at 10) / 990. Deepest waitress queue (requests waiting for a worker "
        f"thread): {queue}. **Targets met: {met} of "
        f"{sum(1 for row in rows if row.target)}.**\n\n" + markdown(rows))
    write_section(args.out, TITLE, report)
    print_table(rows, f"Issue 13: targets met: {met} of {sum(1 for row in rows if row.target)}")


if __name__ == "__main__":
    main()
