"""Exactly-once creates: the marker a v2 create carries for its v1.1 RequestId (issue 12, defect 2).

A create whose outcome is unknown (a timeout, a reset after sending, a 5xx other than 503) may
have happened in v2.  So every create made for a RequestId carries a marker derived from
(account, operation, RequestId), put where the operation's mapping table says (`marker: {v2:
body.labels, find: query.label}`: one more v2 label, found again with `GET <create path>?label=`),
and before anything is sent again for that RequestId the bridge asks v2 for the marker: found, it
is the created id; not found, nothing was created and the create may be sent.

Marker labels start with PREFIX; they are taken out of every v2 answer before it is written as a
v1.1 answer (`hidden`), and LabelService hides them from QueryLabels.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

PREFIX = "cfb:"     # every marker label starts with it; nothing else the bridge writes does


@dataclass(frozen=True)
class MarkerRule:
    """Where an operation's create carries its marker (`v2`) and how v2 finds it again (`find`)."""

    v2: str     # body.F: appended to the list F of the JSON body
    find: str   # query.Q: GET the create path with Q=<marker>

    @classmethod
    def of(cls, table: dict[str, Any] | None) -> MarkerRule | None:
        raw = (table or {}).get("marker")
        if not raw:
            return None
        rule = cls(raw["v2"], raw["find"])
        if not rule.v2.startswith("body.") or not rule.find.startswith("query."):
            raise ValueError(f"marker: v2 must be body.F and find query.Q, not {raw}")
        return rule

    def tag(self, body: dict[str, Any] | None, marker: str) -> dict[str, Any]:
        """`body` with the marker added (a copy)."""
        field = self.v2.removeprefix("body.")
        tagged = dict(body or {})
        tagged[field] = [*(tagged.get(field) or []), marker]
        return tagged

    def query(self, marker: str) -> dict[str, Any]:
        return {self.find.removeprefix("query."): marker, "limit": 10, "offset": 0}


def marker(account: str, operation: str, request_id: str) -> str:
    digest = hashlib.sha256(f"{account}\0{operation}\0{request_id}".encode()).hexdigest()
    return PREFIX + digest[:32]


def hidden(answer: Any) -> Any:
    """`answer` without marker labels: on the object, and on the objects of its lists (a page's
    items, a contact history's calls; a broadcast's calls inherit its labels).  In place: the
    answer is this request's own parse of v2's JSON.  Only objects carrying `labels` are looked
    into, with a plain loop (a generator per object cost ~2 ms on a 1000-call page)."""
    if isinstance(answer, dict):
        if "labels" in answer:
            _unmark(answer)
        for value in answer.values():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, dict) and "labels" in item:
                        _unmark(item)
    return answer


def _unmark(item: dict[str, Any]) -> None:
    labels = item["labels"]
    if not isinstance(labels, list):
        return
    for label in labels:
        if isinstance(label, str) and label.startswith(PREFIX):
            item["labels"] = [v for v in labels if not (isinstance(v, str) and v.startswith(PREFIX))]
            return
