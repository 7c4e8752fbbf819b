"""The hot path's shortcuts give exactly what the plain code gives: xs:dateTime written from
integers, entity rows compiled into one function, and RequestId markers still stripped."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from bridge.orchestrate.markers import PREFIX, hidden
from bridge.translate.convert import format_datetime

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Fixed zones, DST zones, half- and quarter-hour offsets, 30-minute DST (Lord Howe), and zones whose
# early offsets (local mean time) have seconds.
ZONES: list[tzinfo] = [ZoneInfo(name) for name in (
    "UTC", "America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Kolkata",
    "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns", "Africa/Monrovia", "Pacific/Kiritimati",
    "Etc/GMT+12")] + [timezone.utc, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=45))]
FIRST_MS = -62_135_596_800_000      # 0001-01-01T00:00:00Z
LAST_MS = 253_402_300_799_999       # 9999-12-31T23:59:59.999Z


def datetime_formatting(ms: int, zone: tzinfo) -> str:
    """The plain way: a datetime for the instant (exact integer arithmetic), then isoformat."""
    moment = (EPOCH + timedelta(milliseconds=ms)).astimezone(zone)
    return moment.isoformat(timespec="milliseconds" if ms % 1000 else "seconds")


# v2 sends Unix ms as any JSON integer: most of an int64 is beyond datetime's years 1-9999.
instants = st.one_of(
    st.integers(min_value=FIRST_MS, max_value=LAST_MS),
    st.integers(min_value=0, max_value=4_102_444_800_000),                       # 1970-2100
    st.integers(min_value=FIRST_MS - 10 ** 9, max_value=FIRST_MS + 10 ** 9),     # the edges of the range
    st.integers(min_value=LAST_MS - 10 ** 9, max_value=LAST_MS + 10 ** 9),
    st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1),
)


@settings(max_examples=3000, deadline=None)
@given(ms=instants, zone=st.sampled_from(ZONES))
def test_a_v2_instant_is_written_as_datetime_would_write_it(ms: int, zone: tzinfo) -> None:
    try:
        expected = datetime_formatting(ms, zone)
    except (OverflowError, ValueError):
        with pytest.raises((OverflowError, ValueError)):
            format_datetime(ms, zone)
        return
    assert format_datetime(ms, zone) == expected


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Europe/London", "Australia/Lord_Howe"])
def test_every_minute_of_a_day_the_clocks_change_is_written_as_datetime_would(zone: str) -> None:
    tz = ZoneInfo(zone)
    day_ms = 86_400_000
    switches = 0
    for year in (1918, 1970, 2007, 2026, 2099):
        first = int(datetime(year, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)
        for start in range(first, first + 366 * day_ms, day_ms):
            if (EPOCH + timedelta(milliseconds=start)).astimezone(tz).utcoffset() == \
                    (EPOCH + timedelta(milliseconds=start + day_ms)).astimezone(tz).utcoffset():
                continue
            switches += 1
            for minute in range(start, start + day_ms + 1, 60_000):
                for ms in (minute - 1, minute, minute + 1):
                    assert format_datetime(ms, tz) == datetime_formatting(ms, tz), ms
    assert switches >= 4


def test_the_last_millisecond_of_year_9999_is_not_rounded() -> None:
    assert format_datetime(LAST_MS, ZoneInfo("UTC")) == "9999-12-31T23:59:59.999+00:00"


# ---- RequestId markers -----------------------------------------------------------------------

def test_markers_are_stripped_from_an_object_and_from_a_pages_items() -> None:
    marker = PREFIX + "0" * 32
    answer = {"id": 1, "labels": ["vip", marker],
              "items": [{"id": 2, "labels": [marker]}, {"id": 3, "labels": ["a", "b"]}, {"id": 4}]}
    assert hidden(answer) == {"id": 1, "labels": ["vip"],
                              "items": [{"id": 2, "labels": []}, {"id": 3, "labels": ["a", "b"]}, {"id": 4}]}


def test_an_answer_without_markers_is_left_as_it_is() -> None:
    labels = ["vip", "cfb"]
    answer = {"items": [{"id": 1, "labels": labels}], "totalCount": 1}
    assert hidden(answer)["items"][0]["labels"] is labels
