"""cloud/1 registrations in process, postUrl safety, the API key registry and its CLI, the /postbacks page."""
from __future__ import annotations

import io
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bridge.config import Settings
from bridge.postbacks.apikeys import ApiKeyRegistry
from bridge.postbacks.events import Delivery
from bridge.postbacks.safety import RefusedTarget, check_target
from bridge.postbacks.service import store_path
from bridge.postbacks.store import PostbackStore
from bridge.store.sealed import Sealer, key_path

SAVED = "<description>Saved</description><success>true</success>"


def resolver_to(*addresses: str):
    return lambda host, port: list(addresses)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
                                     "::1", "fe80::1", "fc00::5", "0.0.0.0", "100.64.0.1", "::ffff:127.0.0.1"])
def test_private_loopback_and_link_local_targets_are_refused(address):
    with pytest.raises(RefusedTarget, match="--postback-allow-private"):
        check_target("https://receiver.example/post", allow_private=False, resolver=resolver_to(address))
    check_target("https://receiver.example/post", allow_private=True, resolver=resolver_to(address))


def test_one_private_address_among_public_ones_is_refused():
    with pytest.raises(RefusedTarget):
        check_target("http://receiver.example/", allow_private=False, resolver=resolver_to("93.184.216.34", "10.0.0.1"))
    check_target("http://receiver.example:8080/x", allow_private=False, resolver=resolver_to("93.184.216.34"))


@pytest.mark.parametrize("url", ["ftp://receiver.example/", "file:///etc/passwd", "gopher://x/", "//receiver.example/",
                                 "http:///nohost", "http://[::1", "mailto:a@b.c"])
def test_only_http_and_https_urls_with_a_host(url):
    with pytest.raises(RefusedTarget):
        check_target(url, allow_private=True, resolver=resolver_to("93.184.216.34"))


@pytest.fixture
def bridge(tmp_path: Path):
    """The bridge in process over the in-process simulator, as `serve` runs it with the embedded one."""
    from bridge.sim.app import create_app as create_sim
    from bridge.wsgi import create_app
    sim = httpx.WSGITransport(app=create_sim())
    settings = Settings(store_path=tmp_path / "store.sqlite3", postback_simulator=1, postback_allow_private=0)
    app = create_app(settings, upstream="http://sim/v2", transport=sim)
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://bridge")
    yield app, client
    client.close()


def test_a_registration_is_saved_replaced_and_removed(bridge):
    app, client = bridge
    app.postbacks.cloud1.resolver = resolver_to("93.184.216.34")
    path = "/cloud/1/reports/callback/callfinish/327"
    assert SAVED in client.post(path, data={"apikey": "alice", "postUrl": "https://one.example/cb"}).text
    assert SAVED in client.post(path, content=b"apikey=alice&postUrl=https://two.example/cb",
                                headers={"Content-Type": "text/plain"}).text
    [registration] = app.postbacks.store.registrations()
    assert (registration.kind, registration.campaign_id, registration.post_url) == ("callfinish", 327, "https://two.example/cb")
    assert "Deleted" in client.request("DELETE", path, params={"apikey": "alice"}).text
    assert app.postbacks.store.registrations() == []


def test_a_private_post_url_is_refused_by_default(bridge):
    app, client = bridge
    answer = client.post("/cloud/1/reports/callback/campaignfinish",
                         data={"apikey": "alice", "postUrl": "http://127.0.0.1:9/"})
    assert answer.status_code == 400 and "<success>false</success>" in answer.text
    assert app.postbacks.store.registrations() == []


