"""`callfire-bridge compare` with the legacy v1.1 simulator as the primary and the live bridge as the
candidate: two independent readings of the v1.1 contract over the same seed, so every difference
the mapping tables do not explain is a misreading on one side (`make compare` runs the same).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.cli import main
from bridge.compare.scenario import load
from bridge.legacy import RunningLegacy, create_app, start_in_thread
from contract_check import ContractCheck, ContractChecker

SERVED_READS = Path(__file__).resolve().parents[1] / "docs" / "scenarios" / "served-reads.yaml"


@pytest.fixture(scope="module")
def legacy(contract_checker: ContractChecker) -> Iterator[RunningLegacy]:
    """The legacy simulator in a thread; its answers are checked against the 2014 XSD too."""
    running = start_in_thread(app=ContractCheck(create_app(), contract_checker))
    yield running
    running.stop()


def compare(tmp_path: Path, legacy: RunningLegacy, bridge_url: str, scenario: Path, *extra: str) -> tuple[int, dict]:
    report = tmp_path / "report.json"
    status = main(["compare", "--primary", legacy.base_url, "--candidate", bridge_url,
                   "--primary-auth", "compare-legacy:pw", "--report-json", str(report), *extra, str(scenario)])
    return status, json.loads(report.read_text())


def unexplained(report: dict) -> list[str]:
    return [f"{o['name']}: {d['kind']} {d['path']}: {d['primary']!r} -> {d['candidate']!r}"
            for o in report["outcomes"] for d in o["differences"] if d["unexplained"]]


def test_the_legacy_simulator_and_the_bridge_agree_on_every_served_read(legacy, live, tmp_path: Path) -> None:
    status, report = compare(tmp_path, legacy, live.base_url, SERVED_READS)
    assert unexplained(report) == []
    assert status == 0
    assert sum(report["totals"].values()) == len(load(SERVED_READS)) and "error" not in report["totals"]


def test_reads_of_seed_data_through_it_and_through_the_bridge_agree(legacy, live, tmp_path: Path) -> None:
    """The documentation's call and batch, and a voice broadcast with a schedule, are the same
    through either, apart from the broadcast's creation time, which v2 does not report."""
    scenario = tmp_path / "seed.yaml"
    scenario.write_text("requests:\n"
                        "  - {operation: GetCall, fields: {Id: 9652}}\n"
                        "  - {operation: GetBroadcast, fields: {Id: 101}}\n"
                        "  - {operation: GetContactBatch, fields: {Id: 331}}\n")
    status, report = compare(tmp_path, legacy, live.base_url, scenario, "--ignore", "VoiceBroadcastConfig/Created")
    assert (status, [o["status"] for o in report["outcomes"]]) == (0, ["same", "same", "same"])
