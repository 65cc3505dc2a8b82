"""Customers U1-U4: create, get, list with size/filter paging, sandbox delete (api.md 1.2, 2.9)."""
from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from tests.helpers import Api, customer_body, nce_line

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ETAG = re.compile(r"^-?\d+$")
RESERVATION_LINE = {"catalogItemId": "DZH318Z0BQ36:004G:DZH318Z08C0S", "quantity": 1, "billingCycle": "one_time",
                    "termDuration": "P1Y",
                    "provisioningContext": {"subscriptionId": "5c0a8b7e-3d2f-4e1a-9b6c-7d8e9f0a1b2c",
                                            "scope": "shared", "duration": "1Year"}}
SANDBOX_LIMIT = 75


# --- helpers ------------------------------------------------------------------------------

def link(uri: str) -> dict[str, Any]:
    return {"uri": uri, "method": "GET", "headers": []}


def assert_error(reply: httpx.Response, status: int, code: int) -> None:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert body == {"code": code, "description": body["description"], "data": [], "source": "PartnerFD"}


def create(api: Api, body: dict[str, Any], **kw: Any) -> httpx.Response:
    return api.post("/v1/customers", json=body, **kw)


def created_id(api: Api, body: dict[str, Any], **kw: Any) -> str:
    reply = create(api, body, **kw)
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def company(name: str, domain: str, country: str = "US") -> dict[str, Any]:
    body = customer_body(domain, country)
    body["BillingProfile"]["CompanyName"] = name
    return body


def with_changes(body: dict[str, Any], path: str, value: Any = ...) -> dict[str, Any]:
    """A copy of `body` with the dotted `path` set to value (or removed when no value is given)."""
    body = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return body


def ids_listed(api: Api, **kw: Any) -> list[str]:
    reply = api.get("/v1/customers", **kw)
    assert reply.status_code == 200, reply.text
    return [c["id"] for c in reply.json()["items"]]


def address(country: str = "US", state: str = "WA") -> dict[str, Any]:
    return {"firstName": "Ada", "lastName": "Lovelace", "addressLine1": "One Microsoft Way", "city": "Redmond",
            "state": state, "postalCode": "98052", "country": country, "phoneNumber": ""}


def billing_profile(body: dict[str, Any], cid: str, *, links: bool = True) -> dict[str, Any]:
    profile = {"id": body["billingProfile"]["id"], "email": "ada@contoso.com", "culture": "en-US", "language": "en",
               "companyName": "Contoso", "defaultAddress": address(),
               "attributes": {"objectType": "CustomerBillingProfile", "etag": body["billingProfile"]["attributes"]["etag"]}}
    if links:
        profile["links"] = {"self": link(f"/customers/{cid}/profiles/billing")}
    return profile


def assert_generated_ids(body: dict[str, Any]) -> None:
    assert GUID.match(body["id"])
    assert GUID.match(body["commerceId"]) and body["commerceId"] != body["id"]
    assert GUID.match(body["billingProfile"]["id"])
    assert ETAG.match(body["billingProfile"]["attributes"]["etag"])


def list_item(cid: str, domain: str, name: str = "Contoso") -> dict[str, Any]:
    return {"id": cid, "companyProfile": {"tenantId": cid, "domain": domain, "companyName": name,
                                          "attributes": {"objectType": "CustomerCompanyProfile"}},
            "relationshipToPartner": "reseller", "links": {"self": link(f"/customers/{cid}")},
            "attributes": {"objectType": "Customer"}}


def filtered(api: Api, field: str, value: str, operator: str = "starts_with", **params: str) -> httpx.Response:
    spec = json.dumps({"Field": field, "Value": value, "Operator": operator})
    return api.get("/v1/customers", params={"filter": spec, **params})


# --- create (U3) --------------------------------------------------------------------------

def test_create_accepts_a_pascal_case_body_and_answers_201_with_credentials(api: Api) -> None:
    reply = create(api, customer_body("contoso.onmicrosoft.com"))

    assert reply.status_code == 201
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    body = reply.json()
    assert_generated_ids(body)
    cid = body["id"]
    password = body["userCredentials"]["password"]
    assert isinstance(password, str) and len(password) >= 8
    assert body == {
        "id": cid, "commerceId": body["commerceId"],
        "companyProfile": {"tenantId": cid, "domain": "contoso.onmicrosoft.com",
                           "attributes": {"objectType": "CustomerCompanyProfile"}},
        "billingProfile": billing_profile(body, cid, links=False),
        "relationshipToPartner": "none",
        "userCredentials": {"userName": "admin", "password": password},
        "attributes": {"objectType": "Customer"},
    }


