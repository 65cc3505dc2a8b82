from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers import (LEGACY_ADDONS, LEGACY_AZURE, LEGACY_BASE, M365_BASIC, RESERVATION, SAAS_PLAN, SAAS_TRIAL,
                           SOFTWARE, TEAMS_PHONE_ADDON, Api, customer_body, nce_line, refused,
                           reservation_line)

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
WINDOWS_365 = "CFQ7TTC0N8SS:0001:CFQ7TTC0W3GQ"


def codes_of(cart: dict[str, Any]) -> list[int | None]:
    return [(line.get("error") or {}).get("errorCode") for line in cart["lineItems"]]


def test_create_cart_returns_the_documented_cart(api: Api) -> None:
    customer = api.new_customer()
    reply = api.new_cart(customer, nce_line(quantity=3))
    assert reply.status_code == 201
    cart = reply.json()
    assert GUID.match(cart["id"])
    assert cart == {
        "id": cart["id"], "creationTimestamp": "2026-01-05T10:00:00Z", "lastModifiedTimestamp": "2026-01-05T10:00:00Z",
        "expirationTimestamp": "2026-01-12T10:00:00Z", "lastModifiedUser": cart["lastModifiedUser"], "status": "Active",
        "lineItems": [{"id": 0, "catalogItemId": M365_BASIC, "friendlyName": "Microsoft 365 Business Basic",
                       "quantity": 3, "currencyCode": "USD", "billingCycle": "monthly", "termDuration": "P1Y",
                       "orderGroup": "0",
                       "pricing": {"listPrice": 6.3, "discountedPrice": 6.3, "proratedPrice": 6.3, "price": 6.3,
                                   "extendedPrice": 18.9}}],
        "links": {"self": {"uri": f"/customers/{customer}/carts/{cart['id']}", "method": "GET", "headers": []}},
        "attributes": {"objectType": "Cart"},
    }
    assert reply.headers["content-type"] == "application/json; charset=utf-8"


def test_a_customer_of_a_country_with_no_market_gets_a_400_for_a_cart(api: Api) -> None:
    # create-a-customer.md takes customers in registration countries the catalog sells nothing in (Armenia).
    body = customer_body("yerevan.onmicrosoft.com", "AM")
    body["CompanyProfile"]["OrganizationRegistrationNumber"] = "AM-12345"
    body["BillingProfile"]["DefaultAddress"]["PhoneNumber"] = "+374 10 123456"
    created = api.post("/v1/customers", json=body)
    assert created.status_code == 201, created.text
    assert refused(api.new_cart(created.json()["id"], nce_line())) == (400, 800002)


def test_cart_bodies_are_read_in_any_key_casing(api: Api) -> None:
    customer = api.new_customer()
    body = {"LineItems": [{"Id": 0, "CatalogItemId": M365_BASIC, "Quantity": 2, "BillingCycle": "Monthly",
                           "TermDuration": "P1M", "FriendlyName": "Mine"}]}
    reply = api.post(f"/v1/customers/{customer}/carts", json=body)
    assert reply.status_code == 201
    line = reply.json()["lineItems"][0]
    assert (line["friendlyName"], line["quantity"], line["billingCycle"], line["termDuration"]) == (
        "Mine", 2, "monthly", "P1M")


