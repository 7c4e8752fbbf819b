"""`callfire-bridge mappings ...` as a user runs it: the installed console script in a
subprocess.  Content is read from a wide terminal (cells do not wrap); a narrow one must
still hold every line within its width."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bridge.config import ROOT
from bridge.reference import catalog

SCRIPT = Path(sys.executable).with_name("callfire-bridge")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "bridge.cli"]
WIDE = 240


def run(*args: str, width: int = WIDE, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(width), "NO_COLOR": "1"}
    return subprocess.run([*COMMAND, "mappings", *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=60)


def ok(*args: str, width: int = WIDE) -> str:
    done = run(*args, width=width)
    assert done.returncode == 0, done.stderr
    if "--json" not in args:
        assert all(len(line) <= width for line in done.stdout.splitlines()), "output must fit the terminal"
    return done.stdout


def squeezed(text: str) -> str:
    """A table line without its column padding."""
    return " ".join(text.split())


def test_list_shows_each_operation_and_its_v2_endpoint() -> None:
    out = squeezed(ok("list"))
    for needle in ("QueryCalls CallService svc:QueryCalls GET /calls", "GetCall CallService svc:GetCall GET /calls/{id}",
                   "SendCall CallService svc:SendCall POST /calls/broadcasts?start=true",
                   "GetContactHistory ContactService svc:GetContactHistory GET /contacts/{id}/history"):
        assert needle in out


def test_list_json_for_scripts() -> None:
    operations = json.loads(ok("list", "--json"))["operations"]
    assert [(op["name"], op["endpoints"]) for op in operations][:3] == [
        ("QueryCalls", ["GET /calls"]), ("GetCall", ["GET /calls/{id}"]),
        ("SendCall", ["POST /calls/broadcasts?start=true"])]
    listed = [(op["name"], op["endpoints"]) for op in operations]
    assert ("GetContactHistory", ["GET /contacts/{id}/history"]) in listed
    assert ("GetBroadcast", ["GET /calls/broadcasts/{id}", "GET /texts/broadcasts/{id}"]) in listed
    assert ("GetSoundData", ["GET /campaigns/sounds/{id}.mp3", "GET /campaigns/sounds/{id}.wav"]) in listed
    assert ("SendText", ["POST /texts/broadcasts?start=true", "POST /texts"]) in listed
    assert ("LabelNumber", ["GET /numbers/leases/{number}", "PUT /numbers/leases/{number}"]) in listed
    assert ("Release", ["PUT /keywords/leases/{keyword}", "PUT /numbers/leases/{number}"]) in listed
    assert len(operations) == 61  # every v1.1 operation
    assert ("RemoveContactsFromList", ["DELETE /contacts/lists/{id}/items", "GET /contacts"]) in listed


def test_show_gives_request_response_rules_and_entity_tables() -> None:
    out = ok("show", "sendcall")
    assert "SendCall (CallService): svc:SendCall -> svc:CreatedId" in out
    assert "exactly one of VoiceBroadcastConfig, IvrBroadcastConfig" in out
    words = squeezed(out)
    assert "ScrubBroadcastDuplicates bridge.scrub_duplicates boolean, default false, bridge" in words
    assert "VoiceBroadcastConfig/LocalTimeZoneRestriction/BeginTime body.localTimeRestriction.{enabled," in words
    assert "CreatedId id" in words and "query.strictValidation never sent" in words
    history = squeezed(ok("show", "GetContactHistory"))
    assert "Entity Text: data:Text <- v2 Text" in history and "FinalResult finalTextResult enum:TextResult" in history


def test_show_json_holds_the_rows() -> None:
    shown = json.loads(ok("show", "QueryCalls", "--json"))
    label = next(e for e in shown["request"] if e["v1"] == "LabelName")
    assert (label["id"], label["v2"], label["convert"]) == ("querycalls-request-labelname", "query.label", "string")
    assert [e["v1"] for e in shown["response"]] == ["TotalResults", "Call"]
    assert list(shown["entities"]) == list(catalog().operation("QueryCalls").entities)
    assert any(e["v1"] == "FinalResult" and e["v2"] == "finalCallResult" for e in shown["entities"]["Call"])


def test_show_unknown_operation_suggests_and_fails() -> None:
    done = run("show", "QueryCall")
    assert done.returncode == 1 and "no match for 'QueryCall'; did you mean: QueryCalls" in done.stdout


def test_what_does_final_result_invalid_number_become() -> None:
    out = ok("lookup", "Result", "INVALID_NUMBER")
    words = squeezed(out)
    assert "CallResult INVALID_NUMBER (none) request lossy v2 has no such result" in words
    assert "As a filter it matches nothing; dropped from RetryResults; never produced on output." in words
    assert "Call.FinalResult finalCallResult enum:CallResult" in words
    assert "QueryCalls.Result query.results enum_filter:CallResult" in words
    found = json.loads(ok("lookup", "FinalResult=INVALID_NUMBER", "--json"))
    assert [(e["table"], e["v1"], e["v2"], e["lossy"]) for e in found["entries"]] == [
        ("CallResult", "INVALID_NUMBER", "", True), ("TextResult", "INVALID_NUMBER", "", True)]
    assert [e["id"] for e in found["related"]] == ["call-response-finalresult", "text-response-finalresult"]


def test_which_endpoint_replaces_query_calls_and_what_happens_to_label_name() -> None:
    assert "QueryCalls (CallService) -> GET /calls" in ok("lookup", "QueryCalls")
    out = ok("lookup", "QueryCalls.LabelName")
    assert "QueryCalls (CallService) -> GET /calls" in out
    assert "QueryCalls.LabelName query.label string passed unchanged" in squeezed(out)
    found = json.loads(ok("lookup", "labelname", "--json"))
    assert found["kind"] == "field" and [(e["table"], e["v2"]) for e in found["entries"]] == [
        ("QueryCalls", "query.label"), ("QueryBroadcasts", "query.label"), ("QueryTexts", "query.label"),
        ("QueryNumbers", "query.labelName"),
        ("DeleteLabel", "query.label"), ("LabelBroadcast", "body.labels"), ("UnlabelBroadcast", "body.labels"),
        ("LabelNumber", "body.labels"), ("UnlabelNumber", "body.labels")]


@pytest.mark.parametrize("term, expected", [
    ("v2:finalCallResult", {("Call", "FinalResult"), ("call-finished", "disposition")}),
    ("v2:campaignId", {("QueryCalls", "BroadcastId"), ("Call", "BroadcastId"), ("Text", "BroadcastId"),
                       ("RecordingMeta", ""), ("BroadcastSchedule", ""), ("CreateBroadcastSchedule", ""),
                       ("SendText", "BroadcastId"), ("QueryTexts", "BroadcastId"), ("call-finished", "campaignid"),
                       ("call-finished-text-sent", "campaignid"), ("call-finished-text-reply", "campaignid"),
                       ("call-finished-text-reply", "replyfromcampaign")}),
])
def test_lookup_v2_names_the_v1_fields(term: str, expected: set[tuple[str, str]]) -> None:
    found = json.loads(ok("lookup", term, "--json"))
    assert {(e["table"], e["v1"]) for e in found["entries"]} == expected
    out = squeezed(ok("lookup", term))
    assert all(f"{table}.{v1} " in out for table, v1 in expected if v1)


def test_lookup_without_a_match_suggests_and_exits_1() -> None:
    done = run("lookup", "LablName")
    assert done.returncode == 1 and "did you mean: LabelName" in done.stdout
    as_json = json.loads(run("lookup", "Result", "NOPE", "--json").stdout)
    assert as_json["found"] is False and as_json["entries"] == []


@pytest.mark.parametrize("args", [("list",), ("show", "SendCall"), ("lookup", "Result", "INVALID_NUMBER"),
                                  ("lookup", "v2:campaignId")])
def test_tables_fit_a_narrow_terminal(args: tuple[str, ...]) -> None:
    narrow, wide = ok(*args, width=60), ok(*args, width=160)
    assert max(map(len, narrow.splitlines())) <= 60 < max(map(len, wide.splitlines()))
    assert Counter(filter(str.isalnum, narrow)) == Counter(filter(str.isalnum, wide)), \
        "a narrow terminal wraps cells, it does not drop text"


def test_export_formats_parse_and_hold_every_row(tmp_path: Path) -> None:
    ids = [e.id for e in catalog().entries]
    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout)))
    assert [r["id"] for r in rows] == ids
    assert [e["id"] for e in json.loads(run("export", "--format", "json").stdout)["entries"]] == ids
    target = tmp_path / "mappings.md"
    done = run("export", "--format", "markdown", "--output", str(target))
    assert done.returncode == 0 and f"{len(ids)} entries" in done.stdout
    assert target.read_text(encoding="utf-8") == (ROOT / "docs" / "mappings.md").read_text(encoding="utf-8")


def test_show_tells_how_query_labels_gathers_what_v2_has_no_list_of() -> None:
    shown = squeezed(ok("show", "QueryLabels"))
    assert "GET /numbers/leases" in shown and "sorted by name" in shown and "10,000" in shown
    looked_up = squeezed(ok("lookup", "DeleteLabel.LabelName"))
    assert "query.label" in looked_up and "again" in looked_up
