"""Subscription rules (S1-S9, S12, S13): reads at `now`, the PATCH (S5) with its documented
semantics, SaaS activation, provisioning and registration status.

S5 (update-a-subscription-by-id.md and the pages it links): the body is the whole subscription in
any key casing; absent `autoRenewEnabled` resets it to false and absent scheduled next-term
instructions clear them, as the 2022-06 doc warns; a stale `If-Match` is 2055; the billing cycle is
not changed here (2054).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from simulator import errors, wire
from simulator.catalog.data import (
    AZURE_PLAN,
    LEGACY_AZURE,
    LEGACY_LICENSE,
    NCE,
    RESERVATION,
    SAAS,
    SOFTWARE_SUBSCRIPTION,
    Availability,
)
from simulator.context import Caller, Context
from simulator.customers.records import get_customer
from simulator.orders import lines
from simulator.subscriptions import dates, lifecycle, records
from simulator.subscriptions.kinds import EventType, SubscriptionStatus
from simulator.subscriptions.lifecycle import current, event
from simulator.subscriptions.records import Subscription
from simulator.subscriptions.rules_newcommerce import coterm_dates

LEGACY_KINDS = (LEGACY_LICENSE, LEGACY_AZURE)
SUSPENDABLE = (NCE, LEGACY_LICENSE, LEGACY_AZURE, SOFTWARE_SUBSCRIPTION, AZURE_PLAN)
CANCELLABLE = (NCE, SAAS, SOFTWARE_SUBSCRIPTION, AZURE_PLAN)
QUANTITY_KINDS = (NCE, LEGACY_LICENSE, SAAS)


class ProductIn(wire.WireModel):
    product_id: str
    sku_id: str
    availability_id: str
    billing_cycle: str | None = None
    term_duration: str | None = None
    promotion_id: str | None = None


class ScheduledIn(wire.WireModel):
    product: ProductIn | None = None
    quantity: int | None = None
    custom_term_end_date: str | None = None


class SubscriptionPatchIn(wire.WireModel):
    id: str | None = None
    quantity: int | None = Field(None)
    status: str | None = None
    auto_renew_enabled: bool | None = None
    friendly_name: str | None = None
    billing_cycle: str | None = None
    scheduled_next_term_instructions: ScheduledIn | None = None


# --- reads --------------------------------------------------------------------------------

def load(ctx: Context, tenant: str, customer_id: str, sub_id: str, now: datetime | None = None) -> Subscription:
    """The subscription as it stands at `now` (the clock's now unless a rule that read it passes it)."""
    customer = get_customer(ctx, tenant, customer_id)
    sub = records.get(ctx, tenant, customer["id"], sub_id)
    now = ctx.clock.now() if now is None else now
    if sub is None or not lifecycle.visible(sub, now):
        raise errors.SubscriptionNotFound()
    return current(ctx, sub, now)


def list_subscriptions(ctx: Context, tenant: str, customer_id: str, *, order_id: str | None = None,
                       mpn_id: str | None = None, now: datetime | None = None) -> list[Subscription]:
    customer = get_customer(ctx, tenant, customer_id)
    now = ctx.clock.now() if now is None else now
    if order_id is not None:  # read only the order's subscriptions
        subs = [current(ctx, s, now) for s in records.of_order(ctx, tenant, customer["id"], order_id)
                if lifecycle.visible(s, now)]
    else:
        subs = lifecycle.standing(ctx, tenant, customer["id"], now)
    if mpn_id is not None:
        subs = [s for s in subs if s["partner_id"] == mpn_id]
    return subs


def list_addons(ctx: Context, tenant: str, customer_id: str, sub_id: str,
                now: datetime | None = None) -> list[Subscription]:
    now = ctx.clock.now() if now is None else now
    parent = load(ctx, tenant, customer_id, sub_id, now)
    return [current(ctx, s, now) for s in records.add_ons_of(ctx, tenant, parent["customer_id"], parent["id"])
            if lifecycle.visible(s, now)]


def save(ctx: Context, sub: Subscription) -> Subscription:
    """A change of the record: its version moves on (the etag with it)."""
    sub["version"] += 1
    records.save(ctx, sub)
    return sub


# --- S5 -----------------------------------------------------------------------------------

def update_subscription(ctx: Context, caller: Caller, customer_id: str, sub_id: str, body: SubscriptionPatchIn,
                        if_match: str | None) -> Subscription:
    now = ctx.clock.now()
    sub = load(ctx, caller.tenant, customer_id, sub_id, now)
    check_updatable(sub, body, if_match)
    wanted = (body.status or sub["status"]).lower()
    if sub["status"] == SubscriptionStatus.SUSPENDED and wanted != SubscriptionStatus.ACTIVE:
        # reactivate first, also to cancel
        if wanted != SubscriptionStatus.SUSPENDED or changes_beyond_status(sub, body):
            legacy = sub["kind"] in LEGACY_KINDS
            raise (errors.LegacySubscriptionSuspended if legacy else errors.SubscriptionSuspended)()
        return sub
    if wanted != sub["status"]:
        change_status(ctx, sub, wanted, now)
        if wanted in (SubscriptionStatus.SUSPENDED, SubscriptionStatus.DELETED):
            return save(ctx, sub)
    if body.quantity is not None and body.quantity != sub["quantity"]:
        change_quantity(ctx, sub, body.quantity, now)
    change_auto_renew(sub, bool(body.auto_renew_enabled))
    if body.friendly_name is not None:
        sub["friendly_name"] = body.friendly_name
    sub["scheduled"] = scheduled_change(ctx, sub, body.scheduled_next_term_instructions, now)
    return save(ctx, sub)


def check_updatable(sub: Subscription, body: SubscriptionPatchIn, if_match: str | None) -> None:
    if if_match and if_match.strip('"') != lifecycle.etag(sub):
        raise errors.StaleEtag()
    if sub["status"] == SubscriptionStatus.DELETED:
        raise errors.SubscriptionDeleted()
    if sub["status"] == SubscriptionStatus.EXPIRED:
        raise errors.SubscriptionExpiring()
    if sub["kind"] == SAAS and not sub["activated"] and (body.status or "").lower() != "deleted":
        raise errors.NotActivated()  # a SaaS subscription that was never activated can still be cancelled
    if body.billing_cycle and lines.normalize_cycle(body.billing_cycle, sub["offer_id"]) != sub["billing_cycle"]:
        raise errors.BillingCycleNotChangeable()


def changes_beyond_status(sub: Subscription, body: SubscriptionPatchIn) -> bool:
    return (body.quantity not in (None, sub["quantity"]) or bool(body.auto_renew_enabled) != sub["auto_renew"]
            or (body.friendly_name is not None and body.friendly_name != sub["friendly_name"]))


def change_status(ctx: Context, sub: Subscription, wanted: str, now: datetime) -> None:
    if wanted not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED, SubscriptionStatus.DELETED):
        raise errors.InvalidRequestInput(f"status '{wanted}' is not one of active, suspended, deleted")
    if wanted == SubscriptionStatus.ACTIVE:
        sub["status"] = SubscriptionStatus.ACTIVE
        sub["events"].append(event(EventType.REACTIVATE, now))
        for child in children(ctx, sub):
            if child["status"] == SubscriptionStatus.SUSPENDED:
                child["status"] = SubscriptionStatus.ACTIVE
                child["events"].append(event(EventType.REACTIVATE, now))
                save(ctx, child)
        return
    allowed = SUSPENDABLE if wanted == SubscriptionStatus.SUSPENDED else CANCELLABLE
    if sub["kind"] not in allowed:
        raise errors.StatusNotChangeable(wanted)
    if sub["kind"] == AZURE_PLAN:
        check_plan_is_idle(ctx, sub, now)
    if wanted == SubscriptionStatus.DELETED:
        check_cancellation_window(ctx, sub, now)
    for record in (sub, *children(ctx, sub)):
        # An add-on goes with its base, with an event of its own: its charges stop (or are refunded) too.
        record["status"] = wanted
        stop = EventType.CANCEL if wanted == SubscriptionStatus.DELETED else EventType.SUSPEND
        record["events"].append(event(stop, now,
                                      quantity=record["quantity"], refund=refund_type(record, now)))
        if record is not sub:
            save(ctx, record)


