"""SubscriptionService notifications: the listener that turns a v2 event into the v1.1 notification
(callfire-notification.xsd) for each of the account's enabled subscriptions it matches, in the
subscription's NotificationFormat. The tables are the `payloads` of mappings/subscription.yaml; the
data element is written with the entity tables and the XSD writer of the SOAP answers."""
from __future__ import annotations

import json
import re
from typing import Any

from bridge.contract import DATA
from bridge.mappings import load
from bridge.postbacks.events import Delivery, V2Event
from bridge.store.subscriptions import Subscription, SubscriptionStore
from bridge.soap.writer import write_element
from bridge.translate.engine import entity_writer
from bridge.translate.convert import Conversions

NOTIFICATION_NS = "http://api.callfire.com/notification/xsd"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
# (v2 resource, event) -> the notification element (a table of mappings/subscription.yaml `payloads`)
NOTIFICATIONS = {
    ("OutboundCall", "Finished"): "CallFinished", ("InboundCall", "Finished"): "CallFinished",
    ("OutboundText", "Finished"): "TextSent", ("InboundText", "Finished"): "TextReceived",
    ("InboundText", "Received"): "TextReceived",
    **{(resource, event): f"Broadcast{event}" for resource in ("CallBroadcast", "TextBroadcast")
       for event in ("Started", "Stopped", "Finished")},
}
BROADCASTS = ("CallBroadcast", "TextBroadcast")


class SubscriptionListener:
    """The deliveries of one event for the account's enabled subscriptions (Listener)."""

    def __init__(self, store: SubscriptionStore, conv: Conversions) -> None:
        self.store = store
        self.conv = conv

    def __call__(self, event: V2Event) -> list[Delivery]:
        element = NOTIFICATIONS.get((event.resource_type, event.event_type))
        if element is None:
            return []
        deliveries = []
        for subscription in self.store.listening(event.account):
            if _triggered_by(subscription, event) and filter_matches(subscription.filter, event):
                body = render(element, subscription.id, event, subscription.format, self.conv)
                deliveries.append(Delivery(subscription.endpoint, body, subscription.format,
                                           f"subscription:{subscription.id}"))
        return deliveries


def _triggered_by(subscription: Subscription, event: V2Event) -> bool:
    # InboundText events are "Finished" by the webhook's name and "Received" in some payloads.
    return any(resource == event.resource_type and (event_type == event.event_type or resource == "InboundText")
               for resource, event_type in subscription.resources)


def _digits(number: Any) -> str:
    """A number compared by its digits, a 10-digit NANP number as 11 (v2 writes 11)."""
    digits = re.sub(r"\D", "", str(number or ""))
    return "1" + digits if len(digits) == 10 else digits


def filter_matches(wanted: dict, event: V2Event) -> bool:
    """SubscriptionFilter (the rows of mappings/subscription.yaml say what each field matches)."""
    resource, broadcast = event.resource, event.resource_type in BROADCASTS
    checks = {
        "broadcastId": lambda v: (resource.get("id") if broadcast else resource.get("campaignId")) == v,
        "batchId": lambda v: not broadcast and resource.get("batchId") == v,
        "fromNumber": lambda v: _digits(resource.get("fromNumber")) == _digits(v),
        "toNumber": lambda v: not broadcast and _digits(resource.get("toNumber")) == _digits(v),
        "inbound": lambda v: bool(resource.get("inbound", False)) is v,
    }
    return all(checks[name](value) for name, value in wanted.items())


def notification(element: str, subscription_id: int, event: V2Event, conv: Conversions) -> tuple[str, dict]:
    """(the data child's name, the notification as an element dict) from the table `element`."""
    value: dict[str, Any] = {}
    child = ""
    for row in load().postbacks[element]["fields"]:
        if row["v1"] == "SubscriptionId":
            value["SubscriptionId"] = str(subscription_id)
        else:
            child = row["v1"]
            table = row.get("entity_for", {}).get(event.resource_type, row["entity"])
            value[child] = entity_writer(table)(event.resource, conv)
    return child, value


def render(element: str, subscription_id: int, event: V2Event, content_type: str, conv: Conversions) -> bytes:
    """The notification in the format a subscription's NotificationFormat maps to (its Content-Type)."""
    child, value = notification(element, subscription_id, event, conv)
    if content_type == "application/json":
        return json.dumps({element: value}).encode()
    xml = (f'<n:{element} xmlns:n="{NOTIFICATION_NS}"><n:SubscriptionId>{value["SubscriptionId"]}</n:SubscriptionId>'
           .encode() + write_element(DATA, child, value[child], conv.contract) + f"</n:{element}>".encode())
    if content_type == "application/soap+xml":
        return (f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP12_NS}"><soap:Body>'
                .encode() + xml + b"</soap:Body></soap:Envelope>")
    return b'<?xml version="1.0" encoding="UTF-8"?>' + xml
