"""Properties of cart validation and order grouping, over generated carts."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import (LEGACY_AZURE, LEGACY_BASE, M365_BASIC, SAAS_PLAN, SAAS_TRIAL, SOFTWARE, fresh_api,
                           reservation_line)

LINES: dict[str, tuple[str, dict[str, Any]]] = {
    "legacy-azure": ("legacy", {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"}),
    "legacy-license": ("legacy", {"catalogItemId": LEGACY_BASE, "quantity": 2, "billingCycle": "monthly"}),
    "nce": ("ms", {"catalogItemId": M365_BASIC, "quantity": 2, "billingCycle": "monthly", "termDuration": "P1Y"}),
    "reservation": ("ms", reservation_line()),
    "software": ("ms", {"catalogItemId": SOFTWARE, "quantity": 1, "billingCycle": "one_time"}),
    "saas": ("saas", {"catalogItemId": SAAS_PLAN, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1M"}),
    "saas-trial": ("saas", {"catalogItemId": SAAS_TRIAL, "quantity": 3, "billingCycle": "none", "termDuration": "P1M"}),
}
TERMS = {("P1M", "monthly"), ("P1Y", "monthly"), ("P1Y", "annual"), ("P3Y", "annual"), ("P3Y", "triennial")}
MONTHS = {"P1M": 1, "P1Y": 12, "P3Y": 36, "P2Y": 24, "monthly": 1, "annual": 12, "triennial": 36, "none": 0,
          "one_time": 0}
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(st.lists(st.sampled_from(sorted(LINES)), min_size=1, max_size=8))
def test_order_groups_follow_the_kind_of_each_line_and_checkout_makes_one_order_each(kinds: list[str]) -> None:
    for api in fresh_api(sandbox_limits=False, provisioning_delay=0):
        customer = api.new_customer()
        cart = api.new_cart(customer, *[LINES[k][1] for k in kinds]).json()
        groups = [line["orderGroup"] for line in cart["lineItems"]]
        families = [LINES[k][0] for k in kinds]
        assert all((g == "OMS-0") == (f == "legacy") for g, f in zip(groups, families, strict=True))
        cycles = [line["billingCycle"] for line in cart["lineItems"]]
        first_party = {(g, c) for g, f, c in zip(groups, families, cycles, strict=True) if f == "ms"}
        assert len({g for g, _ in first_party}) == len({c for _, c in first_party})  # one group per cycle
        saas = [g for g, f in zip(groups, families, strict=True) if f == "saas"]
        assert len(set(saas)) == len(saas)
        numbered = list(dict.fromkeys(g for g in groups if g != "OMS-0"))
        assert numbered == [str(n) for n in range(len(numbered))]
        result = api.post(f"/v1/customers/{customer}/carts/{cart['id']}/checkout").json()
        assert len(result["orders"]) == len(set(groups)) and result["orderErrors"] == []
        by_group = {g: [ln["catalogItemId"] for ln in cart["lineItems"] if ln["orderGroup"] == g] for g in groups}
        assert sorted(([ln["offerId"] for ln in o["lineItems"]] for o in result["orders"])) == sorted(by_group.values())


@FAST
@given(st.integers(min_value=-5, max_value=400), st.booleans())
def test_quantity_is_accepted_exactly_within_the_sku_bounds(quantity: int, limits: bool) -> None:
    for api in fresh_api(sandbox_limits=limits):
        reply = api.new_cart(api.new_customer(), {"catalogItemId": M365_BASIC, "quantity": quantity,
                                                  "billingCycle": "monthly", "termDuration": "P1Y"})
        if not 1 <= quantity <= 300:
            assert (reply.status_code, reply.json()["code"]) == (400, 900275)
            continue
        assert reply.status_code == 201
        error = reply.json()["lineItems"][0].get("error")
        assert (error or {}).get("errorCode") == (10009 if limits and quantity > 25 else None)


@FAST
@given(st.sampled_from(["P1M", "P1Y", "P3Y", "P2Y"]), st.sampled_from(["monthly", "annual", "triennial", "none",
                                                                      "one_time", "Monthly", "OneTime"]))
def test_only_offered_terms_and_billing_cycles_are_accepted(term: str, cycle: str) -> None:
    for api in fresh_api():
        reply = api.new_cart(api.new_customer(), {"catalogItemId": M365_BASIC, "quantity": 1, "billingCycle": cycle,
                                                  "termDuration": term})
        normal = {"onetime": "one_time"}.get(cycle.lower(), cycle.lower())
        if (term, normal) in TERMS:
            assert reply.status_code == 201
        elif term not in {t for t, _ in TERMS}:
            assert reply.json()["code"] == 900268
        elif MONTHS[normal] > MONTHS[term]:
            assert reply.json()["code"] == 900270
        else:
            assert reply.json()["code"] == 900269


@FAST
@given(st.lists(st.sampled_from(["nce", "reservation", "software", "saas", "legacy-azure"]), min_size=1, max_size=9))
def test_a_customer_never_gets_more_than_five_subscriptions_in_the_sandbox(kinds: list[str]) -> None:
    for api in fresh_api(provisioning_delay=0):
        customer = api.new_customer()
        for kind in kinds:
            cart = api.new_cart(customer, LINES[kind][1]).json()
            api.post(f"/v1/customers/{customer}/carts/{cart['id']}/checkout")
        assert api.get(f"/v1/customers/{customer}/subscriptions").json()["totalCount"] == min(len(kinds), 5)