def test_create_answer_has_the_documented_profiles(api: Api) -> None:
    body = create(api, customer_body("contoso.onmicrosoft.com")).json()

    assert body["companyProfile"] == {"tenantId": body["id"], "domain": "contoso.onmicrosoft.com",
                                      "attributes": {"objectType": "CustomerCompanyProfile"}}
    assert "links" not in body["billingProfile"]


def test_create_accepts_a_camel_case_body_and_echoes_gdap(api: Api) -> None:
    body = {"enableGDAPByDefault": False,
            "companyProfile": {"domain": "camel.onmicrosoft.com"},
            "billingProfile": {"culture": "en-us", "email": "ada@contoso.com", "language": "en",
                               "companyName": "Contoso",
                               "defaultAddress": {k: v for k, v in address().items() if k != "phoneNumber"}}}

    reply = create(api, body)

    assert reply.status_code == 201, reply.text
    assert reply.json()["enableGDAPByDefault"] is False
    assert reply.json()["billingProfile"]["culture"] == "en-US"
    assert reply.json()["billingProfile"]["defaultAddress"] == address()


def test_create_with_a_registration_number_where_one_is_required(api: Api) -> None:
    body = customer_body("mumbai.onmicrosoft.com", "IN")
    body["CompanyProfile"]["OrganizationRegistrationNumber"] = "AAACM1234K"
    body["BillingProfile"]["DefaultAddress"].update(State="MH", PhoneNumber="+91 22 5555 0100")

    reply = create(api, body)

    assert reply.status_code == 201, reply.text
    assert reply.json()["companyProfile"]["organizationRegistrationNumber"] == "AAACM1234K"
    assert reply.json()["billingProfile"]["defaultAddress"]["phoneNumber"] == "+91 22 5555 0100"


@pytest.mark.parametrize(("path", "value"), [
    pytest.param("BillingProfile.Email", ..., id="missing-email"),
    pytest.param("BillingProfile.Email", "not-an-email", id="bad-email"),
    pytest.param("BillingProfile.Language", "english", id="language-not-two-letters"),
    pytest.param("BillingProfile.Language", ..., id="missing-language"),
    pytest.param("BillingProfile.Culture", ..., id="missing-culture"),
    pytest.param("BillingProfile.CompanyName", ..., id="missing-company-name"),
    pytest.param("BillingProfile.DefaultAddress", ..., id="missing-address"),
    pytest.param("BillingProfile.DefaultAddress.Country", "ZZ", id="unknown-country"),
    pytest.param("BillingProfile.DefaultAddress.Country", "USA", id="country-not-iso2"),
    pytest.param("BillingProfile.DefaultAddress.State", "Washington", id="us-state-too-long"),
    pytest.param("BillingProfile.DefaultAddress.AddressLine1", "", id="empty-address-line"),
    pytest.param("BillingProfile.DefaultAddress.AddressLine1", "x" * 201, id="address-line-too-long"),
    pytest.param("BillingProfile.DefaultAddress.FirstName", "x" * 51, id="first-name-too-long"),
    pytest.param("BillingProfile.DefaultAddress.FirstName", ..., id="missing-first-name"),
    pytest.param("BillingProfile.DefaultAddress.LastName", None, id="null-last-name"),
    pytest.param("BillingProfile.DefaultAddress.State", ..., id="us-without-state"),
    pytest.param("BillingProfile.DefaultAddress.PostalCode", None, id="us-without-postal-code"),
    pytest.param("EnableGDAPByDefault", "yes", id="gdap-flag-not-boolean"),
    pytest.param("CompanyProfile.Domain", ..., id="missing-domain"),
    pytest.param("CompanyProfile.Domain", "not a domain", id="bad-domain"),
    pytest.param("CompanyProfile", ..., id="missing-company-profile"),
])
def test_create_validation_errors_are_400_800002(api: Api, path: str, value: Any) -> None:
    reply = create(api, with_changes(customer_body("valid.onmicrosoft.com"), path, value))

    assert_error(reply, 400, 800002)
    assert ids_listed(api) == []


