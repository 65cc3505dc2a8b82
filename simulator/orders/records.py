"""The one owner of the `order` kind, filed under (tenant, customer id, order id) with both ids in
their canonical case (`ids.key`), so an order id matches in any case.

Stores written before ids had one key kept an order's id in the case it was made in (modern order
ids mix cases); `get` still finds those by their id as made.
"""
from __future__ import annotations

from typing import Any, TypedDict, cast

from simulator import ids
from simulator.context import Context

ORDER = "order"


class Order(TypedDict):
    key: str
    id: str
    alternate_id: str
    customer_id: str
    tenant: str
    billing_cycle: str
    currency_code: str
    currency_symbol: str
    created: str
    list_after: str           # it shows in the customer's order list from then on
    provision_at: str         # pending until then, completed after
    status: str               # active or cancelled
    legacy: bool
    transaction_type: str
    lines: list[dict[str, Any]]
    version: int
    blocks_customer_delete: bool
    total_price: str


def order_key(tenant: str, customer_id: str, order_id: str) -> tuple[str, str, str]:
    return (tenant, ids.key(customer_id), ids.key(order_id))


def get(ctx: Context, tenant: str, customer_id: str, order_id: str) -> Order | None:
    found = ctx.store.get(ORDER, order_key(tenant, customer_id, order_id))
    if found is None and ids.key(order_id) != order_id:  # filed before ids had one key
        found = ctx.store.get(ORDER, (tenant, ids.key(customer_id), order_id))
    return cast("Order | None", found)


def list_for_customer(ctx: Context, tenant: str, customer_id: str) -> list[Order]:
    """The customer's orders in the order they were placed."""
    return cast("list[Order]", ctx.store.scan(ORDER, (tenant, ids.key(customer_id))))


def count(ctx: Context, tenant: str, customer_id: str) -> int:
    return ctx.store.count(ORDER, (tenant, ids.key(customer_id)))


def save(ctx: Context, order: Order) -> None:
    ctx.store.put(ORDER, order_key(order["tenant"], order["customer_id"], order["id"]), dict(order))
    if ids.key(order["id"]) != order["id"]:  # no longer where an older store filed it
        ctx.store.delete(ORDER, (order["tenant"], ids.key(order["customer_id"]), order["id"]))


def delete(ctx: Context, order: Order) -> None:
    ctx.store.delete(ORDER, order_key(order["tenant"], order["customer_id"], order["id"]))
    if ids.key(order["id"]) != order["id"]:
        ctx.store.delete(ORDER, (order["tenant"], ids.key(order["customer_id"]), order["id"]))


def drop_customer(ctx: Context, tenant: str, customer_id: str) -> None:
    for order in list_for_customer(ctx, tenant, customer_id):
        delete(ctx, order)
