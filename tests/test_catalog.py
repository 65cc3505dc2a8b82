"""Catalog C1-C13: products, SKUs, availabilities and the inventory check (api.md 1.1)."""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import Api

BASIC, BASIC_SKU, BASIC_AVAILABILITY = "CFQ7TTC0LH18", "0001", "CFQ7TTC0K971"
BASIC_NONPROFIT = "CFQ7TTC0HVV8"
AZURE_PLAN = "DZH318Z0BPS6"
COSMOS = "DZH318Z0BQ9T"  # reservations usable with an Azure plan only
NV_SERIES = "DZH318Z0BQ36"
DSV2 = "DZH318Z0BQ3Q"  # SKUs 0007 and 0008 are restricted in US and JP
JSON_UTF8 = "application/json; charset=utf-8"

NCE_LICENCES = ["CFQ7TTC0LH18", "CFQ7TTC0LDPB", "CFQ7TTC0LCHC", "CFQ7TTC0LF8Q", "CFQ7TTC0LF8R", "CFQ7TTC0LF8S",
                "CFQ7TTC0LFLX", "CFQ7TTC0LFLZ", "CFQ7TTC0LH16", "CFQ7TTC0JN4R", "CFQ7TTC0HD32", "CFQ7TTC0HDB0",
                "CFQ7TTC0HDJX", "CFQ7TTC0LHWP", "CFQ7TTC0LH0T", "CFQ7TTC0N8SS"]
SAAS = ["DZH318Z0BXWC", "DZH318Z0C0WF", "DZH318Z0C1PM"]
VM_RESERVATIONS = [DSV2, NV_SERIES, "DZH318Z0BQ3V", "DZH318Z0BQ5S"]
SQL_RESERVATIONS = ["DZH318Z0BQ8N"]
PERPETUAL = ["DG7GMGF0DWTL", "DG7GMGF0DWM3", "DG7GMGF0DWT0"]
SOFTWARE_SUBSCRIPTIONS = ["DG7GMGF0FKZV", "DG7GMGF0DZ7K"]
SUSE = ["DG7GMGF0DZ7K"]


# --- expected wire shapes -----------------------------------------------------------------

def link(uri: str) -> dict[str, Any]:
    return {"uri": uri, "method": "GET", "headers": []}


def collection(items: list[Any], self_uri: str) -> dict[str, Any]:
    return {"totalCount": len(items), "items": items, "links": {"self": link(self_uri)},
            "attributes": {"objectType": "Collection"}}


BASIC_DESCRIPTION = ("Best for businesses that need professional email, cloud file storage, and online meetings & "
                     "chat. Desktop versions of Office apps like Excel, Word, and PowerPoint not included. For "
                     "businesses with up to 300 employees.")


def basic_product(country: str = "US") -> dict[str, Any]:
    return {
        "id": BASIC, "title": "Microsoft 365 Business Basic", "description": BASIC_DESCRIPTION,
        "productType": {"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"},
        "isMicrosoftProduct": True, "publisherName": "Microsoft Corporation",
        "links": {"skus": link(f"/products/{BASIC}/skus?country={country}"),
                  "self": link(f"/products/{BASIC}?country={country}")},
    }


def basic_sku(country: str = "US") -> dict[str, Any]:
    return {
        "id": BASIC_SKU, "productId": BASIC, "title": "Microsoft 365 Business Basic", "description": BASIC_DESCRIPTION,
        "minimumQuantity": 1, "maximumQuantity": 300, "isTrial": False,
        "supportedBillingCycles": ["annual", "monthly", "triennial"],
        "purchasePrerequisites": ["MicrosoftCloudAgreement"], "inventoryVariables": [], "provisioningVariables": [],
        "actions": ["Refund"],
        "dynamicAttributes": {"hasConstraints": True, "internal": False, "isAddon": False, "isMicrosoftProduct": True,
                              "isSoftwareAssuranceApplicable": False, "prerequisiteSkus": [],
                              "provisioningId": "3b555118-da6a-4418-894f-7df1e2096870",
                              "upgradeTargetOffers": ["CFQ7TTC0LDPB:0001", "CFQ7TTC0LF8Q:0001"]},
        "links": {"availabilities": link(f"/products/{BASIC}/skus/{BASIC_SKU}/availabilities?country={country}"),
                  "self": link(f"/products/{BASIC}/skus/{BASIC_SKU}?country={country}")},
    }