def check_cancellation_window(ctx: Context, sub: Subscription, now: datetime) -> None:
    """New commerce cancels only within the window after purchase or renewal (7 days, 2023 docs)."""
    if sub["kind"] in (NCE, SOFTWARE_SUBSCRIPTION):
        until = dates.at(sub, "cancellation_allowed_until") or (
            wire.parse_time(sub["start"]) + timedelta(days=ctx.settings.cancellation_window_days))
        if now > until:
            raise errors.CancellationWindowPassed(ctx.settings.cancellation_window_days)
    elif sub["kind"] == SAAS and sub["activated"]:
        # The availability's policy: cancellable (with its refund) until the last refund option expires.
        saas_until = dates.at(sub, "cancellation_allowed_until")
        if saas_until is not None and now > saas_until:
            raise errors.CancellationWindowPassed(sub.get("refund_window_days") or 1)


def refund_type(sub: Subscription, now: datetime) -> str | None:
    """The first refund option not yet expired decides the refund (availability cancellationPolicies)."""
    for option in sub.get("refund_options") or []:
        if now <= wire.parse_time(option["expiresAt"]):
            return option["type"]
    return None


def check_plan_is_idle(ctx: Context, sub: Subscription, now: datetime) -> None:
    """An Azure plan suspends only without active Azure subscriptions or reservations (900115)."""
    active_entitlements = [e for e in sub.get("entitlements", [])
                           if lifecycle.entitlement_status(e, now) == "active"]
    # As they stand now: a reservation whose term ended holds nothing back.
    reservations = [s for s in records.live(ctx, sub["tenant"], sub["customer_id"], (RESERVATION,))
                    if lifecycle.visible(s, now) and current(ctx, s, now)["status"] == SubscriptionStatus.ACTIVE]
    if active_entitlements or reservations:
        raise errors.AzurePlanHasActiveSubscriptions()


