"""The one owner of the `customer-user` kind: a customer's users, filed under (tenant, customer id,
user id), each with the licenses assigned to it and the directory roles it holds.

The customer's first admin (`admin@<domain>`, the user the customer was created with) is not stored
until it is changed: `users.rules` derives it from the customer record. Ids are filed in their
canonical case (`ids.key`).
"""
from __future__ import annotations

from typing import Any, TypedDict, cast

from simulator import ids
from simulator.context import Context

USER = "customer-user"


class Assignment(TypedDict):
    sku_id: str                # the SubscribedSku's productSku.id
    excluded_plans: list[str]  # service plan ids left out


class User(TypedDict, total=False):
    id: str
    customer_id: str
    user_principal_name: str
    first_name: str | None
    last_name: str | None
    display_name: str
    usage_location: str | None
    immutable_id: str | None
    phone_number: str | None
    password: str
    force_change_password: bool
    created: str
    deleted_at: str | None     # soft deletion: inactive for 30 days, then gone
    licenses: list[Assignment]
    roles: list[str]           # directory role ids
    admin: bool                # the customer's first admin
    version: int


def user_key(tenant: str, customer_id: str, user_id: str) -> tuple[str, str, str]:
    return (tenant, ids.key(customer_id), ids.key(user_id))


def get(ctx: Context, tenant: str, customer_id: str, user_id: str) -> User | None:
    return cast("User | None", ctx.store.get(USER, user_key(tenant, customer_id, user_id)))


def list_for_customer(ctx: Context, tenant: str, customer_id: str) -> list[User]:
    """The customer's stored users in the order they were created."""
    return cast("list[User]", ctx.store.scan(USER, (tenant, ids.key(customer_id))))


def save(ctx: Context, tenant: str, user: User) -> None:
    ctx.store.put(USER, user_key(tenant, user["customer_id"], user["id"]), cast("dict[str, Any]", dict(user)))


def delete(ctx: Context, tenant: str, user: User) -> None:
    """Gone for good (a deleted user past its 30 days, when a write finds it)."""
    ctx.store.delete(USER, user_key(tenant, user["customer_id"], user["id"]))


def drop_customer(ctx: Context, tenant: str, customer_id: str) -> None:
    for user in list_for_customer(ctx, tenant, customer_id):
        delete(ctx, tenant, user)
