"""NumberService reads of the legacy simulator, from the v2 simulator's number seed
(bridge/sim/number_seed.py) and the v1.1 contract alone: regions, the account's numbers with
their inbound configuration, numbers and keywords for sale, the account's keywords, orders.

Numbers and keywords are listed in ascending order (v1.1 gives them no creation time); the
catalogue is offered in its own order, without the account's numbers. Lease dates are days in
the server's zone (xs:date).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from lxml import etree

from bridge.contract import SVC
from bridge.legacy import records, values
from bridge.legacy.data import LegacyData
from bridge.legacy.faults import bad_request, not_found
from bridge.legacy.request import RequestFields
from bridge.sim.number_seed import (KEYWORD_LEASES, NUMBER_CONFIGS, NUMBER_LEASES, REGIONS,
                                    RESERVED_KEYWORDS, SEED_ORDERS, as_number, catalogue)
from bridge.sim.seed import SHORT_CODE

# data:Region's children in XSD order: (v1.1 element, seed field); Lata and RateCenter: none seeded.
REGION_FIELDS = (("Prefix", "prefix"), ("City", "city"), ("State", "state"), ("Zipcode", "zipcode"),
                 ("Country", "country"), ("Latitude", "latitude"), ("Longitude", "longitude"),
                 ("TimeZone", "timeZone"))
LEASES = {lease["number"]: lease for lease in NUMBER_LEASES}
CONFIGS = {config["number"]: config for config in NUMBER_CONFIGS}
KEYWORDS = {lease["keyword"]: lease for lease in KEYWORD_LEASES}
ORDERS = {order["id"]: order for order in SEED_ORDERS}
_KEYWORD = re.compile(r"[A-Z0-9]{1,30}")
Handler = Callable[[RequestFields, LegacyData, ZoneInfo], etree._Element]   # as operations.py's


# ---- reading the request ---------------------------------------------------------------------
def _region_filter(fields: RequestFields) -> dict[str, str]:
    """The Region's Prefix, City, State and Zipcode that were given."""
    region = fields.data_child("Region")
    if region is None:
        return {}
    wanted = {name: region.string(name) for name in ("Prefix", "City", "State", "Zipcode")}
    return {name: value for name, value in wanted.items() if value is not None}


def _in_region(number: str, region: dict | None, wanted: dict[str, str]) -> bool:
    """A 4-7 digit prefix of the number; city and state in any case; the zipcode exactly."""
    region = region or {}
    tests = {"Prefix": lambda v: number.startswith(v if v.startswith("1") else "1" + v),
             "City": lambda v: region.get("city", "").upper() == v.upper(),
             "State": lambda v: region.get("state", "").upper() == v.upper(),
             "Zipcode": lambda v: region.get("zipcode") == v}
    return all(tests[name](value) for name, value in wanted.items())


# ---- writing the answer ----------------------------------------------------------------------
def region(parent: etree._Element, item: dict) -> None:
    element = records.sub(parent, "Region")
    for v11, field in REGION_FIELDS:
        if field in item:
            records.sub(element, v11, values.number(item[field]) if isinstance(item[field], float) else item[field])


def _day(ms: int, zone: ZoneInfo) -> str:
    return (values.EPOCH + timedelta(milliseconds=ms)).astimezone(zone).date().isoformat()


def lease_info(parent: etree._Element, lease: dict, zone: ZoneInfo) -> None:
    element = records.sub(parent, "LeaseInfo")
    records.sub(element, "LeaseBegin", _day(lease["leaseBegin"], zone))
    records.sub(element, "LeaseEnd", _day(lease["leaseEnd"], zone))
    records.sub(element, "AutoRenew", "true" if lease["autoRenew"] else "false")


def number(parent: etree._Element | None, item: dict, zone: ZoneInfo) -> etree._Element:
    """data:Number: a number for sale (no status, lease or configuration) or one of the account's."""
    element = records.node(parent, "Number")
    records.sub(element, "Number", item["number"])
    records.sub(element, "NationalFormat", item["nationalFormat"])
    records.sub(element, "TollFree", "true" if item["tollFree"] else "false")
    if "region" in item:
        region(element, item["region"])
    if "status" not in item:
        return element
    records.sub(element, "Status", item["status"])
    lease_info(element, item, zone)
    settings = records.sub(element, "NumberConfiguration")
    records.sub(settings, "CallFeature", item["callFeatureStatus"])
    records.sub(settings, "TextFeature", item["textFeatureStatus"])
    config = CONFIGS.get(item["number"], {})
    if "configType" in config:
        records.sub(settings, "InboundCallConfigurationType", config["configType"])
        inbound = records.sub(settings, "InboundCallConfiguration")
        if config["configType"] == "TRACKING":
            tracking, given = records.sub(inbound, "CallTrackingConfig"), config["callTrackingConfig"]
            records.sub(tracking, "TransferNumber", " ".join(given.get("transferNumbers", ())))
            for v11, field in (("Screen", "screen"), ("Record", "recorded")):
                if field in given:
                    records.sub(tracking, v11, "true" if given[field] else "false")
            for v11, field in (("IntroSoundId", "introSoundId"), ("WhisperSoundId", "whisperSoundId")):
                if field in given:
                    records.sub(tracking, v11, str(given[field]))
        else:
            ivr = records.sub(inbound, "IvrInboundConfig")
            records.sub(ivr, "DialplanXml", config["ivrInboundConfig"]["dialplanXml"])
    return element


