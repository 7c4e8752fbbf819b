"""The /mappings pages as a client without JavaScript sees them: every catalog row with its
anchor, the query string filtering on the server, the explain form as a plain form POST,
everything escaped and served under a strict Content-Security-Policy."""
from __future__ import annotations

import fnmatch
import json
import tomllib
from pathlib import Path

import httpx
import lxml.html
import pytest

from bridge.config import ROOT, Settings
from bridge.reference import catalog
from bridge.web.examples import EXAMPLES
from conftest import Live

WEB = ROOT / "bridge" / "web"
SEND_CALL_FAULT = "VoiceBroadcastConfig or IvrBroadcastConfig: one is required"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> httpx.Client:
    """The bridge in-process; its upstream fails every request, so a page that called v2 would show it."""
    from bridge.wsgi import create_app
    upstream = httpx.MockTransport(lambda request: httpx.Response(599, text="the pages must not call v2"))
    settings = Settings(store_path=tmp_path_factory.mktemp("web") / "store.sqlite3")
    app = create_app(settings, upstream="http://v2.example/v2", transport=upstream)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://bridge") as client:
        yield client


def page(response: httpx.Response) -> lxml.html.HtmlElement:
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return lxml.html.fromstring(response.text)


def rows(doc: lxml.html.HtmlElement, *, visible: bool | None = None) -> list[str]:
    found = doc.xpath(".//tr[@data-search]")
    if visible is not None:
        found = [row for row in found if (row.get("hidden") is None) == visible]
    return [row.get("id") for row in found]


def text_of(doc: lxml.html.HtmlElement, element_id: str) -> str:
    return " ".join(doc.get_element_by_id(element_id).text_content().split())


def test_every_catalog_row_is_on_the_page_with_its_permalink(web: httpx.Client) -> None:
    doc = page(web.get("/mappings"))
    book = catalog()
    assert rows(doc) == [e.id for e in book.entries]
    assert rows(doc, visible=False) == []
    for entry_id in ("querycalls-request-labelname", "callresult-invalid-number", "errors-status-404"):
        [link] = doc.get_element_by_id(entry_id).xpath(".//a[@class='permalink']")
        assert link.get("href") == f"/mappings#{entry_id}"
    assert text_of(doc, "ui-count") == f"{len(book.entries)} rows"
    assert doc.get_element_by_id("ui-nomatch").get("hidden") is not None


def test_the_overview_names_each_operation_and_its_v2_endpoint(web: httpx.Client) -> None:
    overview = page(web.get("/mappings")).get_element_by_id("ui-overview")
    lines = {" ".join(tr.text_content().split()) for tr in overview.xpath(".//tbody/tr")}
    assert any(line.startswith("QueryCalls CallService GET /calls svc:QueryCalls") for line in lines)
    assert any(line.startswith("SendCall CallService POST /calls/broadcasts?start=true") for line in lines)
    assert len(lines) == len(catalog().operations)


def test_lossy_rows_are_marked(web: httpx.Client) -> None:
    row = page(web.get("/mappings")).get_element_by_id("callresult-invalid-number")
    assert "lossy" in row.get("class").split()
    assert row.xpath(".//span[contains(@class, 'fate-lossy')]/text()") == ["lossy"]


