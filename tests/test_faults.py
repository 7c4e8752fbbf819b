"""The one error table (mappings/errors.yaml, typed by bridge.faults) and `fault_for`, which turns
the v2 client's errors into the faults a v1.1 client sees."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bridge.mappings
from bridge.config import MAPPINGS_DIR
from bridge.errors import fault_for, request_fault
from bridge.faults import ErrorTable, FaultCode
from bridge.mappings import load
from bridge.v2.errors import (V2AuthorizationError, V2BadResponse, V2ConnectError, V2StatusError,
                              V2TimeoutError)

BRIDGE = Path(bridge.mappings.__file__).parent


@pytest.mark.parametrize("status, fault, http_status", [
    (400, FaultCode.BAD_REQUEST, 500),
    (401, FaultCode.FORBIDDEN, 401),
    (403, FaultCode.FORBIDDEN, 403),
    (404, FaultCode.NOT_FOUND, 500),
    (405, FaultCode.NOT_IMPLEMENTED, 500),
    (418, FaultCode.BAD_REQUEST, 500),      # not in the table: other_4xx
    (429, FaultCode.UNAVAILABLE, 500),
    (500, FaultCode.UNAVAILABLE, 500),
    (503, FaultCode.UNAVAILABLE, 500),
    (504, FaultCode.TIMEOUT, 500),
    (599, FaultCode.UNAVAILABLE, 500),      # not in the table: other_5xx
])
def test_status_table(status, fault, http_status):
    body = {"httpStatusCode": status, "internalCode": 0, "message": "boom", "developerMessage": "dev boom"}
    result = fault_for(V2StatusError(status, body))
    assert (result.code, result.http_status) == (fault, http_status)
    assert result.message == f"CallFire v2 returned {status}: boom"
    assert result.detail == "dev boom; internalCode 0"


def test_status_without_an_error_response_uses_the_reason_phrase():
    result = fault_for(V2StatusError(400, None, "Bad Request"))
    assert (result.code, result.message, result.detail) == (
        FaultCode.BAD_REQUEST, "CallFire v2 returned 400: Bad Request", None)


@pytest.mark.parametrize("error, fault, http_status", [
    (V2TimeoutError("CallFire v2 did not answer GET /calls/1 within 7 s", detail="ReadTimeout"),
     FaultCode.TIMEOUT, 500),
    (V2ConnectError("CallFire v2 could not be reached for POST /calls", detail="ConnectError"),
     FaultCode.UNAVAILABLE, 500),
    (V2BadResponse("CallFire v2 answered GET /calls/1 with 200 and a body that is not JSON"),
     FaultCode.UNAVAILABLE, 500),
    (V2AuthorizationError("The Authorization header is missing or not valid"), FaultCode.FORBIDDEN, 401),
])
def test_transport_and_client_errors(error, fault, http_status):
    result = fault_for(error)
    assert (result.code, result.http_status) == (fault, http_status)
    assert (result.message, result.detail) == (error.message, error.detail)


@pytest.mark.parametrize("status, refused", [(400, True), (404, True), (429, True), (500, False), (504, False)])
def test_only_a_4xx_is_a_definite_refusal(status, refused):
    assert V2StatusError(status, None).refused is refused
    assert not V2TimeoutError("t").refused and not V2ConnectError("c").refused


def test_retry_statuses_come_from_the_table():
    assert load().faults.retry_statuses == {429, 502, 503, 504}


def test_request_refusals_come_from_the_same_table():
    fault = request_fault("too_large", "request body over 2 MiB")
    assert (fault.code, fault.http_status) == (FaultCode.BAD_REQUEST, 413)


def test_errors_yaml_is_read_once(monkeypatch):
    """One parse (bridge.mappings), one typed table, the same object for every reader."""
    reads: list[str] = []
    read = bridge.mappings._read
    monkeypatch.setattr(bridge.mappings, "_read", lambda path: reads.append(path.name) or read(path))
    tables = bridge.mappings.load.__wrapped__(MAPPINGS_DIR)
    assert isinstance(tables.faults, ErrorTable) and tables.faults is tables.faults
    assert reads.count("errors.yaml") == 1
    assert load().faults is load().faults
    readers = [p for p in BRIDGE.rglob("*.py") if "errors.yaml" in p.read_text(encoding="utf-8")
               and p.name != "mappings.py"]
    assert all("yaml.safe_load" not in p.read_text(encoding="utf-8") for p in readers), readers


def test_v2_client_knows_no_v1_or_soap_vocabulary():
    for path in (BRIDGE / "v2").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module not in {"bridge.errors", "bridge.faults"}, path
                assert not (node.module or "").startswith("bridge.soap"), path
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith(("bridge.errors", "bridge.soap")) for a in node.names), path
