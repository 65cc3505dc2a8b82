"""The customer's wire shapes: the customer (as created and as read), its company and billing
profiles, the list item and the paged list (get-a-customer-by-id.md, create-a-customer.md)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from simulator import wire


def _address(address: dict[str, Any], *, phone: bool = True) -> dict[str, Any]:
    out = {k: v for k, v in address.items() if v is not None}
    if phone:
        out.setdefault("phone_number", "")
    return {wire.camel(k): v for k, v in out.items()}


def company_profile_wire(customer: Mapping[str, Any], *, full: bool, created: bool = False) -> dict[str, Any]:
    """The 201 of create-a-customer.md echoes only what was sent; reads fill the company name in."""
    company, cid = customer["company"], customer["id"]
    out: dict[str, Any] = {"tenantId": cid, "domain": company["domain"]}
    name = company["company_name"] if created else company["company_name"] or customer["billing"]["company_name"]
    if name:
        out["companyName"] = name
    if company.get("organization_registration_number"):
        out["organizationRegistrationNumber"] = company["organization_registration_number"]
    if full:
        address = dict(customer["billing"]["default_address"])
        address.pop("first_name", None)
        address.pop("last_name", None)
        # get-a-customer-by-id.md: the company profile's address names the state `region`.
        state = address.pop("state", None)
        address["region"] = address.get("region") or state
        out["address"] = _address(address)
        out["email"] = customer["billing"]["email"]
        out["links"] = {"self": wire.link(f"/customers/{cid}/profiles/company")}
    out["attributes"] = wire.attributes("CustomerCompanyProfile")
    return out


def billing_profile_wire(customer: Mapping[str, Any], *, created: bool = False) -> dict[str, Any]:
    billing, cid = customer["billing"], customer["id"]
    out: dict[str, Any] = {"id": customer["billing_id"]}
    for name in ("first_name", "last_name", "email", "culture", "language", "company_name"):
        if billing.get(name) is not None:
            out[wire.camel(name)] = billing[name]
    out["defaultAddress"] = _address(billing["default_address"])
    if not created:
        out["links"] = {"self": wire.link(f"/customers/{cid}/profiles/billing")}
    out["attributes"] = wire.attributes("CustomerBillingProfile", customer["etag"])
    return out


def customer_wire(customer: Mapping[str, Any], *, created: bool = False) -> dict[str, Any]:
    cid = customer["id"]
    out: dict[str, Any] = {"id": cid, "commerceId": customer["commerce_id"],
                           "companyProfile": company_profile_wire(customer, full=not created, created=created),
                           "billingProfile": billing_profile_wire(customer, created=created)}
    if customer.get("enable_gdap_by_default") is not None:
        out["enableGDAPByDefault"] = customer["enable_gdap_by_default"]
    if customer.get("associated_partner_id"):
        out["associatedPartnerId"] = customer["associated_partner_id"]
    # create-a-customer.md shows relationshipToPartner "none" in the 201 answer; reads say "reseller".
    out["relationshipToPartner"] = "none" if created else "reseller"
    if created:
        out["userCredentials"] = {"userName": customer["user_name"], "password": customer["password"]}
    else:
        out["allowDelegatedAccess"] = True
        out["customDomains"] = [customer["company"]["domain"]]
        out["links"] = {"self": wire.link(f"/customers/{cid}")}
    out["attributes"] = wire.attributes("Customer")
    return out


def customer_list_item(customer: Mapping[str, Any]) -> dict[str, Any]:
    cid = customer["id"]
    return {"id": cid, "companyProfile": company_profile_wire(customer, full=False),
            "relationshipToPartner": "reseller", "links": {"self": wire.link(f"/customers/{cid}")},
            "attributes": wire.attributes("Customer")}


def customer_list_wire(customers: Sequence[Mapping[str, Any]], echoed: str, token: str | None) -> dict[str, Any]:
    """A page of customers; `echoed` is the list's query string, `token` the next page's
    MS-ContinuationToken (the `next` link sends it with seekOperation=Next)."""
    nxt = wire.link(f"/customers{echoed}&seekOperation=Next", headers=[
        {"key": "MS-ContinuationToken", "value": token}]) if token else None
    return wire.collection([customer_list_item(c) for c in customers], f"/customers{echoed}", nxt)
