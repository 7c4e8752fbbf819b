"""A client's mistake is a BAD_REQUEST fault naming it, never an internal error; legal XML in any
encoding is read; credentials come first; the simulator's accounts stay out of `ps`."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from lxml import etree

from bridge.cli import free_port
from bridge.config import Settings
from bridge.registry import registry
from bridge.soap.url_bounds import MAX_URL_VALUE
from conftest import NOT_YET, InProcess, Live, basic

SVC = "{http://api.callfire.com/service/xsd}"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
LABEL = "café"


def envelope(body: str, *, header: bool = False, body_name: str = "Body", declaration: str = "") -> str:
    head = "<e:Header/>" if header else ""
    return (f'{declaration}<e:Envelope xmlns:e="{SOAP12}" xmlns:s="http://api.callfire.com/service/xsd">{head}'
            f"<e:{body_name}>{body}</e:{body_name}></e:Envelope>")


def query_calls(**fields: str) -> str:
    children = "".join(f"<s:{name}>{value}</s:{name}>" for name, value in fields.items())
    return f"<s:QueryCalls><s:MaxResults>1</s:MaxResults>{children}</s:QueryCalls>"


def declared(encoding: str) -> str:
    return f"<?xml version='1.0' encoding='{encoding}'?>"


LABELLED = query_calls(LabelName=LABEL)
# Legal XML in the encodings XML allows: each is read, and LabelName reaches v2 as "café".
READABLE = {
    "ISO-8859-1 declared": envelope(LABELLED, declaration=declared("ISO-8859-1")).encode("latin-1"),
    "UTF-16 with BOM": envelope(LABELLED, declaration=declared("UTF-16")).encode("utf-16"),
    "UTF-16LE by its declaration": envelope(LABELLED, declaration=declared("UTF-16LE")).encode("utf-16-le"),
    "UTF-16BE by its declaration": envelope(LABELLED, declaration=declared("UTF-16BE")).encode("utf-16-be"),
    "UTF-32 with BOM": envelope(LABELLED, declaration=declared("UTF-32")).encode("utf-32"),
    "UTF-32LE by its declaration": envelope(LABELLED, declaration=declared("UTF-32LE")).encode("utf-32-le"),
}


@dataclass(frozen=True)
class Mistake:
    body: bytes
    says: tuple[str, ...]  # words the fault's Message must hold: what is wrong, and where


MISTAKES = {
    "invalid UTF-8": Mistake(envelope(query_calls(LabelName="caf\udce9")).encode("utf-8", "surrogateescape"),
                             ("not valid UTF-8", "0xE9")),
    "Content-Length 0": Mistake(b"", ("empty",)),
    "a Header and no Body": Mistake(f'<e:Envelope xmlns:e="{SOAP12}"><e:Header/></e:Envelope>'.encode(),
                                    ("no Body",)),
    "a renamed Body": Mistake(envelope(LABELLED, header=True, body_name="Bodyy").encode(), ("no Body",)),
    "dateTime offset +24:00": Mistake(envelope(query_calls(IntervalBegin="2026-11-02T10:00:00+24:00")).encode(),
                                      ("IntervalBegin", "+24:00", "14:00")),
    "dateTime offset +25:00": Mistake(envelope(query_calls(IntervalEnd="2026-11-02T10:00:00+25:00")).encode(),
                                      ("IntervalEnd", "+25:00", "14:00")),
    "LabelName of 70,000 characters": Mistake(envelope(query_calls(LabelName="x" * 70_000)).encode(),
                                              ("LabelName", "70000 characters", str(MAX_URL_VALUE))),
    "an Id of 5,000 digits": Mistake(envelope("<s:GetCall><s:Id>" + "9" * 5000 + "</s:Id></s:GetCall>").encode(),
                                     ("Id", "5000 characters", "xs:long")),
    "a ToNumber filter of 40,000 numbers": Mistake(
        envelope(query_calls(ToNumber=" ".join(str(12135550000 + n) for n in range(40_000)))).encode(),
        ("ToNumber", "40000 numbers", "at most 100")),
    "an unknown encoding": Mistake(envelope(LABELLED, declaration=declared("x-klingon")).encode(),
                                   ("encoding", "x-klingon")),
    "bytes invalid in the declared encoding": Mistake(
        envelope(LABELLED, declaration=declared("UTF-16LE")).encode("utf-16-le")[:-1], ("not valid utf-16-le",)),
}


def fault(response: httpx.Response) -> tuple[str, str]:
    assert response.headers["content-type"].startswith("application/soap+xml")
    info = etree.fromstring(response.content).find(f".//{SVC}ServiceFaultInfo")
    return info.findtext(f"{SVC}FaultCode"), info.findtext(f"{SVC}Message")


def post(client: httpx.Client, body: bytes, *, authorization: str | None, path: str = "/api/1.1/soap12/call",
         ) -> httpx.Response:
    headers = {"Content-Type": "application/soap+xml; charset=utf-8"}
    if authorization:
        headers["Authorization"] = authorization
    return client.post(path, content=body, headers=headers)


@pytest.mark.parametrize("name", READABLE)
def test_legal_xml_in_any_encoding_is_read(inproc: InProcess, login: str, name: str) -> None:
    response = post(inproc.client, READABLE[name], authorization=basic(login))
    assert response.status_code == 200, response.text
    assert [r["query"].get("label") for r in inproc.sim_requests(login)] == [LABEL]


@pytest.mark.parametrize("name", MISTAKES)
def test_a_client_mistake_is_a_bad_request_naming_it(inproc: InProcess, login: str, name: str,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bridge"):
        response = post(inproc.client, MISTAKES[name].body, authorization=basic(login))
    code, message = fault(response)
    assert (response.status_code, code) == (500, "BAD_REQUEST")
    assert all(word in message for word in MISTAKES[name].says), message
    assert inproc.sim_requests(login) == []
    # Logged for the operator at info, without a traceback: not an error of the bridge.
    assert caplog.records and all(r.levelno <= logging.INFO and not r.exc_info for r in caplog.records)


def test_a_bug_is_still_an_internal_error_logged_with_its_traceback(
        inproc: InProcess, login: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr("bridge.soap.service.serve", broken)
    with caplog.at_level(logging.INFO, logger="bridge"):
        response = post(inproc.client, envelope(LABELLED).encode(), authorization=basic(login))
    assert fault(response) == ("UNAVAILABLE", "internal error in the bridge")
    assert [r.levelno for r in caplog.records if r.exc_info] == [logging.ERROR]


@pytest.mark.parametrize("name", [*READABLE, *MISTAKES])
def test_the_served_bridge_reads_raw_bytes_alike(live: Live, login: str, name: str) -> None:
    body = READABLE[name] if name in READABLE else MISTAKES[name].body
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        response = post(client, body, authorization=basic(login))
    if name in READABLE:
        assert response.status_code == 200, response.text
    else:
        code, message = fault(response)
        assert code == "BAD_REQUEST" and all(word in message for word in MISTAKES[name].says), message


def empty_request(name: str) -> str:
    return f"<s:{registry().by_name[name].wsdl.request.rpartition('}')[2]}/>"


@pytest.mark.parametrize("body", [*(empty_request(name) for name in sorted(registry().by_name)),
                                  "<s:NoSuchOperation/>", LABELLED])
def test_every_request_without_credentials_gets_401_first(inproc: InProcess, body: str) -> None:
    response = post(inproc.client, envelope(body).encode(), authorization=None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="CallFire API"'
    assert fault(response)[0] == "FORBIDDEN"


def test_an_operation_without_a_strategy_asks_for_credentials_first(partial: InProcess, login: str) -> None:
    body = envelope(empty_request(NOT_YET[0])).encode()
    assert post(partial.client, body, authorization=None).status_code == 401
    assert fault(post(partial.client, body, authorization=basic(login)))[0] == "NOT_IMPLEMENTED"


def test_empty_environment_variables_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("V2_TIMEOUT", "V2_RETRIES", "MAX_SOUND_BYTES", "SIM_SPEED", "STORE_PATH", "UPSTREAM", "TIME_ZONE"):
        monkeypatch.setenv(f"CALLFIRE_BRIDGE_{name}", "")
    assert Settings.from_env() == Settings()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("source", ["flag", "file", "environment"])
def test_simulator_accounts_stay_out_of_ps(tmp_path: Path, source: str) -> None:
    pairs = "alice:s3cret-pw,bob:other-pw"
    port = free_port()
    command = [sys.executable, "-m", "bridge.cli", "serve", "--port", str(port), "--workers", "1",
               "--store", str(tmp_path / "store.sqlite3")]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CALLFIRE_BRIDGE_")}
    if source == "flag":
        command += ["--sim-credentials", pairs]
    elif source == "file":
        (tmp_path / "accounts").write_text(pairs.replace(",", "\n") + "\n")
        command += ["--sim-credentials-file", str(tmp_path / "accounts")]
    else:
        environment["CALLFIRE_BRIDGE_SIM_CREDENTIALS"] = pairs
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        upstream = None
        for _ in range(300):
            try:
                upstream = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).json()["upstream"]
                break
            except (httpx.TransportError, ValueError):
                time.sleep(0.1)
        assert upstream is not None, "the bridge did not start"
        # The simulator took the accounts: only alice's password works.
        assert httpx.get(f"{upstream}/calls", auth=("alice", "s3cret-pw")).status_code == 200
        assert httpx.get(f"{upstream}/calls", auth=("alice", "wrong")).status_code == 401
        simulators = [pid for pid in children_of(process.pid)
                      if b"bridge.sim" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(simulators) == 1
        argv = Path(f"/proc/{simulators[0]}/cmdline").read_bytes()
        assert b"s3cret" not in argv and b"--credentials" not in argv, argv
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=10)