def test_the_service_assigns_order_groups_by_kind_of_item(make_api: Any) -> None:
    api = make_api(sandbox_limits=False)
    customer = api.new_customer()
    cart = api.new_cart(customer,
                        {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"},
                        reservation_line(),
                        {"catalogItemId": SOFTWARE, "quantity": 1, "billingCycle": "one_time"},
                        {"catalogItemId": SAAS_PLAN, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1M"},
                        {"catalogItemId": SAAS_TRIAL, "quantity": 10, "billingCycle": "none", "termDuration": "P1M",
                         "renewsTo": {"termDuration": "P1Y"}},
                        nce_line()).json()
    # The grouping of create-a-cart.md's example: legacy OMS-0, first-party "0", each SaaS line its own;
    # first-party lines of another billing cycle (monthly new commerce here) make a group of their own.
    assert [line["orderGroup"] for line in cart["lineItems"]] == ["OMS-0", "0", "0", "1", "2", "3"]
    assert cart["lineItems"][4]["renewsTo"] == {"termDuration": "P1Y"}


def test_legacy_add_ons_ride_on_their_parent_line(api: Api) -> None:
    customer = api.new_customer()
    body = {"LineItems": [{"Id": 0, "CatalogItemId": LEGACY_BASE, "Quantity": 3, "BillingCycle": "monthly",
                           "AddonItems": [{"Id": 1, "CatalogItemId": a, "Quantity": 2, "BillingCycle": "monthly"}
                                          for a in LEGACY_ADDONS]}]}
    cart = api.post(f"/v1/customers/{customer}/carts", json=body).json()
    line = cart["lineItems"][0]
    assert line["orderGroup"] == "OMS-0"
    assert [(a["id"], a["catalogItemId"], a["orderGroup"]) for a in line["addonItems"]] == [
        (1, LEGACY_ADDONS[0], "OMS-0"), (2, LEGACY_ADDONS[1], "OMS-0")]
    result = api.post(f"/v1/customers/{customer}/carts/{cart['id']}/checkout").json()
    assert [ln["lineItemNumber"] for ln in result["orders"][0]["lineItems"]] == [0, 1, 2]


@pytest.mark.parametrize("line, code", [
    (nce_line(term="P2Y"), 900268),
    (nce_line(cycle="weekly"), 900269),
    (nce_line(term="P1M", cycle="annual"), 900270),
    (nce_line(term="P1Y", cycle="triennial"), 900270),
    (nce_line(quantity=0), 900275),
    (nce_line(quantity=301), 900275),
    ({"catalogItemId": WINDOWS_365, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"}, 900203),
])
def test_lines_the_offer_does_not_allow_fail_the_request(make_api: Any, line: dict[str, Any], code: int) -> None:
    api = make_api(sandbox_limits=False)
    reply = api.new_cart(api.new_customer(), line)
    assert reply.status_code == 400
    assert reply.json()["code"] == code


def test_attested_lines_are_accepted(api: Api) -> None:
    line = {"catalogItemId": WINDOWS_365, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y",
            "attestationAccepted": True}
    assert api.new_cart(api.new_customer(), line).status_code == 201


@pytest.mark.parametrize("line, code", [
    ({"catalogItemId": "NOPE:0001:NOPE", "quantity": 1, "billingCycle": "monthly"}, 10001),
    ({"catalogItemId": "not-an-item", "quantity": 1, "billingCycle": "monthly"}, 10001),
    ({**nce_line(), "currencyCode": "EUR"}, 10000),
    ({**reservation_line(), "provisioningContext": {"scope": "shared"}}, 10010),
    (reservation_line(scope="everywhere"), 10010),
    ({"catalogItemId": TEAMS_PHONE_ADDON, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"}, 10010),
    ({**nce_line(), "participants": [{"key": "somebody", "value": "123"}]}, 10004),
    (nce_line(quantity=26), 10009),
])
def test_line_problems_come_back_as_line_errors_and_block_checkout(api: Api, line: dict[str, Any], code: int) -> None:
    customer = api.new_customer()
    reply = api.new_cart(customer, line)
    assert reply.status_code == 201
    assert codes_of(reply.json()) == [code]
    checkout = api.post(f"/v1/customers/{customer}/carts/{reply.json()['id']}/checkout")
    assert checkout.status_code == 400
    assert checkout.json()["code"] == 800009


def test_a_new_commerce_add_on_is_fine_with_its_base_in_the_same_cart(api: Api) -> None:
    addon = {"catalogItemId": TEAMS_PHONE_ADDON, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"}
    cart = api.new_cart(api.new_customer(), nce_line(), addon).json()
    assert codes_of(cart) == [None, None]
    assert [line["orderGroup"] for line in cart["lineItems"]] == ["0", "0"]


def test_a_new_commerce_add_on_is_fine_once_the_base_is_owned(api: Api) -> None:
    customer = api.new_customer()
    api.buy(customer, nce_line())
    addon = {"catalogItemId": TEAMS_PHONE_ADDON, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"}
    assert codes_of(api.new_cart(customer, addon).json()) == [None]


def test_sandbox_limits_can_be_switched_off(make_api: Any) -> None:
    api = make_api(sandbox_limits=False)
    assert codes_of(api.new_cart(api.new_customer(), nce_line(quantity=200)).json()) == [None]


def test_a_sixth_subscription_is_refused_in_the_sandbox(api: Api) -> None:
    customer = api.new_customer()
    cart = api.new_cart(customer, *[nce_line() for _ in range(6)]).json()
    assert codes_of(cart) == [None] * 5 + [10009]


def test_get_cart_returns_what_create_returned(api: Api) -> None:
    customer = api.new_customer()
    created = api.new_cart(customer, nce_line()).json()
    reply = api.get(f"/v1/customers/{customer}/carts/{created['id']}")
    assert reply.status_code == 200
    assert reply.json() == created


def test_update_cart_replaces_the_lines_and_answers_201(api: Api) -> None:
    customer = api.new_customer()
    created = api.new_cart(customer, nce_line()).json()
    api.advance(60)
    body = {**created, "lineItems": [{**created["lineItems"][0], "quantity": 7}, {**nce_line(2, "P1M"), "id": 1}]}
    reply = api.put(f"/v1/customers/{customer}/carts/{created['id']}", json=body)
    assert reply.status_code == 201
    updated = reply.json()
    assert [line["quantity"] for line in updated["lineItems"]] == [7, 2]
    assert updated["creationTimestamp"] == created["creationTimestamp"]
    assert updated["lastModifiedTimestamp"] == "2026-01-05T10:01:00Z"
    assert updated["expirationTimestamp"] == created["expirationTimestamp"]


def test_an_ordered_cart_cannot_be_updated(api: Api) -> None:
    customer = api.new_customer()
    cart = api.new_cart(customer, nce_line()).json()
    api.post(f"/v1/customers/{customer}/carts/{cart['id']}/checkout")
    reply = api.put(f"/v1/customers/{customer}/carts/{cart['id']}", json=cart)
    assert reply.status_code == 400
    assert reply.json()["code"] == 800065


def test_carts_are_gone_after_seven_days(api: Api) -> None:
    customer = api.new_customer()
    cart = api.new_cart(customer, nce_line()).json()
    api.advance(7 * 86400 - 1)
    assert api.get(f"/v1/customers/{customer}/carts/{cart['id']}").status_code == 200
    api.advance(1)
    for reply in (api.get(f"/v1/customers/{customer}/carts/{cart['id']}"),
                  api.post(f"/v1/customers/{customer}/carts/{cart['id']}/checkout")):
        assert reply.status_code == 404
        assert reply.json()["code"] == 800008


def test_checkout_makes_one_order_per_order_group(make_api: Any) -> None:
    api = make_api(sandbox_limits=False)
    customer = api.new_customer()
    result = api.buy(customer,
                     {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"},
                     reservation_line(), nce_line(),
                     {"catalogItemId": SAAS_PLAN, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1M"})
    assert result["orderErrors"] == []
    orders = result["orders"]
    assert [[ln["offerId"] for ln in o["lineItems"]] for o in orders] == [
        [LEGACY_AZURE], [RESERVATION], [M365_BASIC], [SAAS_PLAN]]
    assert [o["billingCycle"] for o in orders] == ["monthly", "one_time", "monthly", "monthly"]
    # The legacy MS-AZR-0145P order is completed at once, with a GUID id (checkout-a-cart.md example).
    assert orders[0]["status"] == "completed" and GUID.match(orders[0]["id"])
    assert "subscriptionId" in orders[0]["lineItems"][0]
    assert [o["status"] for o in orders[1:]] == ["pending", "pending", "pending"]
    assert all("subscriptionId" not in ln for o in orders[1:] for ln in o["lineItems"])


def test_checkout_accepts_an_empty_json_body(api: Api) -> None:
    customer = api.new_customer()
    cart = api.new_cart(customer, nce_line()).json()
    reply = api.post(f"/v1/customers/{customer}/carts/{cart['id']}/checkout", content=b"",
                     headers={"Content-Type": "application/json", "Content-Length": "0"})
    assert reply.status_code == 201


def test_checking_out_twice_returns_the_first_result_and_buys_once(api: Api) -> None:
    customer = api.new_customer()
    cart = api.new_cart(customer, nce_line()).json()
    first = api.post(f"/v1/customers/{customer}/carts/{cart['id']}/checkout").json()
    second = api.post(f"/v1/customers/{customer}/carts/{cart['id']}/checkout").json()
    assert second == first
    assert api.get(f"/v1/customers/{customer}/carts/{cart['id']}").json()["status"] == "Ordered"
    api.advance(3600)
    assert api.get(f"/v1/customers/{customer}/orders").json()["totalCount"] == 1


def test_a_group_that_fails_at_checkout_goes_to_order_errors(api: Api) -> None:
    customer = api.new_customer()
    first = api.new_cart(customer, *[nce_line() for _ in range(3)]).json()
    legacy = {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"}
    second = api.new_cart(customer, legacy, *[nce_line() for _ in range(2)]).json()
    api.post(f"/v1/customers/{customer}/carts/{first['id']}/checkout")
    result = api.post(f"/v1/customers/{customer}/carts/{second['id']}/checkout").json()
    # The legacy group still fits the sandbox's five subscriptions; the first-party group no longer does.
    assert [o["lineItems"][0]["offerId"] for o in result["orders"]] == [LEGACY_AZURE]
    assert [(e["orderGroupId"], e["code"]) for e in result["orderErrors"]] == [("0", 800066)]


def test_carts_of_another_partners_customer_are_not_found(make_api: Any) -> None:
    api = make_api()
    customer = api.new_customer(token=api.token_for("partner-a.onmicrosoft.com"))
    reply = api.new_cart(customer, nce_line(), token=api.token_for("partner-b.onmicrosoft.com"))
    assert reply.status_code == 404
    assert reply.json()["code"] == 60003


@pytest.mark.parametrize("body", [{"lineItems": []}, {}, {"lineItems": "x"}, [], {"lineItems": [{"quantity": "many"}]}])
def test_malformed_carts_are_refused_with_400(api: Api, body: Any) -> None:
    reply = api.post(f"/v1/customers/{api.new_customer()}/carts", json=body)
    assert reply.status_code == 400
    assert reply.json()["code"] == 800002
