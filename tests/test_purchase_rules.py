"""Purchase rules that depend on what the customer or partner already holds."""
from __future__ import annotations

from typing import Any

from tests.helpers import LEGACY_AZURE, SAAS_PLAN, SOFTWARE, Api, nce_line

AZURE_PLAN = "DZH318Z0BPS6:0001:DZH318Z0BML6"
PLAN_LINE = {"catalogItemId": AZURE_PLAN, "quantity": 1, "billingCycle": "one_time"}
SAAS_LINE = {"catalogItemId": SAAS_PLAN, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1M"}


def error_of(reply: Any) -> tuple[int, int]:
    return reply.status_code, reply.json()["code"]


def test_a_customer_with_ms_azr_0145p_upgrades_instead_of_buying_an_azure_plan(api: Api) -> None:
    customer = api.new_customer()
    api.buy(customer, {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"})
    assert error_of(api.new_cart(customer, PLAN_LINE)) == (400, 800002)


def test_the_sandbox_allows_one_azure_plan_per_customer(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    api.buy(customer, PLAN_LINE)
    assert error_of(api.new_cart(customer, PLAN_LINE)) == (400, 900116)
    relaxed = make_api(provisioning_delay=0, sandbox_limits=False)
    other = relaxed.new_customer()
    relaxed.buy(other, PLAN_LINE)
    assert relaxed.new_cart(other, PLAN_LINE).status_code == 201


def test_the_sandbox_allows_ten_azure_plans_per_partner(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    for _ in range(10):
        api.buy(api.new_customer(), PLAN_LINE)
    assert error_of(api.new_cart(api.new_customer(), PLAN_LINE)) == (400, 900116)


def test_an_eu_partner_sells_new_commerce_to_a_new_customer_in_another_currency(make_api: Any) -> None:
    api = make_api(partner_country="DE")
    customer = api.new_customer(country="GB")
    assert api.new_cart(customer, nce_line()).status_code == 201


def test_an_eu_partner_cannot_add_new_commerce_beside_marketplace_items_in_another_currency(make_api: Any) -> None:
    api = make_api(partner_country="DE", provisioning_delay=0)
    british = api.new_customer(country="GB")
    api.buy(british, SAAS_LINE)
    assert error_of(api.new_cart(british, nce_line())) == (400, 900169)
    german = api.new_customer(country="DE")
    api.buy(german, SAAS_LINE)
    assert api.new_cart(german, nce_line()).status_code == 201  # same currency as the partner


def test_a_partner_outside_the_eu_has_no_such_restriction(make_api: Any) -> None:
    api = make_api(partner_country="US", provisioning_delay=0)
    british = api.new_customer(country="GB")
    api.buy(british, SAAS_LINE)
    assert api.new_cart(british, nce_line()).status_code == 201


def test_a_custom_term_end_date_must_be_a_co_term_date(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    dates = api.get(f"/v1/customers/{customer}/subscriptions/customTermEndDates?term_duration=P1Y").json()["items"]
    allowed = dates[0]["allowedCustomTermEndDate"]
    assert allowed == "2026-01-31T00:00:00"
    ok = api.buy(customer, {**nce_line(), "customTermEndDate": allowed})["orders"][0]["lineItems"][0]
    sub = api.get(f"/v1/customers/{customer}/subscriptions/{ok['subscriptionId']}").json()
    assert sub["commitmentEndDate"] == "2026-01-31T00:00:00Z"
    refused = api.new_cart(customer, {**nce_line(), "customTermEndDate": "2026-02-14T00:00:00"})
    assert error_of(refused) == (400, 900242)


def test_a_new_purchase_can_co_term_with_an_existing_subscription(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    first = api.buy(customer, nce_line(term="P1M"))["orders"][0]["lineItems"][0]["subscriptionId"]
    api.advance(10 * 86400)
    end = api.get(f"/v1/customers/{customer}/subscriptions/{first}").json()["commitmentEndDate"]
    line = {**nce_line(term="P1Y"), "customTermEndDate": end.replace("Z", "")}
    second = api.buy(customer, line)["orders"][0]["lineItems"][0]["subscriptionId"]
    assert api.get(f"/v1/customers/{customer}/subscriptions/{second}").json()["commitmentEndDate"] == end


def test_software_lines_are_cancelled_only_inside_the_cancellation_window(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    order = api.buy(customer, {"catalogItemId": SOFTWARE, "quantity": 1, "billingCycle": "one_time"})["orders"][0]
    api.advance(8 * 86400)
    body = {"status": "cancelled", "lineItems": [{"lineItemNumber": 0}]}
    assert error_of(api.patch(f"/v1/customers/{customer}/orders/{order['id']}", json=body)) == (400, 900117)
    # The sandbox's whole-order cancel still works within 60 days.
    whole = api.patch(f"/v1/customers/{customer}/orders/{order['id']}", json={"status": "cancelled"})
    assert whole.json()["status"] == "cancelled"


def test_cancelled_subscriptions_free_the_sandbox_quota(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    api.buy(customer, *[nce_line() for _ in range(5)])
    listed = api.get(f"/v1/customers/{customer}/subscriptions").json()["items"]
    assert len(listed) == 5
    assert api.new_cart(customer, nce_line()).json()["lineItems"][0]["error"]["errorCode"] == 10009
    sub = listed[0]
    api.patch(f"/v1/customers/{customer}/subscriptions/{sub['id']}", json={**sub, "status": "deleted"})
    assert api.new_cart(customer, nce_line()).json()["lineItems"][0].get("error") is None
