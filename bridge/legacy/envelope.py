"""SOAP 1.1 and 1.2 envelopes in and out (lxml): the answer is in the version the client sent."""
from __future__ import annotations

from enum import Enum

from lxml import etree

from bridge.contract import SVC
from bridge.legacy.faults import LegacyFault, bad_request

# No DTDs, no entities, no network: a SOAP message never needs them.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class SoapVersion(Enum):
    SOAP11 = ("http://schemas.xmlsoap.org/soap/envelope/", "text/xml; charset=utf-8")
    SOAP12 = ("http://www.w3.org/2003/05/soap-envelope", "application/soap+xml; charset=utf-8")

    @property
    def namespace(self) -> str:
        return self.value[0]

    @property
    def content_type(self) -> str:
        return self.value[1]

    @classmethod
    def of_content_type(cls, content_type: str) -> SoapVersion:
        """Before the envelope is read (or when it cannot be): SOAP 1.2 travels as application/soap+xml."""
        return cls.SOAP12 if content_type.startswith("application/soap+xml") else cls.SOAP11


def read(body: bytes, content_type: str) -> tuple[SoapVersion, etree._Element]:
    """The envelope's version and its Body's request element; a malformed one is BAD_REQUEST."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise bad_request("a SOAP message must not contain a DTD")
    try:
        envelope = etree.fromstring(body, PARSER)
    except etree.XMLSyntaxError as exc:
        raise bad_request(f"malformed XML: {exc}") from None
    version = next((v for v in SoapVersion if envelope.tag == f"{{{v.namespace}}}Envelope"), None)
    if version is None:
        raise bad_request("the message is not a SOAP 1.1 or 1.2 Envelope")
    soap_body = envelope.find(f"{{{version.namespace}}}Body")
    request = None if soap_body is None else next(soap_body.iterchildren(etree.Element), None)
    if request is None:
        raise LegacyFault("BAD_REQUEST", "the SOAP Body holds no v1.1 request element")
    return version, request


def write(version: SoapVersion, payload: etree._Element) -> bytes:
    envelope = etree.Element(f"{{{version.namespace}}}Envelope", nsmap={"soap": version.namespace})
    etree.SubElement(envelope, f"{{{version.namespace}}}Body").append(payload)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def fault(version: SoapVersion, error: LegacyFault) -> bytes:
    """soap:Fault whose detail is svc:ServiceFaultInfo {FaultCode, Message}."""
    ns = version.namespace
    envelope = etree.Element(f"{{{ns}}}Envelope", nsmap={"soap": ns})
    body = etree.SubElement(envelope, f"{{{ns}}}Body")
    node = etree.SubElement(body, f"{{{ns}}}Fault")
    if version is SoapVersion.SOAP12:
        code = etree.SubElement(etree.SubElement(node, f"{{{ns}}}Code"), f"{{{ns}}}Value")
        code.text = "soap:Sender" if error.client_side else "soap:Receiver"
        reason = etree.SubElement(etree.SubElement(node, f"{{{ns}}}Reason"), f"{{{ns}}}Text")
        reason.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        reason.text = error.message
        detail = etree.SubElement(node, f"{{{ns}}}Detail")
    else:
        etree.SubElement(node, "faultcode").text = "soap:Client" if error.client_side else "soap:Server"
        etree.SubElement(node, "faultstring").text = error.message
        detail = etree.SubElement(node, "detail")
    info = etree.SubElement(detail, f"{{{SVC}}}ServiceFaultInfo", nsmap={None: SVC})
    etree.SubElement(info, f"{{{SVC}}}FaultCode").text = error.code
    etree.SubElement(info, f"{{{SVC}}}Message").text = error.message
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
