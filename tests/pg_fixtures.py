"""The store tests run on both backends: SQLite files in the test's tmp_path, and a REAL throwaway
PostgreSQL server (Debian's `postgresql` package: initdb + pg_ctl, a free port on 127.0.0.1, its socket
in a temp dir), one database per test. If PostgreSQL cannot start, its tests fail (an error, never a skip)."""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bridge.cli import free_port
from bridge.config import Settings

BACKENDS = ["sqlite", "postgresql"]
USER = "bridge"   # the cluster's superuser; trust authentication on 127.0.0.1 and the socket only


def bindir() -> Path:
    """PostgreSQL's server binaries: pg_config's, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    try:
        found = Path(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                                    check=True).stdout.strip())
        if (found / "initdb").exists():
            return found
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not candidates:
        raise RuntimeError("PostgreSQL's initdb was not found: install Debian's `postgresql` package "
                           "(`make system-deps` does)")
    return Path(candidates[-1]).parent


@dataclass
class PostgreSQL:
    port: int
    databases: itertools.count
    restart: Callable[[], None]   # stop the server (fast: sessions end) and start it again on the same port

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database: the URL of it."""
        import psycopg
        name = f"t{next(self.databases)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@contextmanager
def cluster() -> Iterator[PostgreSQL]:
    """A throwaway PostgreSQL server, stopped and deleted on leaving."""
    binaries = bindir()
    # initdb refuses to run as root: then the cluster belongs to Debian's `postgres` user, in a temp dir
    # it can reach (pytest's own tmp dirs are 0700 root's).
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="bridge-postgresql-"))
    if as_owner:
        shutil.chown(root, "postgres")
    data, port = root / "data", free_port()

    def run(*command: str) -> None:
        done = subprocess.run([*as_owner, *command], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}"
                               + ((root / "log").read_text() if (root / "log").exists() else ""))

    def start() -> None:
        # fsync off: a test cluster is thrown away; the stores' durability is PostgreSQL's, not tested here.
        run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60", "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off", "start")

    def restart() -> None:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        start()

    run(str(binaries / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync")
    start()
    try:
        yield PostgreSQL(port, itertools.count(1), restart)
    finally:
        subprocess.run([*as_owner, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgresql() -> Iterator[PostgreSQL]:
    """One server per test process, a database per test (`new_database`)."""
    with cluster() as server:
        yield server


@dataclass
class Backend:
    """Where one test's stores live: `location` is what `--store` takes (a file, or a database's URL)."""

    name: str
    folder: Path
    url: str | None

    @property
    def location(self) -> str:
        return self.url or str(self.folder / "store.sqlite3")

    def settings(self, **options: object) -> Settings:
        return Settings(store_path=self.folder / "store.sqlite3", store=self.url, **options)

    def request_ids(self, **options: object):
        if self.url is None:
            from bridge.store.idempotency import IdempotencyStore
            return IdempotencyStore(self.folder / "store.sqlite3", **options)
        from bridge.store.pg.idempotency import PgIdempotencyStore
        return PgIdempotencyStore(self.url, **options)

    def postbacks(self):
        from bridge.store import factory
        return factory.postbacks(self.settings())

    def subscriptions(self):
        from bridge.store import factory
        return factory.subscriptions(self.settings())

    def shadow_record(self, keep: int):
        from bridge.store import factory
        return factory.shadow_record(self.settings(shadow_keep=keep))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The test once on SQLite files, once on a fresh PostgreSQL database."""
    url = request.getfixturevalue("postgresql").new_database() if request.param == "postgresql" else None
    return Backend(request.param, tmp_path, url)


def rows(backend: Backend, table: str) -> int:
    """How many rows `table` holds, read past the stores."""
    if backend.url is None:
        import sqlite3
        with sqlite3.connect(backend.folder / "store.sqlite3") as db:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    import psycopg
    with psycopg.connect(backend.url) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
