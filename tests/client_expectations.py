"""What every third-party client test (suds, Node's soap, Java JAX-WS) checks, client-agnostic.

Each client runs the same script against the live bridge with a fresh login: CallFire's
documented QueryCalls example, a QueryCalls with xs:list filters given as lists, GetCall 9652,
the SendCall below then a QueryCalls of its broadcast, GetContactHistory of contact 3 (5
entries) and GetCall of a missing id (a NOT_FOUND fault). Each test turns what its client
decoded into `Entry` values; the checks here compare those with the simulator's seed and with
what reached v2. Only fields of CallFire's 2014-05 contract are looked at, not the later
extensions (AgentCall, Note, ...).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

SOAP11_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENVELOPE = "http://www.w3.org/2003/05/soap-envelope"

FILTER_STATES = ("FINISHED", "INVALID")
FILTER_RESULTS = ("LA", "AM")
FILTER_BEGIN = datetime(2026, 10, 20, tzinfo=timezone.utc)
MISSING_CALL_ID = 987654321

# The SendCall every client sends: a space-separated pair with ClientData, then a single number.
SEND_TO = {"12135550101": "order-7", "12135550102": "order-7", "12135550103": None}


def send_call_v2_body(name: str) -> dict:
    """The v2 request the SendCall must become (BroadcastName differs per client)."""
    return {"name": name,
            "recipients": [{"phoneNumber": number, **({"attributes": {"ClientData": data}} if data else {})}
                           for number, data in SEND_TO.items()],
            "fromNumber": "13105551212",
            "retryConfig": {"maxAttempts": 2, "retryResults": ["BUSY", "NO_ANS"], "retryPhoneTypes": ["MOBILE_PHONE"]},
            "answeringMachineConfig": "AM_AND_LIVE",
            "sounds": {"liveSoundText": "Your order is ready"}}


@dataclass(frozen=True)
class Entry:
    """A Call or Text as a client decoded it, in comparable form."""

    kind: str  # "Call" or "Text"
    id: int | None  # None where the client drops the attribute (suds on a GetCall reply)
    to_number: str
    client_data: str | None
    state: str
    broadcast_id: int | None
    contact_id: int
    created: datetime  # timezone-aware
    final_result: str | None


def parse_datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.tzinfo is not None, f"{text} has no offset"
    return moment


def check_documented(total: int, calls: list[Entry], *, with_id: bool = True) -> None:
    """CallFire's QueryCalls example (BroadcastId 327) as documented, in the live zone (-08:00)."""
    assert total == 1 and len(calls) == 1
    check_call_9652(calls[0], with_id=with_id)


def check_call_9652(call: Entry, *, with_id: bool = True) -> None:
    assert call == Entry("Call", 9652 if with_id else None, "18185551212", None, "INVALID", 327, 4422,
                         call.created, None)
    assert call.created == datetime(2013, 3, 7, 20, 1, 59, tzinfo=timezone.utc)


def check_filtered(total: int, calls: list[Entry]) -> None:
    assert calls and total >= len(calls)
    assert all(c.state == "FINISHED" and c.final_result in FILTER_RESULTS for c in calls)
    assert all(c.created >= FILTER_BEGIN for c in calls)


def check_sent(broadcast_id: int, total: int, calls: list[Entry]) -> None:
    """The QueryCalls of the new broadcast: one READY call per number, ClientData back on each."""
    assert broadcast_id > 0 and total == 3
    assert {c.to_number: c.client_data for c in calls} == SEND_TO
    assert all(c.state == "READY" and c.broadcast_id == broadcast_id for c in calls)


def check_history(entries: list[Entry]) -> None:
    """GetContactHistory ContactId=3 MaxResults=5: calls and texts of that contact."""
    assert len(entries) == 5
    assert {e.kind for e in entries} == {"Call", "Text"}
    assert all(e.contact_id == 3 for e in entries)


def check_fault(code: str, message: str) -> None:
    assert code == "NOT_FOUND" and str(MISSING_CALL_ID) in message


def check_v2_requests(live, login: str, name: str) -> None:
    """What reached v2: the documented query unchanged, the list filters joined, the SendCall body."""
    requests = live.sim_requests(login)
    queries = [r["query"] for r in requests if r["method"] == "GET" and r["path"] == "/v2/calls"]
    assert {"campaignId": "327", "limit": "101", "offset": "0"} in queries   # MaxResults 100, one item more
    filters = [q for q in queries if "states" in q]
    # Joined, each value with the later v2 values the 2014 contract shows as it (SKIPPED is shown
    # FINISHED, ABANDONED LA, SD AM), so the filter finds every call the answer shows so.
    assert [(q["states"], q["results"]) for q in filters] == [("FINISHED,SKIPPED,INVALID", "LA,ABANDONED,AM,SD")]
    [post] = [r for r in requests if r["method"] == "POST"]
    assert post["path"] == "/v2/calls/broadcasts" and post["body"] == send_call_v2_body(name)
