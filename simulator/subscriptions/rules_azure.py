"""Azure plan entitlements (A1-A4): the Azure subscriptions under an Azure plan, their cancellation
and reactivation. An entitlement's status is derived from its stored cancellation moment and `now`
(`lifecycle.entitlement_status`)."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from simulator import errors, ids, wire
from simulator.catalog.data import AZURE_PLAN
from simulator.context import Caller, Context
from simulator.subscriptions import lifecycle
from simulator.subscriptions.records import Subscription
from simulator.subscriptions.rules import load, save

CANCELLATION_REASONS = ("compromise", "abuse")
SANDBOX_AZURE_SUBSCRIPTIONS = 3  # create-azure-plan.md: 3 Azure subscriptions per plan in the sandbox


class CancelEntitlementIn(wire.WireModel):
    cancellation_reason: str = Field(min_length=1)


def load_plan(ctx: Context, caller: Caller, customer_id: str, sub_id: str) -> Subscription:
    sub = load(ctx, caller.tenant, customer_id, sub_id)
    if sub["kind"] != AZURE_PLAN:
        raise errors.EntitlementNotFound(sub_id)
    return sub


def find_entitlement(plan: Subscription, entitlement_id: str) -> dict[str, Any]:
    for entitlement in plan.get("entitlements", []):
        if ids.same(entitlement["id"], entitlement_id):
            return entitlement
    raise errors.EntitlementNotFound(entitlement_id)


def cancel_entitlement(ctx: Context, caller: Caller, customer_id: str, sub_id: str, entitlement_id: str,
                       reason: str) -> tuple[Subscription, dict[str, Any]]:
    if reason.lower() not in CANCELLATION_REASONS:
        raise errors.InvalidCancellationReason(reason)
    plan = load_plan(ctx, caller, customer_id, sub_id)
    entitlement = find_entitlement(plan, entitlement_id)
    if not entitlement.get("cancelled_at"):
        entitlement["cancelled_at"] = wire.iso(ctx.clock.now())
        entitlement["cancellation_reason"] = reason.lower()
        save(ctx, plan)
    return plan, entitlement


def reactivate_entitlement(ctx: Context, caller: Caller, customer_id: str, sub_id: str, entitlement_id: str) -> None:
    plan = load_plan(ctx, caller, customer_id, sub_id)
    entitlement = find_entitlement(plan, entitlement_id)
    if not entitlement.get("cancelled_at"):
        raise errors.EntitlementNotCancelled(entitlement_id)
    # Usage did not accrue while it was cancelled (simulator/usage/rated.py reads these gaps).
    gap = {"from": entitlement["cancelled_at"], "until": wire.iso(ctx.clock.now())}
    entitlement.setdefault("gaps", []).append(gap)
    entitlement["cancelled_at"] = None
    save(ctx, plan)


def create_entitlement(ctx: Context, tenant: str, customer_id: str, sub_id: str,
                       friendly_name: str | None) -> tuple[Subscription, dict[str, Any]]:
    """A new Azure subscription under an active Azure plan, as one made on the Azure side (the control
    API's stand-in: Partner Center has no route for it). The sandbox allows 3 active ones per plan
    (400 900116); usage accrues for it from its creation."""
    now = ctx.clock.now()
    plan = load(ctx, tenant, customer_id, sub_id)
    if plan["kind"] != AZURE_PLAN:
        raise errors.InvalidRequestInput(f"subscription {sub_id} is not an Azure plan")
    if plan["status"] != "active":
        raise errors.InvalidRequestInput(f"Azure plan {sub_id} is {plan['status']}: Azure subscriptions are "
                                         f"created under an active plan only")
    entitlements = plan.setdefault("entitlements", [])
    active = [e for e in entitlements if lifecycle.entitlement_status(e, now) == "active"]
    if ctx.settings.sandbox_limits and len(active) >= SANDBOX_AZURE_SUBSCRIPTIONS:
        raise errors.SandboxAzurePlanLimit(f"{SANDBOX_AZURE_SUBSCRIPTIONS} Azure subscriptions per Azure plan")
    name = friendly_name or f"Azure subscription {len(entitlements) + 1}"
    entitlement = {"id": ctx.ids.guid(), "friendly_name": name, "created": wire.iso(now), "cancelled_at": None}
    entitlements.append(entitlement)
    save(ctx, plan)
    return plan, entitlement
