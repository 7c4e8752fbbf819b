"""The simulator's responses, fetched over real HTTP, conform to CallFire's 2020 Swagger spec.

The strict checker is tests/sim_spec.py (no field the spec does not declare).
"""
from __future__ import annotations

import httpx
import jsonschema
import pytest

from bridge.sim import validate, vocab
from bridge.sim.app import ROUTES
from tests.sim_fixtures import (  # noqa: F401  (checked, client, login and sim are fixtures)
    IVR_XML, VOICE_BROADCAST, advance, all_items, anon, checked, client, login, sim)
from tests.sim_spec import DEFS, check, operation


def ok(response: httpx.Response, status: int = 200) -> object:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_strict_schema_rejects_undeclared_fields() -> None:
    check("Call", {"id": 1, "state": "READY"})
    with pytest.raises(jsonschema.ValidationError):
        check("Call", {"id": 1, "callResult": "LA"})
    with pytest.raises(jsonschema.ValidationError):
        check("CallPage", {"items": [{"id": 1, "state": "NOPE"}], "limit": 1})
    with pytest.raises(jsonschema.ValidationError):
        check("Page", {"limit": 2**31})


def test_every_seeded_call_and_text_conforms(client: httpx.Client) -> None:
    for offset in range(0, 1600, 400):
        check("CallPage", ok(client.get("/calls", params={"limit": 400, "offset": offset})))
    for offset in range(0, 400, 200):
        check("TextPage", ok(client.get("/texts", params={"limit": 200, "offset": offset})))


def test_single_resources_conform(client: httpx.Client) -> None:
    check("Call", ok(client.get("/calls/9652")))
    check("Text", ok(client.get(f"/texts/{client.get('/texts').json()['items'][0]['id']}")))
    check("Contact", ok(client.get("/contacts/3")))
    check("Contact", ok(client.get("/contacts/4422")))
    check("ContactHistory", ok(client.get("/contacts/3/history")))
    for broadcast_id in (101, 102, 103, 104, 327, 500):
        check("CallBroadcast", ok(client.get(f"/calls/broadcasts/{broadcast_id}")))
        check("CallPage", ok(client.get(f"/calls/broadcasts/{broadcast_id}/calls")))


def test_created_broadcasts_and_their_calls_conform(sim, client: httpx.Client) -> None:
    voice = {**VOICE_BROADCAST, "labels": ["spec"],
             "recipients": [{"phoneNumber": n} for n in ("18185551212", "12135550004", "555")]}
    ivr = {"name": "IVR", "fromNumber": "13105551212", "dialplanXml": IVR_XML,
           "recipients": [{"phoneNumber": "14155550990", "attributes": {"k": "v"}}]}
    ids = [ok(client.post("/calls/broadcasts", params={"start": "true"}, json=body), 201)
           for body in (voice, ivr)]
    for resource_id in ids:
        check("ResourceId", resource_id)
    for _ in range(3):                                  # READY, then SELECTED, then FINISHED
        for resource_id in ids:
            check("CallBroadcast", ok(client.get(f"/calls/broadcasts/{resource_id['id']}")))
            page = ok(client.get(f"/calls/broadcasts/{resource_id['id']}/calls"))
            check("CallPage", page)
        advance(sim, 45)
    assert page["items"][0]["records"][0]["questionResponses"] == [
        {"question": "confirmed", "response": "yes"}]
    check("ContactHistory", ok(client.get("/contacts/4422/history")))


def test_every_v2_route_is_a_spec_operation() -> None:
    for method, pattern, _ in ROUTES:
        if not pattern.startswith("/v2/"):
            continue
        for kind in ("calls", "texts") if "{kind}" in pattern else ("",):
            path = pattern.replace("{kind}", kind).replace("{id}", "1")
            assert operation(method, path) is not None, f"{method} {path}"


def test_seeded_broadcasts_and_batches_conform(checked: httpx.Client) -> None:
    """`checked` checks each answer against the spec (tests/sim_spec.check_response)."""
    for kind, ids in (("calls", (101, 102, 103, 104, 327, 500)), ("texts", (610, 611))):
        checked.get(f"/{kind}/broadcasts", params={"limit": 100})
        for broadcast_id in ids:
            checked.get(f"/{kind}/broadcasts/{broadcast_id}")
            checked.get(f"/{kind}/broadcasts/{broadcast_id}/stats")
            checked.get(f"/{kind}/broadcasts/{broadcast_id}/{kind}")
            for batch in checked.get(f"/{kind}/broadcasts/{broadcast_id}/batches").json()["items"]:
                checked.get(f"/campaigns/batches/{batch['id']}")


