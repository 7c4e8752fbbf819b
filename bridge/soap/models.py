"""spyne models of the v1.1 request elements the bridge implements.

Only the *input* side is modelled here: responses are written by `bridge.soap.writer`
straight from the contract's XSD layout (spyne's serializer is ~10x too slow for a
1000-call CallQueryResult, see notes/spyne-findings.md).

Leaf values are declared `Unicode` on purpose: the converters named in `mappings/`
check each lexical form (long, boolean, xs:dateTime, xs:time, enums, phone lists) and
fault with the v1.1 field's name, which spyne's own validation messages do not carry.
spyne matches children by local name and ignores unknown ones, which is the leniency
legacy clients built against later CallFire WSDLs need.
"""
from __future__ import annotations

from spyne import ComplexModel, Unicode, XmlAttribute, XmlData

from bridge.contract import DATA, SVC

Text = Unicode  # an xs:* leaf kept as text; its converter lives in mappings/
Repeated = Unicode(max_occurs="unbounded")
# An xs:list leaf: one element with space-separated items on the wire, but suds and Node's
# `soap` send a list given as an array as repeated elements. Accept both (and mixtures).
TextList = Repeated


class DataModel(ComplexModel):
    __namespace__ = DATA


class SvcModel(ComplexModel):
    __namespace__ = SVC


class ToNumber(DataModel):
    """data:ToNumber: simpleContent PhoneNumber (maybe a space/comma list) + @ClientData."""

    value = XmlData(Unicode)
    ClientData = XmlAttribute(Unicode)


class IdRequest(SvcModel):
    Id = Text


class Query(SvcModel):
    MaxResults = Text
    FirstResult = Text


class ActionQuery(Query):
    BroadcastId = Text
    BatchId = Text
    State = TextList  # xs:list of ActionState
    Result = TextList  # xs:list of Result
    Inbound = Text
    IntervalBegin = Text
    IntervalEnd = Text
    FromNumber = Text
    ToNumber = Repeated  # [0..1] in the WSDL, a list in CallFire's docs: accept both
    LabelName = Text


class GetContactHistory(Query):
    ContactId = Text


class LocalTimeZoneRestriction(DataModel):
    BeginTime = Text
    EndTime = Text


class RetryConfig(DataModel):
    MaxAttempts = Text
    MinutesBetweenAttempts = Text
    RetryResults = TextList  # xs:list of Result
    RetryPhoneTypes = TextList  # xs:list of RetryPhoneType


class BroadcastConfig(DataModel):
    id = XmlAttribute(Unicode)
    Created = Text
    FromNumber = Text
    LocalTimeZoneRestriction = LocalTimeZoneRestriction
    RetryConfig = RetryConfig


class VoiceBroadcastConfig(BroadcastConfig):
    AnsweringMachineConfig = Text
    LiveSoundText = Text
    LiveSoundId = Text
    LiveSoundTextVoice = Text
    MachineSoundText = Text
    MachineSoundId = Text
    MachineSoundTextVoice = Text
    TransferSoundText = Text
    TransferSoundId = Text
    TransferSoundTextVoice = Text
    TransferDigit = Text
    TransferNumber = Text
    DncSoundText = Text
    DncSoundId = Text
    DncSoundTextVoice = Text
    DncDigit = Text
    MaxActiveTransfers = Text


class IvrBroadcastConfig(BroadcastConfig):
    DialplanXml = Text


class SendCall(SvcModel):
    RequestId = Text
    Type = Text
    BroadcastName = Text
    ToNumber = ToNumber.customize(max_occurs="unbounded")
    ScrubBroadcastDuplicates = Text
    Label = Repeated
    MaxActive = Text
    VoiceBroadcastConfig = VoiceBroadcastConfig
    IvrBroadcastConfig = IvrBroadcastConfig