# (billingCycle, duration, description) of the five new-commerce terms, in catalog order.
NCE_TERMS = [("Monthly", "P1M", "One-Month commitment for monthly billing"),
             ("Monthly", "P1Y", "One-Year commitment for monthly/yearly billing"),
             ("Annual", "P1Y", "One-Year commitment for monthly/yearly billing"),
             ("Annual", "P3Y", "Three-Year commitment for yearly/triennial billing"),
             ("Triennial", "P3Y", "Three-Year commitment for yearly/triennial billing")]
TERM_IDS = {BASIC_AVAILABILITY: ["f13avjj4ijrl", "ys6etsxf5wvj", "5aeco6mffyxo", "qmgnbvbsoxhx", "4pu47ukm7fxq"],
            BASIC_NONPROFIT: ["zbzwuqopxmdn", "rgcr3l5dtwen", "m24p4uxjpcxh", "sawfghcfzxob", "xgv3pqvu6pu0"]}
REFUNDS = [{"refundOptions": [{"expiresAfter": "P1D", "sequenceId": 0, "type": "Full"},
                              {"expiresAfter": "P7D", "sequenceId": 1, "type": "Partial"}]}]


def basic_availability(availability: str = BASIC_AVAILABILITY, country: str = "US", currency: str = "USD",
                       symbol: str = "$") -> dict[str, Any]:
    term_ids = TERM_IDS[availability]
    return {
        "id": availability, "productId": BASIC, "skuId": BASIC_SKU,
        "catalogItemId": f"{BASIC}:{BASIC_SKU}:{availability}",
        "defaultCurrency": {"code": currency, "symbol": symbol},
        "segment": "commercial" if availability == BASIC_AVAILABILITY else "nonprofit",
        "country": country, "isPurchasable": True, "isRenewable": True,
        "renewalInstructions": [{"applicableTermIds": [term],
                                 "renewalOptions": [{"isAutoRenewable": True, "renewToId": f"{BASIC}:{BASIC_SKU}"}]}
                                for term in term_ids],
        "terms": [{"id": term, "duration": duration, "description": text, "billingCycle": cycle,
                   "cancellationPolicies": REFUNDS}
                  for term, (cycle, duration, text) in zip(term_ids, NCE_TERMS, strict=True)],
        "product": basic_product(country),
        "sku": basic_sku(country),
        "links": {"self": link(f"/products/{BASIC}/skus/{BASIC_SKU}/availabilities/{availability}?country={country}")},
    }


def legacy_azure_product(country: str = "US") -> dict[str, Any]:
    return {"id": "MS-AZR-0145P", "title": "Microsoft Azure",
            "description": "Azure Cloud Solution Provider offer for Partner and Resellers",
            "productType": {"id": "Azure", "displayName": "Azure"}, "isMicrosoftProduct": True,
            "publisherName": "Microsoft Corporation",
            "links": {"self": {"uri": f"/offers/MS-AZR-0145P?country={country}", "method": "GET", "headers": []}}}


def azure_plan_product(country: str = "US") -> dict[str, Any]:
    return {"id": AZURE_PLAN, "title": "Azure plan", "description": "Microsoft Azure plan",
            "productType": {"id": "Azure", "displayName": "Azure", "subType": {"id": "Azure", "displayName": "Azure"}},
            "isMicrosoftProduct": True, "publisherName": "Microsoft",
            "localizedAttributes": [{"key": "OfferType", "value": "OfferType"}, {"key": "Standard", "value": "Standard"},
                                    {"key": "DevTest", "value": "Dev/Test"}],
            "links": {"skus": link(f"/products/{AZURE_PLAN}/skus?country={country}"),
                      "self": link(f"/products/{AZURE_PLAN}?country={country}")}}


def ok(reply: httpx.Response) -> Any:
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == JSON_UTF8
    return reply.json()


def ids(reply: httpx.Response) -> list[str]:
    body = ok(reply)
    assert body["totalCount"] == len(body["items"])
    return [item["id"] for item in body["items"]]


def assert_error(reply: httpx.Response, status: int, code: int) -> None:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert body == {"code": code, "description": body["description"], "data": [], "source": "PartnerFD"}


