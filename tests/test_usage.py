"""Azure spending (P1-P9, P11): summaries, usage records, budgets, the 24-hour reporting delay, errors
and tokens.

Sources: get-a-customer-usage-summary.md,
get-a-customer-s-usage-spending-budget.md, update-a-customer-s-usage-spending-budget.md,
get-a-customer-subscription-s-usage-records.md, get-a-customer-s-usage-records.md,
get-a-customer-subscription-usage-summary.md, get-a-customer-subscription-meter-usage-records.md,
get-a-customer-subscription-resource-usage-records.md, get-all-monthly-usage-records-for-a-subscription.md,
get-a-partner-usage-summary.md; recorded spending--*.json.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from simulator.ids import name_guid
from simulator.usage.rated import UsageRow
from tests.helpers import (DAY, PLAN_LINE, Partner, legacy_customer, link, money, nce_line, new_partner, plan_customer,
                           refused, sub_path, summary)

TENANT = "contoso-partner.onmicrosoft.com"
PERIOD = {"billingStartDate": "2026-01-01T00:00:00Z", "billingEndDate": "2026-02-01T00:00:00Z"}


def attributes(object_type: str) -> dict[str, str]:
    return {"objectType": object_type}


@pytest.fixture
def partner(make_api: Any) -> Partner:
    return new_partner(make_api)


def total(rows: list[UsageRow]) -> tuple[float, float]:
    return float(sum(r.amount for r in rows)), float(sum(r.usd_amount for r in rows))


# --- usage accrues and is reported a day after it ends ------------------------------------------

def test_usage_of_a_day_shows_once_the_day_is_over_and_24_hours_more(partner: Partner) -> None:
    customer, plan = plan_customer(partner)  # bought 2026-01-05T10:00Z
    partner.api.advance(38 * 3600 - 1)  # 2026-01-06T23:59:59Z
    assert summary(partner, customer, plan)["totalCost"] == 0
    assert partner.rows(customer, plan) == []
    partner.api.advance(1)  # 2026-01-07T00:00Z: 2026-01-05 is reported
    rows = partner.rows(customer, plan)
    assert {r.day for r in rows} == {date(2026, 1, 5)} and len(rows) >= 2
    assert money(summary(partner, customer, plan)["totalCost"]) == sum(r.amount for r in rows) > 0
    partner.api.advance(DAY)
    assert {r.day for r in partner.rows(customer, plan)} == {date(2026, 1, 5), date(2026, 1, 6)}


def test_a_day_of_an_azure_subscription_costs_a_few_dollars(partner: Partner) -> None:
    customer, plan = plan_customer(partner, "US")
    partner.api.advance(26 * DAY)
    rows = partner.rows(customer, plan)
    days = {r.day for r in rows}
    assert len(days) == 25
    for day in days:
        assert Decimal("0.2") <= sum(r.usd_amount for r in rows if r.day == day) <= Decimal("7")
    assert sum(r.usd_amount for r in rows) < 200  # the sandbox's cap per subscription and cycle


def test_rows_are_priced_in_the_customers_currency_to_its_step(partner: Partner) -> None:
    customer, plan = plan_customer(partner, "JP")
    partner.api.advance(4 * DAY)
    for row in partner.rows(customer, plan):
        assert row.currency == "JPY"
        assert row.unit_price == (row.meter.usd_price * 150).quantize(Decimal("1"))
        assert row.amount == (row.quantity * row.unit_price).quantize(Decimal("1"), rounding="ROUND_HALF_UP")
        assert row.usd_amount == (row.quantity * row.meter.usd_price).quantize(Decimal("0.01"),
                                                                                rounding="ROUND_HALF_UP")


# --- P6 / P1: summaries -----------------------------------------------------------------------

def test_an_azure_plan_summary_has_currency_code_and_usd_total(partner: Partner) -> None:
    customer, plan = plan_customer(partner, "GB")
    partner.api.advance(3 * DAY)
    cost, usd = total(partner.rows(customer, plan))
    assert summary(partner, customer, plan) == {
        "resourceId": plan, "id": plan, "resourceName": "Microsoft Azure plan", "name": "Microsoft Azure plan",
        **PERIOD, "totalCost": cost, "currencyCode": "GBP", "usdTotalCost": usd,
        "lastModifiedDate": "2026-01-08T00:00:00Z",
        "links": link(f"/customers/{customer}/subscriptions/{plan}/usagesummary"),
        "attributes": attributes("SubscriptionUsageSummary")}
    assert cost > 0 and usd > cost  # GBP prices are 0.82 of USD


def test_a_legacy_azure_summary_has_the_currency_locale(partner: Partner) -> None:
    customer, sub = legacy_customer(partner)
    partner.api.advance(3 * DAY)
    cost, _ = total(partner.rows(customer, sub))
    assert summary(partner, customer, sub) == {
        "resourceId": sub, "id": sub, "resourceName": "Microsoft Azure", "name": "Microsoft Azure", **PERIOD,
        "totalCost": cost, "currencyLocale": "en-US", "lastModifiedDate": "2026-01-08T00:00:00Z",
        "links": link(f"/customers/{customer}/subscriptions/{sub}/usagesummary"),
        "attributes": attributes("SubscriptionUsageSummary")}


def test_a_customer_usage_summary_totals_its_azure_subscriptions_with_its_budget(partner: Partner) -> None:
    customer, plan = plan_customer(partner, "DE")
    partner.buy(customer, nce_line())  # license-based: no usage
    assert partner.api.patch(f"/v1/customers/{customer}/usagebudget", json={"amount": 50}).status_code == 200
    partner.api.advance(5 * DAY)
    cost, usd = total(partner.rows(customer, plan))
    assert partner.get(f"/v1/customers/{customer}/usagesummary") == {
        "budget": {"amount": 50.0, "attributes": attributes("SpendingBudget")},
        "resourceId": customer, "id": customer, "resourceName": "Contoso", "name": "Contoso", **PERIOD,
        "totalCost": cost, "currencyCode": "EUR", "usdTotalCost": usd, "lastModifiedDate": "2026-01-10T00:00:00Z",
        "links": link(f"/customers/{customer}/usagesummary"), "attributes": attributes("CustomerUsageSummary")}


def test_a_customer_without_azure_has_a_zero_summary_without_budget(partner: Partner) -> None:
    customer = partner.customer()
    body = partner.get(f"/v1/customers/{customer}/usagesummary")
    assert body["budget"] == {"attributes": attributes("SpendingBudget")}
    assert (body["totalCost"], body["currencyLocale"]) == (0, "en-US") and "usdTotalCost" not in body


def test_the_summary_covers_the_current_calendar_month_only(partner: Partner) -> None:
    customer, plan = plan_customer(partner, "US")
    partner.api.advance(26 * DAY + 2 * 3600)  # 2026-01-31T12:00Z: January 29 is the last day reported
    january = summary(partner, customer, plan)
    assert (january["billingStartDate"], january["billingEndDate"]) == (PERIOD["billingStartDate"],
                                                                        PERIOD["billingEndDate"])
    assert money(january["totalCost"]) == sum(r.amount for r in partner.rows(customer, plan)) > 0
    partner.api.advance(DAY)  # February 1: January 30 is reported now, in January; February has nothing yet
    assert summary(partner, customer, plan) == {
        **january, "billingStartDate": "2026-02-01T00:00:00Z", "billingEndDate": "2026-03-01T00:00:00Z",
        "totalCost": 0, "usdTotalCost": 0, "lastModifiedDate": "2026-02-01T00:00:00Z"}
    partner.api.advance(2 * DAY)  # February 3: February 1 is reported
    february = partner.rows(customer, plan, date(2026, 2, 1), date(2026, 2, 28))
    assert {r.day for r in february} == {date(2026, 2, 1)}
    assert money(summary(partner, customer, plan)["totalCost"]) == sum(r.amount for r in february) > 0


# --- P7, P8, P9: per meter and per resource ------------------------------------------------------

def test_meter_and_resource_records_add_up_to_the_subscription_total(partner: Partner) -> None:
    customer, plan = plan_customer(partner, "FR")
    partner.api.advance(9 * DAY)
    whole = summary(partner, customer, plan)
    meters = partner.get(sub_path(customer, plan) + "/meterusagerecords")
    resources = partner.get(sub_path(customer, plan) + "/resourceusagerecords")
    for found in (meters, resources):
        assert sum(money(i["totalCost"]) for i in found["items"]) == money(whole["totalCost"])
        assert sum(money(i["usdTotalCost"]) for i in found["items"]) == money(whole["usdTotalCost"])
    assert meters["links"] == link(f"/customers/{customer}/subscriptions/{plan}/meterusagerecords")
    assert resources["links"] == link(f"/customers/{customer}/subscriptions/{plan}/resourceusagerecords")


def test_a_meter_usage_record_sums_its_meters_rows(partner: Partner) -> None:
    customer, plan = plan_customer(partner, "US")
    partner.api.advance(4 * DAY)
    rows = partner.rows(customer, plan)
    first = partner.get(sub_path(customer, plan) + "/meterusagerecords")["items"][0]
    mine = [r for r in rows if r.meter.id == first["meterId"]]
    meter = mine[0].meter
    assert first == {
        "subscriptionId": plan, "meterId": meter.id, "meterName": meter.name, "category": meter.category,
        "subcategory": meter.subcategory, "quantityUsed": float(sum(r.quantity for r in mine)), "unit": meter.unit,
        "totalCost": total(mine)[0], "currencyCode": "USD", "usdTotalCost": total(mine)[1],
        "lastModifiedDate": "2026-01-09T00:00:00Z", "attributes": attributes("MeterUsageRecord")}


def test_a_resource_usage_record_names_the_azure_subscription_and_resource(partner: Partner) -> None:
    customer, plan = plan_customer(partner, "US")
    partner.api.advance(4 * DAY)
    rows = partner.rows(customer, plan)
    first = partner.get(sub_path(customer, plan) + "/resourceusagerecords")["items"][0]
    mine = [r for r in rows if r.resource_uri == first["resourceUri"]]
    row = mine[0]
    name = row.resource_uri.rsplit("/", 1)[1]
    assert row.resource_uri.startswith(f"/subscriptions/{row.entitlement_id}/resourceGroups/{row.resource_group}/")
    assert first == {
        "subscriptionId": plan, "resourceUri": row.resource_uri, "resourceType": row.meter.consumed_service,
        "entitlementId": row.entitlement_id, "entitlementName": "Microsoft Azure",
        "resourceGroupName": row.resource_group, "name": name, "resourceName": name, "totalCost": total(mine)[0],
        "currencyCode": "USD", "usdTotalCost": total(mine)[1], "lastModifiedDate": "2026-01-09T00:00:00Z",
        "attributes": attributes("ResourceUsageRecord")}


def test_monthly_usage_records_of_a_legacy_subscription_are_per_meter(partner: Partner) -> None:
    customer, sub = legacy_customer(partner, "FR")
    partner.api.advance(4 * DAY)
    rows = partner.rows(customer, sub)
    body = partner.get(sub_path(customer, sub) + "/usagerecords/resources", user=False)  # App-only is fine here
    meters = list(dict.fromkeys(r.meter for r in rows))
    assert body["totalCount"] == len(meters) == len({r.meter.id for r in rows})
    one = next(i for i in body["items"] if i["id"] == rows[0].meter.id)
    mine = [r for r in rows if r.meter.id == one["id"]]
    assert one == {"category": mine[0].meter.category, "subcategory": mine[0].meter.subcategory,
                   "quantityUsed": float(sum(r.quantity for r in mine)), "unit": mine[0].meter.unit,
                   "id": mine[0].meter.id, "name": mine[0].meter.name, "totalCost": total(mine)[0],
                   "currencyLocale": "en-US", "attributes": attributes("AzureResourceMonthlyUsageRecord")}
    assert sum(money(i["totalCost"]) for i in body["items"]) == sum(r.amount for r in rows)


# --- P4, P5, P11: lists -----------------------------------------------------------------------

def test_subscription_usage_records_have_one_record_per_azure_plan(partner: Partner) -> None:
    customer, plan = plan_customer(partner, "GB")
    partner.buy(customer, nce_line())
    partner.api.advance(3 * DAY)
    cost, usd = total(partner.rows(customer, plan))
    body = partner.get(f"/v1/customers/{customer}/subscriptions/usagerecords")
    assert body == {"totalCount": 1, "items": [{
        "status": "active", "partnerOnRecord": "", "offerId": PLAN_LINE["catalogItemId"], "resourceId": plan,
        "id": plan, "resourceName": "Microsoft Azure plan", "name": "Microsoft Azure plan", "totalCost": cost,
        "currencyCode": "GBP", "usdTotalCost": usd, "lastModifiedDate": "2026-01-08T00:00:00Z",
        "attributes": attributes("SubscriptionMonthlyUsageRecord")}],
        "links": link(f"/customers/{customer}/subscriptions/usagerecords"), "attributes": attributes("Collection")}


def test_a_legacy_subscription_usage_record_has_a_locale_and_zero_usd(partner: Partner) -> None:
    customer, sub = legacy_customer(partner)
    partner.api.advance(3 * DAY)
    item = partner.get(f"/v1/customers/{customer}/subscriptions/usagerecords")["items"][0]
    assert item == {"status": "active", "offerId": "MS-AZR-0145P", "resourceId": sub, "id": sub,
                    "resourceName": "Microsoft Azure", "name": "Microsoft Azure",
                    "totalCost": total(partner.rows(customer, sub))[0], "currencyLocale": "en-US",
                    "usdTotalCost": 0, "lastModifiedDate": "2026-01-08T00:00:00Z",
                    "attributes": attributes("SubscriptionMonthlyUsageRecord")}


def test_customer_usage_records_list_customers_with_azure_and_who_is_upgraded(partner: Partner) -> None:
    modern, plan = plan_customer(partner, "US")
    legacy, sub = legacy_customer(partner, "US")
    partner.customer()  # no Azure: not listed
    partner.api.patch(f"/v1/customers/{modern}/usagebudget", json={"amount": 4}, token=partner.app)
    partner.api.advance(4 * DAY)
    cost, usd = total(partner.rows(modern, plan))
    legacy_cost, _ = total(partner.rows(legacy, sub))
    budget = {"attributes": attributes("SpendingBudget")}
    assert partner.get("/v1/customers/usagerecords") == {"totalCount": 2, "items": [
        {"budget": {"amount": 4.0, **budget}, "percentUsed": float((money(cost) * 100 / 4).quantize(Decimal("0.01"))),
         "isUpgraded": True, "resourceId": modern, "id": modern, "resourceName": "Contoso", "name": "Contoso",
         "totalCost": cost, "currencyCode": "USD", "usdTotalCost": usd, "lastModifiedDate": "2026-01-09T00:00:00Z",
         "attributes": attributes("CustomerMonthlyUsageRecord")},
        {"budget": budget, "customerSpendingBudget": budget, "percentUsed": 0, "isUpgraded": False,
         "resourceId": legacy, "id": legacy, "resourceName": "Contoso", "name": "Contoso", "totalCost": legacy_cost,
         "currencyLocale": "en-US", "usdTotalCost": 0, "lastModifiedDate": "2026-01-09T00:00:00Z",
         "attributes": attributes("CustomerMonthlyUsageRecord")}],
        "links": link("/customers/usagerecords"), "attributes": attributes("Collection")}


def test_the_partner_summary_leaves_out_azure_plan_customers_and_counts_budgets(partner: Partner) -> None:
    modern, _ = plan_customer(partner, "US")
    over, over_sub = legacy_customer(partner, "US")
    trending, trending_sub = legacy_customer(partner, "US")
    partner.customer()
    partner.api.advance(4 * DAY)  # 2026-01-09: January 1-7 are reported, usage on 5-7
    over_cost, trending_cost = (sum(r.amount for r in partner.rows(c, s)) for c, s in
                                ((over, over_sub), (trending, trending_sub)))
    partner.api.patch(f"/v1/customers/{over}/usagebudget", json={"amount": str(over_cost - Decimal("0.01"))})
    partner.api.patch(f"/v1/customers/{trending}/usagebudget", json={"amount": str(trending_cost * 2)})
    partner.api.patch(f"/v1/customers/{modern}/usagebudget", json={"amount": 10000})
    tenant = name_guid(TENANT)
    assert partner.get("/v1/usagesummary") == {
        "customersOverBudget": 1, "customersTrendingOver": 1, "customersWithUsageBasedSubscription": 3,
        "resourceId": tenant, "id": tenant, "resourceName": tenant, "name": tenant, **PERIOD,
        "totalCost": float(sum(r.usd_amount for c, s in ((over, over_sub), (trending, trending_sub))
                               for r in partner.rows(c, s))),
        "currencyLocale": "en-US", "lastModifiedDate": "2026-01-09T00:00:00Z", "links": link("/usagesummary"),
        "attributes": attributes("PartnerUsageSummary")}


# --- budgets (P2, P3) ---------------------------------------------------------------------------

def budget(customer: str, amount: Any) -> dict[str, Any]:
    return {"amount": amount, "usageSpendingBudget": amount, "attributes": attributes("SpendingBudget"),
            "links": link(f"/v1/customers/{customer}/usagebudget")}


def test_a_customer_has_no_budget_until_one_is_set(partner: Partner) -> None:
    customer = partner.customer()
    assert partner.get(f"/v1/customers/{customer}/usagebudget", user=False) == budget(customer, None)


@pytest.mark.parametrize("body", [{"Amount": 100, "Attributes": {"ObjectType": "SpendingBudget"}},
                                  {"amount": 100}, {"AMOUNT": "100"}], ids=["PascalCase", "camelCase", "string"])
def test_a_budget_set_in_any_casing_reads_back(partner: Partner, body: dict[str, Any]) -> None:
    customer = partner.customer()
    path = f"/v1/customers/{customer}/usagebudget"
    reply = partner.api.patch(path, json=body, token=partner.app)
    assert reply.status_code == 200 and reply.json() == budget(customer, 100.0)
    assert partner.get(path, user=False) == budget(customer, 100.0)
    assert partner.get(f"/v1/customers/{customer}/usagesummary")["budget"] == {
        "amount": 100.0, "attributes": attributes("SpendingBudget")}


def test_a_null_amount_removes_the_budget(partner: Partner) -> None:
    customer = partner.customer()
    path = f"/v1/customers/{customer}/usagebudget"
    partner.api.patch(path, json={"amount": 12.5})
    assert partner.get(path) == budget(customer, 12.5)
    assert partner.api.patch(path, json={"Amount": None}).json() == budget(customer, None)
    assert partner.get(path) == budget(customer, None)


@pytest.mark.parametrize("body", [{"amount": -1}, {"amount": "lots"}, {"amount": True}, [], {"amount": 1e13}])
def test_an_invalid_budget_is_refused(partner: Partner, body: Any) -> None:
    customer = partner.customer()
    assert refused(partner.api.patch(f"/v1/customers/{customer}/usagebudget", json=body)) == (400, 800002)
    assert partner.get(f"/v1/customers/{customer}/usagebudget") == budget(customer, None)


def test_budgets_of_unknown_customers_are_not_found(partner: Partner) -> None:
    unknown = "/v1/customers/11111111-2222-3333-4444-555555555555/usagebudget"
    assert refused(partner.api.get(unknown)) == (404, 60003)
    assert refused(partner.api.patch(unknown, json={"amount": 1})) == (404, 60003)
    assert refused(partner.api.get("/v1/customers/not-a-guid/usagebudget")) == (400, 800002)


# --- errors and tokens ----------------------------------------------------------------------------

def test_operations_for_one_kind_of_azure_subscription_refuse_the_other(partner: Partner) -> None:
    modern, plan = plan_customer(partner)
    legacy, sub = legacy_customer(partner)
    assert refused(partner.api.get(sub_path(legacy, sub) + "/resourceusagerecords", token=partner.user)) == (
        403, 900263)
    assert refused(partner.api.get(sub_path(modern, plan) + "/usagerecords/resources")) == (400, 900141)


@pytest.mark.parametrize("tail", ["usagesummary", "meterusagerecords", "resourceusagerecords",
                                  "usagerecords/resources"])
def test_subscriptions_that_are_not_azure_have_no_usage(partner: Partner, tail: str) -> None:
    customer = partner.customer()
    sub = partner.buy(customer, nce_line())
    assert refused(partner.api.get(f"{sub_path(customer, sub)}/{tail}", token=partner.user)) == (400, 800011)
    unknown = sub_path(customer, "11111111-2222-3333-4444-555555555555")
    assert refused(partner.api.get(f"{unknown}/{tail}", token=partner.user)) == (404, 20003)
    nobody = sub_path("11111111-2222-3333-4444-555555555555", sub)
    assert refused(partner.api.get(f"{nobody}/{tail}", token=partner.user)) == (404, 60003)


def test_unknown_customers_have_no_usage(partner: Partner) -> None:
    unknown = "/v1/customers/11111111-2222-3333-4444-555555555555"
    for tail in ("usagesummary", "subscriptions/usagerecords"):
        assert refused(partner.api.get(f"{unknown}/{tail}", token=partner.user)) == (404, 60003)


def test_app_plus_user_only_operations_refuse_app_only_tokens(partner: Partner) -> None:
    customer, plan = plan_customer(partner)
    base, sub = f"/v1/customers/{customer}", sub_path(customer, plan)
    for path in (f"{base}/usagesummary", f"{base}/subscriptions/usagerecords", "/v1/customers/usagerecords",
                 f"{sub}/usagesummary", f"{sub}/meterusagerecords", f"{sub}/resourceusagerecords", "/v1/usagesummary"):
        assert refused(partner.api.get(path, token=partner.app)) == (403, 900329), path
        assert partner.api.get(path, token=partner.user).status_code == 200, path


def test_the_literal_usage_routes_are_not_taken_for_ids(partner: Partner) -> None:
    """`customers/usagerecords` and `subscriptions/usagerecords` stand where a customer or subscription id could."""
    customer, _ = plan_customer(partner)
    assert partner.get("/v1/Customers/UsageRecords")["attributes"] == attributes("Collection")
    assert partner.get(f"/v1/customers/{customer}/subscriptions/usagerecords/")["totalCount"] == 1
    assert refused(partner.api.delete("/v1/customers/usagerecords")) == (405, 800002)
    assert refused(partner.api.patch(f"/v1/customers/{customer}/subscriptions/usagerecords", json={})) == (
        405, 800002)
