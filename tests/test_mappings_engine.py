"""The tables are what runs: every row lands where its v2 column says, every converter the
tables name exists and is used, and the engine reads the tables and nothing else (a copy of
the tables with one value changed changes the translation)."""
from __future__ import annotations

import base64
import copy
import json
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from bridge.config import MAPPINGS_DIR
from bridge.contract.variants import Contract
from bridge.errors import BridgeFault, fault_for
from bridge.mappings import load
from bridge.reference.catalog import enum_of
from bridge.translate import engine
from bridge.translate.engine import entity_writer, request_map
from bridge.translate.contact import get_contact_history
from bridge.translate.convert import (
    ENUM_REQUEST_CONVERTERS, ENUM_RESPONSE_CONVERTERS, REQUEST_CONVERTERS, RESPONSE_CONVERTERS, Conversions)
from bridge.v2.client import status_error

from conftest import REFERENCE

TABLES = load()
UTC = Conversions(ZoneInfo("UTC"), TABLES.enums)  # the default: CallFire's 2014 contract
LIVE = Conversions(ZoneInfo("UTC"), TABLES.enums, Contract.LIVE)
NUMBER = "13105551212"
REQUEST_SAMPLES: dict[str, Any] = {
    "long": "7", "int": "7", "max_results": "5", "first_result": "3", "boolean": "true", "string": "sample",
    "string_list": ["sample"], "datetime_ms": "2014-03-07T12:01:59Z", "local_time_begin": "09:30:00",
    "local_time_end": "17:45:00", "phone": NUMBER, "phone_filter": NUMBER,
    "recipients": [{"_": NUMBER, "@ClientData": "client-1"}], "phone_digit": "1", "dialplan_xml": "<dialplan/>",
    "local_time": "09:30:15", "local_date": "2014-03-07",
    "sound_file": base64.b64encode(b"RIFF\x24\x00\x00\x00WAVEfmt ").decode(), "path_segment": "sample",
    "phone_list": f"{NUMBER} 18185551212", "word_list": "SUN MOON",
    # ContactService: a Contact with every declared attribute; a CSV naming two contact fields
    "contacts": [{f"@{name}": NUMBER if name.endswith("Phone") else "7" if name == "id" else "sample"
                  for name in ("id", "firstName", "lastName", "zipcode", "homePhone", "workPhone", "mobilePhone",
                               "externalId", "externalSystem")}],
    "id_list": "7", "phone_list": NUMBER, "contact_phone_field": "workPhone",
    "csv_file": base64.b64encode(b"firstName,homePhone\nsample,13105551212\n").decode(),
    "csv_contacts": base64.b64encode(b"firstName,homePhone\nsample,13105551212\n").decode(),
}
MP3_HEAD = base64.b64encode(b"\xff\xfb\x18\xc4" + bytes(8)).decode()  # an MPEG-1 Layer III frame header
RESPONSE_SAMPLES: dict[str, Any] = {
    "long": 7, "int": 7, "float": 1.5, "ms_datetime": 1394193719000, "boolean_out": True, "string": "sample",
    "label": ["sample"], "local_time": {"hour": 9, "minute": 30, "second": 0},
    "local_date": {"year": 2014, "month": 3, "day": 7},
    "ms_date": 1394193719000, "xs_list": [NUMBER, "18185551212"],
    "local_date": {"year": 2014, "month": 3, "day": 7}, "contact_phone": NUMBER,
}
BROADCAST_CONFIGS: dict[str, dict[str, str]] = {  # what the rules of CreateBroadcast/UpdateBroadcast need
    "VoiceBroadcastConfig": {}, "TextBroadcastConfig": {"Message": "base"},
    "IvrBroadcastConfig": {"DialplanXml": "<dialplan name='base'/>"}}


def broadcast_request(path: str, **attributes: str) -> dict[str, Any]:
    """A Broadcast holding the config the row's path names (a voice config when it names none)."""
    config = next((c for c in BROADCAST_CONFIGS if f"/{c}/" in f"/{path}/"), "VoiceBroadcastConfig")
    return {"Broadcast": {**attributes, config: dict(BROADCAST_CONFIGS[config])}}