def children(ctx: Context, sub: Subscription) -> list[Subscription]:
    """Legacy add-ons follow their base subscription."""
    return [s for s in records.add_ons_of(ctx, sub["tenant"], sub["customer_id"], sub["id"])
            if s["status"] != SubscriptionStatus.DELETED]


def quantity_bounds(ctx: Context, sub: Subscription) -> tuple[int, int]:
    item = ctx.catalog.item(sub["offer_id"])
    if item is None:
        return 1, 10**9
    if isinstance(item, Availability):
        return item.sku.minimum, item.sku.maximum
    return item.minimum, item.maximum


def change_quantity(ctx: Context, sub: Subscription, wanted: int, now: datetime) -> None:
    if sub["kind"] not in QUANTITY_KINDS:
        raise errors.QuantityNotChangeable()
    low, high = quantity_bounds(ctx, sub)
    if not low <= wanted <= high:
        if sub["kind"] in LEGACY_KINDS:
            raise errors.LegacyQuantityOutOfRange(wanted, low, high)
        raise errors.QuantityOutOfRange(wanted, low, high, sub["offer_id"])
    if ctx.settings.sandbox_limits and wanted > lines.SANDBOX_SEATS and wanted > sub["quantity"]:
        raise errors.SandboxSeatLimit(lines.SANDBOX_SEATS)
    if sub["kind"] == NCE:
        move_seat_windows(ctx, sub, wanted - sub["quantity"], now)
    sub["events"].append(event(EventType.SEATS, now, quantity=wanted, change=wanted - sub["quantity"]))
    sub.update({"quantity": wanted, "license_changed": wire.iso(now)})


def move_seat_windows(ctx: Context, sub: Subscription, change: int, now: datetime) -> None:
    """Seats added mid-term can be removed within the window after they were added; seats can
    be removed only while `refundableQuantity` covers them (change-the-quantity-of-a-subscription.md)."""
    windows = [w for w in sub["seat_windows"] if wire.parse_time(w["until"]) >= now]
    if change > 0:
        until = now + timedelta(days=ctx.settings.cancellation_window_days)
        sub["seat_windows"] = [*windows, {"quantity": change, "until": wire.iso(until)}]
        return
    remove = -change
    if sum(w["quantity"] for w in windows) < remove:
        raise errors.QuantityCannotDecrease()
    for window in reversed(windows):  # the newest seats go first
        taken = min(window["quantity"], remove)
        window["quantity"] -= taken
        remove -= taken
    sub["seat_windows"] = [w for w in windows if w["quantity"] > 0]


def change_auto_renew(sub: Subscription, wanted: bool) -> None:
    if wanted and sub["kind"] not in dates.AUTO_RENEWING:
        raise errors.NotEligibleToAutoRenew()
    sub["auto_renew"] = wanted