# --- C1 products --------------------------------------------------------------------------

@pytest.mark.parametrize(("view", "expected"), [
    ("OnlineServices", NCE_LICENCES + SAAS),
    ("MicrosoftAzure", [AZURE_PLAN, "MS-AZR-0145P"]),
    ("Azure", VM_RESERVATIONS + SQL_RESERVATIONS),
    ("AzureReservations", VM_RESERVATIONS + SQL_RESERVATIONS),
    ("AzureReservationsVM", VM_RESERVATIONS),
    ("AzureAzureReservationsVM", VM_RESERVATIONS),
    ("AzureReservationsSQL", SQL_RESERVATIONS),
    ("AzureReservationsCosmosDb", []),
    ("MarketplaceSaaS", SAAS),
    ("Software", PERPETUAL + SOFTWARE_SUBSCRIPTIONS),
    ("SoftwarePerpetual", PERPETUAL),
    ("SoftwareSubscriptions", SOFTWARE_SUBSCRIPTIONS),
    ("SoftwareSUSELinux", SUSE),
    ("SpecializedOffers", []),
])
def test_product_lists_follow_the_target_view(api: Api, view: str, expected: list[str]) -> None:
    reply = api.get(f"/v1/products?country=US&targetView={view}")

    assert ids(reply) == expected
    assert reply.json()["links"] == {"self": link(f"/products?country=US&targetView={view}")}
    assert reply.json()["attributes"] == {"objectType": "Collection"}


def test_the_microsoft_azure_view_lists_the_azure_plan(api: Api) -> None:
    body = ok(api.get("/v1/products?country=US&targetView=MicrosoftAzure"))

    assert body == collection([azure_plan_product(), legacy_azure_product()],
                                               "/products?country=US&targetView=MicrosoftAzure")


def test_product_links_carry_the_country_asked_for(api: Api) -> None:
    body = ok(api.get("/v1/products?country=GB&targetView=OnlineServices"))

    assert body["items"][0] == basic_product("GB")
    assert body["links"] == {"self": link("/products?country=GB&targetView=OnlineServices")}


def test_new_commerce_and_saas_products_are_told_apart_by_product_type(api: Api) -> None:
    items = ok(api.get("/v1/products?country=US&targetView=OnlineServices"))["items"]

    nce = [p["id"] for p in items if p["productType"]["id"] == "OnlineServicesNCE"]
    saas = [p["id"] for p in items if p["productType"] == {"id": "Azure", "displayName": "Azure",
                                                           "subType": {"id": "SaaS", "displayName": "SaaS"}}]
    assert (nce, saas) == (NCE_LICENCES, SAAS)


@pytest.mark.parametrize(("view", "omitted", "azure_plan"), [
    ("AzureReservations", VM_RESERVATIONS + SQL_RESERVATIONS, VM_RESERVATIONS + SQL_RESERVATIONS + [COSMOS]),
    ("AzureReservationsCosmosDb", [], [COSMOS]),
])
def test_reservation_scope_azure_plan_adds_reservations_usable_only_with_an_azure_plan(
        api: Api, view: str, omitted: list[str], azure_plan: list[str]) -> None:
    assert ids(api.get(f"/v1/products?country=US&targetView={view}")) == omitted
    reply = api.get(f"/v1/products?country=US&targetView={view}&reservationScope=AzurePlan")
    assert ids(reply) == azure_plan
    assert reply.json()["links"]["self"] == link(
        f"/products?country=US&targetView={view}&reservationScope=AzurePlan")


def test_reservation_scope_also_filters_skus_and_availabilities(api: Api) -> None:
    assert ids(api.get(f"/v1/products/{COSMOS}/skus?country=US")) == []
    assert ids(api.get(f"/v1/products/{COSMOS}/skus?country=US&reservationScope=AzurePlan")) == ["0001", "0002"]
    assert ids(api.get(f"/v1/products/{COSMOS}/skus/0001/availabilities?country=US")) == []
    assert len(ids(api.get(f"/v1/products/{COSMOS}/skus/0001/availabilities?country=US&reservationScope=AzurePlan"))) == 1


