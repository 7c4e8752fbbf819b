"""IdempotencyStore: the RequestId state machine, durability, and races across threads and processes,
on both backends (SQLite files; PostgreSQL: tests/pg_fixtures.py)."""
from __future__ import annotations

import multiprocessing
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from bridge.config import Settings
from bridge.store import factory
from bridge.store.idempotency import Claim, IdempotencyStore, current_owner, owner_alive
from pg_fixtures import Backend, cluster, rows

OP = "SendCall"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta.total_seconds()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(backend: Backend, clock: Clock) -> factory.RequestIds:
    return backend.request_ids(clock=clock)


# --- state machine ------------------------------------------------------------------------

def test_first_claim_is_new_and_then_in_flight(store):
    assert store.claim("acct", OP, "req-1", "fp") == Claim("new", None)
    assert store.claim("acct", OP, "req-1", "fp") == Claim("in_flight", None)


def test_completed_key_replays_created_id(store):
    store.claim("acct", OP, "req-1", "fp")
    store.complete("acct", OP, "req-1", 9_000_000_001)
    assert store.claim("acct", OP, "req-1", "fp") == Claim("replay", 9_000_000_001)
    assert store.claim("acct", OP, "req-1", "fp") == Claim("replay", 9_000_000_001)


def test_other_fingerprint_is_a_mismatch_in_flight_or_done(store):
    store.claim("acct", OP, "req-1", "fp")
    assert store.claim("acct", OP, "req-1", "other") == Claim("mismatch", None)
    store.complete("acct", OP, "req-1", 5)
    assert store.claim("acct", OP, "req-1", "other") == Claim("mismatch", None)
    assert store.claim("acct", OP, "req-1", "fp") == Claim("replay", 5)


def test_release_lets_a_retry_proceed_but_keeps_completed_keys(store):
    store.claim("acct", OP, "req-1", "fp")
    store.release("acct", OP, "req-1")
    assert store.claim("acct", OP, "req-1", "fp2") == Claim("new")
    store.complete("acct", OP, "req-1", 5)
    store.release("acct", OP, "req-1")
    assert store.claim("acct", OP, "req-1", "fp2") == Claim("replay", 5)


def test_keys_are_scoped_by_account_and_operation(store):
    store.claim("acct-a", OP, "req-1", "fp")
    store.complete("acct-a", OP, "req-1", 5)
    assert store.claim("acct-b", OP, "req-1", "fp") == Claim("new")
    assert store.claim("acct-a", "SendText", "req-1", "fp") == Claim("new")


def test_complete_of_unclaimed_key_is_logged_and_ignored(store, caplog):
    store.complete("acct", OP, "never-claimed", 5)
    assert "not in flight" in caplog.text
    assert store.claim("acct", OP, "never-claimed", "fp") == Claim("new")


# --- durability ---------------------------------------------------------------------------

def test_state_survives_a_new_store_on_the_same_file(backend, clock):
    first = backend.request_ids(clock=clock)
    first.claim("acct", OP, "done", "fp")
    first.complete("acct", OP, "done", 42)
    first.claim("acct", OP, "pending", "fp")
    first.close()
    second = backend.request_ids(clock=clock)
    assert second.claim("acct", OP, "done", "fp") == Claim("replay", 42)
    assert second.claim("acct", OP, "pending", "fp") == Claim("in_flight")


def test_creates_parent_directories_and_uses_wal(tmp_path):
    path = tmp_path / "a" / "b" / "store.sqlite3"
    IdempotencyStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- expiry -------------------------------------------------------------------------------

def test_an_in_flight_claim_never_expires_while_its_process_lives(store, clock):
    store.claim("acct", OP, "req-1", "fp")
    clock.advance(timedelta(days=29))
    assert store.claim("acct", OP, "req-1", "fp") == Claim("in_flight")


def test_an_unknown_outcome_is_reconciled_by_the_next_claim_at_once(store):
    store.claim("acct", OP, "req-1", "fp")
    store.unknown("acct", OP, "req-1")
    assert store.claim("acct", OP, "req-1", "fp") == Claim("reconcile")
    # the reconciling claimant owns it now: others wait for it
    assert store.claim("acct", OP, "req-1", "fp") == Claim("in_flight")
    store.complete("acct", OP, "req-1", 7)
    assert store.claim("acct", OP, "req-1", "fp") == Claim("replay", 7)


def test_a_claim_whose_process_died_is_reconciled(backend, clock):
    dead: set[str] = set()
    store = backend.request_ids(clock=clock, alive=lambda owner: owner not in dead)
    store.claim("acct", OP, "req-1", "fp")
    assert store.claim("acct", OP, "req-1", "fp") == Claim("in_flight")
    dead.add(store.owner())
    assert store.claim("acct", OP, "req-1", "fp") == Claim("reconcile")


