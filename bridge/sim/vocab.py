"""v2 enum values (2020 Swagger spec) and phone-number rules shared by the simulator."""
from __future__ import annotations

import re

CALL_STATES = ("READY", "SELECTED", "CALLBACK", "FINISHED", "DISABLED", "SKIPPED", "DNC", "DUP",
               "INVALID", "TIMEOUT", "PERIOD_LIMIT")
TEXT_STATES = CALL_STATES
CALL_RESULTS = ("LA", "AM", "BUSY", "DNC", "XFER", "NO_ANS", "XFER_LEG", "INTERNAL_ERROR",
                "CARRIER_ERROR", "CARRIER_TEMP_ERROR", "UNDIALED", "SD", "POSTPONED", "ABANDONED",
                "SKIPPED")
TEXT_RESULTS = ("SENT", "RECEIVED", "DNT", "TOO_BIG", "INTERNAL_ERROR", "CARRIER_ERROR",
                "CARRIER_TEMP_ERROR", "UNDIALED")
BROADCAST_STATUSES = ("TEST", "SETUP", "START_PENDING", "RUNNING", "SCHEDULED", "STOPPED",
                      "SUSPENDED", "FINISHED", "ARCHIVED", "VALIDATING_START", "VALIDATING_EMAIL",
                      "BLOCKED_SUSPICIOUS", "DECLINED", "APPROVED")
BIG_MESSAGE_STRATEGIES = ("SEND_MULTIPLE", "DO_NOT_SEND", "TRIM", "MMS")
BATCH_STATUSES = ("NEW", "VALIDATING", "ERRORS", "SOURCE_ERROR", "ACTIVE")
AM_CONFIGS = ("AM_ONLY", "AM_AND_LIVE", "LIVE_WITH_AMD", "LIVE_IMMEDIATE")
VOICES = ("MALE1", "FEMALE1", "FEMALE2", "SPANISH1", "FRENCHCANADIAN1")
# Not enums in the spec (plain strings) but enums in CallFire's SDKs, so the server rejects others.
RETRY_PHONE_TYPES = ("FIRST_NUMBER", "HOME_PHONE", "WORK_PHONE", "MOBILE_PHONE")
RETRY_RESULTS = ("LA", "AM", "BUSY", "DNC", "XFER", "XFER_LEG", "NO_ANS", "UNDIALED", "SENT",
                 "RECEIVED", "DNT", "TOO_BIG", "INTERNAL_ERROR", "CARRIER_ERROR",
                 "CARRIER_TEMP_ERROR", "SD", "POSTPONED", "ABANDONED", "SKIPPED")
DAYS_OF_WEEK = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")

# States after which a call never changes again.
TERMINAL_STATES = frozenset(CALL_STATES) - {"READY", "SELECTED", "CALLBACK"}
# Results for which somebody (or something) picked up: records get answerTime and a duration.
ANSWERED_RESULTS = frozenset({"LA", "AM", "XFER", "XFER_LEG", "ABANDONED"})

_SHORT_CODE = re.compile(r"\d{5,6}")
_NANP = re.compile(r"1?([2-9]\d\d[2-9]\d{6})")
_FORMATTING = re.compile(r"[\s().+-]")


def nanp_e164(number: str) -> str | None:
    """'(818) 555-1212', '8185551212' or '18185551212' -> '18185551212'; None if not NANP."""
    match = _NANP.fullmatch(_FORMATTING.sub("", number))
    return "1" + match.group(1) if match else None


def sms_sender(number: str) -> str | None:
    """A text's from number: NANP as 11 digits, or a 5-6 digit short code as is; None if neither."""
    return nanp_e164(number) or (number if _SHORT_CODE.fullmatch(number) else None)
