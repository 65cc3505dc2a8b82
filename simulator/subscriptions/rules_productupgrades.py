"""The product upgrade from MS-AZR-0145P to an Azure plan (A5-A7).

A5-A7 (get-eligibility-for-product-upgrade.md, create-product-upgrade-entity.md,
get-product-upgrade-status.md, product-upgrade-resources.md): family `azure` (any casing). A customer
is eligible with an MS-AZR-0145P subscription, none of them suspended, no Azure plan and no earlier
upgrade. A6 stores the upgrade (kind "product-upgrade", key (tenant, upgrade id)) and writes the Azure
plan at once with `visible_from` = the completion moment, as orders write their subscriptions ahead of
provisioning; the upgrade reads `InProgress` until then and `Completed` after (UPGRADE_TAKES; the docs
give no duration). At completion the 0145P subscriptions are `disabled` and their Azure subscriptions
(entitlements, same ids) move under the plan, so usage runs on under the plan. The disabling is
written by the first upgrade call after the moment (`settle`); `apply_transition` is the same rule for
a subscription read, for the roll-forward in `lifecycle.current`.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from pydantic import Field

from simulator import errors, wire
from simulator.catalog.data import AZURE_PLAN, LEGACY_AZURE
from simulator.catalog.rules import require_market
from simulator.context import Caller, Context
from simulator.customers.records import Customer, customer_country, get_customer
from simulator.ids import same
from simulator.orders import lines
from simulator.orders.rules import order_line
from simulator.subscriptions import lifecycle, records, rules
from simulator.subscriptions.kinds import HELD, EventType, SubscriptionStatus
from simulator.subscriptions.lifecycle import event
from simulator.subscriptions.records import Subscription

AZURE_FAMILY = "azure"
AZURE_PLAN_ITEM = "DZH318Z0BPS6:0001:DZH318Z0BML6"
UPGRADE_TAKES = timedelta(minutes=10)  # not documented; long enough to be seen InProgress


class ProductUpgradeIn(wire.WireModel):
    customer_id: str = Field(min_length=1)
    product_family: str = Field(min_length=1)


class Eligibility(NamedTuple):
    """A5's answer: why (if at all) the customer can't upgrade, and its earlier upgrade."""
    customer_id: str
    product_family: str
    problem: errors.PartnerCenterError | None
    earlier: records.ProductUpgrade | None


def check_family(body: ProductUpgradeIn) -> None:
    if body.product_family.strip().lower() != AZURE_FAMILY:
        raise errors.InvalidRequestInput(f"productFamily '{body.product_family}' is not supported; use azure")


def customer_upgrades(ctx: Context, tenant: str, customer_id: str) -> list[records.ProductUpgrade]:
    return records.upgrades_of(ctx, tenant, customer_id)


def settle(ctx: Context, tenant: str, customer_id: str, now: datetime) -> None:
    """Write what completed upgrades did: their 0145P subscriptions are disabled."""
    for upgrade in customer_upgrades(ctx, tenant, customer_id):
        if upgrade["settled"] or lifecycle.upgrade_status(upgrade, now) != lifecycle.UPGRADE_COMPLETED:
            continue
        for item in upgrade["line_items"]:
            sub = rules.load(ctx, tenant, customer_id, item["source_id"])
            if sub["status"] in HELD:
                rules.save(ctx, lifecycle.apply_transition(sub, now))
        upgrade["settled"] = True
        records.save_upgrade(ctx, upgrade)


def held(ctx: Context, tenant: str, customer_id: str, now: datetime) -> list[Subscription]:
    """The customer's 0145P subscriptions and Azure plans held at `now` (reading only those)."""
    subs = [lifecycle.current(ctx, s, now) for s in records.live(ctx, tenant, customer_id, (LEGACY_AZURE, AZURE_PLAN))
            if lifecycle.visible(s, now)]
    return [s for s in subs if s["status"] in HELD]


def blocker(ctx: Context, tenant: str, customer_id: str,
            now: datetime) -> tuple[errors.PartnerCenterError | None, records.ProductUpgrade | None]:
    """Why the customer can't start an upgrade now (None when eligible), and the earlier upgrade."""
    earlier = customer_upgrades(ctx, tenant, customer_id)
    if earlier:
        last = earlier[-1]
        if lifecycle.upgrade_status(last, now) == lifecycle.UPGRADE_IN_PROGRESS:
            return errors.UpgradeInProgress(last["id"]), last
        return errors.UpgradeCompleted(last["id"]), last
    subs = held(ctx, tenant, customer_id, now)
    legacy = [s for s in subs if s["kind"] == LEGACY_AZURE]
    if not legacy:
        return errors.NoAzureSubscriptions(), None
    if any(s["status"] == SubscriptionStatus.SUSPENDED for s in legacy):
        return errors.SuspendedAzureSubscriptions(), None
    if any(s["kind"] == AZURE_PLAN for s in subs):
        return errors.AzurePlanHeld(), None
    return None, None


