"""The read operations the legacy simulator answers, each from the v1.1 contract alone.

A handler takes the request's fields and answers the response element; unknown ids are
NOT_FOUND faults. Query results and a contact's history are newest first (created, then id,
descending), as CallFire answered v1.1 queries; a broadcast's batches and the auto-replies
(which have no creation time) are oldest first (README.md).
"""
from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lxml import etree

from bridge.contract import SVC
from bridge.legacy import audio, records, values
from bridge.legacy.data import RESULT_FIELDS, LegacyData, newest_first
from bridge.legacy.faults import LegacyFault, bad_request, not_found
from bridge.legacy.numbers import NUMBER_OPERATIONS
from bridge.legacy.request import RequestFields
from bridge.sim.seed import SeedBroadcast

Handler = Callable[[RequestFields, LegacyData, ZoneInfo], etree._Element]


@dataclass(frozen=True)
class ActionFilter:
    """ActionQuery's filters, applied to the v1.1 view of each call or text."""

    broadcast_id: int | None
    batch_id: int | None
    states: frozenset[str]
    results: frozenset[str]
    inbound: bool | None
    begin_us: int | None            # IntervalBegin/End: on Created, both ends included
    end_us: int | None
    from_number: str | None
    to_numbers: frozenset[str]      # ToNumber: one number in the WSDL, a list in CallFire's docs
    label: str | None

    @classmethod
    def read(cls, fields: RequestFields) -> ActionFilter:
        return cls(broadcast_id=fields.long("BroadcastId"), batch_id=fields.long("BatchId"),
                   states=fields.enum_list("State", "ActionState"),
                   results=fields.enum_list("Result", "Result"), inbound=fields.boolean("Inbound"),
                   begin_us=fields.instant_us("IntervalBegin"), end_us=fields.instant_us("IntervalEnd"),
                   from_number=fields.phone("FromNumber"), to_numbers=fields.phones("ToNumber"),
                   label=fields.string("LabelName"))

    def matches(self, action: dict, result_field: str) -> bool:
        created_us = action["created"] * 1000
        checks = (
            (self.broadcast_id, lambda v: action.get("campaignId") == v),
            (self.batch_id, lambda v: action.get("batchId") == v),
            (self.states or None, lambda v: values.state(action) in v),
            (self.results or None, lambda v: values.final_result(action, result_field) in v),
            (self.inbound, lambda v: action["inbound"] is v),
            (self.begin_us, lambda v: created_us >= v),
            (self.end_us, lambda v: created_us <= v),
            (self.from_number, lambda v: action["fromNumber"] == v),
            (self.to_numbers or None, lambda v: action["toNumber"] in v),
            (self.label, lambda v: v in action.get("labels", ())),
        )
        return all(wanted is None or test(wanted) for wanted, test in checks)


