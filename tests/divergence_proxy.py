"""A reverse proxy that relays a v1.1 service's answers with one divergence injected.

Put between `compare` and one side, it stands for a bridge with one bug: a wrong enum mapping, a
shifted time, a dropped element.  `mutate` gets the answer's Body child (lxml) of every SOAP answer
and changes it in place; WSDL fetches and other requests pass through untouched.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

import httpx
import waitress
from lxml import etree

from bridge.cli import free_port
from bridge.serving import run_in_thread

Mutation = Callable[[etree._Element], None]
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "content-length", "content-encoding"}


class DivergenceProxy:
    def __init__(self, upstream: str, mutate: Mutation) -> None:
        self.client = httpx.Client(base_url=upstream, timeout=60)
        self.mutate = mutate
        self.mutated = 0  # how many answers were changed (a test checks its injection happened)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        content = environ["wsgi.input"].read(length) if length else b""
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_") and key[5:].replace("_", "-").lower() not in HOP_BY_HOP}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        url = environ.get("PATH_INFO", "") + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        answer = self.client.request(environ["REQUEST_METHOD"], url, content=content, headers=headers)
        body = answer.content
        if environ["REQUEST_METHOD"] == "POST" and "/soap12/" in url:
            body = self._mutated(body)
        relayed = [(k, v) for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP]
        start_response(f"{answer.status_code} {answer.reason_phrase}", relayed + [("Content-Length", str(len(body)))])
        return [body]

    def _mutated(self, body: bytes) -> bytes:
        envelope = etree.fromstring(body)
        soap_body = next(c for c in envelope if etree.QName(c).localname == "Body")
        before = etree.tostring(soap_body)
        if len(soap_body):
            self.mutate(soap_body[0])
        if etree.tostring(soap_body) != before:
            self.mutated += 1
        return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


@contextmanager
def divergence_proxy(upstream: str, mutate: Mutation) -> Iterator[tuple[str, DivergenceProxy]]:
    """(the proxy's base URL, the proxy) for the duration of the block."""
    proxy = DivergenceProxy(upstream, mutate)
    port = free_port()
    running = run_in_thread(waitress.create_server(proxy, host="127.0.0.1", port=port, threads=4), "divergence")
    try:
        yield f"http://127.0.0.1:{port}", proxy
    finally:
        running.stop()
