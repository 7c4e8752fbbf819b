"""The envelope fuzzer of tests/test_envelope_fuzz.py, longer: 10,000 mutated envelopes against
the in-process bridge (the in-process simulator as its upstream).

    .venv/bin/python bench/fuzz_envelopes.py [--cases 10000] [--out bench/results.md]

Counts the answers by HTTP status and FaultCode, the internal errors and the answers that are not
SOAP envelopes (both must be 0), and the wall-clock seconds; writes its section of bench/results.md
and exits 1 if any answer was wrong (printing the first few).
"""
from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the mutations live with the suite's fuzzer

from envelope_fuzz import SVC, Seed, cases, problem  # noqa: E402
from results_file import write_section  # noqa: E402

from bridge.config import Settings  # noqa: E402
from bridge.sim.app import create_app as create_sim  # noqa: E402
from bridge.wsgi import create_app as create_bridge  # noqa: E402

AUTHORIZATION = "Basic ZnV6ejpmdXp6"  # fuzz:fuzz


def outcome(response: httpx.Response) -> str:
    if response.is_success:
        return f"{response.status_code} answer"
    try:
        code = etree.fromstring(response.content).findtext(f".//{SVC}FaultCode")
    except etree.XMLSyntaxError:
        code = None
    return f"{response.status_code} {code or 'no ServiceFaultInfo'}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args()
    transport = httpx.WSGITransport(app=create_sim())
    store = Path(tempfile.mkdtemp(prefix="fuzz-")) / "store.sqlite3"
    bridge = create_bridge(Settings(store_path=store), upstream="http://sim/v2", transport=transport)
    client = httpx.Client(transport=httpx.WSGITransport(app=bridge), base_url="http://bridge")
    outcomes: Counter[str] = Counter()
    wrong: list[str] = []

    @settings(max_examples=args.cases, phases=[Phase.generate], database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=cases())
    def run(case: tuple[Seed, bytes]) -> None:
        seed, envelope = case
        response = client.post("/api/1.1/soap12/call", content=envelope, headers={
            "Content-Type": seed.content_type, "Authorization": AUTHORIZATION})
        outcomes[outcome(response)] += 1
        found = problem(response)
        if found is not None:
            wrong.append(f"{seed.operation} SOAP {seed.version}: {found} <- {envelope[:200]!r}")

    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    total = sum(outcomes.values())
    internal = sum(1 for w in wrong if "internal error" in w)
    rows = "\n".join(f"| {name} | {count} |" for name, count in sorted(outcomes.items()))
    write_section(args.out, "Envelope fuzzing (bench/fuzz_envelopes.py)", f"""
Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, Python {platform.python_version()};
the in-process bridge and simulator; seeds: every served operation's zeep-built envelope, SOAP 1.2 and 1.1;
1-3 mutations each (another encoding, truncation, element renamed or dropped, random bytes, huge or random values).

| cases | internal errors | answers that are not SOAP envelopes, or faults without ServiceFaultInfo | seconds |
|---:|---:|---:|---:|
| {total} | {internal} | {len(wrong) - internal} | {seconds:.1f} |

| answer (HTTP status, FaultCode) | cases |
|---|---:|
{rows}
""")
    print(f"{total} cases in {seconds:.1f} s: {internal} internal errors, {len(wrong) - internal} other wrong answers")
    for line in wrong[:10]:
        print(line)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
