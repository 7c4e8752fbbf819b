"""The v1.1 (2014 contract) element of each kind of seed record, in the XSD's order.

One function per data: element. Values go through bridge.legacy.values (2014 enum values,
instants in the server's zone); v2 fields the 2014 contract has no place for (notes,
agentCall, switchId, callerName, broadcast labels, ...) are not written.
"""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from lxml import etree

from bridge.contract import DATA
from bridge.legacy import values
from bridge.legacy.contract import enumeration
from bridge.legacy.data import RESULT_FIELDS, LegacyData
from bridge.sim.seed import SeedBroadcast

D = f"{{{DATA}}}"
_NCNAME = re.compile(r"[A-Za-z_][\w.-]*")
# VoiceBroadcastConfig's sound slots in XSD order: (v2 prefix in `sounds`, v1.1 prefix).
SOUND_SLOTS = (("live", "Live"), ("machine", "Machine"), ("transfer", "Transfer"), ("dnc", "Dnc"))
NO_RESULT = "UNDIALED"   # the Result of an attempt v2 reports with none (agreed with the bridge)


def sub(parent: etree._Element, name: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, D + name, attrib)
    element.text = text
    return element


def root(namespace: str, name: str, **attrib: str) -> etree._Element:
    """A response's top element (a data: entity, or an svc: result holding data: entities)."""
    nsmap = {None: DATA} if namespace == DATA else {None: namespace, "d": DATA}
    return etree.Element(f"{{{namespace}}}{name}", attrib, nsmap=nsmap)


def node(parent: etree._Element | None, name: str, **attrib: str) -> etree._Element:
    """A data: element inside `parent`, or the response's top element when there is none."""
    return root(DATA, name, **attrib) if parent is None else sub(parent, name, **attrib)


# ---- calls and texts ---------------------------------------------------------------------------
def action(parent: etree._Element | None, kind: str, item: dict, zone: ZoneInfo) -> etree._Element:
    """A data:Call or data:Text (`kind`: "calls" or "texts")."""
    element = node(parent, "Call" if kind == "calls" else "Text", id=str(item["id"]))
    sub(element, "FromNumber", item["fromNumber"])
    sub(element, "ToNumber", item["toNumber"], **recipient_attributes(item))
    sub(element, "State", values.state(item))
    for v11, v2 in (("BatchId", "batchId"), ("BroadcastId", "campaignId")):
        if v2 in item:
            sub(element, v11, str(item[v2]))
    sub(element, "ContactId", str(item["contact"]["id"]))
    sub(element, "Inbound", "true" if item["inbound"] else "false")
    sub(element, "Created", values.instant(item["created"], zone))
    sub(element, "Modified", values.instant(item["modified"], zone))
    final = values.final_result(item, RESULT_FIELDS[kind])
    if final is not None:
        sub(element, "FinalResult", final)
    for label in item.get("labels", ()):
        sub(sub(element, "Label"), "Name", label)
    if kind == "texts" and "message" in item:
        sub(element, "Message", item["message"])
    for record in written_records(item):
        (call_record if kind == "calls" else text_record)(element, record, zone)
    return element


def recipient_attributes(item: dict) -> dict[str, str]:
    """The recipient's attributes ride on ToNumber, as v1.1 sent them (ClientData and any other)."""
    return {k: str(v) for k, v in item.get("attributes", {}).items() if _NCNAME.fullmatch(k)}


def written_records(item: dict) -> list[dict]:
    """The attempts a v1.1 answer lists, newest first (as CallFire's own v1.1 samples order them).

    An attempt v2 reports with no result (a TIMEOUT call's: only its originateTime) is written
    as the bridge writes it (agreed with the bridge): Result UNDIALED, FinishTime its
    originateTime. One with neither time has no FinishTime, required in an ActionRecord: left out.
    """
    done = [r for r in item.get("records", ()) if finish_time(r) is not None]
    return sorted(done, key=lambda r: (finish_time(r), r["id"]), reverse=True)


def finish_time(record: dict) -> int | None:
    return record.get("finishTime", record.get("originateTime"))


