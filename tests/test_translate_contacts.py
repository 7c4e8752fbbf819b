"""ContactService translation without a server: a v1.1 Contact's attributes <-> v2 fields and
properties, ContactSource variants, id and number lists, CSV files read by the bridge."""
from __future__ import annotations

import base64
from zoneinfo import ZoneInfo

import pytest

from bridge.errors import BridgeFault
from bridge.mappings import load
from bridge.translate.convert import MAX_CONTACTS, Conversions, Upload
from bridge.translate.engine import entity_writer, request_map

UTC = Conversions(ZoneInfo("UTC"), load().enums)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_declared_attributes_are_fields_and_the_others_properties() -> None:
    plan = request_map("UpdateContacts").translate({"Contact": [
        {"@id": "7", "@firstName": "Ada", "@homePhone": "+12135550960", "@tier": "gold",
         "@{http://www.w3.org/2001/XMLSchema-instance}type": "x"}, {"@lastName": "New"}]}, UTC)
    assert plan.bridge["contacts"] == [
        {"id": 7, "firstName": "Ada", "homePhone": "12135550960", "properties": {"tier": "gold"}}, {"lastName": "New"}]


def test_properties_come_back_as_attributes_unless_xml_cannot_carry_them() -> None:
    written = entity_writer("Contact")({"id": 3, "firstName": "Maria", "extraPhone1": "12135550961", "properties": {
        "tier": "gold", "has space": "x", "firstName": "shadow", "2nd": "x", "age": None}}, UTC)
    assert written == {"@id": "3", "@firstName": "Maria", "@tier": "gold"}


def test_a_bad_phone_or_id_names_the_attribute() -> None:
    with pytest.raises(BridgeFault, match=r"Contact/@homePhone: 'call me' is not a phone number"):
        request_map("UpdateContacts").translate({"Contact": {"@homePhone": "call me"}}, UTC)
    with pytest.raises(BridgeFault, match=r"Contact/@id: 'x' is not an integer"):
        request_map("UpdateContacts").translate({"Contact": {"@id": "x"}}, UTC)


def test_contact_sources_become_the_v2_list_bodies() -> None:
    translate = request_map("CreateContactList").translate
    ids = translate({"Name": "L", "ContactSource": {"ContactId": ["3 4,5", "5"]}}, UTC)
    assert (ids.path, ids.body) == ("/contacts/lists", {"name": "L", "contactIds": (3, 4, 5)})
    numbers = translate({"Name": "L", "ContactSource": {"Numbers": {"_": "+12135550962, 12135550963"}}}, UTC)
    assert numbers.body == {"name": "L", "contactNumbers": ["12135550962", "12135550963"],
                            "contactNumbersField": "homePhone"}
    upload = translate({"Name": "L", "Validate": "false", "ContactSource": {"File": b64("12135550964\n")}}, UTC)
    assert (upload.path, upload.multipart) == ("/contacts/lists/upload", True)
    assert upload.body == {"name": "L", "file": Upload("contacts.csv", b"12135550964\n", "text/csv")}
    with pytest.raises(BridgeFault, match="fieldName: 'faxPhone' is not one of homePhone, workPhone, mobilePhone"):
        translate({"Name": "L", "ContactSource": {"Numbers": {"_": "12135550962", "@fieldName": "faxPhone"}}}, UTC)


def test_a_csv_added_to_a_list_is_read_by_the_bridge() -> None:
    translate = request_map("AddContactsToList").translate
    with_header = translate({"ContactListId": "801", "ContactSource": {"File": b64(
        "\ufeffFirstName,HOMEPHONE,team\nAda,+12135550965,red\n,,\n")}}, UTC)
    assert with_header.path == "/contacts/lists/801/items"
    assert with_header.body == {"contacts": [{"firstName": "Ada", "homePhone": "12135550965", "properties": {"team": "red"}}]}
    numbers = translate({"ContactListId": "801", "ContactSource": {"File": b64("12135550966, 12135550967\n")}}, UTC)
    assert numbers.body == {"contacts": [{"homePhone": "12135550966"}, {"homePhone": "12135550967"}]}
    assert any(note.startswith("ContactSource/File:") for note in numbers.lossy)
    with pytest.raises(BridgeFault, match="ContactSource/File: the CSV file holds no contacts"):
        translate({"ContactListId": "801", "ContactSource": {"File": b64("firstName\n")}}, UTC)


def test_ids_for_a_query_go_as_repeated_parameters_and_are_bounded() -> None:
    plan = request_map("RemoveContactsFromList").translate({"ContactListId": "801", "ContactId": "3 4"}, UTC)
    assert plan.method == "DELETE" and plan.query == {"contactId": (3, 4)}
    too_many = " ".join(str(i) for i in range(MAX_CONTACTS + 1))
    with pytest.raises(BridgeFault, match=f"ContactId: holds {MAX_CONTACTS + 1} items: at most {MAX_CONTACTS}"):
        request_map("RemoveContacts").translate({"ContactId": too_many}, UTC)


def test_query_contacts_maps_field_and_string_to_a_property_search() -> None:
    plan = request_map("QueryContacts").translate({"Field": "lastName", "String": "Garcia", "ContactListId": "801"}, UTC)
    assert plan.query == {"propertyName": "lastName", "propertyValue": "Garcia", "contactListId": 801}
    assert [note.split(":")[0] for note in plan.lossy] == ["String"]


def test_a_v2_number_that_is_no_phone_number_is_written_as_its_digits_or_left_out() -> None:
    written = entity_writer("Contact")({"id": 9, "homePhone": "(213) 555-0103", "workPhone": "n/a",
                                        "mobilePhone": "+12135550968"}, UTC)
    assert written == {"@id": "9", "@homePhone": "2135550103", "@mobilePhone": "+12135550968"}


def test_an_overlong_id_or_number_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(BridgeFault, match="ContactId: an item of 5000 characters is no id or phone number"):
        request_map("RemoveContacts").translate({"ContactId": "9" * 5000}, UTC)
    with pytest.raises(BridgeFault, match="Numbers: an item of 40 characters"):
        request_map("RemoveContactsFromList").translate({"ContactListId": "1", "Numbers": "1" * 40}, UTC)
    with pytest.raises(BridgeFault, match="Contact/@id: an item of 5000 characters"):
        request_map("UpdateContacts").translate({"Contact": {"@id": "9" * 5000}}, UTC)
