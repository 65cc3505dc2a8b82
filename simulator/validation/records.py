"""The one owner of the `account-status` kind: a customer's account validation status (D5), under
(tenant, customer id). A customer without one has no account status (D5 answers 404 600074)."""
from __future__ import annotations

from typing import TypedDict, cast

from simulator import ids
from simulator.context import Context

ACCOUNT_STATUS = "account-status"


class AccountStatus(TypedDict):
    status: str
    updated: str   # ISO-8601 UTC


def get(ctx: Context, tenant: str, customer_id: str) -> AccountStatus | None:
    return cast("AccountStatus | None", ctx.store.get(ACCOUNT_STATUS, (tenant, ids.key(customer_id))))


def save(ctx: Context, tenant: str, customer_id: str, status: AccountStatus) -> None:
    ctx.store.put(ACCOUNT_STATUS, (tenant, ids.key(customer_id)), dict(status))


def drop_customer(ctx: Context, tenant: str, customer_id: str) -> None:
    ctx.store.delete(ACCOUNT_STATUS, (tenant, ids.key(customer_id)))
