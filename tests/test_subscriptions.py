"""SubscriptionService in process: the five operations, the v2 webhooks they keep, the signed webhook
receiver and the notifications it enqueues (valid against CallFire's notification schema); on both store
backends (SQLite, PostgreSQL: tests/pg_fixtures.py)."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import xmlschema
from lxml import etree

from bridge.postbacks.webhooks import signature
from bridge.server import BridgeApp
from bridge.sim.app import Simulator, create_app as create_sim
from bridge.wsgi import create_app as create_bridge

from conftest import CALLFIRE_2014, InProcess
from pg_fixtures import Backend

NOTIFICATION_SCHEMA = CALLFIRE_2014 / "callfire-notification.xsd"
ENDPOINT = "http://127.0.0.1:9/notify"   # never called here: deliveries are read from the outbox


@dataclass
class Bridge:
    app: BridgeApp
    soap: InProcess

    def call(self, body: str, login: str) -> etree._Element:
        return etree.fromstring(self.soap.soap(body, login=login, port="subscription").content)

    def outbox(self) -> list:
        return self.app.postbacks.store.rows()

    def webhooks(self, login: str) -> list[dict]:
        return self.soap.sim_client.get("/v2/webhooks", auth=(login, "secret")).json()["items"]

    def post_webhook(self, subscription_id: int, payload: dict, secret: str | None) -> httpx.Response:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-CallFire-Signature"] = signature(secret, body)
        return self.soap.client.post(f"/webhooks/v2/{subscription_id}", content=body, headers=headers)


@pytest.fixture
def bridge(backend: Backend, contract_checker) -> Iterator[Bridge]:
    from contract_check import ContractCheck
    sim: Simulator = create_sim()
    sim_transport = httpx.WSGITransport(app=sim)
    settings = backend.settings(public_url="http://bridge.test", postback_allow_private=1)
    app = create_bridge(settings, upstream="http://sim/v2", transport=sim_transport)
    client = httpx.Client(transport=httpx.WSGITransport(app=ContractCheck(app, contract_checker)),
                          base_url="http://bridge")
    yield Bridge(app, InProcess(client, sim, httpx.Client(transport=sim_transport, base_url="http://sim")))
    client.close()


def create(bridge: Bridge, login: str, trigger: str, *, fmt: str = "XML", extra: str = "",
           enabled: str = "true") -> int:
    answer = bridge.call(
        f"<ns1:CreateSubscription><d:Subscription><d:Enabled>{enabled}</d:Enabled><d:Endpoint>{ENDPOINT}</d:Endpoint>"
        f"<d:NotificationFormat>{fmt}</d:NotificationFormat><d:TriggerEvent>{trigger}</d:TriggerEvent>{extra}"
        "</d:Subscription></ns1:CreateSubscription>", login)
    return int(answer.findtext(".//{http://api.callfire.com/service/xsd}CreatedId"))


def secret_of(bridge: Bridge, subscription_id: int) -> str:
    return bridge.app.runtime.subscriptions.by_id(subscription_id).secret


def fault(document: etree._Element) -> tuple[str, str]:
    info = document.find(".//{http://api.callfire.com/service/xsd}ServiceFaultInfo")
    return (info.findtext("{http://api.callfire.com/service/xsd}FaultCode"),
            info.findtext("{http://api.callfire.com/service/xsd}Message"))


CALL = {"id": 77, "fromNumber": "13105551212", "toNumber": "12135550402", "state": "FINISHED", "campaignId": 332,
        "batchId": 9, "contact": {"id": 4}, "inbound": False, "created": 1793631600000, "modified": 1793631690000,
        "finalCallResult": "LA", "records": [{"id": 5, "result": "LA", "finishTime": 1793631690000,
                                              "billedAmount": 0.05, "answerTime": 1793631636000, "duration": 54}]}


def payload(resource_type: str, event_type: str, *resources: dict) -> dict:
    return {"timestamp": 1793631690000, "webhookId": 1, "resourceType": resource_type,
            "events": [{"timestamp": 1793631690000, "webhookId": 1, "resourceType": resource_type,
                        "eventType": event_type, "resource": r} for r in resources]}


def test_create_registers_one_webhook_per_resource_and_query_get_show_it(bridge: Bridge, login: str) -> None:
    first = create(bridge, login, "OUTBOUND_CALL_FINISHED",
                   extra="<d:SubscriptionFilter><d:BroadcastId>332</d:BroadcastId></d:SubscriptionFilter>")
    second = create(bridge, login, "CAMPAIGN_FINISHED", fmt="JSON")
    hooks = bridge.webhooks(login)
    assert [(h["resource"], h["events"]) for h in hooks] == [
        ("OutboundCall", ["Finished"]), ("CallBroadcast", ["Finished"]), ("TextBroadcast", ["Finished"])]
    assert {h["callback"] for h in hooks} == {f"http://bridge.test/webhooks/v2/{first}",
                                              f"http://bridge.test/webhooks/v2/{second}"}
    assert hooks[1]["secret"] == hooks[2]["secret"] != hooks[0]["secret"]
    listed = bridge.call("<ns1:QuerySubscriptions/>", login)
    d = "{http://api.callfire.com/data}"
    assert listed.findtext(".//{http://api.callfire.com/service/xsd}TotalResults") == "2"
    assert [s.get("id") for s in listed.iter(f"{d}Subscription")] == [str(first), str(second)]
    got = bridge.call(f"<ns1:GetSubscription><ns1:Id>{second}</ns1:Id></ns1:GetSubscription>", login)
    subscription = got.find(f".//{d}Subscription")
    assert [(c.tag.rpartition("}")[2], c.text) for c in subscription] == [
        ("Enabled", "true"), ("Endpoint", ENDPOINT), ("NotificationFormat", "JSON"), ("TriggerEvent", "CAMPAIGN_FINISHED")]
    assert fault(bridge.call(f"<ns1:GetSubscription><ns1:Id>{first}</ns1:Id></ns1:GetSubscription>", "someone-else")) \
        == ("NOT_FOUND", f"Subscription {first} not found")


def test_a_failed_webhook_leaves_nothing_behind(bridge: Bridge, login: str, monkeypatch) -> None:
    from bridge.sim import webhooks as sim_webhooks
    real = sim_webhooks.Webhooks.create

    def refuse_text_broadcasts(self, body, now):  # the second webhook of a campaign subscription fails
        if body.get("resource") == "TextBroadcast":
            from bridge.sim.errors import SimError
            raise SimError(500, "webhook store down")
        return real(self, body, now)

    monkeypatch.setattr(sim_webhooks.Webhooks, "create", refuse_text_broadcasts)
    assert fault(bridge.call(
        f"<ns1:CreateSubscription><d:Subscription><d:Endpoint>{ENDPOINT}</d:Endpoint>"
        "<d:TriggerEvent>CAMPAIGN_STARTED</d:TriggerEvent></d:Subscription></ns1:CreateSubscription>", login))[0] \
        == "UNAVAILABLE"
    assert bridge.webhooks(login) == []
    assert bridge.call("<ns1:QuerySubscriptions/>", login).findtext(
        ".//{http://api.callfire.com/service/xsd}TotalResults") == "0"


@pytest.mark.parametrize("trigger, problem", [
    ("UNDEFINED_EVENT", "Subscription/TriggerEvent: UNDEFINED_EVENT"),
    ("NOPE", "is not one of"),
])
def test_a_trigger_v2_cannot_carry_is_refused(bridge: Bridge, login: str, trigger: str, problem: str) -> None:
    code, message = fault(bridge.call(
        f"<ns1:CreateSubscription><d:Subscription><d:Endpoint>{ENDPOINT}</d:Endpoint>"
        f"<d:TriggerEvent>{trigger}</d:TriggerEvent></d:Subscription></ns1:CreateSubscription>", login))
    assert code == "BAD_REQUEST" and problem in message and bridge.webhooks(login) == []


def test_email_format_and_private_endpoints_are_refused(bridge: Bridge, login: str) -> None:
    code, message = fault(bridge.call(
        f"<ns1:CreateSubscription><d:Subscription><d:Endpoint>{ENDPOINT}</d:Endpoint><d:NotificationFormat>EMAIL"
        "</d:NotificationFormat><d:TriggerEvent>OUTBOUND_CALL_FINISHED</d:TriggerEvent></d:Subscription>"
        "</ns1:CreateSubscription>", login))
    assert code == "BAD_REQUEST" and "no email" in message
    bridge.app.runtime.settings = dataclasses.replace(bridge.app.runtime.settings, postback_allow_private=0)
    code, message = fault(bridge.call(
        "<ns1:CreateSubscription><d:Subscription><d:Endpoint>http://10.0.0.1/x</d:Endpoint>"
        "<d:TriggerEvent>OUTBOUND_CALL_FINISHED</d:TriggerEvent></d:Subscription></ns1:CreateSubscription>", login))
    assert code == "BAD_REQUEST" and message.startswith("Subscription/Endpoint:") and bridge.webhooks(login) == []


def test_request_id_creates_once(bridge: Bridge, login: str) -> None:
    body = (f"<ns1:CreateSubscription><ns1:RequestId>urn:sub-1</ns1:RequestId><d:Subscription><d:Endpoint>{ENDPOINT}"
            "</d:Endpoint><d:TriggerEvent>OUTBOUND_TEXT_FINISHED</d:TriggerEvent></d:Subscription></ns1:CreateSubscription>")
    ids = {bridge.call(body, login).findtext(".//{http://api.callfire.com/service/xsd}CreatedId") for _ in range(2)}
    assert len(ids) == 1 and len(bridge.webhooks(login)) == 1


def test_a_verified_webhook_becomes_a_valid_callfinished_notification_once(bridge: Bridge, login: str) -> None:
    subscription = create(bridge, login, "OUTBOUND_CALL_FINISHED")
    event = payload("OutboundCall", "Finished", CALL)
    answer = bridge.post_webhook(subscription, event, secret_of(bridge, subscription))
    assert answer.status_code == 200 and answer.json() == {"events": 1, "enqueued": 1}
    assert bridge.post_webhook(subscription, event, secret_of(bridge, subscription)).json()["enqueued"] == 0
    [row] = bridge.outbox()
    assert (row.target, row.content_type, row.source) == (ENDPOINT, "application/xml", f"subscription:{subscription}")
    xmlschema.XMLSchema(str(NOTIFICATION_SCHEMA)).validate(row.body)
    document = etree.fromstring(row.body)
    assert document.tag == "{http://api.callfire.com/notification/xsd}CallFinished"
    assert document.findtext("{http://api.callfire.com/notification/xsd}SubscriptionId") == str(subscription)
    call = document.find("{http://api.callfire.com/data}Call")
    assert call.get("id") == "77" and call.findtext("{http://api.callfire.com/data}FinalResult") == "LA"
    assert call.findtext("{http://api.callfire.com/data}Created") == "2026-11-02T15:00:00+00:00"


@pytest.mark.parametrize("header", [None, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "forged"])
def test_a_forged_or_missing_signature_is_refused_and_nothing_is_delivered(bridge: Bridge, login: str,
                                                                          header: str | None) -> None:
    subscription = create(bridge, login, "OUTBOUND_CALL_FINISHED")
    body = json.dumps(payload("OutboundCall", "Finished", CALL)).encode()
    headers = {} if header is None else {"X-CallFire-Signature": header}
    answer = bridge.soap.client.post(f"/webhooks/v2/{subscription}", content=body, headers=headers)
    assert answer.status_code == (401 if header is None else 403)
    # the right signature for another body: a tampered payload
    tampered = bridge.soap.client.post(
        f"/webhooks/v2/{subscription}", content=body.replace(b"12135550402", b"12135550499"),
        headers={"X-CallFire-Signature": signature(secret_of(bridge, subscription), body)})
    assert tampered.status_code == 403
    assert bridge.outbox() == []


def test_a_secret_this_bridge_cannot_open_verifies_nothing(bridge: Bridge, login: str, tmp_path) -> None:
    """The database copied to a bridge without its key file: the sealed secret opens as nothing, and
    a webhook signed with an empty key (anyone can compute that HMAC) is refused."""
    from bridge.store.sealed import Sealer

    subscription = create(bridge, login, "OUTBOUND_CALL_FINISHED")
    body = json.dumps(payload("OutboundCall", "Finished", CALL)).encode()
    store = bridge.app.runtime.subscriptions
    own = store.sealer
    store.sealer = Sealer(tmp_path / "another.key")
    try:
        answer = bridge.soap.client.post(f"/webhooks/v2/{subscription}", content=body,
                                         headers={"X-CallFire-Signature": signature("", body)})
    finally:
        store.sealer = own
    assert answer.status_code == 403 and bridge.outbox() == []


def test_filter_format_and_enabled_decide_what_is_delivered(bridge: Bridge, login: str) -> None:
    xml = create(bridge, login, "OUTBOUND_CALL_FINISHED",
                 extra="<d:SubscriptionFilter><d:ToNumber>2135550402</d:ToNumber><d:Inbound>false</d:Inbound>"
                       "</d:SubscriptionFilter>")
    json_sub = create(bridge, login, "OUTBOUND_CALL_FINISHED", fmt="JSON",
                      extra="<d:SubscriptionFilter><d:BroadcastId>332</d:BroadcastId></d:SubscriptionFilter>")
    soap = create(bridge, login, "OUTBOUND_CALL_FINISHED", fmt="SOAP")
    create(bridge, login, "OUTBOUND_CALL_FINISHED", extra="<d:SubscriptionFilter><d:BatchId>10</d:BatchId>"
                                                          "</d:SubscriptionFilter>")
    create(bridge, login, "OUTBOUND_CALL_FINISHED", enabled="false")
    create(bridge, login, "OUTBOUND_TEXT_FINISHED")
    answer = bridge.post_webhook(xml, payload("OutboundCall", "Finished", CALL), secret_of(bridge, xml))
    assert answer.json()["enqueued"] == 3
    rows = {row.source: row for row in bridge.outbox()}
    assert set(rows) == {f"subscription:{xml}", f"subscription:{json_sub}", f"subscription:{soap}"}
    as_json = json.loads(rows[f"subscription:{json_sub}"].body)
    assert as_json["CallFinished"]["SubscriptionId"] == str(json_sub)
    assert as_json["CallFinished"]["Call"]["@id"] == "77" and as_json["CallFinished"]["Call"]["ToNumber"]["_"] == "12135550402"
    envelope = etree.fromstring(rows[f"subscription:{soap}"].body)
    assert envelope.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope"
    inner = envelope.find("{*}Body/{http://api.callfire.com/notification/xsd}CallFinished")
    xmlschema.XMLSchema(str(NOTIFICATION_SCHEMA)).validate(etree.tostring(inner))


def test_text_and_broadcast_notifications_are_valid(bridge: Bridge, login: str) -> None:
    sent = create(bridge, login, "OUTBOUND_TEXT_FINISHED")
    finished = create(bridge, login, "CAMPAIGN_FINISHED")
    text = {"id": 12, "fromNumber": "67076", "toNumber": "12135550303", "state": "FINISHED", "campaignId": 610,
            "inbound": False, "created": 1793631600000, "modified": 1793631610000, "finalTextResult": "SENT",
            "message": "Hello", "records": [{"id": 3, "textResult": "SENT", "finishTime": 1793631610000,
                                             "billedAmount": 0.03, "message": "Hello"}]}
    broadcast = bridge.soap.sim_client.get("/v2/texts/broadcasts/610", auth=(login, "secret")).json()
    bridge.post_webhook(sent, payload("OutboundText", "Finished", text), secret_of(bridge, sent))
    bridge.post_webhook(finished, payload("TextBroadcast", "Finished", broadcast), secret_of(bridge, finished))
    schema = xmlschema.XMLSchema(str(NOTIFICATION_SCHEMA))
    bodies = {row.source: etree.fromstring(row.body) for row in bridge.outbox()}
    for document in bodies.values():
        schema.validate(document)
    assert bodies[f"subscription:{sent}"].tag.endswith("}TextSent")
    done = bodies[f"subscription:{finished}"]
    assert done.tag.endswith("}BroadcastFinished")
    assert done.find("{http://api.callfire.com/data}Broadcast").findtext("{http://api.callfire.com/data}Type") == "TEXT"


def test_update_and_delete_keep_the_webhooks_in_step(bridge: Bridge, login: str) -> None:
    subscription = create(bridge, login, "OUTBOUND_CALL_FINISHED")
    bridge.call(f'<ns1:UpdateSubscription><d:Subscription id="{subscription}"><d:Enabled>false</d:Enabled>'
                f"<d:Endpoint>{ENDPOINT}</d:Endpoint><d:TriggerEvent>OUTBOUND_CALL_FINISHED</d:TriggerEvent>"
                "</d:Subscription></ns1:UpdateSubscription>", login)
    [hook] = bridge.webhooks(login)
    assert hook["enabled"] is False
    answer = bridge.post_webhook(subscription, payload("OutboundCall", "Finished", CALL), secret_of(bridge, subscription))
    assert answer.json()["enqueued"] == 0           # disabled: nothing more is delivered
    bridge.call(f'<ns1:UpdateSubscription><d:Subscription id="{subscription}"><d:Endpoint>{ENDPOINT}</d:Endpoint>'
                "<d:TriggerEvent>CAMPAIGN_STOPPED</d:TriggerEvent></d:Subscription></ns1:UpdateSubscription>", login)
    assert [(h["resource"], h["events"], h["enabled"]) for h in bridge.webhooks(login)] == [
        ("CallBroadcast", ["Stopped"], True), ("TextBroadcast", ["Stopped"], True)]
    bridge.call(f"<ns1:DeleteSubscription><ns1:Id>{subscription}</ns1:Id></ns1:DeleteSubscription>", login)
    assert bridge.webhooks(login) == []
    assert fault(bridge.call(f"<ns1:GetSubscription><ns1:Id>{subscription}</ns1:Id></ns1:GetSubscription>", login))[0] \
        == "NOT_FOUND"
    assert bridge.post_webhook(subscription, payload("OutboundCall", "Finished", CALL), "any").status_code == 403


def test_a_content_length_that_is_no_number_is_a_400_not_a_crash() -> None:
    from bridge.postbacks.webhooks import receive

    answered: list[str] = []
    body = receive({"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "lots"}, lambda status, headers: answered.append(status),
                   subscriptions=None, pipeline=None, subscription_id=1)  # neither is reached
    assert answered == ["400 Bad Request"] and b"Content-Length" in b"".join(body)
