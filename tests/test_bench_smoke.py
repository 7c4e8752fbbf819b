"""bench/bench_targets.py, run in its --quick mode: issue 13's table comes out whole, figures that parse,
its own section of bench/results.md replaced in place. The figures themselves are not judged here
(a loaded test machine says nothing about them): `make bench` is where they are read."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TITLE = "## Issue 13 targets: bridge vs direct CallFire v2 (bench/bench_targets.py)"


# Every row of issue 13's table, and whether it carries a target (so a met yes/no) and a direct figure.
ROWS = {
    "GetCall p50": (False, True),
    "GetCall p50 added by the bridge": (True, False),
    "GetCall hop alone (bridge GET /health p50)": (False, False),
    "GetCall bridge own work (Server-Timing bridge)": (False, False),
    "GetCall v2 as seen by the bridge (Server-Timing v2) vs direct": (False, True),
    "QueryCalls 1000 p50 vs one limit=1000 request": (True, True),
    "QueryCalls 1000 p50 vs ten pages of 100": (False, True),
    "QueryCalls 1000 bridge own work (Server-Timing bridge)": (True, False),
    "spyne gc.collect() calls per second (in-process, QueryCalls 1000)": (True, False),
    "CPython's full collections per QueryCalls 1000 (in-process, heap settled as in a worker)": (False, False),
    "throughput GetCall, 8 clients": (True, True),
    "throughput GetCall, 16 clients": (True, True),
    "throughput GetCall, 32 clients": (True, True),
    "CPU per GetCall (bridge: its workers; direct: the simulator)": (True, True),
    "throughput QueryCalls 100, 8 clients": (True, True),
    "RSS peak per worker, 1000-call pages, 8 clients": (True, False),
    "cost growth per call, MaxResults 10 -> 1000": (True, True),
    "GetCall p50 with 50 ms v2 latency": (True, True),
}
SPLIT = ("translate", "write", "JSON decode")  # the own-work parts, from Server-Timing or in-process
NUMBER = re.compile(r"^-?\d+(\.\d+)? (ms|req/s|MB|/s)$")


def table(section: str) -> dict[str, list[str]]:
    lines = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| figure")]
    return {cells[0]: cells[1:] for cells in ([c.strip() for c in line.strip("|").split("|")] for line in lines)}


def test_quick_run_reports_every_row_of_issue_13(tmp_path: Path) -> None:
    assert shutil.which("wrk"), "bench_targets needs wrk: `make bench-deps` installs it (`make test` does)"
    results = tmp_path / "results.md"
    results.write_text(f"## Another bench\n\nkept as it is\n\n{TITLE}\n\nan older run\n")
    done = subprocess.run([sys.executable, "bench/bench_targets.py", "--quick", "--out", str(results)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]

    text = results.read_text()
    assert text.startswith("## Another bench\n\nkept as it is\n")
    assert text.count(TITLE) == 1 and "an older run" not in text
    section = text.split(TITLE, 1)[1]
    assert re.search(r"Targets met: \d+ of 12\.", section)
    rows = table(section)
    for figure, (has_target, has_direct) in ROWS.items():
        assert figure in rows, f"missing row: {figure}"
        bridge, direct, ratio, target, met = rows[figure]
        assert NUMBER.match(bridge), (figure, bridge)
        assert (NUMBER.match(direct) is not None) == has_direct, (figure, direct)
        assert (re.fullmatch(r"-?\d+\.\d+×", ratio) is not None) == has_direct, (figure, ratio)
        assert (met in ("yes", "no")) == has_target and (target != "—") == has_target, (figure, target, met)
    for part in SPLIT:
        [figure] = [name for name in rows if name.startswith(f"QueryCalls 1000 own work: {part} (")]
        assert NUMBER.match(rows[figure][0]), (figure, rows[figure])
    assert re.search(r"targets met: \d+ of 12", done.stdout)  # the printed table


FLOOR_ROWS = ("simulator answering GET /v2/calls/9652 directly", "hop: gunicorn + waitress, fixed 1 KB answer",
              "hop + one httpx GET to the simulator, body passed through", "the same, 1 thread per worker",
              "hop + the same GET, one httpx.Client per thread",
              "hop + the same GET with http.client (a connection per thread)",
              "bridge GetCall (callfire-bridge serve)")


def test_floor_run_reports_every_server_with_a_rate_and_a_cpu_figure(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    done = subprocess.run([sys.executable, "bench/bench_floor.py", "--seconds", "1", "--out", str(results)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    section = results.read_text().split("## The serving stack's floor (bench/bench_floor.py)", 1)[1]
    rows = {cells[0]: cells[1:] for cells in ([c.strip() for c in line.strip("|").split("|")]
                                             for line in section.splitlines() if line.startswith("| ")
                                             and not line.startswith("| server"))}
    for name in FLOOR_ROWS:
        rate, cpu, latency, added = rows[name]
        assert float(rate) > 0 and float(cpu) > 0 and float(latency) > 0, (name, rate, cpu, latency)
        assert (added == "—") == (name == FLOOR_ROWS[0]), (name, added)
        if added != "—":
            assert float(added) == pytest.approx(float(latency) - float(rows[FLOOR_ROWS[0]][2]), abs=0.011)