def test_owner_alive_reads_the_process_table():
    assert owner_alive(current_owner())
    child = subprocess.Popen([sys.executable, "-c", "import os; print(os.getpid())"], stdout=subprocess.PIPE)
    pid = int(child.communicate()[0])
    assert not owner_alive(f"{socket.gethostname()}:{pid}:1")   # exited (or a reused pid with another start)


CLAIM_AND_HANG = """
import sys, time
from bridge.config import Settings
from bridge.store import factory
store = factory.request_ids(Settings(**factory.store_option(sys.argv[1])))
print(store.claim("acct", "SendCall", "req-1", "fp").status, flush=True)
time.sleep(600)
"""


def test_a_claim_of_a_killed_process_is_reconciled_by_the_next_claimant(backend):
    """A process killed between claim and complete (SIGKILL: nothing of it runs again). On PostgreSQL
    its owner is its session, which ends with it, so this holds for replicas on other hosts too."""
    store = backend.request_ids()
    child = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, backend.location], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout.readline().strip() == "new"
    assert store.claim("acct", OP, "req-1", "fp") == Claim("in_flight")
    child.kill()
    child.wait()
    # PostgreSQL ends the session once it reads the closed socket: a few claims may come first.
    answers = [store.claim("acct", OP, "req-1", "fp").status]
    while answers[-1] == "in_flight" and len(answers) < 1000:
        time.sleep(0.01)
        answers.append(store.claim("acct", OP, "req-1", "fp").status)
    assert answers[-1] == "reconcile"
    assert store.claim("acct", OP, "req-1", "fp") == Claim("in_flight")   # the claimant owns it now


def test_a_claim_with_another_fingerprint_stays_a_mismatch(store, clock):
    store.claim("acct", OP, "req-1", "fp")
    store.unknown("acct", OP, "req-1")
    assert store.claim("acct", OP, "req-1", "other").status == "mismatch"


def test_keys_expire_after_retention(backend, clock):
    store = backend.request_ids(clock=clock, retention=timedelta(days=1))
    store.claim("acct", OP, "req-1", "fp")
    store.complete("acct", OP, "req-1", 5)
    clock.advance(timedelta(hours=23))
    assert store.claim("acct", OP, "req-1", "fp") == Claim("replay", 5)
    clock.advance(timedelta(hours=1))
    # Expired keys are ignored even before a purge ran, then purged.
    assert store.claim("acct", OP, "req-1", "fp2") == Claim("new")


def test_purge_is_opportunistic_and_explicit(backend, clock):
    store = backend.request_ids(clock=clock, retention=timedelta(days=1))
    for n in range(3):
        store.claim("acct", OP, f"old-{n}", "fp")
    clock.advance(timedelta(days=2))
    store.claim("acct", OP, "fresh", "fp")      # first claim of this instance purges
    assert rows(backend, "request_ids") == 1
    store.claim("acct", OP, "old-again", "fp")
    clock.advance(timedelta(days=2))
    assert store.purge() == 2
    assert rows(backend, "request_ids") == 0


# --- concurrency --------------------------------------------------------------------------