@pytest.mark.parametrize(("segment", "expected"), [
    ("education", ["CFQ7TTC0LF8R", "CFQ7TTC0LH16", "CFQ7TTC0HD32", "CFQ7TTC0HDB0"]),
    ("nonprofit", ["CFQ7TTC0LH18", "CFQ7TTC0LDPB", "CFQ7TTC0LCHC"]),
    ("commercial", NCE_LICENCES + SAAS),
])
def test_target_segment_narrows_the_product_list(api: Api, segment: str, expected: list[str]) -> None:
    reply = api.get(f"/v1/products?country=US&targetView=OnlineServices&targetSegment={segment}")

    assert ids(reply) == expected
    assert reply.json()["links"]["self"] == link(
        f"/products?country=US&targetView=OnlineServices&targetSegment={segment}")


def test_a_market_without_a_restricted_sku_still_sees_its_product(api: Api) -> None:
    assert ids(api.get("/v1/products?country=JP&targetView=AzureReservationsVM")) == VM_RESERVATIONS


@pytest.mark.parametrize(("query", "status", "code"), [
    pytest.param("targetView=OnlineServices", 400, 800002, id="no-country"),
    pytest.param("country=US", 400, 800002, id="no-target-view"),
    pytest.param("country=&targetView=OnlineServices", 400, 800002, id="empty-country"),
    pytest.param("country=ZZ&targetView=OnlineServices", 400, 800002, id="unknown-country"),
    pytest.param("country=US&targetView=Xbox", 403, 400036, id="unknown-target-view"),
    pytest.param("country=US&targetView=OnlineServices&targetSegment=government", 403, 400030, id="government"),
    pytest.param("country=US&targetView=OnlineServices&targetSegment=martian", 400, 900126, id="unknown-segment"),
])
def test_product_list_errors(api: Api, query: str, status: int, code: int) -> None:
    assert_error(api.get(f"/v1/products?{query}"), status, code)


# --- C2-C6 for Microsoft 365 Business Basic -----------------------------------------------

def test_a_product_by_id_has_the_whole_body(api: Api) -> None:
    assert ok(api.get(f"/v1/products/{BASIC}?country=US")) == basic_product()


def test_the_skus_of_a_product_have_the_whole_body(api: Api) -> None:
    body = ok(api.get(f"/v1/products/{BASIC}/skus?country=US"))

    assert body == collection([basic_sku()], f"/products/{BASIC}/skus?country=US")


def test_a_sku_by_id_has_the_whole_body(api: Api) -> None:
    assert ok(api.get(f"/v1/products/{BASIC}/skus/{BASIC_SKU}?country=US")) == basic_sku()


def test_the_availabilities_of_a_sku_have_the_whole_body(api: Api) -> None:
    body = ok(api.get(f"/v1/products/{BASIC}/skus/{BASIC_SKU}/availabilities?country=US"))

    assert body == collection([basic_availability()], f"/products/{BASIC}/skus/{BASIC_SKU}/availabilities?country=US")


def test_an_availability_by_id_has_the_whole_body(api: Api) -> None:
    reply = api.get(f"/v1/products/{BASIC}/skus/{BASIC_SKU}/availabilities/{BASIC_AVAILABILITY}?country=US")

    assert ok(reply) == basic_availability()


def test_availabilities_carry_the_currency_of_the_country_asked_for(api: Api) -> None:
    reply = api.get(f"/v1/products/{BASIC}/skus/{BASIC_SKU}/availabilities/{BASIC_AVAILABILITY}?country=DE")

    assert ok(reply) == basic_availability(country="DE", currency="EUR", symbol="€")


def test_nonprofit_availabilities_are_returned_only_when_asked_for(api: Api) -> None:
    path = f"/v1/products/{BASIC}/skus/{BASIC_SKU}/availabilities?country=US"

    assert ids(api.get(path)) == [BASIC_AVAILABILITY]
    assert ids(api.get(path + "&targetSegment=commercial")) == [BASIC_AVAILABILITY]
    body = ok(api.get(path + "&targetSegment=nonprofit"))
    assert body == collection([basic_availability(BASIC_NONPROFIT)],
                              f"/products/{BASIC}/skus/{BASIC_SKU}/availabilities?country=US&targetSegment=nonprofit")


