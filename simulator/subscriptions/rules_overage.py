"""Overage (N5, N6): where pay-as-you-go overage of phone services accrues.

Sources: get-subscription-overage.md, update-subscription-overage.md, error-codes.md
(800111-800115). One setting per customer names the Azure plan entitlement (Azure subscription)
that overage accrues to. Before any PUT, a customer with an active Azure plan entitlement reads as
overage disabled on its first one; a customer without reads an empty list.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from simulator import errors, wire
from simulator.catalog.data import AZURE_PLAN, LEGACY_AZURE
from simulator.context import Caller, Context
from simulator.customers import records as customer_records
from simulator.customers.records import get_customer
from simulator.ids import same
from simulator.subscriptions import lifecycle, records
from simulator.subscriptions.kinds import HELD, SubscriptionStatus
from simulator.subscriptions.rules import list_subscriptions


class OverageIn(wire.WireModel):
    azure_entitlement_id: str = Field(min_length=1)
    partner_id: str | int | None = None
    overage_enabled: bool = Field(strict=True)


def azure_plan_entitlements(ctx: Context, tenant: str, customer_id: str, now: datetime) -> list[dict[str, Any]]:
    """The active Azure subscriptions under the customer's active Azure plans."""
    plans = [s for s in list_subscriptions(ctx, tenant, customer_id) if s["kind"] == AZURE_PLAN
             and s["status"] == SubscriptionStatus.ACTIVE]
    return [e for s in plans for e in s.get("entitlements", []) if lifecycle.entitlement_status(e, now) == "active"]


def get_overage(ctx: Context, caller: Caller, customer_id: str) -> list[records.Overage]:
    now = ctx.clock.now()
    customer = get_customer(ctx, caller.tenant, customer_id)
    stored = records.get_overage(ctx, caller.tenant, customer["id"])
    if stored is not None:
        return [stored]
    entitlements = azure_plan_entitlements(ctx, caller.tenant, customer["id"], now)
    if not entitlements:
        return []
    return [{"customer_id": customer["id"], "azure_entitlement_id": entitlements[0]["id"], "partner_id": "",
             "overage_enabled": False}]


def update_overage(ctx: Context, caller: Caller, customer_id: str, body: OverageIn) -> records.Overage:
    now = ctx.clock.now()
    customer = get_customer(ctx, caller.tenant, customer_id)
    subs = list_subscriptions(ctx, caller.tenant, customer["id"], now=now)
    if any(s["kind"] == LEGACY_AZURE and s["status"] in HELD for s in subs):
        raise errors.OverageLegacyAzure()
    plans = [s for s in subs if s["kind"] == AZURE_PLAN and s["status"] == SubscriptionStatus.ACTIVE]
    if not azure_plan_entitlements(ctx, caller.tenant, customer["id"], now):
        raise errors.OverageNotEligible()
    entitlement = next((e for s in plans for e in s.get("entitlements", [])
                        if same(e["id"], body.azure_entitlement_id)), None)
    if entitlement is None:
        if belongs_to_another_customer(ctx, caller.tenant, customer["id"], body.azure_entitlement_id):
            raise errors.OverageAssignedElsewhere()
        raise errors.EntitlementNotFound(body.azure_entitlement_id)
    if lifecycle.entitlement_status(entitlement, now) != "active":
        raise errors.OverageNotEligible()
    record: records.Overage = {"customer_id": customer["id"], "azure_entitlement_id": entitlement["id"],
                               "partner_id": "" if body.partner_id is None else str(body.partner_id),
                               "overage_enabled": body.overage_enabled, "updated": wire.iso(now)}
    records.save_overage(ctx, caller.tenant, record)
    return record


def belongs_to_another_customer(ctx: Context, tenant: str, customer_id: str, entitlement_id: str) -> bool:
    for other in customer_records.list_all(ctx, tenant):
        if same(other["id"], customer_id):
            continue
        for sub in records.list_for_customer(ctx, tenant, other["id"]):
            if sub["kind"] == AZURE_PLAN and any(same(e["id"], entitlement_id) for e in sub.get("entitlements", [])):
                return True
    return False
