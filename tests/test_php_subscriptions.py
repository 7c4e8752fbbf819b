"""SubscriptionService from PHP's SoapClient against the served bridge (gunicorn, 2 workers, the
embedded simulator sending signed v2 webhooks): a CallFinished notification, valid against CallFire's
notification schema, arrives at a PHP receiver (`php -S`); Query/Get/Update/Delete behave."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import xmlschema

from bridge.cli import free_port
from conftest import CALLFIRE_2014, Live, serve
from test_php import php_call

pytestmark = pytest.mark.skipif(shutil.which("php") is None, reason="needs PHP (`make system-deps`)")
RECEIVER = Path(__file__).parent / "php" / "subscriptions" / "receiver.php"
SCHEMA = CALLFIRE_2014 / "callfire-notification.xsd"


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """`callfire-bridge serve` as `make serve` runs it: postback targets on 127.0.0.1 allowed."""
    yield from serve(tmp_path_factory.mktemp("subscriptions"), "--postback-allow-private")


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """PHP's built-in web server running receiver.php; (its URL, the file it writes)."""
    shutil.copy(RECEIVER, tmp_path / "receiver.php")
    port = free_port()
    process = subprocess.Popen(["php", "-S", f"127.0.0.1:{port}", "-t", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/receiver.php", tmp_path / "received.jsonl"
    process.terminate()
    process.wait(timeout=10)


def received(path: Path, count: int, timeout: float = 30.0) -> list[dict]:
    """The notifications the PHP receiver read, once there are `count` (fewer when `timeout` runs out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count:
            return [json.loads(line) for line in lines]
        time.sleep(0.1)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def ok(live: Live, login: str, operation: str, request: dict) -> object:
    answer = php_call(live, operation, request, login=login)
    assert answer["ok"], answer
    return answer["response"]


def send_call(live: Live, login: str, number: str) -> int:
    return int(ok(live, login, "SendCall", {"ToNumber": [number], "VoiceBroadcastConfig": {
        "FromNumber": "13105551212", "AnsweringMachineConfig": "LIVE_IMMEDIATE", "LiveSoundId": 9}}))


def test_php_subscription_lifecycle(bridge: Live, receiver: tuple[str, Path], login: str) -> None:
    url, written = receiver
    subscription = {"Endpoint": url + "?tag=first", "NotificationFormat": "XML", "TriggerEvent": "OUTBOUND_CALL_FINISHED"}
    first = int(ok(bridge, login, "CreateSubscription", {"Subscription": subscription}))
    broadcast = send_call(bridge, login, "12135550402")
    bridge.advance(90)
    [notification] = received(written, 1)
    xmlschema.XMLSchema(str(SCHEMA)).validate(notification["body"])
    assert (notification["tag"], notification["root"], notification["subscription"]) == ("first", "CallFinished", str(first))
    assert (notification["to"], notification["result"], notification["state"]) == ("12135550402", "LA", "FINISHED")
    assert notification["delivery"]
    call = ok(bridge, login, "QueryCalls", {"BroadcastId": broadcast})["Call"]
    assert str(call["id"]) == notification["call"]

    listed = ok(bridge, login, "QuerySubscriptions", {"MaxResults": 10})
    assert listed["TotalResults"] == 1 and listed["Subscription"]["id"] == first
    got = ok(bridge, login, "GetSubscription", {"Id": first})
    assert (got["Enabled"], got["Endpoint"], got["TriggerEvent"]) == (True, url + "?tag=first", "OUTBOUND_CALL_FINISHED")

    # Disabled: nothing more arrives for it, while a second subscription shows the next call was notified.
    ok(bridge, login, "UpdateSubscription", {"Subscription": {**subscription, "id": first, "Enabled": False}})
    assert ok(bridge, login, "GetSubscription", {"Id": first})["Enabled"] is False
    second = int(ok(bridge, login, "CreateSubscription", {"Subscription": {**subscription, "Endpoint": url + "?tag=second"}}))
    send_call(bridge, login, "12135550403")
    bridge.advance(90)
    notifications = received(written, 2)
    assert [(n["tag"], n["to"]) for n in notifications] == [("first", "12135550402"), ("second", "12135550403")]

    ok(bridge, login, "DeleteSubscription", {"Id": first})
    fault = php_call(bridge, "GetSubscription", {"Id": first}, login=login)
    assert fault["ServiceFaultInfo"]["FaultCode"] == "NOT_FOUND"
    webhooks = httpx.get(f"{bridge.sim_url}/v2/webhooks", auth=(login, "secret")).json()["items"]
    assert [w["callback"].rpartition("/")[2] for w in webhooks] == [str(second)]   # the first one's webhook is gone
