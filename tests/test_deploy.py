"""deploy/ (docs/scale-out.md): the compose recipe's parts agree with each other and with the bridge; no
docker needed. The replicas' guarantees themselves are tests/test_replicas.py's."""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bridge.config import Settings

DEPLOY = Path(__file__).parent.parent / "deploy"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_every_bridge_variable_is_a_setting_the_bridge_reads() -> None:
    known = {f"CALLFIRE_BRIDGE_{f.name.upper()}" for f in fields(Settings)}
    environment = compose()["services"]["bridge"]["environment"]
    assert {name for name in environment if name.startswith("CALLFIRE_BRIDGE_")} <= known


def test_the_replicas_store_is_the_compose_database() -> None:
    services = compose()["services"]
    store = urlsplit(services["bridge"]["environment"]["CALLFIRE_BRIDGE_STORE"])
    database = services["postgres"]["environment"]
    assert store.scheme == "postgresql" and store.password is None   # the password comes from PGPASSWORD
    assert (store.hostname, store.username, store.path.lstrip("/")) == (
        "postgres", database["POSTGRES_USER"], database["POSTGRES_DB"])


def test_the_load_balancer_sends_to_the_port_the_replicas_serve() -> None:
    [server] = re.findall(r"^\s*server\s+([\w.-]+):(\d+);", (DEPLOY / "nginx.conf").read_text(), re.M)
    command = re.search(r'^CMD \[(.*)\]', (DEPLOY / "Dockerfile").read_text(), re.M).group(1)
    port = re.search(r'"--port", "(\d+)"', command).group(1)
    assert server == ("bridge", port)
    assert "bridge" in compose()["services"]
