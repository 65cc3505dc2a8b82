"""Fidelity: the simulator driven by a client written by others, generated from the real API's spec.

`partnercenterservices` 0.1.2 (PyPI) is an AutoRest/msrest client Microsoft generated in 2019 from
Partner Center's own swagger (module `microsoft.store.partnercenterservices`). It runs here unchanged
against a real uvicorn server (tests/live.py): only its base URL and the bearer token (from the
simulator's token endpoint) are ours. Everything else — paths, query names, camelCase keys, statuses it
accepts, the date format it parses, the `{totalCount, items}` envelopes and list-valued link `headers` it
deserializes into typed models — is the SDK's.

What the SDK can't do, and why (these are SDK limits, not simulator ones, so the simulator is not bent
to them):

* It has no operation to create a cart (its swagger has only checkout) and none for the catalog of
  products/SKUs/availabilities (only the legacy `/offers`, which the simulator does not serve): carts are
  created with plain httpx.
* Create customer (U3) sends a body the simulator accepts, but the SDK cannot read the documented reply:
  its model types `userCredentials.password` as a .NET `SecureString` object (`{"length": int}`), while
  create-a-customer.md's example (and `UserCredentials.Password` of the .NET SDK,
  Source/PartnerSdk.Models/UserCredentials.cs) has a plain string. The request
  succeeds; msrest raises DeserializationError on the 201. The test pins exactly that.
* Its swagger declares 400, 401, 403, 404 and 500 as ordinary responses without a body schema, so for
  those statuses an operation returns None instead of raising; with `raw=True` the response (and its
  Partner Center error body) is at hand. Only undeclared statuses raise msrestazure's CloudError, which
  expects Azure's `{"error": {...}}` body, so the integer Partner Center code is read from
  `CloudError.response`.
* The documented 202 + Location answer of a subscription PATCH (`--slow-patch`) is undeclared too; the
  SDK raises CloudError on it, so these tests run with the default synchronous 200.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from microsoft.store.partnercenterservices import MicrosoftPartnerStoreApis
from microsoft.store.partnercenterservices import models as pc
from msrest import Deserializer
from msrest.authentication import BasicTokenAuthentication
from msrest.exceptions import DeserializationError
from msrestazure.azure_exceptions import CloudError

from tests.helpers import M365_BASIC, Live, agreement_body, build_app, customer_body, serve

V = "1"  # the SDK's `version` path parameter: /v{version}/...
TENANT = "contoso-partner.onmicrosoft.com"
LEGACY_BASE = "91FD106F-4B2C-4938-95AC-F54F74E9A239"    # as in tests/test_carts.py
LEGACY_ADD_ON = "C94271D8-B431-4A25-A3C5-A57737A1C909"  # an add-on of LEGACY_BASE
NO_SUCH_ID = "00000000-0000-0000-0000-000000000000"


class Partner:
    """A partner's view of a live simulator: the SDK (App-only and App+User tokens) plus plain httpx for
    what the SDK has no operation for (tokens, carts, the simulator's clock)."""

    def __init__(self, live: Live, http: httpx.Client) -> None:
        self.live, self.http = live, http
        self.app_token = self.token(grant_type="client_credentials", client_secret="secret")
        self.user_token = self.token(grant_type="password", username="admin@partner.example", password="pw")
        self.sdk = self.client(self.app_token)
        # Subscription provisioning status (S7) is App+User only (get-subscription-provisioning-status.md).
        self.user_sdk = self.client(self.user_token)

    def token(self, **form: str) -> str:
        form.update(client_id="11111111-2222-3333-4444-555555555555",
                    resource="https://api.partnercenter.microsoft.com")
        reply = self.http.post(f"/{TENANT}/oauth2/token", data=form)
        assert reply.status_code == 200, reply.text
        return reply.json()["access_token"]

    def client(self, token: str) -> MicrosoftPartnerStoreApis:
        return MicrosoftPartnerStoreApis(BasicTokenAuthentication({"access_token": token}), base_url=self.live.base_url)

    def new_customer(self, domain: str) -> str:
        reply = self.http.post("/v1/customers", json=customer_body(domain), headers=self.auth)
        assert reply.status_code == 201, reply.text
        # A partner user confirms the Customer Agreement, without which nothing is bought (13605).
        agreed = self.http.post(f"/v1/customers/{reply.json()['id']}/agreements", json=agreement_body(),
                                headers={"Authorization": f"Bearer {self.user_token}"})
        assert agreed.status_code == 201, agreed.text
        return reply.json()["id"]

    def new_cart(self, customer: str, *lines: dict[str, Any]) -> str:
        items = [{"id": n, **line} for n, line in enumerate(lines)]
        reply = self.http.post(f"/v1/customers/{customer}/carts", json={"lineItems": items}, headers=self.auth)
        assert reply.status_code == 201, reply.text
        return reply.json()["id"]

    def advance(self, seconds: float) -> None:
        assert self.http.post("/_simulator/clock/advance", json={"seconds": seconds}).status_code == 200

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.app_token}"}


