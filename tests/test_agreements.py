"""Agreements (G1-G5, api-integration.md 1.11) and the purchase rule they carry: 403 13605 for a new
purchase without the Microsoft Customer Agreement on file."""
from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from tests.helpers import (
    MCA_TEMPLATE,
    TENANT,
    Api,
    agreement_body,
    buy_subscription,
    nce_line,
    read,
    refused,
    token_claims,
    updated,
    with_tokens,
)

CLOUD_TEMPLATE = "998b88de-aa99-4388-a42c-1b3517d49490"
MCA_META = {"templateId": MCA_TEMPLATE, "agreementType": "MicrosoftCustomerAgreement",
            "agreementLink": "https://aka.ms/customeragreement", "versionRank": 0}
CLOUD_META = {"templateId": CLOUD_TEMPLATE, "agreementType": "MicrosoftCloudAgreement",
              "agreementLink": "https://learn.microsoft.com/partner-center/agreements", "versionRank": 0}
REFUSAL = {"code": 13605, "description": (
    "Either a partner confirmation of the customer acceptance of the Microsoft Customer Agreement must be "
    "provided or the customer must accept the Microsoft Customer Agreement in the Microsoft Admin Center before "
    "you can complete this purchase"), "data": [], "source": "PartnerFD"}


@pytest.fixture
def partner(make_api: Any) -> tuple[Api, str, str]:
    """An app with the partner's App-only token (sent by default) and its App+User token."""
    return with_tokens(make_api(provisioning_delay=0))


def agreements_of(api: Api, customer: str, user: str, query: str = "?agreementType=*") -> dict[str, Any]:
    reply = api.get(f"/v1/customers/{customer}/agreements{query}", token=user)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def test_agreement_metadata_defaults_to_the_cloud_agreement_and_star_lists_every_type(
        partner: tuple[Api, str, str]) -> None:
    api, _, user = partner
    cases = {"": [CLOUD_META], "?agreementType=MicrosoftCustomerAgreement": [MCA_META],
             "?agreementType=microsoftcloudagreement": [CLOUD_META], "?agreementType=*": [MCA_META, CLOUD_META]}
    for query, items in cases.items():
        reply = api.get(f"/v1/agreements{query}", token=user)
        assert reply.status_code == 200, reply.text
        assert reply.json() == {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}
    assert refused(api.get("/v1/agreements?agreementType=Other", token=user)) == (400, 900126)
    assert refused(api.get("/v1/agreements")) == (403, 900329)  # App-only


def test_a_confirmation_is_created_with_the_signed_in_user_and_listed_by_type(partner: tuple[Api, str, str]) -> None:
    api, _, user = partner
    customer = api.new_customer(agreement=False)
    assert agreements_of(api, customer, user) == {"totalCount": 0, "items": []}
    created = api.post(f"/v1/customers/{customer}/agreements", token=user, json={
        "primaryContact": {"firstName": "Tania", "lastName": "Carr", "email": "someone@example.com",
                           "phoneNumber": "1234567890"},
        "templateId": MCA_TEMPLATE, "dateAgreed": "2018-06-14T00:00:00.000Z", "type": "MicrosoftCustomerAgreement"})
    assert created.status_code == 201, created.text
    assert created.json() == {
        "userId": token_claims(user)["oid"],
        "primaryContact": {"firstName": "Tania", "lastName": "Carr", "email": "someone@example.com",
                           "phoneNumber": "1234567890"},
        "templateId": MCA_TEMPLATE, "dateAgreed": "2018-06-14T00:00:00.000Z", "type": "MicrosoftCustomerAgreement"}
    # The 2018 body (Cloud Agreement, userId sent): accepted, the token's user wins.
    old = api.post(f"/v1/customers/{customer}/agreements", token=user, json={
        **agreement_body("Tania", "Carr"), "templateId": CLOUD_TEMPLATE, "type": "MicrosoftCloudAgreement",
        "dateAgreed": "2017-08-01T00:00:00Z", "userId": "3d6f2c09-eb40-48ca-a4b3-d24c9c007531"})
    assert old.status_code == 201 and old.json()["userId"] == token_claims(user)["oid"], old.text
    cloud = {"primaryContact": {"firstName": "Tania", "lastName": "Carr", "email": "ada@contoso.com",
                                "phoneNumber": "4255550100"},
             "templateId": CLOUD_TEMPLATE, "dateAgreed": "2017-08-01T00:00:00", "type": "MicrosoftCloudAgreement",
             "agreementLink": "https://learn.microsoft.com/partner-center/agreements"}
    customer_agreement = {
        "primaryContact": {"firstName": "Tania", "lastName": "Carr", "email": "someone@example.com",
                           "phoneNumber": "1234567890"},
        "templateId": MCA_TEMPLATE, "dateAgreed": "2018-06-14T00:00:00", "type": "MicrosoftCustomerAgreement",
        "agreementLink": "https://aka.ms/customeragreement"}
    # No agreementType: the Cloud Agreement's only, as the docs say (backward compatibility).
    assert agreements_of(api, customer, user, "") == {"totalCount": 1, "items": [cloud]}
    assert agreements_of(api, customer, user, "?agreementType=MicrosoftCustomerAgreement") == {
        "totalCount": 1, "items": [customer_agreement]}
    assert agreements_of(api, customer, user) == {"totalCount": 2, "items": [customer_agreement, cloud]}