BASE_REQUESTS: dict[str, Callable[[str], dict[str, Any]]] = {
    "QueryCalls": lambda path: {},
    "GetCall": lambda path: {"Id": "1"},
    "GetContactHistory": lambda path: {"ContactId": "1"},
    "SendCall": lambda path: {
        "ToNumber": [{"_": "13105550000"}],
        **({"IvrBroadcastConfig": {"DialplanXml": "<dialplan name='base'/>"}} if path.startswith("IvrBroadcastConfig")
           else {"VoiceBroadcastConfig": {"MachineSoundText" if "LiveSound" in path else "LiveSoundText": "base"}})},
    "CreateBroadcast": lambda path: broadcast_request(path),
    "QueryBroadcasts": lambda path: {},
    "GetBroadcast": lambda path: {"Id": "1"},
    "UpdateBroadcast": lambda path: broadcast_request(path, **{"@id": "1"}),
    "GetBroadcastStats": lambda path: {"Id": "1"},
    "ControlBroadcast": lambda path: {"Id": "1", "MaxActive": "5"},
    "CreateContactBatch": lambda path: {"BroadcastId": "1", **(
        {"ContactListId": "5"} if path == "ContactListId" else {"ToNumber": [{"_": "13105550000"}]})},
    "QueryContactBatches": lambda path: {"BroadcastId": "1"},
    "GetContactBatch": lambda path: {"Id": "1"},
    "ControlContactBatch": lambda path: {"Id": "1"},
    "CreateBroadcastSchedule": lambda path: {"BroadcastId": "1", "BroadcastSchedule": {
        "StartTimeOfDay": "08:00:00", "StopTimeOfDay": "18:00:00", "TimeZone": "America/New_York"}},
    "QueryBroadcastSchedule": lambda path: {"BroadcastId": "1"},
    "GetBroadcastSchedule": lambda path: {"Id": "1"},
    "DeleteBroadcastSchedule": lambda path: {"Id": "1"},
    # CallService sounds: one source of CreateSound's choice; a recording by id or by call and name
    "CreateSound": lambda path: ({"SoundText": "base"} if path.startswith("SoundText")
                                 else {"RecordingCall": {"ToNumber": "13105550000"}} if path.startswith("RecordingCall")
                                 else {"Data": MP3_HEAD}),
    "QuerySoundMeta": lambda path: {},
    "GetSoundMeta": lambda path: {"Id": "1"},
    "GetSoundData": lambda path: {"Id": "1", "Format": "WAV"},
    "GetRecordingData": lambda path: {"CallId": "1", "Name": "base"} if path in ("CallId", "Name") else {"RecordingId": "1"},
    # TextService (mappings/text.yaml)
    "SendText": lambda path: {"ToNumber": [{"_": "13105550000"}], "TextBroadcastConfig": {"Message": "base"}},
    "QueryTexts": lambda path: {},
    "GetText": lambda path: {"Id": "1"},
    "CreateAutoReply": lambda path: {"AutoReply": {"Number": "12135551189", "Match": "base", "Message": "base"}},
    "QueryAutoReplies": lambda path: {},
    "GetAutoReply": lambda path: {"Id": "1"},
    "DeleteAutoReply": lambda path: {"Id": "1"},
    # NumberService (mappings/number.yaml): keywords and numbers are ordered apart
    "QueryRegions": lambda path: {},
    "QueryNumbers": lambda path: {},
    "GetNumber": lambda path: {"Number": "18185551212"},
    "ConfigureNumber": lambda path: {"Number": "18185551212", "NumberConfiguration": {}},
    "SearchAvailableNumbers": lambda path: {"Count": "3", "Region": {"Zipcode": "90401"}},
    "QueryKeywords": lambda path: {},
    "SearchAvailableKeywords": lambda path: {"Keywords": "base"},
    "CreateNumberOrder": lambda path: ({"Keywords": "base"} if path == "Keywords"
                                       else {"BulkTollFree": {"Count": "1"}} if path == "Numbers"
                                       else {"Numbers": "18185551212"}),
    "GetNumberOrder": lambda path: {"Id": "1"},
    "Release": lambda path: {"Number": "18185551212"},
    # LabelService (mappings/label.yaml)
    "DeleteLabel": lambda path: {"LabelName": "base"},
    "QueryLabels": lambda path: {},
    "LabelBroadcast": lambda path: {"Id": "1", "LabelName": "base"},
    "UnlabelBroadcast": lambda path: {"Id": "1", "LabelName": "base"},
    "LabelNumber": lambda path: {"Number": "12135551189", "LabelName": "base"},
    "UnlabelNumber": lambda path: {"Number": "12135551189", "LabelName": "base"},
    # SubscriptionService: the whole subscription, as Create and Update need it; Enabled and
    # NotificationFormat not at their defaults, so the samples change them
    **{name: (lambda path, name=name: {"Subscription": {
        "Endpoint": "https://example.com/n", "TriggerEvent": "OUTBOUND_CALL_FINISHED", "Enabled": "false",
        "NotificationFormat": "JSON",
        **({"@id": "1"} if name == "UpdateSubscription" else {})}}) for name in ("CreateSubscription", "UpdateSubscription")},
    "QuerySubscriptions": lambda path: {},
    "GetSubscription": lambda path: {"Id": "1"},
    "DeleteSubscription": lambda path: {"Id": "1"},
    # ContactService (mappings/contact.yaml): the ContactSource choice the row's path names
    "QueryContacts": lambda path: {"Field": "base"} if path == "String" else {},
    "UpdateContacts": lambda path: {"Contact": [{"@firstName": "base"}]},
    "RemoveContacts": lambda path: {"ContactId": "1"},
    "GetContact": lambda path: {"Id": "1"},
    "CreateContactList": lambda path: {"Name": "base", "ContactSource": contact_source(path)},
    "QueryContactLists": lambda path: {},
    "GetContactList": lambda path: {"Id": "1"},
    "DeleteContactList": lambda path: {"Id": "1"},
    "AddContactsToList": lambda path: {"ContactListId": "1", "ContactSource": contact_source(path)},
    "RemoveContactsFromList": lambda path: {"ContactListId": "1",
                                            **({"Numbers": "13105550000"} if path == "Numbers" else {"ContactId": "1"})},
}


