"""HTML responses (Jinja2, autoescaped) and the request details the pages read."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

StartResponse = Callable[..., Any]
HERE = Path(__file__).resolve().parent
# Scripts, styles and requests from the bridge itself only: no inline code, no other origin.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# A self-contained report (bridge.compare.html): its own inline CSS, and nothing else at all.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin")]
TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def breakable(text: str) -> Markup:
    """A long path may wrap after "/" and "." (escaped; <wbr> copies as nothing)."""
    return Markup("<wbr>").join(re.split(r"(?<=[/.])", text))


TEMPLATES.filters["breakable"] = breakable


def html(start_response: StartResponse, status: str, template: str, **context: Any) -> list[bytes]:
    body = TEMPLATES.get_template(template).render(**context).encode()
    return send(start_response, status, "text/html; charset=utf-8", body)


def send(start_response: StartResponse, status: str, content_type: str, body: bytes,
         extra: Iterable[tuple[str, str]] = (), policy: str = PAGE_POLICY) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                            ("Content-Security-Policy", policy), *SECURITY_HEADERS, *extra])
    return [body]


def not_allowed(start_response: StartResponse, allowed: str) -> list[bytes]:
    return send(start_response, "405 Method Not Allowed", "text/plain; charset=utf-8",
                f"use {allowed}\n".encode(), [("Allow", allowed)])


def query(environ: dict[str, Any]) -> dict[str, str]:
    """The query string, first value of each name (WSGI hands it over as latin-1)."""
    raw = environ.get("QUERY_STRING", "").encode("latin-1").decode("utf-8", "replace")
    return {name: values[0] for name, values in parse_qs(raw).items()}


def path_segment(text: str) -> str:
    """A PATH_INFO piece as the UTF-8 the client sent (WSGI decodes it as latin-1)."""
    return text.encode("latin-1").decode("utf-8", "replace")


def root(environ: dict[str, Any]) -> str:
    """Where the bridge is mounted, so that links work behind a path prefix too."""
    return environ.get("SCRIPT_NAME", "").rstrip("/")
