"""/healthz and /readyz as a load balancer sees them: ready while the store answers and CallFire v2
is reachable, 503 naming what is not while either is gone, ready again once it is back."""
from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from bridge.cli import free_port
from conftest import serve
from ops_fixtures import Simulator, wait_for


@pytest.fixture
def upstream() -> Simulator:
    simulator = Simulator(free_port())
    simulator.start()
    yield simulator
    simulator.stop()


def readiness(base_url: str) -> tuple[int, dict]:
    response = httpx.get(base_url + "/readyz", timeout=10)
    return response.status_code, response.json()


def settled(base_url: str, status: int) -> list[dict]:
    """The bodies of /readyz once several answers in a row have `status` (each worker caches its own
    answer for a second, and a request may reach either worker)."""
    bodies: list[dict] = []

    def steady() -> bool:
        answers = [readiness(base_url) for _ in range(6)]
        bodies[:] = [body for _, body in answers]
        return all(code == status for code, _ in answers)

    wait_for(steady, f"/readyz to answer {status}")
    return bodies


def test_readyz_follows_the_store_and_v2(tmp_path: Path, upstream: Simulator) -> None:
    for bridge in serve(tmp_path, "--upstream", upstream.upstream):
        assert httpx.get(bridge.base_url + "/healthz").json() == {"status": "ok"}
        assert httpx.get(bridge.base_url + "/health").json()["upstream"] == upstream.upstream
        assert readiness(bridge.base_url) == (200, {"status": "ready"})

        upstream.stop()
        for body in settled(bridge.base_url, 503):
            assert body["status"] == "not ready" and set(body["problems"]) == {"v2"}
            assert "not reachable" in body["problems"]["v2"]
        assert httpx.get(bridge.base_url + "/healthz").status_code == 200   # alive all the same

        upstream.start()
        settled(bridge.base_url, 200)

        store = tmp_path / "store.sqlite3"
        kept = store.rename(tmp_path / "store.sqlite3.kept")
        store.mkdir()   # where the store was, something SQLite cannot open
        for body in settled(bridge.base_url, 503):
            assert set(body["problems"]) == {"store"} and "RequestId store" in body["problems"]["store"]

        store.rmdir()
        os.replace(kept, store)
        settled(bridge.base_url, 200)
