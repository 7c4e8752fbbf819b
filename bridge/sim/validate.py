"""Request-body checks of the broadcast and batch endpoints, after the 2020 Swagger definitions.

A shape is "integer" | "string" | "boolean" | a tuple of allowed strings (an enum) | a one-item
list (array of that shape) | a dict of field -> shape (an object; the key "*" makes it a map).
Unknown fields are rejected so that a misspelt field in the bridge fails loudly here.
"""
from __future__ import annotations

import datetime
import xml.etree.ElementTree as ElementTree
import zoneinfo
from collections.abc import Callable, Container

from bridge.sim.errors import bad_request
from bridge.sim.vocab import (AM_CONFIGS, BATCH_STATUSES, BIG_MESSAGE_STRATEGIES,
                              BROADCAST_STATUSES, DAYS_OF_WEEK, RETRY_PHONE_TYPES, RETRY_RESULTS,
                              VOICES, nanp_e164, sms_sender)

INT, STR, BOOL = "integer", "string", "boolean"
LOCAL_DATE = {"day": INT, "month": INT, "year": INT}
LOCAL_TIME = {"hour": INT, "minute": INT, "nano": INT, "second": INT}
MEDIA = {"accountId": INT, "created": INT, "id": INT, "lengthInBytes": INT, "mediaType": STR,
         "name": STR, "publicUrl": STR}
SHAPES: dict[str, dict] = {
    "Recipient": {"attributes": {"*": STR}, "contactId": INT, "fromNumber": STR,
                  "phoneNumber": STR},
    "TextRecipient": {"attributes": {"*": STR}, "contactId": INT, "fromNumber": STR,
                      "media": [MEDIA], "message": STR, "phoneNumber": STR},
    "Media": MEDIA,
    "LocalTimeRestriction": {"beginHour": INT, "beginMinute": INT, "enabled": BOOL,
                             "endHour": INT, "endMinute": INT},
    "RetryConfig": {"maxAttempts": INT, "minutesBetweenAttempts": INT,
                    "retryPhoneTypes": [RETRY_PHONE_TYPES], "retryResults": [RETRY_RESULTS]},
    "Schedule": {"campaignId": INT, "daysOfWeek": [DAYS_OF_WEEK], "id": INT,
                 "startDate": LOCAL_DATE, "startTimeOfDay": LOCAL_TIME, "stopDate": LOCAL_DATE,
                 "stopTimeOfDay": LOCAL_TIME, "timeZone": STR},
    "CallBroadcastSounds": {
        **{f"{kind}Sound{part}": shape for kind in ("live", "machine", "transfer", "dnc")
           for part, shape in (("Id", INT), ("Text", STR), ("TextVoice", VOICES))},
        "dncDigit": STR, "transferDigit": STR, "transferNumber": STR},
    "Batch": {"broadcastId": INT, "created": INT, "enabled": BOOL, "id": INT, "name": STR,
              "remaining": INT, "size": INT, "status": BATCH_STATUSES},
}
SHAPES["TextAutoReply"] = {"id": INT, "keyword": STR, "match": STR, "message": STR, "number": STR}
SHAPES["BatchRequest"] = {"contactListId": INT, "name": STR,
                          "recipients": [SHAPES["Recipient"]], "scrubDuplicates": BOOL}
_COMMON = {"fromNumber": STR, "id": INT, "labels": [STR], "lastModified": INT,
           "localTimeRestriction": SHAPES["LocalTimeRestriction"], "maxActive": INT,
           "name": STR, "resumeNextDay": BOOL, "schedules": [SHAPES["Schedule"]],
           "status": BROADCAST_STATUSES}
