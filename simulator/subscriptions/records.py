"""Subscription records: the one owner of the `subscription` kind and its indexes, and of the
`transition`, `overage` and `product-upgrade` kinds; the record made from an order line, and the
roll-forward that derives renewals and expiries from stored dates and `now` (term dates: `dates`).

Every write of a subscription goes through `save`, which keeps the secondary indexes (a customer's
subscriptions by kind and SKU while not ended, by order, by base subscription) and the billing
calendar's pointers, so that a request reads what it touches, not the customer's whole history.
Ids are filed in their canonical case (`ids.key`).

A subscription is written when its order is placed, with `visible_from` set to the order's
provisioning time. Terms are not advanced by a background task: `current(ctx, sub, now)` returns
the record as it stands at `now` (renewed, expired, trial converted), and a write stores that.
Sources: subscription-resources.md, create-scheduled-changes.md (renewals run from 00:00 UTC
after the term's last day), purchase-new-commerce-license-based.md (7-day window after
purchase or renewal), change-the-quantity-of-a-subscription.md (seats added mid-term).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable, Iterator, TypedDict, cast

from simulator import ids, wire
from simulator.billing import calendar
from simulator.billing.records import calendar_state, save_calendar_state
from simulator.catalog.data import (AZURE_PLAN, LEGACY_AZURE, LEGACY_LICENSE, NCE, RESERVATION, SAAS,
                                    SOFTWARE_PERPETUAL, SOFTWARE_SUBSCRIPTION)
from simulator.context import Context
from simulator.customers import records as customer_records
from simulator.subscriptions.dates import AUTO_RENEWING, iso_duration_days, midnight, renewal_moment, renews, term_end

# --- the owner: subscriptions, their indexes, transitions, overage and product upgrades -----

SUBSCRIPTION, TRANSITION, OVERAGE, UPGRADE = "subscription", "transition", "overage", "product-upgrade"
# Secondary indexes, kept by `save`: pointer documents {"s": subscription id}, each filed under a parent
# whose scan costs what it holds (a customer's subscriptions of one kind, of one SKU, of one order...).
LIVE = "subscription_live"            # (tenant, customer, kind, id): the record is not ended
HELD_SKU = "subscription_sku"         # (tenant, customer, PRODUCT:SKU, id): not ended, by SKU
BY_ORDER = "subscription_order"       # (tenant, customer, order id, id)
BY_PARENT = "subscription_parent"     # (tenant, customer, base subscription id, id): add-ons
UPGRADE_OF = "product-upgrade_customer"  # (tenant, customer, upgrade id): {"u": upgrade id}
# (tenant, "indexes"): present once the indexes hold every subscription and upgrade of the partner. A
# store written before them (a --state file, a snapshot) has none: reads fall back to scans, and the
# first write indexes the partner once (`ensure_indexes`).
INDEXED = "subscription_indexes"
ENDED = ("deleted", "expired")  # a record written in one of these never comes back
KINDS = (NCE, AZURE_PLAN, RESERVATION, SAAS, SOFTWARE_PERPETUAL, SOFTWARE_SUBSCRIPTION, LEGACY_LICENSE,
         LEGACY_AZURE)


class Event(TypedDict, total=False):
    type: str                 # purchase, renew, seats, cancel, suspend, reactivate, expire, activate, ...
    at: str


class Subscription(TypedDict, total=False):
    key: str
    id: str
    tenant: str
    customer_id: str
    order_id: str
    kind: str                 # one of KINDS
    offer_id: str
    offer_name: str | None
    friendly_name: str | None
    quantity: int
    product_id: str | None
    sku_id: str | None
    availability_id: str | None
    term_duration: str | None
    billing_cycle: str | None
    created: str
    visible_from: str         # the order's provisioning moment: not readable before
    status: str               # active, suspended, deleted, expired, disabled
    renews_to: str | None
    is_trial: bool
    auto_renew: bool
    parent_subscription_id: str | None
    partner_id: str
    activated: bool
    entitlement_id: str | None
    entitlements: list[dict[str, Any]]
    publisher_name: str | None
    is_microsoft_product: bool
    custom_term_end_date: str | None
    scheduled: dict[str, Any] | None
    version: int
    unit_price: str | None
    events: list[Event]
    line_item_number: int | None
    start: str
    end: str | None
    cancellation_allowed_until: str | None
    seat_windows: list[dict[str, Any]]
    refund_options: list[dict[str, Any]]
    license_changed: str
    registered_at: str
    transition: dict[str, Any]  # a 0145P subscription moved by a product upgrade: {upgrade_id, at, to}


class Transition(TypedDict):
    key: str
    id: str
    number: int               # its place among the subscription's transitions
    tenant: str
    customer_id: str
    subscription_id: str
    from_catalog_item_id: str
    from_subscription_id: str
    to_catalog_item_id: str
    to_subscription_id: str
    quantity: int
    term_duration: str | None
    billing_cycle: str | None
    transition_type: str
    created: str


class Overage(TypedDict, total=False):
    customer_id: str
    azure_entitlement_id: str
    partner_id: str
    overage_enabled: bool
    updated: str


class ProductUpgrade(TypedDict):
    key: str
    id: str
    tenant: str
    customer_id: str
    product_family: str
    created: str
    completes_at: str
    settled: bool
    target_subscription_id: str
    target_name: str | None
    line_items: list[dict[str, Any]]


def subscription_key(tenant: str, customer_id: str, sub_id: str) -> tuple[str, str, str]:
    return (tenant, ids.key(customer_id), ids.key(sub_id))


def sku_key(product_id: str, sku_id: str) -> str:
    """How the catalog spells a SKU in prerequisites: PRODUCT:SKU in upper case."""
    return f"{product_id}:{sku_id}".upper()


def get(ctx: Context, tenant: str, customer_id: str, sub_id: str) -> Subscription | None:
    """The record as written (roll it forward with `current`), or None."""
    return cast("Subscription | None", ctx.store.get(SUBSCRIPTION, subscription_key(tenant, customer_id, sub_id)))


def list_for_customer(ctx: Context, tenant: str, customer_id: str, offset: int = 0,
                      limit: int | None = None) -> list[Subscription]:
    """The customer's records as written, in the order they were made (`limit` of them from `offset`)."""
    return cast("list[Subscription]", ctx.store.scan(SUBSCRIPTION, (tenant, ids.key(customer_id)), offset, limit))


