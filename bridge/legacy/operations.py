"""The twelve read operations the legacy simulator answers, each from the v1.1 contract alone.

A handler takes the request's fields and answers the response element; unknown ids are
NOT_FOUND faults. Query results are newest first (created, then id, descending), as CallFire
answered v1.1 queries; a contact's history and a broadcast's batches are oldest first (README.md).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lxml import etree

from bridge.contract import SVC
from bridge.legacy import records, values
from bridge.legacy.data import RESULT_FIELDS, LegacyData, newest_first
from bridge.legacy.faults import not_found
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
    """The contact's calls and texts interleaved, oldest first, paged together."""
    paging, contact_id = fields.paging(), fields.long("ContactId", required=True)
    if contact_id not in data.contacts:
        raise not_found("Contact", contact_id)
    mine = [(kind, a) for kind in ("calls", "texts") for a in data.actions(kind).values()
            if a["contact"]["id"] == contact_id]
    mine.sort(key=lambda pair: (pair[1]["created"], pair[1]["id"]))
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
}