def test_the_same_contact_again_is_600061_and_another_contact_is_a_second_confirmation(
        partner: tuple[Api, str, str]) -> None:
    api, _, user = partner
    customer = api.new_customer()  # confirmed by the helper with agreement_body()
    again = api.post(f"/v1/customers/{customer}/agreements", token=user,
                     json={**agreement_body(email="ADA@contoso.com"), "dateAgreed": "2020-01-01T00:00:00Z"})
    assert again.status_code == 409
    assert again.json() == {"code": 600061, "message": "A partner confirmed agreement already exists for the customer.",
                            "description": "A partner confirmed agreement already exists for the customer.",
                            "errorName": "PartnerConfirmedAgreementAlreadyExists", "isRetryable": False,
                            "parameters": {}, "errorMessageExtended": "InternalErrorCode=600061"}
    other = api.post(f"/v1/customers/{customer}/agreements", token=user, json=agreement_body(first="Grace"))
    assert other.status_code == 201, other.text
    assert agreements_of(api, customer, user)["totalCount"] == 2


def test_bad_confirmations_are_refused(partner: tuple[Api, str, str]) -> None:
    api, app, user = partner
    customer = api.new_customer(agreement=False)
    path = f"/v1/customers/{customer}/agreements"
    assert refused(api.post(path, token=user, json=agreement_body(agreed="2026-01-05T10:00:01Z"))) == (400, 800002)
    assert refused(api.post(path, token=user, json={**agreement_body(), "templateId": CLOUD_TEMPLATE})) == (
        400, 800002)
    assert refused(api.post(path, token=user, json={**agreement_body(), "type": "Other"})) == (400, 900126)
    assert refused(api.post(path, token=user, json={**agreement_body(), "dateAgreed": "yesterday"})) == (400, 800002)
    assert refused(api.post(path, token=user, json={"templateId": MCA_TEMPLATE})) == (400, 800002)
    assert refused(api.post(path, token=app, json=agreement_body())) == (403, 900329)
    assert refused(api.post("/v1/customers/4b0f5a8e-1d55-4a4e-9b1e-3d2f1a5c7e90/agreements", token=user,
                            json=agreement_body())) == (404, 60003)
    assert agreements_of(api, customer, user)["totalCount"] == 0
    # Agreed now is not in the future.
    assert api.post(path, token=user, json=agreement_body(agreed="2026-01-05T10:00:00Z")).status_code == 201


def test_without_the_customer_agreement_a_new_purchase_is_refused_with_13605(partner: tuple[Api, str, str]) -> None:
    api, _, user = partner
    customer = api.new_customer(agreement=False)
    cart = api.new_cart(customer, nce_line())
    assert (cart.status_code, cart.json()) == (403, REFUSAL)
    order = api.post(f"/v1/customers/{customer}/orders", json={"lineItems": [
        {"lineItemNumber": 0, "offerId": "MS-AZR-0145P", "quantity": 1}]})
    assert (order.status_code, order.json()) == (403, REFUSAL)
    # A Cloud Agreement confirmation is not the Customer Agreement.
    api.post(f"/v1/customers/{customer}/agreements", token=user, json={
        **agreement_body(), "templateId": CLOUD_TEMPLATE, "type": "MicrosoftCloudAgreement"})
    assert refused(api.new_cart(customer, nce_line())) == (403, 13605)
    api.confirm_agreement(customer, token=user)
    bought = api.buy(customer, nce_line())
    assert [o["status"] for o in bought["orders"]] == ["completed"]  # provisioning_delay=0
    assert api.get(f"/v1/customers/{customer}/subscriptions").json()["totalCount"] == 1


def test_the_customers_own_acceptance_is_enough_and_g5_says_so(partner: tuple[Api, str, str]) -> None:
    api, app, user = partner
    customer = api.new_customer(agreement=False)
    status = f"/v1/customers/{customer}/directSignedMicrosoftCustomerAgreementStatus"
    assert api.get(status, token=user).json() == {"isSigned": False}
    assert refused(api.get(status, token=app)) == (403, 900329)
    signed = api.put(f"/_simulator/customers/{customer}/agreement", json={"isSigned": True, "tenant": TENANT})
    assert (signed.status_code, signed.json()) == (200, {"isSigned": True})
    assert api.get(status, token=user).json() == {"isSigned": True}
    assert api.new_cart(customer, nce_line()).status_code == 201
    # The default partner has no such customer: 404; a bad body: 400.
    assert refused(api.put(f"/_simulator/customers/{customer}/agreement", json={"isSigned": True})) == (404, 60003)
    assert refused(api.put(f"/_simulator/customers/{customer}/agreement", json={"isSigned": "yes"})) == (400, 800002)


