"""The legacy offer catalog (L1-L6): offers by market with paging, by id, add-ons, categories, the
customer-scoped lists, and MS-AZR-0145P's link from targetView=MicrosoftAzure; shapes against the
recorded examples in contracts/recorded/offers--*.json."""
from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import LEGACY_ADDONS, LEGACY_AZURE, LEGACY_BASE, Api, key_paths, recorded_body, refused

LINK = {"method": "GET", "headers": []}
CATALOG = "5c1d1b04-ff95-5ef1-87b6-1ae5ba02263c"  # the market's offer catalog id in `uri` (made from US)


def category(id_: str = "Enterprise_Key", name: str = "Enterprise", rank: int = 20) -> dict[str, Any]:
    return {"id": id_, "name": name, "rank": rank, "locale": "en-us", "country": "US",
            "attributes": {"objectType": "OfferCategory"}}


def e1_offer() -> dict[str, Any]:
    return {
        "id": LEGACY_BASE, "name": "Office 365 Enterprise E1",
        "description": "For businesses that need communication and collaboration tools and the ability to read "
                       "and do lightweight editing of documents with Office Online.",
        "minimumQuantity": 1, "maximumQuantity": 10000, "rank": 1, "uri": f"/{CATALOG}/Offers/{LEGACY_BASE}",
        "locale": "en-us", "country": "US", "category": category(), "prerequisiteOffers": [], "isAddOn": False,
        "hasAddOns": True, "isAvailableForPurchase": True, "billing": "license",
        "supportedBillingCycles": ["monthly", "annual"], "isAutoRenewable": True, "isTrial": False,
        "limitUnitOfMeasure": "None", "limit": 0,
        "product": {"id": "ce9c346f-5edd-5824-84c3-4e7da9799074", "name": "Office 365 Enterprise E1",
                    "unit": "Licenses"},
        "unitType": "Licenses",
        "links": {"learnMore": {"uri": "http://g.microsoftonline.com/0BXPS00en/901", **LINK},
                  "self": {"uri": f"/offers/{LEGACY_BASE}?country=US", **LINK}},
        "attributes": {"objectType": "Offer"},
    }


def test_an_offer_by_id_is_the_whole_documented_offer(api: Api) -> None:
    reply = api.get(f"/v1/offers/{LEGACY_BASE.lower()}?country=US", headers={"X-Locale": "en-us"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body == e1_offer()
    assert key_paths(recorded_body("offers--get-an-offer-by-id--2023--01.json")) <= key_paths(body)


def test_the_market_list_pages_with_offset_and_size_and_counts_the_whole_list(api: Api) -> None:
    whole = api.get("/v1/offers?country=US").json()
    assert whole["totalCount"] == 5 and len(whole["items"]) == 5
    assert [o["id"] for o in whole["items"]] == [LEGACY_BASE, "796B6B5F-613C-4E24-A17C-EBA730D49C02",
                                                 *LEGACY_ADDONS, LEGACY_AZURE]
    assert whole["links"] == {"self": {"uri": "/v1/offers?country=US", **LINK}}
    page = api.get("/v1/offers?country=US&offset=2&size=2").json()
    assert page["totalCount"] == 5 and [o["id"] for o in page["items"]] == list(LEGACY_ADDONS)
    assert page["links"] == {
        "self": {"uri": "/v1/offers?country=US&offset=2&size=2", **LINK},
        "next": {"uri": "/v1/offers?country=US&offset=4&size=2", **LINK},
        "previous": {"uri": "/v1/offers?country=US&offset=0&size=2", **LINK}}
    assert key_paths(recorded_body("offers--get-a-list-of-offers-for-a-market--2023--01.json")) <= key_paths(page)
    enterprise = api.get("/v1/offers?country=US&offer_category_id=Enterprise_Key").json()
    assert [o["category"]["id"] for o in enterprise["items"]] == ["Enterprise_Key"] * 3


def test_add_ons_name_their_base_offers_and_have_no_category(api: Api) -> None:
    reply = api.get(f"/v1/offers/{LEGACY_BASE}/addons?country=us")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert set(body) == {"totalCount", "items", "attributes"} and body["totalCount"] == 2
    for addon in body["items"]:
        assert addon["isAddOn"] is True and addon["salesGroupId"] == "1"
        assert addon["prerequisiteOffers"] == [LEGACY_BASE, "796B6B5F-613C-4E24-A17C-EBA730D49C02"]
        assert addon["category"] == {**category("", "", 0)}
    assert api.get(f"/v1/offers/{LEGACY_ADDONS[0]}/addons?country=US").json()["totalCount"] == 0


def test_the_categories_are_the_documented_four(api: Api) -> None:
    body = api.get("/v1/offercategories?country=US").json()
    assert body == {"totalCount": 4, "items": [
        category(), category("SmallBusiness_Key", "SmallBusiness", 30), category("Government_Key", "Government", 40),
        category("Internal_Key", "Internal", 100)], "attributes": {"objectType": "Collection"}}
    assert body == recorded_body("offers--get-a-list-of-offer-categories-by-country-and-locale--2023--01.json")


def test_the_customer_scoped_lists_are_in_the_customers_market(api: Api) -> None:
    customer = api.new_customer(country="GB")
    offers = api.get(f"/v1/customers/{customer}/offers?size=1").json()
    assert offers["totalCount"] == 5 and [o["country"] for o in offers["items"]] == ["GB"]
    assert offers["links"]["self"]["uri"] == f"/v1/customers/{customer}/offers?size=1"
    assert offers["links"]["next"]["uri"] == f"/v1/customers/{customer}/offers?offset=1&size=1"
    categories = api.get(f"/v1/customers/{customer}/offercategories").json()
    assert [c["country"] for c in categories["items"]] == ["GB"] * 4


def test_the_azure_product_links_to_an_offer_pcsim_serves(api: Api) -> None:
    products = api.get("/v1/products?country=US&targetView=MicrosoftAzure").json()["items"]
    legacy = next(p for p in products if p["id"] == LEGACY_AZURE)
    reply = api.get("/v1" + legacy["links"]["self"]["uri"])
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["id"], body["billing"], body["unitType"], body["isAutoRenewable"]) == (
        LEGACY_AZURE, "usage", "Usage-based", False)
    assert body["product"] == {"id": "9DEA7946-EC2C-441E-9FFD-E3B275F7E838", "name": "Microsoft Azure",
                               "unit": "Usage-based"}


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/v1/offers", 400, 800002),                                       # country is required
    ("/v1/offers?country=ZZ", 400, 800002),                            # no such market
    ("/v1/offers/CFQ7TTC0LH18?country=US", 400, 2100),                 # a product id: use the catalog
    ("/v1/offers/00000000-0000-0000-0000-000000000000?country=US", 400, 2100),
    ("/v1/offers/CFQ7TTC0LH18/addons?country=US", 400, 2100),
    ("/v1/offers?country=US&size=0", 400, 800002),
    ("/v1/offers?country=US&offset=-1", 400, 800002),
    ("/v1/customers/not-a-guid/offers", 400, 800002),
    ("/v1/customers/00000000-0000-0000-0000-000000000000/offercategories", 404, 60003),
])
def test_bad_requests_get_partner_center_errors(api: Api, path: str, status: int, code: int) -> None:
    assert refused(api.get(path)) == (status, code)


def test_app_only_tokens_may_read_offers(api: Api) -> None:
    assert api.get("/v1/offercategories?country=US", token=api.token_for()).status_code == 200
