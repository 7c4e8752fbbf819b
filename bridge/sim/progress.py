"""How a call created through the API moves through simulated time.

READY -> SELECTED 30 s after its broadcast started -> FINISHED 90 s after it, with one CallRecord.
The result depends only on the number's last digit, so a test can pick the outcome it needs.
Transition stamps are exact offsets from the start, not "whenever the clock was looked at".
"""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from bridge.sim.vocab import ANSWERED_RESULTS

SELECT_AFTER_MS = 30_000
FINISH_AFTER_MS = 90_000
ANSWER_AFTER_MS = 6_000          # ring time before an LA/AM pick-up
RESULT_BY_LAST_DIGIT = ("LA", "LA", "LA", "LA", "AM", "AM", "BUSY", "NO_ANS", "CARRIER_ERROR",
                        "CARRIER_TEMP_ERROR")


def result_for(number: str) -> str:
    """The final result a new call to `number` gets (documented in README.md)."""
    digits = [c for c in number if c.isdigit()]
    return RESULT_BY_LAST_DIGIT[int(digits[-1])] if digits else "CARRIER_ERROR"


def advance_call(call: dict, started_ms: int, now_ms: int, record_id: int,
                 broadcast: dict) -> bool:
    """Apply every transition due by `now_ms`; True if the call just finished (record used)."""
    if call["state"] == "READY" and now_ms >= started_ms + SELECT_AFTER_MS:
        call.update(state="SELECTED", modified=started_ms + SELECT_AFTER_MS)
    if call["state"] != "SELECTED" or now_ms < started_ms + FINISH_AFTER_MS:
        return False
    result = result_for(call["toNumber"])
    originate, finish = started_ms + SELECT_AFTER_MS, started_ms + FINISH_AFTER_MS
    record: dict = {"id": record_id, "billedAmount": 0.0, "finishTime": finish,
                    "toNumber": call["toNumber"], "callerName": call.get("fromNumber", ""),
                    "switchId": str(1000 + call["id"] % 9000)}
    if "labels" in call:
        record["labels"] = list(call["labels"])
    record.update(result=result, originateTime=originate, duration=0)
    if result in ANSWERED_RESULTS:
        answer = originate + ANSWER_AFTER_MS
        record.update(answerTime=answer, duration=(finish - answer) // 1000, billedAmount=0.05)
        if result == "LA" and "dialplanXml" in broadcast:
            record["questionResponses"] = stash_answers(broadcast["dialplanXml"])
    call.update(state="FINISHED", modified=finish, finalCallResult=result, records=[record])
    return True


def stash_answers(dialplan_xml: str) -> list[dict]:
    """IVR answers: each distinct <stash varname> once, answered with its first stash's text."""
    answers: dict[str, str] = {}
    for stash in ElementTree.fromstring(dialplan_xml).iter("stash"):
        name = stash.get("varname")
        if name and name not in answers:
            answers[name] = (stash.text or "").strip() or "1"
    return [{"question": q, "response": r} for q, r in answers.items()]
