"""GET /{calls|texts}/broadcasts/{id}/stats: CallBroadcastStats / TextBroadcastStatsDto computed
from a broadcast's calls or texts, so they always agree with what GET /calls?campaignId= shows.

CallFire documents none of these fields beyond their names; the definitions below (also in
README.md) are the simulator's, chosen so that the counts partition the broadcast's actions:
remaining + every result count = total.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from bridge.sim.vocab import ANSWERED_RESULTS, TERMINAL_STATES

# finalCallResult -> the CallBroadcastStats count it adds to; any other finished call is "misc".
CALL_RESULT_COUNTS = {"LA": "liveCount", "AM": "answeringMachineCount", "BUSY": "busyCount",
                      "DNC": "doNotCallCount", "XFER": "transferCount",
                      "XFER_LEG": "transferCount", "NO_ANS": "noAnswerCount",
                      "INTERNAL_ERROR": "errorCount", "CARRIER_ERROR": "errorCount",
                      "CARRIER_TEMP_ERROR": "errorCount"}
TEXT_RESULT_COUNTS = {"SENT": "sentCount", "RECEIVED": "recievedCount", "DNT": "doNotTextCount",
                      "TOO_BIG": "tooBigCount", "INTERNAL_ERROR": "errorCount",
                      "CARRIER_ERROR": "errorCount", "CARRIER_TEMP_ERROR": "errorCount"}
# A DNC *state* (the number is on the account's do-not-contact list) counts like the DNC result.
_DNC_STATE = {"calls": "doNotCallCount", "texts": "doNotTextCount"}


def call_stats(calls: Iterable[dict]) -> dict:
    """CallBroadcastStats of `calls` (every call of a broadcast, or those of a time window)."""
    stats = dict.fromkeys(("totalCount", "totalOutboundCount", "remainingOutboundCount",
                           "callsRemaining", "callsAwaitingRedial", "callsAttempted",
                           "callsPlaced", "dialedCount", "callsLiveAnswer", "callsDuration",
                           "billedDuration", "liveCount", "answeringMachineCount", "busyCount",
                           "doNotCallCount", "transferCount", "noAnswerCount", "errorCount",
                           "miscCount", "responseRatePercent"), 0)
    billed, answered = 0.0, 0
    for call in calls:
        stats["totalCount"] += 1
        stats["totalOutboundCount"] += not call.get("inbound", False)
        state, result = call["state"], call.get("finalCallResult")
        attempts = [r for r in call.get("records", ()) if "originateTime" in r]
        stats["callsAttempted"] += len(attempts)          # every dial, retries included
        stats["callsPlaced"] += bool(attempts)            # calls dialed at least once
        for record in call.get("records", ()):
            billed += record.get("billedAmount", 0.0)
            seconds = record.get("duration", 0)
            stats["callsDuration"] += seconds
            stats["billedDuration"] += math.ceil(seconds / 60) * 60   # billed by the minute
        if state not in TERMINAL_STATES:
            stats["remainingOutboundCount"] += 1
            stats["callsRemaining"] += state != "SELECTED"            # not dialing right now
            stats["callsAwaitingRedial"] += state == "CALLBACK"
            continue
        stats["dialedCount"] += bool(attempts)
        answered += result in ANSWERED_RESULTS
        stats["callsLiveAnswer"] += result in ("LA", "XFER", "XFER_LEG")
        count = CALL_RESULT_COUNTS.get(result or "") or \
            (_DNC_STATE["calls"] if state == "DNC" else "miscCount")
        stats[count] += 1
    stats["responseRatePercent"] = round(100 * answered / stats["callsPlaced"]) \
        if stats["callsPlaced"] else 0
    return {**stats, "billedAmount": round(billed, 4)}


def text_stats(texts: Iterable[dict]) -> dict:
    """TextBroadcastStatsDto of `texts` (`recievedCount` is the spec's spelling)."""
    stats = dict.fromkeys(("totalOutboundCount", "remainingOutboundCount", "sentCount",
                           "unsentCount", "recievedCount", "doNotTextCount", "tooBigCount",
                           "errorCount"), 0)
    billed = 0.0
    for text in texts:
        billed += sum(r.get("billedAmount", 0.0) for r in text.get("records", ()))
        if text.get("inbound"):
            stats["recievedCount"] += 1
            continue
        stats["totalOutboundCount"] += 1
        state, result = text["state"], text.get("finalTextResult")
        if state not in TERMINAL_STATES:
            stats["remainingOutboundCount"] += 1
            continue
        count = TEXT_RESULT_COUNTS.get(result or "") or \
            (_DNC_STATE["texts"] if state == "DNC" else "unsentCount")
        stats[count] += 1
    return {**stats, "billedAmount": round(billed, 4)}