def every(ctx: Context, tenant: str) -> Iterator[Subscription]:
    """Every record of the partner, customer by customer."""
    for customer in customer_records.list_all(ctx, tenant):
        yield from list_for_customer(ctx, tenant, customer["id"])


def save(ctx: Context, sub: Subscription) -> None:
    """Files the record as it is, and what follows from it: the indexes and the billing calendar's
    pointers (every write of a subscription goes through here)."""
    tenant = sub["tenant"]
    ensure_indexes(ctx, tenant)
    key = subscription_key(tenant, sub["customer_id"], sub["id"])
    before = cast("Subscription | None", ctx.store.get(SUBSCRIPTION, key))
    ctx.store.put(SUBSCRIPTION, key, dict(sub))
    reindex(ctx, before, sub)
    calendar.mark(ctx, sub, ensure_calendar(ctx, tenant))


def delete(ctx: Context, sub: Subscription) -> None:
    """The record and its index pointers (the billing calendar's pointers to it are read as gone)."""
    for transition in transitions_of(ctx, sub["tenant"], sub["customer_id"], sub["id"]):
        ctx.store.delete(TRANSITION, transition_key(sub["tenant"], sub["customer_id"], sub["id"], transition["id"]))
    reindex(ctx, sub, None)
    ctx.store.delete(SUBSCRIPTION, subscription_key(sub["tenant"], sub["customer_id"], sub["id"]))


