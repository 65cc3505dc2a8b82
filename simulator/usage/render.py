"""Wire forms of the spending resources (customer-usage-resources.md, api.md 3 "Usage resources").

Azure plan answers carry `currencyCode` and `usdTotalCost` in place of `currencyLocale`
(get-a-customer-usage-summary.md); MS-AZR-0145P answers keep `currencyLocale`, and the two list
examples that show them (P4, P5) also carry `usdTotalCost: 0`. Records carry both `id`/`name` and
`resourceId`/`resourceName`, as the P4 and P5 examples do.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from simulator import wire
from simulator.subscriptions import lifecycle
from simulator.usage.rules import (
    CustomerUsage,
    Group,
    PartnerUsage,
    Period,
    Spend,
    Utilization,
    UtilizationPage,
    utilization_scope,
)
from simulator.wire import tokens

ZERO = Decimal("0")


def money(spend: Spend, total: Decimal, usd: Decimal, *, legacy_usd: bool = False) -> dict[str, Any]:
    if spend.modern:
        return {"totalCost": total, "currencyCode": spend.currency, "usdTotalCost": usd}
    return {"totalCost": total, "currencyLocale": spend.locale, **({"usdTotalCost": ZERO} if legacy_usd else {})}


def named(resource_id: str, name: str) -> dict[str, Any]:
    return {"resourceId": resource_id, "id": resource_id, "resourceName": name, "name": name}


def period_fields(period: Period) -> dict[str, Any]:
    return {"billingStartDate": wire.iso(period.start), "billingEndDate": wire.iso(period.end)}


def budget_wire(amount: Decimal | None) -> dict[str, Any]:
    """A budget inside a usage record: no `amount` when there is none (get-a-customer-s-usage-records.md)."""
    return {**({"amount": amount} if amount is not None else {}), "attributes": wire.attributes("SpendingBudget")}


def spending_budget_wire(customer_id: str, amount: Decimal | None) -> dict[str, Any]:
    """P2/P3: `amount` null is no budget; the examples repeat it as `usageSpendingBudget`."""
    return {"amount": amount, "usageSpendingBudget": amount, "attributes": wire.attributes("SpendingBudget"),
            "links": {"self": wire.link(f"/v1/customers/{customer_id}/usagebudget")}}


def customer_usage_summary_wire(usage: CustomerUsage, period: Period) -> dict[str, Any]:
    customer, spend = usage.customer, usage.spend
    return {"budget": budget_wire(usage.budget), **named(customer["id"], customer_name(customer)),
            **period_fields(period), **money(spend, spend.total, spend.usd),
            "lastModifiedDate": wire.iso(spend.modified),
            "links": {"self": wire.link(f"/customers/{customer['id']}/usagesummary")},
            "attributes": wire.attributes("CustomerUsageSummary")}


def customer_name(customer: Mapping[str, Any]) -> str:
    return customer["billing"].get("company_name") or customer["company"]["domain"]


def customer_monthly_usage_record_wire(usage: CustomerUsage) -> dict[str, Any]:
    customer, spend = usage.customer, usage.spend
    used = (spend.total * 100 / usage.budget).quantize(Decimal("0.01")) if usage.budget else ZERO
    out: dict[str, Any] = {"budget": budget_wire(usage.budget)}
    if not usage.upgraded:  # the 0145P customer of the example repeats its budget under this name
        out["customerSpendingBudget"] = budget_wire(usage.budget)
    out.update({"percentUsed": used, "isUpgraded": usage.upgraded, **named(customer["id"], customer_name(customer)),
                **money(spend, spend.total, spend.usd, legacy_usd=True), "lastModifiedDate": wire.iso(spend.modified),
                "attributes": wire.attributes("CustomerMonthlyUsageRecord")})
    return out


def subscription_monthly_usage_record_wire(sub: dict[str, Any], spend: Spend) -> dict[str, Any]:
    out: dict[str, Any] = {"status": lifecycle.status(sub)}
    if spend.modern:
        out["partnerOnRecord"] = sub.get("partner_id") or ""
    out.update({"offerId": sub["offer_id"], **named(sub["id"], sub["friendly_name"] or sub["offer_name"]),
                **money(spend, spend.total, spend.usd, legacy_usd=True), "lastModifiedDate": wire.iso(spend.modified),
                "attributes": wire.attributes("SubscriptionMonthlyUsageRecord")})
    return out


def subscription_usage_summary_wire(sub: dict[str, Any], spend: Spend, period: Period) -> dict[str, Any]:
    return {**named(sub["id"], sub["friendly_name"] or sub["offer_name"]), **period_fields(period),
            **money(spend, spend.total, spend.usd), "lastModifiedDate": wire.iso(spend.modified),
            "links": {"self": wire.link(f"/customers/{sub['customer_id']}/subscriptions/{sub['id']}/usagesummary")},
            "attributes": wire.attributes("SubscriptionUsageSummary")}


def meter_usage_record_wire(sub: dict[str, Any], spend: Spend, group: Group) -> dict[str, Any]:
    meter = group.first.meter
    return {"subscriptionId": sub["id"], "meterId": meter.id, "meterName": meter.name, "category": meter.category,
            "subcategory": meter.subcategory, "quantityUsed": group.quantity, "unit": meter.unit,
            **money(spend, group.total, group.usd), "lastModifiedDate": wire.iso(spend.modified),
            "attributes": wire.attributes("MeterUsageRecord")}


def resource_usage_record_wire(sub: dict[str, Any], spend: Spend, group: Group) -> dict[str, Any]:
    row = group.first
    return {"subscriptionId": sub["id"], "resourceUri": row.resource_uri, "resourceType": row.meter.consumed_service,
            "entitlementId": row.entitlement_id, "entitlementName": row.entitlement_name,
            "resourceGroupName": row.resource_group, "name": row.resource_name, "resourceName": row.resource_name,
            **money(spend, group.total, group.usd), "lastModifiedDate": wire.iso(spend.modified),
            "attributes": wire.attributes("ResourceUsageRecord")}


def azure_resource_monthly_usage_record_wire(spend: Spend, group: Group) -> dict[str, Any]:
    meter = group.first.meter
    return {"category": meter.category, "subcategory": meter.subcategory, "quantityUsed": group.quantity,
            "unit": meter.unit, "id": meter.id, "name": meter.name, "totalCost": group.total,
            "currencyLocale": spend.locale, "attributes": wire.attributes("AzureResourceMonthlyUsageRecord")}


def partner_usage_summary_wire(usage: PartnerUsage) -> dict[str, Any]:
    return {"customersOverBudget": usage.over_budget, "customersTrendingOver": usage.trending_over,
            "customersWithUsageBasedSubscription": len(usage.customers), **named(usage.tenant, usage.tenant),
            **period_fields(usage.period), "totalCost": usage.total, "currencyLocale": "en-US",
            "lastModifiedDate": wire.iso(usage.modified), "links": {"self": wire.link("/usagesummary")},
            "attributes": wire.attributes("PartnerUsageSummary")}


def azure_utilization_record_wire(item: Utilization) -> dict[str, Any]:
    meter = item.meter
    out: dict[str, Any] = {
        "usageStartTime": wire.iso(item.start), "usageEndTime": wire.iso(item.end),
        "resource": {"id": meter.id, "name": meter.name, "category": meter.category,
                     "subcategory": meter.subcategory, "region": meter.region},
        "quantity": item.quantity, "unit": meter.unit, "infoFields": {}}
    if item.row is not None:
        out["instanceData"] = {"resourceUri": item.row.resource_uri, "location": item.row.resource_location,
                               "partNumber": "", "orderNumber": "", "additionalInfo": {}}
    out["attributes"] = wire.attributes("AzureUtilizationRecord")
    return out


def utilization_page_wire(page: UtilizationPage) -> dict[str, Any]:
    path = f"/customers/{page.sub['customer_id']}/subscriptions/{page.sub['id']}/utilizations/azure"
    q = page.query
    self_uri = path + wire.query_string(start_time=wire.iso(q.start), end_time=wire.iso(q.end),
                                        granularity=q.granularity, show_details=str(q.show_details).lower(),
                                        size=q.size)
    following = None if page.next is None else wire.link(path + "?seek_operation=Next", headers=[
        {"key": "MS-ContinuationToken",
         "value": tokens.encode(utilization_scope(page.sub["customer_id"], page.sub["id"]), page.next.payload())}])
    return wire.collection([azure_utilization_record_wire(i) for i in page.items], self_uri, following)
