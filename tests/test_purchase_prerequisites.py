"""Purchase rules and defaults found missing when walking the published purchase documents (issue 15):
SKU purchase prerequisites (AzureSubscriptionRegistration, InventoryCheck), Azure subscriptions under an
Azure plan (the control API's stand-in for the Azure side), the direct order's billing cycle default,
the cart's lastModifiedUser, a never-activated SaaS free trial, and the customer-scoped Azure plan product.

Sources: register-a-subscription.md, check-inventory.md, cart-resources.md (CartErrorCode 10003, 10011),
create-azure-plan.md (3 Azure subscriptions per plan in the sandbox), create-an-order.md (billing cycle
"defaults to monthly or one-time"), get-a-list-of-skus-for-a-product-by-customer.md (the Azure plan product).
"""
from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest

from tests.helpers import (DAY, LEGACY_AZURE_LINE, PLAN_LINE, SAAS_PLAN, SAAS_TRIAL, TENANT, Api, buy_subscription, link,
                           read, refused, sub_path, unbilled, update)

FIVE_MINUTES = 300
RI_EASTUS = "DZH318Z0BQ3Q:0001:DZH318XZXPHL"      # DSv2 reservation, eastus, sold in the US
RI_RESTRICTED = "DZH318Z0BQ3Q:0007:DZH318Z0PGMX"  # DSv2 reservation, japanwest: restricted in US and JP


@pytest.fixture
def quick(make_api: Any) -> Api:
    return make_api(provisioning_delay=0)


def ri_line(item: str, target: str) -> dict[str, Any]:
    return {"catalogItemId": item, "quantity": 1, "billingCycle": "one_time", "termDuration": "P1Y",
            "provisioningContext": {"subscriptionId": target, "scope": "shared", "duration": "1Year"}}


def line_error(reply: Any) -> Any:
    assert reply.status_code == 201, reply.text
    return reply.json()["lineItems"][0].get("error")


def azure_subscriptions(customer: str, plan: str) -> str:
    return f"/_simulator/customers/{customer}/subscriptions/{plan}/azureEntitlements"


# --- AzureSubscriptionRegistration: reservations for registered Azure subscriptions only ----------

@pytest.mark.parametrize("line", [LEGACY_AZURE_LINE, PLAN_LINE], ids=["MS-AZR-0145P", "azure-plan"])
def test_a_reservation_for_an_unregistered_azure_subscription_gets_line_error_10011(quick: Api,
                                                                                     line: dict[str, Any]) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, line)
    target = read(quick, customer, sub)["entitlementId"]
    error = line_error(quick.new_cart(customer, ri_line(RI_EASTUS, target)))
    assert error["errorCode"] == 10011
    cart = quick.new_cart(customer, ri_line(RI_EASTUS, target)).json()
    assert refused(quick.post(f"/v1/customers/{customer}/carts/{cart['id']}/checkout")) == (400, 800009)

    assert quick.post(sub_path(customer, sub) + "/registrations").status_code == 202
    assert line_error(quick.new_cart(customer, ri_line(RI_EASTUS, target)))["errorCode"] == 10011  # registering
    quick.advance(FIVE_MINUTES)
    assert line_error(quick.new_cart(customer, ri_line(RI_EASTUS, target))) is None
    assert quick.buy(customer, ri_line(RI_EASTUS, target))["orders"][0]["lineItems"][0]["subscriptionId"]


def test_a_direct_order_of_a_reservation_for_an_unregistered_subscription_is_refused(quick: Api) -> None:
    customer = quick.new_customer()
    plan = buy_subscription(quick, customer, PLAN_LINE)
    body = {"lineItems": [{"lineItemNumber": 0, "offerId": RI_EASTUS, "quantity": 1, "termDuration": "P1Y",
                           "provisioningContext": {"subscriptionId": plan, "scope": "shared"}}]}
    assert refused(quick.post(f"/v1/customers/{customer}/orders", json=body)) == (400, 800009)


# --- InventoryCheck: what the inventory check restricts can't be bought -------------------------

