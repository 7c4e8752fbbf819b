"""GET /mappings and /mappings/{Operation}: the catalog as one page, filtered by the query
string on the server; and the page's static files."""
from __future__ import annotations

from typing import Any, Iterable

from bridge.reference.catalog import catalog
from bridge.reference.lookup import close_matches
from bridge.web.examples import EXAMPLES
from bridge.web.respond import HERE, StartResponse, html, not_allowed, path_segment, query, root, send
from bridge.web.view import Filters, count_text, hide, layout, scoped

STATIC = {path.name: path for path in (HERE / "static").iterdir() if path.suffix in (".css", ".js")}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def mappings_page(environ: dict[str, Any], start_response: StartResponse,
                  operation: str | None = None) -> Iterable[bytes]:
    if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
        return not_allowed(start_response, "GET")
    book = catalog()
    params = query(environ)
    groups, page = layout(), None
    if operation is not None:
        page = book.operation(path_segment(operation))
        if page is None:
            name = path_segment(operation)
            return html(start_response, "404 Not Found", "not_found.html", root=root(environ), nav="mappings", name=name,
                        operations=book.operations,
                        suggestions=close_matches(name, [op.name for op in book.operations]))
        groups = scoped(groups, page.name)
    filters = Filters.parse(params, book.operations if page is None else ())
    hidden = hide(groups, filters)
    return html(start_response, "200 OK", "mappings.html", root=root(environ), nav="mappings", page=page, groups=groups,
                operations=book.operations, filters=filters, hidden=hidden, examples=EXAMPLES,
                count=count_text(hidden.shown, hidden.total, filters.active))


def static_file(environ: dict[str, Any], start_response: StartResponse, file: str) -> Iterable[bytes]:
    path = STATIC.get(file)
    if path is None:
        return send(start_response, "404 Not Found", "text/plain; charset=utf-8", b"no such file\n")
    return send(start_response, "200 OK", STATIC_TYPES[path.suffix], path.read_bytes(),
                [("Cache-Control", "no-cache")])
