"""ContactService through the in-process bridge and simulator: contacts created or updated by
UpdateContacts (custom attributes as v2 properties and back), queried by field and list,
removed; lists from every ContactSource; members added and removed by id and by number."""
from __future__ import annotations

import base64

from lxml import etree

from conftest import InProcess

SVC = "http://api.callfire.com/service/xsd"
DATA = "http://api.callfire.com/data"


def answer(response) -> etree._Element | None:
    """The Body's element; None for an Empty answer."""
    body = etree.fromstring(response.content).find("{*}Body")
    return body[0] if len(body) else None


def fault(response) -> tuple[str, str]:
    info = etree.fromstring(response.content).find(f".//{{{SVC}}}ServiceFaultInfo")
    assert info is not None, response.text
    return info.findtext(f"{{{SVC}}}FaultCode"), info.findtext(f"{{{SVC}}}Message")


def call(inproc: InProcess, body: str, login: str = "contacts") -> etree._Element | None:
    response = inproc.soap(body, login=login, port="contact")
    assert response.status_code == 200, response.text
    return answer(response)


def contacts_of(result: etree._Element) -> list[dict[str, str]]:
    return [dict(c.attrib) for c in result.iterchildren(f"{{{DATA}}}Contact")]


def query(inproc: InProcess, filters: str, login: str = "contacts") -> list[dict[str, str]]:
    return contacts_of(call(inproc, f"<ns1:QueryContacts>{filters}</ns1:QueryContacts>", login))


def test_update_contacts_creates_then_updates_and_custom_attributes_round_trip(inproc: InProcess) -> None:
    call(inproc, "<ns1:UpdateContacts><d:Contact firstName='Ada' lastName='Byron' homePhone='+12135550911' "
                 "tier='gold'/><d:Contact firstName='Alan' zipcode='90012'/></ns1:UpdateContacts>")
    [ada] = query(inproc, "<ns1:Field>tier</ns1:Field><ns1:String>gold</ns1:String>")
    assert (ada["firstName"], ada["homePhone"], ada["tier"]) == ("Ada", "12135550911", "gold")
    call(inproc, f"<ns1:UpdateContacts><d:Contact id='{ada['id']}' zipcode='94105' vip='yes'/></ns1:UpdateContacts>")
    got = dict(call(inproc, f"<ns1:GetContact><ns1:Id>{ada['id']}</ns1:Id></ns1:GetContact>").attrib)
    assert got == {**ada, "zipcode": "94105", "vip": "yes"}, "an update changes what it names, keeps the rest"
    assert [c["firstName"] for c in query(inproc, "<ns1:Field>zipcode</ns1:Field><ns1:String>90012</ns1:String>")
            if c["firstName"] == "Alan"] == ["Alan"]


def test_an_unknown_id_writes_nothing(inproc: InProcess) -> None:
    response = inproc.soap("<ns1:UpdateContacts><d:Contact firstName='Never'/><d:Contact id='999999' zipcode='1'/>"
                           "</ns1:UpdateContacts>", login="contacts", port="contact")
    assert fault(response) == ("NOT_FOUND", "Contact/@id: contact 999999 does not exist; nothing was changed")
    assert query(inproc, "<ns1:Field>firstName</ns1:Field><ns1:String>Never</ns1:String>") == []
    written = [r for r in inproc.sim_requests("contacts") if r["method"] != "GET"]
    assert written == []


def test_remove_contacts_checks_every_id_then_removes_them(inproc: InProcess) -> None:
    response = inproc.soap("<ns1:RemoveContacts><ns1:ContactId>5 999999</ns1:ContactId></ns1:RemoveContacts>",
                           login="contacts", port="contact")
    assert fault(response)[0] == "NOT_FOUND"
    assert query(inproc, "<ns1:Field>firstName</ns1:Field><ns1:ContactListId>801</ns1:ContactListId>"
                         "<ns1:MaxResults>5</ns1:MaxResults>")[4]["id"] == "5"
    call(inproc, "<ns1:RemoveContacts><ns1:ContactId>5 6</ns1:ContactId></ns1:RemoveContacts>")
    members = {c["id"] for c in query(inproc, "<ns1:ContactListId>801</ns1:ContactListId>")}
    assert {"5", "6"} & members == set() and len(members) == 18


def test_query_contacts_string_needs_a_field(inproc: InProcess) -> None:
    response = inproc.soap("<ns1:QueryContacts><ns1:String>Garcia</ns1:String></ns1:QueryContacts>",
                           login="contacts", port="contact")
    code, message = fault(response)
    assert code == "BAD_REQUEST" and message.startswith("Field: is required")