def keyword(parent: etree._Element, item: dict, zone: ZoneInfo) -> None:
    element = records.sub(parent, "Keyword")
    records.sub(element, "ShortCode", item["shortCode"])
    records.sub(element, "Keyword", item["keyword"])
    if "status" in item:
        records.sub(element, "Status", item["status"])
        lease_info(element, item, zone)


def _result(name: str, total: int) -> etree._Element:
    answer = records.root(SVC, name)
    etree.SubElement(answer, f"{{{SVC}}}TotalResults").text = str(total)
    return answer


# ---- the operations ----------------------------------------------------------------------------
def query_regions(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    paging, wanted = fields.paging(), _region_filter(fields)
    found = [r for r in REGIONS if _in_region(r["prefix"], r, wanted)]
    answer = _result("RegionQueryResult", len(found))
    for item in paging.window(found):
        region(answer, item)
    return answer


def query_numbers(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    paging, wanted, label = fields.paging(), _region_filter(fields), fields.string("LabelName")
    found = [lease for _, lease in sorted(LEASES.items())
             if _in_region(lease["number"], lease.get("region"), wanted)
             and (label is None or label in lease["labels"])]
    answer = _result("NumberQueryResult", len(found))
    for item in paging.window(found):
        number(answer, item, zone)
    return answer


def get_number(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    wanted = fields.phone("Number")
    if wanted is None:
        raise bad_request("Number: required")
    if wanted not in LEASES:
        raise not_found("Number", wanted)
    return number(None, LEASES[wanted], zone)


def search_available_numbers(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """Count numbers for sale: toll-free ones, or local ones in the Region (which must say where)."""
    count = fields.long("Count", required=True, minimum=0)
    toll_free, wanted = bool(fields.boolean("TollFree")), _region_filter(fields)
    if not toll_free and not wanted:
        raise bad_request("Region: give a Prefix, City, State or Zipcode to search local numbers")
    for_sale = [as_number(n) for n in catalogue() if n not in LEASES]
    found = [n for n in for_sale if n["tollFree"] == toll_free
             and (toll_free or _in_region(n["number"], n.get("region"), wanted))][:count]
    answer = _result("NumberQueryResult", len(found))
    for item in found:
        number(answer, item, zone)
    return answer


def query_keywords(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    paging = fields.paging()
    found = [lease for _, lease in sorted(KEYWORDS.items())]
    answer = _result("KeywordQueryResult", len(found))
    for item in paging.window(found):
        keyword(answer, item, zone)
    return answer


def search_available_keywords(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    """The Keywords asked for that nobody has: not the account's, not reserved (STOP, HELP...)."""
    asked = [word.upper() for raw in fields.values("Keywords") for word in raw.replace(",", " ").split()]
    if not asked:
        raise bad_request("Keywords: required")
    found = [{"shortCode": SHORT_CODE, "keyword": word} for word in dict.fromkeys(asked)
             if word not in KEYWORDS and word not in RESERVED_KEYWORDS and _KEYWORD.fullmatch(word)]
    answer = _result("KeywordQueryResult", len(found))
    for item in found:
        keyword(answer, item, zone)
    return answer


def get_number_order(fields: RequestFields, data: LegacyData, zone: ZoneInfo) -> etree._Element:
    order_id = fields.long("Id", required=True)
    if order_id not in ORDERS:
        raise not_found("NumberOrder", order_id)
    order = ORDERS[order_id]
    element = records.root(records.DATA, "NumberOrder", id=str(order_id))
    records.sub(element, "Status", order["status"])
    records.sub(element, "Created", values.instant(order["created"], zone))
    records.sub(element, "TotalCost", values.number(order["totalCost"]))
    for name, field in (("LocalNumbers", "localNumbers"), ("TollFreeNumbers", "tollFreeNumbers"),
                        ("Keywords", "keywords")):
        if field in order:
            item = records.sub(element, name)
            records.sub(item, "Ordered", str(order[field]["ordered"]))
            records.sub(item, "UnitCost", values.number(order[field]["unitCost"]))
            records.sub(item, "Fulfilled", " ".join(order[field]["fulfilled"]))
    return element


NUMBER_OPERATIONS: dict[str, Handler] = {
    "QueryRegions": query_regions,
    "QueryNumbers": query_numbers,
    "GetNumber": get_number,
    "SearchAvailableNumbers": search_available_numbers,
    "QueryKeywords": query_keywords,
    "SearchAvailableKeywords": search_available_keywords,
    "GetNumberOrder": get_number_order,
}
