"""Request-body checks for POST /calls/broadcasts, mirroring the 2020 Swagger definitions.

A shape is "integer" | "string" | "boolean" | a tuple of allowed strings (an enum) | a one-item
list (array of that shape) | a dict of field -> shape (an object; the key "*" makes it a map).
Unknown fields are rejected so that a misspelt field in the bridge fails loudly here.
"""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Container

from bridge.sim.errors import bad_request
from bridge.sim.vocab import (AM_CONFIGS, BROADCAST_STATUSES, RETRY_PHONE_TYPES, RETRY_RESULTS,
                              VOICES, nanp_e164)

INT, STR, BOOL = "integer", "string", "boolean"
LOCAL_DATE = {"day": INT, "month": INT, "year": INT}
LOCAL_TIME = {"hour": INT, "minute": INT, "nano": INT, "second": INT}
SHAPES: dict[str, dict] = {
    "Recipient": {"attributes": {"*": STR}, "contactId": INT, "fromNumber": STR,
                  "phoneNumber": STR},
    "LocalTimeRestriction": {"beginHour": INT, "beginMinute": INT, "enabled": BOOL,
                             "endHour": INT, "endMinute": INT},
    "RetryConfig": {"maxAttempts": INT, "minutesBetweenAttempts": INT,
                    "retryPhoneTypes": [RETRY_PHONE_TYPES], "retryResults": [RETRY_RESULTS]},
    "Schedule": {"campaignId": INT, "daysOfWeek": [STR], "id": INT, "startDate": LOCAL_DATE,
                 "startTimeOfDay": LOCAL_TIME, "stopDate": LOCAL_DATE,
                 "stopTimeOfDay": LOCAL_TIME, "timeZone": STR},
    "CallBroadcastSounds": {
        **{f"{kind}Sound{part}": shape for kind in ("live", "machine", "transfer", "dnc")
           for part, shape in (("Id", INT), ("Text", STR), ("TextVoice", VOICES))},
        "dncDigit": STR, "transferDigit": STR, "transferNumber": STR},
}
SHAPES["CallBroadcast"] = {
    "answeringMachineConfig": AM_CONFIGS, "dialplanXml": STR, "fromNumber": STR, "id": INT,
    "labels": [STR], "lastModified": INT, "localTimeRestriction": SHAPES["LocalTimeRestriction"],
    "maxActive": INT, "maxActiveTransfers": INT, "name": STR,
    "recipients": [SHAPES["Recipient"]], "resumeNextDay": BOOL,
    "retryConfig": SHAPES["RetryConfig"], "schedules": [SHAPES["Schedule"]],
    "sounds": SHAPES["CallBroadcastSounds"], "status": BROADCAST_STATUSES,
}
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


def check_call_broadcast(body: object, sound_ids: Container[int],
                         contact_ids: Container[int]) -> dict:
    """Validate a CallBroadcast body (shape, then what the spec's prose requires) and return it."""
    if not isinstance(body, dict):
        raise bad_request("body: expected a CallBroadcast object")
    for key, value in body.items():
        if key not in SHAPES["CallBroadcast"]:
            raise bad_request(f"{key}: unknown CallBroadcast field")
        check_shape(value, SHAPES["CallBroadcast"][key], key)
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
    for i, recipient in enumerate(body.get("recipients", ())):
        if "phoneNumber" not in recipient and "contactId" not in recipient:
            raise bad_request(f"recipients[{i}]: needs a phoneNumber or a contactId")
        if "contactId" in recipient and recipient["contactId"] not in contact_ids:
            raise bad_request(f"recipients[{i}].contactId: contact {recipient['contactId']} "
                              "does not exist")
        if "fromNumber" in recipient and nanp_e164(recipient["fromNumber"]) is None:
            raise bad_request(f"recipients[{i}].fromNumber: {recipient['fromNumber']!r} is not "
                              "a valid caller id")
    return body
