"""tests/contracts/ is what tests/contracts/build.py makes of CallFire's reference set, and carries
none of CallFire's prose.

The reference set sits next to the repository (../shared/reference) on the machine the copies are
made on, not in a clone; this is the one test that reads it, and it skips when it is absent.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from tests.contracts import build


def test_committed_copies_are_what_the_builder_makes(tmp_path: Path) -> None:
    if not build.DEFAULT_REFERENCE.is_dir():
        pytest.skip("CallFire's reference set (../shared/reference next to the repository) is not here; "
                    "the committed tests/contracts/ copies are used as they are")
    build.build(build.DEFAULT_REFERENCE, tmp_path)
    stale = build.differences(tmp_path, build.HERE)
    assert not stale, "tests/contracts/ differs from a fresh build (run python tests/contracts/build.py): " \
                      + ", ".join(stale)


@pytest.mark.parametrize("name", build.V11_FILES)
def test_v1_1_copies_have_no_documentation(name: str) -> None:
    root = etree.parse(str(build.HERE / build.V11 / name)).getroot()
    prose = [f"line {el.sourceline}: {el.tag if isinstance(el.tag, str) else 'comment'}"
             for el in root.iter(f"{{{build.XS}}}annotation", f"{{{build.WSDL}}}documentation", etree.Comment)]
    foreign = [f"line {el.sourceline}: {attr}" for el in root.iter(etree.Element) for attr in el.attrib
               if etree.QName(attr).namespace in build.DROPPED_NAMESPACES]
    assert (prose, foreign) == ([], [])
    assert root.getprevious().text == build.XML_HEADER  # the only comment: the generated-by header


def test_v2_spec_copy_has_no_prose() -> None:
    spec = json.loads((build.HERE / build.V2 / "swagger.json").read_text(encoding="utf-8"))
    assert build.strip_swagger(spec) == spec


def test_swagger_stripping_keeps_fields_named_like_prose() -> None:
    spec = {"info": {"title": "t"}, "x-logo": {}, "definitions": {"Note": {
        "description": "prose", "example": {}, "properties": {
            "title": {"type": "string", "description": "prose", "x-sample": "s"},
            "x-id": {"type": "integer", "enum": [1, 2], "default": 1}}}}}
    assert build.strip_swagger(spec) == {"definitions": {"Note": {"properties": {
        "title": {"type": "string"}, "x-id": {"type": "integer", "enum": [1, 2], "default": 1}}}}}