def contact_source(path: str) -> dict[str, Any]:
    """A ContactSource holding the choice the row's path names (contact ids when it names none)."""
    choice = path.split("/")[1] if path.startswith("ContactSource/") else "ContactId"
    return {"Contact": {"Contact": [{"@firstName": "base"}]},
            "ContactId": {"ContactId": "1"},
            "File": {"File": base64.b64encode(b"firstName,homePhone\nbase,13105550000\n").decode()},
            "Numbers": {"Numbers": {"_": "13105550000"}}}[choice]

@cache
def swagger() -> dict[str, Any]:
    return json.loads((REFERENCE / "v2" / "swagger.json").read_text(encoding="utf-8"))


def v2_sample(definition: str, path: str) -> Any:
    """A value of the type the v2 spec gives the field at `path` of `definition`."""
    node: dict[str, Any] = {"$ref": f"#/definitions/{definition}"}
    for step in path.split("."):
        if "additionalProperties" in node:
            node = node["additionalProperties"]
            continue
        node = swagger()["definitions"][node["$ref"].rpartition("/")[2]]["properties"][step]
    if path == "toNumber":
        return NUMBER
    return {"integer": 7, "number": 1.5, "boolean": True, "string": "sample", "array": []}.get(node.get("type", ""), {})


def exact_value(table: str, avoid: str | None = None) -> tuple[str, str]:
    """(v1, v2) of a value both sides share; not `avoid` (a default would change nothing)."""
    value = next(v for v in TABLES.enums[table].values if v.v1 and v.v2 and not v.lossy and v.v1 != avoid)
    return value.v1, value.v2


