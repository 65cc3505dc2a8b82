from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import LEGACY_AZURE, M365_BASIC, RESERVATION, SAAS_PLAN, SOFTWARE, Api, nce_line, reservation_line

SAAS_LINE = {"catalogItemId": SAAS_PLAN, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1M"}


def order_path(customer: str, order: dict[str, Any]) -> str:
    return f"/v1/customers/{customer}/orders/{order['id']}"


def test_an_order_is_readable_by_id_at_once_but_listed_only_after_its_delay(make_api: Any) -> None:
    api = make_api(order_list_delay=300)
    customer = api.new_customer()
    order = api.buy(customer, nce_line())["orders"][0]
    assert api.get(order_path(customer, order)).status_code == 200
    api.advance(299)
    assert api.get(f"/v1/customers/{customer}/orders").json()["items"] == []
    api.advance(1)
    listed = api.get(f"/v1/customers/{customer}/orders").json()
    assert [o["id"] for o in listed["items"]] == [order["id"]]
    assert listed["links"]["self"]["uri"] == f"/customers/{customer}/orders"


def test_the_default_listing_delay_is_at_most_fifteen_minutes(api: Api) -> None:
    customer = api.new_customer()
    ids = {api.buy(customer, nce_line())["orders"][0]["id"] for _ in range(3)}
    api.advance(59)
    assert api.get(f"/v1/customers/{customer}/orders").json()["totalCount"] == 0
    api.advance(900 - 59)
    assert {o["id"] for o in api.get(f"/v1/customers/{customer}/orders").json()["items"]} == ids


def test_a_zero_listing_delay_lists_orders_at_once(make_api: Any) -> None:
    api = make_api(order_list_delay=0)
    customer = api.new_customer()
    api.buy(customer, nce_line())
    assert api.get(f"/v1/customers/{customer}/orders").json()["totalCount"] == 1


def test_an_order_is_pending_until_provisioned_then_completed_with_subscriptions(api: Api) -> None:
    customer = api.new_customer()
    order = api.buy(customer, nce_line(quantity=4))["orders"][0]
    api.advance(29)
    pending = api.get(order_path(customer, order)).json()
    assert pending["status"] == "pending" and "subscriptionId" not in pending["lineItems"][0]
    api.advance(1)
    done = api.get(order_path(customer, order)).json()
    line = done["lineItems"][0]
    assert done["status"] == "completed"
    sub = line["subscriptionId"]
    assert line["links"]["subscription"] == {"uri": f"/customers/{customer}/subscriptions/{sub}", "method": "GET",
                                             "headers": []}
    assert api.get(f"/v1/customers/{customer}/subscriptions/{sub}").json()["orderId"] == order["id"]


def test_a_completed_new_commerce_order_has_the_documented_shape(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    order = api.buy(customer, nce_line(quantity=2))["orders"][0]
    sub = order["lineItems"][0]["subscriptionId"]
    base = f"/customers/{customer}/orders/{order['id']}"
    catalog = "/products/CFQ7TTC0LH18"
    assert order == {
        "id": order["id"], "alternateId": order["id"], "referenceCustomerId": customer, "billingCycle": "monthly",
        "currencyCode": "USD", "currencySymbol": "$",
        "lineItems": [{
            "lineItemNumber": 0, "offerId": M365_BASIC, "subscriptionId": sub, "termDuration": "P1Y",
            "transactionType": "New", "friendlyName": "Microsoft 365 Business Basic", "quantity": 2,
            "pricing": {"listPrice": 6.3, "discountedPrice": 6.3, "proratedPrice": 6.3, "price": 6.3,
                        "extendedPrice": 12.6},
            "links": {
                "product": {"uri": f"{catalog}?country=US", "method": "GET", "headers": []},
                "sku": {"uri": f"{catalog}/skus/0001?country=US", "method": "GET", "headers": []},
                "availability": {"uri": f"{catalog}/skus/0001/availabilities/CFQ7TTC0K971?country=US",
                                 "method": "GET", "headers": []},
                "subscription": {"uri": f"/customers/{customer}/subscriptions/{sub}", "method": "GET", "headers": []},
                "provisioningStatus": {"uri": f"/customers/{customer}/subscriptions/{sub}/provisioningstatus",
                                       "method": "GET", "headers": []}}}],
        "creationDate": "2026-01-05T10:00:00Z", "status": "completed", "transactionType": "UserPurchase",
        "totalPrice": 12.6,
        "links": {"provisioningStatus": {"uri": f"{base}/provisioningstatus", "method": "GET", "headers": []},
                  "self": {"uri": base, "method": "GET", "headers": []},
                  "patchOperation": {"uri": base, "method": "PATCH", "headers": []}},
        "attributes": {"objectType": "Order", "etag": order["attributes"]["etag"]},
    }
    assert len(order["id"]) == 12


def test_orders_list_filters_by_billing_type(make_api: Any) -> None:
    api = make_api(order_list_delay=0, sandbox_limits=False)
    customer = api.new_customer()
    api.buy(customer, nce_line(), reservation_line())
    api.buy(customer, SAAS_LINE)
    api.buy(customer, reservation_line())

    def cycles(query: str) -> list[str]:
        return [o["billingCycle"] for o in api.get(f"/v1/customers/{customer}/orders{query}").json()["items"]]

    assert cycles("") == ["monthly", "one_time", "monthly", "one_time"]
    assert cycles("?billingType=onetime") == ["one_time", "one_time"]
    assert cycles("?billingType=Monthly") == ["monthly", "monthly"]


def test_create_order_buys_in_one_step(api: Api) -> None:
    customer = api.new_customer()
    body = {"BillingCycle": "one_time", "LineItems": [{"LineItemNumber": 0, "OfferId": RESERVATION, "Quantity": 1,
                                                       "FriendlyName": "A_sample_Azure_RI", "TermDuration": "P1Y",
                                                       "ProvisioningContext": {"SubscriptionId": "3D5ECED6-1151-44C7-AEE6-70A4BB725666",
                                                                               "Scope": "shared", "Duration": "1Year"}}]}
    reply = api.post(f"/v1/customers/{customer}/orders", json=body)
    assert reply.status_code == 201
    order = reply.json()
    assert (order["status"], order["billingCycle"], len(order["id"]), len(order["alternateId"])) == (
        "pending", "one_time", 32, 12)
    line = order["lineItems"][0]
    assert (line["offerId"], line["friendlyName"], line["quantity"]) == (RESERVATION, "A_sample_Azure_RI", 1)
    assert line["provisioningContext"] == {"subscriptionId": "3D5ECED6-1151-44C7-AEE6-70A4BB725666",
                                           "scope": "shared", "duration": "1Year"}


def test_create_order_refuses_a_bad_line_whole(api: Api) -> None:
    customer = api.new_customer()
    reply = api.post(f"/v1/customers/{customer}/orders",
                     json={"lineItems": [{"lineItemNumber": 0, "offerId": "NOPE:0001:NOPE", "quantity": 1}]})
    assert reply.status_code == 400
    assert reply.json()["code"] == 800009
    assert api.get(f"/v1/customers/{customer}/subscriptions").json()["totalCount"] == 0


def test_provisioning_status_needs_an_app_plus_user_token(api: Api) -> None:
    user, app = api.token_for(user=True), api.token_for()
    customer = api.new_customer(token=app)
    order = api.buy(customer, nce_line(quantity=5), token=app)["orders"][0]
    path = order_path(customer, order) + "/provisioningstatus"
    refused = api.get(path, token=app)
    assert refused.status_code == 403 and refused.json()["code"] == 900329
    assert api.get(path, token=user).json()["items"][0]["status"] == "unfulfilled"
    api.advance(30)
    status = api.get(path, token=user).json()
    assert status["items"] == [{"lineItemNumber": 0, "orderLineItemId": f"{order['id']}:0", "status": "fulfilled",
                                "quantityProvisioningInformation": [{"quantity": 5, "status": "fulfilled"}],
                                "attributes": {"objectType": "OrderLineItemProvisioningStatus"}}]


def test_saas_lines_have_a_dummy_activation_link_as_in_the_sandbox(api: Api) -> None:
    customer = api.new_customer()
    order = api.buy(customer, SAAS_LINE)["orders"][0]
    api.advance(30)
    sub = api.get(order_path(customer, order)).json()["lineItems"][0]["subscriptionId"]
    reply = api.get(order_path(customer, order) + "/lineitems/0/activationlinks")
    assert reply.status_code == 200
    assert reply.json() == {
        "totalCount": 1,
        "items": [{"lineItemNumber": 0, "link": {
            "uri": f"https://activation.sandbox.pcsim.invalid/saas/{sub}?token=sandbox-dummy", "method": "GET",
            "headers": []}}],
        "links": {"self": {"uri": f"/customers/{customer}/orders/{order['id']}/lineitems/0/activationlinks",
                           "method": "GET", "headers": []}},
        "attributes": {"objectType": "Collection"},
    }
    assert api.get(order_path(customer, order) + "/activationlinks").json()["totalCount"] == 1
    missing = api.get(order_path(customer, order) + "/lineitems/7/activationlinks")
    assert missing.status_code == 404 and missing.json()["code"] == 20000


def test_non_saas_lines_have_no_activation_links(api: Api) -> None:
    customer = api.new_customer()
    order = api.buy(customer, nce_line())["orders"][0]
    api.advance(30)
    assert api.get(order_path(customer, order) + "/lineitems/0/activationlinks").json()["items"] == []


def test_sandbox_cancel_of_a_reservation_order_deletes_its_subscription(api: Api) -> None:
    customer = api.new_customer()
    order = api.buy(customer, reservation_line())["orders"][0]
    api.advance(30)
    reply = api.patch(order_path(customer, order), json={"id": order["id"], "status": "cancelled"})
    assert reply.status_code == 200
    cancelled = reply.json()
    assert cancelled["status"] == "cancelled"
    sub = cancelled["lineItems"][0]["subscriptionId"]
    assert api.get(f"/v1/customers/{customer}/subscriptions/{sub}").json()["status"] == "deleted"
    again = api.patch(order_path(customer, order), json={"status": "cancelled"})
    assert again.status_code == 400 and again.json()["code"] == 800061


def test_cancelling_some_software_lines_leaves_the_order_completed(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    software = {"catalogItemId": SOFTWARE, "quantity": 2, "billingCycle": "one_time"}
    order = api.buy(customer, software, software)["orders"][0]
    body = {"id": order["id"], "status": "cancelled", "lineItems": [{"lineItemNumber": 0, "offerId": SOFTWARE}]}
    reply = api.patch(order_path(customer, order), json=body).json()
    assert reply["status"] == "completed"
    assert [ln["quantity"] for ln in reply["lineItems"]] == [0, 2]


SEAT_SAAS = {"catalogItemId": "DZH318Z0C1PM:0001:DZH318Z04MB5", "quantity": 3, "billingCycle": "monthly",
             "termDuration": "P1M"}


@pytest.mark.parametrize("line, status, code", [(nce_line(), 400, 800063), (SEAT_SAAS, 403, 800077)])
def test_orders_cancelled_by_subscription_patch_refuse_order_cancel(api: Api, line: dict[str, Any], status: int,
                                                                    code: int) -> None:
    customer = api.new_customer()
    order = api.buy(customer, line)["orders"][0]
    reply = api.patch(order_path(customer, order), json={"status": "cancelled"})
    assert (reply.status_code, reply.json()["code"]) == (status, code)


def test_orders_older_than_sixty_days_cannot_be_cancelled(api: Api) -> None:
    customer = api.new_customer()
    order = api.buy(customer, reservation_line())["orders"][0]
    api.advance(60 * 86400 + 1)
    reply = api.patch(order_path(customer, order), json={"status": "cancelled"})
    assert (reply.status_code, reply.json()["code"]) == (400, 800061)


def test_order_patches_that_are_not_simulated_answer_501(api: Api) -> None:
    customer = api.new_customer()
    order = api.buy(customer, {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"})["orders"][0]
    reply = api.patch(order_path(customer, order), json={"billingCycle": "annual"})
    assert (reply.status_code, reply.json()["code"]) == (501, 900127)


def test_unknown_orders_are_not_found(api: Api) -> None:
    customer = api.new_customer()
    for reply in (api.get(f"/v1/customers/{customer}/orders/nope"),
                  api.patch(f"/v1/customers/{customer}/orders/nope", json={"status": "cancelled"})):
        assert (reply.status_code, reply.json()["code"]) == (404, 20000)


def test_a_flat_rate_saas_order_can_be_cancelled_in_the_sandbox(api: Api) -> None:
    customer = api.new_customer()
    order = api.buy(customer, SAAS_LINE)["orders"][0]
    api.advance(30)
    cancelled = api.patch(order_path(customer, order), json={"status": "cancelled"}).json()
    assert cancelled["status"] == "cancelled"
    sub = cancelled["lineItems"][0]["subscriptionId"]
    assert api.get(f"/v1/customers/{customer}/subscriptions/{sub}").json()["status"] == "deleted"