def _query_actions(kind: str, result_name: str) -> Handler:
    def query(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
        paging, wanted = fields.paging(), ActionFilter.read(fields)
        found = [a for a in newest_first(list(data.actions(kind).values()))
                 if wanted.matches(a, RESULT_FIELDS[kind])]
        answer = _result(result_name, len(found))
        for item in paging.window(found):
            records.action(answer, kind, item, zone)
        return answer
    return query


def _get_action(kind: str, entity: str) -> Handler:
    def get(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
        action_id = fields.long("Id", required=True)
        if action_id not in data.actions(kind):
            raise not_found(entity, action_id)
        return records.action(None, kind, data.actions(kind)[action_id], zone)
    return get


def get_contact_history(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """The contact's calls and texts interleaved, newest first, paged together."""
    paging, contact_id = fields.paging(), fields.long("ContactId", required=True)
    if contact_id not in data.contacts:
        raise not_found("Contact", contact_id)
    mine = [(kind, a) for kind in ("calls", "texts") for a in data.actions(kind).values()
            if a["contact"]["id"] == contact_id]
    mine.sort(key=lambda pair: (pair[1]["created"], pair[1]["id"]), reverse=True)
    answer = records.root(records.DATA, "ContactHistory")
    for kind, item in paging.window(mine):
        records.action(answer, kind, item, zone)
    return answer


def query_broadcasts(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    paging = fields.paging()
    types = fields.enum_list("Type", "BroadcastType")
    running, label = fields.boolean("Running"), fields.string("LabelName")
    found = [b for b in sorted(data.broadcasts.values(), key=lambda b: (b.created, b.wire["id"]),
                               reverse=True)
             if (not types or records.broadcast_type(b) in types)
             and (running is None or (b.wire["status"] == "RUNNING") is running)
             and (label is None or label in b.wire.get("labels", ()))]
    answer = _result("BroadcastQueryResult", len(found))
    for item in paging.window(found):
        records.broadcast(answer, item, zone)
    return answer


def get_broadcast(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    return records.broadcast(None, _broadcast(fields, data, "Id"), zone)


def get_broadcast_stats(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """Statistics of the broadcast's actions created in [IntervalBegin, IntervalEnd]."""
    broadcast = _broadcast(fields, data, "Id")
    begin, end = fields.instant_us("IntervalBegin"), fields.instant_us("IntervalEnd")
    actions = [a for a in data.of_broadcast(broadcast)
               if (begin is None or a["created"] * 1000 >= begin)
               and (end is None or a["created"] * 1000 <= end)]
    return records.broadcast_stats(actions, broadcast.kind)


def query_contact_batches(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """A broadcast's batches, oldest first (the order CallFire's own batch listings have)."""
    paging, broadcast = fields.paging(), _broadcast(fields, data, "BroadcastId")
    found = sorted((b for b in data.batches.values() if b["broadcastId"] == broadcast.wire["id"]),
                   key=lambda b: (b["created"], b["id"]))
    answer = _result("ContactBatchQueryResult", len(found))
    for batch in paging.window(found):
        records.contact_batch(answer, batch, data, zone)
    return answer


def get_contact_batch(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    batch_id = fields.long("Id", required=True)
    if batch_id not in data.batches:
        raise not_found("ContactBatch", batch_id)
    return records.contact_batch(None, data.batches[batch_id], data, zone)


def query_broadcast_schedules(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    paging, broadcast = fields.paging(), _broadcast(fields, data, "BroadcastId")
    found = sorted(i for i, s in data.schedules.items() if s.broadcast_id == broadcast.wire["id"])
    answer = _result("BroadcastScheduleQueryResult", len(found))
    for schedule_id in paging.window(found):
        records.broadcast_schedule(answer, schedule_id, data.schedules[schedule_id].wire)
    return answer


def get_broadcast_schedule(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    schedule_id = fields.long("Id", required=True)
    if schedule_id not in data.schedules:
        raise not_found("BroadcastSchedule", schedule_id)
    return records.broadcast_schedule(None, schedule_id, data.schedules[schedule_id].wire)


def query_auto_replies(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """The account's auto-replies, of one Number when it is given, in the order they were made."""
    paging, number = fields.paging(), fields.phone("Number")
    found = [r for _, r in sorted(data.auto_replies.items()) if number is None or r["number"] == number]
    answer = _result("AutoReplyQueryResult", len(found))
    for item in paging.window(found):
        records.auto_reply(answer, item)
    return answer


def get_auto_reply(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    return records.auto_reply(None, _by_id(data.auto_replies, fields.long("Id", required=True), "AutoReply"))


def query_sound_meta(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """The account's sound library, newest first."""
    paging = fields.paging()
    found = sorted(data.sounds.values(), key=lambda s: (s["created"], s["id"]), reverse=True)
    answer = _result("SoundMetaQueryResult", len(found))
    for sound in paging.window(found):
        records.sound_meta(answer, sound, zone)
    return answer


def get_sound_meta(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    return records.sound_meta(None, _by_id(data.sounds, fields.long("Id", required=True), "Sound"), zone)


def get_sound_data(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """svc:SoundData: the sound's bytes in Format (MP3 by default), as xs:base64Binary."""
    sound = _by_id(data.sounds, fields.long("Id", required=True), "Sound")
    return _binary("SoundData", audio.sound_bytes(sound, fields.enum("Format", "SoundFormat", "MP3")))


def get_recording_data(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """svc:RecordingData: a call recording by RecordingId, or by CallId and its Name in the IVR
    (the xs:choice: one or the other), in Format (MP3 by default)."""
    recording_id, call_id, name = fields.long("RecordingId"), fields.long("CallId"), fields.string("Name")
    if recording_id is not None and (call_id, name) != (None, None):
        raise bad_request("RecordingId, or CallId and Name: not both")
    if recording_id is not None:
        recording = _by_id(data.recordings, recording_id, "Recording")
    elif call_id is None or name is None:
        raise bad_request("GetRecordingData takes RecordingId, or CallId and Name")
    else:
        call = _by_id(data.calls, call_id, "Call")
        recording = next((r for record in call.get("records", ()) for r in record.get("recordings", ())
                          if r["name"] == name), None)
        if recording is None:
            raise LegacyFault("NOT_FOUND", f"Call {call_id} has no recording named {name!r}")
    return _binary("RecordingData", audio.recording_bytes(recording, fields.enum("Format", "SoundFormat", "MP3")))


def query_labels(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """The account's labels: those its broadcasts and numbers carry, each once, by name."""
    paging = fields.paging()
    holders = [*(b.wire for b in data.broadcasts.values()), *data.numbers.values()]
    found = sorted({label for holder in holders for label in holder.get("labels", ())})
    answer = _result("LabelQueryResult", len(found))
    for label in paging.window(found):
        records.sub(records.sub(answer, "Label"), "Name", label)
    return answer
# SubscriptionService: subscriptions were made through the API, never seeded, so an account starts
# with none (the bridge's, on its own store, likewise).
def query_subscriptions(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    fields.paging()   # checked as every query's
    return _result("SubscriptionQueryResult", 0)


def get_subscription(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    raise not_found("Subscription", fields.long("Id", required=True))
def query_contacts(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """Contacts by id; ContactListId keeps a list's members, Field with String the contacts whose
    Field contains String (a custom field too), Field alone those that have it."""
    paging, list_id = fields.paging(), fields.long("ContactListId")
    field, wanted = fields.string("Field"), fields.string("String")
    members = set(_by_id(data.contact_lists, list_id, "ContactList")["members"]) if list_id is not None else None

    def matches(item: dict) -> bool:
        own = {**item.get("properties", {}), **{k: item[k] for k in records.CONTACT_ATTRIBUTES if k in item}}
        if field is None:
            return wanted is None or any(wanted in str(v) for v in own.values())
        return field in own and (wanted is None or wanted in str(own[field]))

    found = [c for _, c in sorted(data.contacts.items()) if (members is None or c["id"] in members) and matches(c)]
    answer = _result("ContactQueryResult", len(found))
    for item in paging.window(found):
        records.contact(answer, item)
    return answer


def get_contact(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    return records.contact(None, _by_id(data.contacts, fields.long("Id", required=True), "Contact"))


def query_contact_lists(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """The account's contact lists, newest first."""
    paging = fields.paging()
    found = sorted(data.contact_lists.values(), key=lambda c: (c["created"], c["id"]), reverse=True)
    answer = _result("ContactListQueryResult", len(found))
    for item in paging.window(found):
        records.contact_list(answer, item, zone)
    return answer


def get_contact_list(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    return records.contact_list(None, _by_id(data.contact_lists, fields.long("Id", required=True), "ContactList"), zone)


def _by_id(items: dict[int, dict], item_id: int, entity: str) -> dict:
    if item_id not in items:
        raise not_found(entity, item_id)
    return items[item_id]


def _binary(name: str, content: bytes) -> etree._Element:
    """An svc: xs:base64Binary answer (SoundData, RecordingData)."""
    answer = records.root(SVC, name)
    answer.text = base64.b64encode(content).decode("ascii")
    return answer


def _broadcast(fields: RequestFields, data: LegacyData, name: str) -> SeedBroadcast:
    broadcast_id = fields.long(name, required=True)
    if broadcast_id not in data.broadcasts:
        raise not_found("Broadcast", broadcast_id)
    return data.broadcasts[broadcast_id]


def _result(name: str, total: int) -> etree._Element:
    """An svc:*QueryResult: TotalResults counts every match, not just this page."""
    answer = records.root(SVC, name)
    etree.SubElement(answer, f"{{{SVC}}}TotalResults").text = str(total)
    return answer


OPERATIONS: dict[str, Handler] = {
    "QueryCalls": _query_actions("calls", "CallQueryResult"),
    "GetCall": _get_action("calls", "Call"),
    "GetContactHistory": get_contact_history,
    "QueryBroadcasts": query_broadcasts,
    "GetBroadcast": get_broadcast,
    "GetBroadcastStats": get_broadcast_stats,
    "QueryContactBatches": query_contact_batches,
    "GetContactBatch": get_contact_batch,
    "QueryBroadcastSchedule": query_broadcast_schedules,
    "GetBroadcastSchedule": get_broadcast_schedule,
    "QueryTexts": _query_actions("texts", "TextQueryResult"),
    "GetText": _get_action("texts", "Text"),
    "QueryAutoReplies": query_auto_replies,
    "GetAutoReply": get_auto_reply,
    "QuerySoundMeta": query_sound_meta,
    "GetSoundMeta": get_sound_meta,
    "GetSoundData": get_sound_data,
    "GetRecordingData": get_recording_data,
    "QueryLabels": query_labels,
    **NUMBER_OPERATIONS,      # NumberService (bridge/legacy/numbers.py)
    "QuerySubscriptions": query_subscriptions,
    "GetSubscription": get_subscription,
    "QueryContacts": query_contacts,
    "GetContact": get_contact,
    "QueryContactLists": query_contact_lists,
    "GetContactList": get_contact_list,
}