def scheduled_change(ctx: Context, sub: Subscription, plan: ScheduledIn | None, now: datetime) -> dict[str, Any] | None:
    """Scheduled next-term instructions (create-scheduled-changes.md): new commerce, auto-renewing."""
    if plan is None:
        return None
    if plan.custom_term_end_date and sub["kind"] != NCE:
        raise errors.CustomTermEndDateNotNce()
    if sub["kind"] not in (NCE, SAAS):
        raise errors.ScheduledChangeInvalid("are only for new commerce and marketplace subscriptions")
    if not sub["auto_renew"]:
        raise errors.ScheduledChangeInvalid("need autoRenewEnabled true")
    product = plan.product
    quantity = plan.quantity or sub["quantity"]
    if product is not None:
        item = f"{product.product_id}:{product.sku_id}:{product.availability_id}"
        av = ctx.catalog.item(item)
        if not isinstance(av, Availability):
            raise errors.AvailabilityNotFound(product.availability_id)
        line = lines.PurchaseLineIn(catalog_item_id=item, quantity=quantity, billing_cycle=product.billing_cycle,
                                    term_duration=product.term_duration)
        term, cycle = lines.check_term_and_cycle(av, line)
        lines.check_quantity(quantity, av.sku.minimum, av.sku.maximum, item)
        product = product.model_copy(update={"term_duration": term, "billing_cycle": cycle})
    if plan.custom_term_end_date:
        check_scheduled_end_date(ctx, sub, plan.custom_term_end_date, product, now)
    return {"product": product.wire() if product else None, "quantity": quantity,
            "customTermEndDate": plan.custom_term_end_date}


def check_scheduled_end_date(ctx: Context, sub: Subscription, raw: str, product: ProductIn | None,
                             now: datetime) -> None:
    start = dates.renewal_moment(sub)
    term = (product.term_duration if product else None) or sub["term_duration"]
    try:
        wanted = dates.midnight(wire.parse_time(raw))
    except ValueError:
        raise errors.InvalidRequestInput("customTermEndDate is not a date") from None
    allowed = coterm_dates(ctx, sub["tenant"], sub["customer_id"], start, term, now)
    if wanted.date() not in {d.date() for d, _ in allowed}:
        raise errors.CustomTermEndDateNoMatch()


# --- S8, S12 (S7, S9, S13 are renderings of the record: render.py) ------------------------

def activate_subscription(ctx: Context, caller: Caller, customer_id: str, sub_id: str) -> Subscription:
    """Sandbox activation of a marketplace SaaS subscription: billing starts now (the activated
    subscription is returned)."""
    now = ctx.clock.now()
    sub = load(ctx, caller.tenant, customer_id, sub_id, now)
    if sub["kind"] != SAAS:
        raise errors.InvalidRequestInput("only commercial marketplace SaaS subscriptions are activated")
    if sub["status"] == SubscriptionStatus.DELETED:
        raise errors.SubscriptionDeleted()  # a cancelled, never-activated subscription stays cancelled
    if sub["activated"]:
        raise errors.AlreadyActivated()
    if sub["status"] == "expired":
        raise errors.SubscriptionExpiring()  # a free trial never activated ended with its trial term
    sub["activated"] = True
    lifecycle.open_refund_window(ctx, sub, now)
    sub["events"].append(event(EventType.ACTIVATE, now, quantity=sub["quantity"]))
    return save(ctx, sub)


def register_subscription(ctx: Context, caller: Caller, customer_id: str, sub_id: str) -> Subscription:
    """Registering an Azure subscription enables Azure reservation purchases (register-a-subscription.md)."""
    now = ctx.clock.now()
    sub = load(ctx, caller.tenant, customer_id, sub_id, now)
    if sub["kind"] not in (LEGACY_AZURE, AZURE_PLAN):
        raise errors.InvalidRequestInput("only Azure subscriptions and Azure plans are registered")
    if not sub.get("registered_at"):
        sub["registered_at"] = wire.iso(now)
        save(ctx, sub)
    return sub


def register_as_seeded(ctx: Context, tenant: str, customer_id: str, sub_id: str) -> None:
    """Demo data: the Azure subscription registered as a partner would have before buying its
    reservations (S12, then the few minutes S13 takes), so the seed's reservations may be bought at once."""
    sub = records.get(ctx, tenant, customer_id, sub_id)
    if sub is not None and not sub.get("registered_at"):
        sub["registered_at"] = wire.iso(ctx.clock.now() - lifecycle.REGISTRATION_TAKES)
        save(ctx, sub)


# --- asked by the cart and order rules --------------------------------------------------------

def purchase_block(ctx: Context, tenant: str, customer_id: str) -> errors.PartnerCenterError | None:
    """An Azure plan can't be bought while a product upgrade (rules_productupgrades) is in progress."""
    now = ctx.clock.now()
    if any(lifecycle.upgrade_status(u, now) == lifecycle.UPGRADE_IN_PROGRESS
           for u in records.upgrades_of(ctx, tenant, customer_id)):
        return errors.PurchaseBlockedUpgradeInProgress()
    return None
