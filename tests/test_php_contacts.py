"""ContactService from PHP's own SoapClient against the running bridge (CallFire's 2014 WSDL as
served): contacts created with UpdateContacts and found by attribute, a list built from ids and
from numbers, members added and removed, the list read and deleted; stdClass shapes, and arrays
with SOAP_SINGLE_ELEMENT_ARRAYS."""
from __future__ import annotations

from test_php import php, php_call
from test_php_broadcasts import as_list, ok


def members(live, login: str, list_id: int) -> list[dict]:
    return as_list(ok(php_call(live, "QueryContacts", {"ContactListId": list_id}, login=login)).get("Contact"))


def test_a_contact_list_workflow(live, login: str) -> None:
    ok(php_call(live, "UpdateContacts", {"Contact": [
        {"firstName": "Ada", "lastName": "Lovelace", "homePhone": "12135550941", "zipcode": "90012"},
        {"firstName": "Alan", "lastName": "Lovelace", "mobilePhone": "12135550942"}]}, login=login))
    found = php_call(live, "QueryContacts", {"Field": "lastName", "String": "Lovelace"}, login=login)
    contacts = ok(found)["Contact"]
    assert ok(found)["TotalResults"] == 2 and "[Contact] => Array" in found["print_r"]
    ada, alan = sorted(contacts, key=lambda c: c["id"])
    assert (ada["firstName"], ada["homePhone"], ada["zipcode"]) == ("Ada", "12135550941", "90012")

    ok(php_call(live, "UpdateContacts", {"Contact": {"id": alan["id"], "zipcode": "94105"}}, login=login))
    updated = ok(php_call(live, "GetContact", {"Id": alan["id"]}, login=login))
    assert (updated["firstName"], updated["mobilePhone"], updated["zipcode"]) == ("Alan", "12135550942", "94105")

    by_ids = int(ok(php_call(live, "CreateContactList", {
        "RequestId": "urn:list:1", "Name": "Lovelaces", "ContactSource": {"ContactId": f"{ada['id']} {alan['id']}"}},
        login=login)))
    by_numbers = int(ok(php_call(live, "CreateContactList", {
        "Name": "By number", "ContactSource": {"Numbers": {"_": "12135550941 12135550943", "fieldName": "workPhone"}}},
        login=login)))
    listed = [m["id"] for m in members(live, login, by_numbers)]
    assert listed[0] == ada["id"] and len(listed) == 2, "a known number is its contact, a new one a new contact"

    ok(php_call(live, "AddContactsToList", {"ContactListId": by_ids, "ContactSource": {
        "Numbers": "12135550943,12135550944"}}, login=login))
    ok(php_call(live, "AddContactsToList", {"ContactListId": by_ids, "ContactSource": {
        "Contact": {"firstName": "Grace", "homePhone": "12135550945"}}}, login=login))
    assert len(members(live, login, by_ids)) == 5
    ok(php_call(live, "RemoveContactsFromList", {"ContactListId": by_ids, "ContactId": str(alan["id"])}, login=login))
    ok(php_call(live, "RemoveContactsFromList", {"ContactListId": by_ids, "Numbers": "12135550944 12135550945"},
                login=login))
    assert [m["id"] for m in members(live, login, by_ids)] == [ada["id"], listed[1]]

    got = php_call(live, "GetContactList", {"Id": by_ids}, login=login)
    assert (ok(got)["id"], ok(got)["Name"], ok(got)["Size"], ok(got)["Status"]) == (by_ids, "Lovelaces", 2, "ACTIVE")
    assert "[Created] => " in got["print_r"]
    names = [c["Name"] for c in as_list(ok(php_call(live, "QueryContactLists", {"MaxResults": 10}, login=login))
                                        ["ContactList"])]
    assert names[:2] == ["By number", "Lovelaces"], "newest first"

    assert ok(php_call(live, "DeleteContactList", {"Id": by_ids}, login=login)) is None
    gone = php_call(live, "GetContactList", {"Id": by_ids}, login=login)
    assert gone["ServiceFaultInfo"]["FaultCode"] == "NOT_FOUND"
    assert ok(php_call(live, "GetContact", {"Id": ada["id"]}, login=login))["firstName"] == "Ada", "contacts stay"


def test_one_contact_is_an_object_or_with_single_element_arrays_an_array(live, login: str) -> None:
    one = php_call(live, "QueryContacts", {"ContactListId": 801, "MaxResults": 1}, login=login)
    assert isinstance(ok(one)["Contact"], dict) and "[Contact] => stdClass Object" in one["print_r"]
    single = ok(php_call(live, "QueryContacts", {"ContactListId": 801, "MaxResults": 1}, login=login, single=True))
    assert isinstance(single["Contact"], list) and single["Contact"][0]["id"] == 1
    lists = ok(php_call(live, "QueryContactLists", {}, login=login, single=True))["ContactList"]
    assert [c["id"] for c in lists] == [801]


def test_a_csv_file_makes_a_list_and_a_repeated_request_id_creates_once(live, login: str) -> None:
    request = {"RequestId": "urn:list:csv", "Name": "From CSV", "ContactSource": {
        "File": "firstName,lastName,homePhone\nKatherine,Johnson,12135550946\nDorothy,Vaughan,12135550947\n"}}
    first = ok(php_call(live, "CreateContactList", request, login=login))
    assert ok(php_call(live, "CreateContactList", request, login=login)) == first
    uploads = [r for r in live.sim_requests(login) if r["path"] == "/v2/contacts/lists/upload"]
    assert len(uploads) == 1 and uploads[0]["body"]["name"] == "From CSV"
    assert [m["firstName"] for m in members(live, login, int(first))] == ["Katherine", "Dorothy"]


def test_an_unknown_contact_id_is_not_found_and_nothing_is_written(live, login: str) -> None:
    answer = php_call(live, "UpdateContacts", {"Contact": [{"firstName": "Nobody"}, {"id": 999999, "zipcode": "1"}]},
                      login=login)
    assert answer["ServiceFaultInfo"]["FaultCode"] == "NOT_FOUND" and "999999" in answer["faultstring"]
    assert [r for r in live.sim_requests(login) if r["method"] != "GET"] == []


def test_the_documentation_style_script_prints_stdclass_shapes(live, login: str) -> None:
    out = php(live, "contacts.php", login=login)
    assert out.startswith("stdClass Object\n(\n    [TotalResults] => 1\n    [Contact] => stdClass Object\n")
    assert "[firstName] => Mary" in out and "[homePhone] => 12135550951" in out
    assert "[Name] => Jacksons\n    [Size] => 1\n" in out and "[Status] => ACTIVE" in out