def request_sample(convert: str) -> Any:
    return exact_value(enum_of(convert))[0] if enum_of(convert) else REQUEST_SAMPLES[convert]


def type_sample(operation: str, base: dict[str, Any]) -> str | None:
    """A Type the base request's config agrees with (SendCall: VOICE, SendText: TEXT); None
    when no rule ties Type to a config."""
    for rule in TABLES.operations[operation].get("rules", ()):
        for value, config in rule.get("type_matches_config", {}).items():
            if config in base:
                return value
    return None


def put(target: dict[str, Any], path: list[str], value: Any) -> None:
    for step in path[:-1]:
        target = target.setdefault(step, {})
    target[path[-1]] = value


def flatten(value: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """Dicts by dot path; a list of objects by the paths of its items' fields."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}")
    elif isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
        for item in value:
            yield from flatten(item, prefix)
    else:
        yield prefix, value


def plan_values(plan: engine.V2Request) -> dict[str, Any]:
    values = {"path": plan.path}
    for kind in ("query", "paging", "bridge"):
        values.update(flatten(getattr(plan, kind), kind))
    values.update(flatten(plan.body or {}, "body"))
    return values


def changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def request_rows() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, op in TABLES.operations.items():
        for row in op["request_fields"]:
            if "via" not in row and row["v2"] != "-":
                yield name, row


@pytest.mark.parametrize("operation, row",
                         [pytest.param(name, row) for name, row in request_rows()],
                         ids=lambda v: v if isinstance(v, str) else v["v1"])
def test_a_request_field_changes_exactly_the_v2_places_its_row_names(operation: str, row: dict[str, Any]) -> None:
    base = BASE_REQUESTS[operation](row["v1"])
    request = copy.deepcopy(base)
    put(request, row["v1"].split("/"), type_sample(operation, base) or request_sample(row["convert"])
        if row["v1"] == "Type" else request_sample(row["convert"]))
    translate = engine.request_map(operation).translate
    moved = changed(plan_values(translate(base, UTC)), plan_values(translate(request, UTC)))
    kind = row["v2"].partition(".")[0]
    new_endpoint = engine.request_map(operation).endpoint(base) != engine.request_map(operation).endpoint(request)
    if kind == "bridge":  # a value the bridge acts on (its v2_fields say where it ends up): only it moves
        assert moved and all(key == row["v2"] or key.startswith(row["v2"] + ".") or (key == "path" and new_endpoint)
                             for key in moved)
        return
    if kind in ("path", "paging"):
        expected = {"path" if kind == "path" else row["v2"]}
    else:
        expected = set(row.get("v2_fields") or [row["v2"]])
        expected |= {r["v2"] for r in TABLES.operations[operation]["request_fields"] if r.get("via") == row.get("convert")}
    if engine.request_map(operation).endpoint(base) != engine.request_map(operation).endpoint(request):
        expected.add("path")  # the field picks another endpoint (GetSoundData's Format)
    assert moved == expected


def entity_rows() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, entity in TABLES.entities.items():
        if not entity["v2"].endswith("[]"):  # Label items are strings, not objects: checked below
            for row in entity["fields"]:
                if row["v2"] != "-":
                    yield name, row


def response_sample(row: dict[str, Any]) -> Any:
    if "entity" in row:
        return [{}]
    if enum_of(row.get("convert", "")):
        value = exact_value(enum_of(row["convert"]), avoid=row.get("default"))[1]
        return [value] if row["convert"].startswith("enum_list:") else value  # a v2 array
    return RESPONSE_SAMPLES.get(row.get("convert", "string"))


@pytest.mark.parametrize("entity, row",
                         [pytest.param(name, row) for name, row in entity_rows()],
                         ids=lambda v: v if isinstance(v, str) else v["v1"])
def test_a_v2_field_fills_exactly_the_v1_element_its_row_names(entity: str, row: dict[str, Any]) -> None:
    obj: dict[str, Any] = {}
    sampled = list(row.get("v2_fields") or [row["v2"].split("|")[0]])
    for path in row.get("v2_fields", ()):  # a converter or table of the whole object: typed samples
        put(obj, path.split("."), v2_sample(TABLES.entities[entity]["v2"], path))
    if not row.get("v2_fields"):
        put(obj, row["v2"].split("|")[0].split("."), response_sample(row))
    if "only_if" in row:  # the row is written only with that field present
        sampled.append(row["only_if"])
        put(obj, row["only_if"].split("."), v2_sample(TABLES.entities[entity]["v2"], row["only_if"]))
    write = engine.entity_writer(entity)
    live_only = row.get("contract") == "live"
    conv = LIVE if live_only else UTC
    before, after = write({}, conv), write(obj, conv)
    if live_only:
        assert row["v1"] not in write(obj, UTC), "the 2014 contract has no such element: never written"
    others = [r for r in TABLES.entities[entity]["fields"] if r is not row]
    # Rows that read a sampled field change with it (Created also fills Modified: modified|created);
    # rows that read it among others, or are only_if/unless it, may (VoiceBroadcastConfig unless dialplanXml).
    readers = {r["v1"] for r in others if set(sampled) & set(r["v2"].split("|"))}
    maybe = {r["v1"] for r in others
             if set(sampled) & {r.get("only_if"), r.get("unless"), *r.get("v2_fields", ())}}
    assert {row["v1"]} | readers <= changed(before, after) <= {row["v1"]} | readers | maybe
    if row.get("default") is not None:
        assert before[row["v1"]] == row["default"], "the default is written when v2 omits the field"


@pytest.mark.parametrize("entity", [pytest.param(n) for n, e in TABLES.entities.items()
                                    if any(r["v2"] == "-" for r in e["fields"])])
def test_rows_without_a_v2_source_are_never_written(entity: str) -> None:
    """... unless they have a default: the constant a required element needs (TextUsageStats/Duration 0)."""
    rows = TABLES.entities[entity]["fields"]
    absent = {r["v1"] for r in rows if r["v2"] == "-" and "default" not in r}
    constant = {r["v1"]: r["default"] for r in rows if r["v2"] == "-" and "default" in r}
    full = {r["v2"].split("|")[0]: response_sample(r) for r in rows if r["v2"] not in ("", "-")}
    written = engine.entity_writer(entity)(full, UTC)
    assert absent.isdisjoint(written)
    assert {name: written.get(name) for name in constant} == constant


@pytest.mark.parametrize("entity", ["Call", "Text"])
def test_to_number_reads_exactly_the_v2_fields_its_row_lists(entity: str) -> None:
    row = next(r for r in TABLES.entities[entity]["fields"] if r["v1"] == "ToNumber")
    assert row["v2_fields"] == ["toNumber", "attributes"]
    write = engine.entity_writer(entity)
    assert write({"toNumber": NUMBER, "attributes": {"ClientData": "c-1"}}, UTC)["ToNumber"] == {
        "_": NUMBER, "@ClientData": "c-1"}
    assert write({"toNumber": NUMBER}, UTC)["ToNumber"] == {"_": NUMBER}
    # Every recipient attribute, through xs:anyAttribute; a name XML cannot carry is dropped.
    attributes = {"ClientData": "c-1", "member_id": "M7", "appointment-id": "A 1", "2nd": "x", "has space": "x",
                  "ns:name": "x", "xmlns": "x"}
    assert write({"toNumber": NUMBER, "attributes": attributes}, UTC)["ToNumber"] == {
        "_": NUMBER, "@ClientData": "c-1", "@member_id": "M7", "@appointment-id": "A 1"}


def test_the_label_table_writes_each_label_string() -> None:
    table = TABLES.entities["Label"]
    users = [(name, row) for name, e in TABLES.entities.items() for row in e["fields"]
             if row.get("entity") == "Label"]
    assert {name for name, _ in users} == {"Call", "Text"}
    for name, row in users:
        written = engine.entity_writer(name)({row["v2"]: ["vip", "q3"]}, UTC)[row["v1"]]
        assert written == [{"Name": "vip"}, {"Name": "q3"}]
        assert all(list(item) == [r["v1"] for r in table["fields"]] for item in written)


def test_paging_rows_become_the_limit_and_offset_their_rows_list() -> None:
    plan = get_contact_history({"ContactId": "1", "MaxResults": "5", "FirstResult": "2"}, UTC)
    fields = {f for r in TABLES.operations["GetContactHistory"]["request_fields"] for f in r.get("v2_fields", ())}
    assert {f"query.{key}" for key in plan.query} >= fields == {"query.limit", "query.offset"}


# ---- the converter registries -----------------------------------------------------------------

def converter_names(direction: str) -> set[str]:
    if direction == "request":
        rows = [r for op in TABLES.operations.values() for r in op["request_fields"]]
        return {r["convert"] for r in rows if "convert" in r}
    rows = [r for e in TABLES.entities.values() for r in (*e["fields"], *([e["any_attribute"]] if "any_attribute" in e else []))]
    rows += [r for op in TABLES.operations.values() for r in op["response_fields"]]  # SoundData: base64
    return {r["convert"] for r in rows if "convert" in r}


@pytest.mark.parametrize("direction, plain, enums", [
    ("request", REQUEST_CONVERTERS, ENUM_REQUEST_CONVERTERS), ("response", RESPONSE_CONVERTERS, ENUM_RESPONSE_CONVERTERS)])
def test_every_converter_named_exists_and_every_converter_is_named(direction: str, plain: dict, enums: dict) -> None:
    names = converter_names(direction)
    for name in names:
        kind, _, table = name.partition(":")
        assert (kind in enums and table in TABLES.enums) if table else name in plain, f"{direction} {name}"
    used_plain = {n for n in names if ":" not in n}
    used_enum_kinds = {n.partition(":")[0] for n in names if ":" in n}
    assert set(plain) == used_plain, "converters no row uses are dead code"
    assert set(enums) == used_enum_kinds, "enum converter kinds no row uses are dead code"




# ---- the engine reads the tables: a copy with one change changes the translation ----------

@pytest.fixture
def tables_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """`edit(file, change)`: run the engine on a copy of mappings/ where `change(data)` edited `file`."""
    for table in MAPPINGS_DIR.glob("*.yaml"):
        (tmp_path / table.name).write_text(table.read_text(encoding="utf-8"), encoding="utf-8")

    def edit(file_name: str, change: Callable[[Any], None]) -> None:
        data = yaml.safe_load((tmp_path / file_name).read_text(encoding="utf-8"))
        change(data)
        (tmp_path / file_name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        monkeypatch.setattr(engine, "load", lambda: load(tmp_path))
        engine.request_map.cache_clear()
        engine.entity_writer.cache_clear()

    yield edit
    monkeypatch.undo()
    engine.request_map.cache_clear()
    engine.entity_writer.cache_clear()


def rename_v2(table: str, v1: str, new: str) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        row = next(v for v in data[table]["values"] if v["v1"] == v1 and not v.get("lossy"))
        row["v2"] = new
    return change


def test_changing_an_enum_value_in_a_copy_changes_both_directions(tables_copy: Callable[..., None]) -> None:
    before = request_map("QueryCalls").translate({"Result": "BUSY"}, UTC).query["results"]
    tables_copy("enums.yaml", rename_v2("CallResult", "BUSY", "BUSY_SIGNAL"))
    assert (before, request_map("QueryCalls").translate({"Result": "BUSY"}, UTC).query["results"]) == ("BUSY", "BUSY_SIGNAL")
    assert entity_writer("Call")({"finalCallResult": "BUSY_SIGNAL"}, UTC)["FinalResult"] == "BUSY"


def enum_rows() -> Iterator[Any]:
    for name, row in request_rows():
        if enum_of(row.get("convert", "")):
            yield pytest.param("request", name, row)
    for name, row in entity_rows():
        if enum_of(row.get("convert", "")):
            yield pytest.param("response", name, row)


@pytest.mark.parametrize("direction, table, row", list(enum_rows()), ids=lambda v: v if isinstance(v, str) else v["v1"])
def test_every_enum_converter_maps_with_the_table_it_names(tables_copy: Callable[..., None], direction: str,
                                                           table: str, row: dict[str, Any]) -> None:
    enum = enum_of(row["convert"])
    if row["convert"].startswith("result_stats:"):
        # The table names the counter of each Result: rename one, and its ResultStat follows it.
        counter = next(v for v in TABLES.enums[enum].values if v.v1 and v.v2)
        tables_copy("enums.yaml", lambda data: next(v for v in data[enum]["values"] if v["v1"] == counter.v1).update(
            v2=f"{counter.v2}_COPY"))
        written = engine.entity_writer(table)({f"{counter.v2}_COPY": 5, counter.v2: 6}, UTC)[row["v1"]]
        assert written == [{"Result": counter.v1, "Attempts": "5", "Actions": "5"}]
        return
    v1, v2 = exact_value(enum)
    if direction == "response":
        tables_copy("enums.yaml", rename_v2(enum, v1, f"{v2}_COPY"))
        copied = f"{v2}_COPY"
        obj: dict[str, Any] = {}
        put(obj, row["v2"].split("|")[0].split("."), [copied] if row["convert"].startswith("enum_list:") else copied)
        assert engine.entity_writer(table)(obj, UTC)[row["v1"]] == v1
        return
    request = BASE_REQUESTS[table](row["v1"])
    put(request, row["v1"].split("/"), v1)
    if row["convert"].startswith("v1_enum:"):  # only checks the v1.1 name: rename it and the old one is refused
        tables_copy("enums.yaml", lambda data: next(v for v in data[enum]["values"] if v["v1"] == v1).update(
            v1=f"{v1}_COPY"))
        with pytest.raises(BridgeFault, match=row["v1"]):
            engine.request_map(table).translate(request, UTC)
        return
    tables_copy("enums.yaml", rename_v2(enum, v1, f"{v2}_COPY"))
    values = plan_values(engine.request_map(table).translate(request, UTC))
    if row["convert"].startswith("enum_filter:"):  # the later values shown as it follow it (2014 contract)
        assert values[row["v2"]].split(",")[0] == f"{v2}_COPY"
        return
    assert values[row["v2"]] in (f"{v2}_COPY", [f"{v2}_COPY"])


def test_changing_a_request_target_in_a_copy_moves_the_value(tables_copy: Callable[..., None]) -> None:
    def change(data: Any) -> None:
        next(r for r in data["operations"]["QueryCalls"]["request_fields"] if r["v1"] == "LabelName")["v2"] = \
            "query.labelName"
    tables_copy("call.yaml", change)
    query = engine.request_map("QueryCalls").translate({"LabelName": "vip"}, UTC).query
    assert query.get("labelName") == "vip" and "label" not in query


def test_changing_an_entity_row_in_a_copy_changes_what_is_read(tables_copy: Callable[..., None]) -> None:
    def change(data: Any) -> None:
        next(r for r in data["Call"]["fields"] if r["v1"] == "BroadcastId")["v2"] = "broadcastId"
    tables_copy("entities.yaml", change)
    written = entity_writer("Call")({"campaignId": 5, "broadcastId": 6}, UTC)
    assert written["BroadcastId"] == "6"


# ---- faults: the ErrorResponse rows describe status_error + fault_for --------------------

def test_error_response_rows_say_where_each_v2_field_goes() -> None:
    body = {"message": "msg-text", "developerMessage": "dev-text", "internalCode": "code-text",
            "httpStatusCode": 999, "helpLink": "link-text"}
    fault = fault_for(status_error(httpx.Response(404, json=body)))
    places = {"Message": fault.message, "Detail": fault.detail or ""}
    table = TABLES.errors["error_response"]
    for row in table["fields"]:
        assert str(body[row["v2"]]) in places[row["v1"]], row
    for row in table["v2_only"]:
        assert all(str(body[row["v2"]]) not in text for text in places.values()), row
