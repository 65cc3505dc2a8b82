"""Azure plan (A1-A4, suspension rules of S5) and Azure subscription registration (S12, S13).

Sources: get-a-list-of-azure-entitlements-for-subscription.md,
get-an-azure-entitlement-for-a-subscription.md, cancel-an-azure-subscription.md (inactive about 10 minutes
after the cancel), reactivate-an-azure-subscription.md (202), register-a-subscription.md,
get-subscription-registration-status.md; contracts/recorded/azureplan--*.json and subscriptions--*registration*.json.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import (LEGACY_AZURE_LINE, PLAN_LINE, Api, buy_subscription, nce_line, read, refused,
                           reservation_line, sub_path, update, updated)

AZURE_PLAN = "DZH318Z0BPS6:0001:DZH318Z0BML6"
TEN_MINUTES = 600


@pytest.fixture
def quick(make_api: Any) -> Api:
    return make_api(provisioning_delay=0)


def plan_with_entitlement(api: Api) -> tuple[str, str, str]:
    customer = api.new_customer()
    plan = buy_subscription(api, customer, PLAN_LINE)
    return customer, plan, read(api, customer, plan)["entitlementId"]


def entitlements(customer: str, plan: str) -> str:
    return sub_path(customer, plan) + "/azureEntitlements"


def cancel(api: Api, customer: str, plan: str, entitlement: str, reason: str = "compromise") -> Any:
    return api.post(f"{entitlements(customer, plan)}/{entitlement}/cancel", json={"cancellationReason": reason})


def status_of(api: Api, customer: str, plan: str, entitlement: str) -> str:
    reply = api.get(f"{entitlements(customer, plan)}/{entitlement}")
    assert reply.status_code == 200, reply.text
    return reply.json()["status"]


# --- the plan and its entitlements --------------------------------------------------------------

def test_an_azure_plan_is_a_usage_based_subscription_without_end(quick: Api) -> None:
    customer = quick.new_customer()
    order = quick.buy(customer, PLAN_LINE)["orders"][0]
    plan = order["lineItems"][0]["subscriptionId"]
    body = read(quick, customer, plan)
    catalog = "/products/DZH318Z0BPS6"
    assert body == {
        "id": plan, "entitlementId": body["entitlementId"], "offerId": AZURE_PLAN,
        "offerName": "Microsoft Azure plan", "friendlyName": "Microsoft Azure plan", "quantity": 1,
        "unitType": "Usage-based", "hasPurchasableAddons": False, "creationDate": "2026-01-05T10:00:00Z",
        "effectiveStartDate": "2026-01-05T10:00:00Z", "commitmentEndDate": "9999-12-10T00:00:00Z",
        "status": "active", "autoRenewEnabled": False, "isTrial": False, "billingType": "usage",
        "billingCycle": "one_time", "isMicrosoftProduct": True, "partnerId": "", "attentionNeeded": False,
        "actionTaken": False, "contractType": "subscription",
        "links": {
            "product": {"uri": f"{catalog}?country=US", "method": "GET", "headers": []},
            "sku": {"uri": f"{catalog}/skus/0001?country=US", "method": "GET", "headers": []},
            "availability": {"uri": f"{catalog}/skus/0001/availabilities/DZH318Z0BML6?country=US", "method": "GET",
                             "headers": []},
            "self": {"uri": f"/customers/{customer}/subscriptions/{plan}", "method": "GET", "headers": []}},
        "publisherName": "Microsoft", "orderId": order["id"],
        "attributes": {"objectType": "Subscription", "etag": body["attributes"]["etag"]},
    }


def test_buying_an_azure_plan_creates_one_azure_entitlement(quick: Api) -> None:
    customer, plan, entitlement = plan_with_entitlement(quick)
    reply = quick.get(entitlements(customer, plan))
    assert reply.status_code == 200
    one = {"id": entitlement, "friendlyName": "Microsoft Azure", "status": "active", "subscriptionId": plan,
           "links": {"self": {"uri": f"/customers/{customer}/subscriptions/{plan}/azureEntitlements/{entitlement}",
                              "method": "GET", "headers": []}}}
    assert reply.json() == {"totalCount": 1, "items": [one], "attributes": {"objectType": "Collection"}}
    by_id = quick.get(f"{entitlements(customer, plan)}/{entitlement}")
    assert by_id.status_code == 200 and by_id.json() == one
    lower = quick.get(f"{sub_path(customer, plan)}/azureentitlements/{entitlement.upper()}")
    assert lower.status_code == 200 and lower.json() == one


def test_a_cancelled_entitlement_stays_active_for_ten_minutes_then_is_inactive(quick: Api) -> None:
    customer, plan, entitlement = plan_with_entitlement(quick)
    reply = cancel(quick, customer, plan, entitlement)
    assert reply.status_code == 200
    assert (reply.json()["id"], reply.json()["status"]) == (entitlement, "active")
    quick.advance(TEN_MINUTES - 1)
    assert status_of(quick, customer, plan, entitlement) == "active"
    quick.advance(1)
    assert status_of(quick, customer, plan, entitlement) == "inactive"
    assert [e["status"] for e in quick.get(entitlements(customer, plan)).json()["items"]] == ["inactive"]
    assert read(quick, customer, plan)["status"] == "active"  # cancelling an Azure subscription keeps the plan


@pytest.mark.parametrize("reason", ["Compromise", "abuse"])
def test_compromise_and_abuse_are_the_cancellation_reasons(quick: Api, reason: str) -> None:
    customer, plan, entitlement = plan_with_entitlement(quick)
    assert cancel(quick, customer, plan, entitlement, reason).status_code == 200


def test_any_other_cancellation_reason_is_refused(quick: Api) -> None:
    customer, plan, entitlement = plan_with_entitlement(quick)
    assert refused(cancel(quick, customer, plan, entitlement, "no longer needed")) == (400, 900307)
    quick.advance(TEN_MINUTES)
    assert status_of(quick, customer, plan, entitlement) == "active"


def test_unknown_entitlements_are_not_found(quick: Api) -> None:
    customer, plan, _ = plan_with_entitlement(quick)
    unknown = f"{entitlements(customer, plan)}/11111111-2222-3333-4444-555555555555"
    for reply in (quick.get(unknown), quick.post(unknown + "/cancel", json={"cancellationReason": "compromise"}),
                  quick.post(unknown + "/reactivate")):
        assert refused(reply) == (404, 800111)


def test_a_subscription_that_is_not_an_azure_plan_has_no_entitlements(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    assert refused(quick.get(entitlements(customer, sub))) == (404, 800111)


def test_a_cancelled_entitlement_is_reactivated_with_202(quick: Api) -> None:
    customer, plan, entitlement = plan_with_entitlement(quick)
    cancel(quick, customer, plan, entitlement)
    quick.advance(TEN_MINUTES)
    assert status_of(quick, customer, plan, entitlement) == "inactive"
    reply = quick.post(f"{entitlements(customer, plan)}/{entitlement}/reactivate")
    assert reply.status_code == 202 and reply.content == b""
    assert status_of(quick, customer, plan, entitlement) == "active"
    quick.advance(TEN_MINUTES)
    assert status_of(quick, customer, plan, entitlement) == "active"


def test_an_entitlement_that_is_not_cancelled_cannot_be_reactivated(quick: Api) -> None:
    customer, plan, entitlement = plan_with_entitlement(quick)
    assert refused(quick.post(f"{entitlements(customer, plan)}/{entitlement}/reactivate")) == (400, 900337)


# --- suspending the plan ---------------------------------------------------------------------------

def test_a_plan_with_an_active_azure_subscription_cannot_be_suspended(quick: Api) -> None:
    customer, plan, entitlement = plan_with_entitlement(quick)
    assert refused(update(quick, customer, plan, status="suspended")) == (403, 900115)
    cancel(quick, customer, plan, entitlement)
    quick.advance(TEN_MINUTES - 1)  # cancelled, but still active
    assert refused(update(quick, customer, plan, status="suspended")) == (403, 900115)
    assert read(quick, customer, plan)["status"] == "active"


def test_a_plan_without_active_azure_subscriptions_suspends_and_reactivates(quick: Api) -> None:
    customer, plan, entitlement = plan_with_entitlement(quick)
    cancel(quick, customer, plan, entitlement)
    quick.advance(TEN_MINUTES)
    before = read(quick, customer, plan)
    suspended = updated(quick, customer, plan, status="suspended")
    assert suspended == {**before, "status": "suspended", "attributes": suspended["attributes"]}
    assert read(quick, customer, plan)["status"] == "suspended"
    assert updated(quick, customer, plan, status="active")["status"] == "active"


def test_an_active_reservation_also_keeps_the_plan_from_suspending(quick: Api) -> None:
    customer, plan, entitlement = plan_with_entitlement(quick)
    cancel(quick, customer, plan, entitlement)
    quick.advance(TEN_MINUTES)
    order = quick.buy(customer, reservation_line())["orders"][0]
    assert refused(update(quick, customer, plan, status="suspended")) == (403, 900115)
    cancelled = quick.patch(f"/v1/customers/{customer}/orders/{order['id']}", json={"status": "cancelled"})
    assert cancelled.status_code == 200
    assert updated(quick, customer, plan, status="suspended")["status"] == "suspended"


def test_a_reservation_whose_term_ended_no_longer_keeps_the_plan_from_suspending(quick: Api) -> None:
    customer, plan, entitlement = plan_with_entitlement(quick)
    cancel(quick, customer, plan, entitlement)
    quick.buy(customer, reservation_line())
    quick.advance(3 * 366 * 86400 + TEN_MINUTES)  # past any reservation term: it expired, unread since
    assert updated(quick, customer, plan, status="suspended")["status"] == "suspended"


# --- S12 / S13: registration ------------------------------------------------------------------------

@pytest.mark.parametrize("line", [LEGACY_AZURE_LINE, PLAN_LINE], ids=["MS-AZR-0145P", "azure-plan"])
def test_an_azure_subscription_is_registered_within_five_minutes(quick: Api, line: dict[str, Any]) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, line)
    status_path = sub_path(customer, sub) + "/registrationstatus"

    def status() -> dict[str, Any]:
        reply = quick.get(status_path)
        assert reply.status_code == 200, reply.text
        return reply.json()

    assert status() == {"subscriptionId": sub, "status": "NotRegistered",
                        "attributes": {"objectType": "SubscriptionRegistrationStatus"}}
    reply = quick.post(sub_path(customer, sub) + "/registrations")
    assert reply.status_code == 202
    assert reply.headers["Location"] == f"/customers/{customer}/subscriptions/{sub}/registrationstatus"
    assert status()["status"] == "Registering"
    quick.advance(299)
    assert status()["status"] == "Registering"
    quick.advance(1)
    assert status() == {"subscriptionId": sub, "status": "Registered",
                        "attributes": {"objectType": "SubscriptionRegistrationStatus"}}
    assert quick.post(sub_path(customer, sub) + "/registrations").status_code == 202
    assert status()["status"] == "Registered"


def test_the_registration_answer_has_no_body(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, LEGACY_AZURE_LINE)
    reply = quick.post(sub_path(customer, sub) + "/registrations")
    assert reply.status_code == 202 and reply.content == b""


@pytest.mark.parametrize("line", [nce_line(), reservation_line()], ids=["new-commerce", "reservation"])
def test_only_azure_subscriptions_are_registered(quick: Api, line: dict[str, Any]) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, line)
    assert refused(quick.post(sub_path(customer, sub) + "/registrations")) == (400, 800002)
