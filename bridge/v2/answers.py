"""Checks a v2 answer against `mappings/v2_answers.yaml` before anything reads it (issue 12, defect 6).

A 2xx whose body lacks a field the bridge cannot do without, or holds one of the wrong type, is a
`V2BadResponse`: the v1.1 client gets an UNAVAILABLE fault saying v2 answered something unexpected
instead of an answer with invented values (an empty FromNumber, State READY, TotalResults 0).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import yaml

from bridge.config import MAPPINGS_DIR
from bridge.v2.errors import V2BadResponse

TABLE = MAPPINGS_DIR / "v2_answers.yaml"
TYPES: dict[str, tuple[type, ...]] = {"integer": (int,), "number": (int, float), "string": (str,),
                                      "boolean": (bool,), "list": (list,), "object": (dict,)}
SHAPES = frozenset({"page", "list", "created", "empty", "any", "audio"})


@dataclass(frozen=True)
class Answer:
    method: str
    path: str          # as written in the table
    pattern: re.Pattern[str]
    shape: str
    of: str | None = None


# One field of a definition, ready to check: (name, optional, accepted types, a bool is accepted).
Field = tuple[str, bool, tuple[type, ...], bool, str]


@dataclass(frozen=True)
class AnswerTable:
    answers: tuple[Answer, ...]
    definitions: dict[str, tuple[Field, ...]]

    def find(self, method: str, path: str) -> Answer | None:
        """The first row for `method` whose path matches (the table's order decides)."""
        rows = self._by_method.get(method)
        if rows is None:
            return None
        found = rows[0].match(path)
        return None if found is None else rows[1][found.lastindex - 1]

    @functools.cached_property
    def _by_method(self) -> dict[str, tuple[re.Pattern[str], tuple[Answer, ...]]]:
        """Per method, its rows' paths as one alternation, a group each: one match in C finds the
        first row that fits (~0.3 us), where a loop over the 76 rows took 1-10 us a v2 request."""
        by_method: dict[str, list[Answer]] = {}
        for answer in self.answers:
            by_method.setdefault(answer.method, []).append(answer)
        return {method: (re.compile("|".join(f"({a.pattern.pattern})" for a in rows)), tuple(rows))
                for method, rows in by_method.items()}

    def check(self, method: str, path: str, body: Any) -> None:
        """Raise V2BadResponse when `body` (parsed JSON, None when empty) does not fit the row."""
        answer = self.find(method, path)
        if answer is None:
            problem = "an empty body" if body is None and method == "GET" else None
        else:
            problem = self._problem(answer.shape, answer.of, body)
        if problem:
            raise V2BadResponse(f"CallFire v2 answered {method} {path} with something unexpected: {problem}")

    def check_bytes(self, method: str, path: str, content_type: str) -> None:
        """Raise V2BadResponse when a binary answer's Content-Type is not what the row says."""
        answer = self.find(method, path)
        if answer is not None and answer.shape == "audio" and not content_type.lower().startswith("audio/"):
            raise V2BadResponse(f"CallFire v2 answered {method} {path} with something unexpected: "
                                f"{content_type or 'no Content-Type'}, not audio")

    def _problem(self, shape: str, of: str | None, body: Any) -> str | None:
        if shape in ("empty", "any"):
            return None
        if not isinstance(body, dict):
            return "an empty body" if body is None else f"a JSON {type(body).__name__}, not an object"
        if shape == "created":
            return self._fields("CreatedId", CREATED, body)
        if shape in ("page", "list"):
            items = body.get("items")
            if not isinstance(items, list) and not (shape == "list" and items is None):
                return "no `items` list"
            total = body.get("totalCount")
            if total is not None and not _is(total, "integer"):
                return "`totalCount` is not an integer"
            for index, item in enumerate(items or ()):
                problem = self._problem(of or "any", None, item)
                if problem:
                    return f"items[{index}]: {problem}"
            return None
        return self._fields(shape, self.definitions[shape], body)

    @staticmethod
    def _fields(name: str, fields: tuple[Field, ...], body: dict[str, Any]) -> str | None:
        for key, optional, types, boolean, kind in fields:
            value = body.get(key)
            if value is None:
                if optional:
                    continue
                return f"{name} without `{key}`"
            if not isinstance(value, types) or (not boolean and (value is True or value is False)):
                return f"{name}.{key} is not {'an' if kind[0] in 'aeiou' else 'a'} {kind}"
        return None


@functools.cache
def table() -> AnswerTable:
    with TABLE.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    definitions = {name: _compiled(fields) for name, fields in raw["definitions"].items()}
    answers = []
    for row in raw["answers"]:
        shape, of = row["shape"], row.get("of")
        for name in (shape if shape not in SHAPES else None, of):
            if name is not None and name not in definitions:
                raise ValueError(f"v2_answers.yaml: {row['method']} {row['path']} names unknown {name!r}")
        answers.append(Answer(row["method"], row["path"], _pattern(row["path"]), shape, of))
    return AnswerTable(tuple(answers), definitions)


def _compiled(fields: dict[str, str]) -> tuple[Field, ...]:
    unknown = sorted(set(fields.values()) - set(TYPES))
    if unknown:
        raise ValueError(f"v2_answers.yaml: unknown type {unknown[0]!r}")
    return tuple((name.rstrip("?"), name.endswith("?"), TYPES[kind], kind == "boolean", kind)
                 for name, kind in fields.items())


def _pattern(path: str) -> re.Pattern[str]:
    escaped = re.escape(path).replace(r"\{id\}", r"\d+").replace(r"\{name\}", r"[^/]+")
    return re.compile(f"^{escaped}$")


def _is(value: Any, kind: str) -> bool:
    return isinstance(value, TYPES[kind]) and (kind == "boolean" or not isinstance(value, bool))


CREATED = _compiled({"id": "integer"})   # `created`: what a create answers
