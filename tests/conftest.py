"""Shared fixtures: the simulator in-process and over HTTP, the bridge in-process and as
the real `callfire-bridge serve` (gunicorn, 2 workers, simulator process)."""
from __future__ import annotations

import base64
import functools
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import waitress
from hypothesis import settings

from bridge.cli import free_port
from bridge.config import Settings
from bridge.serving import run_in_thread
from contract_check import ContractCheck, ContractChecker, ContractCheckProxy
from pg_fixtures import backend, postgresql  # noqa: F401 - fixtures: the store tests run on SQLite and PostgreSQL

# No timed assertions in tests: hypothesis' default 200 ms deadline per example is one, and
# it flakes on a loaded 2-core machine.
settings.register_profile("bridge", deadline=None)
settings.load_profile("bridge")

# CallFire's contracts as the tests need them, structure only (tests/contracts/build.py writes them).
REFERENCE = Path(__file__).parent / "contracts"
CALLFIRE_2014 = REFERENCE / "v1.1-2014"  # CallFire's May 2014 v1.1 contract
WSDL_PATH = "/api/1.1/wsdl/callfire-service-http-soap12.wsdl"
SOAP11_WSDL_PATH = "/api/1.1/wsdl/callfire-service-http-soap11.wsdl"
LIVE_TIME_ZONE = "America/Los_Angeles"  # CallFire's own zone: the documentation shows -08:00


@functools.cache
def served_contract(contract: str) -> Path:
    """A folder holding the contract files exactly as the bridge serves them under `contract`
    ("2014" or "live"): zeep and xmlschema follow the files' relative imports on disk."""
    from bridge.contract.variants import Contract, served_files
    folder = Path(tempfile.mkdtemp(prefix=f"contract-{contract}-"))
    for name, payload in served_files(Contract(contract)).items():
        (folder / name).write_bytes(payload)
    return folder


def basic(login: str, password: str = "secret") -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


@pytest.fixture
def login() -> str:
    """A fresh simulator account per test: accounts are seeded alike and isolated."""
    return f"user-{uuid.uuid4().hex[:10]}"


@dataclass
class InProcess:
    """The bridge app over httpx.WSGITransport, its upstream the in-process simulator."""

    client: httpx.Client
    sim: object
    sim_client: httpx.Client

    def soap(self, body: str, *, login: str, version: str = "1.2", port: str = "call") -> httpx.Response:
        if version == "1.2":
            envelope = ('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
                        'xmlns:ns1="http://api.callfire.com/service/xsd" xmlns:d="http://api.callfire.com/data">'
                        f"<env:Body>{body}</env:Body></env:Envelope>")
            headers = {"Content-Type": "application/soap+xml; charset=utf-8"}
        else:
            envelope = ('<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
                        'xmlns:ns1="http://api.callfire.com/service/xsd" xmlns:d="http://api.callfire.com/data">'
                        f"<SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>")
            headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
        if login:
            headers["Authorization"] = basic(login)
        return self.client.post(f"/api/1.1/soap12/{port}", content=envelope.encode(), headers=headers)

    def sim_requests(self, login: str) -> list[dict]:
        return self.sim_client.get("/__sim/requests", params={"login": login}).json()["items"]


@pytest.fixture
def inproc(tmp_path: Path, contract_checker: ContractChecker) -> InProcess:
    yield from in_process(tmp_path, contract_checker)


def in_process(tmp_path: Path, contract_checker: ContractChecker,
               settings: Settings | None = None) -> Iterator[InProcess]:
    from bridge.sim.app import create_app as create_sim
    from bridge.wsgi import create_app as create_bridge

    sim = create_sim()
    sim_transport = httpx.WSGITransport(app=sim)
    settings = settings or Settings(store_path=tmp_path / "store.sqlite3", time_zone="UTC")
    bridge = create_bridge(settings, upstream="http://sim/v2", transport=sim_transport)
    client = httpx.Client(transport=httpx.WSGITransport(app=ContractCheck(bridge, contract_checker)),
                          base_url="http://bridge")
    sim_client = httpx.Client(transport=sim_transport, base_url="http://sim")
    yield InProcess(client, sim, sim_client)
    client.close()
    sim_client.close()


