"""`callfire-bridge compare`: the diff a migrating team reads, and the exit status CI branches on.

The first half reads answers built in the test (what equal means, what a difference says); the second
replays the project's served-reads scenario against the live bridge, directly and through a proxy that
injects one divergence at a time, as a bug in a translation would.
"""
from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from bridge.cli import main
from bridge.compare import compare_answers, noise_paths, rules
from bridge.compare.diff import matches
from bridge.compare.model import EXTRA, MISSING, ORDER, VALUE
from bridge.compare.scenario import ScenarioError, load
from divergence_proxy import divergence_proxy

ROOT = Path(__file__).resolve().parents[1]
SERVED_READS = ROOT / "docs" / "scenarios" / "served-reads.yaml"
SVC, DATA = "http://api.callfire.com/service/xsd", "http://api.callfire.com/data"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


def envelope(body: str) -> bytes:
    return (f'<s:Envelope xmlns:s="{SOAP12}"><s:Body>{body}</s:Body></s:Envelope>').encode()


def calls(*items: str, total: str = "2") -> bytes:
    return envelope(f'<r:CallQueryResult xmlns:r="{SVC}" xmlns:d="{DATA}"><r:TotalResults>{total}</r:TotalResults>'
                    + "".join(items) + "</r:CallQueryResult>")


def call(ident: int, *, created: str = "2026-11-02T15:00:00Z", state: str = "FINISHED", result: str = "LA",
         from_number: str = "12135551189", labels: tuple[str, ...] = ("a", "b"), extra: str = "") -> str:
    label_xml = "".join(f"<d:Label><d:Name>{name}</d:Name></d:Label>" for name in labels)
    return (f'<d:Call id="{ident}"><d:FromNumber>{from_number}</d:FromNumber><d:ToNumber>13105551212</d:ToNumber>'
            f"<d:State>{state}</d:State><d:ContactId>0</d:ContactId><d:Inbound>false</d:Inbound>"
            f"<d:Created>{created}</d:Created><d:FinalResult>{result}</d:FinalResult>{label_xml}{extra}</d:Call>")


def differences(primary: bytes, candidate: bytes, operation: str = "QueryCalls", ignore: tuple[str, ...] = ()):
    return compare_answers(operation, primary, candidate, rules().with_ignore(ignore))


# --- what counts as the same answer ---

def test_a_dateTime_is_its_instant_whatever_the_offset_and_numbers_are_values() -> None:
    primary = calls(call(1), call(2, created="2026-11-02T16:30:00.000Z"))
    candidate = calls(call(1, created="2026-11-02T07:00:00-08:00"), call(2, created="2026-11-02T08:30:00-08:00"),
                      total="2.0")
    assert differences(primary, candidate) == []


def test_an_hour_later_with_the_same_offset_is_a_difference_naming_the_path() -> None:
    [found] = differences(calls(call(1), call(2)), calls(call(1), call(2, created="2026-11-02T16:00:00Z")))
    assert (found.path, found.kind, found.primary, found.candidate) == (
        "CallQueryResult/Call[@id=2]/Created", VALUE, "2026-11-02T15:00:00Z", "2026-11-02T16:00:00Z")
    assert found.unexplained and "call-response-created" in found.related


def test_labels_are_a_set_but_calls_keep_their_order() -> None:
    assert differences(calls(call(1), call(2)), calls(call(1, labels=("b", "a")), call(2))) == []
    [found] = differences(calls(call(1), call(2)), calls(call(2), call(1)))
    assert (found.path, found.kind) == ("CallQueryResult/Call", ORDER)
    assert found.primary == "Call[@id=1], Call[@id=2]" and found.candidate == "Call[@id=2], Call[@id=1]"


def test_a_missing_and_an_extra_call_are_one_difference_each_not_a_cascade() -> None:
    found = differences(calls(call(1), call(2), call(3)), calls(call(1), call(3), call(4)))
    assert [(d.path, d.kind) for d in found] == [("CallQueryResult/Call[@id=2]", MISSING),
                                                  ("CallQueryResult/Call[@id=4]", EXTRA)]


