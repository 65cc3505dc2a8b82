"""The one owner of the `cart` kind, filed under (tenant, customer id, cart id) with both ids in
their canonical case (`ids.key`)."""
from __future__ import annotations

from typing import Any, TypedDict, cast

from simulator import ids
from simulator.context import Context

CART = "cart"


class Checkout(TypedDict):
    order_ids: list[str]
    order_errors: list[dict[str, Any]]


class Cart(TypedDict):
    key: str
    id: str
    customer_id: str
    created: str
    modified: str
    expires: str
    modified_user: str
    status: str               # Active until checked out, then Ordered
    lines: list[dict[str, Any]]
    attested: bool | None
    checkout: Checkout | None


def cart_key(tenant: str, customer_id: str, cart_id: str) -> tuple[str, str, str]:
    return (tenant, ids.key(customer_id), ids.key(cart_id))


def get(ctx: Context, tenant: str, customer_id: str, cart_id: str) -> Cart | None:
    return cast("Cart | None", ctx.store.get(CART, cart_key(tenant, customer_id, cart_id)))


def list_for_customer(ctx: Context, tenant: str, customer_id: str) -> list[Cart]:
    return cast("list[Cart]", ctx.store.scan(CART, (tenant, ids.key(customer_id))))


def save(ctx: Context, tenant: str, cart: Cart) -> None:
    ctx.store.put(CART, cart_key(tenant, cart["customer_id"], cart["id"]), dict(cart))


def delete(ctx: Context, tenant: str, cart: Cart) -> None:
    ctx.store.delete(CART, cart_key(tenant, cart["customer_id"], cart["id"]))


def drop_customer(ctx: Context, tenant: str, customer_id: str) -> None:
    for cart in list_for_customer(ctx, tenant, customer_id):
        delete(ctx, tenant, cart)
