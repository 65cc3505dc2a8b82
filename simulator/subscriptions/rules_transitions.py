"""New commerce transitions (N2-N4).

Sources: transition-a-new-commerce-subscription.md (eligibilities, POST, trial to paid),
transition-resources.md, get-transitions.md,
error-codes.md (900236, 900258-900263, 900267).

Transitions: the targets of a source are the SKUs its catalog SKU names in
`dynamicAttributes.upgradeTargetOffers`. The seats move when the transition is posted; what the
transition reports (`status`, `Events`) is derived from its stored creation time and `now`: the
conversion completes `CONVERSION_TAKES` after the post, a license reassignment (transition with
license transfer) `LICENSE_REASSIGNMENT_TAKES` after that. No background task runs.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pydantic import Field

from simulator import errors, wire
from simulator.catalog.data import LEGACY_AZURE, LEGACY_LICENSE, NCE, Availability
from simulator.context import Caller, Context
from simulator.customers.records import customer_country, get_customer
from simulator.ids import name_guid, same
from simulator.orders import lines
from simulator.subscriptions import dates, lifecycle, records, rules
from simulator.subscriptions.kinds import EventType, SubscriptionStatus
from simulator.subscriptions.lifecycle import event
from simulator.subscriptions.records import Subscription
from simulator.subscriptions.rules import list_subscriptions, load, save

CONVERSION_TAKES = timedelta(minutes=5)
LICENSE_REASSIGNMENT_TAKES = timedelta(minutes=5)
TRANSITION_TYPES = ("transition_only", "transition_with_license_transfer")
ELIGIBILITY_TYPES = ("immediate", "scheduled")
LEGACY_KINDS = (LEGACY_LICENSE, LEGACY_AZURE)

# TransitionErrorCode (source-level reasons). The doc lists the descriptions without numbers; its one
# example gives 3 to "conflicting services", so the table's order is followed for the first two.
SOURCE_NOT_ACTIVE = (1, "Subscription can't be Transitioned - source subscription isn't active.")
# TargetSubscriptionErrorCode (transition-a-new-commerce-subscription.md, "Subscription eligibility errors").
TARGET_NOT_ACTIVE = (1, "Subscription is not active.")
TARGET_IN_WINDOW = (2, "Subscription is within cancellation window.")
TARGET_TERM_SHORTER = (3, "The subscription's term duration is shorter than the source subscription's term duration.")
TARGET_ENDS_EARLIER = (4, "Subscription term end date is before the source subscription's term end date.")


# --- request models -----------------------------------------------------------------------

class TransitionIn(wire.WireModel):
    from_catalog_item_id: str | None = None
    from_subscription_id: str | None = None
    to_catalog_item_id: str = Field(min_length=1)
    to_subscription_id: str | None = None
    quantity: int
    term_duration: str | None = None
    billing_cycle: str | None = None
    transition_type: str = Field(min_length=1)


# --- N2: eligibilities --------------------------------------------------------------------

class Eligibility(NamedTuple):
    """A target of the source: the existing subscriptions of the target SKU (each with why seats can't
    move into it) and why the source can't transition at all."""
    source: Subscription
    target: Availability
    subscriptions: list[tuple[Subscription, list[tuple[int, str]]]]
    reasons: list[tuple[int, str]]
    operation_id: str


def check_new_commerce(sub: Subscription) -> None:
    if sub["kind"] in LEGACY_KINDS:
        raise errors.LegacyNotSupported()


def upgrade_targets(ctx: Context, sub: Subscription) -> list[Availability]:
    """The availabilities of the SKUs the source SKU names in `upgradeTargetOffers`, in the source's
    segment (commercial when the target has none there)."""
    sku = lifecycle.sku_of(ctx, sub)
    source_av = lifecycle.availability_of(ctx, sub) if sku else None
    segment = source_av.segment if source_av else "commercial"
    found = []
    for name in (sku.attribute("upgradeTargetOffers") or []) if sku else []:
        product_id, _, sku_id = name.partition(":")
        target = ctx.catalog.sku(product_id, sku_id)
        avs = list(target.availabilities.values()) if target else []
        av = next((a for a in avs if a.segment == segment), None) or next(
            (a for a in avs if a.segment == "commercial"), None)
        if av is not None:
            found.append(av)
    return found


