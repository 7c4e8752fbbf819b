"""The /mappings pages in a real browser (Debian's headless Chromium driven by Playwright)
against the served bridge: searching as you type, the filters, permalinks, the explain form.

The screenshot that docs/ keeps (README links it) is taken by `test_screenshot_of_a_search`;
regenerate it with

    UPDATE_SCREENSHOT=1 .venv/bin/python -m pytest tests/test_web_browser.py -k screenshot
"""
from __future__ import annotations

import json
import os
import re
import struct
from pathlib import Path
from typing import Iterator

import httpx
import lxml.html
import pytest
from playwright.sync_api import Browser, Page, expect

from bridge.config import ROOT
from bridge.reference import catalog
from bridge.web.examples import EXAMPLES
from conftest import CHROMIUM, Live, basic
from shadow_fixtures import Shadowed, shadowed, wait_for  # noqa: F401 - shadowed is a fixture

SCREENSHOT = ROOT / "docs" / "mappings-page.png"
VIEWPORT = {"width": 1280, "height": 900}
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's Chromium at /usr/bin/chromium (`make system-deps`)")


@pytest.fixture
def page(browser: Browser, live: Live) -> Iterator[Page]:
    """A fresh tab on the served bridge; a script error or a CSP violation fails the test."""
    context = browser.new_context(base_url=live.base_url, viewport=VIEWPORT)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    yield tab
    context.close()
    assert problems == []


def shown_rows(page: Page) -> list[str]:
    return page.eval_on_selector_all("tr[data-search]", "rows => rows.filter(r => r.checkVisibility()).map(r => r.id)")


def served_rows(live: Live, path: str, **params: str) -> list[str]:
    """The rows the server shows for the same query string (the page without JavaScript)."""
    doc = lxml.html.fromstring(httpx.get(live.base_url + path, params=params).text)
    return [row.get("id") for row in doc.xpath("//tr[@data-search]") if row.get("hidden") is None]


def test_typing_filters_the_rows_and_says_when_none_match(page: Page) -> None:
    page.goto("/mappings")
    total = len(catalog().entries)
    expect(page.locator("#ui-count")).to_have_text(f"{total} rows")
    page.locator("#ui-search").press_sequentially("INVALID_NUMBER")
    matching = catalog().select(text="INVALID_NUMBER")
    expect(page.locator("#ui-count")).to_have_text(f"{len(matching)} of {total} rows match")
    assert set(shown_rows(page)) == {e.id for e in catalog().select(text="INVALID_NUMBER")}
    expect(page.locator("#callresult-invalid-number")).to_contain_text("v2 has no such result")
    expect(page.locator("#querycalls-request-labelname")).to_be_hidden()
    expect(page.locator("#ui-overview")).to_be_hidden()
    assert page.url.endswith("/mappings?q=INVALID_NUMBER")

    page.locator("#ui-search").fill("LabelName")
    assert shown_rows(page) == [e.id for e in catalog().select(text="LabelName")]
    assert shown_rows(page)[0] == "querycalls-request-labelname"
    expect(page.locator("#querycalls h3")).to_have_text("QueryCalls → GET /calls")
    expect(page.locator("#querycalls-request-labelname")).to_contain_text("query.label")
    expect(page.locator("#call")).to_be_hidden()
    expect(page.locator("#ui-nomatch")).to_be_hidden()

    page.locator("#ui-search").press_sequentially(" INVALID_NUMBER")
    expect(page.locator("#ui-nomatch")).to_be_visible()
    expect(page.locator("#ui-count")).to_have_text(f"0 of {total} rows match")
    assert shown_rows(page) == []


def test_the_browser_and_the_server_show_the_same_rows(page: Page, live: Live) -> None:
    page.goto("/mappings")
    for params in ({"q": "FinalResult=INVALID_NUMBER"}, {"q": "campaignId"}, {"q": "labelname", "op": "QueryCalls"},
                   {"q": "", "op": "SendCall", "lossy": "1"}):
        page.locator("#ui-op").select_option(params.get("op", ""))
        page.locator("#ui-lossy").set_checked("lossy" in params)
        page.locator("#ui-search").fill(params["q"])
        shown = shown_rows(page)
        assert shown and shown == served_rows(live, "/mappings", **params), params
    page.reload()  # the query string holds the filters: the server renders the same view
    expect(page.locator("#ui-op")).to_have_value("SendCall")
    expect(page.locator("#ui-lossy")).to_be_checked()
    assert shown_rows(page) == shown


