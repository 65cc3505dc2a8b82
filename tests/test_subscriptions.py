from __future__ import annotations

import base64
import uuid
from typing import Any

from tests.helpers import (
    LEGACY_AZURE_LINE,
    LEGACY_BASE,
    M365_BASIC,
    TEAMS_PHONE_ADDON,
    Api,
    buy_subscription,
    key_paths,
    nce_line,
    read,
    recorded_body,
    refused,
)


def test_subscriptions_appear_once_their_order_is_provisioned(api: Api) -> None:
    customer = api.new_customer()
    api.buy(customer, nce_line())
    assert api.get(f"/v1/customers/{customer}/subscriptions").json()["totalCount"] == 0
    api.advance(30)
    assert api.get(f"/v1/customers/{customer}/subscriptions").json()["totalCount"] == 1


def test_a_new_commerce_subscription_has_the_documented_shape(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    order = api.buy(customer, nce_line(quantity=15))["orders"][0]
    sub_id = order["lineItems"][0]["subscriptionId"]
    sub = api.get(f"/v1/customers/{customer}/subscriptions/{sub_id}").json()
    catalog = "/products/CFQ7TTC0LH18"
    assert sub == {
        "id": sub_id, "offerId": M365_BASIC, "offerName": "Microsoft 365 Business Basic",
        "friendlyName": "Microsoft 365 Business Basic",
        "productType": {"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"},
        "quantity": 15, "unitType": "Licenses", "hasPurchasableAddons": True,
        "creationDate": "2026-01-05T10:00:00Z", "effectiveStartDate": "2026-01-05T10:00:00Z",
        "commitmentEndDate": "2027-01-04T00:00:00Z", "commitmentEndDateTime": "2027-01-04T23:59:59Z",
        "cancellationAllowedUntilDate": "2026-01-12T10:00:00Z", "status": "active", "autoRenewEnabled": True,
        "isTrial": False, "billingType": "license", "billingCycle": "monthly", "termDuration": "P1Y",
        "renewalTermDuration": "",
        "refundOptions": [{"type": "Full", "expiresAt": "2026-01-06T10:00:00Z"},
                          {"type": "Partial", "expiresAt": "2026-01-12T10:00:00Z"}],
        "isMicrosoftProduct": True, "partnerId": "", "attentionNeeded": False, "actionTaken": False,
        "contractType": "subscription",
        "links": {
            "product": {"uri": f"{catalog}?country=US", "method": "GET", "headers": []},
            "sku": {"uri": f"{catalog}/skus/0001?country=US", "method": "GET", "headers": []},
            "availability": {"uri": f"{catalog}/skus/0001/availabilities/CFQ7TTC0K971?country=US", "method": "GET",
                             "headers": []},
            "self": {"uri": f"/customers/{customer}/subscriptions/{sub_id}", "method": "GET", "headers": []}},
        "publisherName": "Microsoft Corporation",
        "refundableQuantity": {"totalQuantity": 15, "details": [
            {"quantity": 15, "allowedUntilDateTime": "2026-01-12T10:00:00Z"}]},
        "orderId": order["id"],
        "attributes": {"objectType": "Subscription", "etag": sub["attributes"]["etag"]},
    }


def test_a_legacy_license_subscription_has_its_entitlement_as_the_examples(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    sub_id = buy_subscription(api, customer, {"catalogItemId": LEGACY_BASE, "quantity": 2, "billingCycle": "monthly"})
    sub = read(api, customer, sub_id)
    entitlement = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"legacy-entitlement:{sub_id}"))
    key = base64.urlsafe_b64encode(f"{customer}:{entitlement}".encode()).decode().rstrip("=")
    assert sub == {
        "id": sub_id, "entitlementId": entitlement, "offerId": LEGACY_BASE, "offerName": "Office 365 Enterprise E1",
        "friendlyName": "Office 365 Enterprise E1", "quantity": 2, "unitType": "Licenses",
        "hasPurchasableAddons": False, "creationDate": "2026-01-05T10:00:00Z",
        "effectiveStartDate": "2026-01-05T10:00:00Z", "commitmentEndDate": "2027-01-04T00:00:00Z",
        "commitmentEndDateTime": "2027-01-04T23:59:59Z", "status": "active", "autoRenewEnabled": False,
        "isTrial": False, "billingType": "license", "billingCycle": "monthly", "isMicrosoftProduct": True,
        "partnerId": "", "attentionNeeded": False, "actionTaken": False, "contractType": "subscription",
        "links": {
            "offer": {"uri": f"/offers/{LEGACY_BASE}?country=US", "method": "GET", "headers": []},
            "entitlement": {"uri": f"/entitlements?key={key}", "method": "GET", "headers": []},
            "self": {"uri": f"/customers/{customer}/subscriptions/{sub_id}", "method": "GET", "headers": []}},
        "orderId": sub["orderId"], "attributes": {"objectType": "Subscription", "etag": sub["attributes"]["etag"]}}
    assert read(api, customer, sub_id)["entitlementId"] == entitlement  # the same every time
    example = recorded_body("subscriptions--get-all-of-a-customer-s-subscriptions--2023--01.json")["items"][0]
    assert key_paths(example) <= key_paths(sub)
    # the entitlements route is outside the reference: following the link is a 501 with an error body
    followed = api.get(f"/v1/entitlements?key={key}")
    assert refused(followed) == (501, 900127)
    assert refused(api.get("/v1/entitlements?key=x", token="")) == (401, 800001)


