"""`callfire-bridge` console script."""
from __future__ import annotations

import argparse
import atexit
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace

import httpx

from bridge.compare import cli as compare_cli
from bridge.postbacks import cli as postbacks_cli
from bridge.config import SIM_CLOCKS, Settings
from bridge.contract.variants import Contract
from bridge.store import factory

WSDL_PATH = "/api/1.1/wsdl/callfire-service-http-soap12.wsdl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="callfire-bridge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the v1.1 SOAP bridge")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker")
    serve.add_argument("--upstream", help="CallFire v2 base URL, e.g. https://api.callfire.com/v2 "
                                          "(default: the embedded simulator)")
    serve.add_argument("--external-base-url", help="public URL written into the served WSDL")
    serve.add_argument("--time-zone", help="IANA zone of xs:dateTime output (default UTC)")
    serve.add_argument("--contract", choices=[c.value for c in Contract],
                       help="v1.1 contract served and written: 2014 (CallFire's May 2014 WSDL, the default) "
                            "or live (plus the fields and values CallFire added later)")
    serve.add_argument("--store", help="SQLite file of the RequestId store, or postgresql://user@host:port/db: "
                                       "every store in that database, shared by many replicas (docs/scale-out.md)")
    serve.add_argument("--max-sound-bytes", type=int, metavar="N",
                       help="largest sound or recording carried, in bytes (default 10485760: 10 MiB)")
    serve.add_argument("--sim-credentials", help="simulator accounts user:pass,... (default: any); also "
                                                 "CALLFIRE_BRIDGE_SIM_CREDENTIALS, which unlike a flag does not show in `ps`")
    serve.add_argument("--sim-credentials-file", metavar="PATH",
                       help="read the simulator accounts from PATH (user:pass, commas or one per line)")
    serve.add_argument("--sim-clock", choices=SIM_CLOCKS,
                       help="simulator time: live (wall clock, the default) or frozen (moves only on /__sim/advance)")
    serve.add_argument("--sim-speed", type=float, metavar="N", help="a live simulator clock runs N times as fast (default 1)")
    serve.add_argument("--shadow", metavar="URL",
                       help="also send every read, in the background, to this v1.1 service (its base URL, e.g. "
                            "https://www.callfire.com) and show how its answers differ at /compare")
    serve.add_argument("--shadow-auth", metavar="USER:PASS",
                       help="Basic credentials for the shadow side (default: each client's own)")
    serve.add_argument("--request-deadline", type=float, metavar="SECONDS",
                       help="a SOAP request's upstream work stops with an UNAVAILABLE fault after this long "
                            "(default 60); also CALLFIRE_BRIDGE_REQUEST_DEADLINE")
    serve.add_argument("--read-timeout", type=float, metavar="SECONDS",
                       help="a request's headers and body must arrive within this long, else the connection "
                            "is closed (default 30); also CALLFIRE_BRIDGE_READ_TIMEOUT")
    # SubscriptionService
    serve.add_argument("--public-url", metavar="URL",
                       help="the bridge's base URL as CallFire v2 reaches it: subscriptions' v2 webhooks post to "
                            "URL/webhooks/v2/{id} (default with the embedded simulator: the bridge's own address)")
    add_sim_parser(commands)
    add_mappings_parser(commands)
    compare_cli.add_parser(commands)
    postbacks_cli.add_parsers(commands)
    serve.add_argument("--postback-allow-private", action="store_true",
                       help="allow postUrls on private, loopback and link-local addresses (local demos, tests)")
    serve.add_argument("--postback-poll", choices=("on", "off", "auto"),
                       help="poll v2 for finished calls, texts and broadcasts (default auto: on with the embedded simulator)")
    # Operations (bridge.observability)
    serve.add_argument("--log-format", choices=("text", "json"),
                       help="log lines as text (the default) or one JSON object per line; also CALLFIRE_BRIDGE_LOG_FORMAT")
    serve.add_argument("--log-level", choices=("debug", "info", "warning", "error"),
                       help="log from this level up (default warning); also CALLFIRE_BRIDGE_LOG_LEVEL")
    explain = commands.add_parser("explain", help="the exact v2 request(s) a v1.1 request becomes (no upstream call)")
    explain.add_argument("request", help="a file holding a v1.1 SOAP envelope or bare request element ('-': stdin)")
    explain.add_argument("--base-url", default="https://api.callfire.com/v2", help="v2 base URL shown in the output")
    explain.add_argument("--time-zone", help="IANA zone for input dateTimes without an offset (default UTC)")
    explain.add_argument("--contract", choices=[c.value for c in Contract],
                         help="the v1.1 contract the answer is written in (default 2014)")
    explain.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    if args.command == "mappings":
        return run_mappings(args)
    if args.command == "explain":
        return run_explain(args)
    if args.command == "compare":
        return compare_cli.run(args)
    if args.command == "sim":
        return run_sim(args, parser)
    if args.command in ("apikeys", "postbacks"):
        return postbacks_cli.run(args)
    return run_serve(args, parser)