def test_thread_race_has_one_winner(store):
    barrier = threading.Barrier(8)
    results: list[str] = []

    def contend() -> None:
        barrier.wait()
        results.append(store.claim("acct", OP, "req-1", "fp").status)

    threads = [threading.Thread(target=contend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["in_flight"] * 7 + ["new"]


KEYS = [f"req-{n}" for n in range(25)]


def _race_worker(location: str, barrier, queue) -> None:
    store = factory.request_ids(Settings(**factory.store_option(location)))
    barrier.wait()
    queue.put([store.claim("acct", OP, key, "fp").status for key in KEYS])
    barrier.wait()   # alive until every worker has claimed: a finished worker's claims would be reconciled


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_process_race_has_one_winner_per_key(backend, start_method):
    parent = backend.request_ids()     # open in the parent too: forked children must not reuse it
    parent.claim("acct", OP, "warm-up", "fp")
    context = multiprocessing.get_context(start_method)
    barrier, queue = context.Barrier(4), context.Queue()
    workers = [context.Process(target=_race_worker, args=(backend.location, barrier, queue))
               for _ in range(4)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    for n in range(len(KEYS)):
        assert sorted(statuses[n] for statuses in results) == ["in_flight"] * 3 + ["new"]
    for key in KEYS:
        parent.complete("acct", OP, key, 7)
    assert parent.claim("acct", OP, KEYS[0], "fp") == Claim("replay", 7)


# --- model-based check of the state machine -----------------------------------------------

class StoreModel(RuleBasedStateMachine):
    """Random claim/complete/release/time steps against a dict model of the documented rules; each
    run on an account of its own in the test's store."""

    def __init__(self, store: factory.RequestIds, clock: Clock) -> None:
        super().__init__()
        self.clock = clock
        self.store = store
        self.account = uuid.uuid4().hex
        self.model: dict[str, dict] = {}
        self.next_id = 1

    def live(self, key: str) -> dict | None:
        row = self.model.get(key)
        if row and row["claimed"] <= self.clock.now - 2 * 3600:
            return None
        return row

    @rule(key=st.sampled_from("abc"), fp=st.sampled_from("xy"))
    def claim(self, key: str, fp: str) -> None:
        got = self.store.claim(self.account, OP, key, fp)
        row = self.live(key)
        if row is None:
            expected = Claim("new")
            self.model[key] = {"fp": fp, "id": None, "claimed": self.clock.now, "unknown": False}
        elif row["fp"] != fp:
            expected = Claim("mismatch")
        elif row["id"] is not None:
            expected = Claim("replay", row["id"])
        elif not row["unknown"]:
            expected = Claim("in_flight")
        else:
            expected = Claim("reconcile")
            row["claimed"], row["unknown"] = self.clock.now, False
        assert got == expected

    @rule(key=st.sampled_from("abc"))
    def complete(self, key: str) -> None:
        self.store.complete(self.account, OP, key, self.next_id)
        row = self.model.get(key)
        if row and row["id"] is None:
            row["id"] = self.next_id
        self.next_id += 1

    @rule(key=st.sampled_from("abc"))
    def release(self, key: str) -> None:
        self.store.release(self.account, OP, key)
        if key in self.model and self.model[key]["id"] is None:
            del self.model[key]

    @rule(key=st.sampled_from("abc"))
    def unknown(self, key: str) -> None:
        self.store.unknown(self.account, OP, key)
        row = self.live(key)
        if row and row["id"] is None:
            row["unknown"] = True

    @rule(minutes=st.sampled_from([1, 5, 11, 61, 130]))
    def wait(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))


def test_store_matches_model(backend):
    clock = Clock()
    store = backend.request_ids(clock=clock, retention=timedelta(hours=2))
    run_state_machine_as_test(lambda: StoreModel(store, clock),
                              settings=settings(max_examples=60, stateful_step_count=30, deadline=None))



def test_sessions_ended_by_the_server_cost_no_request_and_no_false_reconcile(postgresql) -> None:
    """PostgreSQL restarted or an administrator ended the bridge's sessions while idle: the next claim
    reconnects before sending (no error), and records a live owner (another claimant waits for it)."""
    import psycopg

    from bridge.store.pg.idempotency import PgIdempotencyStore
    url = postgresql.new_database()
    store, other = PgIdempotencyStore(url), PgIdempotencyStore(url)
    store.claim("acct", OP, "before", "fp")
    other.claim("acct", OP, "warm-up", "fp")
    with psycopg.connect(url, autocommit=True) as admin:
        ended = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        admin.execute(f"SELECT pg_terminate_backend(pid) FROM ({ended}) AS sessions")
        while admin.execute(ended).fetchone():   # until the server has ended them all
            time.sleep(0.01)
    assert store.claim("acct", OP, "after", "fp") == Claim("new")
    assert other.claim("acct", OP, "after", "fp") == Claim("in_flight")
    assert other.claim("acct", OP, "before", "fp") == Claim("reconcile")   # its session did end



def test_a_claim_whose_session_ended_with_a_server_restart_stays_in_flight_while_its_request_may_run() -> None:
    """PostgreSQL restarted while a create was in flight: its session ended, its process did not, and
    its POST may not have reached v2 yet (no marker to find). A retry must not send it again: it is
    answered "in flight" until no request of that time can still be running, then reconciled. Its
    owner, reconnected, still completes it."""
    from bridge.store.pg.idempotency import PgIdempotencyStore
    clock = Clock()
    with cluster() as server:
        url = server.new_database()
        sending = PgIdempotencyStore(url, clock=clock, longest_request=timedelta(seconds=65))
        retrying = PgIdempotencyStore(url, clock=clock, longest_request=timedelta(seconds=65))
        assert sending.claim("acct", OP, "sending", "fp") == Claim("new")
        assert sending.claim("acct", OP, "finishing", "fp") == Claim("new")
        server.restart()
        assert retrying.claim("acct", OP, "sending", "fp") == Claim("in_flight")
        sending.complete("acct", OP, "finishing", 42)   # the first request's answer came back
        assert retrying.claim("acct", OP, "finishing", "fp") == Claim("replay", 42)
        clock.advance(timedelta(seconds=64))
        assert retrying.claim("acct", OP, "sending", "fp") == Claim("in_flight")
        clock.advance(timedelta(seconds=2))
        assert retrying.claim("acct", OP, "sending", "fp") == Claim("reconcile")
        assert sending.claim("acct", OP, "sending", "fp") == Claim("in_flight")   # the claimant owns it now


def test_a_new_store_waits_when_sqlite_refuses_the_switch_to_wal(tmp_path) -> None:
    """Two connections switching a new file to WAL together: SQLite answers one "database is locked"
    at once, without its busy wait (it would deadlock). Two gunicorn workers opening a new store
    together failed to boot on it; the switch is now tried again until the other has made it."""
    import sqlite3

    from bridge.store.sqlite import use_wal

    class LosesTheFirstRace:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db, self.refused = db, 0

        def execute(self, sql: str):
            if sql == "PRAGMA journal_mode=WAL" and not self.refused:
                self.refused += 1
                other = sqlite3.connect(tmp_path / "new.sqlite3")   # the other worker wins meanwhile
                other.execute("PRAGMA journal_mode=WAL")
                other.close()
                raise sqlite3.OperationalError("database is locked")
            return self.db.execute(sql)

    db = LosesTheFirstRace(sqlite3.connect(tmp_path / "new.sqlite3", isolation_level=None))
    use_wal(db)
    assert db.refused == 1 and db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_killed_claimant_not_yet_reaped_is_not_alive() -> None:
    """A SIGKILLed worker whose master died too stays a zombie until PID 1 reaps it, and in a container
    PID 1 may never do so: it keeps its pid and start time, but its claim must be reconciled (CI once
    answered "still in progress" to the retry after a restart)."""
    import os
    import socket
    import time

    from bridge.store.idempotency import current_owner, owner_alive

    def stat(pid: int) -> tuple[str, str]:   # (state, start time) from /proc, fields 3 and 22
        fields = open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()
        return fields[0], fields[19]

    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        for _ in range(200):                               # until it has exited (not reaped: we do not wait)
            if stat(pid)[0] == "Z":
                break
            time.sleep(0.01)
        state, started = stat(pid)
        assert state == "Z"
        assert not owner_alive(f"{socket.gethostname()}:{pid}:{started}")
        assert owner_alive(current_owner())
    finally:
        os.waitpid(pid, 0)


def test_webhook_secrets_are_sealed_at_rest(backend: Backend) -> None:
    """A subscription's webhook secret is in the database only sealed: the store reads it back with
    the key file beside it, and a copy of the database without that key verifies no webhook."""
    from bridge.store.sealed import Sealer

    store = backend.subscriptions()
    made = store.reserve("acct", True, "https://receiver.example/n.php", "application/xml",
                         "CallBroadcast:Finished", {})
    store.activate(made.id, [7])
    if backend.url is None:
        with sqlite3.connect(backend.folder / "store.sqlite3") as db:
            [stored] = db.execute("SELECT secret FROM subscriptions").fetchone()
    else:
        import psycopg
        with psycopg.connect(backend.url) as db:
            [stored] = db.execute("SELECT secret FROM subscriptions").fetchone()
    assert len(made.secret) >= 32 and made.secret not in stored
    assert store.by_id(made.id).secret == made.secret
    elsewhere = type(store)(backend.url or backend.folder / "store.sqlite3", Sealer(backend.folder / "other.key"))
    assert elsewhere.by_id(made.id).secret == ""


def _sealer_worker(key_path: str, barrier, queue) -> None:
    from bridge.store.sealed import Sealer
    barrier.wait()
    try:
        sealer = Sealer(Path(key_path))
        queue.put(sealer.seal("secret").decode())
    except Exception as exc:   # noqa: BLE001 - reported to the test
        queue.put(f"failed: {exc!r}")


def test_workers_starting_together_all_get_the_one_key(tmp_path: Path) -> None:
    """gunicorn's workers open the stores at once: each must read the same whole key file, never one
    another worker is still writing (that read an empty key: 'Fernet key must be 32 ... bytes')."""
    from bridge.store.sealed import Sealer

    context = multiprocessing.get_context("fork")
    for round_ in range(5):
        key_path = tmp_path / f"round-{round_}" / "bridge-postbacks.key"
        barrier, queue = context.Barrier(6), context.Queue()
        workers = [context.Process(target=_sealer_worker, args=(str(key_path), barrier, queue)) for _ in range(6)]
        for worker in workers:
            worker.start()
        tokens = [queue.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(60)
        assert not [t for t in tokens if t.startswith("failed")]
        assert {Sealer(key_path).open(t.encode()) for t in tokens} == {"secret"}   # one key sealed them all
        assert [p.name for p in key_path.parent.iterdir()] == [key_path.name]     # no drafts left behind