def test_a_reservation_the_inventory_check_restricts_gets_line_error_10003(quick: Api) -> None:
    customer = quick.new_customer()
    check = quick.post("/v1/extensions/product/checkinventory?country=US", json={
        "targetItems": [{"productId": "DZH318Z0BQ3Q", "skuId": "0007"}],
        "inventoryContext": {"customerId": customer, "azureSubscriptionId": "a", "armRegionName": "japanwest"}})
    assert check.json()[0]["isRestricted"] is True
    assert line_error(quick.new_cart(customer, ri_line(RI_RESTRICTED, "1c461a25-f729-4fa5-aadb-280947dd05e8"))) \
        ["errorCode"] == 10003
    british = quick.new_customer(country="GB")
    assert line_error(quick.new_cart(british, ri_line(RI_RESTRICTED, "1c461a25-f729-4fa5-aadb-280947dd05e8"))) is None


# --- Azure subscriptions under an Azure plan (control API) ----------------------------------------

def test_the_control_api_adds_azure_subscriptions_to_a_plan_up_to_the_sandbox_three(quick: Api) -> None:
    customer = quick.new_customer()
    plan = buy_subscription(quick, customer, PLAN_LINE)
    made = quick.post(azure_subscriptions(customer, plan), json={"friendlyName": "dev"}, token="")
    assert made.status_code == 201, made.text
    second = made.json()
    assert second == {"id": second["id"], "friendlyName": "dev", "status": "active", "subscriptionId": plan,
                      "links": link(f"/customers/{customer}/subscriptions/{plan}/azureEntitlements/{second['id']}")}
    third = quick.post(azure_subscriptions(customer, plan), token="").json()
    assert third["friendlyName"] == "Azure subscription 3"
    listed = quick.get(sub_path(customer, plan) + "/azureEntitlements").json()
    assert [e["id"] for e in listed["items"]][1:] == [second["id"], third["id"]]
    assert refused(quick.post(azure_subscriptions(customer, plan), token="")) == (400, 900116)

    # One cancelled (inactive after ten minutes) makes room; the plan still can't suspend while any is active.
    cancel = f"{sub_path(customer, plan)}/azureEntitlements/{second['id']}/cancel"
    assert quick.post(cancel, json={"cancellationReason": "compromise"}).status_code == 200
    quick.advance(600)
    assert refused(update(quick, customer, plan, status="suspended")) == (403, 900115)
    assert quick.post(azure_subscriptions(customer, plan), token="").status_code == 201
    statuses = [e["status"] for e in quick.get(sub_path(customer, plan) + "/azureEntitlements").json()["items"]]
    assert statuses == ["active", "inactive", "active", "active"]


def test_without_sandbox_limits_a_plan_takes_more_azure_subscriptions(make_api: Any) -> None:
    api = make_api(provisioning_delay=0, sandbox_limits=False)
    customer = api.new_customer()
    plan = buy_subscription(api, customer, PLAN_LINE)
    for _ in range(4):
        assert api.post(azure_subscriptions(customer, plan), token="").status_code == 201
    assert api.get(sub_path(customer, plan) + "/azureEntitlements").json()["totalCount"] == 5


def test_azure_subscriptions_are_created_under_an_active_azure_plan_only(quick: Api) -> None:
    customer = quick.new_customer()
    legacy = buy_subscription(quick, customer, LEGACY_AZURE_LINE)
    assert refused(quick.post(azure_subscriptions(customer, legacy), token="")) == (400, 800002)
    other = quick.new_customer()
    plan = buy_subscription(quick, other, PLAN_LINE)
    first = read(quick, other, plan)["entitlementId"]
    quick.post(f"{sub_path(other, plan)}/azureEntitlements/{first}/cancel", json={"cancellationReason": "abuse"})
    quick.advance(600)
    assert update(quick, other, plan, status="suspended").status_code == 200
    assert refused(quick.post(azure_subscriptions(other, plan), token="")) == (400, 800002)
    assert refused(quick.post(azure_subscriptions(other, "00000000-0000-0000-0000-000000000001"), token="")) \
        == (404, 20003)


