"""The one place the bytes of a request become XML the rest of the bridge can read.

spyne decodes a body with the Content-Type's charset before lxml sees it (protocol/soap/soap11.py
`_parse_xml_string`), and the bridge's byte-level checks (SOAP version, DTD, upload size) look
for ASCII patterns: so an ISO-8859-1, UTF-16 or UTF-32 envelope — legal XML — crashed as an
internal error, and a UTF-16 DTD would pass unseen.  Here every envelope is turned into UTF-8
first, the way XML 1.0 (appendix F) says its encoding is found: a byte order mark, else the
XML declaration's `encoding`, else the Content-Type charset, else UTF-8.  Bytes that are not
valid in that encoding, and encodings Python does not know, are the client's mistake:
BAD_REQUEST naming the problem.
"""
from __future__ import annotations

import codecs
import re

from bridge.errors import BridgeFault, request_fault

# Byte order marks, longest first (UTF-32LE's starts with UTF-16LE's).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# No BOM: how "<?" looks in each wide encoding (XML 1.0 appendix F.1).
_WIDE = ((b"<\0\0\0", "utf-32-le"), (b"\0\0\0<", "utf-32-be"), (b"<\0?\0", "utf-16-le"), (b"\0<\0?", "utf-16-be"))
_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["'][^>]*\?>""")
_ANY_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_UTF8 = ("utf-8", "utf8")


def as_utf8(body: bytes, content_type: str) -> bytes:
    """The envelope as UTF-8 bytes (any XML declaration saying so), or a BAD_REQUEST fault."""
    encoding, start = _encoding(body, content_type)
    if encoding in _UTF8 and start == 0:
        try:
            body.decode("utf-8")  # lxml would say so too, as an XMLSyntaxError naming no position
        except UnicodeDecodeError as exc:
            raise _undecodable("UTF-8", exc) from None
        return body
    try:
        text = body[start:].decode(encoding)
    except LookupError:
        raise request_fault("malformed", f"the request's encoding {encoding!r} is not one the bridge knows "
                                            "(send UTF-8)") from None
    except UnicodeDecodeError as exc:
        raise _undecodable(encoding, exc) from None
    # The declaration named the old encoding; the UTF-8 bytes carry none, which means UTF-8.
    return _ANY_DECLARATION.sub("", text, count=1).encode("utf-8")


def _encoding(body: bytes, content_type: str) -> tuple[str, int]:
    """The encoding's Python name and where the text starts (past a BOM)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    for pattern, name in _WIDE:
        if body.startswith(pattern):
            return name, 0
    declared = _DECLARATION.match(body[:256])
    if declared:
        return declared.group(1).decode("ascii").lower(), 0
    charset = re.search(r";\s*charset\s*=\s*\"?([\w.:-]+)", content_type, re.IGNORECASE)
    return (charset.group(1).lower() if charset else "utf-8"), 0


def _undecodable(encoding: str, exc: UnicodeDecodeError) -> BridgeFault:
    return request_fault("malformed", f"the request is not valid {encoding}: byte {exc.start} "
                                         f"(0x{exc.object[exc.start]:02X}) cannot be decoded")