@pytest.mark.parametrize("path, status", [
    ("/calls/1", 404), ("/texts/1", 404), ("/contacts/999999", 404), ("/nope", 404),
    ("/calls/broadcasts/1", 404), ("/calls?limit=x", 400), ("/calls?states=DONE", 400),
    ("/texts?results=LA", 400), ("/contacts/3/history?offset=-1", 400),
    ("/texts/broadcasts/101", 404), ("/calls/broadcasts/610/stats", 404),
    ("/campaigns/batches/1", 404), ("/calls/broadcasts?running=maybe", 400),
    ("/texts/broadcasts/610/stats?begin=x", 400),
])
def test_error_responses_conform(client: httpx.Client, path: str, status: int) -> None:
    check("ErrorResponse", ok(client.get(path), status))


def test_auth_and_method_errors_conform(sim) -> None:
    check("ErrorResponse", ok(anon.get(sim.base_url + "/calls"), 401))
    check("ErrorResponse", ok(anon.delete(sim.base_url + "/calls", auth=("a", "b")), 405))
    check("ErrorResponse", ok(anon.post(sim.base_url + "/calls/broadcasts", auth=("a", "b"),
                                         content=b"{", headers={"Content-Type":
                                                                "application/json"}), 400))


def test_internal_code_has_the_spec_type(sim) -> None:
    assert DEFS["ErrorResponse"]["properties"]["internalCode"]["type"] == "string"
    assert isinstance(anon.get(sim.base_url + "/calls").json()["internalCode"], str)


def _enum(definition: str, field: str) -> set[str]:
    return set(DEFS[definition]["properties"][field]["enum"])


def test_seed_emits_every_spec_enum_value_and_nothing_else(client: httpx.Client) -> None:
    calls, texts = all_items(client, "/calls"), all_items(client, "/texts")
    records = [r for c in calls for r in c.get("records", ())]
    recordings = [x for r in records for x in r.get("recordings", ())]
    assert {c["state"] for c in calls} == _enum("Call", "state")
    assert {c["finalCallResult"] for c in calls if "finalCallResult" in c} == \
        _enum("Call", "finalCallResult")
    assert {r["result"] for r in records if "result" in r} <= _enum("CallRecord", "result")
    assert {t["state"] for t in texts} == _enum("Text", "state")
    assert {t["finalTextResult"] for t in texts if "finalTextResult" in t} == \
        _enum("Text", "finalTextResult")
    assert {r["textResult"] for t in texts for r in t.get("records", ())} == \
        _enum("TextRecord", "textResult")
    assert recordings and {x["state"] for x in recordings} <= _enum("CallRecording", "state")


def test_vocabulary_matches_the_spec() -> None:
    assert set(vocab.CALL_STATES) == _enum("Call", "state") == _enum("Text", "state")
    assert set(vocab.CALL_RESULTS) == _enum("Call", "finalCallResult")
    assert set(vocab.TEXT_RESULTS) == _enum("Text", "finalTextResult")
    assert set(vocab.BROADCAST_STATUSES) == _enum("CallBroadcast", "status")
    assert set(vocab.AM_CONFIGS) == _enum("CallBroadcast", "answeringMachineConfig")
    assert set(vocab.VOICES) == _enum("CallBroadcastSounds", "liveSoundTextVoice")


# Plain strings in the spec, but enums in CallFire's SDKs: the simulator checks them as enums.
SDK_ENUMS = {("RetryConfig", "retryPhoneTypes"): vocab.RETRY_PHONE_TYPES,
             ("RetryConfig", "retryResults"): vocab.RETRY_RESULTS,
             ("Schedule", "daysOfWeek"): vocab.DAYS_OF_WEEK}      # java.time.DayOfWeek


def _spec_shape(schema: dict, name: str = "") -> object:
    """A spec schema in validate.py's shape notation (`name`: the definition it belongs to)."""
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = DEFS[name]
    if "enum" in schema:
        return set(schema["enum"])
    if schema.get("type") == "array":
        return [_spec_shape(schema["items"])]
    if "additionalProperties" in schema:
        return {"*": _spec_shape(schema["additionalProperties"])}
    if "properties" in schema:
        return {k: [set(SDK_ENUMS[name, k])] if (name, k) in SDK_ENUMS else _spec_shape(v)
                for k, v in schema["properties"].items()}
    return schema["type"]


def _sim_shape(shape: object) -> object:
    if isinstance(shape, tuple):
        return set(shape)
    if isinstance(shape, list):
        return [_sim_shape(shape[0])]
    if isinstance(shape, dict):
        return {k: _sim_shape(v) for k, v in shape.items()}
    return shape


@pytest.mark.parametrize("definition", sorted(validate.SHAPES))
def test_body_validator_mirrors_the_spec(definition: str) -> None:
    for owner, field in SDK_ENUMS:
        if owner == definition:
            assert DEFS[owner]["properties"][field]["items"] == {"type": "string"}
    assert _sim_shape(validate.SHAPES[definition]) == _spec_shape({"$ref": f"#/{definition}"})