def test_operation_filter_and_lossy_only(page: Page) -> None:
    page.goto("/mappings")
    page.locator("#ui-op").select_option("SendCall")
    in_send_call = shown_rows(page)
    assert in_send_call == [e.id for e in catalog().select(operation="SendCall")]
    assert "querycalls-request-labelname" not in in_send_call
    page.locator("#ui-lossy").check()
    lossy = shown_rows(page)
    assert lossy == [e.id for e in catalog().select(operation="SendCall", lossy_only=True)]
    assert "sendcall-request-voicebroadcastconfig-localtimezonerestriction-begintime" in lossy
    for row_id in lossy:
        expect(page.locator(f"#{row_id} .fate")).to_have_text("lossy")
    expect(page.locator("#ui-count")).to_have_text(f"{len(lossy)} of {len(catalog().entries)} rows match")
    assert page.url.endswith("/mappings?op=SendCall&lossy=1")
    page.locator("#ui-lossy").uncheck()
    assert shown_rows(page) == in_send_call


def test_a_permalink_scrolls_to_and_highlights_its_row(page: Page) -> None:
    page.goto("/mappings#callresult-invalid-number")
    row = page.locator("#callresult-invalid-number")
    expect(row).to_have_class("lossy highlight")
    expect(row).to_be_in_viewport()
    assert row.evaluate("r => getComputedStyle(r).backgroundColor") == "rgb(255, 243, 168)"

    page.locator("#querycalls-request-labelname a.permalink").click()
    assert page.url.endswith("/mappings#querycalls-request-labelname")
    expect(page.locator("#querycalls-request-labelname")).to_have_class("highlight")
    expect(row).to_have_class("lossy")


def test_a_permalink_to_a_filtered_out_row_clears_the_filters(page: Page) -> None:
    page.goto("/mappings?q=LabelName#callresult-invalid-number")
    row = page.locator("#callresult-invalid-number")
    expect(row).to_be_in_viewport()
    expect(row).to_have_class("lossy highlight")
    expect(page.locator("#ui-search")).to_have_value("")
    expect(page.locator("#ui-count")).to_have_text(f"{len(catalog().entries)} rows")


def test_an_operation_page_shows_only_its_rows(page: Page) -> None:
    page.goto("/mappings/QueryCalls")
    expect(page.locator("h1")).to_have_text("QueryCalls → GET /calls")
    expected = [e.id for e in catalog().select(operation="QueryCalls")]
    assert shown_rows(page) == expected
    assert all("QueryCalls" in ops.split() for ops in
               page.eval_on_selector_all("tr[data-search]", "rows => rows.map(r => r.dataset.ops)"))
    page.locator("#ui-search").fill("LabelName")
    assert shown_rows(page) == ["querycalls-request-labelname"]
    assert page.url.endswith("/mappings/QueryCalls?q=LabelName")


def test_explain_send_call(page: Page, live: Live) -> None:
    [expected] = httpx.post(f"{live.base_url}/explain", content=EXAMPLES["SendCall"].encode()).json()["requests"]
    page.goto("/mappings/explain")
    page.locator("#ui-request").fill(EXAMPLES["SendCall"])
    page.get_by_role("button", name="Explain").click()
    expect(page.locator("#ui-result h2")).to_have_text("SendCall → 1 v2 request")
    expect(page.locator(".call .method")).to_have_text("POST")
    expect(page.locator("#url-1")).to_have_text(expected["url"])
    assert expected["url"].endswith("/calls/broadcasts?start=true")
    body = json.loads(page.locator("#body-1").text_content())
    assert body == expected["json"] and body["recipients"] == [{"phoneNumber": "18185551212"}]
    expect(page.locator("#curl-1")).to_have_text(expected["curl"])
    expect(page.locator("#python")).to_contain_text("client.post('/calls/broadcasts'")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.base_url)
    copy = page.locator("button[data-copy='curl-1']")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == expected["curl"]


