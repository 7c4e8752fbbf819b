"""Shadow mode's test setup: `callfire-bridge serve --shadow URL` where URL is a small proxy in front
of another bridge (the session's `live` one: its own simulator, the same seed), which alters one
answer and remembers what it was sent; and a shadow side that never answers in time."""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import httpx
import lxml.html
import pytest
import waitress

from bridge.cli import free_port
from bridge.serving import run_in_thread
from conftest import Live, serve

ALTERED_CALL = "9652"  # the seed call whose State the proxy changes in GetCall answers (INVALID -> FINISHED)
StartResponse = Callable[..., Any]


@dataclass
class Received:
    operation: str  # the request's Body element, by local name
    authorization: str | None


@dataclass
class AlteringProxy:
    """WSGI: relays to `upstream`; a GetCall answer for ALTERED_CALL comes back with another State."""

    upstream: str
    received: list[Received] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        content = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        match = re.search(rb"<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)", content)
        self.received.append(Received(match.group(1).decode() if match else "", environ.get("HTTP_AUTHORIZATION")))
        headers = {name: environ[key] for key, name in (("CONTENT_TYPE", "Content-Type"),
                   ("HTTP_AUTHORIZATION", "Authorization"), ("HTTP_SOAPACTION", "SOAPAction")) if key in environ}
        answer = httpx.post(self.upstream + environ["PATH_INFO"], content=content, headers=headers, timeout=30)
        body = answer.content
        if b"GetCall" in content and f'id="{ALTERED_CALL}"'.encode() in body:
            body = body.replace(b">INVALID<", b">FINISHED<")
        start_response(f"{answer.status_code} {answer.reason_phrase}",
                       [("Content-Type", answer.headers["content-type"]), ("Content-Length", str(len(body)))])
        return [body]

    def operations(self) -> list[str]:
        return [r.operation for r in self.received]


def sleeping_app(seconds: float) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """A shadow side that takes `seconds` to answer anything."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        time.sleep(seconds)
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"too late\n"]
    return app


def run_waitress(app: Any, threads: int = 8) -> Iterator[str]:
    """`app` on a free loopback port, in a daemon thread: yields its base URL."""
    port = free_port()
    running = run_in_thread(waitress.create_server(app, host="127.0.0.1", port=port, threads=threads), "waitress")
    yield f"http://127.0.0.1:{port}"
    running.stop()


@dataclass
class Shadowed:
    bridge: Live  # the bridge serving clients, with --shadow
    folder: Path  # its store, shadow record and serve.log
    shadow_url: str
    proxy: AlteringProxy | None = None

    def page(self, path: str = "/compare", **params: str) -> lxml.html.HtmlElement:
        answer = httpx.get(self.bridge.base_url + path, params=params, timeout=10)
        answer.raise_for_status()
        return lxml.html.fromstring(answer.text)

    def counters(self) -> dict[str, int]:
        page = self.page()
        return {div.findtext("dt"): int(div.findtext("dd")) for div in page.xpath("//dl[@id='ui-counters']/div")}


def wait_for(condition: Callable[[], bool], what: str, limit: float = 60) -> None:
    """Polls until `condition()` holds; a generous limit, no timing asserted."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not seen within {limit:.0f} s: {what}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def shadowed(tmp_path_factory: pytest.TempPathFactory, live: Live) -> Iterator[Shadowed]:
    """`serve --shadow` whose shadow side is the altering proxy in front of the `live` bridge."""
    proxy = AlteringProxy(live.base_url)
    for url in run_waitress(proxy):
        folder = tmp_path_factory.mktemp("shadowed")
        for bridge in serve(folder, "--shadow", url):
            yield Shadowed(bridge, folder, url, proxy)
