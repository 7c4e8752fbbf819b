"""The simulator's number, keyword and order endpoints: routes and handlers (the logic is in
numbers.py). Mixed into bridge.sim.app.Simulator, whose ROUTES include NUMBER_ROUTES.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.sim.app import Request
    from bridge.sim.clock import SimClock

# Literal paths before "{name}" ones: /numbers/leases/configs is not the lease of "configs".
NUMBER_ROUTES: tuple[tuple[str, str, str], ...] = (
    ("GET", "/v2/numbers/regions", "find_number_regions"),
    ("GET", "/v2/numbers/local", "find_numbers_local"),
    ("GET", "/v2/numbers/tollfree", "find_numbers_tollfree"),
    ("GET", "/v2/numbers/leases", "find_number_leases"),
    ("GET", "/v2/numbers/leases/configs", "find_number_lease_configs"),
    ("GET", "/v2/numbers/leases/configs/{name}", "get_number_lease_config"),
    ("PUT", "/v2/numbers/leases/configs/{name}", "update_number_lease_config"),
    ("GET", "/v2/numbers/leases/{name}", "get_number_lease"),
    ("PUT", "/v2/numbers/leases/{name}", "update_number_lease"),
    ("GET", "/v2/keywords", "find_keywords"),
    ("GET", "/v2/keywords/leases", "find_keyword_leases"),
    ("GET", "/v2/keywords/leases/{name}", "get_keyword_lease"),
    ("PUT", "/v2/keywords/leases/{name}", "update_keyword_lease"),
    ("GET", "/v2/keywords/{name}/available", "is_keyword_available"),
    ("POST", "/v2/orders/numbers", "order_numbers"),
    ("POST", "/v2/orders/keywords", "order_keywords"),
    ("GET", "/v2/orders/{id}", "get_order"),
)
REGION_FILTERS = ("prefix", "city", "state", "zipcode")


def _where(request: Request) -> dict[str, str | None]:
    return {name: request.single(name) for name in REGION_FILTERS}


def _paging(request: Request) -> tuple[int, int]:
    return request.paging(100)   # v2's default: 100


class NumberEndpoints:
    clock: SimClock

    def _find_number_regions(self, request: Request) -> tuple[int, object]:
        return 200, request.account.numbers.regions(_where(request), *_paging(request))

    def _find_numbers_local(self, request: Request) -> tuple[int, object]:
        return 200, request.account.numbers.local(_where(request), _paging(request)[0])

    def _find_numbers_tollfree(self, request: Request) -> tuple[int, object]:
        return 200, request.account.numbers.toll_free(request.single("pattern"), _paging(request)[0])

    def _find_number_leases(self, request: Request) -> tuple[int, object]:
        return 200, request.account.numbers.find_leases(
            _where(request), request.single("labelName"), request.boolean("tollFree"),
            *_paging(request))

    def _get_number_lease(self, request: Request) -> tuple[int, object]:
        return 200, request.account.numbers.lease(request.name)

    def _update_number_lease(self, request: Request) -> tuple[int, object]:
        request.account.numbers.update_lease(request.name, request.json())
        return 200, None             # "200 OK - No Response"

    def _find_number_lease_configs(self, request: Request) -> tuple[int, object]:
        return 200, request.account.numbers.find_configs(
            _where(request), request.single("labelName"), *_paging(request))

    def _get_number_lease_config(self, request: Request) -> tuple[int, object]:
        return 200, request.account.numbers.config(request.name)

    def _update_number_lease_config(self, request: Request) -> tuple[int, object]:
        request.account.numbers.update_config(request.name, request.json())
        return 200, None

    def _find_keywords(self, request: Request) -> tuple[int, object]:
        # ?keywords=SUN&keywords=MOON as documented; a comma-separated value is read too.
        wanted = [k.strip() for raw in request.query.get("keywords", ()) for k in raw.split(",")
                  if k.strip()]
        return 200, request.account.numbers.keywords(wanted)

    def _find_keyword_leases(self, request: Request) -> tuple[int, object]:
        return 200, request.account.numbers.find_keyword_leases(request.single("labelName"),
                                                                *_paging(request))

    def _get_keyword_lease(self, request: Request) -> tuple[int, object]:
        return 200, request.account.numbers.keyword_lease(request.name)

    def _update_keyword_lease(self, request: Request) -> tuple[int, object]:
        request.account.numbers.update_keyword_lease(request.name, request.json())
        return 200, None

    def _is_keyword_available(self, request: Request) -> tuple[int, object]:
        return 200, request.account.numbers.keyword_available(request.name)

    def _order_numbers(self, request: Request) -> tuple[int, object]:
        return 201, {"id": request.account.numbers.order_numbers(request.json(), self.clock.now_ms())}

    def _order_keywords(self, request: Request) -> tuple[int, object]:
        return 201, {"id": request.account.numbers.order_keywords(request.json(), self.clock.now_ms())}

    def _get_order(self, request: Request) -> tuple[int, object]:
        return 200, request.account.numbers.order(request.path_id)
