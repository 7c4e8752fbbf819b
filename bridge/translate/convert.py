"""Converters named in the `convert` column of `mappings/`: v1.1 lexical forms <-> v2 values.

Request converters take the v1.1 value (text, a list of texts, or a dict for an element
with attributes) and the v1.1 field name, check the lexical form, and return the v2 value
or one of the markers below.  Response converters take a v2 JSON value and return the v1.1
lexical form.  Every function here is pure.
"""
from __future__ import annotations

import base64
import binascii
import csv
import io
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, Callable
from zoneinfo import ZoneInfo

from lxml import etree

from bridge.contract.variants import Contract
from bridge.errors import bad_request
from bridge.mappings import EnumTable


@dataclass(frozen=True)
class MatchNothing:
    """A filter whose every value has no v2 counterpart: the query can only be empty."""


@dataclass(frozen=True)
class Merge:
    """Fields to merge into the target object; `defaults` only fill fields still absent."""

    values: dict[str, Any]
    defaults: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lossy:
    """A converted value plus what could not travel (for the lossy list `explain` shows)."""

    value: Any
    notes: tuple[str, ...]


@dataclass(frozen=True)
class FanOut:
    """Several values for a v2 parameter that takes one: one v2 request per value."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class Upload:
    """A file for a multipart v2 endpoint (a body field holding one is sent as a file part)."""

    filename: str
    content: bytes
    content_type: str

    def __repr__(self) -> str:  # explain and logs show the size, never the bytes
        return f"Upload({self.filename!r}, {len(self.content)} bytes, {self.content_type})"


@dataclass(frozen=True)
class Conversions:
    """What converters need besides the value: the output zone, the enum tables, the
    contract responses are written in (which v1.1 values exist to write), and the largest
    sound the bridge carries (Settings.max_sound_bytes)."""

    zone: ZoneInfo
    enums: dict[str, EnumTable]
    contract: Contract = Contract.V2014
    max_sound_bytes: int = 10 * 1024 * 1024


RequestConverter = Callable[[Any, str, Conversions], Any]
ResponseConverter = Callable[[Any, Conversions], Any]

_LONG = re.compile(r"[+-]?[0-9]+")
_LIST_SPLIT = re.compile(r"[\s,]+")
_PHONE = re.compile(r"[a-zA-Z_]+|\+?[0-9]+")
_DIGIT = re.compile(r"[0-9#*]")
_DATETIME = re.compile(
    r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?")
_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?")
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
MAX_RESULTS = 1000
# A ToNumber filter becomes one v2 GET per number (v2 filters on one): bounded, so one request cannot
# hold a worker for minutes sending thousands of them.
MAX_FILTER_NUMBERS = 100


def _text(value: Any, name: str) -> str:
    if isinstance(value, list):
        if len(value) != 1:
            raise bad_request(name, "expected one value, got %d" % len(value))
        value = value[0]
    if isinstance(value, dict):
        value = value.get("_", "")
    return str(value).strip()


def _integer(value: Any, name: str, bounds: tuple[int, int]) -> int:
    text = _text(value, name)
    if not _LONG.fullmatch(text):
        raise bad_request(name, f"{text!r} is not an integer")
    number = int(text)
    if not bounds[0] <= number <= bounds[1]:
        raise bad_request(name, f"{number} is out of range")
    return number


def to_long(value: Any, name: str, conv: Conversions) -> int:
    return _integer(value, name, INT64)


def to_int(value: Any, name: str, conv: Conversions) -> int:
    return _integer(value, name, INT32)


def to_max_results(value: Any, name: str, conv: Conversions) -> int:
    number = _integer(value, name, INT64)
    if number < 0:
        raise bad_request(name, f"{number} is negative")
    if number > MAX_RESULTS:
        raise bad_request(name, f"{number} is over the v1.1 limit of {MAX_RESULTS}")
    return number


def to_first_result(value: Any, name: str, conv: Conversions) -> int:
    number = _integer(value, name, INT64)
    if number < 0:
        raise bad_request(name, f"{number} is negative")
    return number


def to_boolean(value: Any, name: str, conv: Conversions) -> bool:
    text = _text(value, name)
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise bad_request(name, f"{text!r} is not an xs:boolean (true, false, 1, 0)")


def to_string(value: Any, name: str, conv: Conversions) -> str:
    if isinstance(value, list):
        return _text(value, name)
    return value.get("_", "") if isinstance(value, dict) else str(value)


def to_path_segment(value: Any, name: str, conv: Conversions) -> str:
    """A string placed in a v2 path: percent-encoded, so `/`, `?` or `#` stay inside the segment."""
    text = _text(value, name)
    if not text:
        raise bad_request(name, "is empty")
    return urllib.parse.quote(text, safe="")


def to_string_list(value: Any, name: str, conv: Conversions) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if str(v).strip()]


def parse_datetime(text: str, name: str, zone: ZoneInfo) -> datetime:
    """xs:dateTime with any offset, Z, fractions or none (none: the bridge's zone)."""
    match = _DATETIME.fullmatch(text.strip())
    if not match:
        raise bad_request(name, f"{text!r} is not an xs:dateTime (e.g. 2013-03-07T12:01:59-08:00)")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or ".0")[1:7].ljust(6, "0"))
    try:
        if hour == "24" and minute == "00" and second == "00" and not fraction:
            base = datetime(int(year), int(month), int(day)) + timedelta(days=1)
        else:
            base = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro)
    except ValueError as exc:
        raise bad_request(name, f"{text!r} is not a valid date and time ({exc})") from None
    if offset is None:
        return base.replace(tzinfo=zone)
    if offset == "Z":
        return base.replace(tzinfo=timezone.utc)
    sign = 1 if offset[0] == "+" else -1
    delta = sign * (int(offset[1:3]) * 60 + int(offset[4:6]))
    return base.replace(tzinfo=timezone(timedelta(minutes=delta)))


