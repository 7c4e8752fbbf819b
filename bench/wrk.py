"""Throughput with `wrk` (Debian package `wrk`): C, one event-loop thread, so the load generator
takes a small, measured share of the 2 cores it shares with the bridge and the simulator."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    errors: int          # non-2xx answers, socket errors and timeouts
    client_cpu: float    # wrk's own user + system CPU seconds

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def available() -> bool:
    return shutil.which("wrk") is not None


def script(method: str, headers: dict[str, str], body: bytes = b"") -> str:
    """A wrk Lua script sending the same request over and over."""
    lines = [f'wrk.method = "{method}"']
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    if body:
        lines.append(f"wrk.body = [==[{body.decode()}]==]")
    return "\n".join(lines) + "\n"


def run(url: str, lua: str, *, connections: int, seconds: int, timeout: int = 30) -> Load:
    """`wrk -t1 -c{connections} -d{seconds}s` against url with the request of `lua`."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(lua)
    try:
        process = subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s",
                                    "-s", file.name, url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        Path(file.name).unlink()
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}): {output}")
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    if done is None:
        raise RuntimeError(f"no request count in wrk's output: {output}")
    elapsed = float(done[2]) * {"ms": 0.001, "s": 1.0, "m": 60.0}[done[3]]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(int(done[1]), elapsed, errors, usage.ru_utime + usage.ru_stime)