@pytest.mark.parametrize(("query", "expected"), [
    ({"q": "INVALID_NUMBER"}, {e.id for e in catalog().select(text="INVALID_NUMBER")}),
    ({"q": "labelname"}, {"querycalls-request-labelname", "querybroadcasts-request-labelname",
                          "querytexts-request-labelname", "callbroadcast-v2only-labels",
                          "textbroadcast-v2only-labels", "querynumbers-request-labelname", "number-v2only-labels",
                          "querykeywords-v2only-query-labelname",
                          # LabelService (mappings/label.yaml)
                          "deletelabel-request-labelname", "deletelabel-v2only-body-labels",
                          "deletelabel-v2only-query-labelname", "querylabels-v2only-query-labelname",
                          "labelbroadcast-request-labelname", "unlabelbroadcast-request-labelname",
                          "labelnumber-request-labelname", "unlabelnumber-request-labelname"}),
    ({"q": "FinalResult=INVALID_NUMBER"}, {"callresult-invalid-number", "textresult-invalid-number"}),
    ({"op": "SendCall", "lossy": "1"}, {e.id for e in catalog().select(operation="SendCall", lossy_only=True)}),
    ({"q": "campaignId", "op": "QueryCalls"}, {e.id for e in catalog().select(operation="QueryCalls",
                                                                              text="campaignId")}),
])
def test_the_query_string_filters_on_the_server(web: httpx.Client, query: dict[str, str],
                                                expected: set[str]) -> None:
    doc = page(web.get("/mappings", params=query))
    shown = set(rows(doc, visible=True))
    assert shown == expected and shown
    total = len(catalog().entries)
    assert text_of(doc, "ui-count") == f"{len(shown)} of {total} rows match"
    assert doc.get_element_by_id("ui-search").get("value") == query.get("q", "")
    assert (doc.get_element_by_id("ui-lossy").get("checked") is not None) == ("lossy" in query)
    assert doc.xpath("//select[@id='ui-op']/option[@selected]/@value") == ([query["op"]] if "op" in query else [])
    for section in doc.xpath("//section[@data-section]"):  # a table shows when one of its rows does
        assert (section.get("hidden") is None) == bool(set(rows(section)) & shown), section.get("id")
    assert doc.get_element_by_id("ui-overview").get("hidden") is not None


def test_a_search_without_matches_says_so(web: httpx.Client) -> None:
    doc = page(web.get("/mappings", params={"q": "LabelName INVALID_NUMBER"}))
    assert rows(doc, visible=True) == []
    assert text_of(doc, "ui-count") == f"0 of {len(catalog().entries)} rows match"
    assert doc.get_element_by_id("ui-nomatch").get("hidden") is None
    assert text_of(doc, "ui-nomatch").startswith("No row matches these filters.")
    assert all(group.get("hidden") is not None for group in doc.xpath("//section[@data-group]"))


def test_an_operation_page_shows_its_endpoint_and_only_its_rows(web: httpx.Client) -> None:
    doc = page(web.get("/mappings/QueryCalls"))
    assert " ".join(doc.xpath("//h1")[0].text_content().split()) == "QueryCalls → GET /calls"
    assert rows(doc) == [e.id for e in catalog().select(operation="QueryCalls")]
    assert all("QueryCalls" in row.get("data-ops").split() for row in doc.xpath("//tr[@data-search]"))
    assert "sendcall-request-tonumber" not in rows(doc) and "querycalls-request-labelname" in rows(doc)
    assert doc.xpath("//select[@id='ui-op']") == []
    narrowed = page(web.get("/mappings/QueryCalls", params={"q": "LabelName"}))
    assert rows(narrowed, visible=True) == ["querycalls-request-labelname"]


def test_a_label_operation_page_comes_from_its_table_alone(web: httpx.Client) -> None:
    doc = page(web.get("/mappings/UnlabelNumber"))
    assert " ".join(doc.xpath("//h1")[0].text_content().split()).startswith("UnlabelNumber → GET /numbers/leases/{number}")
    assert rows(doc) == [e.id for e in catalog().select(operation="UnlabelNumber")]
    assert "unlabelnumber-request-labelname" in rows(doc)


def test_an_unknown_operation_is_an_html_404_with_suggestions(web: httpx.Client) -> None:
    response = web.get("/mappings/QueryCall")
    assert response.status_code == 404
    doc = page(response)
    assert " ".join(doc.xpath("//h1")[0].text_content().split()) == "No operation QueryCall"
    assert "/mappings/QueryCalls" in doc.xpath("//p[starts-with(normalize-space(), 'Did you mean')]/a/@href")


def test_what_the_user_typed_is_escaped(web: httpx.Client) -> None:
    hostile = '"><script>alert(1)</script>'
    for response in (web.get("/mappings", params={"q": hostile}), web.get("/mappings/<script>alert(1)"),
                     web.post("/mappings/explain", data={"request": hostile})):
        assert "<script>alert(1)" not in response.text
        assert "&lt;script&gt;alert(1)" in response.text


