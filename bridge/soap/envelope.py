"""SOAP 1.1 / 1.2 envelopes and faults, built as bytes by the bridge itself.

Both the success path (a prepared body element from `writer`) and every fault go through
here, so a client sees one consistent wire form whichever way a request failed: spyne's
own faults, the bridge's BridgeFaults, and rejections made before spyne parses anything.
"""
from __future__ import annotations

from enum import Enum

from bridge.errors import BridgeFault
from bridge.soap.writer import SVC, escape


class SoapVersion(Enum):
    SOAP11 = ("http://schemas.xmlsoap.org/soap/envelope/", "text/xml; charset=utf-8")
    SOAP12 = ("http://www.w3.org/2003/05/soap-envelope", "application/soap+xml; charset=utf-8")

    @property
    def namespace(self) -> str:
        return self.value[0]

    @property
    def content_type(self) -> str:
        return self.value[1]


def detect_version(content_type: str, head: bytes) -> SoapVersion:
    """The version the client asked in: its envelope namespace, else its Content-Type."""
    if SoapVersion.SOAP12.namespace.encode() in head:
        return SoapVersion.SOAP12
    if SoapVersion.SOAP11.namespace.encode() in head:
        return SoapVersion.SOAP11
    return SoapVersion.SOAP12 if content_type.startswith("application/soap+xml") else SoapVersion.SOAP11


def envelope(version: SoapVersion, body: bytes) -> bytes:
    return b"".join(envelope_parts(version, body))


def envelope_parts(version: SoapVersion, body: bytes) -> list[bytes]:
    """The envelope as three pieces, so a 1 MB answer is not copied once more to be wrapped
    (the WSGI server writes them in turn; Content-Length is their sum)."""
    return [b"<?xml version='1.0' encoding='UTF-8'?>"
            b'<soap:Envelope xmlns:soap="' + version.namespace.encode() + b'"><soap:Body>',
            body, b"</soap:Body></soap:Envelope>"]


def service_fault_info(fault: BridgeFault) -> str:
    detail = f"<Detail>{escape(fault.detail)}</Detail>" if fault.detail else ""
    return (f'<ServiceFaultInfo xmlns="{SVC}"><FaultCode>{fault.code.value}</FaultCode>'
            f"<Message>{escape(fault.message)}</Message>{detail}</ServiceFaultInfo>")


def fault_body(version: SoapVersion, fault: BridgeFault) -> bytes:
    """soap:Fault with svc:ServiceFaultInfo as its detail (what CallFire's JAX-WS stack sent)."""
    info = service_fault_info(fault)
    reason = escape(fault.message)
    if version is SoapVersion.SOAP12:
        code = "soap:Sender" if fault.client_side else "soap:Receiver"
        xml = (f"<soap:Fault><soap:Code><soap:Value>{code}</soap:Value></soap:Code>"
               f'<soap:Reason><soap:Text xml:lang="en">{reason}</soap:Text></soap:Reason>'
               f"<soap:Detail>{info}</soap:Detail></soap:Fault>")
    else:
        code = "soap:Client" if fault.client_side else "soap:Server"
        xml = (f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{reason}</faultstring>"
               f"<detail>{info}</detail></soap:Fault>")
    return envelope(version, xml.encode("utf-8"))
