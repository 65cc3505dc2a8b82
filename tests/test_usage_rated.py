"""Daily rated usage (simulator/usage/rated.py): which days accrue, what they cost, and that it is all a
function of the seed, the Azure subscription, the day and the subscription's record.

Sources: api.md 1.7 (Azure plan entitlements, cancel), 2.9 and 2.10 (sandbox cap, usage after ~24 h),
get-invoice-unbilled-consumption-lineitems.md (daily rated usage line items).
"""
from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from simulator.usage import meters
from tests.helpers import (BASE, DAY, ELIGIBILITY, PLAN_LINE, UPGRADES, Api, Partner, agreement_body, build_app,
                           customer_body, legacy_customer, money, nce_line, new_partner, plan_customer, sub_path,
                           summary, update)

TEN_MINUTES = 600


@pytest.fixture
def partner(make_api: Any) -> Partner:
    return new_partner(make_api)


def days_of(partner: Partner, customer: str, sub: str) -> set[date]:
    return {row.day for row in partner.rows(customer, sub)}


def span(first: date, last: date) -> set[date]:
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


# --- which days accrue ----------------------------------------------------------------------------

def test_a_cancelled_azure_subscription_stops_accruing_from_the_day_of_the_cancel(partner: Partner) -> None:
    customer, plan = plan_customer(partner)
    entitlement = partner.get(sub_path(customer, plan) + "/azureEntitlements")["items"][0]["id"]
    partner.api.advance(DAY + 2 * 3600)  # 2026-01-06T12:00Z
    cancel = partner.api.post(f"{sub_path(customer, plan)}/azureEntitlements/{entitlement}/cancel",
                              json={"cancellationReason": "compromise"})
    assert cancel.status_code == 200
    partner.api.advance(2 * DAY)  # 2026-01-08T12:00Z: January 6 would be reported by now
    before = summary(partner, customer, plan)
    assert days_of(partner, customer, plan) == {date(2026, 1, 5)}
    partner.api.advance(10 * DAY)
    assert days_of(partner, customer, plan) == {date(2026, 1, 5)}
    assert summary(partner, customer, plan)["totalCost"] == before["totalCost"] > 0


def test_a_reactivated_azure_subscription_accrues_again_from_the_day_of_the_reactivation(partner: Partner) -> None:
    customer, plan = plan_customer(partner)
    entitlement = f"{sub_path(customer, plan)}/azureEntitlements/"
    entitlement += partner.get(entitlement)["items"][0]["id"]
    partner.api.advance(DAY + 2 * 3600)  # 2026-01-06T12:00Z
    assert partner.api.post(entitlement + "/cancel", json={"cancellationReason": "abuse"}).status_code == 200
    partner.api.advance(2 * DAY)  # 2026-01-08T12:00Z
    assert partner.api.post(entitlement + "/reactivate").status_code == 202
    partner.api.advance(3 * DAY)  # 2026-01-11T12:00Z: reported through January 9
    assert days_of(partner, customer, plan) == {date(2026, 1, 5), date(2026, 1, 8), date(2026, 1, 9)}


def test_a_suspended_subscription_stops_accruing_and_resumes_when_reactivated(partner: Partner) -> None:
    customer, sub = legacy_customer(partner)  # MS-AZR-0145P can be suspended while in use
    partner.api.advance(2 * DAY)  # 2026-01-07T10:00Z
    assert update(partner.api, customer, sub, status="suspended").status_code == 200
    partner.api.advance(3 * DAY)  # 2026-01-10T10:00Z
    assert update(partner.api, customer, sub, status="active").status_code == 200
    partner.api.advance(4 * DAY)  # 2026-01-14T10:00Z: reported through January 12
    assert days_of(partner, customer, sub) == {date(2026, 1, 5), date(2026, 1, 6), *span(date(2026, 1, 10),
                                                                                           date(2026, 1, 12))}