@pytest.mark.parametrize("country", ["IN", "HU"])
@pytest.mark.parametrize(("number", "phone", "code"), [
    pytest.param(None, "+36 1 555 0100", 600049, id="missing-number"),
    pytest.param("!!", "+36 1 555 0100", 600050, id="bad-number"),
    pytest.param("01-09-123456", None, 600051, id="missing-phone"),
])
def test_registration_number_rules(api: Api, country: str, number: str | None, phone: str | None,
                                   code: int) -> None:
    body = customer_body("regional.onmicrosoft.com", country)
    if number is not None:
        body["CompanyProfile"]["OrganizationRegistrationNumber"] = number
    if phone is not None:
        body["BillingProfile"]["DefaultAddress"]["PhoneNumber"] = phone

    assert_error(create(api, body), 400, code)


def test_a_registration_number_for_a_country_without_one_is_600002(api: Api) -> None:
    body = customer_body("seattle.onmicrosoft.com", "US")
    body["CompanyProfile"]["OrganizationRegistrationNumber"] = "123456789"

    assert_error(create(api, body), 400, 600002)


def test_create_is_idempotent_on_the_request_id(api: Api) -> None:
    headers = {"MS-RequestId": "94e4e214-6b06-4fb7-96d1-94d559f9b47f"}

    first = create(api, customer_body("once.onmicrosoft.com"), headers=headers)
    again = create(api, customer_body("once.onmicrosoft.com"), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert ids_listed(api) == [first.json()["id"]]


def test_new_request_ids_create_new_customers(api: Api) -> None:
    first = created_id(api, customer_body("one.onmicrosoft.com"), headers={"MS-RequestId": "req-1"})
    second = created_id(api, customer_body("two.onmicrosoft.com"), headers={"MS-RequestId": "req-2"})

    assert first != second
    assert ids_listed(api) == [first, second]


def test_a_domain_already_in_use_is_refused(api: Api) -> None:
    first = created_id(api, customer_body("taken.onmicrosoft.com"))

    reply = create(api, customer_body("TAKEN.onmicrosoft.com"))

    assert 400 <= reply.status_code < 500, reply.text
    assert set(reply.json()) == {"code", "description", "data", "source"}
    assert ids_listed(api) == [first]


# --- get (U2) -----------------------------------------------------------------------------

def test_get_answers_the_whole_customer(api: Api) -> None:
    cid = created_id(api, customer_body("contoso.onmicrosoft.com"))

    reply = api.get(f"/v1/customers/{cid}")

    assert reply.status_code == 200
    body = reply.json()
    assert_generated_ids(body)
    # get-a-customer-by-id.md: the company profile's address calls the state `region`.
    company_address = {("region" if k == "state" else k): v for k, v in address().items()
                       if k not in ("firstName", "lastName")}
    assert body == {
        "id": cid, "commerceId": body["commerceId"],
        "companyProfile": {"tenantId": cid, "domain": "contoso.onmicrosoft.com", "companyName": "Contoso",
                           "address": company_address, "email": "ada@contoso.com",
                           "links": {"self": link(f"/customers/{cid}/profiles/company")},
                           "attributes": {"objectType": "CustomerCompanyProfile"}},
        "billingProfile": billing_profile(body, cid),
        "relationshipToPartner": "reseller",
        "allowDelegatedAccess": True,
        "customDomains": ["contoso.onmicrosoft.com"],
        "links": {"self": link(f"/customers/{cid}")},
        "attributes": {"objectType": "Customer"},
    }


def test_get_repeats_the_ids_of_the_create_answer(api: Api) -> None:
    made = create(api, customer_body("same.onmicrosoft.com")).json()

    got = api.get(f"/v1/customers/{made['id']}").json()

    assert got["commerceId"] == made["commerceId"]
    assert got["billingProfile"]["id"] == made["billingProfile"]["id"]
    assert got["billingProfile"]["attributes"]["etag"] == made["billingProfile"]["attributes"]["etag"]


def test_customer_ids_match_in_any_case(api: Api) -> None:
    cid = created_id(api, customer_body("upper.onmicrosoft.com"))

    reply = api.get(f"/v1/customers/{cid.upper()}")

    assert reply.status_code == 200
    assert reply.json()["id"] == cid


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_customer_id_that_is_not_a_guid_is_400_800002(api: Api, method: str) -> None:
    assert_error(api.request(method, "/v1/customers/contoso"), 400, 800002)


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_an_unknown_customer_is_404_60003(api: Api, method: str) -> None:
    assert_error(api.request(method, "/v1/customers/0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"), 404, 60003)


# --- list (U1) ----------------------------------------------------------------------------

def test_list_answers_every_customer_in_short_form(api: Api) -> None:
    first = created_id(api, company("Contoso", "contoso.onmicrosoft.com"))
    second = created_id(api, company("Fabrikam", "fabrikam.onmicrosoft.com"))

    reply = api.get("/v1/customers")

    assert reply.status_code == 200
    assert reply.json() == {
        "totalCount": 2,
        "items": [list_item(first, "contoso.onmicrosoft.com"), list_item(second, "fabrikam.onmicrosoft.com", "Fabrikam")],
        "links": {"self": link("/customers")},
        "attributes": {"objectType": "Collection"},
    }


def test_an_empty_list_is_an_empty_collection(api: Api) -> None:
    assert api.get("/v1/customers").json() == {"totalCount": 0, "items": [], "links": {"self": link("/customers")},
                                               "attributes": {"objectType": "Collection"}}


def test_list_pages_with_size_and_the_continuation_token_of_the_next_link(api: Api) -> None:
    made = {created_id(api, company(f"Co{n}", f"co{n}.onmicrosoft.com")): n for n in range(5)}

    first = api.get("/v1/customers?size=2").json()
    token = first["links"]["next"]["headers"][0]["value"]
    assert first == {
        "totalCount": 2, "items": [list_item(c["id"], f"co{made[c['id']]}.onmicrosoft.com", f"Co{made[c['id']]}")
                                   for c in first["items"]],
        "links": {"self": link("/customers?size=2"),
                  "next": {"uri": "/customers?size=2&seekOperation=Next", "method": "GET",
                           "headers": [{"key": "MS-ContinuationToken", "value": token}]}},
        "attributes": {"objectType": "Collection"},
    }

    seen = [c["id"] for c in first["items"]]
    page = first
    while "next" in page["links"]:
        follow = page["links"]["next"]
        headers = {h["key"]: h["value"] for h in follow["headers"]}
        reply = api.get("/v1" + follow["uri"], headers=headers)
        assert reply.status_code == 200, reply.text
        page = reply.json()
        assert page["totalCount"] == len(page["items"]) <= 2
        seen += [c["id"] for c in page["items"]]
    assert len(seen) == 5
    assert set(seen) == set(made)
    assert page["links"] == {"self": link("/customers?size=2")}


def test_a_size_larger_than_the_list_has_no_next_link(api: Api) -> None:
    cid = created_id(api, customer_body("alone.onmicrosoft.com"))

    body = api.get("/v1/customers?size=40").json()

    assert body == {"totalCount": 1, "items": [list_item(cid, "alone.onmicrosoft.com")],
                    "links": {"self": link("/customers?size=40")}, "attributes": {"objectType": "Collection"}}


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("CompanyName", "fabri", ["Fabrikam"]),
    ("CompanyName", "FABRIKAM", ["Fabrikam"]),
    ("CompanyName", "co", ["Contoso", "Contoso Europe"]),
    ("CompanyName", "Contoso E", ["Contoso Europe"]),
    ("Domain", "CONTOSO", ["Contoso", "Contoso Europe"]),
    ("Domain", "fabrikam.onmicrosoft.com", ["Fabrikam"]),
    ("domain", "nothing-starts-like-this", []),
])
def test_filter_matches_the_start_of_company_name_or_domain_in_any_case(
        api: Api, field: str, value: str, expected: list[str]) -> None:
    ids_by_name = {name: created_id(api, company(name, domain)) for name, domain in [
        ("Contoso", "contoso.onmicrosoft.com"), ("Fabrikam", "fabrikam.onmicrosoft.com"),
        ("Contoso Europe", "contosoeu.onmicrosoft.com")]}

    reply = filtered(api, field, value, size="0")

    assert reply.status_code == 200, reply.text
    assert [c["id"] for c in reply.json()["items"]] == [ids_by_name[name] for name in expected]
    assert reply.json()["totalCount"] == len(expected)