V2_SIM_PORT, LEGACY_SIM_PORT = 8765, 8766


def add_sim_parser(commands: argparse._SubParsersAction) -> None:
    sim = commands.add_parser("sim", help="serve a simulator: CallFire v2 (as python -m bridge.sim), or with "
                                          "--legacy CallFire's own v1.1 SOAP service (reads, from the same seed)")
    sim.add_argument("--legacy", action="store_true",
                     help="the v1.1 SOAP legacy simulator, to compare the bridge with (bridge/legacy/README.md)")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, help=f"default {V2_SIM_PORT} (v2), {LEGACY_SIM_PORT} (--legacy)")
    sim.add_argument("--credentials", help="user:pass,user2:pass2 (default: any Basic credentials work); also "
                                           "CALLFIRE_BRIDGE_SIM_CREDENTIALS, which unlike a flag does not show in `ps`")
    sim.add_argument("--credentials-file", metavar="PATH",
                     help="read the user:pass pairs from PATH (commas or one per line)")
    sim.add_argument("--sim-clock", choices=SIM_CLOCKS, help="v2 only: live (default) or frozen")
    sim.add_argument("--sim-speed", type=float, metavar="N", help="v2 only: a live clock runs N times as fast")
    sim.add_argument("--time-zone", help="--legacy only: IANA zone of the dateTimes written, and of input "
                                         "dateTimes without an offset (default UTC)")