@pytest.mark.parametrize(("path", "code"), [
    pytest.param("/v1/products/NOSUCHPRODUCT?country=US", 400013, id="C2-product"),
    pytest.param("/v1/products/NOSUCHPRODUCT/skus?country=US", 400013, id="C3-product"),
    pytest.param("/v1/products/NOSUCHPRODUCT/skus/0001?country=US", 400013, id="C4-product"),
    pytest.param(f"/v1/products/{BASIC}/skus/ZZZZ?country=US", 400018, id="C4-sku"),
    pytest.param("/v1/products/NOSUCHPRODUCT/skus/0001/availabilities?country=US", 400013, id="C5-product"),
    pytest.param(f"/v1/products/{BASIC}/skus/ZZZZ/availabilities?country=US", 400018, id="C5-sku"),
    pytest.param(f"/v1/products/{BASIC}/skus/{BASIC_SKU}/availabilities/NOSUCHAVAIL1?country=US", 400019,
                 id="C6-availability"),
    pytest.param(f"/v1/products/{BASIC}/skus/ZZZZ/availabilities/{BASIC_AVAILABILITY}?country=US", 400018,
                 id="C6-sku"),
])
def test_unknown_catalog_ids_are_404_with_their_own_codes(api: Api, path: str, code: int) -> None:
    assert_error(api.get(path), 404, code)


@pytest.mark.parametrize("path", [f"/v1/products/{BASIC}", f"/v1/products/{BASIC}/skus",
                                  f"/v1/products/{BASIC}/skus/{BASIC_SKU}",
                                  f"/v1/products/{BASIC}/skus/{BASIC_SKU}/availabilities",
                                  f"/v1/products/{BASIC}/skus/{BASIC_SKU}/availabilities/{BASIC_AVAILABILITY}"])
def test_partner_scoped_catalog_reads_need_a_country(api: Api, path: str) -> None:
    assert_error(api.get(path), 400, 800002)


# --- C7-C12 by customer -------------------------------------------------------------------

def test_customer_scoped_products_use_the_customers_country(api: Api) -> None:
    customer = api.new_customer(country="GB")

    body = ok(api.get(f"/v1/customers/{customer}/products?targetView=MicrosoftAzure"))

    assert body == collection([azure_plan_product("GB"), legacy_azure_product("GB")],
                         f"/customers/{customer}/products?targetView=MicrosoftAzure")


def test_customer_scoped_product_lists_follow_the_target_view(api: Api) -> None:
    customer = api.new_customer(country="GB")

    assert ids(api.get(f"/v1/customers/{customer}/products?targetView=OnlineServices")) == NCE_LICENCES + SAAS
    assert ids(api.get(f"/v1/customers/{customer}/products?targetView=MarketplaceSaaS")) == SAAS
    assert_error(api.get(f"/v1/customers/{customer}/products"), 400, 800002)
    assert_error(api.get(f"/v1/customers/{customer}/products?targetView=Xbox"), 403, 400036)


def test_customer_scoped_product_sku_and_availability_reads_have_whole_bodies(api: Api) -> None:
    customer = api.new_customer(country="GB")
    base = f"/v1/customers/{customer}/products/{BASIC}"
    gb = {"country": "GB", "currency": "GBP", "symbol": "£"}

    assert ok(api.get(base)) == basic_product("GB")
    assert ok(api.get(f"{base}/skus")) == collection([basic_sku("GB")], f"/customers/{customer}/products/{BASIC}/skus")
    assert ok(api.get(f"{base}/skus/{BASIC_SKU}")) == basic_sku("GB")
    assert ok(api.get(f"{base}/skus/{BASIC_SKU}/availabilities")) == collection(
        [basic_availability(**gb)], f"/customers/{customer}/products/{BASIC}/skus/{BASIC_SKU}/availabilities")
    assert ok(api.get(f"{base}/skus/{BASIC_SKU}/availabilities/{BASIC_AVAILABILITY}")) == basic_availability(**gb)


def test_customer_scoped_availabilities_ignore_a_country_in_the_query(api: Api) -> None:
    customer = api.new_customer(country="GB")
    path = f"/v1/customers/{customer}/products/{BASIC}/skus/{BASIC_SKU}/availabilities?country=US"

    items = ok(api.get(path))["items"]

    assert [(a["country"], a["defaultCurrency"]) for a in items] == [("GB", {"code": "GBP", "symbol": "£"})]