def record_result(record: dict) -> str:
    raw = record.get("result") or record.get("textResult")
    return NO_RESULT if raw is None else values.result(raw)


def _action_record(parent: etree._Element, name: str, record: dict, zone: ZoneInfo) -> etree._Element:
    element = sub(parent, name, id=str(record["id"]))
    sub(element, "Result", record_result(record))
    sub(element, "FinishTime", values.instant(finish_time(record), zone))
    sub(element, "BilledAmount", values.number(float(record.get("billedAmount", 0.0))))
    for pair in record.get("questionResponses", ()):
        response = sub(element, "QuestionResponse")
        sub(response, "Question", pair["question"])
        sub(response, "Response", pair["response"])
    return element


def call_record(parent: etree._Element, record: dict, zone: ZoneInfo) -> None:
    element = _action_record(parent, "CallRecord", record, zone)
    for v11, v2 in (("OriginateTime", "originateTime"), ("AnswerTime", "answerTime")):
        if v2 in record:
            sub(element, v11, values.instant(record[v2], zone))
    sub(element, "Duration", str(record.get("duration", 0)))
    for recording in record.get("recordings", ()):
        meta = sub(element, "RecordingMeta", id=str(recording["id"]))
        sub(meta, "Name", recording["name"])
        sub(meta, "Created", values.instant(recording["created"], zone))
        if "lengthInSeconds" in recording:
            sub(meta, "LengthInSeconds", str(recording["lengthInSeconds"]))
        if "mp3Url" in recording:
            sub(meta, "Link", recording["mp3Url"])


def text_record(parent: etree._Element, record: dict, zone: ZoneInfo) -> None:
    element = _action_record(parent, "TextRecord", record, zone)
    sub(element, "Message", record.get("message", ""))


# ---- auto-replies and sounds ---------------------------------------------------------------------
def auto_reply(parent: etree._Element | None, item: dict) -> etree._Element:
    """A data:AutoReply: the number it answers for, its keyword (when it has one), match, message."""
    element = node(parent, "AutoReply", id=str(item["id"]))
    sub(element, "Number", item["number"])
    if "keyword" in item:
        sub(element, "Keyword", item["keyword"])
    sub(element, "Match", item["match"])
    sub(element, "Message", item["message"])
    return element


def sound_meta(parent: etree._Element | None, sound: dict, zone: ZoneInfo) -> etree._Element:
    """A data:SoundMeta: a library sound's status, name, creation and length (no audio)."""
    element = node(parent, "SoundMeta", id=str(sound["id"]))
    sub(element, "Status", values.checked(sound["status"], "SoundStatus"))
    sub(element, "Name", sound["name"])
    sub(element, "Created", values.instant(sound["created"], zone))
    if "lengthInSeconds" in sound:
        sub(element, "LengthInSeconds", str(sound["lengthInSeconds"]))
    return element


# ---- broadcasts ---------------------------------------------------------------------------------
def broadcast_type(broadcast: SeedBroadcast) -> str:
    if broadcast.kind == "texts":
        return "TEXT"
    return "IVR" if "dialplanXml" in broadcast.wire else "VOICE"


def broadcast(parent: etree._Element | None, item: SeedBroadcast, zone: ZoneInfo) -> etree._Element:
    """A data:Broadcast: its settings in the config element its Type names."""
    wire = item.wire
    element = node(parent, "Broadcast", id=str(wire["id"]))
    sub(element, "Name", wire["name"])
    sub(element, "Status", values.checked(wire["status"], "BroadcastStatus"))
    sub(element, "LastModified", values.instant(wire["lastModified"], zone))
    kind = broadcast_type(item)
    sub(element, "Type", kind)
    config = sub(element, {"VOICE": "VoiceBroadcastConfig", "IVR": "IvrBroadcastConfig",
                           "TEXT": "TextBroadcastConfig"}[kind])
    sub(config, "Created", values.instant(item.created, zone))
    if "fromNumber" in wire:
        sub(config, "FromNumber", wire["fromNumber"])
    restriction = wire.get("localTimeRestriction")
    if restriction and restriction.get("enabled", True):
        window = sub(config, "LocalTimeZoneRestriction")
        sub(window, "BeginTime", values.time_of_day(restriction["beginHour"], restriction["beginMinute"]))
        sub(window, "EndTime", values.time_of_day(restriction["endHour"], restriction["endMinute"]))
    if "retryConfig" in wire:
        retry_config(config, wire["retryConfig"])
    if kind == "VOICE":
        voice_settings(config, wire)
    elif kind == "IVR":
        sub(config, "DialplanXml", wire["dialplanXml"])
    else:
        sub(config, "Message", wire.get("message", ""))
        if "bigMessageStrategy" in wire:
            sub(config, "BigMessageStrategy", values.checked(wire["bigMessageStrategy"], "BigMessageStrategy"))
    return element