def test_explain_names_the_field_at_fault(page: Page) -> None:
    page.goto("/mappings/explain")
    page.locator("#ui-request").fill("<QueryCalls><MaxResults>abc</MaxResults></QueryCalls>")
    page.locator("#ui-request").press("Control+Enter")
    expect(page.locator("#ui-fault")).to_contain_text("BAD_REQUEST — MaxResults: 'abc' is not an integer")
    expect(page.locator("#ui-request")).to_have_value("<QueryCalls><MaxResults>abc</MaxResults></QueryCalls>")
    expect(page.locator("#ui-result")).to_have_count(0)


def test_without_javascript_the_forms_still_work(browser: Browser, live: Live) -> None:
    context = browser.new_context(base_url=live.base_url, viewport=VIEWPORT, java_script_enabled=False)
    page = context.new_page()
    page.goto("/mappings")
    page.locator("#ui-search").fill("INVALID_NUMBER")
    page.locator("#ui-lossy").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#ui-count")).to_have_text(f"4 of {len(catalog().entries)} rows match")
    page.wait_for_load_state("load")  # the count comes before the ~1 MB table: let the rows arrive too
    assert shown_rows(page) == ["callresult-invalid-number", "textresult-invalid-number",
                                "callresultstat-invalid-number", "textresultstat-invalid-number"]
    page.goto("/mappings/explain?example=SendCall")
    page.get_by_role("button", name="Explain").click()
    expect(page.locator("#url-1")).to_have_text(re.compile(r"/calls/broadcasts\?start=true$"))
    expect(page.locator("button[data-copy]").first).to_be_hidden()  # copying needs the script
    context.close()


def test_compare_page_shows_what_shadow_mode_found_and_filters_it(browser: Browser, shadowed: Shadowed,
                                                                   login: str) -> None:
    for operation, port in (("GetCall", "call"), ("GetContactHistory", "contact")):  # a difference, an agreement
        answer = httpx.post(f"{shadowed.bridge.base_url}/api/1.1/soap12/{port}", content=EXAMPLES[operation],
                            headers={"Content-Type": "application/soap+xml", "Authorization": basic(login)})
        assert answer.status_code == 200
    context = browser.new_context(base_url=shadowed.bridge.base_url, viewport=VIEWPORT)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)

    def shown(selector: str) -> bool:
        tab.goto("/compare")
        return tab.locator(selector).count() > 0
    wait_for(lambda: shown("article[data-status=different] tr.unexplained")
             and shown("article[data-status=same]"), "a different and a same read at /compare")
    expect(tab.locator("#ui-counters .counter-different dd")).not_to_have_text("0")
    row = tab.locator("article[data-status=different] tr.unexplained").first
    expect(row).to_contain_text("Call/State")
    expect(row.locator("td[data-label=shadow]")).to_have_text("FINISHED")
    expect(row.locator("td[data-label=bridge]")).to_have_text("INVALID")
    expect(row.locator("a[href$='#call-response-state']")).to_be_visible()  # the mapping row of the field

    tab.locator("#ui-different").check()
    tab.get_by_role("button", name="Show").click()
    assert "different=1" in tab.url
    expect(tab.locator("article[data-status]:not([data-status=different])")).to_have_count(0)
    expect(tab.locator("article[data-status=different]").first).to_be_visible()
    export = tab.request.get(tab.locator("#ui-export-json").get_attribute("href"))
    assert {o["status"] for o in export.json()["outcomes"]} == {"different"}
    tab.locator("#ui-export-html").click()  # compare's self-contained report, under its own CSP
    expect(tab.locator("body")).to_contain_text("Call/State")
    assert "system-ui" in tab.evaluate("getComputedStyle(document.body).fontFamily")  # its inline CSS applies
    context.close()
    assert problems == []


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_screenshot_of_a_search(page: Page, tmp_path: Path) -> None:
    page.goto("/mappings")
    page.locator("#ui-search").fill("INVALID_NUMBER")
    expect(page.locator("#callresult-invalid-number")).to_be_visible()
    shot = page.screenshot(path=tmp_path / "mappings-page.png", full_page=True)
    width, height = png_size(shot)
    assert width == VIEWPORT["width"] and height >= VIEWPORT["height"]
    if os.environ.get("UPDATE_SCREENSHOT"):
        SCREENSHOT.write_bytes(shot)
    assert png_size(SCREENSHOT.read_bytes())[0] == width, "docs/mappings-page.png: regenerate it (see above)"