def test_usage_moves_with_an_upgrade_to_an_azure_plan_and_counts_each_day_once(partner: Partner) -> None:
    customer, legacy = legacy_customer(partner)
    partner.api.advance(2 * DAY + 3600)  # 2026-01-07T11:00Z
    request = {"customerId": customer, "productFamily": "azure"}
    assert partner.api.post(ELIGIBILITY, json=request).json()["isEligible"]
    assert partner.api.post(UPGRADES, json=request).status_code == 202
    partner.api.advance(3 * DAY)  # 2026-01-10T11:00Z: reported through January 8; the upgrade is long done
    plan = next(s["id"] for s in partner.get(f"/v1/customers/{customer}/subscriptions")["items"]
                if s["offerId"] == PLAN_LINE["catalogItemId"])
    assert days_of(partner, customer, legacy) == {date(2026, 1, 5), date(2026, 1, 6)}
    assert days_of(partner, customer, plan) == {date(2026, 1, 7), date(2026, 1, 8)}
    entitlements = {r.entitlement_id for s in (legacy, plan) for r in partner.rows(customer, s)}
    assert len(entitlements) == 1  # the same Azure subscription, billed under the plan from the move
    whole = partner.get(f"/v1/customers/{customer}/usagesummary")
    assert money(whole["totalCost"]) == sum(r.amount for s in (legacy, plan) for r in partner.rows(customer, s))
    assert whole["currencyCode"] == "USD"  # an upgraded customer answers in the Azure plan form


def test_license_based_subscriptions_have_no_rated_usage(partner: Partner) -> None:

    customer = partner.customer()
    sub = partner.buy(customer, nce_line())
    partner.api.advance(5 * DAY)
    assert partner.rows(customer, sub) == []


# --- determinism --------------------------------------------------------------------------------

def test_the_meter_catalog_comes_from_the_seed() -> None:
    first, again, other = meters.catalog(0), meters.catalog(0), meters.catalog(1)
    assert first == again and [m.id for m in first] != [m.id for m in other]
    assert 8 <= len(first) <= 12 and len({m.id for m in first}) == len(first)
    assert {m.category for m in first} >= {"Virtual Machines", "Storage", "Bandwidth", "SQL Database",
                                           "Azure App Service"}
    assert all(m.usd_price == m.usd_price.quantize(Decimal("0.01")) > 0 for m in first)


def test_reading_usage_never_shifts_business_ids(make_api: Any) -> None:
    def next_customer(api: Api, read: bool) -> str:
        customer, plan = plan_customer(Partner(api, api.token, api.token))
        api.advance(3 * DAY)
        if read:
            for tail in ("usagesummary", "meterusagerecords", "resourceusagerecords"):
                assert api.get(f"{sub_path(customer, plan)}/{tail}").status_code == 200
            assert api.get("/v1/customers/usagerecords").status_code == 200
        return api.new_customer()

    assert next_customer(make_api(provisioning_delay=0), True) == next_customer(make_api(provisioning_delay=0), False)


# --- totals add up to the cent, whatever the seed, market and day ------------------------------------

def call(app: Any, method: str, path: str, **kw: Any) -> Any:
    async def send() -> Any:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
            reply = await client.request(method, path, headers={"Authorization": "Bearer any"}, **kw)
            assert reply.status_code < 300, reply.text
            return reply.json()
    return asyncio.run(send())


COUNTRIES = ["US", "GB", "DE", "JP", "BR", "CA", "AU"]


@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10**6), country=st.sampled_from(COUNTRIES), days=st.integers(0, 45))
def test_every_total_is_the_sum_of_its_rows_to_the_cent(seed: int, country: str, days: int) -> None:
    app = build_app(wall="real", provisioning_delay=0, seed=seed)
    customer = call(app, "POST", "/v1/customers", json=customer_body("p.onmicrosoft.com", country))["id"]
    call(app, "POST", f"/v1/customers/{customer}/agreements", json=agreement_body())
    cart = call(app, "POST", f"/v1/customers/{customer}/carts", json={"lineItems": [{"id": 0, **PLAN_LINE}]})
    plan = call(app, "POST", f"/v1/customers/{customer}/carts/{cart['id']}/checkout")["orders"][0][
        "lineItems"][0]["subscriptionId"]
    call(app, "POST", "/_simulator/clock/advance", json={"seconds": days * DAY})
    base = f"/v1/customers/{customer}/subscriptions/{plan}"
    whole = call(app, "GET", base + "/usagesummary")
    for tail in ("meterusagerecords", "resourceusagerecords"):
        items = call(app, "GET", f"{base}/{tail}")["items"]
        assert sum((money(i["totalCost"]) for i in items), Decimal(0)) == money(whole["totalCost"])
        assert sum((money(i["usdTotalCost"]) for i in items), Decimal(0)) == money(whole["usdTotalCost"])
    step = Decimal("1") if country == "JP" else Decimal("0.01")
    assert money(whole["totalCost"]) == money(whole["totalCost"]).quantize(step)
    customer_total = call(app, "GET", f"/v1/customers/{customer}/usagesummary")
    assert (customer_total["totalCost"], customer_total["usdTotalCost"]) == (whole["totalCost"], whole["usdTotalCost"])