def retry_config(parent: etree._Element, retry: dict) -> None:
    element = sub(parent, "RetryConfig")
    if "maxAttempts" in retry:
        sub(element, "MaxAttempts", str(retry["maxAttempts"]))
    if "minutesBetweenAttempts" in retry:
        sub(element, "MinutesBetweenAttempts", str(retry["minutesBetweenAttempts"]))
    sub(element, "RetryResults", " ".join(values.result(r) for r in retry.get("retryResults", ())))
    if retry.get("retryPhoneTypes"):
        sub(element, "RetryPhoneTypes",
            " ".join(values.checked(t, "RetryPhoneType") for t in retry["retryPhoneTypes"]))


def voice_settings(config: etree._Element, wire: dict) -> None:
    """VoiceBroadcastConfig's own children: machine detection, then each sound slot in order."""
    if "answeringMachineConfig" in wire:
        sub(config, "AnsweringMachineConfig",
            values.checked(wire["answeringMachineConfig"], "AnsweringMachineConfig"))
    sounds = wire.get("sounds", {})
    for v2, v11 in SOUND_SLOTS:
        if f"{v2}SoundText" in sounds:
            sub(config, f"{v11}SoundText", sounds[f"{v2}SoundText"])
        elif f"{v2}SoundId" in sounds:
            sub(config, f"{v11}SoundId", str(sounds[f"{v2}SoundId"]))
        if f"{v2}SoundTextVoice" in sounds:
            sub(config, f"{v11}SoundTextVoice", values.checked(sounds[f"{v2}SoundTextVoice"], "Voice"))
        if v2 == "transfer":
            for key, name in (("transferDigit", "TransferDigit"), ("transferNumber", "TransferNumber")):
                if key in sounds:
                    sub(config, name, sounds[key])
        if v2 == "dnc" and "dncDigit" in sounds:
            sub(config, "DncDigit", sounds["dncDigit"])
    if "maxActiveTransfers" in wire:
        sub(config, "MaxActiveTransfers", str(wire["maxActiveTransfers"]))


# ---- batches, schedules, statistics -------------------------------------------------------------
def contact_batch(parent: etree._Element | None, batch: dict, data: LegacyData,
                  zone: ZoneInfo) -> etree._Element:
    """A data:ContactBatch. Remaining: its actions still waiting to be dialed (READY in v1.1)."""
    element = node(parent, "ContactBatch", id=str(batch["id"]))
    actions = data.of_batch(batch)
    states = [values.state(a) for a in actions]
    sub(element, "Name", batch["name"])
    # Validation found bad numbers: ERRORS; a batch all of whose numbers validated: ACTIVE.
    sub(element, "Status", "ERRORS" if "INVALID" in states else "ACTIVE")
    sub(element, "BroadcastId", str(batch["broadcastId"]))
    sub(element, "Created", values.instant(batch["created"], zone))
    sub(element, "Size", str(len(actions)))
    sub(element, "Remaining", str(states.count("READY")))
    return element