def drop_customer(ctx: Context, tenant: str, customer_id: str) -> None:
    """Everything this owner holds for the customer: subscriptions with their transitions and index
    pointers, the overage setting and the product upgrades."""
    for sub in list_for_customer(ctx, tenant, customer_id):
        delete(ctx, sub)
    ctx.store.delete(OVERAGE, overage_key(tenant, customer_id))
    for upgrade in upgrades_of(ctx, tenant, customer_id):
        ctx.store.delete(UPGRADE, upgrade_key(tenant, upgrade["id"]))
        ctx.store.delete(UPGRADE_OF, (tenant, ids.key(customer_id), ids.key(upgrade["id"])))


# --- secondary indexes ----------------------------------------------------------------------

def pointers(sub: Subscription) -> dict[str, tuple[str, ...]]:
    """The index entries a record has: index kind -> key."""
    tenant, customer, me = sub["tenant"], ids.key(sub["customer_id"]), ids.key(sub["id"])
    found: dict[str, tuple[str, ...]] = {BY_ORDER: (tenant, customer, ids.key(sub["order_id"]), me)}
    if sub.get("parent_subscription_id"):
        found[BY_PARENT] = (tenant, customer, ids.key(sub["parent_subscription_id"] or ""), me)
    if sub["status"] not in ENDED:
        found[LIVE] = (tenant, customer, sub["kind"], me)
        if sub.get("product_id") and sub.get("sku_id"):
            found[HELD_SKU] = (tenant, customer, sku_key(sub["product_id"] or "", sub["sku_id"] or ""), me)
    return found


def reindex(ctx: Context, before: Subscription | None, after: Subscription | None) -> None:
    """Moves the index entries of a record from what it was to what it is (None: absent)."""
    old = pointers(before) if before is not None else {}
    new = pointers(after) if after is not None else {}
    for kind, key in old.items():
        if new.get(kind) != key:
            ctx.store.delete(kind, key)
    for kind, key in new.items():
        if old.get(kind) != key and after is not None:
            ctx.store.put(kind, key, {"s": after["id"]})


def indexed(ctx: Context, tenant: str) -> bool:
    return ctx.store.get(INDEXED, (tenant, "indexes")) is not None


def ensure_indexes(ctx: Context, tenant: str) -> None:
    """Indexes every subscription and product upgrade of a partner whose store has none yet, once."""
    if indexed(ctx, tenant):
        return
    for sub in every(ctx, tenant):
        reindex(ctx, None, sub)
    for upgrade in cast("list[ProductUpgrade]", ctx.store.scan(UPGRADE, (tenant,))):
        ctx.store.put(UPGRADE_OF, (tenant, ids.key(upgrade["customer_id"]), ids.key(upgrade["id"])),
                      {"u": upgrade["id"]})
    ctx.store.put(INDEXED, (tenant, "indexes"), {"version": 1})


def _pointed(ctx: Context, tenant: str, customer_id: str, index: str, parent: str) -> list[Subscription]:
    found = []
    for pointer in ctx.store.scan(index, (tenant, ids.key(customer_id), parent)):
        sub = get(ctx, tenant, customer_id, pointer["s"])
        if sub is not None:
            found.append(sub)
    return found


def live(ctx: Context, tenant: str, customer_id: str, kinds: Iterable[str] = KINDS) -> list[Subscription]:
    """The customer's records of these kinds not written as ended (roll them forward with `current`:
    a term may have ended since), reading only those."""
    wanted = tuple(kinds)
    if not indexed(ctx, tenant):
        return [s for s in list_for_customer(ctx, tenant, customer_id)
                if s["kind"] in wanted and s["status"] not in ENDED]
    found = [s for kind in wanted for s in _pointed(ctx, tenant, customer_id, LIVE, kind)]
    return sorted(found, key=lambda s: s["created"]) if len(wanted) > 1 else found


