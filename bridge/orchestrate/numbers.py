"""Strategies for NumberService: what mappings/number.yaml's rows cannot say (its header).

v2 keeps a number's lease and its inbound configuration apart (/numbers/leases,
/numbers/leases/configs); a v1.1 Number holds both, so reads join them and ConfigureNumber writes
both.  Release is a lease PUT with autoRenew false: v2 has no release request.
"""
from __future__ import annotations

from typing import Any

from bridge.orchestrate.generic import Exchange, find, table_plan, table_respond
from bridge.registry import V11Operation
from bridge.translate.convert import Conversions
from bridge.translate.engine import V2Request, entity_writer, response_converter

CONFIG = "/numbers/leases/configs/{number}"
# Where the bridge keeps a lease's config on the lease object between execute and respond.
JOINED_CONFIG = "__config"
# ConfigureNumber: the body fields that belong to the lease; the rest belong to its config.
LEASE_FIELDS = ("callFeatureStatus", "textFeatureStatus")
CONFIG_OF_TYPE = {"TRACKING": "callTrackingConfig", "IVR": "ivrInboundConfig"}
# A config's parts v1.1 cannot say, kept through ConfigureNumber's PUT (which replaces the config).
KEPT_CONFIG_FIELDS = ("textInboundConfig",)
REGION_QUERY = ("prefix", "city", "state", "zipcode")


def config_path(lease_path: str) -> str:
    """/numbers/leases/{number} -> /numbers/leases/configs/{number}: the lease's config."""
    return lease_path.replace("/numbers/leases/", "/numbers/leases/configs/", 1)


def live_config(config: dict[str, Any]) -> dict[str, Any]:
    """The config with only its configType's inbound config (v2 may keep the other one too)."""
    wanted = CONFIG_OF_TYPE.get(config.get("configType", ""))
    return {k: v for k, v in config.items() if k not in CONFIG_OF_TYPE.values() or k == wanted}


# ---- reads -------------------------------------------------------------------------------------

def get_number(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    lease = ex.v2.get(plan.path, authorization=ex.authorization)
    config = ex.v2.get(config_path(plan.path), authorization=ex.authorization)
    return {**(lease or {}), JOINED_CONFIG: config or {}}


def query_numbers(ex: Exchange, op: V11Operation, plan: V2Request) -> dict[str, Any]:
    """The leases' window, and the configs of the same filters and window joined by number; a
    lease whose config that window lacks (v2 changed in between) is read alone."""
    leases = find(ex, op, plan)
    if not leases["items"]:
        return leases
    configs_plan = V2Request(plan.operation, "GET", "/numbers/leases/configs", query=dict(plan.query),
                             paging=dict(plan.paging), paged=True)
    configs = {c.get("number"): c for c in find(ex, op, configs_plan)["items"]}
    for lease in leases["items"]:
        number = lease.get("number")
        if number is not None and number not in configs:
            configs[number] = ex.v2.get(CONFIG.format(number=number), authorization=ex.authorization)
        lease[JOINED_CONFIG] = configs.get(number) or {}
    return leases


def numbers_respond(op: V11Operation, answer: Any, plan: V2Request, conv: Conversions) -> Any:
    """The rows' Number(s), each with the InboundCallConfiguration of its joined config."""
    value = table_respond(op, answer, plan, conv)
    if isinstance(value.get("Number"), list):                 # a page of leases: NumberQueryResult
        for number, lease in zip(value["Number"], answer.get("items") or []):
            _add_inbound(number, lease.get(JOINED_CONFIG) or {}, conv)
    else:                                                     # one lease: data:Number
        _add_inbound(value, answer.get(JOINED_CONFIG) or {}, conv)
    return value


def _add_inbound(number: dict[str, Any], config: dict[str, Any], conv: Conversions) -> None:
    """NumberConfiguration's bridge rows: InboundCallConfigurationType and InboundCallConfiguration."""
    settings = number.get("NumberConfiguration")
    if settings is None or not config.get("configType"):
        return
    settings["InboundCallConfigurationType"] = response_converter("enum:InboundType")(config["configType"], conv)
    inbound = entity_writer("InboundCallConfiguration")(live_config(config), conv)
    if inbound:
        settings["InboundCallConfiguration"] = inbound


def search_plan(op: V11Operation, request: dict[str, Any], conv: Conversions) -> V2Request:
    """SearchAvailableNumbers with TollFree true (any xs:boolean form): GET /numbers/tollfree,
    which has no region filter, so the Region given is not sent (lossy)."""
    plan = table_plan(op, request, conv)
    if plan.bridge.get("toll_free"):
        plan.path = "/numbers/tollfree"
        for name in REGION_QUERY:
            if plan.query.pop(name, None) is not None:
                plan.lossy.append(f"Region/{name.capitalize()}: not sent: GET /numbers/tollfree has no region filter")
    return plan


def counted_respond(op: V11Operation, answer: Any, plan: V2Request, conv: Conversions) -> Any:
    """A v2 NumberList / KeywordList has no totalCount: TotalResults is the number of items."""
    value = table_respond(op, answer, plan, conv)
    value["TotalResults"] = str(len((answer or {}).get("items") or []))
    return value


# ---- writes ------------------------------------------------------------------------------------

def configure_number(ex: Exchange, op: V11Operation, plan: V2Request) -> None:
    """The lease's feature switches, then the config (each PUT only when it has something); the
    config keeps what v1.1 cannot say when its type stays the same."""
    body = dict(plan.body or {})
    lease = {k: body.pop(k) for k in LEASE_FIELDS if k in body}
    if lease:
        ex.v2.put(plan.path, authorization=ex.authorization, json=lease)
    if not body:
        return
    # No InboundCallConfigurationType: the type of the config given.
    kind = body["configType"] = body.get("configType") or next(t for t, f in CONFIG_OF_TYPE.items() if f in body)
    current = ex.v2.get(config_path(plan.path), authorization=ex.authorization) or {}
    if current.get("configType") == kind:
        for field in CONFIG_OF_TYPE.values():
            if field in body:
                body[field] = {**(current.get(field) or {}), **body[field]}
    kept = {k: current[k] for k in KEPT_CONFIG_FIELDS if k in current}
    ex.v2.put(config_path(plan.path), authorization=ex.authorization, json=live_config({**kept, **body}))


def release_plan(op: V11Operation, request: dict[str, Any], conv: Conversions) -> V2Request:
    """Release: the lease (number or keyword) PUT with autoRenew false, v2's only way."""
    plan = table_plan(op, request, conv)
    plan.body = {"autoRenew": False}
    return plan