def standing(ctx: Context, caller: Caller, body: ProductUpgradeIn
             ) -> tuple[Customer, datetime, errors.PartnerCenterError | None, records.ProductUpgrade | None]:
    """The customer, `now`, and why (if at all) an upgrade can't start, after settling finished ones."""
    check_family(body)
    customer = get_customer(ctx, caller.tenant, body.customer_id)
    now = ctx.clock.now()
    settle(ctx, caller.tenant, customer["id"], now)
    return (customer, now, *blocker(ctx, caller.tenant, customer["id"], now))


def check_eligibility(ctx: Context, caller: Caller, body: ProductUpgradeIn) -> Eligibility:
    customer, _, problem, earlier = standing(ctx, caller, body)
    return Eligibility(customer["id"], body.product_family, problem, earlier)


def create_upgrade(ctx: Context, caller: Caller, body: ProductUpgradeIn) -> records.ProductUpgrade:
    customer, now, problem, _ = standing(ctx, caller, body)
    if problem is not None:
        raise problem
    legacy = [s for s in held(ctx, caller.tenant, customer["id"], now) if s["kind"] == LEGACY_AZURE]
    upgrade_id, done = ctx.ids.guid(), now + UPGRADE_TAKES
    plan = new_azure_plan(ctx, caller.tenant, customer, upgrade_id, done, legacy)
    for sub in legacy:
        sub["transition"] = {"upgrade_id": upgrade_id, "at": wire.iso(done), "to": plan["id"]}
        rules.save(ctx, sub)
    upgrade: records.ProductUpgrade = {
        "key": upgrade_id, "id": upgrade_id, "tenant": caller.tenant, "customer_id": customer["id"],
        "product_family": body.product_family, "created": wire.iso(now), "completes_at": wire.iso(done),
        "settled": False, "target_subscription_id": plan["id"], "target_name": plan["offer_name"],
        "line_items": [{"source_id": s["id"], "source_name": s["friendly_name"]} for s in legacy]}
    records.save_upgrade(ctx, upgrade)
    return upgrade


def new_azure_plan(ctx: Context, tenant: str, customer: Customer, upgrade_id: str, start: datetime,
                   legacy: list[Subscription]) -> Subscription:
    """The Azure plan the upgrade ends in, visible from `start`; the 0145P Azure subscriptions move
    under it with their ids. The upgrade has no order: the plan's orderId is the upgrade id."""
    market = require_market(ctx, customer_country(customer))
    record = lines.check_line(ctx, market, lines.PurchaseLineIn(catalog_item_id=AZURE_PLAN_ITEM, quantity=1))
    order = {"id": upgrade_id, "tenant": tenant, "customer_id": customer["id"]}
    line = order_line(ctx, order, record, 0, start)
    plan = records.get(ctx, tenant, customer["id"], line["subscription_id"])
    assert plan is not None
    moved = [{"id": s["entitlement_id"], "friendly_name": s["friendly_name"] or s["offer_name"],
              "created": wire.iso(start), "cancelled_at": None} for s in legacy if s.get("entitlement_id")]
    if moved:
        plan["entitlements"], plan["entitlement_id"] = moved, moved[0]["id"]
    plan["events"].append(event(EventType.TRANSITION, start, upgrade_id=upgrade_id, sources=[s["id"] for s in legacy]))
    return rules.save(ctx, plan)


def upgrade_status_of(ctx: Context, caller: Caller, upgrade_id: str,
                      body: ProductUpgradeIn) -> records.ProductUpgrade:
    check_family(body)
    customer = get_customer(ctx, caller.tenant, body.customer_id)
    now = ctx.clock.now()
    upgrade = records.get_upgrade(ctx, caller.tenant, upgrade_id)
    if upgrade is None:
        raise errors.UpgradeNotFound(upgrade_id)
    if not same(upgrade["customer_id"], customer["id"]):
        raise errors.UpgradeOfAnotherCustomer(upgrade_id)
    settle(ctx, caller.tenant, customer["id"], now)
    return upgrade
