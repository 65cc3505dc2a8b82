"""The checker scenario's steps around the purchase path (api-integration.md 1.11-1.13): the Customer
Agreement confirmations every buying customer needs (G3), then agreement metadata and documents (G1, G2,
G4, G5), domains and validation (D1-D5) and the partner's profiles (R1-R5)."""
from __future__ import annotations

from typing import Any

MCA_TEMPLATE = "117a77b0-9360-443b-8795-c6dedc750cf9"


def agreement_body(first: str = "Tania", last: str = "Carr", email: str = "someone@example.com") -> dict[str, Any]:
    """The body of confirm-customer-consent-customer-agreement.md's example."""
    return {"primaryContact": {"firstName": first, "lastName": last, "email": email, "phoneNumber": "1234567890"},
            "templateId": MCA_TEMPLATE, "dateAgreed": "2018-06-14T00:00:00.000Z", "type": "MicrosoftCustomerAgreement"}


async def agree(d: Any, customer: str, user_token: str, op: str | None = None) -> None:
    """A partner user confirms the customer's acceptance of the Customer Agreement (G3), so it can buy."""
    await d.call(op, "POST", f"/v1/customers/{customer}/agreements", json=agreement_body(), token=user_token)


async def agreements(d: Any, customer: str, user_token: str) -> None:
    await d.call("G1", "GET", "/v1/agreements", token=user_token)
    await d.call("G1", "GET", "/v1/agreements?agreementType=MicrosoftCustomerAgreement", token=user_token)
    await d.call("G1", "GET", "/v1/agreements?agreementType=*", token=user_token)
    # A second confirmation with another contact is accepted; the 2018 body (Cloud Agreement, userId) too.
    await d.call("G3", "POST", f"/v1/customers/{customer}/agreements", token=user_token,
                 json=agreement_body("Ada", "Lovelace", "ada@example.com"))
    await d.call("G3", "POST", f"/v1/customers/{customer}/agreements", token=user_token, json={
        **agreement_body(), "userId": "3d6f2c09-eb40-48ca-a4b3-d24c9c007531",
        "templateId": "998b88de-aa99-4388-a42c-1b3517d49490", "type": "MicrosoftCloudAgreement"})
    await d.call("G2", "GET", f"/v1/customers/{customer}/agreements", token=user_token)
    await d.call("G2", "GET", f"/v1/customers/{customer}/agreements?agreementType=*", token=user_token)
    template = f"/v1/agreementtemplates/{MCA_TEMPLATE}/document"
    await d.call("G4", "GET", template, token=user_token)
    await d.call("G4", "GET", f"{template}?language=de-DE&country=DE", token=user_token)
    await d.call("G5", "GET", f"/v1/customers/{customer}/directSignedMicrosoftCustomerAgreementStatus",
                 token=user_token)
    await d.call(None, "PUT", f"/_simulator/customers/{customer}/agreement", json={"isSigned": True})
    await d.call("G5", "GET", f"/v1/customers/{customer}/directSignedMicrosoftCustomerAgreementStatus",
                 token=user_token)


async def validation(d: Any, customer: str, taken: str, user_token: str) -> None:
    await d.call("D1", "HEAD", f"/v1/domains/{taken}")
    await d.call("D2", "POST", "/v1/validations/address", json={
        "AddressLine1": "1 Microsoft Way", "City": "Redmond", "State": "WA", "PostalCode": "98052", "Country": "US"})
    await d.call("D2", "POST", "/v1/validations/address", json={
        "AddressLine1": "1 Microsoft Way", "City": "Redmond", "State": "XX", "PostalCode": "9805", "Country": "US"})
    await d.call("D2", "POST", "/v1/validations/address", json={
        "addressLine1": "Hauptstraße 10", "city": "München", "postalCode": "80331", "country": "DE"})
    await d.call("D2", "POST", "/v1/validations/address", json={  # Multiple: the street has no type
        "AddressLine1": "1 Microsoft", "City": "Redmond", "State": "WA", "PostalCode": "98052", "Country": "US"})
    await d.call("D2", "POST", "/v1/validations/address", json={  # PremisesPartial: no house number
        "AddressLine1": "Microsoft Way", "City": "Redmond", "State": "WA", "PostalCode": "98052", "Country": "US"})
    for country in ("US", "de", "IN"):
        await d.call("D3", "GET", f"/v1/countryvalidationrules/{country}")
    await d.call("D4", "GET", "/v1/customers/all/validations")
    for status in ("Allowed", "NotAllowed", "Not Ready"):
        await d.call(None, "PUT", f"/_simulator/customers/{customer}/validationStatus", json={"status": status})
        await d.call("D5", "GET", f"/v1/customers/{customer}/validationStatus?type=account", token=user_token)
    await d.call(None, "PUT", f"/_simulator/customers/{customer}/validationStatus", json={"status": None})


async def profiles(d: Any, user_token: str) -> None:
    await d.call("R1", "GET", "/v1/profiles/organization", token=user_token)
    await d.call("R2", "GET", "/v1/profiles/billing", token=user_token)
    await d.call("R3", "GET", "/v1/profiles/legalbusiness")  # App-only is fine here
    await d.call("R3", "GET", "/v1/profiles/legalbusiness?vettingVersion=Current", token=user_token)
    own = await d.call("R4", "GET", "/v1/profiles/mpn", token=user_token)
    await d.call("R4", "GET", f"/v1/profiles/mpn?mpnId={own['mpnId']}", token=user_token)
    await d.call("R5", "GET", "/v1/profiles/support", token=user_token)


async def integration(d: Any, customer: str, taken: str, user_token: str) -> None:
    await agreements(d, customer, user_token)
    await validation(d, customer, taken, user_token)
    await profiles(d, user_token)
