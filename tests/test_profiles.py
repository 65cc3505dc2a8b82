"""The partner's own profiles (R1-R5, api-integration.md 1.13): made up from the partner's tenant id and
the partner country setting, the same every time."""
from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Api, refused, with_tokens

TENANT_ID = "85c3da30-99bc-5255-b9a2-ba4899fe89e0"  # contoso-partner.onmicrosoft.com's
DOMAIN = "litware1179.onmicrosoft.com"
EMAIL = f"partner-admin@{DOMAIN}"
US_ADDRESS = {"country": "US", "city": "Redmond", "state": "WA", "addressLine1": "100 Main Street", "addressLine2": "",
              "postalCode": "98052"}
CONTACT = {"firstName": "Ken", "lastName": "Backus", "email": EMAIL, "phoneNumber": "4255550100"}


def self_link(uri: str) -> dict[str, Any]:
    return {"self": {"uri": uri, "method": "GET", "headers": []}}


@pytest.fixture
def partner(make_api: Any) -> tuple[Api, str, str]:
    return with_tokens(make_api(), sending="user")


def profile(api: Api, name: str, **kw: Any) -> dict[str, Any]:
    reply = api.get(f"/v1/profiles/{name}", **kw)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def test_every_profile_describes_the_same_partner(partner: tuple[Api, str, str]) -> None:
    api, _, _ = partner
    assert profile(api, "organization") == {
        "id": "d75c7080-a0d2-5e8d-89fa-7a2fc6a09018", "companyName": "Litware Inc.",
        "defaultAddress": {**US_ADDRESS, "firstName": "Ken", "lastName": "Backus", "phoneNumber": "4255550100"},
        "tenantId": TENANT_ID, "domain": DOMAIN, "email": EMAIL, "language": "en", "culture": "en-US",
        "profileType": "OrganizationProfile", "links": self_link("/profiles/organization"),
        "attributes": {"objectType": "OrganizationProfile", "etag": "3906343765386721179"}}
    assert profile(api, "billing") == {
        "companyName": "Litware Inc.", "address": US_ADDRESS, "primaryContact": CONTACT, "purchaseOrderNumber": "",
        "taxId": "US999965", "billingCurrency": "USD", "profileType": "BillingProfile",
        "links": self_link("/profiles/billing"),
        "attributes": {"objectType": "BillingProfile", "etag": "3906343765386721179"}}
    assert profile(api, "legalbusiness") == {
        "companyName": "Litware Inc.", "address": US_ADDRESS, "primaryContact": CONTACT,
        "companyApproverAddress": US_ADDRESS, "companyApproverEmail": EMAIL, "vettingStatus": "authorized",
        "vettingSubStatus": "none", "profileType": "LegalBusinessProfile", "links": self_link("/profiles/legalbusiness"),
        "attributes": {"objectType": "LegalBusinessProfile"}}
    assert profile(api, "mpn") == {"partnerName": "Litware Inc.", "mpnId": "2721179", "profileType": "MpnProfile",
                                   "links": self_link("/profiles/mpn"), "attributes": {"objectType": "MpnProfile"}}
    assert profile(api, "support") == {
        "email": f"support@{DOMAIN}", "telephone": "4255550100", "website": f"www.{DOMAIN}",
        "profileType": "SupportProfile", "links": self_link("/profiles/support"),
        "attributes": {"objectType": "SupportProfile"}}


def test_profiles_follow_the_partner_country_and_differ_between_partners(make_api: Any) -> None:
    api = make_api(partner_country="DE")
    api.token = api.token_for(user=True)
    assert profile(api, "billing") == {
        "companyName": "Litware GmbH", "address": {"country": "DE", "city": "München", "addressLine1": "Hauptstraße 10",
                                                   "addressLine2": "", "postalCode": "80331"},
        "primaryContact": {**CONTACT, "phoneNumber": "0895550100"}, "purchaseOrderNumber": "",
        "taxId": "DE123456789", "billingCurrency": "EUR", "profileType": "BillingProfile",
        "links": self_link("/profiles/billing"),
        "attributes": {"objectType": "BillingProfile", "etag": "3906343765386721179"}}
    organization = profile(api, "organization")
    assert (organization["culture"], organization["language"]) == ("de-DE", "de")
    other = profile(api, "organization", token=api.token_for("fabrikam-partner.onmicrosoft.com", user=True))
    assert other["tenantId"] != organization["tenantId"] and other["domain"] != organization["domain"]


def test_only_the_legal_business_profile_takes_app_only_tokens(partner: tuple[Api, str, str]) -> None:
    api, app, user = partner
    assert profile(api, "legalbusiness", token=app) == profile(api, "legalbusiness")
    assert profile(api, "legalbusiness?vettingVersion=lastfinalized") == profile(api, "legalbusiness")
    assert refused(api.get("/v1/profiles/legalbusiness?vettingVersion=Draft")) == (400, 900126)
    for name in ("organization", "billing", "mpn", "support"):
        assert refused(api.get(f"/v1/profiles/{name}", token=app)) == (403, 900329), name
        assert refused(api.get(f"/v1/profiles/{name}", token="")) == (401, 800001), name


def test_an_mpn_id_is_valid_only_if_it_is_the_partners_own(partner: tuple[Api, str, str]) -> None:
    api, _, _ = partner
    own = profile(api, "mpn")
    assert profile(api, f"mpn?mpnId={own['mpnId']}") == own
    unknown = api.get("/v1/profiles/mpn?mpnId=9999999")
    assert (unknown.status_code, unknown.json()) == (404, {
        "code": 3000, "description": "Partner Organization with partner_id 9999999 could not be found", "data": [],
        "source": "PartnerFD"})