def target_problems(source: Subscription, target: Subscription, now: datetime) -> list[tuple[int, str]]:
    """Why seats can't move into an existing subscription (TargetSubscriptionErrorCode 1-4)."""
    problems = []
    if target["status"] != SubscriptionStatus.ACTIVE:
        problems.append(TARGET_NOT_ACTIVE)
    window = dates.at(target, "cancellation_allowed_until")
    if window is not None and now <= window:
        problems.append(TARGET_IN_WINDOW)
    if term_months(target) < term_months(source):
        problems.append(TARGET_TERM_SHORTER)
    source_end, target_end = dates.at(source, "end"), dates.at(target, "end")
    if source_end and target_end and target_end < source_end:
        problems.append(TARGET_ENDS_EARLIER)
    return problems


def term_months(sub: Subscription) -> int:
    return dates.TERM_MONTHS.get((sub.get("term_duration") or "").upper(), 0)


def subscriptions_of(subs: list[Subscription], av: Availability, source: Subscription) -> list[Subscription]:
    """The customer's other subscriptions of the target SKU (deleted ones aside)."""
    return [s for s in subs if s["kind"] == NCE and s["status"] != SubscriptionStatus.DELETED
            and not same(s["id"], source["id"])
            and same(s.get("product_id"), av.sku.product.id) and same(s.get("sku_id"), av.sku.id)]


def transition_eligibilities(ctx: Context, caller: Caller, customer_id: str, sub_id: str,
                             eligibility_type: str | None) -> list[Eligibility]:
    now = ctx.clock.now()
    source = load(ctx, caller.tenant, customer_id, sub_id, now)
    check_new_commerce(source)
    kind = (eligibility_type or "immediate").lower()
    if kind not in ELIGIBILITY_TYPES:
        raise errors.InvalidRequestInput(f"eligibilityType '{eligibility_type}' is not one of immediate, scheduled")
    # Empty lists for a trial source and for scheduled transitions (the doc's "Subscription eligibility errors").
    if kind == "scheduled" or source["is_trial"] or source["kind"] != NCE:
        return []
    operation_id = name_guid(f"transitioneligibilities:{source['id']}:{wire.iso(now)}")
    reasons = [] if source["status"] == SubscriptionStatus.ACTIVE else [SOURCE_NOT_ACTIVE]
    subs = list_subscriptions(ctx, caller.tenant, customer_id, now=now)
    return [Eligibility(source, av, [(t, target_problems(source, t, now)) for t in subscriptions_of(subs, av, source)],
                        reasons, operation_id)
            for av in upgrade_targets(ctx, source)]


# --- N3: post a transition ----------------------------------------------------------------

