"""PROMETHEUS_MULTIPROC_DIR, the directory where every gunicorn worker writes its metric values.

Kept apart from `metrics` on purpose: prometheus-client chooses multiprocess mode when it is first
imported, so `serve` sets the directory here, before anything imports it, and the workers forked
after it inherit the choice."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def ensure_multiprocess_dir() -> str:
    """The given PROMETHEUS_MULTIPROC_DIR (created if missing), else a fresh temporary directory
    removed when this process exits."""
    given = multiprocess_dir()
    if given:
        os.makedirs(given, exist_ok=True)
        return given
    made = tempfile.mkdtemp(prefix="callfire-bridge-metrics-")
    atexit.register(_remove_if_maker, made, os.getpid())
    os.environ[MULTIPROC_ENV] = made
    return made


def _remove_if_maker(directory: str, maker: int) -> None:
    # Forked workers inherit atexit handlers: a worker that exits (a failed boot, a restart) must not
    # take every other worker's metric files with it. Only the process that made it removes it.
    if os.getpid() == maker:
        shutil.rmtree(directory, ignore_errors=True)


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit hook: the dead worker's live gauges stop counting (its counters stay)."""
    if multiprocess_dir():
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(pid)
