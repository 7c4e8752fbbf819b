"""How a call or text created through the API moves through simulated time.

Call: READY -> SELECTED 30 s after it may go (its broadcast running, its batch enabled) ->
FINISHED 90 s after that, with one CallRecord. Text: READY -> FINISHED 10 s after, with one
TextRecord. The result depends only on the number's last digit (and, for texts, the message's
length), so a test can pick the outcome it needs. Transition stamps are exact offsets from the
start, not "whenever the clock was looked at".
"""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import math

from bridge.sim.vocab import ANSWERED_RESULTS

SELECT_AFTER_MS = 30_000
FINISH_AFTER_MS = 90_000
ANSWER_AFTER_MS = 6_000          # ring time before an LA/AM pick-up
RESULT_BY_LAST_DIGIT = ("LA", "LA", "LA", "LA", "AM", "AM", "BUSY", "NO_ANS", "CARRIER_ERROR",
                        "CARRIER_TEMP_ERROR")
SEND_AFTER_MS = 10_000
TEXT_RESULT_BY_LAST_DIGIT = ("SENT",) * 8 + ("DNT", "CARRIER_ERROR")
SMS_LENGTH = 160
TEXT_PRICE = 0.03                # per message sent, as the seed's texts are billed


def result_for(number: str) -> str:
    """The final result a new call to `number` gets (documented in README.md)."""
    digit = _last_digit(number)
    return "CARRIER_ERROR" if digit is None else RESULT_BY_LAST_DIGIT[digit]


def _last_digit(number: str) -> int | None:
    digits = [c for c in number if c.isdigit()]
    return int(digits[-1]) if digits else None


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


def text_result_for(number: str, message: str, strategy: str) -> str:
    """The final result a new text gets (documented in README.md)."""
    if len(message) > SMS_LENGTH and strategy == "DO_NOT_SEND":
        return "TOO_BIG"
    digit = _last_digit(number)
    return "CARRIER_ERROR" if digit is None else TEXT_RESULT_BY_LAST_DIGIT[digit]


def advance_text(text: dict, started_ms: int, now_ms: int, record_id: int,
                 broadcast: dict) -> bool:
    """Send `text` if it is due by `now_ms`; True if it just finished (record used)."""
    if text["state"] != "READY" or now_ms < started_ms + SEND_AFTER_MS:
        return False
    strategy = broadcast.get("bigMessageStrategy", "SEND_MULTIPLE")
    message = text.get("message", "")
    result = text_result_for(text["toNumber"], message, strategy)
    if strategy == "TRIM":
        message = message[:SMS_LENGTH]
    # SEND_MULTIPLE splits a long message into parts, each billed; MMS sends it as one.
    parts = max(1, math.ceil(len(message) / SMS_LENGTH)) if strategy == "SEND_MULTIPLE" else 1
    finish = started_ms + SEND_AFTER_MS
    record: dict = {"id": record_id, "billedAmount": round(TEXT_PRICE * parts, 2)
                    if result == "SENT" else 0.0, "finishTime": finish,
                    "toNumber": text["toNumber"]}
    if "labels" in text:
        record["labels"] = list(text["labels"])
    record.update(message=message, textResult=result)
    text.update(state="FINISHED", modified=finish, finalTextResult=result, records=[record])
    return True
