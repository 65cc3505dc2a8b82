"""Azure plan entitlements (A1-A4): the Azure subscriptions under an Azure plan.

Sources: get-a-list-of-azure-entitlements-for-subscription.md, get-an-azure-entitlement-for-a-
subscription.md, cancel-an-azure-subscription.md (inactive about 10 minutes after the cancel),
reactivate-an-azure-subscription.md (202).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, errors, ids, wire
from simulator.catalog.data import AZURE_PLAN
from simulator.context import Caller, Context
from simulator.subscriptions.rules import load, save

CANCEL_TAKES = timedelta(minutes=10)
CANCELLATION_REASONS = ("compromise", "abuse")


class CancelEntitlementIn(wire.WireModel):
    cancellation_reason: str = Field(min_length=1)


def entitlement_status(entitlement: dict[str, Any], now: datetime) -> str:
    cancelled = entitlement.get("cancelled_at")
    return "inactive" if cancelled and wire.parse_time(cancelled) + CANCEL_TAKES <= now else "active"


def load_plan(ctx: Context, caller: Caller, customer_id: str, sub_id: str) -> dict[str, Any]:
    sub = load(ctx, caller.tenant, customer_id, sub_id)
    if sub["kind"] != AZURE_PLAN:
        raise errors.EntitlementNotFound(sub_id)
    return sub


def find_entitlement(plan: dict[str, Any], entitlement_id: str) -> dict[str, Any]:
    for entitlement in plan.get("entitlements", []):
        if ids.same(entitlement["id"], entitlement_id):
            return entitlement
    raise errors.EntitlementNotFound(entitlement_id)


def cancel_entitlement(ctx: Context, caller: Caller, customer_id: str, sub_id: str, entitlement_id: str,
                       reason: str) -> tuple[dict[str, Any], dict[str, Any]]:
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
    entitlement.setdefault("gaps", []).append({"from": entitlement["cancelled_at"], "until": wire.iso(ctx.clock.now())})
    entitlement["cancelled_at"] = None
    save(ctx, plan)


def entitlement_wire(plan: dict[str, Any], entitlement: dict[str, Any], now: datetime) -> dict[str, Any]:
    path = f"/customers/{plan['customer_id']}/subscriptions/{plan['id']}/azureEntitlements/{entitlement['id']}"
    return {"id": entitlement["id"], "friendlyName": entitlement["friendly_name"],
            "status": entitlement_status(entitlement, now), "subscriptionId": plan["id"],
            "links": {"self": wire.link(path)}}


async def list_entitlements_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    plan = load_plan(ctx, caller, pp["customer_id"], pp["subscription_id"])
    now = ctx.clock.now()
    return wire.respond(wire.collection([entitlement_wire(plan, e, now) for e in plan.get("entitlements", [])]))


async def get_entitlement_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    plan = load_plan(ctx, caller, pp["customer_id"], pp["subscription_id"])
    return wire.respond(entitlement_wire(plan, find_entitlement(plan, pp["entitlement_id"]), ctx.clock.now()))


@wire.operation(body=CancelEntitlementIn)
async def cancel_entitlement_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    body = await wire.parse_body(request, CancelEntitlementIn)
    plan, entitlement = ctx.run(cancel_entitlement, caller, pp["customer_id"], pp["subscription_id"],
                                pp["entitlement_id"], body.cancellation_reason)
    return wire.respond(entitlement_wire(plan, entitlement, ctx.clock.now()))


async def reactivate_entitlement_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    ctx.run(reactivate_entitlement, caller, pp["customer_id"], pp["subscription_id"], pp["entitlement_id"])
    return wire.empty(202)


ENTITLEMENT = "/v1/customers/{customer_id}/subscriptions/{subscription_id}/azureentitlements"
routes = [
    Route(ENTITLEMENT, list_entitlements_endpoint, methods=["GET"]),
    Route(ENTITLEMENT + "/{entitlement_id}", get_entitlement_endpoint, methods=["GET"]),
    Route(ENTITLEMENT + "/{entitlement_id}/cancel", cancel_entitlement_endpoint, methods=["POST"]),
    Route(ENTITLEMENT + "/{entitlement_id}/reactivate", reactivate_entitlement_endpoint, methods=["POST"]),
]
