"""CallFire's May 2014 v1.1 contract as this simulator serves it and writes in it.

The files are the bridge's own contract files under its default 2014 contract (serving them is
not translation); the enumerations a 2014 server knew are read from the same served XSD, so
what this simulator accepts and writes is exactly what the WSDL it serves declares.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache

from lxml import etree

from bridge.contract import DATA, SVC
from bridge.contract.variants import Contract, served_files

CONTRACT = Contract.V2014
XS = "http://www.w3.org/2001/XMLSchema"
SCHEMA_FILES = ("callfire-data.xsd", "callfire-service.xsd")   # data: types, then svc: ones
_ADDRESS = re.compile(rb'location="https://www\.callfire\.com/api/1\.1/soap12/(\w+)"')


def file_names() -> frozenset[str]:
    return frozenset(served_files(CONTRACT))


@lru_cache(maxsize=64)  # bounded: the base URL comes from the client's Host header
def contract_file(name: str, base_url: str, version_path: str) -> bytes:
    """A contract file whose port addresses point at this server (`version_path`: 1.1 or 1.0)."""
    prefix = f'location="{base_url}/api/{version_path}/soap12/'.encode()
    return _ADDRESS.sub(lambda m: prefix + m.group(1) + b'"', served_files(CONTRACT)[name])


@cache
def enumeration(type_name: str) -> tuple[str, ...]:
    """The values of the simple type `type_name` (data:ActionState, svc:SoundFormat...), in contract order."""
    for file in SCHEMA_FILES:
        found = etree.fromstring(served_files(CONTRACT)[file]).find(f"{{{XS}}}simpleType[@name='{type_name}']")
        if found is not None:
            return tuple(e.get("value") for e in found.iter(f"{{{XS}}}enumeration"))
    raise KeyError(f"{type_name} is not a simple type of {DATA} or {SVC}")
