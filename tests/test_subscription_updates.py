"""Subscription updates (S5) and the routes around them: provisioning status (S7), marketplace SaaS
activation (S8) and activation links (S9).

Sources: update-a-subscription-by-id.md,
change-the-quantity-of-a-subscription.md, suspend-a-subscription.md, create-scheduled-changes.md,
activate-sandbox-subscription-azure-marketplace-products.md, get-subscription-provisioning-status.md.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import (LEGACY_ADDONS, LEGACY_BASE, M365_PRODUCT, SAAS_PLAN, SOFTWARE, Api, buy_subscription,
                           nce_line, read, refused, reservation_line, sub_path, update, updated)

DAY = 86400
SEAT_SAAS = "DZH318Z0C1PM:0001:DZH318Z04MB5"
LEGACY_LINE = {"catalogItemId": LEGACY_BASE, "quantity": 3, "billingCycle": "monthly"}
SAAS_LINE = {"catalogItemId": SAAS_PLAN, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1M"}


# --- helpers (imported by the other subscription test files) ------------------------------


def activated_saas(api: Api, customer: str, line: dict[str, Any] = SAAS_LINE) -> str:
    sub = buy_subscription(api, customer, line)
    assert api.post(sub_path(customer, sub) + "/activate").status_code == 200
    return sub


@pytest.fixture
def quick(make_api: Any) -> Api:
    """An app whose orders are provisioned at once (subscription ids come back from checkout)."""
    return make_api(provisioning_delay=0)


# --- S5: the whole-body PATCH --------------------------------------------------------------

def test_a_patch_of_the_read_subscription_with_one_field_changed_returns_the_updated_subscription(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    before = read(quick, customer, sub)
    reply = quick.patch(sub_path(customer, sub), json={**before, "friendlyName": "Sales team"})
    assert reply.status_code == 200
    after = reply.json()
    assert after == {**before, "friendlyName": "Sales team",
                     "attributes": {"objectType": "Subscription", "etag": after["attributes"]["etag"]}}
    assert after["attributes"]["etag"] != before["attributes"]["etag"]
    assert read(quick, customer, sub) == after


def test_a_patch_body_in_pascal_case_is_read_like_camel_case(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=3))
    body = {k[:1].upper() + k[1:]: v for k, v in read(quick, customer, sub).items()}
    body.update(Quantity=5, FriendlyName="Pascal")
    reply = quick.patch(sub_path(customer, sub), json=body)
    assert reply.status_code == 200
    assert (reply.json()["quantity"], reply.json()["friendlyName"], reply.json()["autoRenewEnabled"]) == (
        5, "Pascal", True)


def test_if_match_takes_the_current_etag_and_refuses_a_stale_one(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    body = read(quick, customer, sub)
    first = body["attributes"]["etag"]
    ok = quick.patch(sub_path(customer, sub), json={**body, "friendlyName": "one"}, headers={"If-Match": first})
    assert ok.status_code == 200
    second = ok.json()["attributes"]["etag"]
    assert second != first
    stale = quick.patch(sub_path(customer, sub), json={**body, "friendlyName": "two"}, headers={"If-Match": first})
    assert refused(stale) == (400, 2055)
    assert read(quick, customer, sub)["friendlyName"] == "one"
    quoted = quick.patch(sub_path(customer, sub), json={**body, "friendlyName": "three"},
                         headers={"If-Match": f'"{second}"'})
    assert quoted.status_code == 200 and quoted.json()["friendlyName"] == "three"


def test_an_absent_auto_renew_flag_resets_it_to_false(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    assert read(quick, customer, sub)["autoRenewEnabled"] is True
    reply = quick.patch(sub_path(customer, sub), json={"friendlyName": "only a nickname"})
    assert reply.status_code == 200
    assert (reply.json()["friendlyName"], reply.json()["autoRenewEnabled"]) == ("only a nickname", False)


def test_absent_scheduled_next_term_instructions_are_cleared(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1M"))
    plan = {"product": {**M365_PRODUCT, "billingCycle": "monthly", "termDuration": "P1M"}, "quantity": 4}
    with_plan = updated(quick, customer, sub, scheduledNextTermInstructions=plan)
    assert "scheduledNextTermInstructions" in with_plan
    body = {k: v for k, v in with_plan.items() if k != "scheduledNextTermInstructions"}
    reply = quick.patch(sub_path(customer, sub), json=body)
    assert reply.status_code == 200 and "scheduledNextTermInstructions" not in reply.json()
    assert "scheduledNextTermInstructions" not in read(quick, customer, sub)


def test_the_billing_cycle_is_not_changed_by_a_subscription_patch(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1Y", cycle="monthly"))
    assert refused(update(quick, customer, sub, billingCycle="annual")) == (400, 2054)
    assert update(quick, customer, sub, billingCycle="Monthly").status_code == 200  # same cycle, other casing
    assert read(quick, customer, sub)["billingCycle"] == "monthly"


def test_the_slow_patch_answers_202_with_a_location_and_the_subscription(make_api: Any) -> None:
    api = make_api(provisioning_delay=0, slow_patch=True)
    customer = api.new_customer()
    sub = buy_subscription(api, customer, nce_line())
    before = read(api, customer, sub)
    reply = api.patch(sub_path(customer, sub), json={**before, "friendlyName": "slow"})
    assert reply.status_code == 202
    assert reply.headers["Location"] == f"/customers/{customer}/subscriptions/{sub}"
    assert reply.json() == {**before, "friendlyName": "slow",
                            "attributes": {"objectType": "Subscription", "etag": reply.json()["attributes"]["etag"]}}
    assert read(api, customer, sub) == reply.json()


def test_an_unknown_subscription_cannot_be_patched(quick: Api) -> None:
    customer = quick.new_customer()
    reply = quick.patch(sub_path(customer, "00000000-0000-0000-0000-000000000000"), json={"status": "active"})
    assert refused(reply) == (404, 20003)


# --- quantity --------------------------------------------------------------------------------

@pytest.mark.parametrize("line, quantity, code", [
    (nce_line(), 0, 900275), (nce_line(), 301, 900275),
    (LEGACY_LINE, 0, 2002), (LEGACY_LINE, 10001, 2002),
])
def test_a_quantity_outside_the_sku_bounds_is_refused(quick: Api, line: dict[str, Any], quantity: int,
                                                      code: int) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, line)
    assert refused(update(quick, customer, sub, quantity=quantity)) == (400, code)
    assert read(quick, customer, sub)["quantity"] == line["quantity"]


def test_the_sandbox_allows_at_most_25_licenses_per_subscription(make_api: Any) -> None:
    sandbox, unlimited = make_api(provisioning_delay=0), make_api(provisioning_delay=0, sandbox_limits=False)
    for api, expected in ((sandbox, (403, 800067)), (unlimited, None)):
        customer = api.new_customer()
        sub = buy_subscription(api, customer, nce_line(quantity=20))
        assert update(api, customer, sub, quantity=25).status_code == 200
        reply = update(api, customer, sub, quantity=26)
        if expected:
            assert refused(reply) == expected
        else:
            assert reply.status_code == 200 and reply.json()["quantity"] == 26


@pytest.mark.parametrize("line", [reservation_line(), {"catalogItemId": "DZH318Z0BPS6:0001:DZH318Z0BML6",
                                                        "quantity": 1, "billingCycle": "one_time"}],
                         ids=["reservation", "azure-plan"])
def test_reservations_and_azure_plans_have_no_quantity_to_change(quick: Api, line: dict[str, Any]) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, line)
    assert refused(update(quick, customer, sub, quantity=2)) == (403, 800027)


def test_new_commerce_seats_cannot_be_removed_after_the_window(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=5))
    quick.advance(8 * DAY)
    assert refused(update(quick, customer, sub, quantity=4)) == (400, 800090)
    assert quick.patch(sub_path(customer, sub), json={**read(quick, customer, sub), "quantity": 4}).json() == {
        "code": 800090, "description": "Subscription quantity cannot be decreased.", "data": [], "source": "PartnerFD"}
    assert read(quick, customer, sub)["quantity"] == 5


def test_seats_added_mid_term_can_be_removed_within_their_own_window(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=5))
    quick.advance(8 * DAY)
    added = updated(quick, customer, sub, quantity=8)
    assert added["refundableQuantity"] == {"totalQuantity": 3, "details": [
        {"quantity": 3, "allowedUntilDateTime": "2026-01-20T10:00:00Z"}]}
    quick.advance(2 * DAY)
    removed = updated(quick, customer, sub, quantity=5)
    assert removed["quantity"] == 5
    assert removed["refundableQuantity"] == {"totalQuantity": 0, "details": []}


def test_seats_added_mid_term_cannot_be_removed_after_their_window(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=5))
    quick.advance(8 * DAY)
    updated(quick, customer, sub, quantity=8)
    quick.advance(8 * DAY)
    assert refused(update(quick, customer, sub, quantity=5)) == (400, 800090)
    assert read(quick, customer, sub)["quantity"] == 8


def test_refundable_quantity_follows_each_window_and_bounds_a_decrease(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=5))
    assert read(quick, customer, sub)["refundableQuantity"] == {"totalQuantity": 5, "details": [
        {"quantity": 5, "allowedUntilDateTime": "2026-01-12T10:00:00Z"}]}
    quick.advance(2 * DAY)
    assert updated(quick, customer, sub, quantity=7)["refundableQuantity"] == {"totalQuantity": 7, "details": [
        {"quantity": 5, "allowedUntilDateTime": "2026-01-12T10:00:00Z"},
        {"quantity": 2, "allowedUntilDateTime": "2026-01-14T10:00:00Z"}]}
    quick.advance(6 * DAY)  # day 8: the purchase window has closed, the added seats' has not
    assert read(quick, customer, sub)["refundableQuantity"] == {"totalQuantity": 2, "details": [
        {"quantity": 2, "allowedUntilDateTime": "2026-01-14T10:00:00Z"}]}
    assert refused(update(quick, customer, sub, quantity=4)) == (400, 800090)
    assert updated(quick, customer, sub, quantity=5)["refundableQuantity"] == {"totalQuantity": 0, "details": []}


def test_the_sandbox_licence_limit_applies_to_buying_seat_based_saas_too(quick: Api) -> None:
    customer = quick.new_customer()
    cart = quick.new_cart(customer, {"catalogItemId": SEAT_SAAS, "quantity": 30, "billingCycle": "monthly",
                                     "termDuration": "P1Y"})
    assert cart.status_code == 201
    assert cart.json()["lineItems"][0].get("error", {}).get("errorCode") == 10009


def test_a_subscription_can_be_cancelled_up_to_its_cancellation_allowed_until_date(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    quick.advance(7 * DAY)
    assert read(quick, customer, sub)["cancellationAllowedUntilDate"] == quick.get("/_simulator/clock").json()["now"]
    assert updated(quick, customer, sub, status="deleted")["status"] == "deleted"


def test_seats_can_be_removed_up_to_their_allowed_until_time(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=5))
    quick.advance(7 * DAY)
    assert read(quick, customer, sub)["refundableQuantity"] == {"totalQuantity": 5, "details": [
        {"quantity": 5, "allowedUntilDateTime": "2026-01-12T10:00:00Z"}]}
    assert updated(quick, customer, sub, quantity=4)["quantity"] == 4


# --- status ----------------------------------------------------------------------------------

@pytest.mark.parametrize("line", [nce_line(), LEGACY_LINE], ids=["new-commerce", "legacy-license"])
def test_a_subscription_is_suspended_and_reactivated(quick: Api, line: dict[str, Any]) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, line)
    before = read(quick, customer, sub)
    suspended = updated(quick, customer, sub, status="suspended")
    assert suspended == {**before, "status": "suspended", "attributes": suspended["attributes"]}
    assert read(quick, customer, sub)["status"] == "suspended"
    active = updated(quick, customer, sub, status="active")
    assert active == {**before, "attributes": active["attributes"]}


@pytest.mark.parametrize("line, change, code", [
    (nce_line(), {"quantity": 4}, 800091), (nce_line(), {"friendlyName": "renamed"}, 800091),
    (nce_line(), {"autoRenewEnabled": False}, 800091),
    (LEGACY_LINE, {"quantity": 4}, 2001), (LEGACY_LINE, {"friendlyName": "renamed"}, 2001),
])
def test_a_suspended_subscription_refuses_other_changes(quick: Api, line: dict[str, Any], change: dict[str, Any],
                                                        code: int) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, line)
    before = updated(quick, customer, sub, status="suspended")
    assert refused(update(quick, customer, sub, **change)) == (400, code)
    assert read(quick, customer, sub) == before


def test_resending_a_suspended_subscription_as_read_changes_nothing(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    before = updated(quick, customer, sub, status="suspended")
    assert quick.patch(sub_path(customer, sub), json=before).status_code == 200
    assert read(quick, customer, sub)["status"] == "suspended"


def test_a_new_commerce_subscription_is_cancelled_within_its_window_and_is_then_final(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    quick.advance(7 * DAY - 1)
    cancelled = updated(quick, customer, sub, status="deleted")
    assert cancelled["status"] == "deleted"
    assert read(quick, customer, sub)["status"] == "deleted"
    for change in ({"status": "active"}, {"friendlyName": "again"}, {"quantity": 2}):
        assert refused(update(quick, customer, sub, **change)) == (400, 2011)


def test_a_new_commerce_subscription_cannot_be_cancelled_after_seven_days(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    assert read(quick, customer, sub)["cancellationAllowedUntilDate"] == "2026-01-12T10:00:00Z"
    quick.advance(7 * DAY + 1)
    assert refused(update(quick, customer, sub, status="deleted")) == (400, 900117)
    assert read(quick, customer, sub)["status"] == "active"


def test_the_cancellation_window_is_a_setting(make_api: Any) -> None:
    api = make_api(provisioning_delay=0, cancellation_window_days=3)
    customer = api.new_customer()
    early, late = (buy_subscription(api, customer, nce_line(quantity=4)) for _ in range(2))
    assert read(api, customer, late)["cancellationAllowedUntilDate"] == "2026-01-08T10:00:00Z"
    api.advance(3 * DAY - 60)
    assert updated(api, customer, early, status="deleted")["status"] == "deleted"
    api.advance(120)
    assert refused(update(api, customer, late, status="deleted")) == (400, 900117)
    assert refused(update(api, customer, late, quantity=3)) == (400, 800090)


def test_marketplace_saas_cannot_be_suspended(quick: Api) -> None:
    customer = quick.new_customer()
    sub = activated_saas(quick, customer)
    assert refused(update(quick, customer, sub, status="suspended")) == (400, 800096)


@pytest.mark.parametrize("line", [reservation_line(), {"catalogItemId": SOFTWARE, "quantity": 1,
                                                        "billingCycle": "one_time"}],
                         ids=["reservation", "perpetual-software"])
@pytest.mark.parametrize("status", ["suspended", "deleted"])
def test_reservations_and_perpetual_software_keep_their_status(quick: Api, line: dict[str, Any], status: str) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, line)
    assert refused(update(quick, customer, sub, status=status)) == (400, 800096)
    assert read(quick, customer, sub)["status"] == "active"


def test_an_unknown_status_is_invalid_input(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    assert refused(update(quick, customer, sub, status="paused")) == (400, 800002)


def legacy_with_addon(api: Api, customer: str) -> tuple[str, str]:
    line = {**LEGACY_LINE, "addonItems": [{"catalogItemId": LEGACY_ADDONS[0], "quantity": 2,
                                           "billingCycle": "monthly"}]}
    lines = api.buy(customer, line)["orders"][0]["lineItems"]
    return lines[0]["subscriptionId"], lines[1]["subscriptionId"]


def test_legacy_add_ons_are_suspended_with_their_base(quick: Api) -> None:
    customer = quick.new_customer()
    base, addon = legacy_with_addon(quick, customer)
    updated(quick, customer, base, status="suspended")
    assert read(quick, customer, addon)["status"] == "suspended"


def test_legacy_add_ons_are_reactivated_with_their_base(quick: Api) -> None:
    customer = quick.new_customer()
    base, addon = legacy_with_addon(quick, customer)
    updated(quick, customer, base, status="suspended")
    updated(quick, customer, base, status="active")
    assert read(quick, customer, addon)["status"] == "active"


# --- auto-renew --------------------------------------------------------------------------------

def test_legacy_license_subscriptions_cannot_auto_renew(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, LEGACY_LINE)
    assert read(quick, customer, sub)["autoRenewEnabled"] is False
    assert refused(update(quick, customer, sub, autoRenewEnabled=True)) == (400, 800093)


def test_new_commerce_auto_renew_round_trips(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    assert updated(quick, customer, sub, autoRenewEnabled=False)["autoRenewEnabled"] is False
    assert read(quick, customer, sub)["autoRenewEnabled"] is False
    assert updated(quick, customer, sub, autoRenewEnabled=True)["autoRenewEnabled"] is True
    assert read(quick, customer, sub)["autoRenewEnabled"] is True


# --- scheduled next-term instructions --------------------------------------------------------

def test_scheduled_next_term_instructions_are_kept_and_shown(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=3, term="P1M"))
    plan = {"product": {**M365_PRODUCT, "billingCycle": "Annual", "termDuration": "P1Y"}, "quantity": 4}
    reply = updated(quick, customer, sub, autoRenewEnabled=True, scheduledNextTermInstructions=plan)
    shown = {"product": {**M365_PRODUCT, "billingCycle": "annual", "termDuration": "P1Y"}, "quantity": 4}
    assert reply["scheduledNextTermInstructions"] == shown
    again = read(quick, customer, sub)
    assert again["scheduledNextTermInstructions"] == shown
    assert (again["quantity"], again["termDuration"], again["billingCycle"]) == (3, "P1M", "monthly")


def test_scheduled_instructions_in_pascal_case_are_read(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=3, term="P1M"))
    plan = {"Product": {"ProductId": "CFQ7TTC0LH18", "SkuId": "0001", "AvailabilityId": "CFQ7TTC0K971",
                        "BillingCycle": "Monthly", "TermDuration": "P1M"}, "Quantity": 6}
    reply = updated(quick, customer, sub, scheduledNextTermInstructions=plan)
    assert reply["scheduledNextTermInstructions"] == {
        "product": {**M365_PRODUCT, "billingCycle": "monthly", "termDuration": "P1M"}, "quantity": 6}


def test_scheduled_instructions_need_auto_renew(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1M"))
    plan = {"product": {**M365_PRODUCT, "billingCycle": "monthly", "termDuration": "P1M"}, "quantity": 4}
    reply = update(quick, customer, sub, autoRenewEnabled=False, scheduledNextTermInstructions=plan)
    assert refused(reply) == (400, 800002)
    assert "scheduledNextTermInstructions" not in read(quick, customer, sub)


@pytest.mark.parametrize("term, cycle, code", [("P2Y", "monthly", 900268), ("P1Y", "weekly", 900269),
                                               ("P1M", "annual", 900270)])
def test_scheduled_instructions_need_an_offered_term_and_cycle(quick: Api, term: str, cycle: str, code: int) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1M"))
    plan = {"product": {**M365_PRODUCT, "billingCycle": cycle, "termDuration": term}}
    assert refused(update(quick, customer, sub, scheduledNextTermInstructions=plan)) == (400, code)


def test_a_scheduled_custom_term_end_date_must_be_a_coterm_date(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1M"))  # renews 2026-02-05 for a term to 2026-03-04
    plan = {"product": {**M365_PRODUCT, "billingCycle": "monthly", "termDuration": "P1M"},
            "customTermEndDate": "2026-02-20T00:00:00"}
    assert refused(update(quick, customer, sub, scheduledNextTermInstructions=plan)) == (400, 900246)
    month_end = {**plan, "customTermEndDate": "2026-02-28T00:00:00"}
    reply = updated(quick, customer, sub, scheduledNextTermInstructions=month_end)
    assert reply["scheduledNextTermInstructions"]["customTermEndDate"] == "2026-02-28T00:00:00"


def test_a_custom_term_end_date_is_only_for_new_commerce(quick: Api) -> None:
    customer = quick.new_customer()
    sub = activated_saas(quick, customer)
    plan = {"quantity": 1, "customTermEndDate": "2026-02-28T00:00:00"}
    assert refused(update(quick, customer, sub, scheduledNextTermInstructions=plan)) == (400, 900244)


# --- marketplace SaaS: activation (S8) and activation links (S9) -----------------------------

def test_marketplace_saas_is_pending_until_activated(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, SAAS_LINE)
    assert read(quick, customer, sub)["status"] == "pending"
    assert refused(update(quick, customer, sub, friendlyName="too early")) == (400, 800081)
    reply = quick.post(sub_path(customer, sub) + "/activate")
    assert reply.status_code == 200
    assert reply.json() == {"subscriptionId": sub, "status": "Success"}
    assert read(quick, customer, sub)["status"] == "active"
    assert refused(quick.post(sub_path(customer, sub) + "/activate")) == (400, 800041)
    assert updated(quick, customer, sub, friendlyName="now")["friendlyName"] == "now"


def test_only_marketplace_saas_is_activated(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    assert refused(quick.post(sub_path(customer, sub) + "/activate")) == (400, 800002)


def test_marketplace_saas_has_the_dummy_sandbox_activation_link(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, SAAS_LINE)
    reply = quick.get(sub_path(customer, sub) + "/activationlinks")
    assert reply.status_code == 200
    assert reply.json() == {
        "totalCount": 1,
        "items": [{"lineItemNumber": 0, "link": {
            "uri": f"https://activation.sandbox.pcsim.invalid/saas/{sub}?token=sandbox-dummy", "method": "GET",
            "headers": []}}],
        "links": {"self": {"uri": f"/customers/{customer}/subscriptions/{sub}/activationlinks", "method": "GET",
                           "headers": []}},
        "attributes": {"objectType": "Collection"},
    }
    other = buy_subscription(quick, customer, nce_line())
    assert quick.get(sub_path(customer, other) + "/activationlinks").json()["items"] == []


@pytest.mark.parametrize("line", [SAAS_LINE, {"catalogItemId": SEAT_SAAS, "quantity": 3, "billingCycle": "monthly",
                                              "termDuration": "P1Y"}], ids=["flat", "seat-based"])
def test_marketplace_saas_is_cancelled_by_patch_within_its_availabilitys_refund_window(
        quick: Api, line: dict[str, Any]) -> None:
    customer = quick.new_customer()
    sub = activated_saas(quick, customer, line)
    quick.advance(DAY - 1)
    assert updated(quick, customer, sub, status="deleted")["status"] == "deleted"
    assert read(quick, customer, sub)["status"] == "deleted"


def test_marketplace_saas_shows_its_refund_options_from_activation_and_refuses_a_late_cancel(quick: Api) -> None:
    """The availability's cancellationPolicies give a Full refund for P1D: the window runs from the
    activation (cancel-an-azure-marketplace-subscription.md: expiresAt one day after the start)."""
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, SAAS_LINE)
    pending = read(quick, customer, sub)
    assert pending["refundOptions"] == [] and "cancellationAllowedUntilDate" not in pending
    quick.advance(3600)
    assert quick.post(sub_path(customer, sub) + "/activate").status_code == 200
    active = read(quick, customer, sub)
    assert active["refundOptions"] == [{"type": "Full", "expiresAt": "2026-01-06T11:00:00Z"}]
    assert active["cancellationAllowedUntilDate"] == "2026-01-06T11:00:00Z"
    quick.advance(DAY + 1)
    assert refused(update(quick, customer, sub, status="deleted")) == (400, 900117)
    assert read(quick, customer, sub)["status"] == "active"


def test_seat_based_saas_changes_quantity_within_its_bounds(quick: Api) -> None:
    customer = quick.new_customer()
    sub = activated_saas(quick, customer, {"catalogItemId": SEAT_SAAS, "quantity": 3, "billingCycle": "monthly",
                                           "termDuration": "P1Y"})
    assert updated(quick, customer, sub, quantity=10)["quantity"] == 10
    assert refused(update(quick, customer, sub, quantity=5001)) == (400, 900275)


# --- S7: provisioning status -----------------------------------------------------------------

def test_provisioning_status_needs_app_plus_user_and_shows_a_license_change_for_fifteen_minutes(
        make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    user, app = api.token_for(user=True), api.token_for()
    customer = api.new_customer(token=app)
    sub = buy_subscription(api, customer, nce_line(quantity=5), token=app)
    path = sub_path(customer, sub) + "/provisioningstatus"
    assert refused(api.get(path, token=app)) == (403, 900329)
    status = api.get(path, token=user)
    assert status.status_code == 200
    assert status.json() == {"skuId": "0001", "status": "success", "quantity": 5, "endDate": "2027-01-04T00:00:00Z",
                             "attributes": {"objectType": "SubscriptionProvisioningStatus"}}
    body = {**read(api, customer, sub, token=app), "quantity": 7}
    assert api.patch(sub_path(customer, sub), json=body, token=app).status_code == 200
    assert api.get(path, token=user).json()["status"] == "pending"
    api.advance(15 * 60 - 1)
    assert api.get(path, token=user).json()["status"] == "pending"
    api.advance(1)
    assert api.get(path, token=user).json() == {
        "skuId": "0001", "status": "success", "quantity": 7, "endDate": "2027-01-04T00:00:00Z",
        "attributes": {"objectType": "SubscriptionProvisioningStatus"}}


def test_a_never_activated_saas_subscription_can_be_cancelled(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, SAAS_LINE)
    body = quick.get(sub_path(customer, sub)).json()
    assert body["status"] == "pending"
    assert quick.patch(sub_path(customer, sub), json={**body, "status": "deleted"}).json()["status"] == "deleted"
    refused = quick.post(sub_path(customer, sub) + "/activate")
    assert (refused.status_code, refused.json()["code"]) == (400, 2011)


def test_a_suspended_subscription_is_reactivated_before_it_is_cancelled(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line())
    body = quick.get(sub_path(customer, sub)).json()
    quick.patch(sub_path(customer, sub), json={**body, "status": "suspended"})
    body = quick.get(sub_path(customer, sub)).json()
    refused = quick.patch(sub_path(customer, sub), json={**body, "status": "deleted"})
    assert (refused.status_code, refused.json()["code"]) == (400, 800091)


def test_the_etag_changes_when_a_term_renews(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1M"))
    before = quick.get(sub_path(customer, sub)).json()
    quick.advance(32 * 86400)
    after = quick.get(sub_path(customer, sub)).json()
    assert after["attributes"]["etag"] != before["attributes"]["etag"]
    stale = quick.patch(sub_path(customer, sub), json=before, headers={"If-Match": before["attributes"]["etag"]})
    assert (stale.status_code, stale.json()["code"]) == (400, 2055)
