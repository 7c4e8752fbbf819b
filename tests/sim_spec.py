"""CallFire's 2020 v2 Swagger spec as a strict checker for the simulator's responses.

Schemas are the spec's `definitions` made strict: `allOf` merged and no undeclared fields, so a
field the real API does not have fails. int32/int64 ranges are checked as formats.
`check_response` finds the operation a response answers and checks its body against what the
spec declares for that status (an empty body where the spec declares none).
"""
from __future__ import annotations

import copy
import json
import re

import httpx
import jsonschema

from conftest import REFERENCE

SPEC = json.loads((REFERENCE / "v2" / "swagger.json").read_text(encoding="utf-8"))
DEFS = SPEC["definitions"]

FORMATS = jsonschema.FormatChecker()
FORMATS.checks("int32")(lambda v: not isinstance(v, int) or -2**31 <= v < 2**31)
FORMATS.checks("int64")(lambda v: not isinstance(v, int) or -2**63 <= v < 2**63)


def _strict(schema: object) -> object:
    """Merge allOf branches and forbid undeclared properties, recursively."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {k: _strict(v) for k, v in schema.items()}
    if "allOf" in schema:
        merged: dict = {"type": "object", "properties": {}}
        for part in schema.pop("allOf"):
            part = DEFS_STRICT[part["$ref"].split("/")[-1]] if "$ref" in part else part
            merged["properties"].update(part.get("properties", {}))
        schema.update(merged)
    if schema.get("properties") and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    return schema


DEFS_STRICT: dict = {}
for _name in sorted(DEFS, key=lambda n: "allOf" in DEFS[n]):      # allOf users last
    DEFS_STRICT[_name] = _strict(copy.deepcopy(DEFS[_name]))


def check(definition: str, instance: object) -> None:
    schema = {"definitions": DEFS_STRICT, "$ref": f"#/definitions/{definition}"}
    jsonschema.Draft4Validator(schema, format_checker=FORMATS).validate(instance)


def check_schema(schema: dict, instance: object) -> None:
    """Check against an inline response schema (a $ref or an array of $refs)."""
    full = {"definitions": DEFS_STRICT, **_strict(copy.deepcopy(schema))}
    jsonschema.Draft4Validator(full, format_checker=FORMATS).validate(instance)


# (method, compiled path, operation), literal paths before templated ones so that
# /calls/broadcasts is not taken for /calls/{id}, and longer ones first: /campaigns/sounds/{id}.mp3
# before /campaigns/sounds/{id}.
_OPERATIONS = sorted(
    ((method.upper(), re.compile("^/v2" + re.sub(r"\{[^}]+\}", "[^/]+", path.replace(".", r"\.")) + "$"), op)
     for path, ops in SPEC["paths"].items() for method, op in ops.items()),
    key=lambda entry: (entry[1].pattern.count("[^/]+"), -len(entry[1].pattern)))
AUDIO = ("InputStream", "StreamingOutput")  # what the spec calls a binary (audio) answer


def operation(method: str, path: str) -> dict | None:
    """The spec's operation for `method path` (path as sent, under /v2), if it has one."""
    return next((op for m, pattern, op in _OPERATIONS
                 if m == method and pattern.match(path)), None)


def check_response(response: httpx.Response) -> None:
    """The response's body is what the spec declares for its operation and status."""
    request = response.request
    op = operation(request.method, request.url.path)
    if response.status_code >= 400:            # 405/415 are undeclared but ErrorResponse too
        check("ErrorResponse", response.json())
        return
    assert op is not None, f"{request.method} {request.url.path} is not a v2 operation"
    declared = op["responses"].get(str(response.status_code))
    if declared is None:      # PUT, start/stop/archive declare no 2xx: success has no body
        assert not any(code.startswith("2") for code in op["responses"]), \
            f"{op['operationId']} declares no {response.status_code} response"
    if declared is None or "schema" not in declared:
        assert response.content == b"", f"{op['operationId']} declares no body"
        return
    if declared["schema"].get("$ref", "").rpartition("/")[2] in AUDIO:
        assert response.headers["content-type"] in ("audio/mpeg", "audio/wav") and response.content
        return
    assert response.headers["content-type"] == "application/json"
    check_schema(declared["schema"], response.json())