@pytest.fixture
def partner() -> Iterator[Partner]:
    # The order list's delay is off so a new order lists at once; provisioning keeps its default 30 s.
    with serve(build_app(wall="real", order_list_delay=0)) as live, httpx.Client(base_url=live.base_url) as http:
        yield Partner(live, http)


def error_of(raw: Any) -> tuple[int, int, str]:
    """(status, Partner Center code, content type) of a declared error status answered with raw=True."""
    assert raw.output is None  # the SDK's swagger declares the status without a body schema
    body = raw.response.json()
    assert isinstance(body["code"], int) and body["description"]
    return raw.response.status_code, body["code"], raw.response.headers["Content-Type"]


# --- customers (U1-U4) ------------------------------------------------------------------------

def test_customers_are_created_listed_read_and_deleted_with_the_sdk(partner: Partner) -> None:
    sdk = partner.sdk
    profile = pc.MicrosoftPartnerSdkContractsV1Customer.from_dict(customer_body("fabrikam.onmicrosoft.com"))

    # The SDK's own create: the simulator accepts its body and answers the documented 201, whose string
    # `userCredentials.password` the SDK's SecureString model can't read (see the module docstring).
    with pytest.raises(DeserializationError, match="Unable to deserialize"):
        sdk.postvversioncustomers(profile, V)
    # It is the SDK's model: the documented reply's `userCredentials` fails alike and reads without `password`.
    read = Deserializer({name: kind for name, kind in vars(pc).items() if isinstance(kind, type)})
    with pytest.raises(DeserializationError):
        read("MicrosoftPartnerSdkContractsV1Customer", {"userCredentials": {"userName": "admin", "password": "=;;n"}})
    assert read("MicrosoftPartnerSdkContractsV1Customer", {"userCredentials": {"userName": "admin"}}) \
        .user_credentials.user_name == "admin"
    other = partner.new_customer("northwind.onmicrosoft.com")

    everyone = sdk.getvversioncustomersfilterfilter.value(V)
    assert type(everyone).__name__ == \
        "MicrosoftPartnerSdkContractsV1CollectionsResourceCollectionMicrosoftPartnerSdkContractsV1Customer"
    assert everyone.total_count == 2
    assert sorted(c.company_profile.domain for c in everyone.items) == ["fabrikam.onmicrosoft.com",
                                                                        "northwind.onmicrosoft.com"]
    # The documented filter (get-a-customer-by-name.md) passes through the SDK's free-form `filter`.
    wanted = json.dumps({"Field": "Domain", "Value": "fabri", "Operator": "starts_with"})
    found = sdk.getvversioncustomersfilterfilter.value(V, filter=wanted, size=10)
    assert [c.company_profile.domain for c in found.items] == ["fabrikam.onmicrosoft.com"]
    fabrikam = found.items[0].id
    assert found.items[0].links.itself.uri == f"/customers/{fabrikam}"
    assert found.items[0].links.itself.headers == []

    customer = sdk.getvversioncustomerscustomer.id(fabrikam, V)
    assert isinstance(customer, pc.MicrosoftPartnerSdkContractsV1Customer)
    assert customer.id == customer.company_profile.tenant_id == fabrikam
    assert customer.billing_profile.default_address.city == "Redmond"
    assert customer.billing_profile.culture == "en-US"
    assert customer.attributes.object_type == "Customer"

    deleted = sdk.deletevversioncustomerscustomer.id(other, V, raw=True)  # sandbox delete → 204
    assert deleted.response.status_code == 204
    gone = sdk.getvversioncustomerscustomer.id(other, V, raw=True)
    assert error_of(gone)[:2] == (404, 60003)
    assert [c.id for c in sdk.getvversioncustomersfilterfilter.value(V).items] == [fabrikam]


