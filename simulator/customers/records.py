"""The one owner of the customer's stored kinds: `customer` (filed under (tenant, customer id)),
`domain` (the partner-wide index of taken domains, filed under ("domains", domain)) and
`customer-request` (the MS-RequestId a create was idempotent on, under (tenant, request id)).

Keys are normalised here (`ids.key`): a customer id matches in any case.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, cast

from simulator import errors, ids
from simulator.context import Context

CUSTOMER, DOMAIN, REQUEST = "customer", "domain", "customer-request"
DOMAINS = "domains"


class Customer(TypedDict, total=False):
    id: str
    commerce_id: str
    billing_id: str
    etag: str
    company: dict[str, Any]   # domain, company_name, organization_registration_number
    billing: dict[str, Any]   # email, culture, language, company_name, names, default_address
    enable_gdap_by_default: bool | None
    associated_partner_id: str | None
    user_name: str
    password: str
    created: str
    request_id: str | None    # the MS-RequestId it was created with, if any


class DomainClaim(TypedDict):
    tenant: str
    customer_id: str


def customer_key(tenant: str, customer_id: str) -> tuple[str, str]:
    return (tenant, ids.key(customer_id))


def get(ctx: Context, tenant: str, customer_id: str) -> Customer | None:
    """The customer, or None."""
    return cast("Customer | None", ctx.store.get(CUSTOMER, customer_key(tenant, customer_id)))


def get_customer(ctx: Context, tenant: str, customer_id: str) -> Customer:
    """The customer, or the documented 400 (not a GUID) / 404 (not this partner's customer)."""
    if not ids.GUID.match(customer_id):
        raise errors.CustomerIdNotGuid(customer_id)
    customer = get(ctx, tenant, customer_id)
    if customer is None:
        raise errors.CustomerNotFound(customer_id)
    return customer


def customer_country(customer: Mapping[str, Any]) -> str:
    country: str = customer["billing"]["default_address"]["country"]
    return country.upper()


def country_of(ctx: Context, tenant: str, customer_id: str) -> str:
    return customer_country(get_customer(ctx, tenant, customer_id))


def count(ctx: Context, tenant: str) -> int:
    return ctx.store.count(CUSTOMER, (tenant,))


def list_page(ctx: Context, tenant: str, offset: int = 0, limit: int | None = None) -> list[Customer]:
    """The partner's customers in the order they were created, `limit` of them from `offset`."""
    return cast("list[Customer]", ctx.store.scan(CUSTOMER, (tenant,), offset, limit))


def list_all(ctx: Context, tenant: str) -> list[Customer]:
    return list_page(ctx, tenant)


def save(ctx: Context, tenant: str, customer: Customer) -> None:
    """Files the customer, claims its domain and remembers the request id it was created with."""
    ctx.store.put(CUSTOMER, customer_key(tenant, customer["id"]), dict(customer))
    claim: DomainClaim = {"tenant": tenant, "customer_id": customer["id"]}
    ctx.store.put(DOMAIN, domain_key(customer["company"]["domain"]), dict(claim))
    request_id = customer.get("request_id")
    if request_id:
        ctx.store.put(REQUEST, (tenant, ids.key(request_id)), {"customer_id": customer["id"]})


def delete(ctx: Context, tenant: str, customer: Customer) -> None:
    ctx.store.delete(CUSTOMER, customer_key(tenant, customer["id"]))
    release_domain(ctx, customer)
    request_id = customer.get("request_id")
    if request_id:
        ctx.store.delete(REQUEST, (tenant, ids.key(request_id)))


def drop_customer(ctx: Context, tenant: str, customer_id: str) -> None:
    customer = get(ctx, tenant, customer_id)
    if customer is not None:
        delete(ctx, tenant, customer)


# --- the domain index and request ids ----------------------------------------------------

def domain_key(domain: str) -> tuple[str, str]:
    return (DOMAINS, domain.lower())


def domain_taken(ctx: Context, domain: str) -> bool:
    return ctx.store.get(DOMAIN, domain_key(domain)) is not None


def release_domain(ctx: Context, customer: Mapping[str, Any]) -> None:
    ctx.store.delete(DOMAIN, domain_key(customer["company"]["domain"]))


def created_by_request(ctx: Context, tenant: str, request_id: str) -> str | None:
    """The id of the customer a create with this MS-RequestId made, if one did."""
    seen = ctx.store.get(REQUEST, (tenant, ids.key(request_id)))
    return None if seen is None else str(seen["customer_id"])