def to_datetime_ms(value: Any, name: str, conv: Conversions) -> int:
    moment = parse_datetime(_text(value, name), name, conv.zone)
    # Exact integer arithmetic; sub-millisecond fractions cannot travel (v2 counts whole ms).
    return (moment - EPOCH) // timedelta(milliseconds=1)


def parse_time(text: str, name: str) -> tuple[int, int, int]:
    match = _TIME.fullmatch(text.strip())
    if not match:
        raise bad_request(name, f"{text!r} is not an xs:time (e.g. 09:00:00)")
    hour, minute, second = (int(g) for g in match.groups()[:3])
    if hour > 23 or minute > 59 or second > 59:
        raise bad_request(name, f"{text!r} is not a valid time of day")
    return hour, minute, second


def to_local_time_begin(value: Any, name: str, conv: Conversions) -> Merge:
    hour, minute, _ = parse_time(_text(value, name), name)
    return Merge({"enabled": True, "beginHour": hour, "beginMinute": minute},
                 {"endHour": 23, "endMinute": 59})


def to_local_time_end(value: Any, name: str, conv: Conversions) -> Merge:
    hour, minute, _ = parse_time(_text(value, name), name)
    return Merge({"enabled": True, "endHour": hour, "endMinute": minute},
                 {"beginHour": 0, "beginMinute": 0})


def to_local_time(value: Any, name: str, conv: Conversions) -> dict[str, int]:
    """xs:time -> v2 LocalTime (a schedule's time of day, in the schedule's own zone)."""
    hour, minute, second = parse_time(_text(value, name), name)
    return {"hour": hour, "minute": minute, "second": second}