def test_customer_scoped_availabilities_honour_the_target_segment(api: Api) -> None:
    customer = api.new_customer(country="GB")
    path = f"/v1/customers/{customer}/products/{BASIC}/skus/{BASIC_SKU}/availabilities"

    assert ids(api.get(path)) == [BASIC_AVAILABILITY]
    assert ids(api.get(path + "?targetSegment=nonprofit")) == [BASIC_NONPROFIT]
    assert_error(api.get(path + "?targetSegment=government"), 403, 400030)


@pytest.mark.parametrize(("customer", "status", "code"), [
    ("00000000-0000-0000-0000-000000000001", 404, 60003),
    ("not-a-guid", 400, 800002),
])
def test_customer_scoped_catalog_reads_need_a_known_customer(api: Api, customer: str, status: int,
                                                             code: int) -> None:
    for path in ("/products?targetView=OnlineServices", f"/products/{BASIC}", f"/products/{BASIC}/skus",
                 f"/products/{BASIC}/skus/{BASIC_SKU}/availabilities"):
        assert_error(api.get(f"/v1/customers/{customer}{path}"), status, code)


def test_customer_scoped_reads_report_unknown_catalog_ids(api: Api) -> None:
    customer = api.new_customer()
    base = f"/v1/customers/{customer}/products"

    assert_error(api.get(f"{base}/NOSUCHPRODUCT"), 404, 400013)
    assert_error(api.get(f"{base}/{BASIC}/skus/ZZZZ"), 404, 400018)
    assert_error(api.get(f"{base}/{BASIC}/skus/{BASIC_SKU}/availabilities/NOSUCHAVAIL1"), 404, 400019)


def test_the_microsoft_azure_view_also_lists_the_legacy_azure_offer(api: Api) -> None:
    customer = api.new_customer()

    items = ok(api.get(f"/v1/customers/{customer}/products?targetView=MicrosoftAzure"))["items"]

    assert any("MS-AZR-0145P" in (item["id"], item.get("skuId")) for item in items)
    assert any(AZURE_PLAN in (item["id"], item.get("productId")) for item in items)


# --- C13 inventory check ------------------------------------------------------------------

INVENTORY_CONTEXT = {"customerId": "3f5d0c4e-1b2a-4c3d-9e8f-7a6b5c4d3e2f",
                     "azureSubscriptionId": "8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d", "armRegionName": "eastus2"}


def check_inventory(api: Api, targets: list[dict[str, str]], context: dict[str, str] | None = None,
                    country: str = "US") -> httpx.Response:
    body = {"targetItems": targets, "inventoryContext": INVENTORY_CONTEXT if context is None else context}
    return api.post(f"/v1/extensions/product/checkinventory?country={country}", json=body)


def test_the_inventory_check_answers_a_bare_array(api: Api) -> None:
    reply = check_inventory(api, [{"productId": NV_SERIES, "skuId": "004G"}])

    assert ok(reply) == [{"productId": NV_SERIES, "skuId": "004G", "isRestricted": False, "restrictions": []}]


def test_the_inventory_check_leaves_unknown_items_out(api: Api) -> None:
    reply = check_inventory(api, [{"productId": "NOSUCHPRODUCT", "skuId": "0001"},
                                  {"productId": NV_SERIES, "skuId": "ZZZZ"},
                                  {"productId": NV_SERIES, "skuId": "004F"}])

    assert ok(reply) == [{"productId": NV_SERIES, "skuId": "004F", "isRestricted": False, "restrictions": []}]


def test_the_inventory_check_of_only_unknown_items_is_an_empty_array(api: Api) -> None:
    assert ok(check_inventory(api, [{"productId": "NOSUCHPRODUCT"}])) == []


def test_a_product_without_a_sku_checks_every_sku_of_it(api: Api) -> None:
    body = ok(check_inventory(api, [{"productId": NV_SERIES}]))

    assert [(i["productId"], i["skuId"], i["isRestricted"]) for i in body] == [
        (NV_SERIES, "004F", False), (NV_SERIES, "004G", False), (NV_SERIES, "004J", False)]


