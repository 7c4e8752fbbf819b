"""The postback interface shared by every event source (the poller, the webhook receiver) and
every listener (cloud/1 registrations, SubscriptionService subscriptions)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Events that can happen again to one resource (a broadcast started again after a stop): their
# id carries the resource's state-change time, so each occurrence is its own event.
REPEATABLE = {("CallBroadcast", "Started"), ("CallBroadcast", "Stopped"), ("CallBroadcast", "Finished"),
              ("TextBroadcast", "Started"), ("TextBroadcast", "Stopped"), ("TextBroadcast", "Finished")}


@dataclass(frozen=True)
class V2Event:
    event_id: str       # event_id_for(...): stable across sources, so no event is delivered twice
    account: str        # bridge.store.account_key(...) of the v2 account the event belongs to
    resource_type: str  # OutboundCall, OutboundText, InboundCall, InboundText, CallBroadcast, TextBroadcast
    event_type: str     # Finished, Started, Stopped, Received
    resource: dict      # the v2 JSON object (Call, Text, CallBroadcast, ...) as v2 sends it
    timestamp_ms: int


@dataclass(frozen=True)
class Delivery:
    target: str         # the receiver URL (already checked by postUrl safety)
    body: bytes
    content_type: str
    source: str         # "cloud1:<registration id>" or "subscription:<id>", shown in `postbacks list`


Listener = Callable[[V2Event], Iterable[Delivery]]   # what to send for one event (pure given its stored config)


def event_id_for(resource_type: str, event_type: str, resource: dict) -> str:
    """`{resource_type}.{event_type}:{id}`, plus `:{lastModified}` for events that can repeat."""
    event_id = f"{resource_type}.{event_type}:{resource['id']}"
    if (resource_type, event_type) in REPEATABLE:
        event_id += f":{resource.get('lastModified', 0)}"
    return event_id


def make_event(account: str, resource_type: str, event_type: str, resource: dict,
               timestamp_ms: int) -> V2Event:
    return V2Event(event_id_for(resource_type, event_type, resource), account, resource_type, event_type,
                   resource, timestamp_ms)
