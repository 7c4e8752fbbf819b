"""CallFire's own v1.1 documentation examples (docs v1.1-*.txt), as the SOAP 1.2 envelopes
its PHP samples send: the explain form's starting points, one per served operation."""
from __future__ import annotations

ENVELOPE = """<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"
               xmlns:svc="http://api.callfire.com/service/xsd"
               xmlns:data="http://api.callfire.com/data">
  <soap:Body>
{body}
  </soap:Body>
</soap:Envelope>
"""

BODIES = {
    # v1.1-QueryCalls.txt: "Determine status of calls filtered by BroadcastId"
    "QueryCalls": """    <svc:QueryCalls>
      <svc:MaxResults>100</svc:MaxResults>
      <svc:FirstResult>0</svc:FirstResult>
      <svc:BroadcastId>327</svc:BroadcastId>
    </svc:QueryCalls>""",
    # the call id of v1.1-QueryCalls.txt's sample response
    "GetCall": """    <svc:GetCall>
      <svc:Id>9652</svc:Id>
    </svc:GetCall>""",
    # v1.1-SendCall.txt
    "SendCall": """    <svc:SendCall>
      <svc:BroadcastName>Test API SendCall Broadcast</svc:BroadcastName>
      <svc:ToNumber>18185551212</svc:ToNumber>
      <data:VoiceBroadcastConfig>
        <data:FromNumber>13105551212</data:FromNumber>
        <data:AnsweringMachineConfig>LIVE_IMMEDIATE</data:AnsweringMachineConfig>
        <data:LiveSoundId>9</data:LiveSoundId>
      </data:VoiceBroadcastConfig>
    </svc:SendCall>""",
    # v1.1-GetContactHistory.txt
    "GetContactHistory": """    <svc:GetContactHistory>
      <svc:ContactId>3</svc:ContactId>
    </svc:GetContactHistory>""",
}
EXAMPLES = {name: ENVELOPE.format(body=body) for name, body in BODIES.items()}
PLACEHOLDER = EXAMPLES["QueryCalls"]