def live_of_skus(ctx: Context, tenant: str, customer_id: str, skus: Iterable[str]) -> list[Subscription]:
    """The customer's records of these SKUs (PRODUCT:SKU, any case) not written as ended, oldest first."""
    wanted = {s.upper() for s in skus}
    if not indexed(ctx, tenant):
        return [s for s in list_for_customer(ctx, tenant, customer_id) if s["status"] not in ENDED
                and s.get("product_id") and sku_key(s["product_id"] or "", s["sku_id"] or "") in wanted]
    found = [s for sku in sorted(wanted) for s in _pointed(ctx, tenant, customer_id, HELD_SKU, sku)]
    return sorted(found, key=lambda s: s["created"]) if len(wanted) > 1 else found


def of_order(ctx: Context, tenant: str, customer_id: str, order_id: str) -> list[Subscription]:
    """The records an order (or a product upgrade) made, in the order they were made."""
    if not indexed(ctx, tenant):
        return [s for s in list_for_customer(ctx, tenant, customer_id) if ids.same(s["order_id"], order_id)]
    return _pointed(ctx, tenant, customer_id, BY_ORDER, ids.key(order_id))


def add_ons_of(ctx: Context, tenant: str, customer_id: str, base_id: str) -> list[Subscription]:
    """The records whose base subscription is `base_id`, oldest first."""
    if not indexed(ctx, tenant):
        return [s for s in list_for_customer(ctx, tenant, customer_id)
                if ids.same(s.get("parent_subscription_id"), base_id)]
    return sorted(_pointed(ctx, tenant, customer_id, BY_PARENT, ids.key(base_id)), key=lambda s: s["created"])


# --- the billing calendar --------------------------------------------------------------------

def ensure_calendar(ctx: Context, tenant: str) -> dict[str, Any]:
    """The partner's calendar state ({"first": the first month marked}); a partner whose subscriptions
    were written before the calendar existed is marked now, once."""
    state = calendar_state(ctx, tenant)
    if state is not None:
        return state
    first = None
    for sub in every(ctx, tenant):
        month = calendar.put_marks(ctx, sub)
        first = month if first is None else min(first, month)
    state = {"first": first}
    save_calendar_state(ctx, tenant, state)
    return state


# --- transitions -----------------------------------------------------------------------------

def transition_key(tenant: str, customer_id: str, sub_id: str, transition_id: str) -> tuple[str, str, str, str]:
    return (tenant, ids.key(customer_id), ids.key(sub_id), ids.key(transition_id))


def transitions_of(ctx: Context, tenant: str, customer_id: str, sub_id: str) -> list[Transition]:
    """The subscription's transitions in the order they were posted."""
    return cast("list[Transition]", ctx.store.scan(TRANSITION, (tenant, ids.key(customer_id), ids.key(sub_id))))


def transition_count(ctx: Context, tenant: str, customer_id: str, sub_id: str) -> int:
    return ctx.store.count(TRANSITION, (tenant, ids.key(customer_id), ids.key(sub_id)))


def save_transition(ctx: Context, record: Transition) -> None:
    ctx.store.put(TRANSITION, transition_key(record["tenant"], record["customer_id"], record["subscription_id"],
                                             record["id"]), dict(record))


# --- overage ---------------------------------------------------------------------------------

def overage_key(tenant: str, customer_id: str) -> tuple[str, str, str]:
    return (tenant, ids.key(customer_id), "overage")


def get_overage(ctx: Context, tenant: str, customer_id: str) -> Overage | None:
    return cast("Overage | None", ctx.store.get(OVERAGE, overage_key(tenant, customer_id)))


def save_overage(ctx: Context, tenant: str, record: Overage) -> None:
    ctx.store.put(OVERAGE, overage_key(tenant, record["customer_id"]), dict(record))


# --- product upgrades ------------------------------------------------------------------------

