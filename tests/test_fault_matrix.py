"""Every fault the simulator injects x every served operation (issue 12): the v1.1 client gets the
FaultCode errors.yaml promises, the bridge's work stays bounded (v2 requests counted, no timings),
and a create never happens twice: after the fault, the same request with the same RequestId is
answered from what v2 created, or refused without creating anything.

The operations and their requests are tests/test_served_operations.py's SAMPLES, so a newly
served operation joins the matrix by getting its sample there.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import zeep
from lxml import etree

from bridge.config import Settings
from bridge.orchestrate.markers import MarkerRule
from bridge.registry import V11Operation, registry
from conftest import basic, served_contract
from contract_check import ContractCheck, ContractChecker
from test_served_operations import SAMPLES

SVC = "{http://api.callfire.com/service/xsd}"
RETRIES = Settings().v2_retries
# (fault spec, FaultCode the client gets: None = the operation still succeeds)
FAULTS: dict[str, tuple[dict, str | None]] = {
    "latency": ({"kind": "latency", "seconds": 0}, None),
    "429": ({"kind": "status", "status": 429, "retry_after": "0"}, "UNAVAILABLE"),
    "500": ({"kind": "status", "status": 500}, "UNAVAILABLE"),
    "502": ({"kind": "status", "status": 502}, "UNAVAILABLE"),
    "503": ({"kind": "status", "status": 503}, "UNAVAILABLE"),
    "504": ({"kind": "status", "status": 504}, "TIMEOUT"),
    "500-after-acting": ({"kind": "status", "status": 500, "after": True}, "UNAVAILABLE"),
    "reset": ({"kind": "reset"}, "UNAVAILABLE"),
    "timeout": ({"kind": "timeout"}, "TIMEOUT"),
    "created-timeout": ({"kind": "created_timeout"}, "TIMEOUT"),
    "truncated": ({"kind": "truncated"}, "UNAVAILABLE"),
    "not-json": ({"kind": "not_json"}, "UNAVAILABLE"),
    # GETs only: a write's answer may be empty, so `{}` is a fine answer to it
    "wrong-shape": ({"kind": "shape", "body": {}, "method": "GET"}, "UNAVAILABLE"),
}
# SubscriptionService's v2 requests are webhook registrations around the bridge's own store (Query
# and Get make none); nothing half-created under v2 failures is tested in tests/test_subscriptions.py.
SERVED = [op for op in registry().served() if op.port != "SubscriptionService"]


@dataclass
class Bridge:
    client: httpx.Client
    sim: object
    sim_client: httpx.Client
    sleeps: list[float]

    def call(self, op: V11Operation, envelope: bytes, login: str) -> httpx.Response:
        return self.client.post("/api/1.1/soap12/call", content=envelope,  # dispatch is on the Body element
                                headers={"Content-Type": "application/soap+xml; charset=utf-8",
                                         "Authorization": basic(login)})

    def requests(self, login: str) -> list[dict]:
        return self.sim_client.get("/__sim/requests", params={"login": login}).json()["items"]

    def fault_hits(self, login: str) -> int:
        return sum(f["hits"] for f in self.sim_client.get("/__sim/faults").json()["items"] if f["login"] == login)


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory, contract_checker: ContractChecker) -> Iterator[Bridge]:
    from bridge.sim.app import create_app as create_sim
    from bridge.wsgi import create_app as create_bridge

    sim = create_sim()
    transport = httpx.WSGITransport(app=sim)
    # A breaker that never opens: each case is judged alone (tests/test_retry_policy.py tests the breaker).
    settings = Settings(store_path=tmp_path_factory.mktemp("matrix") / "store.sqlite3", v2_breaker_failures=10**9)
    app = create_bridge(settings, upstream="http://sim/v2", transport=transport)
    sleeps: list[float] = []
    app.runtime.v2._sleep = sleeps.append
    client = httpx.Client(transport=httpx.WSGITransport(app=ContractCheck(app, contract_checker)),
                          base_url="http://bridge")
    yield Bridge(client, sim, httpx.Client(transport=transport, base_url="http://sim"), sleeps)
    client.close()


@pytest.fixture(scope="module")
def zeep_client() -> zeep.Client:
    return zeep.Client(str(served_contract("2014") / "callfire-service-http-soap12.wsdl"))


def takes_request_id(op: V11Operation) -> bool:
    return any(row.get("v1") == "RequestId" for row in op.table.get("request_fields", ()))


def envelope(client: zeep.Client, op: V11Operation, request_id: str) -> bytes:
    fields = dict(SAMPLES[op.name])
    if takes_request_id(op):
        fields["RequestId"] = request_id
    message = client.create_message(client.bind("CallFireApi", f"{op.port}Port"), op.name, **fields)
    return etree.tostring(message)


def fault_code(response: httpx.Response) -> str | None:
    if response.status_code == 200:
        return None
    code = etree.fromstring(response.content).findtext(f".//{SVC}FaultCode")
    assert code, response.text
    return code


def creates(requests: list[dict]) -> list[dict]:
    """The v2 creates that happened (POSTs v2 acted on and answered 2xx, spoiled answers included)."""
    return [r for r in requests if r["method"] == "POST" and 200 <= r.get("status", 0) < 300
            and not r["path"].endswith(("/start", "/stop", "/archive"))]


_baselines: dict[str, list[dict]] = {}


def baseline(bridge: Bridge, zeep_client: zeep.Client, op: V11Operation) -> list[dict]:
    """The v2 requests of the operation when nothing goes wrong (once per operation)."""
    if op.name not in _baselines:
        login = f"base-{uuid.uuid4().hex[:8]}"
        response = bridge.call(op, envelope(zeep_client, op, "urn:base"), login)
        assert response.status_code == 200, response.text
        _baselines[op.name] = bridge.requests(login)
    return _baselines[op.name]


@pytest.mark.parametrize("fault", FAULTS, ids=str)
@pytest.mark.parametrize("op", SERVED, ids=lambda op: op.name)
def test_fault_x_operation(bridge: Bridge, zeep_client: zeep.Client, op: V11Operation, fault: str) -> None:
    spec, expected = FAULTS[fault]
    first = baseline(bridge, zeep_client, op)
    login = f"m-{uuid.uuid4().hex[:10]}"
    if fault == "wrong-shape" and not any(r["method"] == "GET" for r in first):
        expected = None  # no GET to spoil (SendCall, CreateSound, DeleteAutoReply ...)
    request = envelope(zeep_client, op, f"urn:{fault}")
    bridge.sim_client.post("/__sim/faults", json={**spec, "login": login}).raise_for_status()
    try:
        response = bridge.call(op, request, login)
        assert fault_code(response) == expected, response.text
        # Bounded: the first v2 request fails, is retried at most RETRIES times, and a create's
        # reconciliation lookup is one more request retried as often.
        upstream = bridge.fault_hits(login) if expected else len(bridge.requests(login))
        assert upstream <= 2 * (1 + RETRIES) if expected else upstream <= len(first) + 1
    finally:
        bridge.sim_client.delete("/__sim/faults", params={"login": login})
    if not takes_request_id(op):
        assert len(creates(bridge.requests(login))) <= len(creates(first))
        return   # without a RequestId a retry is a new request
    again = bridge.call(op, request, login)   # the client's retry with the same RequestId, v2 healthy again
    made = creates(bridge.requests(login))
    assert len(made) <= len(creates(first)), made
    if MarkerRule.of(op.table) is not None:
        assert fault_code(again) is None, again.text   # reconciled: what v2 created is the answer
        assert len(made) == 1
