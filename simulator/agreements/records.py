"""The one owner of the agreement kinds:

* `agreement`: a partner's confirmation of a customer's acceptance, under (tenant, customer id, number);
* `agreement-direct`: whether the customer accepted the Customer Agreement itself (G5), under
  (tenant, customer id);
* `agreement-document`: a template document link handed out by G4, under (tenant, link id), with its expiry.

A customer delete drops the first two (`drop_customer`); links are the partner's and expire on their own.
"""
from __future__ import annotations

from typing import Any, TypedDict, cast

from simulator import ids
from simulator.context import Context

AGREEMENT, DIRECT, DOCUMENT = "agreement", "agreement-direct", "agreement-document"


class Confirmation(TypedDict):
    number: int
    customer_id: str
    user_id: str
    contact: dict[str, Any]   # first_name, last_name, email, phone_number?, middle_name?
    template_id: str
    type: str
    date_agreed: str          # ISO-8601 UTC
    created: str


class DocumentLink(TypedDict):
    id: str
    template_id: str
    language: str
    country: str
    expires: str


def confirmations(ctx: Context, tenant: str, customer_id: str) -> list[Confirmation]:
    """The customer's confirmations, oldest first."""
    return cast("list[Confirmation]", ctx.store.scan(AGREEMENT, (tenant, ids.key(customer_id))))


def add_confirmation(ctx: Context, tenant: str, confirmation: Confirmation) -> None:
    key = (tenant, ids.key(confirmation["customer_id"]), f"{confirmation['number']:08d}")
    ctx.store.put(AGREEMENT, key, dict(confirmation))


def direct_signed(ctx: Context, tenant: str, customer_id: str) -> bool:
    found = ctx.store.get(DIRECT, (tenant, ids.key(customer_id)))
    return bool(found and found.get("is_signed"))


def set_direct_signed(ctx: Context, tenant: str, customer_id: str, is_signed: bool) -> None:
    ctx.store.put(DIRECT, (tenant, ids.key(customer_id)), {"is_signed": is_signed})


def save_link(ctx: Context, tenant: str, link: DocumentLink) -> None:
    ctx.store.put(DOCUMENT, (tenant, ids.key(link["id"])), dict(link))


def get_link(ctx: Context, tenant: str, link_id: str) -> DocumentLink | None:
    return cast("DocumentLink | None", ctx.store.get(DOCUMENT, (tenant, ids.key(link_id))))


def drop_customer(ctx: Context, tenant: str, customer_id: str) -> None:
    for confirmation in confirmations(ctx, tenant, customer_id):
        ctx.store.delete(AGREEMENT, (tenant, ids.key(customer_id), f"{confirmation['number']:08d}"))
    ctx.store.delete(DIRECT, (tenant, ids.key(customer_id)))
