"""Log lines of `callfire-bridge serve`: JSON lines (--log-format json) that parse and carry the
request id and operation, the request id echoed to the client, and no credentials in any line, at
any level, in either format."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from conftest import serve
from ops_fixtures import NO_SUCH_CALL, SEED_CALL, get_call

PASSWORD = "v2-pa55word-Zq8"          # the simulator's (CallFire v2's) password of the account
BANNER = ("CallFire v1.1 bridge -> ", "WSDL: ")   # what `serve` prints to stdout, not log lines


def exercise(base_url: str) -> None:
    """Requests that make the bridge log: answers, faults, a v2 401, refusals, a v2 page."""
    assert get_call(base_url, SEED_CALL, login="alice", password=PASSWORD,
                    headers={"X-Request-Id": "ops-test-1"}).status_code == 200
    assert get_call(base_url, NO_SUCH_CALL, login="alice", password=PASSWORD).status_code == 500
    assert get_call(base_url, SEED_CALL, login="alice", password=PASSWORD + "x").status_code == 401
    httpx.post(base_url + "/api/1.1/soap12/call", content=b"<broken",
               headers={"Content-Type": "application/soap+xml", "Authorization": f"Basic {credentials()}"})
    query = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>'
             '<QueryCalls xmlns="http://api.callfire.com/service/xsd" MaxResults="5" FirstResult="0"/>'
             '</e:Body></e:Envelope>')
    httpx.post(base_url + "/api/1.1/soap12/call", content=query,
               headers={"Content-Type": "application/soap+xml", "Authorization": f"Basic {credentials()}"})


def credentials() -> str:
    return base64.b64encode(f"alice:{PASSWORD}".encode()).decode()


def log_lines(folder: Path) -> list[str]:
    return [line for line in (folder / "serve.log").read_text().splitlines()
            if line.strip() and not line.startswith(BANNER)]


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLFIRE_BRIDGE_SIM_CREDENTIALS", f"alice:{PASSWORD}")


def test_json_lines_parse_and_carry_the_request_id(tmp_path: Path, account: None) -> None:
    for bridge in serve(tmp_path, "--log-format", "json", "--log-level", "debug"):
        exercise(bridge.base_url)
        echoed = get_call(bridge.base_url, SEED_CALL, login="alice", password=PASSWORD,
                          headers={"X-Request-Id": "mine-42"}).headers["X-Request-Id"]
        made = get_call(bridge.base_url, SEED_CALL, login="alice", password=PASSWORD,
                        headers={"X-Request-Id": "no good\tid"}).headers["X-Request-Id"]
        v2_saw = [r["request_id"] for r in bridge.sim_requests("alice") if r["path"] == f"/v2/calls/{SEED_CALL}"]
    assert echoed == "mine-42" and made != "no good\tid" and len(made) == 32
    assert v2_saw[-3:] == ["ops-test-1", "mine-42", made]   # v2 is sent the id the bridge logs and echoes
    lines = [json.loads(line) for line in log_lines(tmp_path)]   # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    mine = [line for line in lines if line.get("request_id") == "ops-test-1"]
    assert mine and all(line["operation"] == "GetCall" for line in mine)
    assert any(line["logger"] == "bridge.v2.client" and line["level"] == "debug" for line in mine)
    assert any(line.get("operation") == "GetCall" and "NOT_FOUND" in line["message"] for line in lines)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_credentials_in_any_log_line(tmp_path: Path, account: None, log_format: str) -> None:
    for bridge in serve(tmp_path, "--log-format", log_format, "--log-level", "debug"):
        exercise(bridge.base_url)
    text = (tmp_path / "serve.log").read_text()
    assert "ops-test-1" in text   # the lines were written, at debug level
    assert PASSWORD not in text and credentials() not in text and "Authorization" not in text