def test_ignore_paths_match_from_the_end_or_anchored() -> None:
    primary, candidate = calls(call(1), call(2)), calls(call(1, state="READY"), call(2, created="2026-01-01T00:00:00Z"))
    assert {d.path for d in differences(primary, candidate, ignore=("State", "Call/Created"))} == set()
    assert {d.path for d in differences(primary, candidate, ignore=("/CallQueryResult/Call/State",))} == {
        "CallQueryResult/Call[@id=2]/Created"}
    assert matches("*/Call/@id", "CallQueryResult/Call[@id=2]/@id")
    assert not matches("/Call/State", "CallQueryResult/Call[@id=2]/State")


# --- which differences the mapping tables expect ---

def test_a_lossy_rows_default_is_expected_and_names_its_row() -> None:
    [found] = differences(calls(call(1), call(2)), calls(call(1), call(2, from_number="UNKNOWN")))
    assert not found.unexplained
    assert (found.explanation.row, found.explanation.entry_id) == ("Call.FromNumber", "call-response-fromnumber")


def test_a_value_added_after_2014_against_its_2014_stand_in_is_expected() -> None:
    [found] = differences(calls(call(1, result="SD"), call(2)), calls(call(1, result="AM"), call(2)))
    assert found.explanation is not None and found.explanation.row == "CallResult SD"
    assert found.explanation.source == "mappings/enums.yaml"


def test_a_wrong_enum_in_a_lossy_table_is_not_explained_away() -> None:
    # CALLBACK is written READY under 2014 (a lossy row), so READY is a legitimate output; FINISHED -> READY is not.
    [found] = differences(calls(call(1), call(2)), calls(call(1, state="READY"), call(2)))
    assert found.unexplained and found.explanation is None


def test_an_element_added_after_2014_missing_from_a_2014_answer_is_expected() -> None:
    live_only = "<d:AgentCall>false</d:AgentCall>"
    [found] = differences(calls(call(1, extra=live_only), call(2)), calls(call(1), call(2)))
    assert (found.kind, found.path) == (MISSING, "CallQueryResult/Call[@id=1]/AgentCall")
    assert found.explanation is not None and "2014" in found.explanation.note


def test_a_faults_wording_is_expected_but_its_code_is_compared() -> None:
    def fault(code: str, message: str) -> bytes:
        return envelope(f'<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en">'
                        f'{message}</s:Text></s:Reason><s:Detail><ServiceFaultInfo xmlns="{SVC}"><FaultCode>{code}'
                        f"</FaultCode><Message>{message}</Message></ServiceFaultInfo></s:Detail></s:Fault>")
    worded = differences(fault("NOT_FOUND", "Call 9 not found"), fault("NOT_FOUND", "no such call"), "GetCall")
    assert worded and not any(d.unexplained for d in worded)
    [code] = [d for d in differences(fault("NOT_FOUND", "x"), fault("BAD_REQUEST", "x"), "GetCall") if d.unexplained]
    assert code.path == "Fault/ServiceFaultInfo/FaultCode"


def test_noise_is_where_the_primary_disagrees_with_itself() -> None:
    first, second = calls(call(1), call(2)), calls(call(1), call(2, created="2026-11-02T15:00:01Z"))
    noise = noise_paths(first, second, rules())
    assert noise == {"CallQueryResult/Call/Created"}
    found = compare_answers("QueryCalls", first, calls(call(1, created="2026-01-01T00:00:00Z"), call(2)), rules(), noise)
    assert [d.noise for d in found] == [True]


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8, unique=True),
       st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_any_page_equals_itself_written_in_another_offset(ids: list[int], offset_minutes: int) -> None:
    from datetime import datetime, timedelta, timezone
    moment = datetime(2026, 11, 2, 15, 0, tzinfo=timezone.utc)
    shifted = moment.astimezone(timezone(timedelta(minutes=offset_minutes))).isoformat()
    primary = calls(*(call(i) for i in ids), total=str(len(ids)))
    candidate = calls(*(call(i, created=shifted) for i in ids), total=str(len(ids)))
    assert differences(primary, candidate) == []