def upgrade_key(tenant: str, upgrade_id: str) -> tuple[str, str]:
    return (tenant, ids.key(upgrade_id))


def get_upgrade(ctx: Context, tenant: str, upgrade_id: str) -> ProductUpgrade | None:
    return cast("ProductUpgrade | None", ctx.store.get(UPGRADE, upgrade_key(tenant, upgrade_id)))


def upgrades_of(ctx: Context, tenant: str, customer_id: str) -> list[ProductUpgrade]:
    """The customer's product upgrades, oldest first."""
    if not indexed(ctx, tenant):
        found = [u for u in cast("list[ProductUpgrade]", ctx.store.scan(UPGRADE, (tenant,)))
                 if ids.same(u["customer_id"], customer_id)]
    else:
        found = [u for p in ctx.store.scan(UPGRADE_OF, (tenant, ids.key(customer_id)))
                 if (u := get_upgrade(ctx, tenant, p["u"])) is not None]
    return sorted(found, key=lambda u: u["created"])


def save_upgrade(ctx: Context, upgrade: ProductUpgrade) -> None:
    tenant = upgrade["tenant"]
    ensure_indexes(ctx, tenant)
    ctx.store.put(UPGRADE, upgrade_key(tenant, upgrade["id"]), dict(upgrade))
    ctx.store.put(UPGRADE_OF, (tenant, ids.key(upgrade["customer_id"]), ids.key(upgrade["id"])), {"u": upgrade["id"]})


# --- the record made from an order line ------------------------------------------------------


def new_subscription(ctx: Context, order: dict[str, Any], line: dict[str, Any], *, start: datetime,
                     parent_id: str | None = None) -> dict[str, Any]:
    kind, sub_id = line["kind"], ctx.ids.guid()
    record = {
        "key": sub_id, "id": sub_id, "tenant": order["tenant"], "customer_id": order["customer_id"],
        "order_id": order["id"], "kind": kind, "offer_id": line["catalog_item_id"],
        "offer_name": line.get("offer_name") or line.get("friendly_name"),
        "friendly_name": line.get("friendly_name") or line.get("offer_name"), "quantity": line["quantity"],
        "product_id": line.get("product_id"), "sku_id": line.get("sku_id"),
        "availability_id": line.get("availability_id"), "term_duration": line.get("term_duration"),
        "billing_cycle": line.get("billing_cycle"), "created": wire.iso(start), "visible_from": wire.iso(start),
        "status": "active", "renews_to": line.get("renews_to"), "is_trial": bool(line.get("is_trial")),
        "auto_renew": kind in AUTO_RENEWING and (line.get("billing_cycle") != "none" or bool(line.get("renews_to"))),
        "parent_subscription_id": parent_id or line.get("parent_subscription_id"),
        "partner_id": line.get("partner_id_on_record") or "", "activated": kind != SAAS,
        "entitlement_id": ctx.ids.guid() if kind in (LEGACY_AZURE, AZURE_PLAN) else None,
        "publisher_name": line.get("publisher_name"), "is_microsoft_product": kind != SAAS,
        "custom_term_end_date": line.get("custom_term_end_date"), "scheduled": None, "version": 1,
        "unit_price": line.get("unit_price"), "events": [], "line_item_number": line.get("line_item_number"),
    }
    if kind == AZURE_PLAN:
        # Buying an Azure plan also creates one Azure subscription under it (create-azure-plan.md).
        record["entitlements"] = [{"id": record["entitlement_id"], "friendly_name": "Microsoft Azure",
                                   "created": wire.iso(start), "cancelled_at": None}]
    start_term(ctx, record, start)
    record["events"].append(event("purchase", start, quantity=line["quantity"], **price_facts(record)))
    return record