def test_pages_allow_no_inline_script_style_or_handler(web: httpx.Client) -> None:
    for path in ("/mappings", "/mappings/SendCall", "/mappings/explain", "/mappings/Nope"):
        response = web.get(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "style-src 'self'" in response.headers["content-security-policy"]
        doc = page(response)
        assert [s.get("src") for s in doc.xpath("//script")] == ["/mappings/static/page.js"]
        assert doc.xpath("//style | //*[@style]") == []
        assert [a for el in doc.iter() for a in el.attrib if a.startswith("on")] == []


def test_static_files_are_served_and_packaged(web: httpx.Client) -> None:
    assert web.get("/mappings/static/page.js").headers["content-type"] == "text/javascript; charset=utf-8"
    assert web.get("/mappings/static/page.css").headers["content-type"] == "text/css; charset=utf-8"
    assert web.get("/mappings/static/nope.js").status_code == 404
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["bridge.web"]
    for path in [*WEB.glob("templates/*"), *WEB.glob("static/*")]:
        relative = path.relative_to(WEB).as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), f"{relative} would not be installed"


def test_the_explain_form_prefills_an_example(web: httpx.Client) -> None:
    blank = page(web.get("/mappings/explain")).get_element_by_id("ui-request")
    assert blank.text_content() == "" and "<svc:BroadcastId>327</svc:BroadcastId>" in blank.get("placeholder")
    filled = page(web.get("/mappings/explain", params={"example": "SendCall"})).get_element_by_id("ui-request")
    assert filled.text_content() == EXAMPLES["SendCall"]


def test_the_explain_form_shows_what_post_explain_answers(web: httpx.Client) -> None:
    expected = web.post("/explain", content=EXAMPLES["SendCall"].encode()).json()
    [request] = expected["requests"]
    response = web.post("/mappings/explain", data={"request": EXAMPLES["SendCall"]})
    assert response.status_code == 200
    doc = page(response)
    assert text_of(doc, "url-1") == request["url"] == "http://v2.example/v2/calls/broadcasts?start=true"
    assert doc.xpath("//article[@class='call']//span[contains(@class, 'method')]/text()") == ["POST"]
    assert json.loads(doc.get_element_by_id("body-1").text_content()) == request["json"]
    assert doc.get_element_by_id("curl-1").text_content() == request["curl"]
    assert doc.get_element_by_id("python").text_content() == expected["python"]
    assert doc.get_element_by_id("ui-request").text_content() == EXAMPLES["SendCall"]
    assert doc.xpath("//button[@data-copy]/@data-copy") == ["url-1", "body-1", "curl-1", "python"]


def test_the_explain_form_lists_lossy_values(web: httpx.Client) -> None:
    pasted = "<QueryCalls><State>READY RESTRICTED_NUMBER</State><Result>INVALID_NUMBER LA</Result></QueryCalls>"
    doc = page(web.post("/mappings/explain", data={"request": pasted}))
    lossy = [" ".join(li.text_content().split()) for li in doc.xpath("//div[@class='lossy-list']//li")]
    assert any(item.startswith("State: RESTRICTED_NUMBER dropped") for item in lossy)
    assert any(item.startswith("Result: INVALID_NUMBER dropped") for item in lossy)
    assert "states=READY" in text_of(doc, "url-1")


@pytest.mark.parametrize(("pasted", "message"), [
    ("<SendCall><ToNumber>13105551212</ToNumber></SendCall>", SEND_CALL_FAULT),
    ("<QueryCalls><MaxResults>abc</MaxResults></QueryCalls>", "MaxResults: 'abc' is not an integer"),
    ("   ", "paste a v1.1 request"),
])
def test_the_explain_form_names_what_is_wrong(web: httpx.Client, pasted: str, message: str) -> None:
    response = web.post("/mappings/explain", data={"request": pasted})
    assert response.status_code == 400
    doc = page(response)
    assert text_of(doc, "ui-fault").startswith(f"BAD_REQUEST — {message}")
    assert doc.xpath("//section[@id='ui-result']") == []


def test_other_methods_are_refused(web: httpx.Client) -> None:
    assert web.post("/mappings").status_code == 405
    assert web.put("/mappings/explain").headers["allow"] == "GET, POST"


def test_the_served_bridge_filters_without_javascript(live: Live) -> None:
    response = httpx.get(f"{live.base_url}/mappings", params={"q": "INVALID_NUMBER", "lossy": "1"})
    doc = page(response)
    assert set(rows(doc, visible=True)) == {"callresult-invalid-number", "textresult-invalid-number",
                                            "callresultstat-invalid-number", "textresultstat-invalid-number"}
    assert "default-src 'none'" in response.headers["content-security-policy"]