def test_following_the_next_link_of_a_filtered_list_stays_within_the_filter(api: Api) -> None:
    for n, name in enumerate(["Contoso A", "Fabrikam", "Contoso B", "Northwind", "Contoso C"]):
        created_id(api, company(name, f"d{n}.onmicrosoft.com"))

    page = filtered(api, "CompanyName", "contoso", size="2").json()
    names = [c["companyProfile"]["companyName"] for c in page["items"]]
    while "next" in page["links"]:
        follow = page["links"]["next"]
        page = api.get("/v1" + follow["uri"], headers={h["key"]: h["value"] for h in follow["headers"]}).json()
        names += [c["companyProfile"]["companyName"] for c in page["items"]]

    assert sorted(names) == ["Contoso A", "Contoso B", "Contoso C"]


@pytest.mark.parametrize("raw", [
    pytest.param("not json", id="not-json"),
    pytest.param("[1, 2]", id="a-list"),
    pytest.param(json.dumps({"Field": "Email", "Value": "a", "Operator": "starts_with"}), id="unknown-field"),
    pytest.param(json.dumps({"Field": "CompanyName", "Value": "a", "Operator": "equals"}), id="unknown-operator"),
    pytest.param(json.dumps({"Field": "CompanyName", "Value": 5, "Operator": "starts_with"}), id="value-not-text"),
    pytest.param(json.dumps({"Field": "CompanyName", "Operator": "starts_with"}), id="no-value"),
])
def test_a_bad_filter_is_400_800002(api: Api, raw: str) -> None:
    assert_error(api.get("/v1/customers", params={"filter": raw}), 400, 800002)