def run_sim(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from bridge.sim.credentials import chosen_credentials, parse_credentials
    try:
        credentials = parse_credentials(chosen_credentials(args.credentials, args.credentials_file,
                                                           Settings.from_env().sim_credentials))
    except ValueError as exc:
        parser.error(str(exc))
    port = args.port if args.port is not None else LEGACY_SIM_PORT if args.legacy else V2_SIM_PORT
    if args.legacy:
        if args.sim_clock or args.sim_speed:
            parser.error("--sim-clock and --sim-speed are for the v2 simulator; the legacy one serves the seed as is")
        try:
            ZoneInfo(args.time_zone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            parser.error(f"--time-zone: unknown IANA zone {args.time_zone!r}")
        from bridge.legacy import serve as serve_legacy
        serve_legacy(args.host, port, credentials, args.time_zone or "UTC")
        return 0
    if args.time_zone:
        parser.error("--time-zone is for the legacy simulator (--legacy)")
    from bridge.sim.clock import SimClock
    from bridge.sim.serve import serve as serve_sim
    # As python -m bridge.sim: flags win over CALLFIRE_BRIDGE_SIM_* variables.
    settings = Settings.from_env(sim_clock=args.sim_clock, sim_speed=args.sim_speed)
    try:
        clock = SimClock(settings.sim_clock, settings.sim_speed)
    except ValueError as exc:
        parser.error(str(exc))
    serve_sim(args.host, port, credentials, clock)
    return 0


def run_explain(args: argparse.Namespace) -> int:
    from bridge.errors import BridgeFault
    from bridge.explain import explain, render_text
    from bridge.runtime import Runtime
    document = sys.stdin.buffer.read() if args.request == "-" else open(args.request, "rb").read()
    runtime = Runtime.create(Settings.from_env(time_zone=args.time_zone, contract=args.contract), args.base_url)
    try:
        result = explain(document, runtime)
    except BridgeFault as fault:
        print(f"{fault.code.value}: {fault.message}", file=sys.stderr)
        return 1
    if args.json:
        import json
        print(json.dumps(result.as_dict(args.base_url), indent=2))
    else:
        print(render_text(result, args.base_url))
    return 0


def add_mappings_parser(commands: argparse._SubParsersAction) -> None:
    from bridge.reference.export import FORMATS
    mappings = commands.add_parser("mappings", help="look up how v1.1 fields and values map to v2")
    actions = mappings.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="the served operations and the v2 endpoints replacing them")
    show = actions.add_parser("show", help="one operation's request, response and entity tables")
    show.add_argument("operation", help="e.g. QueryCalls")
    find = actions.add_parser("lookup", help="a v1.1 field, a v2 field (v2:NAME), or an enum value (NAME VALUE)",
                              description="Examples: lookup Result INVALID_NUMBER | lookup QueryCalls.LabelName "
                                          "| lookup LabelName | lookup v2:campaignId | lookup FinalResult=DNC")
    find.add_argument("terms", nargs="+", metavar="TERM", help="NAME, Operation.NAME, v2:NAME, or NAME VALUE")
    for action in (listing, show, find):
        action.add_argument("--json", action="store_true", help="print JSON instead of tables")
    export = actions.add_parser("export", help="every mapping row as markdown, csv or json")
    export.add_argument("--format", choices=FORMATS, default="markdown")
    export.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")


def run_mappings(args: argparse.Namespace) -> int:
    """Thin dispatch: the catalog, lookups and renderers live in bridge.reference."""
    from bridge.reference import terminal
    if args.action == "list":
        return terminal.list_operations(args.json)
    if args.action == "show":
        return terminal.show(args.operation, args.json)
    if args.action == "lookup":
        return terminal.find(args.terms, args.json)
    return terminal.export(args.format, args.output)


def run_serve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from bridge.sim.credentials import chosen_credentials, parse_credentials
    try:
        sim_credentials = chosen_credentials(args.sim_credentials, args.sim_credentials_file,
                                             Settings.from_env().sim_credentials)
        parse_credentials(sim_credentials)  # a usage error now, not a simulator that will not start
    except ValueError as exc:
        parser.error(str(exc).replace("credentials", "--sim-credentials", 1))
    settings = Settings.from_env(upstream=args.upstream, external_base_url=args.external_base_url,
                                 time_zone=args.time_zone, **factory.store_option(args.store), contract=args.contract,
                                 sim_credentials=sim_credentials, sim_clock=args.sim_clock,
                                 sim_speed=args.sim_speed, max_sound_bytes=args.max_sound_bytes,
                                 shadow=args.shadow, shadow_auth=args.shadow_auth)
    settings = replace(settings, **{name: value for name, value in (
        ("request_deadline", args.request_deadline), ("read_timeout", args.read_timeout)) if value is not None})
    settings = with_public_url(settings, args)
    if settings.shadow:
        check_shadow(settings)
    if settings.store:
        check_store(settings)
    upstream = settings.upstream or start_simulator(settings)
    # Postbacks: the workers read these (bridge.postbacks.service).
    if args.postback_allow_private:
        os.environ["CALLFIRE_BRIDGE_POSTBACK_ALLOW_PRIVATE"] = "1"
    if args.postback_poll:
        os.environ["CALLFIRE_BRIDGE_POSTBACK_POLL"] = args.postback_poll
    if not settings.upstream:   # the embedded simulator: any apikey is the login of its account
        os.environ["CALLFIRE_BRIDGE_POSTBACK_SIMULATOR"] = "1"
        if settings.sim_credentials:
            os.environ["CALLFIRE_BRIDGE_SIM_CREDENTIALS"] = settings.sim_credentials
    # Workers build their Runtime from the environment (bridge.wsgi), after the fork.
    os.environ["CALLFIRE_BRIDGE_UPSTREAM"] = upstream
    for name, value in (("EXTERNAL_BASE_URL", settings.external_base_url), ("TIME_ZONE", settings.time_zone),
                        ("STORE_PATH", str(settings.store_path)), ("CONTRACT", settings.contract),
                        ("MAX_SOUND_BYTES", str(settings.max_sound_bytes)),
                        ("SHADOW", settings.shadow), ("SHADOW_AUTH", settings.shadow_auth),
                        ("PUBLIC_URL", settings.public_url)):
        if value:
            os.environ[f"CALLFIRE_BRIDGE_{name}"] = value
    if settings.store:   # PostgreSQL (bridge.store.factory)
        os.environ["CALLFIRE_BRIDGE_STORE"] = settings.store
    os.environ["CALLFIRE_BRIDGE_REQUEST_DEADLINE"] = str(settings.request_deadline)
    os.environ["CALLFIRE_BRIDGE_READ_TIMEOUT"] = str(settings.read_timeout)
    base = settings.external_base_url or f"http://{args.host}:{args.port}"
    print(f"CallFire v1.1 bridge -> {upstream}", flush=True)
    print(f"WSDL: {base}{WSDL_PATH}", flush=True)
    if settings.store:
        print(f"Store: {factory.describe(settings)}", flush=True)
    if settings.shadow:
        from bridge.compare.shadow import display_url
        print(f"Shadow: reads also go to {display_url(settings.shadow)}; differences at {base}/compare", flush=True)
    prepare_operations(args, parser)
    from bridge.gunicorn_app import serve_forever
    serve_forever(args.host, args.port, workers=args.workers, threads=args.threads)
    return 0


def prepare_operations(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """The directory the workers' metrics share, and their log format and level (bridge.observability)."""
    from bridge.observability.multiproc import ensure_multiprocess_dir
    ensure_multiprocess_dir()   # first: prometheus-client reads it when first imported
    from bridge.observability import logs
    settings = Settings.from_env(log_format=args.log_format, log_level=args.log_level)
    if settings.log_format not in logs.FORMATS or settings.log_level.lower() not in logs.LEVELS:
        parser.error(f"CALLFIRE_BRIDGE_LOG_FORMAT: one of {', '.join(logs.FORMATS)}; "
                     f"CALLFIRE_BRIDGE_LOG_LEVEL: one of {', '.join(logs.LEVELS)}")
    os.environ["CALLFIRE_BRIDGE_LOG_FORMAT"] = settings.log_format
    os.environ["CALLFIRE_BRIDGE_LOG_LEVEL"] = settings.log_level


def with_public_url(settings: Settings, args: argparse.Namespace) -> Settings:
    """--public-url; with the embedded simulator it defaults to the bridge's own address (the
    simulator runs beside it and reaches it there)."""
    from dataclasses import replace
    public_url = args.public_url or settings.public_url
    if public_url is None and not settings.upstream:
        public_url = settings.external_base_url or f"http://{args.host}:{args.port}"
    return replace(settings, public_url=public_url)


def check_shadow(settings: Settings) -> None:
    """A usable --shadow URL and --shadow-auth, and a fresh record for this run (before the workers fork)."""
    from urllib.parse import urlsplit

    if urlsplit(settings.shadow).scheme not in ("http", "https") or not urlsplit(settings.shadow).hostname:
        raise SystemExit("--shadow: a v1.1 service's base URL, e.g. https://www.callfire.com")
    if settings.shadow_auth is not None and ":" not in settings.shadow_auth:
        raise SystemExit("--shadow-auth: USER:PASS")
    record = factory.shadow_record(settings)
    record.reset()
    record.close()


def check_store(settings: Settings) -> None:
    """A reachable PostgreSQL store, its tables made, before the workers fork (one clear line, not a
    traceback per worker); the message names the database without its password."""
    import psycopg
    try:
        factory.request_ids(settings).close()
    except (ValueError, psycopg.Error) as exc:
        raise SystemExit(f"--store: {exc}") from None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_simulator(settings: Settings) -> str:
    """The embedded CallFire v2 simulator: ONE process shared by every bridge worker."""
    port = free_port()
    command = [sys.executable, "-m", "bridge.sim", "--host", "127.0.0.1", "--port", str(port),
               "--sim-clock", settings.sim_clock, "--sim-speed", str(settings.sim_speed)]
    # The accounts go by environment, never on the command line every `ps` shows.
    environment = {name: value for name, value in os.environ.items() if name != "CALLFIRE_BRIDGE_SIM_CREDENTIALS"}
    if settings.sim_credentials:
        environment["CALLFIRE_BRIDGE_SIM_CREDENTIALS"] = settings.sim_credentials
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=environment)
    atexit.register(process.terminate)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:  # it exits on a usage error
        try:
            if httpx.get(f"http://127.0.0.1:{port}/__sim/health", timeout=1).status_code == 200:
                return f"http://127.0.0.1:{port}/v2"
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the embedded CallFire v2 simulator did not start")


if __name__ == "__main__":
    sys.exit(main())