def test_the_listener_sends_only_to_matching_registrations(bridge):
    app, client = bridge
    app.postbacks.cloud1.resolver = resolver_to("93.184.216.34")
    for path, url in (("callfinish", "https://all.example/"), ("callfinish/327", "https://one.example/"),
                      ("campaignfinish", "https://campaigns.example/")):
        assert SAVED in client.post(f"/cloud/1/reports/callback/{path}", data={"apikey": "alice", "postUrl": url}).text
    store, pipeline = app.postbacks.store, app.postbacks.pipeline
    account = store.registrations()[0].account
    from bridge.postbacks.events import make_event
    assert pipeline.ingest(make_event(account, "OutboundCall", "Finished", {"id": 1, "campaignId": 327}, 0)) == 2
    assert pipeline.ingest(make_event(account, "OutboundCall", "Finished", {"id": 2, "campaignId": 5}, 0)) == 1
    assert pipeline.ingest(make_event("someone-else", "OutboundCall", "Finished", {"id": 3}, 0)) == 0
    assert pipeline.ingest(make_event(account, "CallBroadcast", "Finished",
                                      {"id": 327, "name": "x", "status": "FINISHED", "lastModified": 1}, 0)) == 1
    targets = sorted(row.target for row in store.rows())
    assert targets == ["https://all.example/", "https://all.example/", "https://campaigns.example/",
                       "https://one.example/"]


def test_the_page_lists_rows_and_replays_a_dead_letter(bridge):
    app, client = bridge
    store = app.postbacks.store
    store.ingest("OutboundCall.Finished:1", "acct", [Delivery("https://u:pw@r.example/cb", b"<x/>", "text/xml", "cloud1:1")], 0)
    [row] = store.claim("me", 0, 30, 1)
    store.failed(row.id, "me", "HTTP 500: 'boom'", None, 1)
    page = client.get("/postbacks", params={"status": "dead"})
    assert page.status_code == 200 and row.id in page.text and "HTTP 500" in page.text
    assert "pw@" not in page.text                                 # a postUrl's credentials are not shown
    refused = client.post("/postbacks", data={"id": row.id}, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and store.rows("dead")
    replayed = client.post("/postbacks", data={"id": row.id}, headers={"Origin": "http://bridge"})
    assert replayed.status_code == 303 and store.rows("pending")[0].id == row.id


def cli(*args: str, stdin: str = "", store: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bridge.cli", *args, "--store", str(store)], input=stdin,
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})


def test_apikeys_cli_never_shows_a_secret(tmp_path: Path, caplog):
    store = tmp_path / "store.sqlite3"
    key, password = "cf-key-7f3a9c2e1b", "v2-password-d41d8c"
    added = cli("apikeys", "add", "--login", "alice", stdin=f"{key}\n{password}\n", store=store)
    listed = cli("apikeys", "list", store=store)
    assert added.returncode == listed.returncode == 0 and "alice" in listed.stdout
    for output in (added.stdout + added.stderr, listed.stdout + listed.stderr):
        assert key not in output and password not in output and key[:6] not in output
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert key.encode() not in raw and password.encode() not in raw          # sealed at rest, key hashed
    settings = Settings(store_path=store)
    assert stat.S_IMODE(key_path(settings).stat().st_mode) == 0o600
    registry = ApiKeyRegistry(PostbackStore(store_path(settings)), Sealer(key_path(settings)))
    with caplog.at_level(logging.DEBUG):
        assert registry.authorization(key).startswith("Basic ")
        assert registry.authorization("cf-key-unknown") is None
    assert key not in caplog.text and password not in caplog.text
    assert cli("apikeys", "remove", stdin=f"{key}\n", store=store).returncode == 0
    assert registry.authorization(key) is None
    assert cli("apikeys", "remove", stdin=f"{key}\n", store=store).returncode == 1


def test_postbacks_cli_lists_and_retries(tmp_path: Path):
    store_file = tmp_path / "store.sqlite3"
    store = PostbackStore(store_path(Settings(store_path=store_file)))
    store.ingest("OutboundCall.Finished:9", "acct", [Delivery("https://r.example/", b"<x/>", "text/xml", "cloud1:4")], 0)
    [row] = store.claim("me", 0, 30, 1)
    store.failed(row.id, "me", "ConnectError: refused", None, 1)
    listed = cli("postbacks", "list", "--status", "dead", store=store_file)
    assert row.id in listed.stdout and "cloud1:4" in listed.stdout and "1 dead" in listed.stdout
    assert cli("postbacks", "retry", row.id, store=store_file).stdout.startswith("1 dead letter")
    assert store.counts() == {"pending": 1}
