"""The HTML comparison report: one self-contained file, opened offline in headless Chromium.

The report is built from real answers of the in-process bridge, one of them altered on purpose,
so the diff, the highlighting and the escaping are tested on what `compare` really renders."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from bridge.compare import compare_answers, rules
from bridge.compare.html import SIDE_LIMIT, to_html
from bridge.compare.model import Answer, Outcome, Report
from conftest import InProcess

HOSTILE = '</script><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def open_report(browser: Browser, html: str, tmp_path: Path) -> tuple[Page, list[str]]:
    """The report as a file:// page, JavaScript off, every network request refused and recorded."""
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(java_script_enabled=False)
    requested: list[str] = []

    def refuse(route: Route) -> None:
        if route.request.url != path.as_uri():
            requested.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", refuse)
    page = context.new_page()
    page.goto(path.as_uri())
    return page, requested


def outcome(inproc: InProcess, login: str, name: str, body: str, operation: str,
            alter: tuple[bytes, bytes] | None = None) -> Outcome:
    answer = inproc.soap(body, login=login).content
    candidate = answer.replace(*alter) if alter else answer
    return Outcome(name, operation, request=body, primary=Answer(200, answer.decode()),
                   candidate=Answer(200, candidate.decode()),
                   differences=compare_answers(operation, answer, candidate, rules()))


@pytest.fixture
def report(inproc: InProcess, login: str) -> Report:
    return Report("http://primary.example", "http://candidate.example", "1.2", "2026-12-02T10:00:00Z", [
        outcome(inproc, login, "call-9652", "<ns1:GetCall><ns1:Id>9652</ns1:Id></ns1:GetCall>", "GetCall",
                (b"<data:State>INVALID</data:State>", b"<data:State>FINISHED</data:State>")),
        outcome(inproc, login, "broadcast-327",
                "<ns1:QueryCalls><ns1:BroadcastId>327</ns1:BroadcastId></ns1:QueryCalls>", "QueryCalls"),
        outcome(inproc, login, "broadcast-101", "<ns1:GetBroadcast><ns1:Id>101</ns1:Id></ns1:GetBroadcast>",
                "GetBroadcast", (b"Appointment reminders - September", HOSTILE.replace("<", "&lt;").encode())),
    ], ignore=["Modified"])


def test_the_report_shows_the_header_rates_and_the_diff(browser: Browser, report: Report, tmp_path: Path) -> None:
    page, requested = open_report(browser, to_html(report), tmp_path)
    expect(page.locator("#verdict")).to_have_text("exit 1: differences")
    expect(page.locator("table.header")).to_contain_text("Modified")
    rates = {row.locator("td").first.inner_text(): row.locator("td.rate").inner_text()
             for row in page.locator("#rates tr").all()[1:]}
    assert rates == {"GetCall": "0%", "QueryCalls": "100%", "GetBroadcast": "0%"}
    different = page.locator("#request-1")
    expect(different).to_have_attribute("open", "")
    row = different.locator("table.differences tr.unexplained")
    expect(row).to_contain_text("Call/State")
    expect(row).to_contain_text("INVALID")
    expect(row).to_contain_text("FINISHED")
    expect(row).to_contain_text("call-response-state")  # the field's mapping row, named for an offline reader
    marked = different.locator("pre.answer span.hl")
    expect(marked.first).to_be_visible()
    assert [t.strip() for t in marked.all_inner_texts()] == ["<data:State>INVALID</data:State>",
                                                             "<data:State>FINISHED</data:State>"]
    assert requested == []


def test_a_same_request_is_closed_and_expands(browser: Browser, report: Report, tmp_path: Path) -> None:
    page, requested = open_report(browser, to_html(report), tmp_path)
    same = page.locator("#request-2")
    expect(same).not_to_have_attribute("open", "")
    expect(same.locator("pre.answer").first).to_be_hidden()
    same.locator("summary").click()
    expect(same.locator("pre.answer").first).to_be_visible()
    expect(same.locator("pre.request-envelope")).to_contain_text("<ns1:BroadcastId>327</ns1:BroadcastId>")
    assert requested == []


def test_hostile_values_are_escaped(browser: Browser, report: Report, tmp_path: Path) -> None:
    html = to_html(report)
    assert HOSTILE not in html and "<img" not in html
    page, requested = open_report(browser, html, tmp_path)
    expect(page.locator("#request-3 table.differences")).to_contain_text(HOSTILE)
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    assert requested == []


def test_the_v2_view_is_shown_with_its_disagreements(browser: Browser, report: Report, tmp_path: Path) -> None:
    report.outcomes[1].v2_view = [
        {"v1": "CallQueryResult/Call[@id=9652]/State", "value": "FINISHED", "v2": "items[id=9652].state",
         "v2_value": "INVALID", "converted": "INVALID", "agrees": False, "why": "v2 'INVALID' converts to 'INVALID'",
         "row": "call-response-state"},
        {"v1": "", "value": "", "v2": "items[id=9652].contact.homePhone", "v2_value": "18185551212",
         "converted": None, "agrees": None, "why": "not carried", "row": "call-v2only-contact-homephone"}]
    page, _ = open_report(browser, to_html(report), tmp_path)
    view = page.locator("#request-2")
    expect(view).to_have_attribute("open", "")  # a disagreeing field makes the request DIFFERENT
    expect(view.locator("table.v2view tr.agree-no")).to_contain_text("items[id=9652].state")
    expect(view.locator("table.v2view")).to_contain_text("(v2 only)")


def test_a_large_answer_is_cut_but_every_difference_is_listed(inproc: InProcess, login: str, tmp_path: Path) -> None:
    body = "<ns1:QueryCalls><ns1:MaxResults>1000</ns1:MaxResults></ns1:QueryCalls>"
    answer = inproc.soap(body, login=login).content
    assert len(answer) > SIDE_LIMIT
    candidate = answer.replace(b"<data:State>FINISHED</data:State>", b"<data:State>READY</data:State>")
    found = compare_answers("QueryCalls", answer, candidate, rules())
    assert len(found) > 100
    report = Report("p", "c", "1.2", "2026-12-02T10:00:00Z", [
        Outcome("all", "QueryCalls", body, Answer(200, answer.decode()), Answer(200, candidate.decode()), found)])
    html = to_html(report)
    assert len(html) < 2 * len(answer)
    assert html.count('<td class="path">') == len(found)
    assert "Every difference is listed above" in html
