"""The bridge as a user installs it: a wheel built from this checkout (sdist first, then the
wheel from the sdist, as `python -m build` does), installed with the pinned dependencies into a
fresh venv outside the checkout, and `callfire-bridge serve` run from there: the contract
(wsdl/) and the tables (mappings/) must come from inside the wheel.

Two shortcuts that change nothing in what is built or installed, and save ~25 s: `build
--no-isolation` uses this venv's setuptools (a test dependency) instead of installing it into two
throwaway environments, and the fresh venv gets no pip of its own (ensurepip) but is installed
into by this venv's pip (`pip --python`)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from lxml import etree

from bridge.cli import free_port
from bridge.config import MAPPINGS_DIR, ROOT, WSDL_DIR, Settings
from bridge.contract import DATA, SVC
from conftest import WSDL_PATH, basic

QUERY_CALLS = (
    '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:svc="http://api.callfire.com/service/xsd">'
    "<env:Body><svc:QueryCalls><svc:MaxResults>100</svc:MaxResults><svc:FirstResult>0</svc:FirstResult>"
    "<svc:BroadcastId>327</svc:BroadcastId></svc:QueryCalls></env:Body></env:Envelope>"
)


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def outside_env(**extra: str) -> dict[str, str]:
    """The environment minus anything that could point Python back at the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "XDG_STATE_HOME")}
    return {**env, **extra}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ROOT, cwd=dist)
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no system site-packages) holding the wheel and its pinned dependencies."""
    home = tmp_path_factory.mktemp("installed")
    run(sys.executable, "-m", "venv", "--without-pip", home / "venv", cwd=home)
    run(sys.executable, "-m", "pip", "--python", home / "venv" / "bin" / "python", "install", "--quiet",
        "--disable-pip-version-check", "-c", ROOT / "constraints.txt", wheel, cwd=home, env=outside_env())
    return home / "venv"


def test_the_wheel_carries_every_module_and_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "bridge").rglob("*.py")}
    expected |= {f"bridge/_data/wsdl/{p.name}" for p in (ROOT / "wsdl").iterdir()}
    expected |= {f"bridge/_data/mappings/{p.name}" for p in (ROOT / "mappings").iterdir()}
    expected |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "bridge" / "web").glob("[st]*/*")}
    assert expected - names == set()


def test_installed_bridge_reads_its_package_data_and_keeps_state_in_xdg(venv: Path, tmp_path: Path) -> None:
    probe = ("import json; from bridge import config; print(json.dumps({'checkout': str(config.CHECKOUT), "
             "'wsdl': str(config.WSDL_DIR), 'mappings': str(config.MAPPINGS_DIR), "
             "'store': str(config.Settings().store_path)}))")
    python = venv / "bin" / "python"
    seen = json.loads(run(python, "-c", probe, cwd=tmp_path, env=outside_env(XDG_STATE_HOME=str(tmp_path / "state"))))
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path).strip())
    assert seen == {"checkout": "None", "wsdl": str(site / "bridge" / "_data" / "wsdl"),
                    "mappings": str(site / "bridge" / "_data" / "mappings"),
                    "store": str(tmp_path / "state" / "callfire-bridge" / "bridge.sqlite3")}
    # Without XDG_STATE_HOME: the XDG default under the home directory.
    seen = json.loads(run(python, "-c", probe, cwd=tmp_path, env=outside_env(HOME=str(tmp_path / "home"))))
    assert seen["store"] == str(tmp_path / "home" / ".local" / "state" / "callfire-bridge" / "bridge.sqlite3")


def test_a_checkout_reads_its_own_directories_and_keeps_state_in_var() -> None:
    assert (WSDL_DIR, MAPPINGS_DIR) == (ROOT / "wsdl", ROOT / "mappings")
    assert Settings().store_path == ROOT / "var" / "bridge.sqlite3"


@pytest.fixture(scope="module")
def served(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`callfire-bridge serve` from the venv, run in a directory that is not the checkout."""
    tmp_path = tmp_path_factory.mktemp("served")
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        command = [venv / "bin" / "callfire-bridge", "serve", "--port", str(port),
                   "--store", tmp_path / "store.sqlite3"]
        process = subprocess.Popen(command, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env=outside_env(PYTHONUNBUFFERED="1"))
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a bound on start-up, so a hang fails instead of blocking CI
        while True:
            try:
                httpx.get(base_url + "/health", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.1)
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_installed_wheel_serves_the_contract_and_answers_query_calls(served: str) -> None:
    wsdl = httpx.get(served + WSDL_PATH)
    assert wsdl.status_code == 200
    assert 'name="CallServicePort"' in wsdl.text
    assert f'location="{served}/api/1.1/soap12/call"' in wsdl.text

    answer = httpx.post(served + "/api/1.1/soap12/call", content=QUERY_CALLS.encode(),
                        headers={"Content-Type": "application/soap+xml; charset=utf-8",
                                 "Authorization": basic("wheel-user")})
    assert answer.status_code == 200, answer.text
    result = etree.fromstring(answer.content)
    assert result.findtext(f".//{{{SVC}}}TotalResults") == "1"
    calls = result.findall(f".//{{{DATA}}}Call")
    assert [call.get("id") for call in calls] == ["9652"]


def test_installed_wheel_serves_the_mapping_pages(served: str) -> None:
    """The templates and static files are package data too."""
    page = httpx.get(served + "/mappings/QueryCalls")
    assert page.status_code == 200 and 'id="querycalls"' in page.text
    assert httpx.get(served + "/mappings/static/page.css").status_code == 200
