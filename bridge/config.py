"""Settings: one object carries every behaviour switch (CLI flags and env vars fill it)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from bridge.resources import CHECKOUT, MAPPINGS_DIR, WSDL_DIR  # noqa: F401 - the names callers use

# The repository root, for the tests and doc tools that run from a checkout.
ROOT = Path(__file__).resolve().parent.parent
SIM_CLOCKS = ("live", "frozen")   # see bridge.sim.clock


def default_store_path() -> Path:
    """`var/` of the checkout the bridge runs from, else the user's XDG state directory."""
    if CHECKOUT is not None:
        return CHECKOUT / "var" / "bridge.sqlite3"
    state = os.environ.get("XDG_STATE_HOME", "")
    # The XDG spec: an unset, empty or relative XDG_STATE_HOME means ~/.local/state.
    base = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"
    return base / "callfire-bridge" / "bridge.sqlite3"


@dataclass(frozen=True)
class Settings:
    # CallFire v2 base URL, e.g. https://api.callfire.com/v2. None: the embedded simulator.
    upstream: str | None = None
    # Public base URL written into the served WSDL's soap12:address (else taken from the request).
    external_base_url: str | None = None
    # Which v1.1 contract is served and written: "2014" (CallFire's May 2014 WSDL, exactly) or
    # "live" (plus the optional fields and values CallFire's live API added later).
    contract: str = "2014"
    # IANA zone for xs:dateTime output (v2 times are UTC ms; v1.1 always carried an offset).
    time_zone: str = "UTC"
    # SQLite file of the RequestId de-duplication store (shared by all workers).
    store_path: Path = field(default_factory=default_store_path)
    v2_timeout: float = 30.0
    v2_retries: int = 2
    # The largest `limit` the bridge sends a v2 finder: a window of up to this many items is one request.
    # CallFire documents no maximum; 1000 is v1.1's MaxResults limit and the largest page its samples show.
    v2_page_size: int = 1000
    v2_concurrency: int = 4
    # The largest sound or recording the bridge carries, in bytes: a CreateSound upload over it is
    # refused before anything is sent, a download over it is cut off (each costs a few copies in memory).
    max_sound_bytes: int = 10 * 1024 * 1024
    # Simulator: "user:pass,user2:pass2" restricts accounts; None accepts any Basic credentials.
    sim_credentials: str | None = None
    # Simulator time: "live" (wall clock, calls progress on their own) or "frozen" (moves only on
    # POST /__sim/advance; the tests' choice). Seed data is the same either way.
    sim_clock: str = "live"
    # A live clock runs this many times as fast as the wall clock (60: a call finishes in 1.5 s).
    sim_speed: float = 1.0
    # Shadow mode (bridge.compare.shadow): a v1.1 service base URL (CallFire's, or `sim --legacy`)
    # that also receives every read a client sends; its answers are compared with the bridge's.
    shadow: str | None = None
    # Basic credentials "USER:PASS" for the shadow side; None: the client's own Authorization.
    shadow_auth: str | None = None
    shadow_queue: int = 256      # reads waiting for the shadow side, per worker; beyond: dropped
    shadow_timeout: float = 5.0  # seconds per shadow request
    shadow_keep: int = 500       # outcomes kept for /compare (the counters count them all)
    # Slow clients and long requests (bridge.deadline, bridge.gunicorn_app): a SOAP request's upstream
    # work stops, with an UNAVAILABLE fault naming it, once this many seconds have passed since it
    # arrived; and a request's headers and body must arrive within read_timeout seconds.
    request_deadline: float = 60.0
    read_timeout: float = 30.0
    # Retries and the circuit breaker (bridge.v2.retry): retries per v1.1 request over all its v2
    # requests; failures in a row that open the breaker, per upstream per worker process, and the
    # seconds it stays open before one request probes v2 again.
    v2_retry_budget: int = 10
    v2_breaker_failures: int = 5
    v2_breaker_cooldown: float = 10.0
    # Postbacks (bridge.postbacks): cloud/1 report callbacks, the outbox, the polling fallback.
    postback_allow_private: int = 0       # 1: postUrls on private, loopback, link-local addresses allowed
    postback_poll: str = "auto"           # on, off; auto: on with the embedded simulator
    postback_poll_interval: float = 5.0   # seconds between polls of v2
    postback_max_age: float = 86400.0     # seconds a delivery is retried before it is a dead letter
    # Seconds a receiver has to answer one attempt (connecting: at most 5 of them). A row is leased for
    # twice this, so a deliverer killed mid-delivery has its rows sent again by another after that long.
    postback_timeout: float = 15.0
    postback_simulator: int = 0           # 1 (set by `serve`): upstream is the embedded simulator, any apikey a login
    # SubscriptionService: the bridge's base URL as CallFire v2 reaches it; the v2 webhooks of a
    # subscription post to {public_url}/webhooks/v2/{id}. `serve` with the embedded simulator sets
    # the bridge's own address when none is given.
    public_url: str | None = None
    # Operations (bridge.observability): log lines as "text" or "json" (one object per line, with the
    # request id), from this level up (debug, info, warning, error).
    log_format: str = "text"
    log_level: str = "warning"
    # Many replicas (issue 13, bridge.store.factory): a postgresql://user@host:port/db URL puts every store
    # (RequestIds, subscriptions, postbacks, the shadow record) in that database instead of the SQLite
    # files beside store_path. `--store URL` sets it; a password belongs in PGPASSWORD or ~/.pgpass.
    store: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def shadow_store_path(self) -> Path:
        """The shadow record's SQLite file, beside the RequestId store (shared by all workers)."""
        store = Path(self.store_path)  # `--store` arrives as a string
        return store.with_name(f"{store.stem}-shadow.sqlite3")

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """CALLFIRE_BRIDGE_<FIELD> environment variables, then explicit overrides.  A variable set
        to an empty string is unset (as `VAR= command` in a shell means), not a value to parse."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"CALLFIRE_BRIDGE_{f.name.upper()}")
            if raw is not None and raw.strip():
                values[f.name] = _coerce(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def _coerce(type_name: object, raw: str) -> object:
    kind = str(type_name)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "Path":
        return Path(raw)
    return raw
