"""Overage (N5 get, N6 update): the Azure plan entitlement phone-services overage accrues to.

Sources: get-subscription-overage.md, update-subscription-overage.md,
error-codes.md (800111, 800112, 800114, 800115).
"""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import LEGACY_AZURE, Api, nce_line

AZURE_PLAN = "DZH318Z0BPS6:0001:DZH318Z0BML6"
PLAN_LINE = {"catalogItemId": AZURE_PLAN, "quantity": 1, "billingCycle": "one_time"}


def overage_path(customer: str) -> str:
    return f"/v1/customers/{customer}/subscriptions/overage"


def plan_entitlement(api: Api, customer: str) -> tuple[str, str]:
    """Buys an Azure plan; its id and the id of the Azure subscription made with it."""
    plan = api.buy(customer, PLAN_LINE)["orders"][0]["lineItems"][0]["subscriptionId"]
    listed = api.get(f"/v1/customers/{customer}/subscriptions/{plan}/azureEntitlements").json()
    return plan, listed["items"][0]["id"]


def put(api: Api, customer: str, **body: Any) -> httpx.Response:
    return api.put(overage_path(customer), json=body)


def refused(reply: httpx.Response) -> tuple[int, int]:
    return reply.status_code, reply.json()["code"]


def overage(customer: str, entitlement: str, enabled: bool, partner: str = "") -> dict[str, Any]:
    return {"azureEntitlementId": entitlement, "partnerId": partner, "type": "PhoneServices", "overageEnabled": enabled,
            "links": {"overage": {"uri": f"/customers/{customer}/subscriptions/overage", "method": "GET",
                                  "headers": []}},
            "attributes": {"objectType": "Overage"}}


def collection(*items: dict[str, Any]) -> dict[str, Any]:
    return {"totalCount": len(items), "items": list(items), "attributes": {"objectType": "Collection"}}


@pytest.fixture
def quick(make_api: Any) -> Api:
    return make_api(provisioning_delay=0)


def test_a_customer_without_an_azure_plan_has_no_overage(quick: Api) -> None:
    customer = quick.new_customer()
    quick.buy(customer, nce_line())
    reply = quick.get(overage_path(customer))
    assert (reply.status_code, reply.json()) == (200, collection())


def test_overage_is_off_on_the_azure_plans_subscription_until_set(quick: Api) -> None:
    customer = quick.new_customer()
    _, entitlement = plan_entitlement(quick, customer)
    assert quick.get(overage_path(customer)).json() == collection(overage(customer, entitlement, False))


def test_setting_overage_is_answered_and_read_back(quick: Api) -> None:
    customer = quick.new_customer()
    _, entitlement = plan_entitlement(quick, customer)
    reply = put(quick, customer, azureEntitlementId=entitlement, partnerId="5357563", overageEnabled=True)
    assert (reply.status_code, reply.json()) == (200, overage(customer, entitlement, True, "5357563"))
    assert quick.get(overage_path(customer)).json() == collection(overage(customer, entitlement, True, "5357563"))
    off = put(quick, customer, azureEntitlementId=entitlement.upper(), overageEnabled=False)
    assert off.json() == overage(customer, entitlement, False)
    assert quick.get(overage_path(customer)).json() == collection(overage(customer, entitlement, False))


def test_the_body_is_read_in_any_key_casing_and_the_path_in_any_casing(quick: Api) -> None:
    customer = quick.new_customer()
    _, entitlement = plan_entitlement(quick, customer)
    reply = quick.put(f"/v1/Customers/{customer}/Subscriptions/Overage",
                      json={"AzureEntitlementId": entitlement, "PartnerId": 1234, "OverageEnabled": True})
    assert reply.json() == overage(customer, entitlement, True, "1234")


def test_a_customer_with_legacy_azure_subscriptions_cannot_set_overage(api: Api) -> None:
    customer = api.new_customer()
    api.buy(customer, {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"})
    reply = put(api, customer, azureEntitlementId="ea1c26b7-8c99-42bb-ba7d-c535831fae8e", overageEnabled=True)
    assert refused(reply) == (403, 800112)
    assert api.get(overage_path(customer)).json() == collection()


def test_a_customer_without_an_active_azure_plan_is_not_eligible(quick: Api) -> None:
    customer = quick.new_customer()
    quick.buy(customer, nce_line())
    reply = put(quick, customer, azureEntitlementId="ea1c26b7-8c99-42bb-ba7d-c535831fae8e", overageEnabled=True)
    assert refused(reply) == (403, 800114)


def test_a_cancelled_azure_subscription_is_not_eligible(quick: Api) -> None:
    customer = quick.new_customer()
    plan, entitlement = plan_entitlement(quick, customer)
    cancel = quick.post(f"/v1/customers/{customer}/subscriptions/{plan}/azureEntitlements/{entitlement}/cancel",
                        json={"cancellationReason": "compromise"})
    assert cancel.status_code == 200, cancel.text
    quick.advance(600)
    assert refused(put(quick, customer, azureEntitlementId=entitlement, overageEnabled=True)) == (403, 800114)
    assert quick.get(overage_path(customer)).json() == collection()


def test_another_customers_azure_subscription_is_assigned_elsewhere(quick: Api) -> None:
    first, second = quick.new_customer(), quick.new_customer()
    _, theirs = plan_entitlement(quick, first)
    plan_entitlement(quick, second)
    assert refused(put(quick, second, azureEntitlementId=theirs, overageEnabled=True)) == (403, 800115)
    unknown = put(quick, second, azureEntitlementId="ea1c26b7-8c99-42bb-ba7d-c535831fae8e", overageEnabled=True)
    assert refused(unknown) == (404, 800111)


@pytest.mark.parametrize("body", [
    {}, {"overageEnabled": True}, {"azureEntitlementId": "x"}, {"azureEntitlementId": "x", "overageEnabled": "yes"},
    {"azureEntitlementId": "", "overageEnabled": True},
])
def test_bad_bodies_are_invalid_input(quick: Api, body: dict[str, Any]) -> None:
    customer = quick.new_customer()
    plan_entitlement(quick, customer)
    assert refused(quick.put(overage_path(customer), json=body)) == (400, 800002)


def test_unknown_customers_are_not_found(api: Api) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"
    assert refused(api.get(overage_path(unknown))) == (404, 60003)
    assert refused(put(api, unknown, azureEntitlementId="x", overageEnabled=True)) == (404, 60003)
