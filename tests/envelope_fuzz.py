"""Mutated SOAP envelopes of every served operation, and what a bridge answer to one may be.

Shared by the suite's fuzzer (tests/test_envelope_fuzz.py, a few hundred cases) and the longer
run in bench/fuzz_envelopes.py.  The seeds are the envelopes zeep builds from the served WSDL for
test_served_operations.SAMPLES (valid requests on the simulator's seed), in SOAP 1.2 and 1.1;
a case is one seed with one to three mutations: another encoding, truncation, an element
renamed or dropped, random bytes, a value replaced by a huge or random one.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import httpx
import zeep
from hypothesis import strategies as st
from lxml import etree

from conftest import served_contract
from test_served_operations import SAMPLES, SERVED

SVC = "{http://api.callfire.com/service/xsd}"
CONTENT_TYPES = {"1.2": "application/soap+xml; charset=utf-8", "1.1": "text/xml; charset=utf-8"}
WSDLS = {"1.2": "callfire-service-http-soap12.wsdl", "1.1": "callfire-service-http-soap11.wsdl"}
# Encodings XML allows and Python reads, with how each is written (declared, with a BOM or both).
ENCODINGS = ("ISO-8859-1", "windows-1252", "UTF-16", "UTF-16LE", "UTF-16BE", "UTF-32", "UTF-32LE", "UTF-8")


@dataclass(frozen=True)
class Seed:
    operation: str
    version: str
    envelope: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.version]


@functools.cache
def seeds() -> tuple[Seed, ...]:
    """One valid envelope per served operation and SOAP version, as zeep writes it."""
    result = []
    for version, wsdl in WSDLS.items():
        client = zeep.Client(str(served_contract("2014") / wsdl))
        for op in SERVED:
            port = client.bind("CallFireApi", f"{op.port}Port")
            message = client.create_message(port, op.name, **SAMPLES[op.name])
            result.append(Seed(op.name, version, etree.tostring(message, xml_declaration=True, encoding="UTF-8")))
    return tuple(result)


def _elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter() if isinstance(e.tag, str)]


@st.composite
def _tree_mutation(draw: st.DrawFn, envelope: bytes) -> bytes:
    """Rename, drop or revalue one element of a well-formed envelope."""
    root = etree.fromstring(envelope)
    target = draw(st.sampled_from(_elements(root)))
    kind = draw(st.sampled_from(["rename", "drop", "huge", "digits", "text", "offset"]))
    if kind == "rename":
        name = draw(st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,12}", fullmatch=True))
        target.tag = etree.QName(etree.QName(target).namespace, name).text
    elif kind == "drop" and target.getparent() is not None:
        target.getparent().remove(target)
    elif kind == "huge":
        target.text = draw(st.sampled_from("x9 é")) * draw(st.sampled_from([5000, 70000, 300000]))
    elif kind == "digits":
        target.text = "9" * draw(st.integers(19, 6000))
    elif kind == "offset":
        target.text = "2026-11-02T10:00:00" + draw(st.from_regex(r"[+-][0-9]{2}:[0-9]{2}", fullmatch=True))
    else:  # XML 1.0 characters only: anything else cannot be written by lxml, nor sent by a client
        target.text = draw(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=40))
    return etree.tostring(root)


@st.composite
def _reencoded(draw: st.DrawFn, envelope: bytes) -> bytes:
    encoding = draw(st.sampled_from(ENCODINGS))
    text = envelope.decode("utf-8")
    body = text[text.index("?>") + 2:] if text.startswith("<?xml") else text
    declared = draw(st.booleans()) or encoding.startswith(("ISO", "windows"))
    if declared:
        body = f"<?xml version='1.0' encoding='{encoding}'?>{body}"
    data = body.encode(encoding, errors="xmlcharrefreplace")
    if encoding in ("UTF-16", "UTF-32") and not draw(st.booleans()):
        data = data[2:] if encoding == "UTF-16" else data[4:]  # no BOM: Python wrote the native order
    return data


@st.composite
def _bytes_mutation(draw: st.DrawFn, envelope: bytes) -> bytes:
    kind = draw(st.sampled_from(["truncate", "insert", "overwrite", "empty"]))
    if kind == "empty":
        return b""
    at = draw(st.integers(0, len(envelope)))
    if kind == "truncate":
        return envelope[:at]
    noise = draw(st.binary(min_size=1, max_size=16))
    return envelope[:at] + noise + envelope[at + (len(noise) if kind == "overwrite" else 0):]


@st.composite
def cases(draw: st.DrawFn) -> tuple[Seed, bytes]:
    """A seed and its mutated envelope."""
    seed = draw(st.sampled_from(seeds()))
    envelope = seed.envelope
    for _ in range(draw(st.integers(1, 3))):
        try:
            etree.fromstring(envelope)
            well_formed = True
        except etree.XMLSyntaxError:
            well_formed = False
        utf8 = envelope.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
        kinds = ["tree", "encoding", "bytes"] if well_formed and utf8 else ["bytes"]
        kind = draw(st.sampled_from(kinds))
        if kind == "tree":
            envelope = b"<?xml version='1.0' encoding='UTF-8'?>" + draw(_tree_mutation(envelope))
        elif kind == "encoding":
            envelope = draw(_reencoded(envelope))
        else:
            envelope = draw(_bytes_mutation(envelope))
    return seed, envelope


def problem(response: httpx.Response) -> str | None:
    """What is wrong with the bridge's answer to a hostile envelope, or None: every answer must be
    a SOAP envelope, and a fault must carry ServiceFaultInfo and never be an internal error."""
    try:
        root = etree.fromstring(response.content)
    except etree.XMLSyntaxError:
        return f"HTTP {response.status_code}, not a SOAP envelope: {response.content[:120]!r}"
    if response.is_success:
        return None
    info = root.find(f".//{SVC}ServiceFaultInfo")
    if info is None:
        return f"HTTP {response.status_code} fault without ServiceFaultInfo"
    message = info.findtext(f"{SVC}Message") or ""
    if "internal error" in message:
        return f"internal error: {info.findtext(f'{SVC}FaultCode')} {message}"
    return None