def broadcast_schedule(parent: etree._Element | None, schedule_id: int, wire: dict) -> etree._Element:
    """A data:BroadcastSchedule: times of day and dates as the broadcast's zone reads them."""
    element = node(parent, "BroadcastSchedule", id=str(schedule_id))
    for v11, v2 in (("StartTimeOfDay", "startTimeOfDay"), ("StopTimeOfDay", "stopTimeOfDay")):
        clock = wire[v2]
        sub(element, v11, values.time_of_day(clock["hour"], clock["minute"], clock.get("second", 0)))
    sub(element, "TimeZone", wire["timeZone"])
    for v11, v2 in (("BeginDate", "startDate"), ("EndDate", "stopDate")):
        if v2 in wire:
            date = wire[v2]
            sub(element, v11, f"{date['year']:04d}-{date['month']:02d}-{date['day']:02d}")
    sub(element, "DaysOfWeek", " ".join(values.checked(d, "DayOfWeek") for d in wire["daysOfWeek"]))
    return element


def broadcast_stats(actions: list[dict], kind: str) -> etree._Element:
    """A data:BroadcastStats of `actions` (a broadcast's, maybe those of a time window).

    An attempt is a written CallRecord/TextRecord other than UNDIALED (nothing was dialed or
    sent); an action is placed once it has an attempt. ResultStat, per 2014 Result that occurs:
    the attempts ending so, and the actions whose FinalResult it is. ActionStatistics: actions
    waiting with no attempt yet, waiting for a retry, and done (any state but READY, SELECTED).
    """
    element = root(DATA, "BroadcastStats")
    tried = {a["id"]: [r for r in written_records(a) if record_result(r) != "UNDIALED"] for a in actions}
    attempts = [r for records in tried.values() for r in records]
    usage = sub(element, "UsageStats")
    sub(usage, "Duration", str(sum(r.get("duration", 0) for r in attempts)))
    sub(usage, "BilledDuration", str(sum(r.get("duration", 0) for r in attempts
                                          if r.get("billedAmount", 0.0) > 0)))
    sub(usage, "BilledAmount", values.number(round(sum((r.get("billedAmount", 0.0) for r in attempts), 0.0), 4)))
    sub(usage, "Attempts", str(len(attempts)))
    sub(usage, "Actions", str(sum(bool(records) for records in tried.values())))
    by_attempt = [record_result(r) for r in attempts]
    by_action = [values.final_result(a, RESULT_FIELDS[kind]) for a in actions]
    for result in enumeration("Result"):
        if result in by_attempt or result in by_action:
            stat = sub(element, "ResultStat")
            sub(stat, "Result", result)
            sub(stat, "Attempts", str(by_attempt.count(result)))
            sub(stat, "Actions", str(by_action.count(result)))
    waiting = [a for a in actions if values.state(a) == "READY"]
    progress = sub(element, "ActionStatistics")
    sub(progress, "Unattempted", str(sum(not tried[a["id"]] for a in waiting)))
    sub(progress, "RetryWait", str(sum(bool(tried[a["id"]]) for a in waiting)))
    sub(progress, "Finished", str(sum(values.state(a) not in ("READY", "SELECTED") for a in actions)))
    return element


# ---- contacts and contact lists ------------------------------------------------------------------
# data:Contact's own attributes, by the seed's field names (the same words in v1.1 and v2).
CONTACT_ATTRIBUTES = ("firstName", "lastName", "zipcode", "homePhone", "workPhone", "mobilePhone",
                      "externalId", "externalSystem")


def contact(parent: etree._Element | None, item: dict) -> etree._Element:
    """A data:Contact: attributes only; custom fields as further attributes (its xs:anyAttribute)."""
    attributes = {"id": str(item["id"]), **{name: item[name] for name in CONTACT_ATTRIBUTES if name in item},
                  **{name: str(value) for name, value in item.get("properties", {}).items()}}
    return node(parent, "Contact", **attributes)


def contact_list(parent: etree._Element | None, item: dict, zone: ZoneInfo) -> etree._Element:
    element = node(parent, "ContactList", id=str(item["id"]))
    sub(element, "Name", item["name"])
    sub(element, "Size", str(len(item["members"])))
    sub(element, "Created", values.instant(item["created"], zone))
    sub(element, "Status", "ACTIVE")
    return element