SHAPES["CallBroadcast"] = {
    **_COMMON, "answeringMachineConfig": AM_CONFIGS, "dialplanXml": STR,
    "maxActiveTransfers": INT, "recipients": [SHAPES["Recipient"]],
    "retryConfig": SHAPES["RetryConfig"], "sounds": SHAPES["CallBroadcastSounds"],
}
SHAPES["TextBroadcast"] = {
    **_COMMON, "bigMessageStrategy": BIG_MESSAGE_STRATEGIES, "media": [MEDIA], "message": STR,
    "recipients": [SHAPES["TextRecipient"]],
}
# The body of POST /{calls|texts}/broadcasts/{id}/recipients, per kind.
RECIPIENT_SHAPES = {"calls": "Recipient", "texts": "TextRecipient"}
SOUND_ID_FIELDS = ("liveSoundId", "machineSoundId", "transferSoundId", "dncSoundId")
_PYTHON_TYPES = {INT: int, STR: str, BOOL: bool}


def check_shape(value: object, shape: object, path: str) -> None:
    """Raise a 400 naming `path` if `value` does not fit `shape`."""
    if isinstance(shape, tuple):
        if value not in shape:
            raise bad_request(f"{path}: {value!r} is not one of {', '.join(shape)}")
    elif isinstance(shape, list):
        if not isinstance(value, list):
            raise bad_request(f"{path}: expected an array")
        for i, item in enumerate(value):
            check_shape(item, shape[0], f"{path}[{i}]")
    elif isinstance(shape, dict):
        if not isinstance(value, dict):
            raise bad_request(f"{path}: expected an object")
        for key, item in value.items():
            inner = shape.get(key, shape.get("*"))
            if inner is None:
                raise bad_request(f"{path}.{key}: unknown field")
            check_shape(item, inner, f"{path}.{key}")
    else:
        expected = _PYTHON_TYPES[str(shape)]
        # JSON true is not an integer, even though Python's bool is an int.
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise bad_request(f"{path}: expected {shape}, got {type(value).__name__}")


def check_object(body: object, definition: str) -> dict:
    """`body` must be a `definition` object: known fields of the right shapes."""
    if not isinstance(body, dict):
        raise bad_request(f"body: expected a {definition} object")
    shape = SHAPES[definition]
    for key, value in body.items():
        if key not in shape:
            raise bad_request(f"{key}: unknown {definition} field")
        check_shape(value, shape[key], key)
    return body


def check_call_broadcast(body: object, sound_ids: Container[int],
                         contact_ids: Container[int]) -> dict:
    """Validate a CallBroadcast body (shape, then what the spec's prose requires) and return it."""
    body = check_object(body, "CallBroadcast")
    if "fromNumber" in body and nanp_e164(body["fromNumber"]) is None:
        raise bad_request(f"fromNumber: {body['fromNumber']!r} is not a valid caller id")
    if "dialplanXml" in body:
        try:
            ElementTree.fromstring(body["dialplanXml"])
        except ElementTree.ParseError as exc:
            raise bad_request(f"dialplanXml: not well-formed XML ({exc})") from None
    else:
        sounds = body.get("sounds") or {}
        if not any(k in sounds for k in ("liveSoundText", "liveSoundId", "machineSoundText",
                                         "machineSoundId")):
            raise bad_request("sounds: a voice broadcast needs a live or a machine sound "
                              "(liveSoundText/liveSoundId/machineSoundText/machineSoundId), "
                              "an IVR broadcast needs dialplanXml")
        for key in SOUND_ID_FIELDS:
            if key in sounds and sounds[key] not in sound_ids:
                raise bad_request(f"sounds.{key}: sound {sounds[key]} does not exist")
    check_schedules(body.get("schedules", []))
    check_recipients("calls", body.get("recipients", []), contact_ids)
    return body


def check_text_broadcast(body: object, contact_ids: Container[int]) -> dict:
    """Validate a TextBroadcast body: shape, sender, something to send, schedules, recipients."""
    body = check_object(body, "TextBroadcast")
    if "fromNumber" in body and sms_sender(body["fromNumber"]) is None:
        raise bad_request(f"fromNumber: {body['fromNumber']!r} is neither an 11-digit number "
                          "nor a short code")
    if not body.get("message") and not body.get("media"):
        raise bad_request("message: a text broadcast needs a message (or media)")
    check_schedules(body.get("schedules", []))
    check_recipients("texts", body.get("recipients", []), contact_ids)
    return body