def test_only_legacy_and_azure_subscriptions_carry_an_entitlement_id(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    azure = read(api, customer, buy_subscription(api, customer, LEGACY_AZURE_LINE))
    assert set(azure["links"]) == {"offer", "self"} and uuid.UUID(azure["entitlementId"])
    example = recorded_body("subscriptions--get-a-subscription-by-id--2023--01.json")
    assert key_paths(example) <= key_paths(azure)
    modern = read(api, customer, buy_subscription(api, customer, nce_line()))
    assert "entitlementId" not in modern and "entitlement" not in modern["links"]


def test_refundable_quantity_runs_out_with_the_window(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    sub_id = api.buy(customer, nce_line())["orders"][0]["lineItems"][0]["subscriptionId"]
    api.advance(7 * 86400)  # the window includes its last instant, as cancellationAllowedUntilDate does
    assert api.get(f"/v1/customers/{customer}/subscriptions/{sub_id}").json()["refundableQuantity"]["totalQuantity"] == 3
    api.advance(1)
    sub = api.get(f"/v1/customers/{customer}/subscriptions/{sub_id}").json()
    assert sub["refundableQuantity"] == {"totalQuantity": 0, "details": []}


def test_subscriptions_filter_by_order(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    first = api.buy(customer, nce_line(), nce_line())["orders"][0]
    api.buy(customer, nce_line())
    listed = api.get(f"/v1/customers/{customer}/subscriptions?order_id={first['id']}").json()
    assert [s["orderId"] for s in listed["items"]] == [first["id"], first["id"]]
    assert listed["links"]["self"]["uri"] == f"/customers/{customer}/subscriptions?order_id={first['id']}"


def test_subscriptions_filter_by_reseller_of_record(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    body = {"lineItems": [{"lineItemNumber": 0, "offerId": M365_BASIC, "quantity": 1, "billingCycle": "monthly",
                           "termDuration": "P1M", "partnerIdOnRecord": "4847383"}]}
    assert api.post(f"/v1/customers/{customer}/orders", json=body).status_code == 201
    api.buy(customer, nce_line())
    listed = api.get(f"/v1/customers/{customer}/subscriptions?mpn_id=4847383").json()
    assert [s["partnerId"] for s in listed["items"]] == ["4847383"]


def test_add_ons_are_listed_under_their_base(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    legacy = {"catalogItemId": "91FD106F-4B2C-4938-95AC-F54F74E9A239", "quantity": 3, "billingCycle": "monthly",
              "addonItems": [{"catalogItemId": "C94271D8-B431-4A25-A3C5-A57737A1C909", "quantity": 2,
                              "billingCycle": "monthly"}]}
    lines = api.buy(customer, legacy)["orders"][0]["lineItems"]
    base, addon = lines[0]["subscriptionId"], lines[1]["subscriptionId"]
    listed = api.get(f"/v1/customers/{customer}/subscriptions/{base}/addons").json()
    assert [(s["id"], s["parentSubscriptionId"]) for s in listed["items"]] == [(addon, base)]
    assert listed["items"][0]["links"]["parentSubscription"]["uri"] == f"/customers/{customer}/subscriptions/{base}"


def test_unknown_subscriptions_are_not_found(api: Api) -> None:
    customer = api.new_customer()
    for path in ("00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000/addons"):
        reply = api.get(f"/v1/customers/{customer}/subscriptions/{path}")
        assert (reply.status_code, reply.json()["code"]) == (404, 20003)


def test_subscription_ids_match_in_any_case(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    sub_id = api.buy(customer, nce_line())["orders"][0]["lineItems"][0]["subscriptionId"]
    assert api.get(f"/v1/customers/{customer.upper()}/subscriptions/{sub_id.upper()}").status_code == 200


def test_new_commerce_add_on_subscriptions_stand_alone(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    addon = {"catalogItemId": TEAMS_PHONE_ADDON, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"}
    orders = api.buy(customer, nce_line(), addon)["orders"]
    assert len(orders) == 1 and len(orders[0]["lineItems"]) == 2


def test_every_legacy_add_on_belongs_to_its_own_base(make_api: Any) -> None:
    api = make_api(provisioning_delay=0, sandbox_limits=False)
    customer = api.new_customer()
    addons = [{"catalogItemId": a, "quantity": 1, "billingCycle": "monthly"}
              for a in ("C94271D8-B431-4A25-A3C5-A57737A1C909", "43FCE491-76D1-4BCC-B709-8A288786DBAE")]
    base = {"catalogItemId": "91FD106F-4B2C-4938-95AC-F54F74E9A239", "quantity": 3, "billingCycle": "monthly"}
    lines = api.buy(customer, {**base, "addonItems": addons}, base)["orders"][0]["lineItems"]
    assert [ln["lineItemNumber"] for ln in lines] == [0, 1, 2, 3]
    first = lines[0]["subscriptionId"]
    assert [ln.get("parentSubscriptionId") for ln in lines] == [None, first, first, None]
    listed = api.get(f"/v1/customers/{customer}/subscriptions/{first}/addons").json()
    assert sorted(s["id"] for s in listed["items"]) == sorted([lines[1]["subscriptionId"], lines[2]["subscriptionId"]])


def test_a_carts_transaction_reseller_is_the_subscriptions_partner(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    line = {**nce_line(), "participants": [{"key": "transaction_reseller", "value": "4847383"}]}
    sub = api.buy(customer, line)["orders"][0]["lineItems"][0]["subscriptionId"]
    listed = api.get(f"/v1/customers/{customer}/subscriptions?mpn_id=4847383").json()
    assert [s["id"] for s in listed["items"]] == [sub]


def test_a_new_commerce_add_on_co_terms_with_its_base_and_ends_with_it(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    base = api.buy(customer, nce_line(term="P1Y"))["orders"][0]["lineItems"][0]["subscriptionId"]
    api.advance(40 * 86400)
    addon_line = {"catalogItemId": TEAMS_PHONE_ADDON, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"}
    addon = api.buy(customer, addon_line)["orders"][0]["lineItems"][0]["subscriptionId"]
    read = lambda sid: api.get(f"/v1/customers/{customer}/subscriptions/{sid}").json()  # noqa: E731
    assert read(addon)["parentSubscriptionId"] == base
    assert read(addon)["commitmentEndDate"] == read(base)["commitmentEndDate"] == "2027-01-04T00:00:00Z"
    api.advance(366 * 86400)  # both renew onto the same next term
    assert read(addon)["commitmentEndDate"] == read(base)["commitmentEndDate"] == "2028-01-04T00:00:00Z"
    body = read(base)
    api.patch(f"/v1/customers/{customer}/subscriptions/{base}", json={**body, "autoRenewEnabled": False})
    api.advance(366 * 86400)
    assert (read(base)["status"], read(addon)["status"]) == ("expired", "expired")


def test_cancelling_a_base_cancels_its_new_commerce_add_ons(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    addon_line = {"catalogItemId": TEAMS_PHONE_ADDON, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"}
    base, addon = [ln["subscriptionId"] for ln in api.buy(customer, nce_line(), addon_line)["orders"][0]["lineItems"]]
    body = api.get(f"/v1/customers/{customer}/subscriptions/{base}").json()
    assert api.patch(f"/v1/customers/{customer}/subscriptions/{base}", json={**body, "status": "deleted"}).status_code == 200
    assert api.get(f"/v1/customers/{customer}/subscriptions/{addon}").json()["status"] == "deleted"
