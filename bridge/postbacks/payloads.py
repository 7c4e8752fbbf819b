"""call-finished and campaign-finished XML from v2 JSON, one element per row of
mappings/postbacks.yaml (no second copy of a mapping here: only the converters)."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from lxml import etree

from bridge.mappings import load
from bridge.translate.convert import ENUM_RESPONSE_CONVERTERS, RESPONSE_CONVERTERS, Conversions

Converter = Callable[[Any, Conversions], Any]   # -> text, a list (repeated elements), or None
_NANP_11 = re.compile(r"1[2-9][0-9]{9}")


def postback_time(value: Any, conv: Conversions) -> str:
    """Unix ms -> `2010-03-24 15:58:18.0` (java.sql.Timestamp's form) in the bridge's zone."""
    ms = int(value)
    moment = datetime.fromtimestamp(ms / 1000, conv.zone)
    fraction = f"{ms % 1000:03d}".rstrip("0") or "0"
    return f"{moment:%Y-%m-%d %H:%M:%S}.{fraction}"


def phone10(value: Any, conv: Conversions) -> str:
    """A NANP number v2 gives as 11 digits is written as CallFire's samples show it: 10 digits."""
    number = str(value)
    return number[1:] if _NANP_11.fullmatch(number) else number


def party_number(call: dict, conv: Conversions) -> str | None:
    number = call.get("fromNumber" if call.get("inbound") else "toNumber")
    return None if number is None else phone10(number, conv)


def dnis_number(call: dict, conv: Conversions) -> str | None:
    number = call.get("toNumber" if call.get("inbound") else "fromNumber")
    return None if number is None else phone10(number, conv)


def strings(values: Any, conv: Conversions) -> list[str]:
    return [str(v) for v in values]


def notes(values: Any, conv: Conversions) -> str:
    return "\n".join(str(note.get("text", "")) for note in values)


def extra_data(attributes: Any, conv: Conversions) -> str:
    return "\n".join(f"{name}={value}" for name, value in attributes.items() if value is not None)


def stored_data(records: Any, conv: Conversions) -> list[dict[str, str]]:
    """<var name="question">response</var> for every IVR answer of every attempt (the last answer wins)."""
    answers: dict[str, str] = {}
    for record in records:
        for answer in record.get("questionResponses") or ():
            answers[str(answer.get("question", ""))] = str(answer.get("response", ""))
    return [{"@name": question, "_": response} for question, response in answers.items()]


def recording_urls(records: Any, conv: Conversions) -> list[str]:
    return [str(r["mp3Url"]) for record in records for r in record.get("recordings") or () if r.get("mp3Url")]


def lower(value: Any, conv: Conversions) -> str:
    return str(value).lower()


def dollars(value: Any, conv: Conversions) -> str:
    return f"${float(value):.2f}"


CONVERTERS: dict[str, Converter] = {
    "postback_time": postback_time, "phone10": phone10, "party_number": party_number,
    "dnis_number": dnis_number, "strings": strings, "notes": notes, "extra_data": extra_data,
    "stored_data": stored_data, "recording_urls": recording_urls, "lower": lower, "dollars": dollars,
}


@cache
def tables() -> dict[str, dict[str, Any]]:
    return load().postbacks


def converter(name: str) -> Converter:
    kind, _, table = name.partition(":")
    if table:
        return ENUM_RESPONSE_CONVERTERS[kind](load().enums[table])
    return CONVERTERS.get(name) or RESPONSE_CONVERTERS[name]


def v2_value(obj: Any, path: str) -> Any:
    """A dot path ("records.-1.duration"; "a|b": the first present) in a v2 object; None when absent."""
    for alternative in path.split("|"):
        node = obj
        for step in alternative.split(".") if alternative else ():
            if isinstance(node, list) and re.fullmatch(r"-?[0-9]+", step):
                node = node[int(step)] if -len(node) <= int(step) < len(node) else None
            elif isinstance(node, dict):
                node = node.get(step)
            else:
                node = None
            if node is None:
                break
        if node is not None:
            return node
    return None


def render(table_name: str, obj: dict, conv: Conversions) -> bytes:
    """The payload of table `table_name` for the v2 object `obj`, as UTF-8 XML with its declaration."""
    table = tables()[table_name]
    root = etree.Element(table["root"])
    for row in table["fields"]:
        *parents, leaf = row["v1"].split("/")
        parent = root
        for name in parents:
            parent = parent.find(name) if parent.find(name) is not None else etree.SubElement(parent, name)
        value = None if row["v2"] == "-" else v2_value(obj, row["v2"])
        if value is not None and "convert" in row:
            value = converter(row["convert"])(value, conv)
        if value is None:
            value = row.get("default")
        if isinstance(value, list):   # repeated `leaf` elements inside the parent (written even when empty)
            for item in value:
                child = etree.SubElement(parent, leaf)
                if isinstance(item, dict):
                    for key, text in item.items():
                        if key.startswith("@"):
                            child.set(key[1:], text)
                    child.text = item.get("_", "")
                else:
                    child.text = item
        else:
            element = etree.SubElement(parent, leaf)
            element.text = None if value is None else str(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def call_finished_table(resource_type: str) -> str | None:
    """The call-finished variant of a v2 call or text event (None: not a call-finished event)."""
    return {"OutboundCall": "call-finished", "InboundCall": "call-finished",
            "OutboundText": "call-finished-text-sent", "InboundText": "call-finished-text-reply"}.get(resource_type)


def campaign_finished_table(resource_type: str) -> str | None:
    return {"CallBroadcast": "campaign-finished", "TextBroadcast": "campaign-finished-text"}.get(resource_type)
