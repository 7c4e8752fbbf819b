"""Contacts and contact lists of the v2 simulator over real HTTP: creating, updating and removing
contacts, finding them by id, number, list or property, and lists built from contacts, ids,
numbers or a CSV upload.  Every response of `checked` is checked against CallFire's 2020 Swagger spec."""
from __future__ import annotations

import httpx

from tests.sim_fixtures import checked, login, sim  # noqa: F401  (fixtures)


def ids(page: dict) -> list[int]:
    return [c["id"] for c in page["items"]]


def test_created_contacts_are_found_by_number_and_property_and_updated(checked: httpx.Client) -> None:
    created = checked.post("/contacts", json=[
        {"firstName": "Ada", "lastName": "Byron", "homePhone": "2135550901", "properties": {"tier": "gold"}},
        {"firstName": "Alan", "mobilePhone": "12135550902", "id": 1}]).json()["items"]
    ada, alan = (c["id"] for c in created)
    assert alan == ada + 1 and alan != 1, "ids are assigned, a sent id ignored"
    assert checked.get(f"/contacts/{ada}").json()["homePhone"] == "12135550901"
    assert ids(checked.get("/contacts", params={"number": "12135550902"}).json()) == [alan]
    assert ids(checked.get("/contacts", params={"propertyName": "tier", "propertyValue": "gold"}).json()) == [ada]
    assert ada in ids(checked.get("/contacts", params={"propertyName": "firstName", "propertyValue": "Ada",
                                                       "limit": 500}).json())
    assert checked.put(f"/contacts/{ada}", json={"zipcode": "90012", "properties": {"vip": "yes"}}).status_code == 200
    updated = checked.get(f"/contacts/{ada}").json()
    assert (updated["firstName"], updated["zipcode"], updated["properties"]) == (
        "Ada", "90012", {"tier": "gold", "vip": "yes"}), "fields sent replace, properties merge"


def test_a_removed_contact_is_hidden_from_search_and_cannot_be_updated(checked: httpx.Client) -> None:
    [new] = checked.post("/contacts", json=[{"firstName": "Gone", "homePhone": "12135550903"}]).json()["items"]
    assert checked.delete(f"/contacts/{new['id']}").status_code == 204
    assert ids(checked.get("/contacts", params={"id": new["id"]}).json()) == []
    assert checked.get(f"/contacts/{new['id']}").json()["deleted"] is True
    assert checked.put(f"/contacts/{new['id']}", json={"zipcode": "1"}).status_code == 404
    assert checked.delete("/contacts/999999").status_code == 404


def test_ids_override_the_other_filters_and_pages_go_by_id(checked: httpx.Client) -> None:
    assert ids(checked.get("/contacts", params=[("id", 5), ("id", 3), ("contactListId", 801)]).json()) == [3, 5]
    first = checked.get("/contacts", params={"limit": 3, "offset": 2}).json()
    assert ids(first) == [3, 4, 5] and first["totalCount"] > 1000


def test_lists_from_contacts_ids_and_numbers(checked: httpx.Client) -> None:
    from_ids = checked.post("/contacts/lists", json={"name": "By id", "contactIds": [3, 4]}).json()
    assert (from_ids["name"], from_ids["size"], from_ids["status"]) == ("By id", 2, "ACTIVE")
    by_number = checked.post("/contacts/lists", json={
        "name": "By number", "contactNumbers": ["12135550103", "12135550904"], "contactNumbersField": "workPhone"}).json()
    members = checked.get(f"/contacts/lists/{by_number['id']}/items").json()["items"]
    assert members[0]["id"] == 3, "a number a contact has finds that contact"
    assert members[1]["workPhone"] == "12135550904", "a new number is a new contact, in contactNumbersField"
    new = checked.post("/contacts/lists", json={"name": "New", "contacts": [{"firstName": "Eve"}]}).json()
    assert checked.get("/contacts", params={"contactListId": new["id"]}).json()["items"][0]["firstName"] == "Eve"
    assert checked.post("/contacts/lists", json={"name": "Bad", "contactIds": [999999]}).status_code == 400
    assert checked.post("/contacts/lists", json={"name": "Two", "contactIds": [3], "contactNumbers": ["1"]}).status_code == 400


def test_list_members_are_added_and_removed_and_the_list_deleted(checked: httpx.Client) -> None:
    created = checked.post("/contacts/lists", json={"name": "Members", "contactIds": [3]}).json()["id"]
    assert checked.post(f"/contacts/lists/{created}/items", json={"contactIds": [4, 5, 3]}).status_code == 200
    assert checked.get(f"/contacts/lists/{created}").json()["size"] == 3, "a member is in a list once"
    removed = checked.delete(f"/contacts/lists/{created}/items", params=[("contactId", 3), ("contactId", 5)])
    assert removed.status_code == 204
    assert ids(checked.get(f"/contacts/lists/{created}/items").json()) == [4]
    assert created in ids(checked.get("/contacts/lists", params={"name": "memb"}).json())
    assert checked.delete(f"/contacts/lists/{created}").status_code == 204
    assert checked.get(f"/contacts/lists/{created}").status_code == 404


def test_a_csv_upload_makes_a_list_and_custom_columns_need_use_custom_fields(checked: httpx.Client) -> None:
    csv = b"firstName,lastName,homePhone,team\nAda,Byron,12135550905,red\nAlan,Turing,12135550906,blue\n"
    made = checked.post("/contacts/lists/upload", data={"name": "Upload", "useCustomFields": "true"},
                        files={"file": ("contacts.csv", csv, "text/csv")}).json()
    items = checked.get(f"/contacts/lists/{made['id']}/items").json()["items"]
    assert [(c["firstName"], c["homePhone"], c["properties"]) for c in items] == [
        ("Ada", "12135550905", {"team": "red"}), ("Alan", "12135550906", {"team": "blue"})]
    numbers = checked.post("/contacts/lists/upload", files={"file": ("n.csv", b"12135550907\n12135550908\n", "text/csv")})
    listed = checked.get(f"/contacts/lists/{numbers.json()['id']}").json()
    assert (listed["name"], listed["size"]) == ("n.csv", 2)


def test_the_seeded_list_is_in_every_account(checked: httpx.Client) -> None:
    assert checked.get("/contacts/lists/801").json()["size"] == 20
    assert ids(checked.get("/contacts", params={"contactListId": 801, "limit": 3}).json()) == [1, 2, 3]