def transition_subscription(ctx: Context, caller: Caller, customer_id: str, sub_id: str,
                            body: TransitionIn) -> records.Transition:
    """Seats move now: into `toSubscriptionId`, or into a new subscription of the target SKU. The
    source loses them and ends (deleted) when none are left; a trial converts to paid this way."""
    now = ctx.clock.now()
    source = load(ctx, caller.tenant, customer_id, sub_id, now)
    check_source(source, body)
    transition_type = body.transition_type.lower()
    if transition_type not in TRANSITION_TYPES:
        raise errors.InvalidRequestInput(f"transitionType '{body.transition_type}' is not one of "
                                         f"{', '.join(TRANSITION_TYPES)}")
    av = next((a for a in upgrade_targets(ctx, source) if same(a.wire["catalogItemId"], body.to_catalog_item_id)),
              None)
    if av is None:
        raise errors.InvalidRequestInput(f"toCatalogItemId '{body.to_catalog_item_id}' is not an upgrade target of "
                                         f"{source['offer_id']}")
    if not 1 <= body.quantity <= source["quantity"]:
        raise errors.InvalidRequestInput(f"quantity must be between 1 and the source's {source['quantity']}")
    transition_id = ctx.ids.guid()
    if body.to_subscription_id:
        target = move_into(ctx, caller, customer_id, source, av, body, now)
    else:
        target = new_target(ctx, caller, customer_id, source, av, body, now)
    facts = {"transition": transition_id, "quantity": body.quantity}
    give_up_seats(source, body.quantity, now, to_subscription=target["id"], **facts)
    target["events"][-1] = lifecycle.with_facts(target["events"][-1], from_subscription=source["id"], **facts)
    if source["status"] == SubscriptionStatus.DELETED:
        move_add_ons(ctx, source, target)
    save(ctx, target)
    save(ctx, source)
    number = records.transition_count(ctx, caller.tenant, source["customer_id"], source["id"])
    record: records.Transition = {
        "key": transition_id, "id": transition_id, "number": number, "tenant": caller.tenant,
        "customer_id": source["customer_id"], "subscription_id": source["id"],
        "from_catalog_item_id": source["offer_id"], "from_subscription_id": source["id"],
        "to_catalog_item_id": av.wire["catalogItemId"], "to_subscription_id": target["id"],
        "quantity": body.quantity, "term_duration": target["term_duration"], "billing_cycle": target["billing_cycle"],
        "transition_type": transition_type, "created": wire.iso(now)}
    records.save_transition(ctx, record)
    return record


def check_source(source: Subscription, body: TransitionIn) -> None:
    check_new_commerce(source)
    if source["kind"] != NCE:
        raise errors.InvalidRequestInput("only new commerce license-based subscriptions are transitioned")
    if source["status"] != SubscriptionStatus.ACTIVE:
        raise errors.SourceNotActive()
    if body.from_subscription_id and not same(body.from_subscription_id, source["id"]):
        raise errors.InvalidRequestInput("fromSubscriptionId is not the subscription in the path")
    if body.from_catalog_item_id and not same(body.from_catalog_item_id, source["offer_id"]):
        raise errors.InvalidRequestInput(f"fromCatalogItemId is not the subscription's {source['offer_id']}")


def check_seats(ctx: Context, av: Availability, quantity: int) -> None:
    lines.check_quantity(quantity, av.sku.minimum, av.sku.maximum, av.wire["catalogItemId"])
    if ctx.settings.sandbox_limits and quantity > lines.SANDBOX_SEATS:
        raise errors.SandboxSeatLimit(lines.SANDBOX_SEATS)


def move_into(ctx: Context, caller: Caller, customer_id: str, source: Subscription, av: Availability,
              body: TransitionIn, now: datetime) -> Subscription:
    """Seats join an existing subscription of the target SKU (errors 900259, 900260, 900258, 900261,
    900267, 900236 in the order of the eligibility checks)."""
    if same(body.to_subscription_id, source["id"]):
        raise errors.TargetIsSource()
    target = load(ctx, caller.tenant, customer_id, body.to_subscription_id or "")
    if not same(target["offer_id"], body.to_catalog_item_id):
        raise errors.TargetCatalogItemMismatch()
    codes = {code for code, _ in target_problems(source, target, now)}
    for code, problem in ((1, errors.TargetNotActive), (2, errors.TargetNotReady), (3, errors.TargetTermShorter),
                          (4, errors.TargetEndsEarlier)):
        if code in codes:
            raise problem()
    wanted = target["quantity"] + body.quantity
    check_seats(ctx, av, wanted)
    rules.move_seat_windows(ctx, target, body.quantity, now)
    target.update({"quantity": wanted, "license_changed": wire.iso(now)})
    target["events"].append(event(EventType.TRANSITION_IN, now, seats=body.quantity))
    return target


