"""The bound on every v1.1 value that travels in a v2 URL (a `query.` or `path.` row of mappings/).

httpx refuses a URL component over 65,536 characters (`httpx.InvalidURL`) and servers refuse far
shorter request lines, so a 70,000-character LabelName used to fail as an internal error.  Each
such value is bounded here, before translation, by MAX_URL_VALUE characters: a BAD_REQUEST naming
the field.  For the rows whose converter reads a list (`enum_filter:*`, `phone_filter`: State,
Result, ToNumber) the bound is per item, as each item is checked by its converter and phone
numbers go one per v2 request.  Values that travel in a JSON body are bounded by the body's size.
"""
from __future__ import annotations

from typing import Any, Iterator

from bridge.errors import bad_request
from bridge.registry import V11Operation

MAX_URL_VALUE = 2048  # characters; far more than any CallFire id, label, date or recording name
URL_TARGETS = ("query.", "path.")
LIST_CONVERTERS = ("enum_filter:", "phone_filter", "id_list")  # id_list: RemoveContactsFromList ContactId


def _url_rows(op: V11Operation) -> tuple[tuple[str, bool], ...]:
    """(v1 path "A/B" or "A/@x", read as a list) for each row whose value goes into a v2 URL."""
    return tuple((row["v1"], str(row.get("convert", "")).startswith(LIST_CONVERTERS))
                 for row in op.table["request_fields"] if str(row.get("v2", "")).startswith(URL_TARGETS))


def check_url_values(op: V11Operation, request: dict[str, Any]) -> None:
    for path, is_list in _url_rows(op):
        for text in _texts(request, path.split("/")):
            for value in text.replace(",", " ").split() if is_list else [text]:
                if len(value) > MAX_URL_VALUE:
                    raise bad_request(path.replace("/", "."), f"{len(value)} characters, over the bridge's "
                                                              f"limit of {MAX_URL_VALUE} for a value sent in a v2 URL")


def _texts(value: Any, path: list[str]) -> Iterator[str]:
    """Every text at `path` in the reader's dict (lists for repeated elements, "_" for simple content)."""
    if isinstance(value, list):
        for item in value:
            yield from _texts(item, path)
    elif isinstance(value, dict):
        if path:
            if path[0] in value:
                yield from _texts(value[path[0]], path[1:])
        elif "_" in value:
            yield str(value["_"])
    elif not path:
        yield str(value)
