"""Legacy trial conversions (S10, S11) and legacy license upgrades (S14, S15).

S14/S15 (transition-a-subscription.md, SDK UpgradeErrorCode): targets are the other base (not add-on)
legacy license offers of the catalog. The C# text posts the Upgrade to the subscription being upgraded
(the REST table calls it `{id-for-target}`, but the body names only the target offer), so the path's
subscription is the source. A new subscription of the target offer is created for the upgrade's
quantity (the customer may not already hold the target offer, error 3); the source is suspended when
all its seats move, else keeps the rest. Problems come back in `upgradeErrors` with HTTP 200.

S10/S11 (get-a-list-of-trial-conversion-offers.md, convert-a-trial-subscription-to-paid.md): legacy
trials only. The catalog fixture has no legacy trial offer and offers carry no conversion targets, so
S10 answers an empty collection and S11 the generic 800002 saying why.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from pydantic import Field

from simulator import errors, wire
from simulator.catalog.data import LEGACY_LICENSE, Offer
from simulator.catalog.rules import require_market
from simulator.context import Caller, Context
from simulator.customers.records import customer_country, get_customer
from simulator.orders import lines
from simulator.orders.rules import order_line
from simulator.subscriptions import rules
from simulator.subscriptions.kinds import HELD, EventType, SubscriptionStatus
from simulator.subscriptions.lifecycle import event
from simulator.subscriptions.records import Subscription

# UpgradeType (Partner Center SDK): the wire carries the snake-case name or, from the SDK, the number.
UPGRADE_TYPES = {"upgrade_only": 1, "upgradeonly": 1, "upgrade_with_license_transfer": 2,
                 "upgradewithlicensetransfer": 2}
UPGRADE_TYPE_NAMES = {1: "upgrade_only", 2: "upgrade_with_license_transfer"}
# UpgradeErrorCode (Partner Center SDK): the codes used here.
STATUS_NOT_ACTIVE, CONFLICTING_SERVICES, USER_CONTEXT_REQUIRED, ADD_ONS_PRESENT = 2, 3, 5, 6
NO_UPGRADE_PATHS, TARGET_NOT_FOUND = 7, 8


# --- request bodies -----------------------------------------------------------------------

class OfferRefIn(wire.WireModel):
    id: str = Field(min_length=1)


class UpgradeIn(wire.WireModel):
    target_offer: OfferRefIn
    upgrade_type: int | str | None = None
    quantity: int | None = Field(None, strict=False)


class ConversionIn(wire.WireModel):
    offer_id: str | None = None
    target_offer_id: str | None = None
    order_id: str | None = None
    quantity: int | None = Field(None, strict=False)
    billing_cycle: str | None = None


# --- S14, S15: legacy license upgrades ----------------------------------------------------

class UpgradeProblem(NamedTuple):
    """An UpgradeError: its code, description and additional details."""
    code: int
    description: str
    details: str | None


class UpgradeResult(NamedTuple):
    """What S15 did: the target subscription made, or the problems that stopped it."""
    source_id: str
    upgrade_type: int
    problems: list[UpgradeProblem]
    target_id: str | None


def load_legacy(ctx: Context, caller: Caller, customer_id: str, sub_id: str,
                now: datetime | None = None) -> Subscription:
    sub = rules.load(ctx, caller.tenant, customer_id, sub_id, now)
    if sub["kind"] != LEGACY_LICENSE:
        raise errors.NotLegacyLicense(sub["id"])
    return sub


def upgrade_targets(ctx: Context, sub: Subscription) -> list[Offer]:
    source = ctx.catalog.offers.get(sub["offer_id"].upper())
    if source is None or source.is_addon:
        return []  # add-ons have no upgrade paths
    return sorted((o for o in ctx.catalog.offers.values() if o.kind == LEGACY_LICENSE and not o.is_addon
                   and o.id.upper() != source.id.upper()), key=lambda o: (o.name, o.id))


def upgrade_error(code: int, description: str, details: str | None = None) -> UpgradeProblem:
    return UpgradeProblem(code, description, details)


def upgrade_errors(ctx: Context, caller: Caller, sub: Subscription, offer: Offer,
                   upgrade_type: int, now: datetime) -> list[UpgradeProblem]:
    found = []
    if sub["status"] != SubscriptionStatus.ACTIVE:
        found.append(upgrade_error(STATUS_NOT_ACTIVE, "Subscription cannot be upgraded because the source "
                                   "subscription state is not active.  Additional Details contains the current "
                                   "source subscription state.", sub["status"]))
    if any(s["status"] in HELD for s in rules.list_addons(ctx, caller.tenant, sub["customer_id"], sub["id"], now)):
        found.append(upgrade_error(ADD_ONS_PRESENT, "Upgrade cannot be performed because the source subscription "
                                   "has previously purchased add-ons."))
    owned = [s for s in rules.list_subscriptions(ctx, caller.tenant, sub["customer_id"], now=now)
             if s["offer_id"].upper() == offer.id.upper() and s["status"] in HELD]
    if owned:
        found.append(upgrade_error(CONFLICTING_SERVICES, "Upgrade cannot be performed because of conflicting "
                                   f"service types: the customer already has {offer.name}.", owned[0]["id"]))
    if upgrade_type == 2 and caller.app_only:
        found.append(upgrade_error(USER_CONTEXT_REQUIRED, "Upgrade cannot be performed because the current "
                                   "request is using app context."))
    return found


def list_upgrades(ctx: Context, caller: Caller, customer_id: str,
                  sub_id: str) -> tuple[Subscription, str, list[tuple[Offer, list[UpgradeProblem]]]]:
    """S14: the source, the customer's country and each target offer with why it can't be taken."""
    now = ctx.clock.now()
    sub = load_legacy(ctx, caller, customer_id, sub_id, now)
    country = customer_country(get_customer(ctx, caller.tenant, customer_id))
    return sub, country, [(offer, upgrade_errors(ctx, caller, sub, offer, 1, now))
                          for offer in upgrade_targets(ctx, sub)]


def upgrade_type_of(raw: int | str | None) -> int:
    if raw is None:
        return 1
    number = raw if isinstance(raw, int) else UPGRADE_TYPES.get(raw.strip().lower().replace(" ", ""))
    if number is None and isinstance(raw, str) and raw.strip().isdigit():
        number = int(raw.strip())
    if number not in UPGRADE_TYPE_NAMES:
        raise errors.InvalidRequestInput(f"upgradeType '{raw}' is not upgrade_only or upgrade_with_license_transfer")
    return number


def upgrade_subscription(ctx: Context, caller: Caller, customer_id: str, sub_id: str,
                         body: UpgradeIn) -> UpgradeResult:
    """S15 on the source subscription: the target offer's subscription is created; the source is
    suspended when all its seats move, or keeps the rest."""
    upgrade_type = upgrade_type_of(body.upgrade_type)
    now = ctx.clock.now()
    sub = load_legacy(ctx, caller, customer_id, sub_id, now)
    targets = upgrade_targets(ctx, sub)
    offer = next((o for o in targets if o.id.upper() == body.target_offer.id.strip().upper()), None)
    if not targets:
        problems = [upgrade_error(NO_UPGRADE_PATHS, "Upgrade cannot be performed because the source subscription "
                                  "does not have upgrade paths.")]
    elif offer is None:
        problems = [upgrade_error(TARGET_NOT_FOUND, "Upgrade cannot be performed because the specified upgrade path "
                                  "is not an available upgrade path.", body.target_offer.id)]
    else:
        problems = upgrade_errors(ctx, caller, sub, offer, upgrade_type, now)
    if offer is None or problems:
        return UpgradeResult(sub["id"], upgrade_type, problems, None)
    quantity = body.quantity if body.quantity is not None else sub["quantity"]
    if not 1 <= quantity <= sub["quantity"]:
        raise errors.LegacyQuantityOutOfRange(quantity, 1, sub["quantity"])
    target = new_target(ctx, caller, sub, offer, quantity, now)
    sub["events"].append(event(EventType.UPGRADE, now, quantity=quantity, to=target["id"],
                               type=UPGRADE_TYPE_NAMES[upgrade_type]))
    if quantity == sub["quantity"]:
        sub["status"] = SubscriptionStatus.SUSPENDED
        sub["events"].append(event(EventType.SUSPEND, now, quantity=sub["quantity"]))
    else:
        sub["events"].append(event(EventType.SEATS, now, quantity=sub["quantity"] - quantity, change=-quantity))
        sub["quantity"] -= quantity
    rules.save(ctx, sub)
    return UpgradeResult(sub["id"], upgrade_type, [], target["id"])


def new_target(ctx: Context, caller: Caller, sub: Subscription, offer: Offer, quantity: int,
               now: datetime) -> Subscription:
    """The target offer's subscription, bought like a legacy order line in the source's billing cycle.
    The upgrade places no order of its own: the new subscription's orderId is a fresh legacy (GUID) id."""
    customer = get_customer(ctx, caller.tenant, sub["customer_id"])
    market = require_market(ctx, customer_country(customer))
    cycle = sub["billing_cycle"] if sub["billing_cycle"] in offer.billing_cycles else None
    line = lines.PurchaseLineIn(catalog_item_id=offer.id, quantity=quantity, billing_cycle=cycle,
                                   partner_id_on_record=sub["partner_id"] or None)
    record = lines.check_line(ctx, market, line)
    if record["error"]:
        raise errors.InvalidRequestInput(record["error"]["errorDescription"])
    order = {"id": ctx.ids.guid(), "tenant": caller.tenant, "customer_id": customer["id"]}
    created = order_line(ctx, order, record, 0, now)
    return rules.load(ctx, caller.tenant, customer["id"], created["subscription_id"], now)


# --- S10, S11: legacy trial conversions ---------------------------------------------------

def list_conversions(ctx: Context, caller: Caller, customer_id: str, sub_id: str) -> list[dict[str, Any]]:
    """No catalog offer is a legacy trial or names conversion targets: nothing converts."""
    rules.load(ctx, caller.tenant, customer_id, sub_id)
    return []


def convert_trial(ctx: Context, caller: Caller, customer_id: str, sub_id: str, body: ConversionIn) -> dict[str, Any]:
    sub = rules.load(ctx, caller.tenant, customer_id, sub_id)
    if sub["kind"] == LEGACY_LICENSE and sub["is_trial"]:
        why = "The catalog names no conversion offer for it."
    elif sub["is_trial"]:
        why = "New commerce trials convert through transitions."
    else:
        why = "Only trial subscriptions convert to paid."
    raise errors.NotLegacyTrial(sub["id"], why)
