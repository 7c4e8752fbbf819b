"""Prometheus /metrics of `callfire-bridge serve`: one scrape counts every worker's requests
(multiprocess mode), by v1.1 operation and fault code, and v2 latencies by path template."""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bridge.observability.instrument import path_template
from conftest import serve
from ops_fixtures import NO_SUCH_CALL, SEED_CALL, get_call, wait_for


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition text (0 when absent)."""
    wanted = {f'{key}="{value}"' for key, value in labels.items()}
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match and set(filter(None, (match.group(1) or "").split(","))) == wanted:
            return float(match.group(2))
    return 0.0


def workers_counting_getcalls(metrics_dir: Path) -> set[str]:
    """The pids whose own metric file (prometheus-client's multiprocess mode) counts a GetCall."""
    from prometheus_client.mmap_dict import MmapedDict
    pids = set()
    for path in metrics_dir.glob("counter_*.db"):
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path)):
            _, name, labels, _ = json.loads(key)
            if name == "callfire_bridge_requests_total" and labels.get("operation") == "GetCall" and value > 0:
                pids.add(path.stem.rpartition("_")[2])
    return pids


def test_one_scrape_counts_both_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    metrics_dir = tmp_path / "metrics"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
    for bridge in serve(tmp_path):
        sent = {"ok": 0, "fault": 0}

        def batch() -> bool:
            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda i: get_call(bridge.base_url, SEED_CALL if i % 2 else NO_SUCH_CALL),
                                        range(16)))
            assert all(a.status_code in (200, 500) for a in answers)
            sent["ok"] += sum(a.status_code == 200 for a in answers)
            sent["fault"] += sum(a.status_code == 500 for a in answers)
            return len(workers_counting_getcalls(metrics_dir)) >= 2

        wait_for(batch, "both workers to serve some of the requests")
        for _ in range(3):   # whichever worker answers the scrape, it reports the whole bridge
            text = httpx.get(bridge.base_url + "/metrics").text
            assert sample(text, "callfire_bridge_requests_total", operation="GetCall") == sent["ok"] + sent["fault"]
            assert sample(text, "callfire_bridge_faults_total", operation="GetCall", code="NOT_FOUND") == sent["fault"]
            assert sample(text, "callfire_bridge_request_duration_seconds_count",
                          operation="GetCall") == sent["ok"] + sent["fault"]
            assert sample(text, "callfire_bridge_v2_request_duration_seconds_count",
                          method="GET", path="/calls/{id}") == sent["ok"] + sent["fault"]
            assert str(SEED_CALL) not in text and str(NO_SUCH_CALL) not in text   # no ids in labels
            assert sample(text, "callfire_bridge_postback_deliveries", status="dead") == 0


def test_a_request_refused_before_naming_an_operation_counts_as_unknown(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    for bridge in serve(tmp_path):
        response = httpx.post(bridge.base_url + "/api/1.1/soap12/call", content=b"<x/>",
                              headers={"Content-Type": "application/soap+xml"})
        assert response.status_code == 401
        text = httpx.get(bridge.base_url + "/metrics").text
        assert sample(text, "callfire_bridge_faults_total", operation="unknown", code="FORBIDDEN") == 1


@pytest.mark.parametrize(("method", "path", "template"), [
    ("GET", "/calls/9652", "/calls/{id}"),
    ("GET", "/calls", "/calls"),
    ("POST", "/calls/broadcasts/17/start", "/calls/broadcasts/{id}/start"),
    ("GET", "/no/such/endpoint/5", "other"),
])
def test_v2_paths_are_labelled_by_template(method: str, path: str, template: str) -> None:
    assert path_template(method, path) == template
