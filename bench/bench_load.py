"""A mixed PHP SoapClient + zeep load through the multi-worker bridge, then slow clients beside it.

    .venv/bin/python bench/bench_load.py [--seconds 60] [--php 2] [--zeep 2] [--out bench/results.md]

Starts `callfire-bridge serve` (2 worker processes, the simulator as its own process).  Each load
client (its own account) sends, one request after another: GetCall 40 %, QueryCalls MaxResults=100
30 %, SendCall 30 % with a RequestId, a quarter of those repeating the previous RequestId with the
same content (a client's retry).  Reported: requests/s, p50/p99 per operation, errors (must be 0),
and the writes checked against the simulator's broadcasts: one per RequestId answered (lost: an
answered RequestId without a broadcast; duplicated: more than one; mismatched: a repeat answered
another CreatedId).  Then bench/slow_clients.py's figures against the same server.  Writes its
section of bench/results.md; README.md quotes one run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from results_file import write_section
from served import running_bridge
from slow_clients import HEADER as SLOW_HEADER
from slow_clients import measure as measure_slow_clients

ROOT = Path(__file__).resolve().parent.parent
WSDL_PATH = "/api/1.1/wsdl/callfire-service-http-soap12.wsdl"
PASSWORD = "bench"


def php_client(base: str, login: str, seconds: float, results: list[dict]) -> None:
    done = subprocess.run(["php", "-d", "display_errors=stderr", str(ROOT / "bench" / "php_load.php"),
                           str(seconds), login], capture_output=True, text=True, timeout=seconds + 120,
                          env={**os.environ, "BRIDGE_WSDL": base + WSDL_PATH, "BRIDGE_LOGIN": login})
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0:
        lines.append({"client": "php", "op": "(process)", "ok": False, "ms": 0.0, "error": done.stderr[-300:]})
    results.extend({**line, "login": login} for line in lines)


def zeep_client(base: str, login: str, seconds: float, results: list[dict]) -> None:
    import requests
    import zeep
    session = requests.Session()
    session.auth = (login, PASSWORD)
    service = zeep.Client(base + WSDL_PATH, transport=zeep.Transport(session=session, timeout=60,
                                                                       operation_timeout=60)) \
        .bind("CallFireApi", "CallServicePort")
    end, writes, previous = time.monotonic() + seconds, 0, None
    i = 0
    while time.monotonic() < end:
        kind, line = i % 10, {"client": "zeep", "login": login}
        i += 1
        start = time.perf_counter()
        try:
            if kind < 4:
                line["op"] = "GetCall"
                service.GetCall(Id=9652)
            elif kind < 7:
                line["op"] = "QueryCalls"
                service.QueryCalls(MaxResults=100, BroadcastId=500)
            else:
                line["op"] = "SendCall"
                writes += 1
                rid = previous if writes % 4 == 0 and previous else f"{login}-{writes}"
                previous = line["request_id"] = rid
                line["created_id"] = service.SendCall(
                    RequestId=rid, BroadcastName=f"bench {rid}", ToNumber=[{"_value_1": "18185551212"}],
                    VoiceBroadcastConfig={"FromNumber": "13105551212", "AnsweringMachineConfig": "LIVE_IMMEDIATE",
                                          "LiveSoundId": 9})
            line["ok"] = True
        except Exception as exc:  # noqa: BLE001 - every failure is an error to count
            line.update(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
        line["ms"] = (time.perf_counter() - start) * 1000
        results.append(line)


def check_writes(sim: str, results: list[dict]) -> dict[str, int]:
    """Each answered RequestId against the broadcasts the simulator holds for its account."""
    answered: dict[tuple[str, str], set[int]] = {}
    for line in results:
        if line.get("op") == "SendCall" and line["ok"]:
            answered.setdefault((line["login"], line["request_id"]), set()).add(int(line["created_id"]))
    names: Counter[tuple[str, str]] = Counter()
    for login in {login for login, _ in answered}:
        offset = 0
        while True:
            page = httpx.get(f"{sim}/v2/calls/broadcasts", params={"limit": 100, "offset": offset},
                             auth=(login, PASSWORD)).json()
            names.update((login, item["name"].removeprefix("bench ")) for item in page["items"]
                         if item.get("name", "").startswith("bench "))
            offset += len(page["items"])
            if not page["items"]:
                break
    return {"RequestIds answered": len(answered),
            "broadcasts created": sum(names.values()),
            "lost": sum(1 for key in answered if names[key] == 0),
            "duplicated": sum(n - 1 for n in names.values() if n > 1),
            "mismatched CreatedIds": sum(1 for ids in answered.values() if len(ids) > 1)}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--php", type=int, default=2, help="PHP SoapClient processes")
    parser.add_argument("--zeep", type=int, default=2, help="zeep clients (threads)")
    parser.add_argument("--slow-seconds", type=float, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args()

    results: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp, running_bridge(Path(tmp)) as served:
        base, sim = served.base, served.sim_root
        run = f"{int(time.time())}"
        clients = [threading.Thread(target=php_client, args=(base, f"php{n}-{run}", args.seconds, results))
                   for n in range(args.php)]
        clients += [threading.Thread(target=zeep_client, args=(base, f"zeep{n}-{run}", args.seconds, results))
                    for n in range(args.zeep)]
        started = time.monotonic()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
        writes = check_writes(sim, results)
        slow = [measure_slow_clients(base, n, args.slow_seconds) for n in (0, 8, 16)]

    rows = []
    for op in ("GetCall", "QueryCalls", "SendCall"):
        for client in ("php", "zeep"):
            lines = [line for line in results if line["op"] == op and line["client"] == client]
            ms = [line["ms"] for line in lines if line["ok"]]
            rows.append(f"| {op} | {client} | {len(lines)} | {sum(not line['ok'] for line in lines)} | "
                        f"{pct(ms, 0.5):.1f} | {pct(ms, 0.99):.1f} |")
    errors = [line for line in results if not line["ok"]]
    all_ms = [line["ms"] for line in results if line["ok"]]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    report = (
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine}; bridge = `callfire-bridge serve` "
        f"(gunicorn, 2 worker processes, waitress with 4 threads each), the simulator as its own process, all on "
        f"loopback, with the load clients on the same machine. {args.php} PHP SoapClient processes and {args.zeep} "
        f"zeep clients, each its own account, one request after another for {args.seconds:g} s.\n\n"
        f"**{len(results)} requests in {elapsed:.1f} s: {len(results) / elapsed:.1f} requests/s; p50 "
        f"{pct(all_ms, 0.5):.1f} ms, p99 {pct(all_ms, 0.99):.1f} ms; errors {len(errors)}; writes: "
        + ", ".join(f"{k} {v}" for k, v in writes.items()) + "**\n\n"
        "| operation | client | requests | errors | p50 ms | p99 ms |\n|---|---|---:|---:|---:|---:|\n"
        + "\n".join(rows)
        + "\n\nSlow clients against the same server afterwards (bench/slow_clients.py: connections that sent headers "
          "with `Content-Length: 5000`, 6 bytes, then nothing; healthy GetCalls one after another, each a new "
          f"connection with a 5 s timeout, for {args.slow_seconds:g} s):\n\n" + SLOW_HEADER + "\n"
        + "\n".join(figures.row() for figures in slow) + "\n")
    if errors:
        report += "\nErrors:\n\n" + "\n".join(f"- {e['client']} {e['op']}: {e.get('error', '')}" for e in errors[:10])
    write_section(args.out, "Mixed load through the multi-worker bridge (bench/bench_load.py)", report)
    print(report)


if __name__ == "__main__":
    main()
