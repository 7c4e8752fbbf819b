"""One account's contacts and contact lists: GET/POST /contacts, PUT/DELETE /contacts/{id},
/contacts/lists (JSON and CSV upload), /contacts/lists/{id} and its /items.

Contacts live in `Account.contacts`, whose seeded dicts are shared by every account: a change
replaces the account's dict, never edits it.  A removed contact is kept, flagged `deleted` (v2:
"deleted contacts are hidden from search results"), so its history stays readable by id.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bridge.sim.broadcasts import page
from bridge.sim.errors import bad_request, not_found
from bridge.sim.seed import DAY_MS, PHONE_FIELDS, SEED_ANCHOR_MS
from bridge.sim.validate import STR, check_shape
from bridge.sim.vocab import nanp_e164

if TYPE_CHECKING:
    from bridge.sim.state import Account

# A contact's own string fields (the rest of a v2 Contact: id, deleted, properties).
CONTACT_FIELDS = ("firstName", "lastName", "zipcode", "homePhone", "workPhone", "mobilePhone",
                  "externalId", "externalSystem", "extraPhone1", "extraPhone2", "extraPhone3")
NUMBER_FIELDS = ("homePhone", "workPhone", "mobilePhone", "extraPhone1", "extraPhone2", "extraPhone3")
CONTACT_SHAPE = {**{name: STR for name in CONTACT_FIELDS}, "id": "integer", "deleted": "boolean",
                 "properties": {"*": STR}}
LIST_BODY = {"contactIds": ["integer"], "contactNumbers": [STR], "contactNumbersField": STR,
             "contacts": [CONTACT_SHAPE], "useCustomFields": "boolean"}
SHAPES = {"CreateContactListRequest": {**LIST_BODY, "name": STR},
          "AddContactListContactsRequest": LIST_BODY}
# The same in every account: list 801 holds the named contacts 1-20.
SEED_LISTS = ({"id": 801, "name": "Customers A", "created": SEED_ANCHOR_MS - 30 * DAY_MS,
               "members": tuple(range(1, 21))},)
FIRST_NEW_LIST_ID = 802


class ContactBook:
    def __init__(self, account: Account) -> None:
        self._account = account
        self._lists = {seed["id"]: {"id": seed["id"], "name": seed["name"], "created": seed["created"],
                                    "status": "ACTIVE", "members": list(seed["members"])} for seed in SEED_LISTS}
        self._next_list = FIRST_NEW_LIST_ID

    # ---- contacts ------------------------------------------------------------------------
    def find(self, ids: frozenset[int], numbers: frozenset[str], list_id: int | None,
             name: str | None, value: str | None, limit: int, offset: int) -> dict:
        """A ContactPage, by id ascending; ids, else numbers, override the other filters."""
        live = [c for c in self._account.contacts.values() if not c.get("deleted")]
        if ids:
            found = [c for c in live if c["id"] in ids]
        elif numbers:
            wanted = {nanp_e164(n) or n for n in numbers}
            found = [c for c in live if wanted & {c.get(f) for f in NUMBER_FIELDS}]
        else:
            members = set(self._list(list_id)["members"]) if list_id is not None else None
            found = [c for c in live if (members is None or c["id"] in members) and _has(c, name, value)]
        return page(sorted(found, key=lambda c: c["id"]), limit, offset)

    def create(self, body: object) -> dict:
        """POST /contacts: a ResourceIdList of the new contacts, in the order sent (ids ignored)."""
        if not isinstance(body, list):
            raise bad_request("body: expected an array of Contact")
        check_shape(body, [CONTACT_SHAPE], "body")
        return {"items": [{"id": self._new(contact)} for contact in body]}

    def update(self, contact_id: int, body: object) -> None:
        """PUT /contacts/{id}: the fields sent replace the stored ones, `properties` key by key."""
        body = check_object_shape(body, CONTACT_SHAPE, "Contact")
        stored = self.contact(contact_id)
        changed = {**stored, **_normalized({k: v for k, v in body.items() if k not in ("id", "properties", "deleted")})}
        if body.get("properties"):
            changed["properties"] = {**stored.get("properties", {}), **body["properties"]}
        self._account.contacts[contact_id] = changed
        self._index(changed)

    def delete(self, contact_id: int) -> None:
        self._account.contacts[contact_id] = {**self.contact(contact_id), "deleted": True}
        for contact_list in self._lists.values():
            if contact_id in contact_list["members"]:
                contact_list["members"].remove(contact_id)

    def contact(self, contact_id: int) -> dict:
        """A contact that is not deleted (GET /contacts/{id} answers deleted ones too)."""
        contact = self._account.contacts.get(contact_id)
        if contact is None or contact.get("deleted"):
            raise not_found(f"contact {contact_id} not found")
        return contact

    # ---- contact lists -------------------------------------------------------------------
    def find_lists(self, name: str | None, limit: int, offset: int) -> dict:
        """A ContactListPage, newest first; `name`: a case-insensitive part of the name."""
        found = [self._wire(c) for c in sorted(self._lists.values(), key=lambda c: -c["id"])
                 if name is None or name.lower() in c["name"].lower()]
        return page(found, limit, offset)

    def get_list(self, list_id: int) -> dict:
        return self._wire(self._list(list_id))

    def create_list(self, body: object, now: int) -> dict:
        """POST /contacts/lists: the new ContactList (the spec answers the list, not an id)."""
        body = check_object_shape(body, SHAPES["CreateContactListRequest"], "CreateContactListRequest")
        if not body.get("name"):
            raise bad_request("name: a contact list needs a name")
        members = self._members(body)
        return self._wire(self._new_list(body["name"], members, now))

    def upload_list(self, form: dict[str, object], now: int) -> dict:
        """POST /contacts/lists/upload: a CSV file (a header row of Contact field names, or one
        number a line); columns that are not Contact fields become properties only with
        useCustomFields=true."""
        upload = form.get("file")
        if not isinstance(upload, tuple):
            raise bad_request("file: a CSV file is required")
        filename, content = upload
        custom = str(form.get("useCustomFields", "false")).lower() == "true"
        contacts = parse_csv(content, custom)
        if not contacts:
            raise bad_request("file: no contacts in the CSV file")
        name = str(form.get("name") or filename or "Uploaded list")
        created = self._new_list(name, [self._new(contact) for contact in contacts], now)
        return {"id": created["id"]}

    def delete_list(self, list_id: int) -> None:
        self._list(list_id)
        del self._lists[list_id]

    def items(self, list_id: int, limit: int, offset: int) -> dict:
        """GET /contacts/lists/{id}/items: a ContactPage in the order the members were added."""
        members = self._list(list_id)["members"]
        return page([self._account.contacts[i] for i in members], limit, offset)

    def add_items(self, list_id: int, body: object) -> None:
        contact_list = self._list(list_id)
        body = check_object_shape(body, SHAPES["AddContactListContactsRequest"], "AddContactListContactsRequest")
        for member in self._members(body):
            if member not in contact_list["members"]:
                contact_list["members"].append(member)

    def remove_items(self, list_id: int, contact_ids: Iterable[int]) -> None:
        """Contacts that are not in the list are ignored (v2 does not say otherwise)."""
        contact_list = self._list(list_id)
        gone = set(contact_ids)
        contact_list["members"] = [m for m in contact_list["members"] if m not in gone]

    # ---- helpers -------------------------------------------------------------------------
    def members(self, list_id: int) -> list[int]:
        """The ids of list `list_id`'s contacts (deleted ones leave their lists), in list order."""
        return list(self._list(list_id)["members"])

    def _list(self, list_id: int) -> dict:
        if list_id not in self._lists:
            raise not_found(f"contact list {list_id} not found")
        return self._lists[list_id]

    def _wire(self, contact_list: dict) -> dict:
        return {"id": contact_list["id"], "name": contact_list["name"], "size": len(contact_list["members"]),
                "created": contact_list["created"], "status": contact_list["status"]}

    def _new_list(self, name: str, members: list[int], now: int) -> dict:
        list_id = self._next_list
        self._next_list += 1
        self._lists[list_id] = {"id": list_id, "name": name, "created": now, "status": "ACTIVE",
                                "members": list(dict.fromkeys(members))}
        return self._lists[list_id]

    def _members(self, body: dict) -> list[int]:
        """The contact ids a list body names: new contacts, existing ids, or numbers."""
        sources = [key for key in ("contacts", "contactIds", "contactNumbers") if body.get(key)]
        if len(sources) != 1:
            raise bad_request("contacts, contactIds, contactNumbers: give exactly one")
        if sources == ["contacts"]:
            return [self._new(contact) for contact in body["contacts"]]
        if sources == ["contactIds"]:
            known = self._account.contacts
            unknown = [i for i in body["contactIds"] if i not in known or known[i].get("deleted")]
            if unknown:
                raise bad_request(f"contactIds: contact {unknown[0]} does not exist")
            return list(body["contactIds"])
        field = body.get("contactNumbersField") or "homePhone"
        if field not in NUMBER_FIELDS:
            raise bad_request(f"contactNumbersField: {field!r} is not one of {', '.join(NUMBER_FIELDS)}")
        return [self._by_number(raw, field) for raw in body["contactNumbers"]]

    def _by_number(self, raw: str, field: str) -> int:
        """The contact that has this number, else a new one with it in `field`."""
        number = nanp_e164(raw)
        if number is None:
            raise bad_request(f"contactNumbers: {raw!r} is not a phone number")
        owner = self._account.phone_index.get(number)
        if owner is not None and not self._account.contacts[owner[0]].get("deleted"):
            return owner[0]
        return self._new({field: number})

    def _new(self, contact: dict) -> int:
        contact_id = self._account.take("contact")
        stored = {"id": contact_id, **_normalized({k: v for k, v in contact.items() if k not in ("id", "deleted")})}
        self._account.contacts[contact_id] = stored
        self._index(stored)
        return contact_id

    def _index(self, contact: dict) -> None:
        """Numbers no contact had yet now find this one (calls to them reuse it)."""
        for field in PHONE_FIELDS:
            if field in contact:
                self._account.phone_index.setdefault(contact[field], (contact["id"], field))


