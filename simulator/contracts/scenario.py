"""The checker's scenario: drives a fresh in-process app through the purchase path and the
subscription lifecycle and keeps every (status, body) answer per operation id (see contracts/README.md)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from simulator.contracts.directory import directory
from simulator.contracts.integration import agree, integration
from simulator.contracts.invoicing import credit_notes, invoices
from simulator.contracts.lineitems import line_items
from simulator.contracts.spending import spending
from simulator.contracts.webhooks import webhooks

BASE = "https://api.partnercenter.microsoft.com"
START = "2026-01-05T10:00:00Z"
TENANT = "contoso.onmicrosoft.com"
CLIENT = {"client_id": "11111111-2222-3333-4444-555555555555", "resource": BASE}
APP_FORM = {"grant_type": "client_credentials", "client_secret": "secret", **CLIENT}
USER_FORM = {"grant_type": "password", "username": "admin@partner.example", "password": "pw", **CLIENT}
NCE_ITEM, RI_ITEM = "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "DZH318Z0BQ3Q:0001:DZH318XZXPHL"
SOFTWARE_ITEM, SAAS_ITEM = "DG7GMGF0DWTL:0001:DG7GMGF0DSJB", "DZH318Z0BXWC:0002:DZH318Z0BMRV"
SAAS_TRIAL = "DZH318Z0C0WF:0001:DZH318Z0BP69"
AZURE_PLAN = "DZH318Z0BPS6:0001:DZH318Z0BML6"
LEGACY_AZURE, LEGACY_E1 = "MS-AZR-0145P", "91FD106F-4B2C-4938-95AC-F54F74E9A239"
LEGACY_ADDONS = ("C94271D8-B431-4A25-A3C5-A57737A1C909", "43FCE491-76D1-4BCC-B709-8A288786DBAE")
RESELLER, AZURE_SUBSCRIPTION = "4847383", "3d5eced6-1151-44c7-aee6-70a4bb725666"
Reply = tuple[int, Any]


@dataclass(frozen=True)
class Document:
    """An answer that is no JSON (I8's PDF): its media type and its bytes."""
    media_type: str
    content: bytes


class Driver:
    """Sends requests through httpx's ASGITransport and keeps each answer under its operation id."""

    def __init__(self, client: Any) -> None:
        self.client, self.token, self.last = client, "", ""
        self.replies: dict[str, list[Reply]] = {}

    async def call(self, op: str | None, method: str, path: str, *, token: str | None = None, **kw: Any) -> Any:
        headers = {"Accept": "application/json", **kw.pop("headers", {})}
        if token != "":
            headers["Authorization"] = f"Bearer {token or self.token}"
        reply = await self.client.request(method, path, headers=headers, **kw)
        media = reply.headers.get("content-type", "").split(";")[0].strip()
        if media and not media.endswith("json") and not media.startswith("text/"):
            body: Any = Document(media, reply.content)
        else:
            try:
                body = reply.json() if reply.content else None
            except ValueError:
                body = reply.text
        self.last = f"{method} {path} -> {reply.status_code} {str(body)[:200]}"
        if op:
            self.replies.setdefault(op, []).append((reply.status_code, body))
        return body


def catalog_reads(customer: str) -> list[tuple[str, str]]:
    """C1-C12 over the products of the doc examples: new commerce, an Azure VM reservation, the Azure plan."""
    us, own = "?country=US", f"/v1/customers/{customer}"
    reads = [("C1", f"/v1/products{us}&targetView={view}") for view in
             ("OnlineServices", "MicrosoftAzure", "AzureReservationsVM&reservationScope=AzurePlan")]
    reads += [("C2", f"/v1/products/DZH318Z0BXWC{us}"), ("C4", f"/v1/products/DZH318Z0BQ3V/skus/00G1{us}"),
              ("C3", f"/v1/products/DZH318Z0BQ5S/skus{us}&reservationScope=AzurePlan")]
    reads += [("C7", f"{own}/products?targetView={view}") for view in ("MicrosoftAzure", "OnlineServices")]
    for item in (NCE_ITEM, RI_ITEM, "DZH318Z0BPS6:0001:DZH318Z0BML6"):
        product, sku, availability = item.split(":")
        for first, (prefix, query) in ((2, ("/v1", us)), (8, (own, ""))):
            base = f"{prefix}/products/{product}"
            chain = [base, f"{base}/skus", f"{base}/skus/{sku}", f"{base}/skus/{sku}/availabilities",
                     f"{base}/skus/{sku}/availabilities/{availability}"]
            reads += [(f"C{first + n}", path + query) for n, path in enumerate(chain)]
    return reads


def customer_body(domain: str) -> dict[str, Any]:
    address = {"FirstName": "Ada", "LastName": "Lovelace", "AddressLine1": "One Microsoft Way", "City": "Redmond",
               "State": "WA", "PostalCode": "98052", "Country": "US"}
    return {"enableGDAPByDefault": False, "CompanyProfile": {"Domain": domain},
            "BillingProfile": {"Culture": "EN-US", "Email": "ada@contoso.com", "Language": "en",
                               "CompanyName": "Contoso", "DefaultAddress": address}}


def purchase_lines() -> list[dict[str, Any]]:
    """New commerce, reservation, perpetual software, SaaS and legacy Azure: one cart line each."""
    ri_context = {"SubscriptionId": AZURE_SUBSCRIPTION, "Scope": "Shared", "Duration": "1Year"}
    lines = [{"catalogItemId": NCE_ITEM, "quantity": 3, "billingCycle": "monthly", "termDuration": "P1Y"},
             {"catalogItemId": RI_ITEM, "quantity": 1, "billingCycle": "one_time", "termDuration": "P1Y",
              "provisioningContext": ri_context, "friendlyName": "A_sample_Azure_RI",
              "participants": [{"key": "transaction_reseller", "value": RESELLER}]},
             {"catalogItemId": SOFTWARE_ITEM, "quantity": 1, "billingCycle": "one_time"},
             {"catalogItemId": SAAS_ITEM, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1M"},
             {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"}]
    return [{"id": n, **line} for n, line in enumerate(lines)]


def legacy_addon_cart() -> dict[str, Any]:
    addons = [{"Id": n + 1, "CatalogItemId": offer, "Quantity": 2, "BillingCycle": "monthly"}
              for n, offer in enumerate(LEGACY_ADDONS)]
    return {"LineItems": [{"Id": 0, "CatalogItemId": LEGACY_E1, "FriendlyName": "Myofferpurchase", "Quantity": 3,
                           "BillingCycle": "monthly", "AddonItems": addons}]}


async def drive(d: Driver) -> None:
    """Customer A buys one line of each kind through a cart; B buys legacy add-ons and direct orders."""
    d.token = (await d.call("X1", "POST", f"/{TENANT}/oauth2/token", data=APP_FORM, token=""))["access_token"]
    user_token = (await d.call(None, "POST", f"/{TENANT}/oauth2/token", data=USER_FORM, token=""))["access_token"]
    await webhooks(d)  # early: W6 keeps its report 7 days, and later steps move the clock further
    a = (await d.call("U3", "POST", "/v1/customers", json=customer_body("contoso-a.onmicrosoft.com")))["id"]
    b = (await d.call(None, "POST", "/v1/customers", json=customer_body("contoso-b.onmicrosoft.com")))["id"]
    await agree(d, a, user_token, "G3")  # every new purchase needs the Customer Agreement on file (13605)
    await agree(d, b, user_token)
    await d.call("U2", "GET", f"/v1/customers/{a}")
    await d.call("U1", "GET", "/v1/customers?size=40")
    for op, path in catalog_reads(a):
        await d.call(op, "GET", path)
    await check_inventory(d, a)
    orders = await buy(d, a)
    ri_order = await buy_legacy_and_order(d, b)
    await d.call(None, "POST", "/_simulator/clock/advance", json={"seconds": 3600})
    await read_orders(d, a, orders, user_token)
    await read_subscriptions(d, a, b, orders)
    await directory(d, b, user_token)  # legacy offers; B's users, licenses and roles
    await manage_subscriptions(d, a, user_token)
    await upgrades(d, a, b, user_token)
    await d.call("O4", "PATCH", f"/v1/customers/{b}/orders/{ri_order}", json={"id": ri_order, "status": "cancelled"})
    fresh = (await d.call(None, "POST", "/v1/customers", json=customer_body("contoso-c.onmicrosoft.com")))["id"]
    await agree(d, fresh, user_token)
    trial = {"id": 1, "catalogItemId": SAAS_TRIAL, "quantity": 1, "billingCycle": "none", "termDuration": "P1M",
             "renewsTo": {"termDuration": "P1Y"}}  # the SaaS free trial line of create-a-cart.md, next to an RI
    await d.call("K1", "POST", f"/v1/customers/{fresh}/carts", json={"lineItems": [purchase_lines()[1], trial]})
    await d.call("U4", "DELETE", f"/v1/customers/{fresh}")
    await integration(d, a, "contoso-a.onmicrosoft.com", user_token)
    await spending(d, user_token)  # it moves the clock by days
    await invoices(d, APP_FORM, USER_FORM)  # after the days of usage, it moves the clock to February
    await line_items(d)  # after the invoices, it reads their lines, then moves the clock a week on
    await credit_notes(d, APP_FORM, USER_FORM)  # last: a refund of an invoiced cycle; it moves the clock to April


async def check_inventory(d: Driver, customer: str) -> None:
    sku = await d.call(None, "GET", "/v1/products/DZH318Z0BQ3Q/skus/0001?country=US")
    context = {"CustomerId": customer, "AzureSubscriptionId": AZURE_SUBSCRIPTION,
               "ArmRegionName": sku["dynamicAttributes"]["armRegionName"]}
    await d.call("C13", "POST", "/v1/extensions/product/checkinventory?country=US",
                 json={"TargetItems": [{"ProductId": "DZH318Z0BQ3Q", "SkuId": "0001"}], "InventoryContext": context})
    # As in check-inventory.md's example: a SKU of the product restricted where it is sold (japanwest in the US)
    # next to one that is not.
    await d.call("C13", "POST", "/v1/extensions/product/checkinventory?country=US",
                 json={"TargetItems": [{"ProductId": "DZH318Z0BQ3Q", "SkuId": "0007"},
                                       {"ProductId": "DZH318Z0BQ3Q", "SkuId": "0001"}], "InventoryContext": context})


async def buy(d: Driver, customer: str) -> list[dict[str, Any]]:
    """K1-K4 for customer A; returns the checkout's orders (one per order group)."""
    lines, carts = purchase_lines(), f"/v1/customers/{customer}/carts"
    cart = await d.call("K1", "POST", carts, json={"lineItems": lines})
    await d.call("K2", "GET", f"{carts}/{cart['id']}")
    lines[0]["quantity"] = 4
    await d.call("K3", "PUT", f"{carts}/{cart['id']}", json={**cart, "lineItems": lines})
    return (await d.call("K4", "POST", f"{carts}/{cart['id']}/checkout"))["orders"]


async def buy_legacy_and_order(d: Driver, customer: str) -> str:
    """Customer B: a legacy base offer with add-ons (K1/K4), then direct orders (O1) for a reservation and
    a legacy offer, both with a reseller of record (read back by S3). Returns the reservation order id."""
    cart = await d.call("K1", "POST", f"/v1/customers/{customer}/carts", json=legacy_addon_cart())
    await d.call("K4", "POST", f"/v1/customers/{customer}/carts/{cart['id']}/checkout")
    context = {"subscriptionId": AZURE_SUBSCRIPTION, "scope": "shared", "duration": "1Year"}
    ri = {"LineItemNumber": 0, "OfferId": RI_ITEM, "FriendlyName": "A_sample_Azure_RI", "Quantity": 1,
          "PartnerIdOnRecord": RESELLER, "ProvisioningContext": context}
    order = await d.call("O1", "POST", f"/v1/customers/{customer}/orders",
                         json={"BillingCycle": "one_time", "CurrencyCode": "USD", "LineItems": [ri]})
    legacy = {"LineItemNumber": 0, "OfferId": LEGACY_E1, "Quantity": 1, "PartnerIdOnRecord": RESELLER}
    await d.call("O1", "POST", f"/v1/customers/{customer}/orders", json={"BillingCycle": "monthly",
                                                                         "LineItems": [legacy]})
    return order["id"]


async def read_orders(d: Driver, customer: str, orders: list[dict[str, Any]], user_token: str) -> None:
    base = f"/v1/customers/{customer}/orders"
    await d.call("O2", "GET", base)
    for order in orders:
        await d.call("O3", "GET", f"{base}/{order['id']}")
        await d.call("O5", "GET", f"{base}/{order['id']}/provisioningstatus", token=user_token)
    saas = next(o for o in orders if o["lineItems"][0]["offerId"] == SAAS_ITEM)
    await d.call("O6", "GET", f"{base}/{saas['id']}/lineitems/0/activationlinks")
    await d.call("O7", "GET", f"{base}/{saas['id']}/activationlinks")


async def read_subscriptions(d: Driver, a: str, b: str, orders: list[dict[str, Any]]) -> None:
    subs = await d.call("S1", "GET", f"/v1/customers/{a}/subscriptions")
    for order in orders:
        await d.call("S2", "GET", f"/v1/customers/{a}/subscriptions?order_id={order['id']}")
    for sub in subs["items"]:
        await d.call("S4", "GET", f"/v1/customers/{a}/subscriptions/{sub['id']}")
    await d.call("S3", "GET", f"/v1/customers/{b}/subscriptions?mpn_id={RESELLER}")
    b_subs = (await d.call(None, "GET", f"/v1/customers/{b}/subscriptions"))["items"]
    parent = next(s for s in b_subs if s["offerId"].upper() == LEGACY_E1 and not s.get("partnerId"))
    await d.call("S4", "GET", f"/v1/customers/{b}/subscriptions/{parent['id']}")
    await d.call("S6", "GET", f"/v1/customers/{b}/subscriptions/{parent['id']}/addons")


async def manage_subscriptions(d: Driver, a: str, user_token: str) -> None:
    """S5, S7-S9, S12, S13 on customer A's subscriptions; N1; A1-A4 on a fresh customer's Azure plan."""
    subs = {s["offerId"]: s for s in (await d.call(None, "GET", f"/v1/customers/{a}/subscriptions"))["items"]}
    nce, saas, azure = subs[NCE_ITEM], subs[SAAS_ITEM], subs[LEGACY_AZURE]
    base = f"/v1/customers/{a}/subscriptions"
    await d.call("S5", "PATCH", f"{base}/{nce['id']}", json={**nce, "quantity": nce["quantity"] + 1})
    await d.call("S5", "PATCH", f"{base}/{nce['id']}", json={**nce, "friendlyName": "Sales team"})
    product = dict(zip(("productId", "skuId", "availabilityId"), NCE_ITEM.split(":"), strict=True))
    plan = {"product": {**product, "billingCycle": "Annual", "termDuration": "P1Y"}, "quantity": 2}
    await d.call("S5", "PATCH", f"{base}/{nce['id']}", json={**nce, "autoRenewEnabled": True,
                                                              "scheduledNextTermInstructions": plan})
    await d.call("S7", "GET", f"{base}/{nce['id']}/provisioningstatus", token=user_token)
    await d.call("S9", "GET", f"{base}/{saas['id']}/activationlinks")
    await d.call("S8", "POST", f"{base}/{saas['id']}/activate")
    await d.call("S12", "POST", f"{base}/{azure['id']}/registrations")
    await d.call("S13", "GET", f"{base}/{azure['id']}/registrationstatus")
    await d.call("N1", "GET", f"{base}/customTermEndDates?term_duration=P1M")
    owner = await azure_plan(d, user_token)
    await transitions(d, a, nce["id"])
    await overage(d, owner, a)


async def upgrades(d: Driver, a: str, b: str, user_token: str) -> None:
    """A5-A7 move A's MS-AZR-0145P to an Azure plan; S14, S15, S10 and S11 on B's legacy E1 subscription
    (it is no trial: S11 answers the contract's simulatedAnswer, 400 800002)."""
    request = {"customerId": a, "productFamily": "azure"}
    await d.call("A5", "POST", "/v1/productupgrades/eligibility", json=request, token=user_token)
    await d.call("A6", "POST", "/v1/productupgrades", json={**request, "productFamily": "Azure"}, token=user_token)
    upgrade = (await d.call("A5", "POST", "/v1/productupgrades/eligibility", json=request, token=user_token))
    status = f"/v1/productupgrades/{upgrade['upgradeId']}/status"
    await d.call("A7", "POST", status, json=request, token=user_token)
    await d.call(None, "POST", "/_simulator/clock/advance", json={"seconds": 600})
    await d.call("A7", "POST", status, json=request, token=user_token)
    b_subs = (await d.call(None, "GET", f"/v1/customers/{b}/subscriptions"))["items"]
    parent = next(s for s in b_subs if s["offerId"].upper() == LEGACY_E1 and not s.get("partnerId"))
    base = f"/v1/customers/{b}/subscriptions/{parent['id']}"
    await d.call("S14", "GET", f"{base}/upgrades")
    target = {"Id": "796B6B5F-613C-4E24-A17C-EBA730D49C02", "Name": "Office 365 Enterprise E3"}
    await d.call("S15", "POST", f"{base}/upgrades", json={"TargetOffer": target, "UpgradeType": 1, "Quantity": 1,
                                                          "Attributes": {"ObjectType": "Upgrade"}})
    await d.call("S10", "GET", f"{base}/conversions", token=user_token)
    conversion = {"OfferId": LEGACY_E1, "TargetOfferId": target["Id"], "OrderId": parent["orderId"], "Quantity": 1,
                  "BillingCycle": "monthly", "Attributes": {"ObjectType": "Conversion"}}
    await d.call("S11", "POST", f"{base}/conversions", json=conversion, token=user_token)


async def azure_plan(d: Driver, user_token: str) -> str:
    owner = (await d.call(None, "POST", "/v1/customers", json=customer_body("contoso-d.onmicrosoft.com")))["id"]
    await agree(d, owner, user_token)
    line = {"id": 0, "catalogItemId": AZURE_PLAN, "quantity": 1, "billingCycle": "one_time"}
    cart = await d.call(None, "POST", f"/v1/customers/{owner}/carts", json={"lineItems": [line]})
    await d.call(None, "POST", f"/v1/customers/{owner}/carts/{cart['id']}/checkout")
    await d.call(None, "POST", "/_simulator/clock/advance", json={"seconds": 60})
    plan = (await d.call(None, "GET", f"/v1/customers/{owner}/subscriptions"))["items"][0]
    entitlements = f"/v1/customers/{owner}/subscriptions/{plan['id']}/azureEntitlements"
    first = (await d.call("A1", "GET", entitlements))["items"][0]["id"]
    await d.call("A2", "GET", f"{entitlements}/{first}")
    await d.call("A3", "POST", f"{entitlements}/{first}/cancel", json={"cancellationReason": "compromise"})
    await d.call("A4", "POST", f"{entitlements}/{first}/reactivate")
    return owner


async def transitions(d: Driver, a: str, nce: str) -> None:
    """N2-N4: one seat of A's Business Basic moves to Office 365 E1, then on to E3 with licenses."""
    base = f"/v1/customers/{a}/subscriptions"
    e1, e3 = "CFQ7TTC0LF8Q:0001:CFQ7TTC0K39X", "CFQ7TTC0LF8R:0001:CFQ7TTC0KCSV"
    await d.call("N2", "GET", f"{base}/{nce}/transitionEligibilities?eligibilityType=immediate")
    body = {"fromCatalogItemId": NCE_ITEM, "fromSubscriptionId": nce, "toCatalogItemId": e1, "quantity": 1,
            "termDuration": "P1Y", "billingCycle": "Monthly", "transitionType": "transition_only"}
    first = await d.call("N3", "POST", f"{base}/{nce}/transitions", json=body)
    moved = first["toSubscriptionId"]
    await d.call("N3", "POST", f"{base}/{moved}/transitions", json={
        "toCatalogItemId": e3, "quantity": 1, "transitionType": "transition_with_license_transfer"})
    await d.call("N2", "GET", f"{base}/{moved}/transitionEligibilities?eligibilityType=immediate")
    await d.call(None, "POST", "/_simulator/clock/advance", json={"seconds": 600})
    await d.call("N4", "GET", f"{base}/{nce}/transitions")
    await d.call("N4", "GET", f"{base}/{nce}/transitions?operationId={first['operationId']}")
    await d.call("N4", "GET", f"{base}/{moved}/transitions")


async def overage(d: Driver, owner: str, other: str) -> None:
    """N5/N6 on the Azure plan owner's first entitlement; N5 without a plan is an empty list."""
    plan = (await d.call(None, "GET", f"/v1/customers/{owner}/subscriptions"))["items"][0]
    entitlements = f"/v1/customers/{owner}/subscriptions/{plan['id']}/azureEntitlements"
    first = (await d.call(None, "GET", entitlements))["items"][0]["id"]
    path = f"/v1/customers/{owner}/subscriptions/overage"
    await d.call("N5", "GET", path)
    await d.call("N6", "PUT", path, json={"azureEntitlementId": first, "partnerId": "5357563", "overageEnabled": True})
    await d.call("N5", "GET", path)
    await d.call("N5", "GET", f"/v1/customers/{other}/subscriptions/overage")


def scenario(api: Any = None) -> dict[str, list[Reply]]:
    """Drive `api` (an ASGI app; a fresh simulator when None) and return the answers per operation id.
    If a step the scenario depends on fails, the answers so far come back with the failure under "!"."""
    import httpx  # a test extra: the checker runs with test extras installed

    from simulator.app import create_app
    from simulator.settings import from_env

    app = api or create_app(from_env({}, start_time=START, order_list_delay=0))

    async def run() -> dict[str, list[Reply]]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
            driver = Driver(client)
            try:
                await drive(driver)
            except Exception as exc:  # noqa: BLE001 - reported, the checks of the rest still run
                driver.replies["!"] = [(0, f"scenario stopped ({exc!r}) after {driver.last}")]
            return driver.replies

    return asyncio.run(run())