@pytest.mark.parametrize("size", ["abc", "-1"])
def test_a_bad_size_is_400_800002(api: Api, size: str) -> None:
    assert_error(api.get(f"/v1/customers?size={size}"), 400, 800002)


def test_a_bad_continuation_token_is_400_800002(api: Api) -> None:
    reply = api.get("/v1/customers?size=1&seekOperation=Next", headers={"MS-ContinuationToken": "@@not-a-token@@"})

    assert_error(reply, 400, 800002)


# --- sandbox limit ------------------------------------------------------------------------

def fill_sandbox(api: Api) -> None:
    for n in range(SANDBOX_LIMIT):
        created_id(api, customer_body(f"fill{n}.onmicrosoft.com"))


def test_the_76th_sandbox_customer_is_400_800018(api: Api) -> None:
    fill_sandbox(api)

    assert_error(create(api, customer_body("one-too-many.onmicrosoft.com")), 400, 800018)
    assert len(ids_listed(api)) == SANDBOX_LIMIT


def test_the_sandbox_limit_can_be_switched_off(make_api: Any) -> None:
    api = make_api(sandbox_limits=False)
    fill_sandbox(api)

    assert create(api, customer_body("one-more.onmicrosoft.com")).status_code == 201
    assert len(ids_listed(api)) == SANDBOX_LIMIT + 1


def test_deleting_a_customer_returns_its_sandbox_quota(api: Api) -> None:
    fill_sandbox(api)

    assert api.delete(f"/v1/customers/{ids_listed(api)[0]}").status_code == 204

    assert create(api, customer_body("freed.onmicrosoft.com")).status_code == 201


def test_the_sandbox_limit_counts_per_partner_tenant(api: Api) -> None:
    fill_sandbox(api)
    other = api.token_for("another-partner.onmicrosoft.com")

    assert create(api, customer_body("elsewhere.onmicrosoft.com"), token=other).status_code == 201


# --- delete (U4) --------------------------------------------------------------------------

def test_delete_answers_204_and_the_customer_is_gone(api: Api) -> None:
    cid = created_id(api, customer_body("short-lived.onmicrosoft.com"))

    reply = api.delete(f"/v1/customers/{cid}")

    assert reply.status_code == 204
    assert reply.content == b""
    assert_error(api.get(f"/v1/customers/{cid}"), 404, 60003)
    assert ids_listed(api) == []
    assert_error(api.delete(f"/v1/customers/{cid}"), 404, 60003)


def test_a_deleted_customers_domain_can_be_used_again(api: Api) -> None:
    cid = created_id(api, customer_body("reused.onmicrosoft.com"))
    api.delete(f"/v1/customers/{cid}")

    assert create(api, customer_body("reused.onmicrosoft.com")).status_code == 201


def test_new_commerce_orders_do_not_block_delete(api: Api) -> None:
    cid = api.new_customer()
    api.buy(cid, nce_line())

    assert api.delete(f"/v1/customers/{cid}").status_code == 204


def test_delete_is_refused_while_a_reservation_order_is_not_cancelled(api: Api) -> None:
    cid = api.new_customer()
    order = api.buy(cid, RESERVATION_LINE)["orders"][0]["id"]

    assert_error(api.delete(f"/v1/customers/{cid}"), 400, 800061)
    assert api.get(f"/v1/customers/{cid}").status_code == 200

    cancel = api.patch(f"/v1/customers/{cid}/orders/{order}", json={"status": "cancelled"})
    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["status"] == "cancelled"

    assert api.delete(f"/v1/customers/{cid}").status_code == 204
    assert_error(api.get(f"/v1/customers/{cid}"), 404, 60003)
    assert_error(api.get(f"/v1/customers/{cid}/orders/{order}"), 404, 60003)
