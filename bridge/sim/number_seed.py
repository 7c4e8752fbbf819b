"""Seed data of the number endpoints: regions, the catalogue of available numbers, keywords,
and what every account already leases (see README.md, "Numbers, keywords and orders").

Like seed.py: fixed values hung off SEED_ANCHOR_MS, shared read-only by all accounts (each
account deep-copies its leases and orders before changing them).
"""
from __future__ import annotations

from bridge.sim.seed import (DAY_MS, DOC_FROM, INBOUND_NUMBER, IVR_XML, SEED_ANCHOR_MS,
                             SHORT_CODE, TEXT_NUMBER)

LEASE_TERM_MS = 30 * DAY_MS          # a lease renews (or ends) every 30 days
LA, NY, CHI, PHX = "America/Los_Angeles", "America/New_York", "America/Chicago", "America/Phoenix"

# (prefix, city, state, zipcode, latitude, longitude, timeZone); prefix = "1" + NPA + NXX.
_REGIONS = (
    ("1213555", "LOS ANGELES", "CA", "90012", 34.0537, -118.2428, LA),
    ("1310230", "SANTA MONICA", "CA", "90401", 34.0428, -118.5249, LA),
    ("1310555", "SANTA MONICA", "CA", "90401", 34.0195, -118.4912, LA),
    ("1818555", "BURBANK", "CA", "91505", 34.1738, -118.347, LA),
    ("1415555", "SAN FRANCISCO", "CA", "94105", 37.7898, -122.3942, LA),
    ("1206555", "SEATTLE", "WA", "98101", 47.6101, -122.3344, LA),
    ("1702555", "LAS VEGAS", "NV", "89101", 36.1721, -115.1224, LA),
    ("1602555", "PHOENIX", "AZ", "85004", 33.4515, -112.0684, PHX),
    ("1312555", "CHICAGO", "IL", "60601", 41.8858, -87.6181, CHI),
    ("1646555", "NEW YORK", "NY", "10001", 40.7506, -73.9972, NY),
    ("1305555", "MIAMI", "FL", "33101", 25.7791, -80.1978, NY),
    ("1404555", "ATLANTA", "GA", "30303", 33.7529, -84.3925, NY),
)
REGIONS: tuple[dict, ...] = tuple(
    {"prefix": p, "city": c, "state": s, "zipcode": z, "country": "US", "latitude": lat,
     "longitude": lon, "timeZone": tz} for p, c, s, z, lat, lon, tz in _REGIONS)
TOLL_FREE_CODES = ("800", "833", "844", "855", "866", "877", "888")
NUMBERS_PER_REGION = 12
UNIT_COST = {"localNumbers": 1.0, "tollFreeNumbers": 2.0, "keywords": 25.0}   # per month
# Keywords nobody can lease on the shared short code (carrier-reserved or CallFire's own).
RESERVED_KEYWORDS = frozenset({"STOP", "HELP", "INFO", "CANCEL", "END", "QUIT", "UNSUBSCRIBE",
                               "CALLFIRE", "YES", "NO"})


def national_format(number: str) -> str:
    """'12135551189' -> '(213) 555-1189' (v2's nationalFormat of a NANP number)."""
    return f"({number[1:4]}) {number[4:7]}-{number[7:]}"


def region_of(number: str) -> dict | None:
    """The catalogue region a local number belongs to (None: toll-free or unknown)."""
    return next((r for r in REGIONS if number.startswith(r["prefix"])), None)


def as_number(number: str) -> dict:
    """A v2 Number: {number, nationalFormat, tollFree[, region]}."""
    toll_free = number[1:4] in TOLL_FREE_CODES
    found = {"number": number, "nationalFormat": national_format(number), "tollFree": toll_free}
    region = None if toll_free else region_of(number)
    if region is not None:
        found["region"] = dict(region)
    return found


# The account's own numbers (the seed's callers, its SMS long code and inbound toll-free number):
# (number, days leased before the anchor, labels, callFeatureStatus, textFeatureStatus).
_LEASES = (
    (TEXT_NUMBER, 400, ("sms", "main"), "ENABLED", "ENABLED"),
    (DOC_FROM, 380, ("main",), "ENABLED", "DISABLED"),
    ("13105550150", 200, ("campaigns",), "ENABLED", "ENABLED"),
    ("14155550100", 95, ("campaigns", "survey"), "ENABLED", "ENABLED"),
    ("16465550123", 45, ("alerts",), "ENABLED", "DISABLED"),
    (INBOUND_NUMBER, 500, ("inbound",), "ENABLED", "UNSUPPORTED"),
)


def _lease(number: str, days: int, labels: tuple[str, ...], call: str, text: str) -> dict:
    begin = SEED_ANCHOR_MS - days * DAY_MS
    periods = days * DAY_MS // LEASE_TERM_MS + 1          # renewed every term since then
    return {**as_number(number), "leaseBegin": begin, "leaseEnd": begin + periods * LEASE_TERM_MS,
            "autoRenew": True, "status": "ACTIVE", "callFeatureStatus": call,
            "textFeatureStatus": text, "labels": list(labels)}


NUMBER_LEASES: tuple[dict, ...] = tuple(_lease(*row) for row in _LEASES)
# Inbound configuration of the seeded leases; a lease without one answers {"number": N}.
NUMBER_CONFIGS: tuple[dict, ...] = (
    {"number": INBOUND_NUMBER, "configType": "TRACKING",
     "callTrackingConfig": {"transferNumbers": ["12135550100", "12135550101"], "screen": False,
                            "recorded": True, "voicemail": True, "introSoundId": 3,
                            "whisperSoundId": 4, "voicemailSoundId": 5}},
    {"number": TEXT_NUMBER, "configType": "IVR", "ivrInboundConfig": {"dialplanXml": IVR_XML},
     "textInboundConfig": {"forwardEnabled": False}},
)
KEYWORD_LEASES: tuple[dict, ...] = tuple(
    {"shortCode": SHORT_CODE, "keyword": keyword, "leaseBegin": SEED_ANCHOR_MS - days * DAY_MS,
     "leaseEnd": SEED_ANCHOR_MS - days * DAY_MS + (days * DAY_MS // LEASE_TERM_MS + 1) * LEASE_TERM_MS,
     "autoRenew": True, "status": "ACTIVE"}
    for keyword, days in (("WHITEN", 120), ("SMILE", 40)))
# The order that brought 14155550100 in; new orders get FIRST_ORDER_ID (the v2 docs' example id), ...
SEED_ORDERS: tuple[dict, ...] = (
    {"id": 9, "status": "FINISHED", "created": SEED_ANCHOR_MS - 95 * DAY_MS,
     "totalCost": UNIT_COST["localNumbers"],
     "localNumbers": {"ordered": 1, "unitCost": UNIT_COST["localNumbers"],
                      "fulfilled": ["14155550100"]}},
)
FIRST_ORDER_ID = 10


def catalogue() -> tuple[str, ...]:
    """Every number the simulator sells: NUMBERS_PER_REGION per region, 8 per toll-free code and
    the seeded leases' own (for sale once released); the numbers.py filters out what is leased."""
    local = tuple(r["prefix"] + f"{(1000 + 617 * i + int(r['prefix'][-3:])) % 10000:04d}"
                  for r in REGIONS for i in range(NUMBERS_PER_REGION))
    toll_free = tuple(f"1{code}555{2000 + 137 * i:04d}" for code in TOLL_FREE_CODES for i in range(8))
    return tuple(dict.fromkeys(local + toll_free + tuple(l["number"] for l in NUMBER_LEASES)))