# --- carts, orders, subscriptions (K4, O1-O3, S1-S7) -----------------------------------------

def test_the_purchase_path_with_the_sdk(partner: Partner) -> None:
    sdk = partner.sdk
    customer = partner.new_customer("contoso.onmicrosoft.com")
    cart = partner.new_cart(customer, {"catalogItemId": M365_BASIC, "quantity": 3, "billingCycle": "monthly",
                                       "termDuration": "P1M"})

    checkout = sdk.postvversioncustomerscustomer.idcheckout(customer, cart, V)
    assert isinstance(checkout, pc.MicrosoftPartnerSdkContractsV1ContractsOrdersCartCheckoutResult)
    assert checkout.order_errors == []
    [placed] = checkout.orders
    assert isinstance(placed, pc.MicrosoftPartnerSdkContractsV1Order)
    assert (placed.reference_customer_id, placed.status, placed.billing_cycle) == (customer, "pending", "monthly")
    assert [(ln.offer_id, ln.quantity) for ln in placed.line_items] == [(M365_BASIC, 3)]
    assert placed.creation_date == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)

    assert sdk.getvversioncustomerscustomer.id5(customer, placed.id, V).status == "pending"
    partner.advance(30)  # the provisioning delay

    order = sdk.getvversioncustomerscustomer.id5(customer, placed.id, V)
    assert order.status == "completed"
    [line] = order.line_items
    subscription_id = line.subscription_id
    assert line.links.subscription.uri == f"/customers/{customer}/subscriptions/{subscription_id}"
    orders = sdk.getvversioncustomerscustomer.value7(customer, V)
    assert orders.total_count == 1 and [o.id for o in orders.items] == [placed.id]
    assert sdk.getvversioncustomerscustomer.value7(customer, V, billing_type="monthly").total_count == 1
    assert sdk.getvversioncustomerscustomer.value7(customer, V, billing_type="annual").total_count == 0

    listed = sdk.getvversioncustomerscustomer.value9(customer, V)
    assert [s.id for s in listed.items] == [subscription_id]
    by_order = sdk.getvversioncustomerscustomer.value9(customer, V, order_id=placed.id)
    assert [s.id for s in by_order.items] == [subscription_id]

    subscription = sdk.getvversioncustomerscustomer.id6(customer, subscription_id, V)
    assert isinstance(subscription, pc.MicrosoftPartnerSdkContractsV1Subscription)
    assert (subscription.offer_id, subscription.quantity, subscription.status) == (M365_BASIC, 3, "active")
    assert (subscription.billing_cycle, subscription.order_id, subscription.auto_renew_enabled) == \
        ("monthly", placed.id, True)
    assert subscription.commitment_end_date == datetime(2026, 2, 4, tzinfo=UTC)
    assert subscription.effective_start_date == datetime(2026, 1, 5, 10, 0, 30, tzinfo=UTC)

    add_ons = sdk.getvversioncustomerscustomer.idaddons(customer, subscription_id, V)
    assert (add_ons.total_count, add_ons.items) == (0, [])
    status = partner.user_sdk.getvversioncustomerscustomer.idprovisioningstatus(customer, subscription_id, V)
    assert isinstance(status, pc.MicrosoftPartnerSdkContractsV1SubscriptionProvisioningStatus)
    assert (status.status, status.quantity, status.sku_id) == ("success", 3, "0001")

    # S5: the SDK PATCHes the subscription it read (the documented whole-resource update), quantity changed.
    subscription.quantity = 5
    updated = sdk.patchvversioncustomerscustomer.id4(customer, subscription_id, subscription, V)
    assert isinstance(updated, pc.MicrosoftPartnerSdkContractsV1Subscription)
    assert (updated.id, updated.quantity, updated.status, updated.auto_renew_enabled) == \
        (subscription_id, 5, "active", True)
    assert updated.attributes.etag != subscription.attributes.etag
    again = sdk.getvversioncustomerscustomer.id6(customer, subscription_id, V)
    assert (again.quantity, again.attributes.etag) == (5, updated.attributes.etag)


