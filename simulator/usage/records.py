"""The one owner of usage's stored kind: a customer's spending budget (`usage-budget`), filed under
(tenant, customer id in its canonical case, "budget"). Usage itself is derived, never stored."""
from __future__ import annotations

from typing import TypedDict, cast

from simulator import ids
from simulator.context import Context

BUDGET = "usage-budget"


class Budget(TypedDict):
    amount: str | None        # a decimal; None: no budget
    updated: str


def budget_key(tenant: str, customer_id: str) -> tuple[str, str, str]:
    return (tenant, ids.key(customer_id), "budget")


def get(ctx: Context, tenant: str, customer_id: str) -> Budget | None:
    return cast("Budget | None", ctx.store.get(BUDGET, budget_key(tenant, customer_id)))


def save(ctx: Context, tenant: str, customer_id: str, budget: Budget) -> None:
    ctx.store.put(BUDGET, budget_key(tenant, customer_id), dict(budget))


def drop_customer(ctx: Context, tenant: str, customer_id: str) -> None:
    ctx.store.delete(BUDGET, budget_key(tenant, customer_id))
