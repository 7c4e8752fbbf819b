"""`callfire-bridge apikeys add|list|remove` and `callfire-bridge postbacks list|retry`.

Secrets are read from the terminal without echo (or from standard input, one per line, when it is
not a terminal) — never from the command line, which every `ps` shows — and are never printed."""
from __future__ import annotations

import argparse
import getpass
import json
import sys
import time

from bridge.config import Settings
from bridge.postbacks.apikeys import ApiKeyRegistry
from bridge.store import factory
from bridge.store.sealed import Sealer, key_path
from bridge.web.postbacks_page import STATUSES, display_target, view


def add_parsers(commands: argparse._SubParsersAction) -> None:
    keys = commands.add_parser("apikeys", help="the cloud/1 API keys and the v2 credentials they stand for")
    actions = keys.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="register an API key (asks for the key and the v2 password)")
    add.add_argument("--login", required=True, help="the v2 API login the key stands for")
    leaves = [add, actions.add_parser("list", help="the registered keys (a hash of each, never the key) and their v2 logins"),
              actions.add_parser("remove", help="forget an API key (asks for it)")]
    postbacks = commands.add_parser("postbacks", help="the postback outbox: deliveries and dead letters")
    actions = postbacks.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="outbox rows, newest first")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    retry = actions.add_parser("retry", help="deliver dead letters again (their maximum age counted anew)")
    retry.add_argument("ids", nargs="*", metavar="DELIVERY_ID")
    retry.add_argument("--all", action="store_true", help="every dead letter")
    for parser in (*leaves, listing, retry):
        parser.add_argument("--store", help="the bridge's --store (the postback tables sit beside it, or in its "
                                            "PostgreSQL database)")


def _secret(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env(**factory.store_option(args.store))
    store = factory.postbacks(settings)
    if args.command == "apikeys":
        return _apikeys(args, ApiKeyRegistry(store, Sealer(key_path(settings))))
    return _postbacks(args, store)


def _apikeys(args: argparse.Namespace, registry: ApiKeyRegistry) -> int:
    if args.action == "add":
        apikey, password = _secret("API key: ").strip(), _secret("v2 password: ")
        if not apikey or not password:
            print("an API key and a password are needed", file=sys.stderr)
            return 2
        print(f"added {registry.add(apikey, args.login, password)}")
        return 0
    if args.action == "remove":
        dropped = registry.remove(_secret("API key: ").strip())
        if dropped is None:
            print("no such API key", file=sys.stderr)
            return 1
        print(f"removed; {dropped} cloud/1 registration(s) of its v2 account removed with it"
              if dropped else "removed")
        return 0
    from rich.console import Console
    from rich.table import Table
    table = Table("key -> v2 login", "added")
    for label, created in registry.labels():
        table.add_row(label, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(created)))
    Console().print(table)
    return 0


def _postbacks(args: argparse.Namespace, store: factory.Postbacks) -> int:
    if args.action == "retry":
        if not args.ids and not args.all:
            print("name delivery ids, or --all", file=sys.stderr)
            return 2
        count = store.retry(None if args.all else args.ids, time.time())
        print(f"{count} dead letter(s) queued again")
        return 0 if count or args.all else 1
    rows = [view(row) for row in store.rows(args.status, args.limit)]
    if args.json:
        print(json.dumps({"counts": store.counts(), "rows": rows}, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table
    counts = store.counts()
    table = Table("delivery id", "source", "target", "event", "status", "tries", "created", "last error",
                  title=", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES))
    for row in rows:
        table.add_row(row["id"], row["source"], display_target(row["target"]), row["event"], row["status"],
                      str(row["attempts"]), row["created"], row["error"][:80])
    Console().print(table)
    return 0
