"""Issue 12 defect 5, measured: stalled request bodies against healthy requests.

    .venv/bin/python bench/slow_clients.py [--url http://127.0.0.1:8080] [--stalled 8 16] [--seconds 10]

Without --url it starts `callfire-bridge serve` (2 workers) itself.  For each count N: N
connections send headers with `Content-Length: 5000`, 6 bytes of body and then nothing (no
credentials); meanwhile one client sends healthy GetCalls one after another for --seconds, each
with a 5 s timeout.  Reports how many timed out and the latencies of the others.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

AUTH = ("bench", "bench")
GET_CALL = ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:s="http://api.callfire.com/service/xsd">'
            '<e:Body><s:GetCall><s:Id>9652</s:Id></s:GetCall></e:Body></e:Envelope>').encode()
STALLED_HEAD = (b"POST /api/1.1/soap12/call HTTP/1.1\r\nHost: bridge\r\n"
                b"Content-Type: application/soap+xml\r\nContent-Length: 5000\r\n\r\n<e:Env")


@dataclass
class SlowClientFigures:
    stalled: int
    healthy: int
    timed_out: int
    latencies_ms: list[float]
    stalled_open_at_end: int  # how many stalled connections the bridge had not closed

    def row(self) -> str:
        lat = sorted(self.latencies_ms) or [float("nan")]
        return (f"| {self.stalled} | {self.healthy} | {self.timed_out} | {statistics.median(lat):.1f} | "
                f"{lat[min(len(lat) - 1, int(0.99 * len(lat)))]:.1f} | {max(lat):.1f} | {self.stalled_open_at_end} |")


HEADER = ("| stalled connections | healthy GetCalls | timed out (5 s) | p50 ms | p99 ms | max ms | "
          "stalled still open after |\n|---:|---:|---:|---:|---:|---:|---:|")


def stall(url: str, count: int) -> list[socket.socket]:
    """`count` connections that sent headers and 6 bytes of a 5000-byte body, then nothing."""
    parts = urlsplit(url)
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((parts.hostname, parts.port))
        sock.sendall(STALLED_HEAD)
        sockets.append(sock)
    return sockets


def still_open(sock: socket.socket) -> bool:
    try:
        sock.setblocking(False)
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def measure(url: str, stalled: int, seconds: float, timeout: float = 5.0) -> SlowClientFigures:
    hung = stall(url, stalled)
    time.sleep(0.5 if stalled else 0)  # let the server take them in
    latencies, timed_out, healthy = [], 0, 0
    # A new connection for each request, as a PHP script making one SoapClient per run would.
    client = httpx.Client(auth=AUTH, timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0),
                          headers={"Content-Type": "application/soap+xml"})
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            healthy += 1
            start = time.perf_counter()
            try:
                client.post(url + "/api/1.1/soap12/call", content=GET_CALL).raise_for_status()
                latencies.append((time.perf_counter() - start) * 1000)
            except httpx.TimeoutException:
                timed_out += 1
        return SlowClientFigures(stalled, healthy, timed_out, latencies, sum(still_open(s) for s in hung))
    finally:
        client.close()
        for sock in hung:
            sock.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--stalled", type=int, nargs="+", default=[0, 8, 16])
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    if args.url:
        rows = [measure(args.url, n, args.seconds).row() for n in args.stalled]
    else:
        import tempfile
        from pathlib import Path

        from served import running_bridge
        with tempfile.TemporaryDirectory() as tmp, running_bridge(Path(tmp)) as served:
            rows = [measure(served.base, n, args.seconds).row() for n in args.stalled]
    print(HEADER + "\n" + "\n".join(rows))


if __name__ == "__main__":
    main()