_DATE = re.compile(r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?")


def to_local_date(value: Any, name: str, conv: Conversions) -> dict[str, int]:
    """xs:date -> v2 LocalDate; an offset on the date has no v2 place (the schedule has a zone)."""
    text = _text(value, name)
    match = _DATE.fullmatch(text)
    if not match:
        raise bad_request(name, f"{text!r} is not an xs:date (e.g. 2014-05-01)")
    year, month, day = (int(g) for g in match.groups()[:3])
    try:
        datetime(year, month, day)
    except ValueError:
        raise bad_request(name, f"{text!r} is not a valid date") from None
    return {"year": year, "month": month, "day": day}


def normalize_phone(text: str, name: str) -> str:
    """A v1.1 PhoneNumber (`\\+?[0-9]+` or a keyword) as v2 wants it: digits without '+'."""
    if not _PHONE.fullmatch(text):
        raise bad_request(name, f"{text!r} is not a phone number (E.164 digits, e.g. 13105551212)")
    return text.lstrip("+")


def split_phones(text: str, name: str) -> list[str]:
    return [normalize_phone(part, name) for part in _LIST_SPLIT.split(text.strip()) if part]


def to_phone(value: Any, name: str, conv: Conversions) -> str:
    phones = split_phones(_text(value, name), name)
    if len(phones) != 1:
        raise bad_request(name, "expected one phone number")
    return phones[0]


def to_phone_filter(value: Any, name: str, conv: Conversions) -> str | FanOut:
    items = value if isinstance(value, list) else [value]
    phones = list(dict.fromkeys(phone for item in items for phone in split_phones(_text(item, name), name)))
    if not phones:
        raise bad_request(name, "is empty")
    if len(phones) > MAX_FILTER_NUMBERS:
        raise bad_request(name, f"holds {len(phones)} numbers: at most {MAX_FILTER_NUMBERS} (each is one v2 request)")
    return phones[0] if len(phones) == 1 else FanOut(tuple(phones))


def to_recipients(value: Any, name: str, conv: Conversions) -> list[dict[str, Any]]:
    """Repeated ToNumber elements and space/comma lists inside one -> v2 recipients; ToNumber's
    attributes (ClientData, and any other through its xs:anyAttribute) -> recipient attributes."""
    items = value if isinstance(value, list) else [value]
    recipients: list[dict[str, Any]] = []
    for item in items:
        text = item.get("_", "") if isinstance(item, dict) else str(item)
        attributes = {key[1:]: str(v) for key, v in item.items()
                      if key.startswith("@") and not key.startswith("@{")} if isinstance(item, dict) else {}
        for phone in split_phones(text, name):
            recipient: dict[str, Any] = {"phoneNumber": phone}
            if attributes:
                recipient["attributes"] = dict(attributes)
            recipients.append(recipient)
    if not recipients:
        raise bad_request(name, "at least one phone number is required")
    return recipients


def to_phone_digit(value: Any, name: str, conv: Conversions) -> str:
    text = _text(value, name)
    if not _DIGIT.fullmatch(text):
        raise bad_request(name, f"{text!r} is not a phone digit (0-9, # or *)")
    return text


def to_dialplan_xml(value: Any, name: str, conv: Conversions) -> str:
    text = to_string(value, name, conv)
    try:
        etree.fromstring(text.encode("utf-8"), _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise bad_request(name, f"is not well-formed XML ({exc})") from None
    return text


# What CallFire takes as a sound file, by its first bytes: (filename, content type).
_WAV = ("sound.wav", "audio/wav")
_MP3 = ("sound.mp3", "audio/mpeg")


def sound_kind(head: bytes) -> tuple[str, str] | None:
    """WAV (a RIFF/WAVE header) or MP3 (an ID3 tag or an MPEG audio frame sync), else None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _WAV
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return _MP3
    return None


def to_sound_file(value: Any, name: str, conv: Conversions) -> Upload:
    """xs:base64Binary (line breaks allowed, as MIME-style encoders write it) -> a WAV or MP3
    upload; over the bridge's max_sound_bytes it is refused before it is even decoded."""
    compact = "".join(_text(value, name).split())
    size = len(compact) * 3 // 4 - compact[-2:].count("=")
    if size > conv.max_sound_bytes:
        raise bad_request(name, f"the sound is {size} bytes, over the bridge's limit of {conv.max_sound_bytes} "
                                f"bytes (max_sound_bytes, CALLFIRE_BRIDGE_MAX_SOUND_BYTES)")
    try:
        content = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(name, "is not valid xs:base64Binary") from None
    kind = sound_kind(content[:12])
    if kind is None:
        raise bad_request(name, "is not a WAV or MP3 file (the formats CallFire takes)")
    return Upload(kind[0], content, kind[1])


def enum_to_v2(table: EnumTable, *, refuse_unmapped: bool = True) -> RequestConverter:
    """One enum value -> its v2 value.  A value v2 has no counterpart for is refused with the
    table's note (a list converter asks for None instead, and drops it)."""
    mapping = table.to_v2()
    notes = {v.v1: v.note for v in table.values}

    def convert(value: Any, name: str, conv: Conversions) -> str | None:
        text = _text(value, name)
        if text not in mapping:
            raise bad_request(name, f"{text!r} is not one of {', '.join(table.v1_names())}")
        if mapping[text] is None and refuse_unmapped:
            raise bad_request(name, f"{text}: {notes[text]}")
        return mapping[text]

    return convert


def enum_v1(table: EnumTable) -> RequestConverter:
    """Validates a v1.1 enum value and keeps it (for values the bridge itself acts on)."""
    names = set(table.v1_names())

    def convert(value: Any, name: str, conv: Conversions) -> str:
        text = _text(value, name)
        if text not in names:
            raise bad_request(name, f"{text!r} is not one of {', '.join(table.v1_names())}")
        return text

    return convert


def enum_list_to_v2(table: EnumTable) -> RequestConverter:
    """xs:list of enum values (commas accepted too) -> v2 values; values v2 lacks are dropped."""
    single = enum_to_v2(table, refuse_unmapped=False)
    notes = {v.v1: v.note for v in table.values}

    def convert(value: Any, name: str, conv: Conversions) -> list[str] | MatchNothing | Lossy:
        # One element or repeated ones (suds, Node soap), each possibly a space/comma list.
        items = value if isinstance(value, list) else [value]
        texts = [t for item in items for t in _LIST_SPLIT.split(_text(item, name)) if t]
        mapped: list[str] = []
        dropped: list[str] = []
        for text in texts:
            v2 = single(text, name, conv)
            if v2 is None:
                dropped.append(f"{name}: {text} dropped: {notes[text]}")
            elif v2 not in mapped:
                mapped.append(v2)
        result: Any = MatchNothing() if not mapped and texts else mapped
        return Lossy(result, tuple(dropped)) if dropped else result

    return convert


def enum_filter_to_v2(table: EnumTable) -> RequestConverter:
    """A query filter's xs:list: as enum_list, and under the 2014 contract each value also asks
    for the later v2 values written as it (State=READY finds CALLBACK too; the table's
    `v1_2014` column), so a filter finds every row the answer shows with that value."""
    exact = enum_list_to_v2(table)
    shown_as = table.shown_as_2014()

    def convert(value: Any, name: str, conv: Conversions) -> list[str] | MatchNothing | Lossy:
        result = exact(value, name, conv)
        if conv.contract is Contract.LIVE:
            return result
        found = result.value if isinstance(result, Lossy) else result
        if isinstance(found, MatchNothing):
            return result
        widened = list(dict.fromkeys(v for v2 in found for v in (v2, *shown_as.get(v2, ()))))
        return Lossy(widened, result.notes) if isinstance(result, Lossy) else widened

    return convert


REQUEST_CONVERTERS: dict[str, RequestConverter] = {
    "long": to_long,
    "int": to_int,
    "max_results": to_max_results,
    "first_result": to_first_result,
    "boolean": to_boolean,
    "string": to_string,
    "string_list": to_string_list,
    "path_segment": to_path_segment,
    "datetime_ms": to_datetime_ms,
    "local_time_begin": to_local_time_begin,
    "local_time_end": to_local_time_end,
    "local_time": to_local_time,
    "local_date": to_local_date,
    "phone": to_phone,
    "phone_filter": to_phone_filter,
    "recipients": to_recipients,
    "phone_digit": to_phone_digit,
    "dialplan_xml": to_dialplan_xml,
    "sound_file": to_sound_file,
}
ENUM_REQUEST_CONVERTERS = {"enum": enum_to_v2, "v1_enum": enum_v1, "enum_list": enum_list_to_v2,
                           "enum_filter": enum_filter_to_v2}


# ---- response direction: v2 JSON -> v1.1 lexical forms ------------------------------------

_MINUTE_MS = 60_000
_HOUR_MS = 3_600_000
_DAY_MS = 86_400_000
_UNIX_DAY = date(1970, 1, 1).toordinal()
# "HH:MM:" for each minute of a day, "SS" for each second, ".mmm" for each millisecond but 0 (not written).
_CLOCK = tuple(f"{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60))
_SECONDS = tuple(f"{second:02d}" for second in range(60))
_MILLIS = ("", *(f".{milli:03d}" for milli in range(1, 1000)))
# Per zone: UTC minute -> ("YYYY-MM-DDTHH:MM:" local, offset text) or None (the datetime route).
# A plain dict (a lookup is most of the work), emptied when it grows past _CACHED entries.
_MINUTES: dict[tzinfo, dict[int, tuple[str, str] | None]] = {}
_CACHED = 8192   # ~1 MB at most per zone; a 1000-call page spans ~100 minutes


def format_datetime(ms: int, zone: tzinfo) -> str:
    """Unix ms -> xs:dateTime with an explicit offset in `zone`; milliseconds only when non-zero.

    A 1000-call page formats ~5,000 of these, from ~100 distinct minutes: each minute's local date,
    hour and minute and the zone's offset are worked out once (cached), the seconds and milliseconds
    come from tables.  A minute in an hour in which the offset changes (a DST switch) and the edges
    of datetime's range (years 1 and 9999) take the datetime route.  Both are exact: the former
    `datetime.fromtimestamp(ms / 1000)` went through a float and wrote year-9999 values a ms early.
    """
    minutes = _MINUTES.get(zone)
    if minutes is None:
        minutes = _MINUTES[zone] = {}
    minute, rest = divmod(ms, _MINUTE_MS)
    cached = minutes.get(minute, False)
    if cached is False:
        if len(minutes) > _CACHED:
            minutes.clear()
        cached = minutes[minute] = _minute_text(zone, minute)
    if cached is None:
        return _format_datetime_exact(ms, zone)
    second, milli = divmod(rest, 1000)
    return cached[0] + _SECONDS[second] + _MILLIS[milli] + cached[1]


def _minute_text(zone: tzinfo, minute: int) -> tuple[str, str] | None:
    """("YYYY-MM-DDTHH:MM:" in `zone`, its offset text) for one UTC minute; None when the zone's
    offset changes within the minute's hour or is not whole minutes (the datetime route)."""
    offset = _hour_offset(zone, minute * _MINUTE_MS // _HOUR_MS)
    if offset is None or offset[0] % _MINUTE_MS:
        return None
    day, local = divmod(minute * _MINUTE_MS + offset[0], _DAY_MS)
    return date.fromordinal(day + _UNIX_DAY).isoformat() + "T" + _CLOCK[local // _MINUTE_MS], offset[1]


def _format_datetime_exact(ms: int, zone: tzinfo) -> str:
    moment = (EPOCH + timedelta(milliseconds=ms)).astimezone(zone)
    return moment.isoformat(timespec="milliseconds" if ms % 1000 else "seconds")


def _hour_offset(zone: tzinfo, hour: int) -> tuple[int, str] | None:
    """(offset in ms, its xs:dateTime text) of `zone` over the whole UTC hour; None when it changes
    within the hour or the hour is at the edge of what datetime can hold."""
    try:
        first = (EPOCH + timedelta(milliseconds=hour * _HOUR_MS)).astimezone(zone)
        last = (EPOCH + timedelta(milliseconds=(hour + 1) * _HOUR_MS - 1)).astimezone(zone)
        if first.year < 2 or last.year > 9998:
            return None
    except (OverflowError, ValueError):
        return None
    offset = first.utcoffset()
    if offset is None or offset != last.utcoffset() or offset % timedelta(milliseconds=1):
        return None
    return offset // timedelta(milliseconds=1), first.isoformat(timespec="seconds")[19:]


def from_ms_datetime(value: Any, conv: Conversions) -> str:
    return format_datetime(int(value), conv.zone)


def from_long(value: Any, conv: Conversions) -> str:
    return str(int(value))


def from_float(value: Any, conv: Conversions) -> str:
    return repr(float(value))


def from_boolean(value: Any, conv: Conversions) -> str:
    if isinstance(value, str):
        return "true" if value.lower() == "true" else "false"
    return "true" if value else "false"


def from_string(value: Any, conv: Conversions) -> str:
    return str(value)


def from_bytes(value: Any, conv: Conversions) -> str:
    """Raw bytes (a sound or recording v2 sent as audio) -> xs:base64Binary, one line."""
    return base64.b64encode(value).decode("ascii")


# An attribute name XML can carry unqualified: an NCName other than "xmlns" (which would declare a
# namespace).
_ATTRIBUTE_NAME = re.compile(r"(?!xmlns$)[^\W\d][\w.-]*")


def from_to_number(obj: Any, conv: Conversions) -> dict[str, str] | None:
    """A v2 Call/Text -> data:ToNumber: the number, and each recipient attribute as an XML
    attribute (ClientData declared, the others through the type's xs:anyAttribute); a name XML
    cannot carry as an attribute is dropped."""
    number = obj.get("toNumber")
    if number is None:
        return None
    element = {"_": str(number)}
    for name, value in (obj.get("attributes") or {}).items():
        if value is not None and _ATTRIBUTE_NAME.fullmatch(name):
            element[f"@{name}"] = str(value)
    return element


def from_local_time(value: Any, conv: Conversions) -> str:
    """v2 LocalTime {hour, minute, second} -> xs:time."""
    return f"{int(value.get('hour', 0)):02d}:{int(value.get('minute', 0)):02d}:{int(value.get('second', 0)):02d}"


def from_local_date(value: Any, conv: Conversions) -> str:
    """v2 LocalDate {year, month, day} -> xs:date."""
    return f"{int(value['year']):04d}-{int(value['month']):02d}-{int(value['day']):02d}"


def from_local_time_begin(restriction: Any, conv: Conversions) -> str | None:
    """v2 LocalTimeRestriction -> BeginTime (v2 has no seconds); none when not enabled."""
    if not restriction.get("enabled"):
        return None
    return f"{int(restriction.get('beginHour', 0)):02d}:{int(restriction.get('beginMinute', 0)):02d}:00"


def from_local_time_end(restriction: Any, conv: Conversions) -> str | None:
    if not restriction.get("enabled"):
        return None
    return f"{int(restriction.get('endHour', 23)):02d}:{int(restriction.get('endMinute', 59)):02d}:00"


def result_stats(table: EnumTable) -> ResponseConverter:
    """Broadcast stats counters -> one ResultStat per result the table gives a counter that
    counted something, as CallFire listed only the results that occurred (v2 counts per final
    result only: Attempts and Actions both carry the count)."""
    counters = [(v.v1, v.v2) for v in table.values if v.v1 is not None and v.v2 is not None]

    def convert(stats: Any, conv: Conversions) -> list[dict[str, str]]:
        return [{"Result": result, "Attempts": str(int(stats[counter])), "Actions": str(int(stats[counter]))}
                for result, counter in counters if stats.get(counter)]

    return convert


def _counts(stats: Any, *names: str) -> list[int] | None:
    """The named counters of a v2 stats object (0 when absent); None when it has none of them."""
    if not any(stats.get(name) is not None for name in names):
        return None
    return [int(stats.get(name) or 0) for name in names]


def finished_actions(stats: Any, conv: Conversions) -> str | None:
    """CallBroadcastStats / TextBroadcastStatsDto -> ActionStatistics/Finished: every outbound
    action no longer to be dialled, whatever its result (totalOutboundCount - remainingOutboundCount)."""
    counts = _counts(stats, "totalOutboundCount", "remainingOutboundCount")
    return None if counts is None else str(max(counts[0] - counts[1], 0))


def unattempted_calls(stats: Any, conv: Conversions) -> str | None:
    """CallBroadcastStats -> ActionStatistics/Unattempted: the calls still to dial that wait for no
    redial (callsRemaining - callsAwaitingRedial; those are RetryWait)."""
    counts = _counts(stats, "callsRemaining", "callsAwaitingRedial")
    return None if counts is None else str(max(counts[0] - counts[1], 0))


def texts_attempted(stats: Any, conv: Conversions) -> str | None:
    """TextBroadcastStatsDto -> UsageStats Attempts and Actions: the texts that ended with a result
    (sent, do-not-text, too big, error); v2 does not retry texts, so one attempt each."""
    counts = _counts(stats, "sentCount", "doNotTextCount", "tooBigCount", "errorCount")
    return None if counts is None else str(sum(counts))


def enum_list_to_v1(table: EnumTable) -> ResponseConverter:
    """A v2 array of enum values -> one xs:list (space separated, each value once)."""
    single = enum_to_v1(table)

    def convert(values: Any, conv: Conversions) -> str:
        return " ".join(dict.fromkeys(single(value, conv) for value in values))

    return convert


def enum_to_v1(table: EnumTable) -> ResponseConverter:
    live = table.to_v1(Contract.LIVE)
    v2014 = table.to_v1(Contract.V2014)
    unknown_2014 = table.unknown_v2_2014

    def convert(value: Any, conv: Conversions) -> str:
        if conv.contract is Contract.LIVE:
            # Unknown v2 values pass through (unknown_v2: pass): a newer v2 enum must not break a read.
            return live.get(value, str(value))
        # The 2014 contract has a closed list: a value it lacks would fail a strict client.
        return v2014.get(value) or unknown_2014 or str(value)

    return convert


RESPONSE_CONVERTERS: dict[str, ResponseConverter] = {
    "ms_datetime": from_ms_datetime,
    "long": from_long,
    "int": from_long,
    "float": from_float,
    "boolean_out": from_boolean,
    "string": from_string,
    "to_number": from_to_number,
    "local_time": from_local_time,
    "local_date": from_local_date,
    "local_time_begin": from_local_time_begin,
    "local_time_end": from_local_time_end,
    "base64": from_bytes,
    "finished_actions": finished_actions,
    "unattempted_calls": unattempted_calls,
    "texts_attempted": texts_attempted,
}
ENUM_RESPONSE_CONVERTERS = {"enum": enum_to_v1, "enum_list": enum_list_to_v1, "result_stats": result_stats}


# ---- NumberService (mappings/number.yaml) ------------------------------------------------------

def to_word_list(value: Any, name: str, conv: Conversions) -> list[str]:
    """data:KeywordList (an xs:list of strings; commas and repeated elements accepted too) -> v2 words."""
    items = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(word for item in items for word in _LIST_SPLIT.split(_text(item, name)) if word))


def from_ms_date(value: Any, conv: Conversions) -> str:
    """Unix ms -> xs:date: the day it falls on in the bridge's time_zone (v1.1 lease dates are days)."""
    return datetime.fromtimestamp(int(value) / 1000, conv.zone).date().isoformat()


def from_xs_list(values: Any, conv: Conversions) -> str:
    """A v2 array of strings -> one xs:list element (space separated)."""
    return " ".join(str(value) for value in values)


REQUEST_CONVERTERS["word_list"] = to_word_list
RESPONSE_CONVERTERS.update({"ms_date": from_ms_date, "xs_list": from_xs_list})
# ---- ContactService (mappings/contact.yaml) ----------------------------------------------------

# The attributes data:Contact declares; every other unqualified one is a v2 property.
CONTACT_ATTRIBUTES = ("firstName", "lastName", "zipcode", "homePhone", "workPhone", "mobilePhone",
                      "externalId", "externalSystem")
CONTACT_PHONES = ("homePhone", "workPhone", "mobilePhone")
# Contacts, ids or numbers in one request: each contact or id of UpdateContacts/RemoveContacts is
# one v2 request, so a request is bounded as a QueryCalls page is.
MAX_CONTACTS = 1000
# The longest id or number a list item may be: an xs:long has at most 20 characters, an E.164
# number 15 digits; longer ones are refused before Python parses them or they reach a v2 URL.
MAX_LIST_ITEM_CHARS = 32
# A CSV header names a contact field in v1.1's or v2's spelling, in any case.
_CSV_FIELDS = {name.lower(): name for name in (*CONTACT_ATTRIBUTES, "extraPhone1", "extraPhone2", "extraPhone3")}


def _bounded(items: list[Any], name: str) -> list[Any]:
    if len(items) > MAX_CONTACTS:
        raise bad_request(name, f"holds {len(items)} items: at most {MAX_CONTACTS} a request")
    return items


def _short(item: str, name: str) -> str:
    if len(item) > MAX_LIST_ITEM_CHARS:
        raise bad_request(name, f"an item of {len(item)} characters is no id or phone number "
                                f"(at most {MAX_LIST_ITEM_CHARS})")
    return item


def to_contacts(value: Any, name: str, conv: Conversions) -> list[dict[str, Any]]:
    """Contact elements (attributes only) -> v2 Contacts: declared attributes by name, `@id` as id,
    any other unqualified attribute a property; a namespaced one (xsi:...) is dropped."""
    contacts = []
    for item in _bounded(value if isinstance(value, list) else [value], name):
        attributes = item if isinstance(item, dict) else {}
        contact: dict[str, Any] = {}
        for key, raw in attributes.items():
            if not key.startswith("@") or key.startswith("@{"):
                continue
            attribute = key[1:]
            where = f"{name}/{key}"
            if attribute == "id":
                contact["id"] = to_long(_short(str(raw).strip(), where), where, conv)
            elif attribute in CONTACT_PHONES:
                contact[attribute] = normalize_phone(str(raw).strip(), where)
            elif attribute in CONTACT_ATTRIBUTES:
                contact[attribute] = str(raw)
            else:
                contact.setdefault("properties", {})[attribute] = str(raw)
        contacts.append(contact)
    return contacts


def to_id_list(value: Any, name: str, conv: Conversions) -> tuple[int, ...]:
    """An xs:list of ids (spaces, commas or repeated elements).  A tuple: a query parameter of
    several values goes as repeated keys (v2's collectionFormat multi), not joined with commas."""
    items = value if isinstance(value, list) else [value]
    parts = [part for item in items for part in _LIST_SPLIT.split(_text(item, name)) if part]
    ids = [to_long(_short(part, name), name, conv) for part in parts]
    if not ids:
        raise bad_request(name, "at least one id is required")
    return tuple(dict.fromkeys(_bounded(ids, name)))


def to_phone_list(value: Any, name: str, conv: Conversions) -> list[str]:
    """A PhoneNumberList (spaces or commas; repeated elements too) -> distinct v2 numbers (contacts,
    ConfigureNumber's TransferNumber, CreateNumberOrder's Numbers)."""
    items = value if isinstance(value, list) else [value]
    phones = list(dict.fromkeys(_short(p, name) for item in items for p in split_phones(_text(item, name), name)))
    if not phones:
        raise bad_request(name, "at least one phone number is required")
    return _bounded(phones, name)


def to_contact_phone_field(value: Any, name: str, conv: Conversions) -> str:
    text = _text(value, name)
    if text not in CONTACT_PHONES:
        raise bad_request(name, f"{text!r} is not one of {', '.join(CONTACT_PHONES)}")
    return text


def _base64_file(value: Any, name: str) -> bytes:
    try:
        return base64.b64decode("".join(_text(value, name).split()), validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(name, "is not valid xs:base64Binary") from None


def to_csv_file(value: Any, name: str, conv: Conversions) -> Upload:
    """xs:base64Binary of a CSV file -> the upload's file part (v2 reads it)."""
    content = _base64_file(value, name)
    if not content.strip():
        raise bad_request(name, "the CSV file is empty")
    return Upload("contacts.csv", content, "text/csv")


def to_csv_contacts(value: Any, name: str, conv: Conversions) -> list[dict[str, Any]]:
    """xs:base64Binary of a CSV file, read by the bridge -> v2 Contacts: a header row naming contact
    fields (other columns become properties), else one number a cell as homePhone."""
    try:
        text = _base64_file(value, name).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bad_request(name, "the CSV file is not UTF-8") from None
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    header = [cell.strip() for cell in rows[0]] if rows else []
    if not any(cell.lower() in _CSV_FIELDS for cell in header):
        numbers = [cell.strip() for row in rows for cell in row if cell.strip()]
        contacts = [{"homePhone": normalize_phone(number, name)} for number in numbers]
    else:
        contacts = []
        for row in rows[1:]:
            contact: dict[str, Any] = {}
            for column, cell in zip(header, row):
                field_name = _CSV_FIELDS.get(column.lower())
                if not cell.strip():
                    continue
                if field_name in CONTACT_PHONES:
                    contact[field_name] = normalize_phone(cell.strip(), f"{name} column {column}")
                elif field_name:
                    contact[field_name] = cell.strip()
                else:
                    contact.setdefault("properties", {})[column] = cell.strip()
            contacts.append(contact)
    if not contacts:
        raise bad_request(name, "the CSV file holds no contacts")
    return _bounded(contacts, name)


def from_contact_properties(properties: Any, conv: Conversions) -> dict[str, str]:
    """v2 Contact.properties -> attributes of data:Contact through its xs:anyAttribute; a name XML
    cannot carry, or one of Contact's declared attributes (it would be written twice), is dropped."""
    return {f"@{key}": str(value) for key, value in (properties or {}).items()
            if value is not None and _ATTRIBUTE_NAME.fullmatch(key) and key not in (*CONTACT_ATTRIBUTES, "id")}


def from_contact_phone(value: Any, conv: Conversions) -> str | None:
    """A v2 contact's number (any string: v2 does not validate contacts) as a v1.1 PhoneNumber:
    as it stands when it is one, else its digits ("(213) 555-0103" -> 2135550103); none: dropped."""
    text = str(value).strip()
    if _PHONE.fullmatch(text):
        return text
    digits = re.sub(r"[^0-9]", "", text)
    return digits or None


REQUEST_CONVERTERS.update({
    "contacts": to_contacts,
    "id_list": to_id_list,
    "phone_list": to_phone_list,
    "contact_phone_field": to_contact_phone_field,
    "csv_file": to_csv_file,
    "csv_contacts": to_csv_contacts,
})
RESPONSE_CONVERTERS.update({"contact_properties": from_contact_properties, "contact_phone": from_contact_phone})
