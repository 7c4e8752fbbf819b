"""Reading a v1.1 request element by the XSD types of its fields (xs:long, xs:boolean,
xs:dateTime, xs:list of an enumeration, data:PhoneNumber), leniently where clients differ:

- a child is found in the svc: namespace or in none (some hand-written clients leave it out);
- an empty element or xsi:nil counts as absent (wrapper-style JAX-WS stubs send `<State/>`);
- an xs:list may be one element with space- (or comma-) separated items, or repeated elements
  (suds and Node's soap send an array so);
- a dateTime without an offset is in this server's zone;
- MaxResults over 1000 is cut to 1000 ("limited to 1000", as CallFire documents it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lxml import etree

from bridge.contract import DATA, SVC
from bridge.legacy.contract import enumeration
from bridge.legacy.faults import bad_request
from bridge.legacy.values import EPOCH

MAX_RESULTS = 1000           # Query.MaxResults: default and limit
INT64 = 2**63
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_LONG = re.compile(r"[+-]?\d+")
_DATETIME = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?"
                       r"(Z|[+-]\d\d:\d\d)?")
_PHONE = re.compile(r"[a-zA-Z_]+|\+?[0-9]+")   # data:PhoneNumber
_LIST_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Paging:
    first: int
    max: int

    def window(self, items: list) -> list:
        return items[self.first:self.first + self.max]


class RequestFields:
    """The fields of one request element (the SOAP Body child)."""

    def __init__(self, element: etree._Element, zone: ZoneInfo, namespace: str = SVC) -> None:
        self._element = element
        self._zone = zone
        self._namespace = namespace     # of its children: svc:, or data: inside a data: element

    def data_child(self, name: str) -> RequestFields | None:
        """A data: child element (data:Region) read as fields of its own; absent: None."""
        child = self._element.find(f"{{{DATA}}}{name}")
        return None if child is None else RequestFields(child, self._zone, DATA)

    def values(self, name: str) -> list[str]:
        """The text of every `name` child that is set (absent, empty and nil ones left out)."""
        found = []
        for child in self._element:
            if not isinstance(child.tag, str) or etree.QName(child).localname != name:
                continue
            if etree.QName(child).namespace not in (self._namespace, None) or child.get(XSI_NIL) in ("true", "1"):
                continue
            text = (child.text or "").strip()
            if text:
                found.append(text)
        return found

    def single(self, name: str, required: bool = False) -> str | None:
        found = self.values(name)
        if len(found) > 1:
            raise bad_request(f"{name}: given {len(found)} times, at most once allowed")
        if not found and required:
            raise bad_request(f"{name}: required")
        return found[0] if found else None

    def long(self, name: str, required: bool = False, minimum: int = -INT64) -> int | None:
        raw = self.single(name, required)
        if raw is None:
            return None
        if not _LONG.fullmatch(raw) or not -INT64 <= int(raw) < INT64:
            raise bad_request(f"{name}: {raw!r} is not an xs:long")
        if int(raw) < minimum:
            raise bad_request(f"{name}: {raw} is below {minimum}")
        return int(raw)

    def boolean(self, name: str) -> bool | None:
        raw = self.single(name)
        if raw is None:
            return None
        if raw not in ("true", "false", "1", "0"):
            raise bad_request(f"{name}: {raw!r} is not an xs:boolean (true, false, 1, 0)")
        return raw in ("true", "1")

    def instant_us(self, name: str) -> int | None:
        """An xs:dateTime as microseconds since the epoch (no offset: this server's zone)."""
        raw = self.single(name)
        if raw is None:
            return None
        match = _DATETIME.fullmatch(raw)
        try:
            if not match:
                raise ValueError
            year, month, day, hour, minute, second, fraction, offset = match.groups()
            moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                              int((fraction or "0")[:6].ljust(6, "0")))
            if offset is None:
                moment = moment.replace(tzinfo=self._zone)
            else:
                moment = datetime.fromisoformat(moment.isoformat() + offset.replace("Z", "+00:00"))
        except ValueError:
            raise bad_request(f"{name}: {raw!r} is not an xs:dateTime") from None
        return (moment - EPOCH) // timedelta(microseconds=1)

    def enum_list(self, name: str, type_name: str) -> frozenset[str]:
        """An xs:list of data:`type_name`; empty: no filter."""
        items = {item for raw in self.values(name) for item in _LIST_SEPARATORS.split(raw) if item}
        allowed = enumeration(type_name)
        unknown = sorted(items - set(allowed))
        if unknown:
            raise bad_request(f"{name}: {', '.join(unknown)} not in the v1.1 {type_name} values "
                              f"({', '.join(allowed)})")
        return frozenset(items)

    def enum(self, name: str, type_name: str, default: str) -> str:
        """One value of the enumeration `type_name` (e.g. svc:SoundFormat); absent: `default`."""
        raw = self.single(name)
        if raw is None:
            return default
        allowed = enumeration(type_name)
        if raw not in allowed:
            raise bad_request(f"{name}: {raw} not in the v1.1 {type_name} values ({', '.join(allowed)})")
        return raw

    def phones(self, name: str) -> frozenset[str]:
        """Phone numbers: repeated elements, each possibly a space- or comma-separated list."""
        return frozenset(phone(name, item) for raw in self.values(name)
                         for item in _LIST_SEPARATORS.split(raw) if item)

    def phone(self, name: str) -> str | None:
        raw = self.single(name)
        return None if raw is None else phone(name, raw)

    def string(self, name: str) -> str | None:
        return self.single(name)

    def paging(self) -> Paging:
        first = self.long("FirstResult", minimum=0)
        most = self.long("MaxResults", minimum=0)
        return Paging(first or 0, MAX_RESULTS if most is None else min(most, MAX_RESULTS))


def phone(name: str, raw: str) -> str:
    """A data:PhoneNumber as stored: no `+`, and a 10-digit North American number with its 1."""
    if not _PHONE.fullmatch(raw):
        raise bad_request(f"{name}: {raw!r} is not a phone number (E.164 digits or a short code)")
    digits = raw.removeprefix("+")
    return "1" + digits if len(digits) == 10 and digits.isdigit() and digits[0] in "23456789" else digits
