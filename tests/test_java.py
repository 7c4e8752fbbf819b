"""Java JAX-WS stubs as CallFire v1.1 clients of the running bridge: `wsimport` of the served
SOAP 1.2 and SOAP 1.1 WSDLs, `javac` of tests/java/ against them, then the four operations and
a NOT_FOUND fault (getFaultInfo()) over each SOAP version.

Debian's `jaxws` (wsimport) and `libjaxws-java` (the runtime jars) are installed by `make test`.
"""
from __future__ import annotations

import json
import os
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from client_expectations import (SOAP11_ENVELOPE, SOAP12_ENVELOPE, Entry, check_call_9652, check_documented,
                                 check_fault, check_filtered, check_history, check_sent, check_v2_requests,
                                 parse_datetime)

JAVA_DIR = Path(__file__).parent / "java"
# libjaxws-java's runtime; its manifest Class-Path brings JAXB, SAAJ, StAX and the rest.
RUNTIME = "/usr/share/java/jaxws-rt.jar"
CLIENTS = {"1.2": "Soap12Client", "1.1": "Soap11Client"}
ENVELOPES = {"1.2": SOAP12_ENVELOPE, "1.1": SOAP11_ENVELOPE}
SEND_CALL_NAME = "java jax-ws"
# Short-lived JVMs: the C1 compiler alone and the serial GC halve the CPU that wsimport, javac
# and the client burn (most of their time is JIT warm-up), on these 2-core machines.
JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


@dataclass
class Build:
    classpath: str
    wsimport_output: str


def _run(command: list[str]) -> str:
    # The wsimport script passes $WSIMPORT_OPTS to its JVM.
    env = {**os.environ, "WSIMPORT_OPTS": " ".join(JVM_FLAGS)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _build(wsdl: str, version: str, folder: Path) -> Build:
    stubs, client = folder / "stubs", folder / "client"
    stubs.mkdir()
    client.mkdir()
    # JAX-WS 2.x counts any SOAP 1.2 binding as an extension: without -extension wsimport skips
    # those ports. The SOAP 1.1 WSDL must need no switch at all. wsimport compiles the stubs.
    extension = ["-extension"] if version == "1.2" else []
    output = _run(["wsimport", *extension, "-d", str(stubs), wsdl])
    _run(["javac", *(f"-J{flag}" for flag in JVM_FLAGS), "-encoding", "UTF-8", "-cp", f"{stubs}:{RUNTIME}",
          "-d", str(client), str(JAVA_DIR / "CallFireClient.java"), str(JAVA_DIR / f"{CLIENTS[version]}.java")])
    return Build(f"{client}:{stubs}:{RUNTIME}", output)


@pytest.fixture(scope="session")
def java_builds(live, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    """Stubs + client for each WSDL as served, built once per session, both at once."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {v: pool.submit(_build, live.wsdl_for(v), v, tmp_path_factory.mktemp(f"java{v}")) for v in CLIENTS}
        return {v: future.result() for v, future in futures.items()}


@dataclass
class JavaRun:
    version: str
    login: str
    steps: dict[str, dict]


@pytest.fixture(scope="module", params=list(CLIENTS))
def java_run(request, live, java_builds: dict[str, Build]) -> JavaRun:
    version, login = request.param, f"java-{uuid.uuid4().hex[:10]}"
    wsdl = live.wsdl_for(version)
    done = subprocess.run(["java", *JVM_FLAGS, "-cp", java_builds[version].classpath, CLIENTS[version], wsdl, login],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    steps = {step["step"]: step for step in map(json.loads, done.stdout.splitlines())}
    return JavaRun(version, login, steps)


def entry(obj: dict) -> Entry:
    return Entry(obj["kind"], obj["id"], obj["toNumber"], obj["clientData"], obj["state"], obj["broadcastId"],
                 obj["contactId"], parse_datetime(obj["created"]), obj["finalResult"])


def calls(step: dict) -> list[Entry]:
    return [entry(call) for call in step["calls"]]


def test_wsimport_takes_the_soap11_wsdl_without_extension_or_warnings(java_builds: dict[str, Build]) -> None:
    output = java_builds["1.1"].wsimport_output
    assert "[ERROR]" not in output and "[WARNING]" not in output, output


def test_documented_query_calls(java_run: JavaRun) -> None:
    step = java_run.steps["documented"]
    check_documented(step["totalResults"], calls(step))
    assert step["calls"][0]["created"] == "2013-03-07T12:01:59-08:00"  # the offset as written


def test_list_filters_as_java_lists(java_run: JavaRun) -> None:
    step = java_run.steps["filtered"]
    check_filtered(step["totalResults"], calls(step))


def test_get_call(java_run: JavaRun) -> None:
    check_call_9652(entry(java_run.steps["GetCall"]["call"]))


def test_send_call_then_query_its_broadcast(java_run: JavaRun) -> None:
    step = java_run.steps["sentCalls"]
    check_sent(java_run.steps["SendCall"]["id"], step["totalResults"], calls(step))


def test_contact_history_keeps_calls_and_texts_interleaved(java_run: JavaRun) -> None:
    entries = [entry(e) for e in java_run.steps["GetContactHistory"]["entries"]]
    check_history(entries)
    # JAXB keeps the xs:choice list in document order: newest first, calls and texts mixed.
    assert [e.created for e in entries] == sorted((e.created for e in entries), reverse=True)


def test_fault_info_of_a_missing_call(java_run: JavaRun) -> None:
    step = java_run.steps["fault"]
    check_fault(step["faultCode"], step["message"])


def test_the_stubs_speak_their_wsdls_soap_version(java_run: JavaRun) -> None:
    expected = [ENVELOPES[java_run.version]]
    assert java_run.steps["envelopes"] == {"step": "envelopes", "sent": expected, "received": expected}


def test_what_reached_v2(java_run: JavaRun, live) -> None:
    check_v2_requests(live, java_run.login, SEND_CALL_NAME)