def test_lists_from_ids_numbers_contacts_and_a_csv_file(inproc: InProcess) -> None:
    by_id = call(inproc, "<ns1:CreateContactList><ns1:Name>By id</ns1:Name><ns1:ContactSource>"
                         "<ns1:ContactId>3 4</ns1:ContactId></ns1:ContactSource></ns1:CreateContactList>").text
    by_number = call(inproc, "<ns1:CreateContactList><ns1:Name>By number</ns1:Name><ns1:ContactSource>"
                             "<ns1:Numbers fieldName='mobilePhone'>12135550103,12135550912</ns1:Numbers>"
                             "</ns1:ContactSource></ns1:CreateContactList>").text
    csv = base64.b64encode(b"FirstName,homePhone,team\nCsv,12135550913,blue\n").decode()
    by_file = call(inproc, "<ns1:CreateContactList><ns1:Name>By file</ns1:Name><ns1:ContactSource>"
                           f"<ns1:File>{csv}</ns1:File></ns1:ContactSource></ns1:CreateContactList>").text
    sizes = {}
    for list_id in (by_id, by_number, by_file):
        got = call(inproc, f"<ns1:GetContactList><ns1:Id>{list_id}</ns1:Id></ns1:GetContactList>")
        sizes[got.findtext(f"{{{DATA}}}Name")] = got.findtext(f"{{{DATA}}}Size")
        assert got.findtext(f"{{{DATA}}}Status") == "ACTIVE"
    assert sizes == {"By id": "2", "By number": "2", "By file": "1"}
    numbered = query(inproc, f"<ns1:ContactListId>{by_number}</ns1:ContactListId>")
    assert numbered[0]["id"] == "3" and numbered[1]["mobilePhone"] == "12135550912"
    upload = next(r for r in inproc.sim_requests("contacts") if r["path"] == "/v2/contacts/lists/upload")
    assert upload["body"]["name"] == "By file" and upload["body"]["file"]["filename"] == "contacts.csv"
    listed = call(inproc, "<ns1:QueryContactLists><ns1:MaxResults>2</ns1:MaxResults></ns1:QueryContactLists>")
    assert listed.findtext(f"{{{SVC}}}TotalResults") == "4"
    assert [e.get("id") for e in listed.iterchildren(f"{{{DATA}}}ContactList")] == [by_file, by_number]


def test_create_contact_list_request_id_creates_once(inproc: InProcess) -> None:
    body = ("<ns1:CreateContactList><ns1:RequestId>list-1</ns1:RequestId><ns1:Name>Once</ns1:Name>"
            "<ns1:ContactSource><ns1:ContactId>3</ns1:ContactId></ns1:ContactSource></ns1:CreateContactList>")
    assert call(inproc, body).text == call(inproc, body).text
    posts = [r for r in inproc.sim_requests("contacts") if r["method"] == "POST"]
    assert len(posts) == 1


def test_members_are_added_and_removed_by_id_number_and_csv(inproc: InProcess) -> None:
    list_id = call(inproc, "<ns1:CreateContactList><ns1:Name>Members</ns1:Name><ns1:ContactSource>"
                           "<ns1:ContactId>3</ns1:ContactId></ns1:ContactSource></ns1:CreateContactList>").text
    call(inproc, f"<ns1:AddContactsToList><ns1:ContactListId>{list_id}</ns1:ContactListId><ns1:ContactSource>"
                 "<ns1:ContactId>4 5</ns1:ContactId></ns1:ContactSource></ns1:AddContactsToList>")
    csv = base64.b64encode(b"12135550914\n12135550915\n").decode()
    call(inproc, f"<ns1:AddContactsToList><ns1:ContactListId>{list_id}</ns1:ContactListId><ns1:ContactSource>"
                 f"<ns1:File>{csv}</ns1:File></ns1:ContactSource></ns1:AddContactsToList>")
    call(inproc, f"<ns1:AddContactsToList><ns1:ContactListId>{list_id}</ns1:ContactListId><ns1:ContactSource>"
                 "<d:Contact firstName='Grace' color='green'/></ns1:ContactSource></ns1:AddContactsToList>")
    members = query(inproc, f"<ns1:ContactListId>{list_id}</ns1:ContactListId>")
    assert [m.get("homePhone") for m in members][3:5] == ["12135550914", "12135550915"]
    assert members[-1]["color"] == "green"
    call(inproc, f"<ns1:RemoveContactsFromList><ns1:ContactListId>{list_id}</ns1:ContactListId>"
                 "<ns1:ContactId>4</ns1:ContactId></ns1:RemoveContactsFromList>")
    call(inproc, f"<ns1:RemoveContactsFromList><ns1:ContactListId>{list_id}</ns1:ContactListId>"
                 "<ns1:Numbers>12135550103 12135550914</ns1:Numbers></ns1:RemoveContactsFromList>")
    left = [m["id"] for m in query(inproc, f"<ns1:ContactListId>{list_id}</ns1:ContactListId>")]
    assert left == [members[2]["id"], members[4]["id"], members[5]["id"]]
    call(inproc, f"<ns1:DeleteContactList><ns1:Id>{list_id}</ns1:Id></ns1:DeleteContactList>")
    gone = inproc.soap(f"<ns1:GetContactList><ns1:Id>{list_id}</ns1:Id></ns1:GetContactList>",
                       login="contacts", port="contact")
    assert fault(gone)[0] == "NOT_FOUND"


def test_a_contact_source_is_one_choice(inproc: InProcess) -> None:
    response = inproc.soap("<ns1:AddContactsToList><ns1:ContactListId>801</ns1:ContactListId><ns1:ContactSource>"
                           "<ns1:ContactId>3</ns1:ContactId><ns1:Numbers>12135550916</ns1:Numbers></ns1:ContactSource>"
                           "</ns1:AddContactsToList>", login="contacts", port="contact")
    assert fault(response) == ("BAD_REQUEST", "ContactSource/Contact or ContactSource/ContactId or ContactSource/File "
                                              "or ContactSource/Numbers: only one may be given")
