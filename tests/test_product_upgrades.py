"""A5-A7: the product upgrade from MS-AZR-0145P to an Azure plan, through HTTP."""
from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ELIGIBILITY, LEGACY_AZURE, UPGRADES, Api

AZURE_PLAN = "DZH318Z0BPS6:0001:DZH318Z0BML6"
LEGACY_AZURE_LINE = {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"}


class Partner:
    """One partner tenant: an App-only token for purchases, an App+User one for the upgrade routes."""

    def __init__(self, api: Api, tenant: str = "contoso-partner.onmicrosoft.com") -> None:
        self.api, self.app, self.user = api, api.token_for(tenant), api.token_for(tenant, user=True)

    def customer(self, *lines: dict[str, Any]) -> tuple[str, list[str]]:
        customer = self.api.new_customer(token=self.app)
        subs = []
        if lines:
            for order in self.api.buy(customer, *lines, token=self.app)["orders"]:
                subs += [line["subscriptionId"] for line in order["lineItems"]]
        return customer, subs

    def post(self, path: str, customer: str, family: str = "azure", **kw: Any) -> Any:
        kw.setdefault("token", self.user)
        return self.api.post(path, json={"customerId": customer, "productFamily": family}, **kw)

    def start(self, customer: str, family: str = "Azure") -> str:
        reply = self.post(UPGRADES, customer, family)
        assert reply.status_code == 202, reply.text
        return reply.headers["Location"].split("/")[1]

    def status(self, upgrade_id: str, customer: str, **kw: Any) -> Any:
        return self.post(f"{UPGRADES}/{upgrade_id}/status", customer, **kw)

    def subscriptions(self, customer: str) -> dict[str, dict[str, Any]]:
        listed = self.api.get(f"/v1/customers/{customer}/subscriptions", token=self.app).json()["items"]
        return {s["offerId"]: s for s in listed}


@pytest.fixture
def partner(make_api: Any) -> Partner:
    return Partner(make_api(provisioning_delay=0))


def error(reply: Any) -> tuple[int, int]:
    return reply.status_code, reply.json()["code"]


def test_a_customer_with_a_0145p_subscription_is_eligible(partner: Partner) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    reply = partner.post(ELIGIBILITY, customer)
    assert reply.status_code == 200
    assert reply.json() == {"customerId": customer, "isEligible": True, "productFamily": "azure"}


def test_the_upgrade_is_accepted_with_a_location_and_no_body(partner: Partner) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    reply = partner.post(UPGRADES, customer, "Azure")
    assert reply.status_code == 202
    assert reply.content == b""
    prefix, _, upgrade_id = reply.headers["Location"].partition("/")
    assert prefix == "productUpgrades" and len(upgrade_id) == 36


def test_the_upgrade_is_in_progress_then_completed_ten_minutes_later(partner: Partner) -> None:
    customer, [legacy] = partner.customer(LEGACY_AZURE_LINE)
    upgrade_id = partner.start(customer)
    reply = partner.status(upgrade_id, customer)
    assert reply.status_code == 200
    plan_id = reply.json()["lineItems"][0]["targetProduct"]["id"]
    assert reply.json() == {
        "id": upgrade_id, "status": "InProgress", "productFamily": "Azure",
        "lineItems": [{"sourceProduct": {"id": legacy, "name": "Microsoft Azure"},
                       "targetProduct": {"id": plan_id, "name": "Microsoft Azure plan"}, "status": "InProgress"}]}
    partner.api.advance(599)
    assert partner.status(upgrade_id, customer).json()["status"] == "InProgress"
    partner.api.advance(1)
    assert partner.status(upgrade_id, customer).json() == {
        "id": upgrade_id, "status": "Completed", "productFamily": "Azure",
        "lineItems": [{"sourceProduct": {"id": legacy, "name": "Microsoft Azure"},
                       "targetProduct": {"id": plan_id, "name": "Microsoft Azure plan"},
                       "upgradedDate": "2026-01-05T10:10:00Z", "status": "Completed"}]}


def test_the_customer_gets_an_azure_plan_and_the_0145p_subscription_is_disabled(partner: Partner) -> None:
    customer, [legacy] = partner.customer(LEGACY_AZURE_LINE)
    azure_subscription = partner.subscriptions(customer)[LEGACY_AZURE]["entitlementId"]
    upgrade_id = partner.start(customer)
    assert set(partner.subscriptions(customer)) == {LEGACY_AZURE}
    partner.api.advance(600)
    partner.status(upgrade_id, customer)
    subs = partner.subscriptions(customer)
    assert subs[LEGACY_AZURE]["status"] == "disabled"
    plan = subs[AZURE_PLAN]
    assert {k: plan[k] for k in ("offerName", "status", "creationDate", "billingType", "orderId", "entitlementId")} == {
        "offerName": "Microsoft Azure plan", "status": "active", "creationDate": "2026-01-05T10:10:00Z",
        "billingType": "usage", "orderId": upgrade_id, "entitlementId": azure_subscription}
    # The Azure subscription of the 0145P offer moves under the plan with its id: usage runs on there.
    entitlements = partner.api.get(f"/v1/customers/{customer}/subscriptions/{plan['id']}/azureEntitlements",
                                   token=partner.app).json()
    assert [(e["id"], e["status"], e["subscriptionId"]) for e in entitlements["items"]] == [
        (azure_subscription, "active", plan["id"])]
    assert partner.api.get(f"/v1/customers/{customer}/subscriptions/{legacy}",
                           token=partner.app).json()["status"] == "disabled"


def test_the_plan_appears_at_completion_without_polling(partner: Partner) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    partner.start(customer)
    partner.api.advance(599)
    assert AZURE_PLAN not in partner.subscriptions(customer)
    partner.api.advance(1)
    assert partner.subscriptions(customer)[AZURE_PLAN]["status"] == "active"


def test_eligibility_names_the_upgrade_in_progress_and_then_the_completed_one(partner: Partner) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    upgrade_id = partner.start(customer)
    reply = partner.post(ELIGIBILITY, customer)
    assert reply.json() == {"customerId": customer, "isEligible": False, "productFamily": "azure",
                            "upgradeId": upgrade_id,
                            "reason": f"An upgrade is already in progress for this customer (upgrade {upgrade_id})."}
    assert error(partner.post(UPGRADES, customer)) == (409, 900109)
    partner.api.advance(600)
    reply = partner.post(ELIGIBILITY, customer)
    assert reply.json() == {"customerId": customer, "isEligible": False, "productFamily": "azure",
                            "upgradeId": upgrade_id,
                            "reason": f"The upgrade has already been completed for this customer (upgrade {upgrade_id})."}
    assert error(partner.post(UPGRADES, customer)) == (400, 900110)
    # Eligibility wrote the completion: the 0145P subscription reads disabled.
    assert partner.subscriptions(customer)[LEGACY_AZURE]["status"] == "disabled"


def test_a_customer_without_azure_subscriptions_is_not_eligible(partner: Partner) -> None:
    customer, _ = partner.customer()
    reply = partner.post(ELIGIBILITY, customer)
    assert reply.json() == {"customerId": customer, "isEligible": False, "productFamily": "azure",
                            "reason": "The customer has no Azure subscriptions to upgrade."}
    assert error(partner.post(UPGRADES, customer)) == (403, 900108)


def test_a_customer_with_only_an_azure_plan_has_nothing_to_upgrade(partner: Partner) -> None:
    customer, _ = partner.customer({"catalogItemId": AZURE_PLAN, "quantity": 1, "billingCycle": "one_time"})
    assert partner.post(ELIGIBILITY, customer).json()["isEligible"] is False
    assert error(partner.post(UPGRADES, customer)) == (403, 900108)


def test_suspended_azure_subscriptions_are_not_upgraded(partner: Partner) -> None:
    customer, [legacy] = partner.customer(LEGACY_AZURE_LINE)
    path = f"/v1/customers/{customer}/subscriptions/{legacy}"
    assert partner.api.patch(path, json={"status": "suspended"}, token=partner.app).status_code == 200
    reply = partner.post(ELIGIBILITY, customer)
    assert reply.json()["isEligible"] is False
    assert reply.json()["reason"] == "Suspended Azure subscriptions can't be transitioned to an Azure plan."
    assert error(partner.post(UPGRADES, customer)) == (403, 900105)


@pytest.mark.parametrize("family", ["azure", "Azure", "AZURE"])
def test_the_product_family_is_azure_in_any_casing(partner: Partner, family: str) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    assert partner.post(ELIGIBILITY, customer, family).json()["productFamily"] == family
    upgrade_id = partner.start(customer, family)
    assert partner.status(upgrade_id, customer, family=family.swapcase()).json()["productFamily"] == family


def test_other_product_families_are_invalid_input(partner: Partner) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    upgrade_id = partner.start(customer)
    for path in (ELIGIBILITY, UPGRADES, f"{UPGRADES}/{upgrade_id}/status"):
        assert error(partner.post(path, customer, "office")) == (400, 800002)


def test_the_request_body_is_required_in_any_key_casing(partner: Partner) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    assert error(partner.api.post(ELIGIBILITY, json={"customerId": customer}, token=partner.user)) == (400, 800002)
    reply = partner.api.post(ELIGIBILITY, json={"CustomerId": customer, "ProductFamily": "azure",
                                                "Attributes": {"ObjectType": "ProductUpgradeRequest"}},
                             token=partner.user)
    assert reply.json()["isEligible"] is True


def test_an_unknown_upgrade_is_not_found(partner: Partner) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    assert error(partner.status("42d075a4-bfe7-43e7-af6d-7c68a57edcb4", customer)) == (404, 900106)
    assert error(partner.status("not-an-id", customer)) == (404, 900106)


def test_an_upgrade_belongs_to_its_customer(partner: Partner) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    other, _ = partner.customer(LEGACY_AZURE_LINE)
    upgrade_id = partner.start(customer)
    assert error(partner.status(upgrade_id, other)) == (400, 900111)


def test_upgrades_of_another_partner_are_not_visible(partner: Partner) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    upgrade_id = partner.start(customer)
    fabrikam = Partner(partner.api, "fabrikam-partner.onmicrosoft.com")
    own, _ = fabrikam.customer(LEGACY_AZURE_LINE)
    assert error(fabrikam.status(upgrade_id, own)) == (404, 900106)
    assert error(fabrikam.post(ELIGIBILITY, customer)) == (404, 60003)


def test_unknown_customers_are_not_found(partner: Partner) -> None:
    assert error(partner.post(ELIGIBILITY, "00000000-0000-0000-0000-000000000001")) == (404, 60003)
    assert error(partner.post(UPGRADES, "not-a-guid")) == (400, 800002)


def test_product_upgrades_need_app_plus_user(partner: Partner) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    upgrade_id = partner.start(customer)
    for path in (ELIGIBILITY, UPGRADES, f"{UPGRADES}/{upgrade_id}/status"):
        assert error(partner.post(path, customer, token=partner.app)) == (403, 900329)


def test_routes_match_in_any_casing(partner: Partner) -> None:
    customer, _ = partner.customer(LEGACY_AZURE_LINE)
    assert partner.post("/v1/PRODUCTUPGRADES/Eligibility", customer).status_code == 200
    upgrade_id = partner.start(customer)
    assert partner.post(f"/v1/productupgrades/{upgrade_id}/Status", customer).status_code == 200
