"""The profile wire shapes (R1-R5): each carries `profileType` equal to its `attributes.objectType` and a
`links.self`; organization and billing an `attributes.etag` too."""
from __future__ import annotations

from typing import Any

from simulator import wire
from simulator.profiles.rules import Partner


def _address(p: Partner, *, contact: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"country": p.country, "city": p.city}
    if p.state:
        out["state"] = p.state
    out.update({"addressLine1": p.street, "addressLine2": ""})
    if p.postal_code:
        out["postalCode"] = p.postal_code
    if contact:
        out.update({"firstName": p.first_name, "lastName": p.last_name, "phoneNumber": p.phone})
    return out


def _tail(kind: str, self_uri: str, etag: str | None = None) -> dict[str, Any]:
    return {"profileType": kind, "links": {"self": wire.link(self_uri)}, "attributes": wire.attributes(kind, etag)}


def organization_wire(p: Partner) -> dict[str, Any]:
    body = {"id": p.profile_id, "companyName": p.company, "defaultAddress": _address(p, contact=True),
            "tenantId": p.tenant, "domain": p.domain, "email": p.email, "language": p.culture.split("-")[0],
            "culture": p.culture, **_tail("OrganizationProfile", "/profiles/organization", p.etag)}
    return body


def billing_wire(p: Partner) -> dict[str, Any]:
    body = {"companyName": p.company, "address": _address(p),
            "primaryContact": {"firstName": p.first_name, "lastName": p.last_name, "email": p.email,
                               "phoneNumber": p.phone},
            "purchaseOrderNumber": "", "taxId": p.tax_id, "billingCurrency": p.currency,
            **_tail("BillingProfile", "/profiles/billing", p.etag)}
    return body


def legal_business_wire(p: Partner) -> dict[str, Any]:
    return {"companyName": p.company, "address": _address(p),
            "primaryContact": {"firstName": p.first_name, "lastName": p.last_name, "email": p.email,
                               "phoneNumber": p.phone},
            "companyApproverAddress": _address(p), "companyApproverEmail": p.email,
            "vettingStatus": "authorized", "vettingSubStatus": "none",
            **_tail("LegalBusinessProfile", "/profiles/legalbusiness")}


def mpn_wire(p: Partner) -> dict[str, Any]:
    return {"partnerName": p.company, "mpnId": p.mpn_id, **_tail("MpnProfile", "/profiles/mpn")}


def support_wire(p: Partner) -> dict[str, Any]:
    return {"email": f"support@{p.domain}", "telephone": p.phone, "website": f"www.{p.domain}",
            **_tail("SupportProfile", "/profiles/support")}
