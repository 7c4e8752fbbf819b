"""Deterministic sample data that every simulated account starts with (see README.md).

Built once and shared read-only by all accounts: nothing here is ever mutated (accounts copy a
broadcast before changing it), so a new login costs a few dict copies. Seed times hang off a fixed
instant, never the clock, so every simulator process (live or frozen, started whenever) answers
reads of seed data identically.
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone

from bridge.sim.audio import mp3_size
from bridge.sim.vocab import ANSWERED_RESULTS, CALL_RESULTS

DAY_MS = 86_400_000
# 2026-11-02T15:00:00Z, a Monday afternoon: the seed's ~60 days of history end here, and the
# frozen clock starts here.
SEED_ANCHOR_MS = int(datetime(2026, 11, 2, 15, 0, 0, tzinfo=timezone.utc).timestamp() * 1000)
SOUND_IDS = frozenset(range(1, 51))
PHONE_FIELDS = ("homePhone", "mobilePhone", "workPhone")   # the order v2 dials a contact in
MP3_URL = "https://api.callfire.com/v2/calls/recordings/{}.mp3"

# Fixed points taken from CallFire's v1.1 documentation examples (QueryCalls, GetContactHistory).
DOC_CAMPAIGN_ID, DOC_BATCH_ID, DOC_CALL_ID, DOC_CONTACT_ID = 327, 331, 9652, 4422
DOC_FROM, DOC_TO = "13105551212", "18185551212"
DOC_CREATED_MS = int(datetime(2013, 3, 7, 20, 1, 59, tzinfo=timezone.utc).timestamp() * 1000)
HISTORY_CONTACT_ID = 3          # GetContactHistory example: ContactId = 3
BIG_CAMPAIGN_ID = 500           # > 1000 calls, for paging and benchmarks
INBOUND_NUMBER = "18885550123"  # the account's toll-free number for inbound calls
TEXT_NUMBER = "12135551189"     # the account's SMS-enabled long code
SHORT_CODE = "67076"
FIRST_NEW_BROADCAST_ID = 332    # the v1.1 SendCall example answers "Broadcast ID: 332"
SEED_SCHEDULE_ID = 701          # campaign 101's schedule; new schedules get 702, 703, ...
SEED_SCHEDULE = {"id": SEED_SCHEDULE_ID, "campaignId": 101,
                 "startDate": {"year": 2026, "month": 9, "day": 8},
                 "startTimeOfDay": {"hour": 9, "minute": 0, "second": 0, "nano": 0},
                 "stopDate": {"year": 2026, "month": 9, "day": 9},
                 "stopTimeOfDay": {"hour": 17, "minute": 0, "second": 0, "nano": 0},
                 "daysOfWeek": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                 "timeZone": "America/Los_Angeles"}

AREA_CODES = ("213", "310", "323", "424", "562", "626", "714", "805", "818", "909", "949", "415",
              "510", "650", "408", "916", "702", "602", "312", "646", "718", "305", "404", "206")
FIRST_NAMES = ("James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer",
               "William", "Elizabeth", "Carlos", "Susan", "Thomas", "Jessica", "Daniel", "Sarah",
               "Kevin", "Karen", "Brian", "Nancy", "Anh", "Lisa", "Jorge", "Betty", "Wei", "Helen")
LAST_NAMES = ("Smith", "Garcia", "Johnson", "Nguyen", "Williams", "Martinez", "Brown", "Lee",
              "Jones", "Lopez", "Miller", "Gonzalez", "Davis", "Wilson", "Chen", "Anderson",
              "Taylor", "Thomas", "Moore", "Hernandez", "Kim", "Clark", "Lewis", "Walker")
ZIPCODES = ("90012", "90401", "91301", "91505", "92101", "92618", "94105", "94301", "95014",
            "89101", "85004", "60601", "10001", "11201", "33101", "30303", "98101", "97201")
NOTES = ("Asked to call back after 5pm", "Left a voicemail", "Customer confirmed the appointment",
         "Wrong number, remove from list", "Requested a Spanish-speaking agent",
         "Will pay on Friday", "Transferred to billing")
INBOUND_TEXTS = ("YES", "STOP", "Can you call me back?", "What time tomorrow?", "Thanks!", "C")

FINISHED_RESULTS = {"LA": 36, "AM": 24, "NO_ANS": 12, "BUSY": 7, "CARRIER_ERROR": 3,
                    "CARRIER_TEMP_ERROR": 2, "INTERNAL_ERROR": 1, "XFER": 3, "XFER_LEG": 1,
                    "DNC": 2, "UNDIALED": 3, "ABANDONED": 1, "SD": 1, "POSTPONED": 1, "SKIPPED": 1}
INBOUND_RESULTS = {"LA": 30, "XFER": 4, "ABANDONED": 3, "NO_ANS": 3}
SENT_TEXT_RESULTS = {"SENT": 86, "DNT": 3, "TOO_BIG": 2, "INTERNAL_ERROR": 1, "CARRIER_ERROR": 3,
                "CARRIER_TEMP_ERROR": 2, "UNDIALED": 3}
RETRIED_FIRST = ("BUSY", "NO_ANS", "CARRIER_TEMP_ERROR")
# A final result that is also the state (v2 reports both for these).
STATE_RESULTS = {"DNC": "DNC", "SKIPPED": "SKIPPED"}

IVR_XML = ('<dialplan name="Root"><play type="tts">Thanks for taking our two question survey.'
           '</play><menu maxDigits="1" timeout="3500"><play type="tts">Press 1 if you were '
           'satisfied with your visit, 2 if not.</play><keypress pressed="1"><stash '
           'varname="satisfied">yes</stash></keypress><keypress pressed="2"><stash '
           'varname="satisfied">no</stash></keypress></menu><menu maxDigits="2" timeout="5000">'
           '<play type="tts">How likely are you to recommend us, from 0 to 10?</play><keypress '
           'pressed="default"><stash varname="recommend_score">${call.lastinput}</stash>'
           '</keypress></menu><hangup/></dialplan>')


@dataclass(frozen=True)
class Group:
    """One source of actions: a broadcast (campaign), POST /calls or /texts, or inbound traffic."""

    kind: str                          # voice | ivr | direct | inbound | text
    size: int
    days_ago: tuple[int, ...]          # one load time per batch (or the window for direct/inbound)
    from_number: str
    states: dict[str, int]
    campaign_id: int | None = None
    batch_ids: tuple[int, ...] = ()
    labels: tuple[str, ...] = ()
    forced: tuple[tuple[str, str | None], ...] = ()   # leading rows that guarantee coverage
    named_contacts: bool = True        # False: every recipient is a bare phone-number contact
    retries: bool = False
    broadcast: dict = field(default_factory=dict)      # stored Call/TextBroadcast fields
    message: str = ""                  # outbound text message


CALL_GROUPS = (
    Group("voice", 90, (55, 54), "12135551189", {"FINISHED": 90, "INVALID": 3, "DUP": 2},
          campaign_id=101, batch_ids=(1101, 1102), labels=("reminders",), retries=True,
          broadcast={"name": "Appointment reminders - September", "status": "FINISHED",
                     "schedules": [SEED_SCHEDULE],
                     "answeringMachineConfig": "AM_AND_LIVE",
                     "sounds": {"liveSoundText": "Hello, this is Sunrise Dental reminding you of "
                                "your appointment tomorrow. Press 1 to confirm.",
                                "liveSoundTextVoice": "FEMALE1", "machineSoundId": 7,
                                "transferDigit": "1", "transferNumber": "12135550100"}}),
    Group("ivr", 60, (40,), "14155550100", {"FINISHED": 95, "INVALID": 5},
          campaign_id=102, batch_ids=(1201,), labels=("survey",),
          broadcast={"name": "Customer satisfaction survey", "status": "FINISHED",
                     "dialplanXml": IVR_XML}),
    Group("voice", 50, (2, 1), "12135551189",
          {"FINISHED": 40, "READY": 25, "SELECTED": 10, "CALLBACK": 10},
          campaign_id=103, batch_ids=(1301, 1302), labels=("billing", "notice"),
          forced=(("READY", None), ("SELECTED", None), ("CALLBACK", None)),
          broadcast={"name": "Payment due notice", "status": "RUNNING",
                     "answeringMachineConfig": "AM_AND_LIVE",
                     "sounds": {"liveSoundId": 12, "machineSoundId": 13}}),
    Group("voice", 30, (20,), "16465550123",
          {"FINISHED": 40, "DISABLED": 20, "DNC": 10, "DUP": 5, "TIMEOUT": 5, "PERIOD_LIMIT": 5,
           "SKIPPED": 5},
          campaign_id=104, batch_ids=(1401,), labels=("alerts",),
          forced=(("DISABLED", None), ("SKIPPED", "SKIPPED"), ("DNC", "DNC"), ("DUP", None),
                  ("TIMEOUT", None), ("PERIOD_LIMIT", None)),
          broadcast={"name": "Storm outage alert", "status": "STOPPED",
                     "answeringMachineConfig": "LIVE_WITH_AMD",
                     "sounds": {"liveSoundText": "Power in your area is expected back by 8 pm.",
                                "liveSoundTextVoice": "MALE1", "dncDigit": "9",
                                "dncSoundText": "You will not be called again."}}),
    Group("voice", 1200, (30, 29, 28), "13105550150",
          {"FINISHED": 96, "INVALID": 2, "DNC": 1, "DUP": 1},
          campaign_id=BIG_CAMPAIGN_ID, batch_ids=(5001, 5002, 5003), labels=("membership",),
          forced=tuple(("FINISHED", result) for result in CALL_RESULTS),
          named_contacts=False, retries=True,
          broadcast={"name": "Fall membership drive", "status": "FINISHED",
                     "answeringMachineConfig": "AM_AND_LIVE",
                     "sounds": {"liveSoundText": "Hi! Your membership is up for renewal. Press 1 "
                                "to talk to us.", "machineSoundText": "Hi! Your membership is up "
                                "for renewal, call us back at 310 555 0150.",
                                "machineSoundTextVoice": "FEMALE2"}}),
    Group("direct", 60, (60, 1), "12135551189", {"FINISHED": 90, "INVALID": 5, "DNC": 5},
          forced=(("INVALID", None),)),
    Group("inbound", 40, (60, 1), "", {"FINISHED": 1}),
)

TEXT_GROUPS = (
    Group("text", 120, (45,), SHORT_CODE, {"FINISHED": 1}, campaign_id=610, batch_ids=(6101,),
          labels=("promo",),
          forced=tuple(("FINISHED", result) for result in SENT_TEXT_RESULTS),
          broadcast={"name": "Whitening promo - October", "status": "FINISHED",
                     "bigMessageStrategy": "SEND_MULTIPLE"},
          message="Sunrise Dental: 20% off whitening through Oct 31. Reply STOP to opt out."),
    Group("text", 80, (2,), TEXT_NUMBER,
          {"FINISHED": 50, "READY": 20, "SELECTED": 5, "TIMEOUT": 2, "INVALID": 2},
          campaign_id=611, batch_ids=(6111,), labels=("delivery",),
          forced=tuple((state, None) for state in ("READY", "SELECTED", "CALLBACK", "DISABLED",
                                                   "SKIPPED", "DNC", "DUP", "INVALID", "TIMEOUT",
                                                   "PERIOD_LIMIT")),
          broadcast={"name": "Delivery notices", "status": "RUNNING",
                     "bigMessageStrategy": "TRIM"},
          message="Your order has shipped and arrives tomorrow."),
    Group("direct", 60, (60, 1), TEXT_NUMBER, {"FINISHED": 1},
          message="Reminder: your appointment is tomorrow at 10am."),
    Group("inbound", 40, (60, 1), "", {"FINISHED": 1}),
)


@dataclass(frozen=True)
class SeedBroadcast:
    """A seeded campaign: what GET answers for it, plus what the simulator keeps beside it."""

    kind: str                       # "calls" | "texts"
    wire: dict                      # CallBroadcast / TextBroadcast
    created: int                    # its first action's creation (not a v2 field)
    action_ids: tuple[int, ...]     # its calls or texts, oldest first


@dataclass(frozen=True)
class Seed:
    """The shared sample data; dicts are v2 wire objects, in ascending (created, id) order."""

    contacts: dict[int, dict]
    calls: dict[int, dict]
    texts: dict[int, dict]
    broadcasts: dict[int, SeedBroadcast]
    batches: dict[int, dict]        # Batch without the counts (size, remaining: computed)
    phone_index: dict[str, tuple[int, str]]   # number -> (contact id, phone field)
    first_free: dict[str, int]      # first unused id per sequence, for objects made later
    recordings: dict[int, dict]     # CallRecording by id (inside the calls' records)


@dataclass
class _Draft:
    """An action before ids are assigned (ids follow creation time, like a real database)."""

    created: int
    body: dict
    records: list[dict]


@functools.cache
def build_seed() -> Seed:
    """All sample data; the same on every call, in every process."""
    rng = random.Random(20261102)
    contacts, phones = _contacts(rng)
    drafts: list[tuple[str, _Draft]] = []
    for kind, groups in (("call", CALL_GROUPS), ("text", TEXT_GROUPS)):
        for group in groups:
            drafts += [(kind, d) for d in
                       _group_drafts(rng, group, kind, SEED_ANCHOR_MS, contacts, phones)]
    drafts.sort(key=lambda pair: pair[1].created)

    calls: dict[int, dict] = {DOC_CALL_ID: _doc_call()}
    texts: dict[int, dict] = {}
    ids = {"action": 10_001, "record": 20_001, "recording": 3_001}
    for kind, draft in drafts:
        action_id = ids["action"]
        ids["action"] += 1
        records = []
        for record in draft.records:
            records.append({"id": ids["record"], **record})
            ids["record"] += 1
            if "recordings" in record:
                records[-1]["recordings"] = [
                    {"id": ids["recording"] + n, "callId": action_id, **recording,
                     "mp3Url": MP3_URL.format(ids["recording"] + n)}
                    for n, recording in enumerate(record["recordings"])]
                ids["recording"] += len(record["recordings"])
        obj = {"id": action_id, **draft.body}
        if records:
            obj["records"] = records
        (calls if kind == "call" else texts)[action_id] = obj
    broadcasts = _broadcasts(calls, texts)
    return Seed(
        contacts=contacts, calls=calls, texts=texts, broadcasts=broadcasts,
        batches=_batches(broadcasts, calls, texts),
        phone_index={c[f]: (cid, f) for cid, c in contacts.items() for f in PHONE_FIELDS if f in c},
        first_free={"action": ids["action"], "record": ids["record"],
                    "recording": ids["recording"], "contact": max(contacts) + 1,
                    "schedule": SEED_SCHEDULE_ID + 1, "sound": max(SOUND_IDS) + 1,
                    "batch": max(b for g in CALL_GROUPS + TEXT_GROUPS for b in g.batch_ids) + 1},
        recordings={r["id"]: r for call in calls.values() for record in call.get("records", ())
                    for r in record.get("recordings", ())},
    )


def _contacts(rng: random.Random) -> tuple[dict[int, dict], set[str]]:
    """~200 named contacts (ids 1..199 and the documentation's 4422) plus the phone pool."""
    phones = {DOC_FROM, DOC_TO, INBOUND_NUMBER, TEXT_NUMBER}
    phones |= {g.from_number for g in CALL_GROUPS + TEXT_GROUPS}
    contacts: dict[int, dict] = {}
    for cid in range(1, 200):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        contact = {"id": cid, "firstName": first, "lastName": last,
                   "homePhone": _new_phone(rng, phones), "zipcode": rng.choice(ZIPCODES)}
        if rng.random() < 0.5:
            contact["mobilePhone"] = _new_phone(rng, phones)
        if rng.random() < 0.2:
            contact["workPhone"] = _new_phone(rng, phones)
        if rng.random() < 0.6:
            contact["properties"] = {"segment": rng.choice(("gold", "silver", "bronze")),
                                     "age": str(rng.randint(19, 88))}
        if rng.random() < 0.15:
            contact.update(externalId=f"crm-{cid:05d}", externalSystem="salesforce")
        contacts[cid] = contact
    contacts[HISTORY_CONTACT_ID] = {
        "id": HISTORY_CONTACT_ID, "firstName": "Maria", "lastName": "Garcia",
        "homePhone": "12135550103", "mobilePhone": "13235550103", "zipcode": "90012",
        "properties": {"segment": "gold", "preferred_language": "es"}}
    phones |= {"12135550103", "13235550103"}
    contacts[DOC_CONTACT_ID] = {"id": DOC_CONTACT_ID, "firstName": "Robert", "lastName": "Jones",
                                "homePhone": DOC_TO, "zipcode": "91505"}
    return contacts, phones


def _new_phone(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = f"1{rng.choice(AREA_CODES)}555{rng.randint(100, 9999):04d}"
        if number not in taken:
            taken.add(number)
            return number


def _group_drafts(rng: random.Random, group: Group, kind: str, anchor: int,
                  contacts: dict[int, dict], phones: set[str]) -> list[_Draft]:
    """Rows of one group: forced rows first, then weighted random states and results.

    Broadcast recipients are distinct; contact 3 is a recipient of every group.
    """
    named = [c for cid, c in contacts.items() if "firstName" in c and cid != DOC_CONTACT_ID]
    pinned = 7 % group.size
    if group.campaign_id is None:
        recipients: list[dict | None] = [rng.choice(named) for _ in range(group.size)]
    elif group.named_contacts:
        recipients = list(rng.sample(named, group.size))
    else:
        recipients = [None] * group.size
    if contacts[HISTORY_CONTACT_ID] not in recipients:
        recipients[pinned] = contacts[HISTORY_CONTACT_ID]
    next_bare_id = max(contacts) + 1
    drafts = []
    per_batch = -(-group.size // max(1, len(group.batch_ids)))
    for i, contact in enumerate(recipients):
        if contact is None:                                 # a phone-number recipient
            contact = contacts[next_bare_id] = {"id": next_bare_id,
                                                "homePhone": _new_phone(rng, phones)}
            next_bare_id += 1
        pace_ms = 0
        if group.batch_ids:
            pace_ms = (i % per_batch) * 1500
            created = anchor - group.days_ago[i // per_batch] * DAY_MS + 3_600_000 + pace_ms
        else:
            created = (anchor - rng.randint(group.days_ago[1], group.days_ago[0]) * DAY_MS
                       + rng.randint(0, 9 * 3600) * 1000)
        state, result = group.forced[i] if i < len(group.forced) else _pick(rng, group, kind)
        batch_id = group.batch_ids[i // per_batch] if group.batch_ids else None
        if kind == "text":
            drafts.append(_text(rng, group, contact, created, state, result, batch_id))
        else:
            drafts.append(_call(rng, group, contact, created, state, result, batch_id, pace_ms))
    return drafts


def _pick(rng: random.Random, group: Group, kind: str) -> tuple[str, str | None]:
    state = _weighted(rng, group.states)
    if state == "FINISHED":
        if kind == "text":
            table = {"RECEIVED": 1} if group.kind == "inbound" else SENT_TEXT_RESULTS
        else:
            table = INBOUND_RESULTS if group.kind == "inbound" else FINISHED_RESULTS
        return state, _weighted(rng, table)
    return state, STATE_RESULTS.get(state)


def _weighted(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _dialed(rng: random.Random, contact: dict, prefer_mobile: bool) -> tuple[str, str]:
    """Which of the contact's numbers was used: (field name, number)."""
    if "mobilePhone" in contact and (prefer_mobile or rng.random() < 0.3):
        return "mobilePhone", contact["mobilePhone"]
    return "homePhone", contact["homePhone"]


def _action(group: Group, contact_ref: dict, created: int, state: str, batch_id: int | None,
            from_number: str, to_number: str) -> dict:
    body: dict = {"fromNumber": from_number, "toNumber": to_number, "state": state}
    if group.campaign_id is not None:
        body["campaignId"] = group.campaign_id
    if batch_id is not None:
        body["batchId"] = batch_id
    body["contact"] = contact_ref
    if group.labels:
        body["labels"] = list(group.labels)
    body.update(inbound=group.kind == "inbound", created=created, modified=created)
    return body


def _call(rng: random.Random, group: Group, contact: dict, created: int, state: str,
          result: str | None, batch_id: int | None, pace_ms: int) -> _Draft:
    field_name, number = _dialed(rng, contact, prefer_mobile=False)
    if group.kind == "inbound":
        from_number, to_number = number, INBOUND_NUMBER
    else:
        from_number, to_number = group.from_number, number
    body = _action(group, {"id": contact["id"], field_name: number}, created, state, batch_id,
                   from_number, to_number)
    if group.campaign_id == 101:
        body["attributes"] = {"appointment_id": f"APT-{rng.randint(10000, 99999)}"}
    elif group.campaign_id == BIG_CAMPAIGN_ID and rng.random() < 0.5:
        body["attributes"] = {"member_id": f"M{rng.randint(100000, 999999)}"}
    elif group.kind == "direct" and rng.random() < 0.2:
        body["labels"] = ["manual"]
    labels = body.get("labels", [])
    start = created + pace_ms + rng.randint(5, 60) * 1000
    records: list[dict] = []
    if state == "FINISHED":
        if group.retries and rng.random() < 0.15 and result not in ("UNDIALED", "DNC"):
            records.append(_call_record(rng, rng.choice(RETRIED_FIRST), start, to_number,
                                        from_number, labels))
            start += 3_600_000                                   # minutesBetweenAttempts = 60
        records.append(_call_record(rng, result, start, to_number, from_number, labels))
        last = records[-1]
        if group.kind == "ivr" and result == "LA":
            last["questionResponses"] = [
                {"question": "satisfied", "response": rng.choice(("yes", "yes", "no"))},
                {"question": "recommend_score", "response": str(rng.randint(0, 10))}]
        if result == "LA" and group.kind in ("ivr", "inbound") and rng.random() < 0.35:
            last["recordings"] = [_recording(rng, group, last)]
        if rng.random() < 0.05:
            last["notes"] = [{"created": last["finishTime"] + 60_000, "text": rng.choice(NOTES)}]
        body["modified"] = last["finishTime"] + 1000
        body["finalCallResult"] = result
    elif state == "CALLBACK":
        records.append(_call_record(rng, "BUSY", start, to_number, from_number, labels))
        body["modified"] = records[-1]["finishTime"] + 1000
    elif state == "TIMEOUT":
        records.append({"toNumber": to_number, "callerName": from_number,
                        "switchId": str(rng.randint(1000, 9999)), "originateTime": start})
        body["modified"] = start + 300_000
    elif state != "READY":
        body["modified"] = created + rng.randint(1, 600) * 1000
        if result:
            body["finalCallResult"] = result
    if group.kind != "ivr" and rng.random() < 0.08:
        body["notes"] = [{"created": body["modified"] + 120_000, "text": rng.choice(NOTES)}]
    body["agentCall"] = False
    return _Draft(created, body, records)


def _call_record(rng: random.Random, result: str, originate: int, to_number: str,
                 from_number: str, labels: list[str]) -> dict:
    """One dial attempt, shaped like the Java SDK's findCalls fixture."""
    ring_ms = rng.randint(4, 25) * 1000
    duration = 0
    if result in ANSWERED_RESULTS:
        duration = {"AM": rng.randint(15, 45), "ABANDONED": rng.randint(1, 6)}.get(
            result, rng.randint(12, 240))
        finish = originate + ring_ms + duration * 1000
    else:
        finish = originate + (30_000 if result == "NO_ANS" else ring_ms)
    record: dict = {"billedAmount": round(0.05 * -(-duration // 60), 2), "finishTime": finish,
                    "toNumber": to_number, "callerName": from_number,
                    "switchId": str(rng.randint(1000, 9999))}
    if labels:
        record["labels"] = list(labels)
    record["result"] = result
    if result != "UNDIALED":
        record["originateTime"] = originate
    if result in ANSWERED_RESULTS:
        record["answerTime"] = originate + ring_ms
    record["duration"] = duration
    return record


def _recording(rng: random.Random, group: Group, record: dict) -> dict:
    """A CallRecording; id, callId and mp3Url are added once the call has its id."""
    seconds = max(1, min(record["duration"] - 2, rng.randint(5, 60)))
    recording = {"campaignId": group.campaign_id} if group.campaign_id is not None else {}
    recording.update(name="survey_comment" if group.kind == "ivr" else "voicemail",
                     created=record["answerTime"] + 2000, lengthInBytes=mp3_size(seconds),
                     lengthInSeconds=seconds, hash=f"{rng.getrandbits(128):032x}",
                     state="READY")
    return recording


def _text(rng: random.Random, group: Group, contact: dict, created: int, state: str,
          result: str | None, batch_id: int | None) -> _Draft:
    field_name, number = _dialed(rng, contact, prefer_mobile=True)
    if group.kind == "inbound":
        from_number, to_number = number, TEXT_NUMBER
        message, result = rng.choice(INBOUND_TEXTS), "RECEIVED"
    else:
        from_number, to_number = group.from_number, number
        message = group.message
    body = _action(group, {"id": contact["id"], field_name: number}, created, state, batch_id,
                   from_number, to_number)
    records = []
    if state == "FINISHED":
        finish = created + rng.randint(2, 90) * 1000
        record = {"billedAmount": 0.03 if result == "SENT" else 0.0, "finishTime": finish,
                  "toNumber": to_number}
        if group.labels:
            record["labels"] = list(group.labels)
        record.update(message=message, textResult=result)
        records.append(record)
        body["modified"] = finish
    elif state != "READY":
        body["modified"] = created + rng.randint(1, 600) * 1000
    body["message"] = message
    if state == "FINISHED":
        body["finalTextResult"] = result
    return _Draft(created, body, records)


def _doc_call() -> dict:
    """The single call of campaign 327 in the v1.1 QueryCalls example's sample response."""
    return {"id": DOC_CALL_ID, "fromNumber": DOC_FROM, "toNumber": DOC_TO, "state": "INVALID",
            "campaignId": DOC_CAMPAIGN_ID, "batchId": DOC_BATCH_ID,
            "contact": {"id": DOC_CONTACT_ID, "homePhone": DOC_TO}, "inbound": False,
            "created": DOC_CREATED_MS, "modified": DOC_CREATED_MS, "agentCall": False}


def _broadcasts(calls: dict[int, dict], texts: dict[int, dict]) -> dict[int, SeedBroadcast]:
    """The seeded call and text campaigns, with settings consistent with their actions."""
    actions: dict[int, list[dict]] = {}
    for action in [*calls.values(), *texts.values()]:
        if "campaignId" in action:
            actions.setdefault(action["campaignId"], []).append(action)
    out: dict[int, SeedBroadcast] = {}
    for kind, groups in (("calls", CALL_GROUPS), ("texts", TEXT_GROUPS)):
        for group in groups:
            if group.campaign_id is None:
                continue
            config = dict(group.broadcast)
            wire = {"id": group.campaign_id, "name": config.pop("name"),
                    "status": config.pop("status"),
                    "lastModified": max(a["modified"] for a in actions[group.campaign_id]),
                    "fromNumber": group.from_number, "labels": list(group.labels),
                    "localTimeRestriction": {"enabled": True, "beginHour": 8, "beginMinute": 0,
                                             "endHour": 21, "endMinute": 0}}
            if kind == "calls":
                wire["retryConfig"] = {"maxAttempts": 2 if group.retries else 1,
                                       "minutesBetweenAttempts": 60,
                                       "retryPhoneTypes": ["FIRST_NUMBER"],
                                       "retryResults": ["BUSY", "NO_ANS"]}
            else:
                wire["message"] = group.message
            wire.update(resumeNextDay=False, **config)
            out[group.campaign_id] = _seed_broadcast(kind, wire, actions[group.campaign_id])
    out[DOC_CAMPAIGN_ID] = _seed_broadcast("calls", {
        "id": DOC_CAMPAIGN_ID, "name": "Test API SendCall Broadcast", "status": "FINISHED",
        "lastModified": DOC_CREATED_MS, "fromNumber": DOC_FROM,
        "answeringMachineConfig": "LIVE_IMMEDIATE", "sounds": {"liveSoundId": 9}},
        actions[DOC_CAMPAIGN_ID])
    return dict(sorted(out.items()))


def _seed_broadcast(kind: str, wire: dict, actions: list[dict]) -> SeedBroadcast:
    ordered = sorted(actions, key=lambda a: (a["created"], a["id"]))
    return SeedBroadcast(kind, wire, ordered[0]["created"], tuple(a["id"] for a in ordered))


def _batches(broadcasts: dict[int, SeedBroadcast], calls: dict[int, dict],
             texts: dict[int, dict]) -> dict[int, dict]:
    """One Batch per seeded batch id, named after its broadcast, created with its first action."""
    out: dict[int, dict] = {}
    for broadcast_id, broadcast in broadcasts.items():
        store = calls if broadcast.kind == "calls" else texts
        for action_id in broadcast.action_ids:
            action = store[action_id]
            batch_id = action["batchId"]
            if batch_id not in out:
                number = sum(b["broadcastId"] == broadcast_id for b in out.values()) + 1
                out[batch_id] = {"id": batch_id, "name": f"{broadcast.wire['name']} #{number}",
                                 "status": "ACTIVE", "broadcastId": broadcast_id,
                                 "created": action["created"], "enabled": True}
    return dict(sorted(out.items()))
