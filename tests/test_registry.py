"""The operation registry: what serves an operation is data."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest
from lxml import etree

from bridge.config import MAPPINGS_DIR
from bridge.mappings import load
from bridge.registry import build, registry
from bridge.orchestrate import STRATEGIES
from conftest import basic, serve

SVC = "{http://api.callfire.com/service/xsd}"
DATA = "{http://api.callfire.com/data}"

# The whole of what it takes to serve v1.1 GetText: a block of rows, no code.
GET_TEXT_BLOCK = """
  GetText:
    strategy: get
    port: TextService
    request: svc:GetText
    request_type: svc:IdRequest
    response: data:Text
    v2:
      - {method: GET, path: "/texts/{id}"}
    summary: "One text by id."
    request_fields:
      - {v1: Id, v2: path.id, convert: long, required: true}
    response_fields:
      - {v1: Text, v2: "", entity: Text}
"""


def test_every_contract_operation_is_in_the_registry_and_served_ones_name_known_strategies() -> None:
    ops = registry().by_name
    assert len(ops) == 61
    served = {op.name for op in registry().served()}
    assert served == {name for name, table in load().operations.items() if "strategy" in table}
    assert {"QueryCalls", "GetCall", "SendCall", "GetContactHistory"} <= served
    assert all(op.strategy in STRATEGIES for op in registry().served())


def test_a_table_naming_an_unknown_strategy_fails_at_start_up() -> None:
    tables = load()
    broken = {**tables.operations, "GetCall": {**tables.operations["GetCall"], "strategy": "teleport"}}
    with pytest.raises(ValueError, match="GetCall: unknown strategy 'teleport'"):
        build(type(tables)(tables.enums, broken, tables.entities, tables.errors, tables.replacements),
              frozenset(STRATEGIES))


def without_block(yaml_text: str, operation: str) -> str:
    """A tables file without one operation's block (the blocks are indented two spaces)."""
    start = yaml_text.index(f"\n  {operation}:\n")
    end = yaml_text.find("\n  ", start + 1)
    while end != -1 and yaml_text[end + 3] == " ":  # a line inside the block
        end = yaml_text.find("\n  ", end + 1)
    return yaml_text[:start] + (yaml_text[end:] if end != -1 else "\n")


def test_a_new_read_only_operation_needs_only_a_yaml_block(tmp_path: Path) -> None:
    """Tables without GetText do not serve it; the same bridge with one more YAML block serves it."""
    tables = tmp_path / "mappings"
    shutil.copytree(MAPPINGS_DIR, tables)
    text_yaml = tables / "text.yaml"
    text_yaml.write_text(without_block(text_yaml.read_text(encoding="utf-8"), "GetText"), encoding="utf-8")
    assert "GetText" not in load(tables).operations
    call_yaml = tables / "call.yaml"
    call_yaml.write_text(call_yaml.read_text(encoding="utf-8") + GET_TEXT_BLOCK, encoding="utf-8")
    os.environ["CALLFIRE_BRIDGE_MAPPINGS_DIR"] = str(tables)
    try:
        bridge = serve(tmp_path)
        live = next(bridge)
    finally:
        del os.environ["CALLFIRE_BRIDGE_MAPPINGS_DIR"]
    try:
        envelope = ('<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body>'
                    f'<GetText xmlns="{SVC[1:-1]}"><Id>{first_text_id(live)}</Id></GetText></S:Body></S:Envelope>')
        answer = httpx.post(live.base_url + "/api/1.1/soap12/text", content=envelope,
                            headers={"Content-Type": "application/soap+xml", "Authorization": basic("yaml-only")})
        assert answer.status_code == 200, answer.text
        text = etree.fromstring(answer.content).find(f".//{DATA}Text")
        assert text is not None and text.findtext(f"{DATA}Message") and text.findtext(f"{DATA}State") == "FINISHED"
    finally:
        next(bridge, None)


def first_text_id(live) -> int:
    """A seed text, straight from the simulator behind the bridge."""
    page = httpx.get(f"{live.sim_url}/v2/texts", params={"limit": 1, "states": "FINISHED"}, auth=("yaml-only", "x"))
    return page.json()["items"][0]["id"]
