"""Domains and validation (D1-D5, api-integration.md 1.12): domain availability, address validation,
market-specific rules, the partner's validation codes, a customer's account validation status and the
purchases it blocks."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TENANT, Api, customer_body, nce_line, recorded_example, refused, with_tokens

ROOT = Path(__file__).resolve().parents[1]
ADDRESS = "/v1/validations/address"


@pytest.fixture
def partner(make_api: Any) -> tuple[Api, str, str]:
    return with_tokens(make_api(provisioning_delay=0))


def test_a_domain_is_taken_by_any_partners_customer_or_a_reserved_name(partner: tuple[Api, str, str]) -> None:
    api, _, _ = partner
    other = api.token_for("fabrikam-partner.onmicrosoft.com")
    customer = api.new_customer("taken-here.onmicrosoft.com", token=other)
    for domain, status in (("taken-here.onmicrosoft.com", 200), ("TAKEN-HERE.onmicrosoft.com", 200),
                           ("free-here.onmicrosoft.com", 404), ("microsoft.onmicrosoft.com", 200),
                           ("onmicrosoft.com", 200)):
        reply = api.request("HEAD", f"/v1/domains/{domain}")
        assert (reply.status_code, reply.content, reply.headers["content-length"]) == (status, b"", "0"), domain
    assert api.get("/v1/domains/free-here.onmicrosoft.com").status_code == 405
    assert api.request("HEAD", "/v1/domains/free-here.onmicrosoft.com", token="").status_code == 401
    # A reserved name can't be a customer's; a deleted customer's domain is free again.
    assert refused(api.post("/v1/customers", json=customer_body("microsoft.onmicrosoft.com"))) == (409, 800002)
    assert api.delete(f"/v1/customers/{customer}", token=other).status_code == 204
    assert api.request("HEAD", "/v1/domains/taken-here.onmicrosoft.com").status_code == 404


def test_the_documented_address_is_verified_shippable_with_a_zip_plus_four(partner: tuple[Api, str, str]) -> None:
    api, _, _ = partner
    example = recorded_example("validation--validate-an-address--2023--01.json")
    reply = api.post(ADDRESS, json=example["request"]["body"])
    assert reply.status_code == 200, reply.text
    body = reply.json()
    (suggested,) = body["suggestedAddresses"]
    assert re.fullmatch(r"98052-\d{4}", suggested["postalCode"])
    wanted = example["response"]["body"]
    assert body == {**wanted, "suggestedAddresses": [{**wanted["suggestedAddresses"][0],
                                                      "postalCode": suggested["postalCode"]}]}
    assert api.post(ADDRESS, json=example["request"]["body"]).json() == body  # the same every time


@pytest.mark.parametrize("sent, status, suggested, message", [
    ({"AddressLine1": "1 Microsoft Way", "City": "Redmond", "State": "ZZ", "PostalCode": "9805", "Country": "US"},
     "StreetPartial", None, "Address field invalid for property: 'Region', 'PostalCode'"),
    ({"AddressLine1": "1 Microsoft Way", "City": "123", "State": "WA", "PostalCode": "98052", "Country": "US"},
     "StreetPartial", None, "Address field invalid for property: 'City'"),
    ({"AddressLine1": "1 Microsoft Way", "City": "Redmond", "PostalCode": "98052", "Country": "US"},
     "StreetPartial", None, "Address field invalid for property: 'Region'"),
    ({"addressLine1": "Hauptstraße 10", "city": "München", "postalCode": "80331", "country": "DE"},
     "Verified", {}, None),
    ({"addressLine1": "200 Bay Street", "city": "Toronto", "state": "on", "postalCode": "m5j2j2", "country": "CA"},
     "InteractionRequired", {"state": "ON", "postalCode": "M5J 2J2"}, None),
    ({"addressLine1": "10 High Street", "city": "Reading", "state": "Berkshire", "postalCode": "RG1 1AA",
      "country": "GB"}, "Verified", {}, None),
    ({"addressLine1": "-- 12 --", "city": "Redmond", "state": "WA", "postalCode": "98052", "country": "US"},
     "None", None, None),
    ({"addressLine1": "Abovyan 1", "city": "Yerevan", "postalCode": "0001", "country": "AM"},
     "NotValidated", None, None),
])
def test_address_validation_by_the_country_rules(partner: tuple[Api, str, str], sent: dict[str, Any], status: str,
                                                 suggested: dict[str, Any] | None, message: str | None) -> None:
    api, _, _ = partner
    reply = api.post(ADDRESS, json=sent)
    assert reply.status_code == 200, reply.text
    original = {k[:1].lower() + k[1:]: v for k, v in sent.items()}
    wanted: dict[str, Any] = {"originalAddress": original,
                              "suggestedAddresses": [] if suggested is None else [{**original, **suggested}],
                              "status": status}
    if message:
        wanted["validationMessage"] = message
    assert reply.json() == wanted


def test_a_street_without_its_type_matches_several_streets(partner: tuple[Api, str, str]) -> None:
    api, _, _ = partner
    sent = {"addressLine1": "200 Bay", "city": "Toronto", "state": "on", "postalCode": "M5J2J2", "country": "CA"}
    reply = api.post(ADDRESS, json=sent)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"originalAddress": sent, "suggestedAddresses": [
        {**sent, "addressLine1": f"200 Bay {kind}", "state": "ON", "postalCode": "M5J 2J2"}
        for kind in ("Street", "Avenue", "Road")], "status": "Multiple"}
    # a street type anywhere in the line, or a country that names streets otherwise, is no Multiple
    assert api.post(ADDRESS, json={**sent, "addressLine1": "200 Bay St Suite 5"}).json()["status"] == \
        "InteractionRequired"
    assert api.post(ADDRESS, json={"addressLine1": "Rue 7", "city": "Paris", "postalCode": "75001",
                                   "country": "FR"}).json()["status"] == "Verified"


@pytest.mark.parametrize("sent, written", [
    ({"addressLine1": "Microsoft Way", "city": "Redmond", "state": "WA", "country": "US", "postalCode": "98052-8300"},
     "{n} Microsoft Way"),
    ({"addressLine1": "Hauptstraße", "city": "München", "postalCode": "80331", "country": "DE"}, "Hauptstraße {n}"),
])
def test_a_street_without_a_house_number_is_premises_partial(partner: tuple[Api, str, str], sent: dict[str, Any],
                                                             written: str) -> None:
    api, _, _ = partner
    reply = api.post(ADDRESS, json=sent)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    first = int(re.findall(r"\d+", body["suggestedAddresses"][0]["addressLine1"])[0])
    assert 1 <= first <= 90
    assert body == {"originalAddress": sent, "suggestedAddresses": [
        {**sent, "addressLine1": written.format(n=n)} for n in (first, first + 2, first + 4)],
        "status": "PremisesPartial"}
    assert api.post(ADDRESS, json=sent).json() == body  # the same every time
    # a number in the second line, or a number word leading the first, is a premise
    assert api.post(ADDRESS, json={**sent, "addressLine2": "Building 92"}).json()["status"] in (
        "VerifiedShippable", "Verified")
    assert api.post(ADDRESS, json={**sent, "addressLine1": "One Microsoft Way"}).json()["status"] in (
        "VerifiedShippable", "Verified")


def test_bad_addresses_are_400(partner: tuple[Api, str, str]) -> None:
    api, _, _ = partner
    assert refused(api.post(ADDRESS, json={"AddressLine1": "1 Main St", "City": "X", "Country": "ZZ"})) == (
        400, 800002)
    assert refused(api.post(ADDRESS, json={"City": "Redmond", "Country": "US"})) == (400, 800002)
    assert refused(api.post(ADDRESS, json=["not", "an", "object"])) == (400, 800002)


def test_the_us_rules_are_the_recorded_example_and_every_customer_country_has_rules(
        partner: tuple[Api, str, str]) -> None:
    api, _, _ = partner
    example = recorded_example("validation--get-market-specific-validation-data--2023--01.json")
    reply = api.get("/v1/countryvalidationrules/US")
    assert (reply.status_code, reply.json()) == (200, example["response"]["body"])
    assert api.get("/v1/countryvalidationrules/us").json() == example["response"]["body"]
    german = api.get("/v1/countryvalidationrules/DE").json()
    assert (german["iso2Code"], german["defaultCulture"], german["isStateRequired"], german["isVatIdSupported"],
            german["countryCallingCodes"], german["attributes"]) == (
        "DE", "de-DE", False, True, {"value": ["49"]}, {"objectType": "CountryInformation"})
    registration = api.get("/v1/countryvalidationrules/AM").json()
    assert registration["isRegistrationNumberSupported"] is True
    for country in ("ZZ", "USA", "X"):
        assert refused(api.get(f"/v1/countryvalidationrules/{country}")) == (404, 1000)


def test_the_validation_codes_are_a_bare_array_of_the_partners_own(partner: tuple[Api, str, str]) -> None:
    api, app, user = partner
    codes = api.get("/v1/customers/all/validations").json()
    assert isinstance(codes, list) and len(codes) == 2
    for code in codes:
        assert set(code) == {"partnerId", "organizationName", "validationId", "maxCreates", "remainingCreates", "eTag"}
        assert (code["maxCreates"], code["remainingCreates"]) == (5, 5)
        assert re.fullmatch(r"W/\"datetime'\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A[\d.]+Z'\"", code["eTag"])
        assert code["validationId"].isdigit()
    assert codes[1]["organizationName"] == codes[0]["organizationName"] + " Finance Department"
    assert api.get("/v1/customers/all/validations", token=user).json() == codes  # App+User too, the same
    other = api.get("/v1/customers/all/validations", token=api.token_for("fabrikam.onmicrosoft.com")).json()
    assert other[0]["partnerId"] != codes[0]["partnerId"]


def test_the_account_status_is_set_through_the_control_api_and_blocks_purchases(
        partner: tuple[Api, str, str]) -> None:
    api, app, user = partner
    customer = api.new_customer()
    status = f"/v1/customers/{customer}/validationStatus?type=account"
    missing = api.get(status, token=user)
    assert (missing.status_code, missing.json()) == (404, {
        "code": 600074, "message": f"Account Status for the customer, {customer} was not found.",
        "description": f"Account Status for the customer, {customer} was not found.",
        "errorName": "AccountStatusNotFound", "isRetryable": False, "errorMessageExtended": "InternalErrorCode=600074"})
    control = f"/_simulator/customers/{customer}/validationStatus"
    blocked = {"UnderReview": 800073, "Unknown": 800074, "NotAllowed": 800075}
    for value in ("UnderReview", "Unknown", "NotAllowed", "Allowed", "Not Ready"):
        api.advance(60)
        now = api.get("/_simulator/clock").json()["now"][:19]
        set_to = api.put(control, json={"status": value, "tenant": TENANT})
        wanted = {"type": "account", "status": value, "lastUpdateDateTime": now}
        assert (set_to.status_code, set_to.json()) == (200, wanted)
        assert api.get(status, token=user).json() == wanted
        cart = api.new_cart(customer, nce_line())
        if value in blocked:
            assert refused(cart) == (403, blocked[value])
            order = api.post(f"/v1/customers/{customer}/orders",
                             json={"lineItems": [{"lineItemNumber": 0, "offerId": "MS-AZR-0145P", "quantity": 1}]})
            assert refused(order) == (403, blocked[value])
        else:
            assert cart.status_code == 201, cart.text
    # A cart made while allowed is checked out only while the status allows it.
    cart_id = api.new_cart(customer, nce_line()).json()["id"]
    api.put(control, json={"status": "underreview", "tenant": TENANT})
    checkout = f"/v1/customers/{customer}/carts/{cart_id}/checkout"
    assert refused(api.post(checkout)) == (403, 800073)
    removed = api.put(control, json={"status": None, "tenant": TENANT})
    assert (removed.status_code, removed.json()) == (200, None)
    assert refused(api.get(status, token=user)) == (404, 600074)
    assert api.post(checkout).status_code == 201


def test_bad_account_status_requests(partner: tuple[Api, str, str]) -> None:
    api, app, user = partner
    customer = api.new_customer()
    base = f"/v1/customers/{customer}/validationStatus"
    assert refused(api.get(base, token=user)) == (400, 800002)
    assert refused(api.get(base + "?type=other", token=user)) == (400, 900126)
    assert refused(api.get(base + "?type=account", token=app)) == (403, 900329)
    control = f"/_simulator/customers/{customer}/validationStatus"
    assert refused(api.put(control, json={"status": "Maybe", "tenant": TENANT})) == (400, 900126)
    assert refused(api.put(control, json={"tenant": TENANT})) == (400, 800002)
    assert refused(api.put(control, json={"status": "Allowed"})) == (404, 60003)  # not the default partner's


def test_a_deleted_customer_leaves_no_account_status(partner: tuple[Api, str, str]) -> None:
    api, _, user = partner
    customer = api.new_customer("status.onmicrosoft.com")
    api.put(f"/_simulator/customers/{customer}/validationStatus", json={"status": "NotAllowed", "tenant": TENANT})
    assert api.delete(f"/v1/customers/{customer}").status_code == 204
    again = api.new_customer("status.onmicrosoft.com")
    assert refused(api.get(f"/v1/customers/{again}/validationStatus?type=account", token=user)) == (404, 600074)
    assert api.new_cart(again, nce_line()).status_code == 201