def test_legacy_orders_add_ons_and_upgrades_with_the_sdk(partner: Partner) -> None:
    sdk, line = partner.sdk, pc.MicrosoftPartnerSdkContractsV1OrderLineItem
    customer = partner.new_customer("tailspin.onmicrosoft.com")

    # O1, the one-step purchase of a legacy offer, with the SDK's own Order model.
    order = pc.MicrosoftPartnerSdkContractsV1Order(
        reference_customer_id=customer, line_items=[line(line_item_number=0, offer_id=LEGACY_BASE, quantity=2)])
    created = sdk.postvversioncustomerscustomer.idorders(customer, order, V)
    assert isinstance(created, pc.MicrosoftPartnerSdkContractsV1Order)
    base = created.line_items[0].subscription_id
    partner.advance(30)
    assert sdk.getvversioncustomerscustomer.id6(customer, base, V).quantity == 2

    add_on = pc.MicrosoftPartnerSdkContractsV1Order(reference_customer_id=customer, line_items=[
        line(line_item_number=0, offer_id=LEGACY_ADD_ON, quantity=1, parent_subscription_id=base)])
    add_on_id = sdk.postvversioncustomerscustomer.idorders(customer, add_on, V).line_items[0].subscription_id
    partner.advance(30)

    add_ons = sdk.getvversioncustomerscustomer.idaddons(customer, base, V)
    assert [(s.id, s.parent_subscription_id, s.offer_id) for s in add_ons.items] == [(add_on_id, base, LEGACY_ADD_ON)]
    assert add_ons.items[0].links.parent_subscription.uri == f"/customers/{customer}/subscriptions/{base}"

    upgrades = sdk.getvversioncustomerscustomer.idupgrades(customer, base, V)
    assert upgrades.total_count == len(upgrades.items) >= 1
    upgrade = upgrades.items[0]
    assert isinstance(upgrade, pc.MicrosoftPartnerSdkContractsV1SubscriptionsUpgrade)
    assert upgrade.target_offer.id and upgrade.quantity == 2
    # A base with add-ons can't be upgraded; the documented code is an integer (transition-a-subscription.md
    # shows `"code": 2`), which the SDK's model, typed as an enum name string, keeps as its text.
    assert upgrade.is_eligible is False and upgrade.upgrade_errors[0].code == "6"


# --- errors and headers -------------------------------------------------------------------------

def test_declared_error_statuses_come_back_as_partner_center_bodies(partner: Partner) -> None:
    sdk = partner.sdk
    customer = partner.new_customer("adatum.onmicrosoft.com")

    # 404 is declared by the SDK's swagger: no exception, None, and the documented body under raw=True.
    assert sdk.getvversioncustomerscustomer.id6(customer, NO_SUCH_ID, V) is None
    missing = sdk.getvversioncustomerscustomer.id6(customer, NO_SUCH_ID, V, raw=True)
    assert error_of(missing) == (404, 20003, "application/json; charset=utf-8")

    cart = partner.new_cart(customer, {"catalogItemId": M365_BASIC, "quantity": 1, "billingCycle": "monthly",
                                       "termDuration": "P1M"})
    sdk.postvversioncustomerscustomer.idcheckout(customer, cart, V)
    partner.advance(30)
    subscription_id = sdk.getvversioncustomerscustomer.value9(customer, V).items[0].id
    subscription = sdk.getvversioncustomerscustomer.id6(customer, subscription_id, V)

    # 400 with the documented codes: a stale If-Match (2055), a quantity past the SKU's bounds (900275).
    stale = sdk.patchvversioncustomerscustomer.id4(customer, subscription_id, subscription, V,
                                                   custom_headers={"If-Match": "stale"}, raw=True)
    assert error_of(stale)[:2] == (400, 2055)
    subscription.quantity = 100000
    too_many = sdk.patchvversioncustomerscustomer.id4(customer, subscription_id, subscription, V, raw=True)
    assert error_of(too_many)[:2] == (400, 900275)

    # 403 900329: an App-only token on an App+User-only operation.
    app_only = sdk.getvversioncustomerscustomer.idprovisioningstatus(customer, subscription_id, V, raw=True)
    assert error_of(app_only)[:2] == (403, 900329)