# --- scenarios ---

def test_the_served_reads_scenario_covers_every_served_read_operation() -> None:
    from bridge.registry import registry
    served_reads = {op.name for op in registry().served() if op.wsdl.reads_only}
    assert {request.operation.name for request in load(SERVED_READS)} == served_reads


def test_a_scenario_mistake_names_the_file_and_request(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("requests:\n  - {name: a, b, operation: GetCall, fields: {Id: 1}}\n")
    with pytest.raises(ScenarioError, match=r"bad.yaml: request 1: unknown key"):
        load(bad)
    bad.write_text("requests:\n  - {operation: GetCal, fields: {Id: 1}}\n")
    with pytest.raises(ScenarioError, match="'GetCal' is not a CallFire v1.1 operation"):
        load(bad)
    bad.write_text("requests:\n  - {operation: GetCall, fields: {Identifier: 1}}\n")
    with pytest.raises(ScenarioError, match="request 1: .*Identifier"):
        load(bad)


def test_a_directory_of_raw_envelopes_is_a_scenario(tmp_path: Path) -> None:
    (tmp_path / "01-get-call.xml").write_bytes(envelope(f'<GetCall xmlns="{SVC}"><Id>9652</Id></GetCall>'))
    (tmp_path / "02-query.xml").write_text(
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<QueryCalls xmlns="{SVC}"><MaxResults>5</MaxResults></QueryCalls></soap:Body></soap:Envelope>')
    first, second = load(tmp_path)
    assert (first.name, first.operation.name, first.soap) == ("01-get-call", "GetCall", "1.2")
    assert (second.operation.name, second.soap) == ("QueryCalls", "1.1")


# --- against the live bridge ---

def compare(tmp_path: Path, primary: str, candidate: str, *extra: str, scenario: Path = SERVED_READS,
            login: str = "compare") -> tuple[int, dict]:
    report = tmp_path / "report.json"
    status = main(["compare", "--primary", primary, "--candidate", candidate, "--primary-auth", f"{login}:pw",
                   "--report-json", str(report), *extra, str(scenario)])
    return status, (json.loads(report.read_text()) if report.exists() else {})


def unexplained(report: dict) -> list[dict]:
    return [d for o in report["outcomes"] for d in o["differences"] if d["unexplained"]]


def test_the_bridge_compared_with_itself_is_clean_over_every_served_read(live, tmp_path: Path) -> None:
    status, report = compare(tmp_path, live.base_url, live.base_url, "--soap", "1.1")
    assert status == 0, unexplained(report)
    assert report["totals"] == {"same": len(load(SERVED_READS))}


def _first(root: etree._Element, name: str) -> etree._Element:
    return next(root.iter(f"{{{DATA}}}{name}"))


def wrong_enum(answer: etree._Element) -> None:
    for state in answer.iter(f"{{{DATA}}}State"):
        if state.text == "FINISHED":
            state.text = "READY"
            return


def shifted_an_hour(answer: etree._Element) -> None:
    created = next(answer.iter(f"{{{DATA}}}Created"), None)
    if created is not None:  # 2013-03-07T12:01:59-08:00 -> 13:01:59, the offset kept
        hour = int(created.text[11:13])
        created.text = f"{created.text[:11]}{hour + 1:02d}{created.text[13:]}"


def dropped_final_result(answer: etree._Element) -> None:
    result = next(answer.iter(f"{{{DATA}}}FinalResult"), None)
    if result is not None:
        result.getparent().remove(result)


def swapped_two_calls(answer: etree._Element) -> None:
    found = answer.findall(f"{{{DATA}}}Call")
    if len(found) >= 2:
        found[0].addprevious(found[1])


def one_call_more(answer: etree._Element) -> None:
    found = answer.findall(f"{{{DATA}}}Call")
    if found:
        clone = etree.fromstring(etree.tostring(found[-1]))
        clone.set("id", "77777777")
        found[-1].addnext(clone)


DIVERGENCES = {  # mutation, kind, path (ids shown as [@id=*])
    "a wrong enum mapping": (wrong_enum, VALUE, "CallQueryResult/Call[@id=*]/State"),
    "a dateTime an hour off, offset kept": (shifted_an_hour, VALUE, "CallQueryResult/Call[@id=*]/Created"),
    "a dropped element": (dropped_final_result, MISSING, "CallQueryResult/Call[@id=*]/FinalResult"),
    "a reordered list that carries order": (swapped_two_calls, ORDER, "CallQueryResult/Call"),
    "an extra call in a page": (one_call_more, EXTRA, "CallQueryResult/Call[@id=77777777]"),
}


@pytest.mark.parametrize("divergence", DIVERGENCES)
def test_each_injected_divergence_fails_the_comparison_and_names_its_path(live, tmp_path: Path, divergence: str,
                                                                          capsys: pytest.CaptureFixture) -> None:
    mutate, kind, path = DIVERGENCES[divergence]
    scenario = tmp_path / "one.yaml"
    scenario.write_text("requests:\n  - {operation: QueryCalls, fields: {BroadcastId: 101, MaxResults: 20}}\n")
    with divergence_proxy(live.base_url, mutate) as (proxy_url, proxy):
        status, report = compare(tmp_path, live.base_url, proxy_url, scenario=scenario)
    assert proxy.mutated == 1
    assert status == 1
    [found] = unexplained(report)
    assert found["kind"] == kind and fnmatch.fnmatchcase(found["path"], path.replace("[", "[[]")), found
    printed = capsys.readouterr().out
    assert found["path"] in printed, "the terminal summary names the path"


def test_writes_are_left_out_unless_allowed_and_then_sent_once_per_target_with_its_own_request_id(
        live, tmp_path: Path) -> None:
    import httpx
    scenario = tmp_path / "write.yaml"
    scenario.write_text("requests:\n  - operation: SendCall\n    fields: {BroadcastName: compare, ToNumber: ['13105551212'],"
                        " VoiceBroadcastConfig: {LiveSoundText: hello}}\n")
    def posts() -> list[dict]:
        seen = httpx.get(f"{live.sim_url}/__sim/requests", params={"login": "compare-writes"}).json()["items"]
        return [r for r in seen if r["method"] == "POST"]

    status, report = compare(tmp_path, live.base_url, live.base_url, scenario=scenario, login="compare-writes")
    assert (status, report["totals"]) == (0, {"skipped": 1})
    assert "--allow-writes" in report["outcomes"][0]["skipped"]
    assert posts() == []

    status, report = compare(tmp_path, live.base_url, live.base_url, "--allow-writes", "--noise", scenario=scenario,
                             login="compare-writes")
    assert len(posts()) == 2, "once per target, never twice to the primary even with --noise"
    # Both reached the same bridge: had they shared a RequestId, the second would have replayed the first.
    assert status == 1
    [found] = unexplained(report)
    assert found["path"] == "CreatedId" and found["primary"] != found["candidate"]


def test_an_unreachable_target_is_a_usage_error_with_a_clear_message(live, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture) -> None:
    from bridge.cli import free_port
    status, _ = compare(tmp_path, live.base_url, f"http://127.0.0.1:{free_port()}")
    assert status == 2
    assert "the candidate at http://127.0.0.1:" in capsys.readouterr().err


def test_junit_report_has_a_failure_per_unexplained_request(live, tmp_path: Path) -> None:
    junit = tmp_path / "compare.xml"
    with divergence_proxy(live.base_url, wrong_enum) as (proxy_url, _):
        status, report = compare(tmp_path, live.base_url, proxy_url, "--junit", str(junit))
    assert status == 1
    suites = etree.parse(str(junit)).getroot()
    failures = {(case.get("classname"), case.get("name")) for case in suites.iter("testcase")
                if case.find("failure") is not None}
    assert failures == {(o["operation"], o["name"]) for o in report["outcomes"] if o["status"] == "different"}
    assert ("QueryCalls", "batch 1301") in failures
    assert sum(int(s.get("tests")) for s in suites.iter("testsuite")) == len(load(SERVED_READS))


def test_an_element_v2_has_no_value_for_is_expected_when_the_bridge_leaves_it_out() -> None:
    def broadcast(created: str) -> bytes:
        return envelope(f'<d:Broadcast xmlns:d="{DATA}" id="101"><d:Name>x</d:Name><d:Status>FINISHED</d:Status>'
                        f'<d:LastModified>2026-09-08T16:00:00Z</d:LastModified><d:Type>VOICE</d:Type>'
                        f'<d:VoiceBroadcastConfig id="101">{created}<d:FromNumber>12135551189</d:FromNumber>'
                        f"</d:VoiceBroadcastConfig></d:Broadcast>")
    [found] = differences(broadcast("<d:Created>2026-09-01T00:00:00Z</d:Created>"), broadcast(""), "GetBroadcast")
    assert (found.kind, found.path) == (MISSING, "Broadcast/VoiceBroadcastConfig[@id=101]/Created")
    assert found.explanation is not None and "no creation time" in found.explanation.note


def stats(*result_stats: tuple[str, int, int], billed: int = 60) -> bytes:
    rows = "".join(f"<d:ResultStat><d:Result>{r}</d:Result><d:Attempts>{a}</d:Attempts><d:Actions>{n}</d:Actions>"
                   f"</d:ResultStat>" for r, a, n in result_stats)
    return envelope(f'<d:BroadcastStats xmlns:d="{DATA}"><d:UsageStats><d:Duration>50</d:Duration>'
                    f"<d:BilledDuration>{billed}</d:BilledDuration><d:BilledAmount>1.0</d:BilledAmount>"
                    f"<d:Attempts>3</d:Attempts><d:Actions>2</d:Actions></d:UsageStats>{rows}"
                    f"<d:ActionStatistics><d:Unattempted>0</d:Unattempted><d:RetryWait>0</d:RetryWait>"
                    f"<d:Finished>2</d:Finished></d:ActionStatistics></d:BroadcastStats>")


def test_a_figure_v2_cannot_give_is_expected_naming_its_approximate_row() -> None:
    found = differences(stats(("LA", 2, 1), ("CARRIER_ERROR", 1, 1), billed=50), stats(("LA", 1, 1)),
                        "GetBroadcastStats")
    assert {(d.path, d.kind) for d in found} == {
        ("BroadcastStats/UsageStats/BilledDuration", VALUE), ("BroadcastStats/ResultStat[Result=LA]/Attempts", VALUE),
        ("BroadcastStats/ResultStat[Result=CARRIER_ERROR]", MISSING)}
    assert all(d.explanation is not None and d.explanation.entry_id for d in found)
    # ...but a count v2 does give is compared: Finished is not approximate
    [finished] = differences(stats(), stats().replace(b"<d:Finished>2<", b"<d:Finished>3<"), "GetBroadcastStats")
    assert finished.unexplained


def test_an_order_rule_does_not_explain_a_missing_element_at_the_same_path() -> None:
    def broadcasts(*ids: int) -> bytes:
        items = "".join(f'<d:Broadcast id="{i}"><d:Name>b{i}</d:Name><d:Status>FINISHED</d:Status>'
                        f"<d:LastModified>2026-09-08T16:00:00Z</d:LastModified><d:Type>VOICE</d:Type></d:Broadcast>"
                        for i in ids)
        return envelope(f'<r:BroadcastQueryResult xmlns:r="{SVC}" xmlns:d="{DATA}"><r:TotalResults>{len(ids)}'
                        f"</r:TotalResults>{items}</r:BroadcastQueryResult>")
    [moved] = differences(broadcasts(1, 2), broadcasts(2, 1), "QueryBroadcasts")
    assert moved.kind == ORDER and moved.explanation is not None and "lastModified" in moved.explanation.note
    missing = [d for d in differences(broadcasts(1, 2), broadcasts(1), "QueryBroadcasts") if d.kind == MISSING]
    assert [d.path for d in missing] == ["BroadcastQueryResult/Broadcast[@id=2]"] and missing[0].unexplained