def check_recipients(kind: str, recipients: object, contact_ids: Container[int],
                     path: str = "recipients") -> list[dict]:
    """Recipients (Recipient / TextRecipient) of a `kind` broadcast: each names whom to reach."""
    check_shape(recipients, [SHAPES[RECIPIENT_SHAPES[kind]]], path)
    sender: Callable[[str], str | None] = nanp_e164 if kind == "calls" else sms_sender
    for i, recipient in enumerate(recipients):
        if "phoneNumber" not in recipient and "contactId" not in recipient:
            raise bad_request(f"{path}[{i}]: needs a phoneNumber or a contactId")
        if "contactId" in recipient and recipient["contactId"] not in contact_ids:
            raise bad_request(f"{path}[{i}].contactId: contact {recipient['contactId']} "
                              "does not exist")
        if "fromNumber" in recipient and sender(recipient["fromNumber"]) is None:
            raise bad_request(f"{path}[{i}].fromNumber: {recipient['fromNumber']!r} is not "
                              "a valid sender")
    return recipients  # type: ignore[return-value]


def check_strict(recipients: list[dict], path: str = "recipients") -> None:
    """strictValidation=true: every phone number must be dialable, or nothing is created."""
    for i, recipient in enumerate(recipients):
        if "phoneNumber" in recipient and nanp_e164(recipient["phoneNumber"]) is None:
            raise bad_request(f"{path}[{i}].phoneNumber: {recipient['phoneNumber']!r} is not a "
                              "valid phone number")


def check_batch_request(kind: str, body: object, contact_ids: Container[int]) -> dict:
    """POST .../batches: a name, and recipients or a contactListId (whose members it dials)."""
    body = check_object(body, "BatchRequest")
    if body.get("recipients"):
        check_recipients(kind, body["recipients"], contact_ids)
    elif body.get("contactListId") is None:
        raise bad_request("recipients: a batch needs recipients or a contactListId")
    return body


def check_schedules(schedules: list[dict], path: str = "schedules") -> None:
    """What the shape cannot say: real dates and times, a known time zone, start before stop."""
    for i, schedule in enumerate(schedules):
        where = f"{path}[{i}]"
        dates = {key: _date(schedule[key], f"{where}.{key}")
                 for key in ("startDate", "stopDate") if key in schedule}
        for key in ("startTimeOfDay", "stopTimeOfDay"):
            if key in schedule:
                _time(schedule[key], f"{where}.{key}")
        if len(dates) == 2 and dates["startDate"] > dates["stopDate"]:
            raise bad_request(f"{where}.stopDate: before startDate")
        if "timeZone" in schedule:
            try:
                zoneinfo.ZoneInfo(schedule["timeZone"])
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise bad_request(f"{where}.timeZone: {schedule['timeZone']!r} is not an IANA "
                                  "time zone") from None
        days = schedule.get("daysOfWeek", [])
        if len(set(days)) != len(days):
            raise bad_request(f"{where}.daysOfWeek: a day is repeated")


def _date(value: dict, path: str) -> datetime.date:
    try:
        return datetime.date(value.get("year", 0), value.get("month", 0), value.get("day", 0))
    except ValueError:
        raise bad_request(f"{path}: {value} is not a date (year, month and day)") from None


def _time(value: dict, path: str) -> None:
    try:
        datetime.time(value.get("hour", 0), value.get("minute", 0), value.get("second", 0),
                      value.get("nano", 0) // 1000)
    except ValueError:
        raise bad_request(f"{path}: {value} is not a time of day") from None
    if not 0 <= value.get("nano", 0) < 10**9:
        raise bad_request(f"{path}.nano: out of range")