def new_target(ctx: Context, caller: Caller, customer_id: str, source: Subscription, av: Availability,
               body: TransitionIn, now: datetime) -> Subscription:
    """A new subscription of the target SKU, on the order of the source; a trial becomes paid."""
    term = body.term_duration or source["term_duration"]
    cycle = body.billing_cycle or (None if source["billing_cycle"] in ("none", None) else source["billing_cycle"])
    item = av.wire["catalogItemId"]
    line_in = lines.PurchaseLineIn(catalog_item_id=item, quantity=body.quantity, term_duration=term,
                                      billing_cycle=cycle or ("monthly" if source["is_trial"] else None))
    term, cycle = lines.check_term_and_cycle(av, line_in)
    if not source["is_trial"] and dates.TERM_MONTHS.get(term or "", 0) < term_months(source):
        raise errors.TargetTermShorter()
    check_seats(ctx, av, body.quantity)
    customer = get_customer(ctx, caller.tenant, customer_id)
    market = ctx.catalog.market(customer_country(customer))
    sku = av.sku
    line = {"kind": NCE, "catalog_item_id": item, "offer_name": sku.wire.get("title"),
            "friendly_name": sku.wire.get("title"), "quantity": body.quantity, "product_id": sku.product.id,
            "sku_id": sku.id, "availability_id": av.id, "term_duration": term, "billing_cycle": cycle,
            "is_trial": False, "partner_id_on_record": source.get("partner_id") or None,
            "publisher_name": sku.product.wire.get("publisherName"),
            "unit_price": str(market.price(av.price_usd(term, cycle))) if market else None}
    order = {"id": source["order_id"], "tenant": source["tenant"], "customer_id": source["customer_id"]}
    target = lifecycle.new_subscription(ctx, order, line, start=now)
    target["license_changed"] = wire.iso(now)
    return target


def give_up_seats(source: Subscription, seats: int, now: datetime, **facts: Any) -> None:
    """The source loses the seats; with none left it ends (status deleted, its last quantity kept)."""
    left = source["quantity"] - seats
    source["events"].append(event(EventType.TRANSITION_OUT, now, **{"seats": seats, **facts}))
    source["license_changed"] = wire.iso(now)
    if left == 0:
        source.update({"status": SubscriptionStatus.DELETED, "auto_renew": False, "seat_windows": [],
                       "scheduled": None})
        return
    source["quantity"] = left
    keep, windows = left, []
    for window in source.get("seat_windows") or []:  # refundable seats can't outnumber the seats left
        taken = min(window["quantity"], keep)
        keep -= taken
        if taken:
            windows.append({**window, "quantity": taken})
    source["seat_windows"] = windows


def move_add_ons(ctx: Context, source: Subscription, target: Subscription) -> None:
    """A source that ends hands its new commerce add-ons to the target when the target's SKU is one of
    their prerequisites; the others end with it (lifecycle.follow_base)."""
    wanted = f"{target['product_id']}:{target['sku_id']}".upper()
    for child in rules.children(ctx, source):
        sku = lifecycle.sku_of(ctx, child) if child["kind"] == NCE else None
        if sku and wanted in {p.upper() for p in sku.attribute("prerequisiteSkus") or []}:
            child["parent_subscription_id"] = target["id"]
            save(ctx, child)


# --- N4: list transitions -----------------------------------------------------------------

def list_transitions(ctx: Context, caller: Caller, customer_id: str, sub_id: str,
                     operation_id: str | None) -> list[records.Transition]:
    source = load(ctx, caller.tenant, customer_id, sub_id)
    check_new_commerce(source)
    found = records.transitions_of(ctx, caller.tenant, source["customer_id"], source["id"])
    if operation_id:
        found = [t for t in found if same(t["id"], operation_id)]
    return sorted(found, key=lambda t: t["number"])