def test_undeclared_statuses_raise_cloud_error_with_the_partner_center_code(partner: Partner) -> None:
    # An order PATCH other than the sandbox cancel is not simulated (docs/simulated.md): 501 + 900127, which the SDK
    # doesn't declare.
    customer = partner.new_customer("litware.onmicrosoft.com")
    line = pc.MicrosoftPartnerSdkContractsV1OrderLineItem(line_item_number=0, offer_id=LEGACY_BASE, quantity=1)
    order = pc.MicrosoftPartnerSdkContractsV1Order(reference_customer_id=customer, line_items=[line])
    created = partner.sdk.postvversioncustomerscustomer.idorders(customer, order, V)
    created.billing_cycle = "annual"
    with pytest.raises(CloudError) as raised:
        partner.sdk.patchvversioncustomerscustomer.id3(customer, created.id, created, V)
    assert raised.value.status_code == 501
    body = raised.value.response.json()
    assert (body["code"], body["source"]) == (900127, "PartnerFD")
    assert raised.value.response.headers["Content-Type"] == "application/json; charset=utf-8"


def test_the_sdk_reads_usage_summaries_and_a_not_ready_utilization(partner: Partner) -> None:
    """P1, P2 and P11 deserialize into the SDK's models; P10's 204 (data not ready) is declared by its swagger."""
    customer = partner.new_customer("fourthcoffee.onmicrosoft.com")
    reply = partner.http.post(f"/v1/customers/{customer}/orders", headers=partner.auth,
                              json={"lineItems": [{"lineItemNumber": 0, "offerId": "MS-AZR-0145P", "quantity": 1}]})
    assert reply.status_code == 201, reply.text
    subscription = reply.json()["lineItems"][0]["subscriptionId"]
    partner.advance(3 * 86400)
    user = partner.user_sdk
    summary = user.getvversioncustomerscustomer.idusagesummary(customer, V)
    assert summary.total_cost > 0 and summary.attributes.object_type == "CustomerUsageSummary"
    assert user.getvversionusagesummary(V).customers_with_usage_based_subscription == 1
    budget = partner.sdk.getvversioncustomerscustomer.idusagebudget(customer, V)
    assert budget.amount is None and budget.attributes.object_type == "SpendingBudget"
    tomorrow = datetime(2026, 1, 9, tzinfo=UTC)
    not_ready = partner.sdk.getvversioncustomerscustomer.value10(customer, subscription, V, start_time=tomorrow,
                                                                 end_time=datetime(2026, 1, 12, tzinfo=UTC), raw=True)
    assert not_ready.response.status_code == 204 and int(not_ready.response.headers["Retry-After"]) > 0


def test_the_sdks_request_and_correlation_ids_are_echoed(partner: Partner) -> None:
    request_id, correlation_id = "8b3e0f7c-6a43-4d67-9f4a-3d8f1c2b5e10", "1f0e2d3c-4b5a-4697-8877-665544332211"
    raw = partner.sdk.getvversioncustomersfilterfilter.value(V, ms_request_id=request_id,
                                                            ms_correlation_id=correlation_id, raw=True)
    assert raw.output.total_count == 0
    assert (raw.response.headers["MS-RequestId"], raw.response.headers["MS-CorrelationId"]) == \
        (request_id, correlation_id)
