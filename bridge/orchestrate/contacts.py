"""Strategies for ContactService where the rows cannot say it all (mappings/contact.yaml):
UpdateContacts' create-or-update split, the id checks before contacts are written or removed,
CreateContactList's RequestId, and removing list members given by number."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from bridge.errors import BridgeFault, FaultCode
from bridge.orchestrate.generic import Exchange, create, create_once
from bridge.registry import V11Operation
from bridge.translate.convert import MAX_CONTACTS, Upload
from bridge.translate.engine import V2Request

# Ids or numbers per v2 request when they travel as repeated query parameters: keeps URLs short.
PER_REQUEST = 100


def update_contacts(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    """A Contact with an id updates that contact (PUT), the others are created (one POST).  Every
    id is checked first, so an unknown one writes nothing."""
    contacts: list[dict[str, Any]] = plan.bridge.get("contacts", [])
    updates = [contact for contact in contacts if "id" in contact]
    check_contacts_exist(ex, [contact["id"] for contact in updates], "Contact/@id")
    for contact in updates:
        changes = {key: value for key, value in contact.items() if key != "id"}
        ex.v2.put(f"/contacts/{contact['id']}", authorization=ex.authorization, json=changes)
    created = [contact for contact in contacts if "id" not in contact]
    if created:
        ex.v2.post("/contacts", authorization=ex.authorization, json=created)


def remove_contacts(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    ids: tuple[int, ...] = plan.bridge["contact_ids"]
    check_contacts_exist(ex, ids, "ContactId")
    for contact_id in ids:
        ex.v2.delete(f"/contacts/{contact_id}", authorization=ex.authorization)


def create_contact_list(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    """create_once; a CSV upload is claimed by its file's digest (the claim's fingerprint is
    JSON), and a repeat's replay reads the list (the upload's path has no GET)."""
    claimed = replace(plan, body={key: {"sha256": hashlib.sha256(value.content).hexdigest()}
                                  if isinstance(value, Upload) else value for key, value in (plan.body or {}).items()})
    return create_once(ex, op, claimed, replay=lambda created: f"/contacts/lists/{created}",
                       send=lambda: create(ex, op, plan))


def remove_from_list(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    """DELETE the members by contact id; members given by number are the contacts having them."""
    numbers: list[str] | None = plan.bridge.get("numbers")
    ids = contacts_with_numbers(ex, numbers) if numbers else list(plan.query["contactId"])
    for chunk in chunks(ids):
        ex.v2.delete(plan.path, authorization=ex.authorization, params={"contactId": list(chunk)})


def check_contacts_exist(ex: Exchange, ids: Iterable[int], field: str) -> None:
    """NOT_FOUND for the first id v2 does not find (GET /contacts?id=..., which hides removed
    contacts).  A dry run (explain) only shows the requests."""
    wanted = list(dict.fromkeys(ids))
    found: set[int] = set()
    for chunk in chunks(wanted):
        page = ex.v2.get("/contacts", authorization=ex.authorization, params={"id": list(chunk), "limit": len(chunk)})
        found |= {item.get("id") for item in (page or {}).get("items") or ()}
    missing = [contact_id for contact_id in wanted if contact_id not in found]
    if missing and not ex.runtime.dry_run:
        raise BridgeFault(FaultCode.NOT_FOUND, f"{field}: contact {missing[0]} does not exist"
                          + (f" (nor {len(missing) - 1} more)" if len(missing) > 1 else "") + "; nothing was changed")


def contacts_with_numbers(ex: Exchange, numbers: list[str]) -> list[int]:
    """The ids of the contacts that have any of `numbers` in any phone field."""
    ids: dict[int, None] = {}
    for chunk in chunks(numbers):
        page = ex.v2.fetch_range("/contacts", authorization=ex.authorization, params={"number": list(chunk)},
                                 offset=0, count=MAX_CONTACTS)
        ids.update((item["id"], None) for item in page.items if "id" in item)
    return list(ids)


def chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), PER_REQUEST):
        yield values[start:start + PER_REQUEST]
