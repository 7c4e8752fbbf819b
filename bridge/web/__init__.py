"""The /mappings and /compare pages: the mapping catalog (bridge.reference) and `explain` for people in a browser.

    GET  /mappings                  every table; ?q=words&op=Operation&lossy=1 filter it
    GET  /mappings/{Operation}      the rows one operation touches (HTML 404 page for others)
    GET  /mappings/explain          the explain form (?example=SendCall fills it)
    POST /mappings/explain          the v2 request(s) a pasted v1.1 request becomes
    GET  /mappings/static/{file}    the page's CSS and JavaScript
    GET  /compare                   shadow mode's differences (bridge.web.compare_page)

The rows are rendered on the server, with the rows that do not match the query string
already `hidden`, so a shared URL works without JavaScript; page.js then filters the same
rows as the user types, by the same rule over the same `data-search` text (view.Filters).
No inline script or style: the pages are served under a strict Content-Security-Policy.
"""
from bridge.web.compare_page import compare_page, compare_report
from bridge.web.explain_form import explain_page
from bridge.web.pages import mappings_page, static_file

__all__ = ["compare_page", "compare_report", "explain_page", "mappings_page", "static_file"]