def start_term(ctx: Context, sub: dict[str, Any], start: datetime) -> None:
    """A new term (purchase or renewal): its dates, its cancellation window and refund options."""
    term = sub["term_duration"] or ("P1Y" if sub["kind"] == LEGACY_LICENSE else None)
    end = term_end(start, term)
    custom = sub.get("custom_term_end_date")
    if custom and sub["kind"] == NCE and end is not None:
        end = midnight(wire.parse_time(custom))
    window = start + timedelta(days=ctx.settings.cancellation_window_days)
    sub.update(start=wire.iso(start), end=wire.iso(end) if end else None, custom_term_end_date=None)
    if sub["kind"] == NCE:
        sub["cancellation_allowed_until"] = wire.iso(window)
        sub["seat_windows"] = [{"quantity": sub["quantity"], "until": wire.iso(window)}]
        sub["refund_options"] = refund_options(ctx, sub, start)
    else:
        sub.update(cancellation_allowed_until=None, seat_windows=[], refund_options=[])


def refund_options(ctx: Context, sub: dict[str, Any], start: datetime) -> list[dict[str, Any]]:
    av = ctx.catalog.availability(sub["product_id"], sub["sku_id"], sub["availability_id"])
    options = []
    for term in av.find_terms(sub["term_duration"], sub["billing_cycle"]) if av else []:
        for policy in term.get("cancellationPolicies") or []:
            for option in policy.get("refundOptions") or []:
                expires = start + timedelta(days=iso_duration_days(option.get("expiresAfter", "P7D")))
                options.append({"type": option.get("type", "Full"), "expiresAt": wire.iso(expires)})
    return options


def price_facts(sub: dict[str, Any]) -> dict[str, Any]:
    """What a new term is billed by (billing prices each term from the catalog with these)."""
    return {"offer_id": sub["offer_id"], "product_id": sub.get("product_id"), "sku_id": sub.get("sku_id"),
            "availability_id": sub.get("availability_id"), "term": sub.get("term_duration"),
            "cycle": sub.get("billing_cycle"), "end": sub.get("end"), "trial": bool(sub.get("is_trial"))}


def event(kind: str, moment: datetime, **facts: Any) -> dict[str, Any]:
    """What happened to a subscription and when; billing reads these (issue 6)."""
    return {"type": kind, "at": wire.iso(moment), **facts}


def etag(sub: dict[str, Any]) -> str:
    """Changes with every write and with every renewal or expiry applied on read (both add events)."""
    return wire.etag(sub["id"], sub["version"] + len(sub["events"]))


def visible(sub: dict[str, Any], now: datetime) -> bool:
    return wire.parse_time(sub["visible_from"]) <= now


def standing(ctx: Context, tenant: str, customer_id: str, now: datetime) -> list[dict[str, Any]]:
    """A customer's subscriptions as they stand at `now`: those visible yet, each rolled forward."""
    return [current(ctx, s, now) for s in list_for_customer(ctx, tenant, customer_id) if visible(s, now)]


def status(sub: dict[str, Any]) -> str:
    if sub["kind"] == SAAS and not sub["activated"] and sub["status"] == "active":
        return "pending"  # marketplace SaaS waits for activation (S8)
    return sub["status"]


# --- time ---------------------------------------------------------------------------------