def test_a_checkout_checks_again_and_renewals_and_seat_changes_are_no_new_purchases(
        partner: tuple[Api, str, str]) -> None:
    api, _, _ = partner
    customer = api.new_customer(agreement=False)
    control = f"/_simulator/customers/{customer}/agreement"
    api.put(control, json={"isSigned": True, "tenant": TENANT})
    sub = buy_subscription(api, customer, nce_line(quantity=2, term="P1M"))
    cart = api.new_cart(customer, nce_line(item="CFQ7TTC0LH18:0001:CFQ7TTC0K971", quantity=1, term="P1Y"))
    assert cart.status_code == 201, cart.text
    api.put(control, json={"isSigned": False, "tenant": TENANT})  # the acceptance is withdrawn
    assert refused(api.post(f"/v1/customers/{customer}/carts/{cart.json()['id']}/checkout")) == (403, 13605)
    # What the customer holds still changes and renews.
    assert updated(api, customer, sub, quantity=3)["quantity"] == 3
    api.advance(40 * 86400)
    renewed = read(api, customer, sub)
    assert (renewed["status"], renewed["effectiveStartDate"]) == ("active", "2026-02-05T00:00:00Z")


def test_the_rule_can_be_turned_off(make_api: Any) -> None:
    api = make_api(agreement_required=False)
    customer = api.new_customer(agreement=False)
    assert api.buy(customer, nce_line())["orders"]


def test_seeded_customers_come_with_a_confirmation_and_can_buy(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    api.token = api.token_for("contoso.onmicrosoft.com", user=True)  # the default partner, which the seed fills
    assert api.post("/_simulator/seed", json={"customers": 2, "subscriptionsPerCustomer": 1}).status_code == 201
    for customer in api.get("/v1/customers").json()["items"]:
        listed = agreements_of(api, customer["id"], api.token, "?agreementType=MicrosoftCustomerAgreement")
        assert listed["totalCount"] == 1 and listed["items"][0]["templateId"] == MCA_TEMPLATE
        assert api.new_cart(customer["id"], nce_line()).status_code == 201


def test_the_template_document_link_is_new_every_call_and_lasts_five_minutes(partner: tuple[Api, str, str]) -> None:
    api, app, user = partner
    path = f"/v1/agreementtemplates/{MCA_TEMPLATE}/document"
    first, second = (api.get(path, token=user).json() for _ in range(2))
    assert first["downloadUri"] != second["downloadUri"]
    assert {k: v for k, v in first.items() if k.endswith("Uri")} == {
        "displayUri": first["downloadUri"] + "?view=html", "downloadUri": first["downloadUri"]}
    assert (first["language"], first["country"]) == ("en-US", "US")
    assert set(first) == {"displayUri", "downloadUri", "language", "country"}
    german = api.get(path + "?language=de-DE&country=DE", token=user).json()
    assert (german["language"], german["country"]) == ("de-DE", "DE")
    fallback = api.get(path + "?language=fr-FR&country=US", token=user).json()
    assert (fallback["language"], fallback["country"]) == ("en-US", "US")
    word = api.get(first["downloadUri"], token="")
    assert word.status_code == 200 and word.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(word.content)).namelist()
    preview = api.get(first["displayUri"], token="")
    assert preview.status_code == 200 and "Microsoft Customer Agreement" in preview.text
    api.advance(300)
    assert api.get(first["downloadUri"], token="").status_code == 200
    api.advance(1)
    assert refused(api.get(first["downloadUri"], token="")) == (404, 1000)
    assert refused(api.get(path + "?country=us", token=user)) == (400, 800002)  # country is case-sensitive
    assert refused(api.get(f"/v1/agreementtemplates/{CLOUD_TEMPLATE}/document", token=user)) == (400, 800002)
    assert refused(api.get(f"/v1/agreementtemplates/{MCA_TEMPLATE.upper()}/document", token=user)) == (404, 1000)
    assert refused(api.get(path, token=app)) == (403, 900329)


def test_a_deleted_customer_leaves_no_agreement_behind(partner: tuple[Api, str, str]) -> None:
    api, _, user = partner
    customer = api.new_customer("agreed.onmicrosoft.com")
    api.put(f"/_simulator/customers/{customer}/agreement", json={"isSigned": True, "tenant": TENANT})
    assert api.delete(f"/v1/customers/{customer}").status_code == 204
    again = api.new_customer("agreed.onmicrosoft.com", agreement=False)
    assert agreements_of(api, again, user) == {"totalCount": 0, "items": []}
    assert refused(api.new_cart(again, nce_line())) == (403, 13605)


def test_another_partner_neither_sees_nor_confirms_the_customers_agreements(partner: tuple[Api, str, str]) -> None:
    api, _, user = partner
    customer = api.new_customer()
    other = api.token_for("fabrikam-partner.onmicrosoft.com", user=True)
    for reply in (api.get(f"/v1/customers/{customer}/agreements?agreementType=*", token=other),
                  api.post(f"/v1/customers/{customer}/agreements", token=other, json=agreement_body(first="Eve")),
                  api.get(f"/v1/customers/{customer}/directSignedMicrosoftCustomerAgreementStatus", token=other)):
        assert refused(reply) == (404, 60003)
    assert agreements_of(api, customer, user)["totalCount"] == 1
