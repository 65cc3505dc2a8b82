"""Renewals and expiries driven by the simulated clock.

Sources: create-scheduled-changes.md (renewals run from 00:00 UTC after the term's last day and apply
scheduled next-term instructions), purchase-new-commerce-license-based.md (a new 7-day window after
renewal), subscription-resources.md (a P1Y term bought 2021-01-14 ends 2022-01-13).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.helpers import (LEGACY_BASE, M365_PRODUCT, SAAS_TRIAL, Api, buy_subscription, nce_line, read, refused,
                           reservation_line, sub_path, update, updated)

DAY = 86400
NCE_TRIAL = "CFQ7TTC0LCHC:000B:CFQ7TTC06GXL"


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def advance_to(api: Api, when: str) -> None:
    now = api.get("/_simulator/clock").json()["now"]
    api.advance((moment(when) - moment(now)).total_seconds())


def term_of(sub: dict[str, Any]) -> dict[str, Any]:
    keys = ("status", "quantity", "termDuration", "billingCycle", "effectiveStartDate", "commitmentEndDate",
            "cancellationAllowedUntilDate")
    return {k: sub.get(k) for k in keys}


@pytest.fixture
def quick(make_api: Any) -> Api:
    return make_api(provisioning_delay=0)


def test_a_monthly_subscription_renews_at_midnight_after_its_last_day(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=3, term="P1M"))
    before = read(quick, customer, sub)
    assert (before["commitmentEndDate"], before["commitmentEndDateTime"]) == ("2026-02-04T00:00:00Z",
                                                                              "2026-02-04T23:59:59Z")
    advance_to(quick, "2026-02-04T23:59:59Z")
    assert read(quick, customer, sub) == {**before, "refundableQuantity": {"totalQuantity": 0, "details": []}}
    quick.advance(1)
    renewed = read(quick, customer, sub)
    assert renewed == {
        **before, "effectiveStartDate": "2026-02-05T00:00:00Z",
        "commitmentEndDate": "2026-03-04T00:00:00Z", "commitmentEndDateTime": "2026-03-04T23:59:59Z",
        "cancellationAllowedUntilDate": "2026-02-12T00:00:00Z",
        "refundOptions": [{"type": "Full", "expiresAt": "2026-02-06T00:00:00Z"},
                          {"type": "Partial", "expiresAt": "2026-02-12T00:00:00Z"}],
        "refundableQuantity": {"totalQuantity": 3, "details": [
            {"quantity": 3, "allowedUntilDateTime": "2026-02-12T00:00:00Z"}]},
        "attributes": renewed["attributes"],
    }


def test_a_renewal_opens_a_new_window_for_cancelling_and_removing_seats(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=3, term="P1M"))
    quick.advance(10 * DAY)
    assert refused(update(quick, customer, sub, quantity=2)) == (400, 800090)
    assert refused(update(quick, customer, sub, status="deleted")) == (400, 900117)
    advance_to(quick, "2026-02-06T00:00:00Z")
    assert updated(quick, customer, sub, quantity=2)["quantity"] == 2
    assert updated(quick, customer, sub, status="deleted")["status"] == "deleted"


def test_without_auto_renew_a_subscription_expires_and_cannot_be_updated(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1M"))
    updated(quick, customer, sub, autoRenewEnabled=False)
    advance_to(quick, "2026-02-04T23:59:59Z")
    assert read(quick, customer, sub)["status"] == "active"
    quick.advance(1)
    expired = read(quick, customer, sub)
    assert (expired["status"], expired["autoRenewEnabled"], expired["commitmentEndDate"]) == (
        "expired", False, "2026-02-04T00:00:00Z")
    for change in ({"friendlyName": "late"}, {"autoRenewEnabled": True}, {"status": "active"}):
        assert refused(update(quick, customer, sub, **change)) == (400, 900277)
    quick.advance(40 * DAY)
    assert read(quick, customer, sub)["status"] == "expired"


def test_scheduled_next_term_instructions_apply_at_renewal_and_are_then_cleared(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=3, term="P1M", cycle="monthly"))
    plan = {"product": {**M365_PRODUCT, "billingCycle": "annual", "termDuration": "P1Y"}, "quantity": 5}
    updated(quick, customer, sub, scheduledNextTermInstructions=plan)
    advance_to(quick, "2026-02-05T00:00:00Z")
    renewed = read(quick, customer, sub)
    assert "scheduledNextTermInstructions" not in renewed
    assert term_of(renewed) == {"status": "active", "quantity": 5, "termDuration": "P1Y", "billingCycle": "annual",
                                "effectiveStartDate": "2026-02-05T00:00:00Z",
                                "commitmentEndDate": "2027-02-04T00:00:00Z",
                                "cancellationAllowedUntilDate": "2026-02-12T00:00:00Z"}
    assert renewed["refundableQuantity"] == {"totalQuantity": 5, "details": [
        {"quantity": 5, "allowedUntilDateTime": "2026-02-12T00:00:00Z"}]}
    advance_to(quick, "2027-02-05T00:00:00Z")
    assert term_of(read(quick, customer, sub)) == {
        "status": "active", "quantity": 5, "termDuration": "P1Y", "billingCycle": "annual",
        "effectiveStartDate": "2027-02-05T00:00:00Z", "commitmentEndDate": "2028-02-04T00:00:00Z",
        "cancellationAllowedUntilDate": "2027-02-12T00:00:00Z"}


def test_a_scheduled_quantity_alone_applies_at_renewal(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(quantity=6, term="P1M"))
    updated(quick, customer, sub, scheduledNextTermInstructions={"quantity": 2})
    advance_to(quick, "2026-02-05T00:00:00Z")
    renewed = read(quick, customer, sub)
    assert (renewed["quantity"], renewed["termDuration"], renewed["billingCycle"]) == (2, "P1M", "monthly")
    assert "scheduledNextTermInstructions" not in renewed


def test_a_scheduled_custom_term_end_date_shapes_only_the_next_term(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1M"))
    plan = {"product": {**M365_PRODUCT, "billingCycle": "monthly", "termDuration": "P1M"},
            "customTermEndDate": "2026-02-28T00:00:00"}
    updated(quick, customer, sub, scheduledNextTermInstructions=plan)
    advance_to(quick, "2026-02-05T00:00:00Z")
    assert read(quick, customer, sub)["commitmentEndDate"] == "2026-02-28T00:00:00Z"
    advance_to(quick, "2026-03-01T00:00:00Z")
    assert term_of(read(quick, customer, sub))["commitmentEndDate"] == "2026-03-31T00:00:00Z"


def test_a_year_of_monthly_renewals_in_one_advance_gives_the_current_term(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1M"))
    quick.advance(365 * DAY)  # 2027-01-05T10:00: twelve renewals, the last at 2027-01-05T00:00
    assert term_of(read(quick, customer, sub)) == {
        "status": "active", "quantity": 3, "termDuration": "P1M", "billingCycle": "monthly",
        "effectiveStartDate": "2027-01-05T00:00:00Z", "commitmentEndDate": "2027-02-04T00:00:00Z",
        "cancellationAllowedUntilDate": "2027-01-12T00:00:00Z"}


@pytest.mark.parametrize("start", ["2026-01-05T10:00:00Z", "2026-01-31T10:00:00Z", "2026-03-31T10:00:00Z"])
def test_monthly_renewals_are_the_same_in_one_advance_as_month_by_month(make_api: Any, start: str) -> None:
    at_once, stepped = make_api(provisioning_delay=0, start_time=start), make_api(provisioning_delay=0,
                                                                                  start_time=start)
    subs = []
    for api in (at_once, stepped):
        customer = api.new_customer()
        subs.append((customer, buy_subscription(api, customer, nce_line(term="P1M"))))
    at_once.advance(365 * DAY)
    for _ in range(13):  # each step writes the subscription, so every renewal is stored on the way
        stepped.advance(28 * DAY)
        updated(stepped, *subs[1], friendlyName="stepped")
    stepped.advance(365 * DAY - 13 * 28 * DAY)
    assert term_of(read(at_once, *subs[0])) == term_of(read(stepped, *subs[1]))


def test_a_monthly_term_bought_on_the_31st_ends_on_the_27th_of_february(make_api: Any) -> None:
    api = make_api(provisioning_delay=0, start_time="2026-01-31T10:00:00Z")
    customer = api.new_customer()
    sub = buy_subscription(api, customer, nce_line(term="P1M"))
    assert read(api, customer, sub)["commitmentEndDate"] == "2026-02-27T00:00:00Z"
    advance_to(api, "2026-02-28T00:00:00Z")
    assert read(api, customer, sub)["effectiveStartDate"] == "2026-02-28T00:00:00Z"
    advance_to(api, "2027-01-31T10:00:00Z")
    assert read(api, customer, sub)["commitmentEndDate"] == "2027-02-27T00:00:00Z"


def test_a_yearly_term_ends_the_day_before_its_anniversary_and_renews_for_another_year(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1Y", cycle="annual"))
    first = read(quick, customer, sub)
    assert (first["commitmentEndDate"], first["commitmentEndDateTime"]) == ("2027-01-04T00:00:00Z",
                                                                            "2027-01-04T23:59:59Z")
    advance_to(quick, "2027-01-05T00:00:00Z")
    assert term_of(read(quick, customer, sub)) == {
        "status": "active", "quantity": 3, "termDuration": "P1Y", "billingCycle": "annual",
        "effectiveStartDate": "2027-01-05T00:00:00Z", "commitmentEndDate": "2028-01-04T00:00:00Z",
        "cancellationAllowedUntilDate": "2027-01-12T00:00:00Z"}


def test_a_new_commerce_trial_without_renews_to_expires_after_its_month(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, {"catalogItemId": NCE_TRIAL, "quantity": 1, "billingCycle": "none",
                                             "termDuration": "P1M"})
    trial = read(quick, customer, sub)
    assert (trial["isTrial"], trial["autoRenewEnabled"], trial["commitmentEndDate"]) == (
        True, False, "2026-02-04T00:00:00Z")
    advance_to(quick, "2026-02-04T23:59:59Z")
    assert read(quick, customer, sub)["status"] == "active"
    quick.advance(1)
    assert read(quick, customer, sub)["status"] == "expired"


def test_a_new_commerce_trial_with_renews_to_becomes_the_paid_sku(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, {"catalogItemId": NCE_TRIAL, "quantity": 2, "billingCycle": "none",
                                             "termDuration": "P1M", "renewsTo": {"termDuration": "P1M"}})
    assert read(quick, customer, sub)["autoRenewEnabled"] is True
    advance_to(quick, "2026-02-05T00:00:00Z")
    paid = read(quick, customer, sub)
    assert paid["offerId"].startswith("CFQ7TTC0LCHC:0002:")
    assert (paid["isTrial"], paid["status"], paid["quantity"], paid["termDuration"], paid["billingCycle"],
            paid["commitmentEndDate"]) == (False, "active", 2, "P1M", "monthly", "2026-03-04T00:00:00Z")


def test_the_saas_free_trial_bought_with_renews_to_converts_to_the_paid_plan(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, {"catalogItemId": SAAS_TRIAL, "quantity": 3, "billingCycle": "none",
                                             "termDuration": "P1M", "renewsTo": {"termDuration": "P1Y"}})
    assert quick.post(sub_path(customer, sub) + "/activate").status_code == 200
    trial = read(quick, customer, sub)
    assert (trial["isTrial"], trial["autoRenewEnabled"], trial["renewalTermDuration"]) == (True, True, "P1Y")
    advance_to(quick, "2026-02-05T00:00:00Z")
    paid = read(quick, customer, sub)
    assert (paid["offerId"], paid["isTrial"], paid["status"], paid["quantity"], paid["termDuration"],
            paid["billingCycle"], paid["commitmentEndDate"]) == (
        "DZH318Z0C0WF:0002:DZH318Z07XLN", False, "active", 3, "P1Y", "monthly", "2027-02-04T00:00:00Z")
    assert paid["links"]["sku"]["uri"] == "/products/DZH318Z0C0WF/skus/0002?country=US"


def test_a_suspended_subscription_expires_at_its_term_end(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1M"))
    updated(quick, customer, sub, status="suspended")
    advance_to(quick, "2026-02-05T00:00:00Z")
    assert read(quick, customer, sub)["status"] == "expired"
    assert refused(update(quick, customer, sub, status="active")) == (400, 900277)


def test_a_reservation_expires_at_its_term_end(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, reservation_line())
    assert read(quick, customer, sub)["commitmentEndDate"] == "2027-01-04T00:00:00Z"
    advance_to(quick, "2027-01-04T23:59:59Z")
    assert read(quick, customer, sub)["status"] == "active"
    quick.advance(1)
    assert read(quick, customer, sub)["status"] == "expired"


def test_a_legacy_license_subscription_rolls_its_yearly_commitment_on(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, {"catalogItemId": LEGACY_BASE, "quantity": 3, "billingCycle": "monthly"})
    assert read(quick, customer, sub)["commitmentEndDate"] == "2027-01-04T00:00:00Z"
    advance_to(quick, "2027-01-05T00:00:00Z")
    rolled = read(quick, customer, sub)
    assert (rolled["status"], rolled["commitmentEndDate"]) == ("active", "2028-01-04T00:00:00Z")


def test_a_cancelled_subscription_neither_renews_nor_expires(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1M"))
    updated(quick, customer, sub, status="deleted")
    quick.advance(90 * DAY)
    cancelled = read(quick, customer, sub)
    assert (cancelled["status"], cancelled["commitmentEndDate"]) == ("deleted", "2026-02-04T00:00:00Z")


def test_a_scheduled_change_of_product_renews_into_the_new_offer(quick: Api) -> None:
    customer = quick.new_customer()
    sub = buy_subscription(quick, customer, nce_line(term="P1M"))
    standard = {"productId": "CFQ7TTC0LDPB", "skuId": "0001", "availabilityId": "CFQ7TTC0LGNT",
                "billingCycle": "monthly", "termDuration": "P1M"}
    updated(quick, customer, sub, scheduledNextTermInstructions={"product": standard})
    advance_to(quick, "2026-02-05T00:00:00Z")
    renewed = read(quick, customer, sub)
    assert renewed["links"]["product"]["uri"] == "/products/CFQ7TTC0LDPB?country=US"
    assert (renewed["offerId"], renewed["offerName"]) == ("CFQ7TTC0LDPB:0001:CFQ7TTC0LGNT",
                                                          "Microsoft 365 Business Standard")
