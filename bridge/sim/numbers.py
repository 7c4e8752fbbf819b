"""One account's numbers and keywords: regions, the catalogue of available numbers and keywords,
number and keyword leases (with their labels and inbound configs) and orders.

An order is PROCESSING for ORDER_AFTER_MS of the clock, then FINISHED: its numbers and keywords
become ACTIVE leases then (not before). A lease renews every 30 days while autoRenew is true;
with autoRenew false it becomes RELEASED at its leaseEnd (v2 has no other way to give a number
back) and stays readable, and its number is for sale again. Seeded leases keep their seeded term
(seed data reads the same whatever the clock, as seeded calls do): they do not renew, but one
given back (autoRenew false) is RELEASED once the clock passes its leaseEnd.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Container

from bridge.sim.errors import bad_request, not_found
from bridge.sim.number_seed import (FIRST_ORDER_ID, KEYWORD_LEASES, LEASE_TERM_MS, NUMBER_CONFIGS,
                                    NUMBER_LEASES, REGIONS, RESERVED_KEYWORDS, SEED_ORDERS,
                                    UNIT_COST, as_number, catalogue)
from bridge.sim.seed import SHORT_CODE
from bridge.sim.validate import check_shape
from bridge.sim.vocab import nanp_e164

ORDER_AFTER_MS = 60_000
FEATURE_STATUSES = ("UNSUPPORTED", "PENDING", "DISABLED", "ENABLED")
LEASE_STATUSES = ("PENDING", "ACTIVE", "RELEASED", "UNAVAILABLE")
_INT, _STR, _BOOL = "integer", "string", "boolean"
_LOCAL_TIME = {"hour": _INT, "minute": _INT, "nano": _INT, "second": _INT}
# Request bodies, after the 2020 Swagger definitions (validate.py's shape language).
SHAPES: dict[str, dict] = {
    "NumberLease": {"autoRenew": _BOOL, "callFeatureStatus": FEATURE_STATUSES, "labels": [_STR],
                    "leaseBegin": _INT, "leaseEnd": _INT, "nationalFormat": _STR, "number": _STR,
                    "region": "region", "status": LEASE_STATUSES,
                    "textFeatureStatus": FEATURE_STATUSES, "tollFree": _BOOL},
    "KeywordLease": {"autoRenew": _BOOL, "contactListId": _INT, "doubleOptInEnabled": _BOOL,
                     "keyword": _STR, "labels": [_STR], "leaseBegin": _INT, "leaseEnd": _INT,
                     "optInConfirmationMessage": _STR, "shortCode": _STR,
                     "status": LEASE_STATUSES},
    "NumberConfig": {
        "configType": ("IVR", "TRACKING"), "number": _STR,
        "ivrInboundConfig": {"dialplanXml": _STR},
        "textInboundConfig": {"forwardEnabled": _BOOL, "forwardNumber": _STR},
        "callTrackingConfig": {
            "failedTransferSoundId": _INT, "introSoundId": _INT, "voicemailSoundId": _INT,
            "whisperSoundId": _INT, "recorded": _BOOL, "screen": _BOOL, "voicemail": _BOOL,
            "transferNumbers": [_STR],
            "googleAnalytics": {"category": _STR, "domain": _STR, "googleAccountId": _STR},
            "weeklySchedule": {"daysOfWeek": [_STR], "startTimeOfDay": _LOCAL_TIME,
                               "stopTimeOfDay": _LOCAL_TIME, "timeZone": _STR}}},
    "NumberPurchaseRequest": {"city": _STR, "localCount": _INT, "numbers": [_STR],
                              "prefix": _STR, "promo": _STR, "state": _STR,
                              "tollFreeCount": _INT, "zipcode": _STR},
    "KeywordPurchaseRequest": {"keywords": [_STR]},
}
SOUND_FIELDS = ("introSoundId", "whisperSoundId", "voicemailSoundId", "failedTransferSoundId")
_TOLL_FREE_PATTERN = re.compile(r"[0-9*]{2}\*")


class Numbers:
    def __init__(self, sounds: Container[int]) -> None:
        self._sounds = sounds
        self.leases: dict[str, dict] = {l["number"]: copy.deepcopy(l) for l in NUMBER_LEASES}
        self.configs: dict[str, dict] = {c["number"]: copy.deepcopy(c) for c in NUMBER_CONFIGS}
        self.keyword_leases: dict[str, dict] = {k["keyword"]: copy.deepcopy(k)
                                                for k in KEYWORD_LEASES}
        self.orders: dict[int, dict] = {o["id"]: copy.deepcopy(o) for o in SEED_ORDERS}
        self._catalogue = catalogue()
        self._reserved: set[str] = set()          # numbers and keywords in a PROCESSING order
        self._seeded = {id(lease) for lease in (*self.leases.values(), *self.keyword_leases.values())}
        self._next_order = FIRST_ORDER_ID

    # ---- regions and the catalogue ---------------------------------------------------------
    def regions(self, where: dict[str, str | None], limit: int, offset: int) -> dict:
        """A RegionPage of the regions matching prefix/city/state/zipcode."""
        found = [dict(r) for r in REGIONS if _in_region(r, where)]
        return _page(found, limit, offset)

    def local(self, where: dict[str, str | None], limit: int) -> dict:
        """A NumberList of local numbers for sale; v2 wants at least one region filter."""
        if not any(where.values()):
            raise bad_request("prefix: give at least one of prefix, city, state, zipcode")
        found = [n for n in self._for_sale() if not n["tollFree"]
                 and "region" in n and _in_region(n["region"], where, n["number"])]
        return {"items": found[:limit]}

    def toll_free(self, pattern: str | None, limit: int) -> dict:
        """A NumberList of toll-free numbers for sale; `pattern` like 8**, 87* (3 chars, ends *)."""
        if pattern is not None and not _TOLL_FREE_PATTERN.fullmatch(pattern):
            raise bad_request(f"pattern: {pattern!r} must be 3 characters ending with '*' (8**, 87*)")
        regex = re.compile("1" + (pattern or "8**").replace("*", "[0-9]"))
        found = [n for n in self._for_sale() if n["tollFree"] and regex.match(n["number"])]
        return {"items": found[:limit]}

    def _for_sale(self) -> list[dict]:
        taken = {n for n, lease in self.leases.items() if lease["status"] != "RELEASED"}
        return [as_number(n) for n in self._catalogue
                if n not in taken and n not in self._reserved]

    def keywords(self, wanted: list[str]) -> dict:
        """A KeywordList of the `wanted` keywords that are for sale on the shared short code."""
        if not wanted:
            raise bad_request("keywords: give at least one keyword")
        return {"items": [{"shortCode": SHORT_CODE, "keyword": k} for k in dict.fromkeys(
            k.upper() for k in wanted) if self.keyword_available(k)]}

    def keyword_available(self, keyword: str) -> bool:
        keyword = keyword.upper()
        lease = self.keyword_leases.get(keyword)
        return (keyword not in RESERVED_KEYWORDS and keyword not in self._reserved
                and (lease is None or lease["status"] == "RELEASED")
                and re.fullmatch(r"[A-Z0-9]{1,30}", keyword) is not None)

    # ---- number leases -------------------------------------------------------------------------
    def find_leases(self, where: dict[str, str | None], label: str | None,
                    toll_free: bool | None, limit: int, offset: int) -> dict:
        """A NumberLeasePage, by number."""
        found = [lease for _, lease in sorted(self.leases.items())
                 if (label is None or label in lease.get("labels", ()))
                 and (toll_free is None or lease["tollFree"] is toll_free)
                 and (not any(where.values()) or _in_region(lease.get("region", {}), where,
                                                            lease["number"]))]
        return _page(found, limit, offset)

    def lease(self, number: str) -> dict:
        key = nanp_e164(number) or number
        if key not in self.leases:
            raise not_found(f"number: {number} is not leased by this account")
        return self.leases[key]

    def update_lease(self, number: str, body: object) -> None:
        """PUT: autoRenew, labels (a set) and the call/text feature switches; the rest is read-only."""
        lease = self.lease(number)
        body = _check(body, "NumberLease")
        for feature in ("callFeatureStatus", "textFeatureStatus"):
            wanted = body.get(feature)
            if wanted is None or wanted == lease[feature]:
                continue
            if wanted not in ("ENABLED", "DISABLED"):
                raise bad_request(f"{feature}: only ENABLED or DISABLED can be asked for")
            if lease[feature] == "UNSUPPORTED":
                raise bad_request(f"{feature}: {lease['number']} does not support it")
        for field in ("autoRenew", "callFeatureStatus", "textFeatureStatus"):
            if field in body:
                lease[field] = body[field]
        if "labels" in body:
            lease["labels"] = list(dict.fromkeys(body["labels"]))

    def find_configs(self, where: dict[str, str | None], label: str | None, limit: int,
                     offset: int) -> dict:
        """A NumberConfigPage: the config of every lease the filters find."""
        leases = self.find_leases(where, label, None, 2**31 - 1, 0)["items"]
        return _page([self.config(lease["number"]) for lease in leases], limit, offset)

    def config(self, number: str) -> dict:
        lease = self.lease(number)
        return self.configs.get(lease["number"], {"number": lease["number"]})

    def update_config(self, number: str, body: object) -> None:
        """PUT replaces the config: configType says which inbound config is live."""
        lease = self.lease(number)
        body = _check(body, "NumberConfig")
        kind = body.get("configType")
        tracking = body.get("callTrackingConfig", {})
        if kind == "IVR" and not body.get("ivrInboundConfig", {}).get("dialplanXml"):
            raise bad_request("ivrInboundConfig.dialplanXml: an IVR config needs a dialplan")
        if kind is None and ("ivrInboundConfig" in body or tracking):
            raise bad_request("configType: say IVR or TRACKING")
        for field in SOUND_FIELDS:
            if field in tracking and tracking[field] not in self._sounds:
                raise bad_request(f"callTrackingConfig.{field}: sound {tracking[field]} does not exist")
        for i, to in enumerate(tracking.get("transferNumbers", ())):
            if nanp_e164(to) is None:
                raise bad_request(f"callTrackingConfig.transferNumbers[{i}]: {to!r} is not a valid number")
        if lease["callFeatureStatus"] != "ENABLED" and kind is not None:
            raise bad_request(f"configType: calls are {lease['callFeatureStatus']} on {lease['number']}")
        self.configs[lease["number"]] = {**body, "number": lease["number"]}

    # ---- keyword leases ------------------------------------------------------------------------
    def find_keyword_leases(self, label: str | None, limit: int, offset: int) -> dict:
        found = [lease for _, lease in sorted(self.keyword_leases.items())
                 if label is None or label in lease.get("labels", ())]
        return _page(found, limit, offset)

    def keyword_lease(self, keyword: str) -> dict:
        if keyword.upper() not in self.keyword_leases:
            raise not_found(f"keyword: {keyword} is not leased by this account")
        return self.keyword_leases[keyword.upper()]

    def update_keyword_lease(self, keyword: str, body: object) -> None:
        """PUT: autoRenew and labels (CallFire: "Turns the autoRenew on/off")."""
        lease = self.keyword_lease(keyword)
        body = _check(body, "KeywordLease")
        if "autoRenew" in body:
            lease["autoRenew"] = body["autoRenew"]
        if "labels" in body:
            lease["labels"] = list(dict.fromkeys(body["labels"]))

    # ---- orders --------------------------------------------------------------------------------
    def order_numbers(self, body: object, now: int) -> int:
        body = _check(body, "NumberPurchaseRequest")
        where = {k: body.get(k) for k in ("prefix", "city", "state", "zipcode")}
        for_sale = {n["number"]: n for n in self._for_sale()}
        chosen: dict[str, list[str]] = {"localNumbers": [], "tollFreeNumbers": []}
        for i, raw in enumerate(body.get("numbers", ())):
            number = nanp_e164(raw)
            if number not in for_sale or number in chosen["localNumbers"] + chosen["tollFreeNumbers"]:
                raise bad_request(f"numbers[{i}]: {raw} is not available")
            chosen["tollFreeNumbers" if for_sale[number]["tollFree"] else "localNumbers"].append(number)
        for count, field, pick in (
                ("localCount", "localNumbers",
                 lambda n: not n["tollFree"] and _in_region(n.get("region", {}), where, n["number"])),
                ("tollFreeCount", "tollFreeNumbers", lambda n: n["tollFree"])):
            wanted = body.get(count, 0)
            if wanted < 0:
                raise bad_request(f"{count}: must not be negative")
            if wanted and count == "localCount" and not any(where.values()):
                raise bad_request("localCount: give a prefix, city, state or zipcode")
            free = [n["number"] for n in for_sale.values()
                    if pick(n) and n["number"] not in chosen[field]]
            if len(free) < wanted:
                raise bad_request(f"{count}: only {len(free)} such numbers are available")
            chosen[field] += free[:wanted]
        if not any(chosen.values()):
            raise bad_request("numbers: order at least one number (numbers, localCount or tollFreeCount)")
        return self._order(chosen, now)

    def order_keywords(self, body: object, now: int) -> int:
        body = _check(body, "KeywordPurchaseRequest")
        keywords = list(dict.fromkeys(k.upper() for k in body.get("keywords", ())))
        if not keywords:
            raise bad_request("keywords: order at least one keyword")
        for i, keyword in enumerate(keywords):
            if not self.keyword_available(keyword):
                raise bad_request(f"keywords[{i}]: {keyword} is not available")
        return self._order({"keywords": keywords}, now)

    def _order(self, chosen: dict[str, list[str]], now: int) -> int:
        order_id = self._next_order
        self._next_order += 1
        order: dict = {"id": order_id, "status": "PROCESSING", "created": now, "totalCost": 0.0}
        for field, items in chosen.items():
            if items:
                order[field] = {"ordered": len(items), "unitCost": UNIT_COST[field], "fulfilled": []}
                order["totalCost"] += len(items) * UNIT_COST[field]
                self._reserved.update(items)
        order["_pending"] = chosen         # not on the wire: what FINISHED will fulfil
        self.orders[order_id] = order
        return order_id

    def order(self, order_id: int) -> dict:
        if order_id not in self.orders:
            raise not_found(f"order {order_id} not found")
        return {k: v for k, v in self.orders[order_id].items() if not k.startswith("_")}

    # ---- time ------------------------------------------------------------------------------
    def settle(self, now: int) -> None:
        """Finish the orders due by `now`, then renew or release the leases that ended."""
        for order in self.orders.values():
            if order["status"] == "PROCESSING" and now >= order["created"] + ORDER_AFTER_MS:
                self._fulfil(order, order["created"] + ORDER_AFTER_MS)
        for lease in (*self.leases.values(), *self.keyword_leases.values()):
            while lease["status"] == "ACTIVE" and lease["leaseEnd"] <= now:
                if not lease["autoRenew"]:
                    lease["status"] = "RELEASED"
                elif id(lease) in self._seeded:
                    break
                else:
                    lease["leaseEnd"] += LEASE_TERM_MS

    def _fulfil(self, order: dict, at: int) -> None:
        for field, items in order.pop("_pending").items():
            self._reserved.difference_update(items)
            if field in order:
                order[field]["fulfilled"] = list(items)
            for item in items:
                if field == "keywords":
                    self.keyword_leases[item] = {
                        "shortCode": SHORT_CODE, "keyword": item, "leaseBegin": at,
                        "leaseEnd": at + LEASE_TERM_MS, "autoRenew": True, "status": "ACTIVE"}
                else:
                    number = as_number(item)
                    self.leases[item] = {
                        **number, "leaseBegin": at, "leaseEnd": at + LEASE_TERM_MS,
                        "autoRenew": True, "status": "ACTIVE", "callFeatureStatus": "ENABLED",
                        "textFeatureStatus": "UNSUPPORTED" if number["tollFree"] else "ENABLED",
                        "labels": []}
                    self.configs.pop(item, None)      # a number bought again starts unconfigured
        order["status"] = "FINISHED"


def _check(body: object, definition: str) -> dict:
    if not isinstance(body, dict):
        raise bad_request(f"body: expected a {definition} object")
    for key, value in body.items():
        if key not in SHAPES[definition]:
            raise bad_request(f"{key}: unknown {definition} field")
        if SHAPES[definition][key] == "region":      # read-only (floats: not in validate's shapes)
            if not isinstance(value, dict):
                raise bad_request(f"{key}: expected an object")
            continue
        check_shape(value, SHAPES[definition][key], key)
    return body


def _in_region(region: dict, where: dict[str, str | None], number: str = "") -> bool:
    """prefix matches the number (or the region's prefix); city/state case-insensitively."""
    checks = (
        ("prefix", lambda v: (number or region.get("prefix", "")).startswith(
            v if v.startswith("1") else "1" + v)),
        ("city", lambda v: region.get("city", "").upper() == v.upper()),
        ("state", lambda v: region.get("state", "").upper() == v.upper()),
        ("zipcode", lambda v: region.get("zipcode") == v),
    )
    return all(where.get(k) is None or test(where[k]) for k, test in checks)


def _page(items: list[dict], limit: int, offset: int) -> dict:
    return {"items": items[offset:offset + limit], "limit": limit, "offset": offset,
            "totalCount": len(items)}
