"""An httpx transport over the standard library's http.client, with a keep-alive pool.

Why: httpx's own transport (httpcore + h11) cost ~640 us of CPU per v2 GET on loopback where
http.client costs ~190 us, and a GetCall is one v2 GET: it was the largest single share of a
worker's CPU.  httpx stays the client (its Request/Response, timeouts, the tests' transports);
only the wire work changes.  Failures are raised as the httpx exceptions httpcore raises, so
the retry policy reads them the same way: nothing sent (ConnectError, ConnectTimeout) or maybe
sent (the others).

Used for http and https upstreams unless an HTTP(S)_PROXY is configured in the environment
(httpx's own transport honours those; this one does not).
"""
from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
import urllib.request
from collections.abc import Iterator

import httpx

MAX_IDLE = 20    # keep-alive connections kept per upstream, as httpx's default limits
CHUNK = 65536


def transport_for(base_url: str) -> httpx.BaseTransport | None:
    """This transport for `base_url`, or None (httpx's own) when a proxy is configured."""
    scheme = httpx.URL(base_url).scheme
    proxies = urllib.request.getproxies()
    if scheme not in ("http", "https") or scheme in proxies or "all" in proxies:
        return None
    return HTTPClientTransport()


class HTTPClientTransport(httpx.BaseTransport):
    def __init__(self) -> None:
        self._idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._ssl: ssl.SSLContext | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts = request.extensions.get("timeout", {})
        body = request.read()
        target = url.raw_path.decode("ascii")
        connection = self._reused(key)
        if connection is None:
            connection = self._connect(key, timeouts.get("connect"), request)
        try:
            connection.sock.settimeout(timeouts.get("write"))
            connection.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in request.headers.raw:
                connection.putheader(name, value)
            connection.endheaders(body or None)
        except TimeoutError as exc:
            connection.close()
            raise httpx.WriteTimeout(str(exc) or "timed out writing", request=request) from exc
        except OSError as exc:
            connection.close()
            raise httpx.WriteError(str(exc) or type(exc).__name__, request=request) from exc
        try:
            connection.sock.settimeout(timeouts.get("read"))
            response = connection.getresponse()
        except TimeoutError as exc:
            connection.close()
            raise httpx.ReadTimeout(str(exc) or "timed out reading", request=request) from exc
        except (http.client.HTTPException, OSError) as exc:
            connection.close()
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc
        return httpx.Response(
            response.status, headers=response.getheaders(), stream=_Body(self, key, connection, response, request),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": response.reason.encode("latin-1", "replace")})

    def _reused(self, key: tuple[str, str, int]) -> http.client.HTTPConnection | None:
        """An idle connection the server has not closed (nothing to read on an idle one: not EOF)."""
        while True:
            with self._lock:
                idle = self._idle.get(key)
                if not idle:
                    return None
                connection = idle.pop()
            try:
                readable, _, _ = select.select([connection.sock], [], [], 0)
            except (OSError, ValueError):
                readable = [True]
            if not readable:
                return connection
            connection.close()

    def _connect(self, key: tuple[str, str, int], timeout: float | None,
                 request: httpx.Request) -> http.client.HTTPConnection:
        scheme, host, port = key
        if scheme == "https":
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context()
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=self._ssl)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.connect()
        except TimeoutError as exc:
            connection.close()
            raise httpx.ConnectTimeout(str(exc) or "timed out connecting", request=request) from exc
        except OSError as exc:
            connection.close()
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _release(self, key: tuple[str, str, int], connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < MAX_IDLE:
                idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        with self._lock:
            connections = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for connection in connections:
            connection.close()


class _Body(httpx.SyncByteStream):
    """A response body read from its connection; the connection goes back to the pool once the
    body has been read whole, and is closed otherwise."""

    def __init__(self, transport: HTTPClientTransport, key: tuple[str, str, int],
                 connection: http.client.HTTPConnection, response: http.client.HTTPResponse,
                 request: httpx.Request) -> None:
        self._transport, self._key, self._connection = transport, key, connection
        self._response, self._request = response, request
        self._done = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            while True:
                chunk = self._response.read(CHUNK)
                if not chunk:
                    break
                yield chunk
        except TimeoutError as exc:
            self._fail()
            raise httpx.ReadTimeout(str(exc) or "timed out reading", request=self._request) from exc
        except (http.client.HTTPException, OSError) as exc:
            self._fail()
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=self._request) from exc
        self._done = True

    def _fail(self) -> None:
        self._done = False
        self.close()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._done and not self._response.will_close:
            self._transport._release(self._key, connection)
        else:
            connection.close()
