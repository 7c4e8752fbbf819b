"""Which postUrls the bridge will POST to: http and https only, and, unless allowed
(`--postback-allow-private`), no private, loopback, link-local or otherwise non-global address —
checked when a postUrl is registered and again, on the resolved addresses, before every delivery
(a name that resolved to a public address at registration may point inside later: DNS rebinding)."""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]


class RefusedTarget(ValueError):
    """A postUrl the bridge will not call; the message says why (without the URL's credentials)."""


def resolve(host: str, port: int) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def check_target(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> None:
    """Raise RefusedTarget unless `url` is http(s) with a host whose every address may be called."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedTarget(f"postUrl is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise RefusedTarget("postUrl must be an http or https URL")
    if not parts.hostname:
        raise RefusedTarget("postUrl has no host")
    if allow_private:
        return
    try:
        addresses = resolver(parts.hostname, port)
    except OSError:
        raise RefusedTarget(f"postUrl host {parts.hostname} does not resolve") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise RefusedTarget(f"postUrl host {parts.hostname} is a private, loopback or link-local address"
                                " (allowed only with --postback-allow-private)")