def test_the_inventory_check_flags_skus_restricted_in_the_market(api: Api) -> None:
    context = {**INVENTORY_CONTEXT, "armRegionName": "japanwest"}

    restricted = ok(check_inventory(api, [{"productId": DSV2, "skuId": "0007"}], context))
    in_gb = ok(check_inventory(api, [{"productId": DSV2, "skuId": "0007"}], context, country="GB"))

    assert restricted == [{"productId": DSV2, "skuId": "0007", "isRestricted": True, "restrictions": [
        {"reasonCode": "NotAvailableForSubscription",
         "description": "Restriction identified of type 'Location' with values 'japanwest'.",
         "properties": {"type": "Location", "values": "japanwest"}}]}]
    assert in_gb == [{"productId": DSV2, "skuId": "0007", "isRestricted": False, "restrictions": []}]


def test_the_inventory_check_flags_a_region_other_than_the_skus(api: Api) -> None:
    context = {**INVENTORY_CONTEXT, "armRegionName": "westeurope"}

    body = ok(check_inventory(api, [{"productId": NV_SERIES, "skuId": "004G"}], context))

    assert body == [{"productId": NV_SERIES, "skuId": "004G", "isRestricted": True, "restrictions": [
        {"reasonCode": "NotAvailableForSubscription",
         "description": "Restriction identified of type 'Location' with values 'eastus2'.",
         "properties": {"type": "Location", "values": "eastus2"}}]}]


@pytest.mark.parametrize("missing", ["customerId", "azureSubscriptionId", "armRegionName"])
def test_the_inventory_check_needs_the_skus_inventory_variables(api: Api, missing: str) -> None:
    context = {k: v for k, v in INVENTORY_CONTEXT.items() if k != missing}

    assert_error(check_inventory(api, [{"productId": NV_SERIES, "skuId": "004G"}], context), 400, 400026)


def test_the_inventory_context_keys_match_in_any_casing(api: Api) -> None:
    context = {"CustomerId": "c", "AzureSubscriptionId": "s", "ArmRegionName": "eastus2"}

    assert ok(check_inventory(api, [{"productId": NV_SERIES, "skuId": "004G"}], context))[0]["isRestricted"] is False


@pytest.mark.parametrize(("query", "body"), [
    pytest.param("", {"targetItems": [{"productId": NV_SERIES}], "inventoryContext": INVENTORY_CONTEXT},
                 id="no-country"),
    pytest.param("?country=US", {"targetItems": [], "inventoryContext": {}}, id="no-target-items"),
    pytest.param("?country=US", {"inventoryContext": {}}, id="target-items-missing"),
    pytest.param("?country=US", {"targetItems": [{"skuId": "0001"}]}, id="target-without-product"),
])
def test_inventory_check_input_errors(api: Api, query: str, body: dict[str, Any]) -> None:
    assert_error(api.post(f"/v1/extensions/product/checkinventory{query}", json=body), 400, 800002)


# --- routing details ----------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/v1/Products?country=US&targetView=MicrosoftAzure",
    "/V1/PRODUCTS?country=US&targetView=MicrosoftAzure",
    "/v1/products/?country=US&targetView=MicrosoftAzure",
    "/v1/Products/?country=US&targetView=MicrosoftAzure",
])
def test_literal_path_segments_ignore_case_and_a_trailing_slash(api: Api, path: str) -> None:
    assert ok(api.get(path)) == collection([azure_plan_product(), legacy_azure_product()],
                                               "/products?country=US&targetView=MicrosoftAzure")


def test_nested_literal_segments_ignore_case_too(api: Api) -> None:
    reply = api.get(f"/v1/Products/{BASIC}/SKUs/{BASIC_SKU}/Availabilities/{BASIC_AVAILABILITY}/?country=US")

    assert ok(reply) == basic_availability()


def test_catalog_answers_are_json_in_utf_8(api: Api) -> None:
    for path in ("/v1/products?country=US&targetView=OnlineServices", f"/v1/products/{BASIC}?country=US",
                 f"/v1/products/{BASIC}/skus?country=US", f"/v1/products/{BASIC}/skus/{BASIC_SKU}?country=US",
                 f"/v1/products/{BASIC}/skus/{BASIC_SKU}/availabilities?country=GB"):
        reply = api.get(path)
        assert reply.status_code == 200
        assert reply.headers["content-type"] == JSON_UTF8
    reply = check_inventory(api, [{"productId": NV_SERIES}])
    assert reply.headers["content-type"] == JSON_UTF8
    assert "£" in api.get(f"/v1/products/{BASIC}/skus/{BASIC_SKU}/availabilities?country=GB").content.decode("utf-8")
