"""The checker scenario's Azure spending steps (P1-P11): a GB customer with an Azure plan and a French
customer with MS-AZR-0145P, three days of reported usage, budgets set in both casings, then every read.
Runs last: it moves the clock by days."""
from __future__ import annotations

from typing import Any

from simulator.contracts.integration import agree

AZURE_PLAN, LEGACY_AZURE = "DZH318Z0BPS6:0001:DZH318Z0BML6", "MS-AZR-0145P"
THREE_DAYS = 3 * 86400


def customer_body(domain: str, country: str, city: str, culture: str) -> dict[str, Any]:
    address = {"FirstName": "Ada", "LastName": "Lovelace", "AddressLine1": "1 High Street", "City": city,
               "PostalCode": "75001", "Country": country}
    return {"CompanyProfile": {"Domain": domain},
            "BillingProfile": {"Culture": culture, "Email": "ada@contoso.com", "Language": "en",
                               "CompanyName": f"Contoso {country}", "DefaultAddress": address}}


async def buy_azure(d: Any, domain: str, country: str, city: str, culture: str, item: str, user_token: str) -> str:
    """A new customer of `country` who buys one Azure subscription (`item`)."""
    customer = (await d.call(None, "POST", "/v1/customers", json=customer_body(domain, country, city, culture)))["id"]
    await agree(d, customer, user_token)
    cycle = "one_time" if item == AZURE_PLAN else "monthly"
    line = {"id": 0, "catalogItemId": item, "quantity": 1, "billingCycle": cycle}
    cart = await d.call(None, "POST", f"/v1/customers/{customer}/carts", json={"lineItems": [line]})
    await d.call(None, "POST", f"/v1/customers/{customer}/carts/{cart['id']}/checkout")
    return customer


async def only_subscription(d: Any, customer: str) -> str:
    return (await d.call(None, "GET", f"/v1/customers/{customer}/subscriptions"))["items"][0]["id"]


async def spending(d: Any, user_token: str) -> None:
    plan_owner = await buy_azure(d, "contoso-p.onmicrosoft.com", "GB", "London", "en-GB", AZURE_PLAN, user_token)
    legacy_owner = await buy_azure(d, "contoso-l.onmicrosoft.com", "FR", "Paris", "fr-FR", LEGACY_AZURE, user_token)
    await d.call(None, "POST", "/_simulator/clock/advance", json={"seconds": THREE_DAYS})
    plan, legacy = await only_subscription(d, plan_owner), await only_subscription(d, legacy_owner)
    await d.call("P3", "PATCH", f"/v1/customers/{plan_owner}/usagebudget",
                 json={"Amount": 100, "Attributes": {"ObjectType": "SpendingBudget"}})
    await d.call("P3", "PATCH", f"/v1/customers/{legacy_owner}/usagebudget", json={"amount": 2})
    for customer, sub in ((plan_owner, plan), (legacy_owner, legacy)):
        base = f"/v1/customers/{customer}"
        await d.call("P2", "GET", f"{base}/usagebudget")
        await d.call("P1", "GET", f"{base}/usagesummary", token=user_token)
        await d.call("P4", "GET", f"{base}/subscriptions/usagerecords", token=user_token)
        await d.call("P6", "GET", f"{base}/subscriptions/{sub}/usagesummary", token=user_token)
        await d.call("P7", "GET", f"{base}/subscriptions/{sub}/meterusagerecords", token=user_token)
    await d.call("P8", "GET", f"/v1/customers/{plan_owner}/subscriptions/{plan}/resourceusagerecords", token=user_token)
    await d.call("P9", "GET", f"/v1/customers/{legacy_owner}/subscriptions/{legacy}/usagerecords/resources")
    await d.call("P5", "GET", "/v1/customers/usagerecords", token=user_token)
    await d.call("P11", "GET", "/v1/usagesummary", token=user_token)
    await utilization(d, f"/v1/customers/{legacy_owner}/subscriptions/{legacy}/utilizations/azure")


async def utilization(d: Any, path: str) -> None:
    """P10 by day and by hour, then a small page and its next page (seek_operation=Next with the token)."""
    window = "?start_time=2026-01-02T00:00:00-08:00&end_time=2026-01-09T00:00:00Z"
    await d.call("P10", "GET", path + window)
    await d.call("P10", "GET", path + window + "&granularity=hourly&show_details=false")
    first = await d.call("P10", "GET", path + window + "&size=2")
    following = first["links"]["next"]
    headers = {"Authorization": f"Bearer {d.token}", "Accept": "application/json",
               **{h["key"]: h["value"] for h in following["headers"]}}
    reply = await d.client.request("GET", "/v1" + following["uri"], headers=headers)
    d.replies.setdefault("P10", []).append((reply.status_code, reply.json()))