def test_each_azure_subscription_of_a_plan_accrues_its_own_usage(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    api.token = api.token_for(user=True)
    customer = api.new_customer(country="GB")
    plan = buy_subscription(api, customer, PLAN_LINE)
    added = api.post(azure_subscriptions(customer, plan), json={"tenant": TENANT}, token="")  # the token's partner
    assert added.status_code == 201, added.text
    api.advance(3 * DAY)
    records = api.get(sub_path(customer, plan) + "/resourceusagerecords")
    assert records.status_code == 200, records.text
    first = read(api, customer, plan)["entitlementId"]
    assert {r["entitlementId"].lower() for r in records.json()["items"]} == {first.lower(), added.json()["id"].lower()}


# --- defaults and shapes ------------------------------------------------------------------------

@pytest.mark.parametrize("cycle", ["unknown", "Unknown", None])
def test_a_direct_order_with_an_unknown_or_absent_billing_cycle_gets_the_offers_own(quick: Api,
                                                                                   cycle: str | None) -> None:
    """create-an-order.md's SDK sample sends the order-level BillingCycle the SDK defaults to (unknown)."""
    customer = quick.new_customer()
    body: dict[str, Any] = {"ReferenceCustomerId": customer, "LineItems": [
        {"LineItemNumber": 0, "OfferId": "91FD106F-4B2C-4938-95AC-F54F74E9A239", "Quantity": 2}]}
    if cycle is not None:
        body["BillingCycle"] = cycle
    reply = quick.post(f"/v1/customers/{customer}/orders", json=body)
    assert reply.status_code == 201, reply.text
    assert reply.json()["billingCycle"] == "monthly"


def test_a_cart_line_with_an_unknown_cycle_defaults_to_monthly_where_offered(quick: Api) -> None:
    customer = quick.new_customer()
    reply = quick.new_cart(customer, {"catalogItemId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 1,
                                      "billingCycle": "unknown", "termDuration": "P1Y"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["lineItems"][0]["billingCycle"] == "monthly"


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


@pytest.mark.parametrize("user", [True, False], ids=["app+user", "app-only"])
def test_a_carts_last_modified_user_is_the_callers_object_id_not_the_client_id(quick: Api, user: bool) -> None:
    token = quick.token_for(user=user)
    customer = quick.new_customer(token=token)
    cart = quick.new_cart(customer, PLAN_LINE, token=token).json()
    assert cart["lastModifiedUser"] == claims(token)["oid"] != claims(token)["appid"]


def test_a_never_activated_saas_free_trial_ends_with_its_trial_term_unbilled(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, {"catalogItemId": SAAS_TRIAL, "quantity": 3, "billingCycle": "none",
                                             "termDuration": "P1M", "renewsTo": {"termDuration": "P1Y"}})
    assert read(quick, customer, sub)["status"] == "pending"
    quick.post("/_simulator/clock/advance", json={"until": "2026-02-05T00:00:00Z"})
    ended = read(quick, customer, sub)
    assert (ended["status"], ended["isTrial"], ended["offerId"], ended["autoRenewEnabled"]) == (
        "expired", True, SAAS_TRIAL, False)
    assert refused(quick.post(sub_path(customer, sub) + "/activate")) == (400, 900277)


def test_the_customer_scoped_azure_plan_product_has_its_sub_type_and_localized_attributes(quick: Api) -> None:
    customer = quick.new_customer()
    product = quick.get(f"/v1/customers/{customer}/products/DZH318Z0BPS6").json()
    assert product["productType"] == {"id": "Azure", "displayName": "Azure",
                                      "subType": {"id": "Azure", "displayName": "Azure"}}
    assert product["localizedAttributes"] == [{"key": "OfferType", "value": "OfferType"},
                                              {"key": "Standard", "value": "Standard"},
                                              {"key": "DevTest", "value": "Dev/Test"}]


def test_a_saas_cancel_within_its_refund_window_is_refunded_in_full_in_billing(quick: Api) -> None:
    """cancel-an-azure-marketplace-subscription.md: the availability's Full refund within P1D of the start."""
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, {"catalogItemId": SAAS_PLAN, "quantity": 1, "billingCycle": "monthly",
                                             "termDuration": "P1M"})
    assert quick.post(sub_path(customer, sub) + "/activate").status_code == 200
    quick.advance(3600)
    assert update(quick, customer, sub, status="deleted").status_code == 200
    mine = [(x["chargeType"], x["quantity"], x["subtotal"]) for x in unbilled(quick) if x["subscriptionId"] == sub]
    assert len(mine) == 2 and mine[0][0] == "new" and mine[1][0] == "cancelImmediate"
    assert Decimal(mine[0][2]) == -Decimal(mine[1][2]) > 0