def check_object_shape(body: object, shape: dict, definition: str) -> dict:
    if not isinstance(body, dict):
        raise bad_request(f"body: expected a {definition} object")
    check_shape(body, shape, "body")
    return body


def parse_csv(content: bytes, custom_fields: bool) -> list[dict]:
    """A CSV of contacts: a header row naming Contact fields (any case), else one number a line."""
    rows = [row for row in csv.reader(io.StringIO(content.decode("utf-8-sig", "replace"))) if any(c.strip() for c in row)]
    if not rows:
        return []
    by_lower = {name.lower(): name for name in CONTACT_FIELDS}
    header = [cell.strip() for cell in rows[0]]
    if not any(cell.lower() in by_lower for cell in header):
        return [{"homePhone": cell.strip()} for row in rows for cell in row if nanp_e164(cell.strip())]
    contacts = []
    for row in rows[1:]:
        contact: dict = {}
        for name, cell in zip(header, row):
            if not cell.strip():
                continue
            if name.lower() in by_lower:
                contact[by_lower[name.lower()]] = cell.strip()
            elif custom_fields:
                contact.setdefault("properties", {})[name] = cell.strip()
        if contact:
            contacts.append(contact)
    return contacts


def _normalized(fields: dict) -> dict:
    """Phone fields as 11 digits where they are NANP numbers (v2 does not validate on create)."""
    return {k: (nanp_e164(v) or v) if k in NUMBER_FIELDS else v for k, v in fields.items()}


def _has(contact: dict, name: str | None, value: str | None) -> bool:
    """propertyName/propertyValue: a contact field or a property, matched exactly."""
    if name is None and value is None:
        return True
    fields = {**contact.get("properties", {}), **{k: contact[k] for k in CONTACT_FIELDS if k in contact}}
    if name is None:
        return value in fields.values()
    return name in fields and (value is None or fields[name] == value)
