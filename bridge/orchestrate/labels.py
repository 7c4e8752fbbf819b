"""Strategies for LabelService, where v1.1's label collection is only names on v2 objects.

v1.1 kept labels as a collection of their own; v2 has none: a label is a string in the `labels`
array of a call broadcast, a text broadcast or a number lease, and exists only while something
carries it.  So labelling is a read-modify-write of that array (GET, then PUT the whole array),
QueryLabels gathers the arrays of every holder, and DeleteLabel finds the holders by v2's label
filter and PUTs each back without the label.

Labels starting with markers.PREFIX are the bridge's own markers on what it created (a RequestId's
marker, bridge.orchestrate.markers): never listed, never removed, never accepted as a LabelName.
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Any, Callable

from bridge.errors import bad_request
from bridge.orchestrate.broadcasts import first_found, on_kind
from bridge.orchestrate.generic import Exchange, table_plan
from bridge.orchestrate.markers import PREFIX as INTERNAL_PREFIX
from bridge.registry import V11Operation
from bridge.translate.convert import Conversions
from bridge.translate.engine import V2Request, entity_writer

log = logging.getLogger(__name__)

# The most items read from each holder list, per QueryLabels or per DeleteLabel round: at
# v2_page_size 1000 that is up to 10 GETs per list (the first alone, the rest concurrently).
MAX_HOLDERS = 10_000


@dataclasses.dataclass(frozen=True)
class Holders:
    """A v2 list whose items carry `labels`: its path, the query parameter that filters it by
    one label, and the item field that names the item's own path (`{path}/{item[key]}`)."""

    path: str
    label_filter: str
    key: str


CALL_BROADCASTS = Holders("/calls/broadcasts", "label", "id")
TEXT_BROADCASTS = Holders("/texts/broadcasts", "label", "id")
NUMBER_LEASES = Holders("/numbers/leases", "labelName", "number")
HOLDERS = (CALL_BROADCASTS, TEXT_BROADCASTS, NUMBER_LEASES)


# ---- plan: the LabelName checks the tables cannot state -----------------------------------------

def label_plan(op: V11Operation, request: dict[str, Any], conv: Conversions) -> V2Request:
    """The table's plan, refusing a blank LabelName and the bridge's own labels."""
    plan = table_plan(op, request, conv)
    label_name(plan)
    return plan


def label_name(plan: V2Request) -> str:
    """The one label the plan names: body.labels (Label*/Unlabel*) or query.label (DeleteLabel)."""
    given = (plan.body or {}).get("labels") or [plan.query.get("label") or ""]
    name = str(given[0])
    if not name.strip():
        raise bad_request("LabelName", "is empty")
    if name.startswith(INTERNAL_PREFIX):
        raise bad_request("LabelName", f"labels starting with {INTERNAL_PREFIX!r} are the bridge's own and "
                                       "cannot be set or removed through LabelService")
    return name


# ---- one holder: read its labels, PUT them back changed ------------------------------------------

def with_label(labels: list[str], name: str) -> list[str]:
    return labels if name in labels else [*labels, name]


def without_label(labels: list[str], name: str) -> list[str]:
    return [label for label in labels if label != name]


def relabel(ex: Exchange, path: str, holder: dict[str, Any], change: Callable[[list[str]], list[str]]) -> bool:
    """PUT `path` with its labels changed, only when they change; whether a PUT was sent.
    The PUT carries `labels` alone: v2 keeps the fields a PUT leaves out."""
    labels = list(holder.get("labels") or [])
    changed = change(labels)
    if changed == labels:
        return False
    ex.v2.put(path, authorization=ex.authorization, json={"labels": changed})
    return True


def _get(ex: Exchange, path: str) -> Any:
    return ex.v2.get(path, authorization=ex.authorization)


def label_broadcast(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    name = label_name(plan)
    kind, broadcast = first_found(lambda k: _get(ex, on_kind(plan.path, k)))
    relabel(ex, on_kind(plan.path, kind), broadcast, lambda labels: with_label(labels, name))


def unlabel_broadcast(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    name = label_name(plan)
    kind, broadcast = first_found(lambda k: _get(ex, on_kind(plan.path, k)))
    relabel(ex, on_kind(plan.path, kind), broadcast, lambda labels: without_label(labels, name))


def label_number(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    name = label_name(plan)
    relabel(ex, plan.path, _get(ex, plan.path), lambda labels: with_label(labels, name))


def unlabel_number(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    name = label_name(plan)
    relabel(ex, plan.path, _get(ex, plan.path), lambda labels: without_label(labels, name))


# ---- every holder: QueryLabels and DeleteLabel ---------------------------------------------------

def _read(ex: Exchange, holders: Holders, params: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The first MAX_HOLDERS items of a holder list, and how many it has."""
    page = ex.v2.fetch_range(holders.path, authorization=ex.authorization, params=params, offset=0,
                             count=MAX_HOLDERS)
    return page.items, page.total_count


def gather_labels(ex: Exchange) -> list[str]:
    """Every label some holder carries, the bridge's own left out, sorted by name (v2 keeps no
    order of labels; a stable one lets FirstResult/MaxResults page)."""
    found: set[str] = set()
    for holders in HOLDERS:
        items, total = _read(ex, holders, {})
        if total > len(items) and not ex.runtime.dry_run:  # explain's stand-in for v2 has endless lists
            log.warning("QueryLabels read the labels of the first %d of %d items of %s", len(items), total,
                        holders.path)
        found.update(label for item in items for label in item.get("labels") or ())
    return sorted(label for label in found if not label.startswith(INTERNAL_PREFIX))


def query_labels(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    labels = gather_labels(ex)
    offset, count = plan.paging["offset"], plan.paging["count"]
    return {"labels": labels[offset:offset + count], "totalCount": len(labels)}


def labels_respond(op: V11Operation, answer: Any, plan: V2Request, conv: Conversions) -> dict[str, Any]:
    """TotalResults and the Label elements: rows with v2 "-" (the bridge built the list), each
    label written by the row's entity table."""
    rows = {row["v1"]: row for row in op.table["response_fields"]}
    write = entity_writer(rows["Label"]["entity"])
    return {"TotalResults": str(answer["totalCount"]), "Label": [write(label, conv) for label in answer["labels"]]}


def delete_label(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    """Removes the label from every holder, list by list, in HOLDERS order.  A PUT that fails
    stops the work with that fault: the holders before it no longer carry the label, it and the
    rest still do, and the same DeleteLabel again finds only those and finishes the job.  A label
    nothing carries is already deleted: no fault."""
    name = label_name(plan)
    for holders in HOLDERS:
        while True:  # a round reads at most MAX_HOLDERS; what it unlabels drops out of the filter
            items, total = _read(ex, holders, {holders.label_filter: name})
            # v2's filter is trusted to find, not to decide: only items that carry it are PUT.
            sent = [relabel(ex, f"{holders.path}/{item[holders.key]}", item, lambda ls: without_label(ls, name))
                    for item in items if name in (item.get("labels") or ()) and holders.key in item]
            if total <= len(items) or not any(sent):
                break
