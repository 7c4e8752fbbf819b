"""How a 2014 CallFire v1.1 server writes each seed value: enum values, instants, times of day.

The seed holds v2 values. Those the 2014 contract has are written as they are; for the later
ones (CallFire added them after May 2014) the tables below say what a 2014 server would have
answered instead. README.md gives the reason for every row.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

from lxml import etree

from bridge.contract.variants import served_files
from bridge.legacy.contract import CONTRACT, XS, enumeration

# Later ActionState -> 2014 state: one whose action waits is READY; one a call-center agent
# ended undialed is FINISHED; one not dialed because its time ran out is TIMEOUT. None of them
# invents a FinalResult v2 does not report (agreed with the bridge).
LATER_STATES: dict[str, str] = {
    "CALLBACK": "READY",          # a redial is due: the action waits to be dialed again
    "DISABLED": "READY",          # its batch is disabled: the action waits, undialed
    "SKIPPED": "FINISHED",        # a call-center agent skipped it: never dialed
    "PERIOD_LIMIT": "TIMEOUT",    # the calling period's limit was reached: not dialed in time
}
# Later call Result -> the 2014 Result meaning the same to the caller.
LATER_RESULTS: dict[str, str] = {
    "SD": "AM",               # "Smart Drop": a message left on a machine
    "ABANDONED": "LA",        # a person answered, then the call was dropped
    "POSTPONED": "UNDIALED",  # the attempt was put off and never placed
    "SKIPPED": "UNDIALED",    # skipped by an agent, never placed
}
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def state(action: dict) -> str:
    return checked(LATER_STATES.get(action["state"], action["state"]), "ActionState")


def final_result(action: dict, result_field: str) -> str | None:
    return None if action.get(result_field) is None else result(action[result_field])


def result(value: str) -> str:
    return checked(LATER_RESULTS.get(value, value), "Result")


def checked(value: str, type_name: str) -> str:
    """`value` if the 2014 contract's data:`type_name` allows it; anything else is a bug here."""
    if not _allows(type_name, value):
        raise ValueError(f"{value!r} is not a 2014 {type_name}: the legacy simulator has no rule for it")
    return value


def _allows(type_name: str, value: str) -> bool:
    values = enumeration(type_name)
    return value in values if values else re.fullmatch(_pattern(type_name), value) is not None


@cache
def _pattern(type_name: str) -> str:
    schema = etree.fromstring(served_files(CONTRACT)["callfire-data.xsd"])
    return schema.find(f"{{{XS}}}simpleType[@name='{type_name}']//{{{XS}}}pattern").get("value")


def instant(ms: int, zone: ZoneInfo) -> str:
    """An xs:dateTime in `zone` with an explicit offset (`Z` in UTC); milliseconds only when set."""
    moment = (EPOCH + timedelta(milliseconds=ms)).astimezone(zone)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if ms % 1000:
        text += f".{ms % 1000:03d}"
    if zone.key == "UTC":
        return text + "Z"
    offset = moment.strftime("%z")
    return f"{text}{offset[:3]}:{offset[3:]}"


def time_of_day(hour: int, minute: int, second: int = 0) -> str:
    """An xs:time without a zone: local time where the number is (v1.1 time restrictions)."""
    return f"{hour:02d}:{minute:02d}:{second:02d}"


def number(value: float | int) -> str:
    """An xs:float / xs:int as text."""
    return repr(value) if isinstance(value, float) else str(value)
