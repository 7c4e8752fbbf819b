"""bridge/store/factory.py: `--store` chooses the backend, SQLite stays the default, and a PostgreSQL
URL's password shows nowhere (messages, the start-up line, a store's repr)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from bridge.cli import free_port
from bridge.config import Settings
from bridge.postbacks.store import PostbackStore
from bridge.store import factory
from bridge.store.idempotency import IdempotencyStore
from pg_fixtures import PostgreSQL


def test_a_path_is_the_sqlite_file_and_a_url_the_database(tmp_path: Path) -> None:
    settings = Settings(**factory.store_option(str(tmp_path / "s.sqlite3")))
    assert settings.store is None and isinstance(factory.request_ids(settings), IdempotencyStore)
    assert isinstance(factory.postbacks(settings), PostbackStore)
    assert (tmp_path / "s-postbacks.sqlite3").exists()   # beside it, as always
    assert factory.store_option("postgresql://u@h/db") == {"store": "postgresql://u@h/db"}
    assert factory.store_option(None) == {}


def test_a_store_variable_that_is_no_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        factory.request_ids(Settings(store_path=tmp_path / "s.sqlite3", store=str(tmp_path / "x.sqlite3")))


def test_an_unreachable_database_is_named_without_its_password() -> None:
    url = f"postgresql://bridge:s3cret@127.0.0.1:{free_port()}/bridge"
    with pytest.raises(psycopg.OperationalError) as refused:
        factory.request_ids(Settings(store=url))
    assert "s3cret" not in str(refused.value) and "port=" in str(refused.value)
    served = subprocess.run([sys.executable, "-m", "bridge.cli", "serve", "--port", str(free_port()),
                             "--store", url], capture_output=True, text=True, timeout=60)
    assert served.returncode != 0 and "--store: PostgreSQL store" in served.stderr
    assert "s3cret" not in served.stdout + served.stderr


def test_the_stores_show_their_database_without_its_password(postgresql: PostgreSQL) -> None:
    url = postgresql.new_database().replace("bridge@", "bridge:s3cret@")   # trust auth: any password
    settings = Settings(store=url)
    stores = [factory.request_ids(settings), factory.subscriptions(settings), factory.postbacks(settings),
              factory.shadow_record(settings)]
    assert all("s3cret" not in repr(store) and "dbname=" in repr(store) for store in stores)
    assert "s3cret" not in factory.describe(settings)


OPEN_ALL = """
import sys
from bridge.config import Settings
from bridge.store import factory
settings = Settings(store=sys.argv[1])
for make in (factory.request_ids, factory.subscriptions, factory.postbacks, factory.shadow_record):
    make(settings)
"""


def test_replicas_starting_at_once_on_a_new_database_all_start(postgresql: PostgreSQL) -> None:
    """CREATE TABLE IF NOT EXISTS alone races (a unique violation in pg_type): the schema lock orders them."""
    url = postgresql.new_database()
    starts = [subprocess.Popen([sys.executable, "-c", OPEN_ALL, url], stderr=subprocess.PIPE, text=True)
              for _ in range(6)]
    assert [(start.wait(timeout=60), start.stderr.read()) for start in starts] == [(0, "")] * 6