# Every v1.1 operation is served now; these two are served "as if not yet" (the `strategy` key
# taken out of their tables) to test what an operation without a strategy answers.
NOT_YET = ("DeleteLabel", "GetSubscription")


@pytest.fixture
def partial(tmp_path: Path, contract_checker: ContractChecker, monkeypatch: pytest.MonkeyPatch) -> InProcess:
    """The in-process bridge as it would be if NOT_YET's tables named no strategy."""
    from dataclasses import replace

    from bridge import registry as operations
    from bridge.mappings import load

    tables = load()
    unserved = {name: ({k: v for k, v in table.items() if k != "strategy"} if name in NOT_YET else table)
                for name, table in tables.operations.items()}
    monkeypatch.setattr(operations, "load", lambda: replace(tables, operations=unserved))
    operations.registry.cache_clear()
    try:
        yield from in_process(tmp_path, contract_checker)
    finally:
        operations.registry.cache_clear()


@dataclass
class Live:
    base_url: str
    sim_url: str  # the simulator's root (admin endpoints under /__sim/)

    @property
    def wsdl(self) -> str:
        return self.base_url + WSDL_PATH

    @property
    def wsdl11(self) -> str:
        return self.base_url + SOAP11_WSDL_PATH

    def wsdl_for(self, version: str) -> str:
        """The served WSDL whose binding is SOAP `version` ("1.2" or "1.1")."""
        return self.wsdl if version == "1.2" else self.wsdl11

    def sim_requests(self, login: str) -> list[dict]:
        return httpx.get(f"{self.sim_url}/__sim/requests", params={"login": login}).json()["items"]

    def advance(self, seconds: int) -> None:
        httpx.post(f"{self.sim_url}/__sim/advance", params={"seconds": seconds}).raise_for_status()


def serve(folder: Path, *options: str) -> Iterator[Live]:
    """`callfire-bridge serve` as users run it: gunicorn with 2 workers + the simulator process."""
    port = free_port()
    command = [sys.executable, "-m", "bridge.cli", "serve", "--port", str(port), "--workers", "2",
               "--store", str(folder / "store.sqlite3"), "--time-zone", LIVE_TIME_ZONE,
               "--sim-clock", "frozen", *options]  # tests expect the seed's dates and move time themselves
    log = (folder / "serve.log").open("wb")  # a file, not a pipe nobody drains
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    health = None
    while time.monotonic() < deadline:
        try:
            health = httpx.get(base_url + "/health", timeout=1).json()
            break
        except (httpx.TransportError, ValueError):
            if process.poll() is not None:
                raise RuntimeError((folder / "serve.log").read_text())
            time.sleep(0.1)
    if health is None:
        os.killpg(process.pid, signal.SIGTERM)
        raise RuntimeError("the bridge did not start")
    yield Live(base_url, health["upstream"].removesuffix("/v2"))
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def contract_checker() -> ContractChecker:
    return ContractChecker(CALLFIRE_2014)


@pytest.fixture(autouse=True)
def responses_keep_the_2014_contract(contract_checker: ContractChecker) -> Iterator[None]:
    """Fails the test whose SOAP responses (through `inproc` or `live`) break CallFire's 2014 schema."""
    contract_checker.take_problems()
    yield
    problems = contract_checker.take_problems()
    assert not problems, "responses outside CallFire's May 2014 contract:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory, contract_checker: ContractChecker) -> Iterator[Live]:
    """The default bridge, reached through a proxy that checks every response it relays."""
    for bridge in serve(tmp_path_factory.mktemp("live")):
        port = free_port()
        proxy = run_in_thread(waitress.create_server(ContractCheckProxy(bridge.base_url, contract_checker),
                                                     host="127.0.0.1", port=port, threads=8), "contract-proxy")
        yield Live(f"http://127.0.0.1:{port}", bridge.sim_url)
        proxy.stop()


@pytest.fixture(scope="session")
def live_extended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """`callfire-bridge serve --contract live`: CallFire's later fields and values too."""
    yield from serve(tmp_path_factory.mktemp("live-extended"), "--contract", "live")


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium, one per session (the pages' and the compare report's tests)."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium (`make system-deps`)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield browser
        browser.close()