def current(ctx: Context, sub: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The record as it stands at `now`: every term end passed since it was written is applied."""
    apply_transition(sub, now)
    follow_base(ctx, sub, now)
    moment = renewal_moment(sub)
    while moment is not None and moment <= now and sub["status"] in ("active", "suspended"):
        if sub["status"] == "suspended" or not renews(sub):
            sub.update(status="expired", auto_renew=False)
            sub["events"].append(event("expire", moment))
            break
        renew(ctx, sub, moment)
        moment = renewal_moment(sub)
    return sub


def apply_transition(sub: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A 0145P subscription moved by a completed upgrade is disabled from the completion moment."""
    moved = sub.get("transition")
    if moved and sub["status"] in ("active", "suspended") and wire.parse_time(moved["at"]) <= now:
        sub["status"] = "disabled"
        sub["events"].append(event("transition", wire.parse_time(moved["at"]), to=moved["to"]))
    return sub


def follow_base(ctx: Context, sub: dict[str, Any], now: datetime) -> None:
    """A new commerce add-on ends when its base ends, and renews onto the base's new term."""
    if sub["kind"] != NCE or not sub.get("parent_subscription_id") or sub["status"] not in ("active", "suspended"):
        return
    base = get(ctx, sub["tenant"], sub["customer_id"], sub["parent_subscription_id"])
    if base is None:
        return
    base = current(ctx, base, now)
    if base["status"] in ("deleted", "expired"):
        # The add-on ends when its base ended (not when it is read), with the base's refund.
        last = next((e for e in reversed(base["events"]) if e["type"] in ("cancel", "expire", "transition_out")),
                    {"type": "expire", "at": wire.iso(now)})
        sub.update(status=base["status"], auto_renew=False)
        sub["events"].append(event("cancel" if base["status"] == "deleted" else "expire", wire.parse_time(last["at"]),
                                   quantity=sub["quantity"], refund=last.get("refund")))
    elif sub.get("end") and base.get("end") and sub["end"] < base["end"] and renews(sub):
        sub["custom_term_end_date"] = base["end"]


def renew(ctx: Context, sub: dict[str, Any], moment: datetime) -> None:
    """Scheduled next-term instructions apply; a trial becomes the SKU it renews to."""
    plan = sub.get("scheduled") or {}
    product = plan.get("product") or {}
    if sub["is_trial"]:
        convert_trial(ctx, sub)
    if product.get("productId"):
        sku = ctx.catalog.sku(product["productId"], product["skuId"])
        title = sku.wire["title"] if sku else sub["offer_name"]
        if sub["friendly_name"] == sub["offer_name"]:
            sub["friendly_name"] = title  # a nickname the partner set stays
        sub.update(product_id=product["productId"], sku_id=product["skuId"], offer_name=title,
                   availability_id=product["availabilityId"],
                   offer_id=f"{product['productId']}:{product['skuId']}:{product['availabilityId']}")
    sub["term_duration"] = (product.get("termDuration") or sub.get("renews_to") or sub["term_duration"])
    sub["billing_cycle"] = (product.get("billingCycle") or sub["billing_cycle"]).lower()
    sub["quantity"] = plan.get("quantity") or sub["quantity"]
    sub["custom_term_end_date"] = plan.get("customTermEndDate") or sub.get("custom_term_end_date")
    sub.update(scheduled=None, renews_to=None)
    start_term(ctx, sub, moment)
    sub["events"].append(event("renew", moment, quantity=sub["quantity"], **price_facts(sub)))


def convert_trial(ctx: Context, sub: dict[str, Any]) -> None:
    """A trial converts to the SKU its availability's renewal instructions name."""
    av = ctx.catalog.availability(sub["product_id"], sub["sku_id"], sub["availability_id"])
    targets = [o.get("renewToId") for r in (av.wire.get("renewalInstructions") or []) if av
               for o in r.get("renewalOptions") or []]
    for target in filter(None, targets):
        product_id, _, sku_id = target.partition(":")
        sku = ctx.catalog.sku(product_id, sku_id)
        paid = next((a for a in sku.availabilities.values() if a.segment == "commercial"), None) if sku else None
        if paid is None:
            continue
        cycle = "monthly" if "monthly" in sku.wire.get("supportedBillingCycles", []) else sub["billing_cycle"]
        sub.update(product_id=sku.product.id, sku_id=sku.id, availability_id=paid.id,
                   offer_id=paid.wire["catalogItemId"], offer_name=sku.wire["title"], is_trial=False,
                   billing_cycle=cycle, term_duration=sub.get("renews_to") or "P1M")
        return
    sub["is_trial"] = False
