"""Subscription records: the one owner of the `subscription` kind and its indexes, and of the
`transition`, `overage` and `product-upgrade` kinds. What happens to a record (made from an order line,
rolled forward by time) is `lifecycle`'s; term dates are `dates`'.

Every write of a subscription goes through `save`, which keeps the secondary indexes (a customer's
subscriptions by kind and SKU while not ended, by order, by base subscription) and the billing
calendar's pointers, so that a request reads what it touches, not the customer's whole history.
Ids are filed in their canonical case (`ids.key`).

A subscription is written when its order is placed, with `visible_from` set to the order's
provisioning time; `lifecycle.current(ctx, sub, now)` returns it as it stands at `now`.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypedDict, cast

from simulator import ids
from simulator.billing import calendar
from simulator.billing import records as billing_records
from simulator.catalog.data import (
    AZURE_PLAN,
    LEGACY_AZURE,
    LEGACY_LICENSE,
    NCE,
    RESERVATION,
    SAAS,
    SOFTWARE_PERPETUAL,
    SOFTWARE_SUBSCRIPTION,
)
from simulator.context import Context
from simulator.customers import records as customer_records
from simulator.subscriptions.dates import renewal_moment
from simulator.webhooks import events as webhook_events

# --- the owner: subscriptions, their indexes, transitions, overage and product upgrades -----

SUBSCRIPTION, TRANSITION, OVERAGE, UPGRADE = "subscription", "transition", "overage", "product-upgrade"
# Secondary indexes, kept by `save`: lists, all of a customer's in one shelf (tenant, customer), one list
# per name: "live:KIND" (the records not ended, each entry "ID PRODUCT:SKU", or "ID" for a record without a
# SKU), "order:ORDER" (the records an order or a product transition made) and "parent:BASE" (add-ons of a
# base subscription), entries "ID"; ids in canonical case. A list is filed in pages of PAGE entries: page 0
# under the name, {"s": [entries], "p": pages} ("p" left out while there is one page), page n under
# "NAME#n" {"s": [entries]}; adding an entry touches the first and last pages only, so a write costs the
# same after a long history. A few small documents per customer, where version 1 filed one pointer
# document per subscription and index, each in a shelf of its own: the store spends far more on each
# document and shelf than on their JSON (issue 13: RSS at scale).
INDEX = "subscription_index"          # (tenant, customer, name or name#page): a page of entries
PAGE = 100
LIVE, BY_ORDER, BY_PARENT = "live", "order", "parent"
HELD_SKU = "sku"  # version 1 only
UPGRADE_OF = "product-upgrade_customer"  # (tenant, customer, upgrade id): {"u": upgrade id}
# (tenant, "indexes"): {"version": INDEX_VERSION} once the indexes hold every subscription and upgrade of
# the partner. A store written before them (a --state file, a snapshot) has none: reads fall back to
# scans, and the first write indexes the partner once (`ensure_indexes`). Version 1 filed one pointer
# document {"s": id} per subscription and index under (tenant, customer, value, id) in the kinds of
# OLD_POINTERS; the first write of such a store removes them and indexes the partner again.
INDEXED = "subscription_indexes"
INDEX_VERSION = 2
OLD_POINTERS = {LIVE: "subscription_live", HELD_SKU: "subscription_sku", BY_ORDER: "subscription_order",
                BY_PARENT: "subscription_parent"}
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
    refund_window_days: int | None  # marketplace SaaS: the days its cancellation policy allows
    seat_windows: list[dict[str, Any]]
    refund_options: list[dict[str, Any]]
    license_changed: str
    registered_at: str
    transition: dict[str, Any]  # a 0145P subscription moved by a product upgrade: {upgrade_id, at, to}
    marks: dict[str, list[Any]]  # where billing's calendar filed its pointers (billing_records.Placed), kept by save


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
    state = ensure_calendar(ctx, tenant)
    key = subscription_key(tenant, sub["customer_id"], sub["id"])
    before = cast("Subscription | None", ctx.store.get(SUBSCRIPTION, key))
    record: dict[str, Any] = dict(sub)
    record["marks"] = calendar.mark(ctx, sub, state, (before or {}).get("marks") or {})
    ctx.store.put(SUBSCRIPTION, key, record)  # a copy already (the store keeps JSON, never the dict)
    reindex(ctx, before, sub)
    if webhook_events.watching(ctx, tenant) is not None:  # the partner asked for subscription-updated
        webhook_events.subscription_saved(ctx, None if before is None else dict(before), dict(sub),
                                          renewal_moment(sub))
        if before is not None and before["status"] != sub["status"] and not sub.get("parent_subscription_id"):
            now = ctx.clock.now()  # its add-ons follow the base (follow_base), without a write of their own
            for addon in add_ons_of(ctx, tenant, sub["customer_id"], sub["id"]):
                if addon["status"] in ("active", "suspended"):
                    webhook_events.subscription_changed(ctx, dict(addon), now)


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

def pointers(sub: Subscription) -> dict[str, tuple[str, str]]:
    """The index entries a record has: index -> (the value it is listed under, its entry)."""
    me = ids.key(sub["id"])
    found = {BY_ORDER: (ids.key(sub["order_id"]), me)}
    if sub.get("parent_subscription_id"):
        found[BY_PARENT] = (ids.key(sub["parent_subscription_id"] or ""), me)
    if sub["status"] not in ENDED:
        sku = sku_key(sub["product_id"] or "", sub["sku_id"] or "") if sub.get("product_id") and sub.get(
            "sku_id") else ""
        found[LIVE] = (sub["kind"], f"{me} {sku}" if sku else me)
    return found


def _id_of(entry: str) -> str:
    return entry.partition(" ")[0]


def reindex(ctx: Context, before: Subscription | None, after: Subscription | None) -> None:
    """Moves the index entries of a record from what it was to what it is (None: absent); an entry
    whose list stays (a live record renewed onto another SKU) changes in place."""
    record = after if after is not None else before
    if record is None:
        return
    old = pointers(before) if before is not None else {}
    new = pointers(after) if after is not None else {}
    tenant, customer, me = record["tenant"], ids.key(record["customer_id"]), ids.key(record["id"])
    for index in (BY_ORDER, BY_PARENT, LIVE):
        was, now = old.get(index), new.get(index)
        if was == now:
            continue
        if was is not None and now is not None and was[0] == now[0]:
            unlist(ctx, (tenant, customer, f"{index}:{was[0]}"), me, now[1])
            continue
        if was is not None:
            unlist(ctx, (tenant, customer, f"{index}:{was[0]}"), me)
        if now is not None:
            enlist(ctx, (tenant, customer, f"{index}:{now[0]}"), now[1])


def _page_key(head: tuple[str, str, str], page: int) -> tuple[str, str, str]:
    return head if page == 0 else (head[0], head[1], f"{head[2]}#{page}")


def enlist(ctx: Context, head: tuple[str, str, str], entry: str) -> None:
    """Appends an entry to a list: on its last page, or on a new one when that is full."""
    first: dict[str, Any] = ctx.store.get(INDEX, head) or {"s": []}
    pages = int(first.get("p", 1))
    last: dict[str, Any] = first if pages == 1 else (ctx.store.get(INDEX, _page_key(head, pages - 1)) or {"s": []})
    if len(last["s"]) < PAGE:
        last["s"].append(entry)
        ctx.store.put(INDEX, _page_key(head, pages - 1), last)
        return
    ctx.store.put(INDEX, _page_key(head, pages), {"s": [entry]})
    first["p"] = pages + 1
    ctx.store.put(INDEX, head, first)


def unlist(ctx: Context, head: tuple[str, str, str], sub_id: str, instead: str | None = None) -> None:
    """Takes a record's entry off a list, or puts `instead` in its place; a list left empty goes, all
    its pages."""
    first = ctx.store.get(INDEX, head)
    if first is None:
        return
    pages: list[dict[str, Any]] = [first]
    pages += [ctx.store.get(INDEX, _page_key(head, n)) or {"s": []} for n in range(1, int(first.get("p", 1)))]
    for n, page in enumerate(pages):
        at = next((i for i, entry in enumerate(page["s"]) if _id_of(entry) == sub_id), None)
        if at is None:
            continue
        if instead is not None:
            page["s"][at] = instead
        else:
            del page["s"][at]
        if any(p["s"] for p in pages):
            ctx.store.put(INDEX, _page_key(head, n), page)
        else:
            for gone in range(len(pages)):
                ctx.store.delete(INDEX, _page_key(head, gone))
        return


def listed(ctx: Context, tenant: str, customer_id: str, index: str, value: str) -> list[str]:
    """The entries of a list, in the order they were added."""
    head = (tenant, ids.key(customer_id), f"{index}:{value}")
    first = ctx.store.get(INDEX, head)
    if first is None:
        return []
    found = list(first["s"])
    for page in range(1, int(first.get("p", 1))):
        found.extend((ctx.store.get(INDEX, _page_key(head, page)) or {"s": []})["s"])
    return found


def indexed(ctx: Context, tenant: str) -> bool:
    state = ctx.store.get(INDEXED, (tenant, "indexes"))
    return state is not None and state.get("version") == INDEX_VERSION


def old_pointers(sub: Subscription) -> list[tuple[str, tuple[str, ...]]]:
    """The version 1 pointer documents of a record: (kind, key)."""
    tenant, customer, me = sub["tenant"], ids.key(sub["customer_id"]), ids.key(sub["id"])
    found: list[tuple[str, tuple[str, ...]]] = [
        (OLD_POINTERS[BY_ORDER], (tenant, customer, ids.key(sub["order_id"]), me))]
    if sub.get("parent_subscription_id"):
        found.append((OLD_POINTERS[BY_PARENT], (tenant, customer, ids.key(sub["parent_subscription_id"] or ""), me)))
    if sub["status"] not in ENDED:
        found.append((OLD_POINTERS[LIVE], (tenant, customer, sub["kind"], me)))
        if sub.get("product_id") and sub.get("sku_id"):
            found.append((OLD_POINTERS[HELD_SKU], (tenant, customer, sku_key(sub["product_id"] or "",
                                                                            sub["sku_id"] or ""), me)))
    return found


def ensure_indexes(ctx: Context, tenant: str) -> None:
    """Indexes every subscription and product upgrade of a partner whose store has none yet (or has the
    version 1 pointers, which go), once."""
    state = ctx.store.get(INDEXED, (tenant, "indexes"))
    if state is not None and state.get("version") == INDEX_VERSION:
        return
    for sub in every(ctx, tenant):
        if state is not None:  # version 1: one pointer document per subscription and index
            for kind, key in old_pointers(sub):
                ctx.store.delete(kind, key)
        reindex(ctx, None, sub)
    if state is None:
        for upgrade in cast("list[ProductUpgrade]", ctx.store.scan(UPGRADE, (tenant,))):
            ctx.store.put(UPGRADE_OF, (tenant, ids.key(upgrade["customer_id"]), ids.key(upgrade["id"])),
                          {"u": upgrade["id"]})
    ctx.store.put(INDEXED, (tenant, "indexes"), {"version": INDEX_VERSION})


def _read(ctx: Context, tenant: str, customer_id: str, entries: Iterable[str]) -> list[Subscription]:
    found = []
    for entry in entries:
        sub = get(ctx, tenant, customer_id, _id_of(entry))
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
    found = [s for kind in wanted
             for s in _read(ctx, tenant, customer_id, listed(ctx, tenant, customer_id, LIVE, kind))]
    return sorted(found, key=lambda s: s["created"]) if len(wanted) > 1 else found


def live_of_skus(ctx: Context, tenant: str, customer_id: str, skus: Iterable[str]) -> list[Subscription]:
    """The customer's records of these SKUs (PRODUCT:SKU, any case) not written as ended, oldest first
    (reading the live lists, which name each record's SKU, and only the records of those SKUs)."""
    wanted = {s.upper() for s in skus}
    if not indexed(ctx, tenant):
        return [s for s in list_for_customer(ctx, tenant, customer_id) if s["status"] not in ENDED
                and s.get("product_id") and sku_key(s["product_id"] or "", s["sku_id"] or "") in wanted]
    entries = [e for kind in KINDS for e in listed(ctx, tenant, customer_id, LIVE, kind)
               if e.partition(" ")[2] in wanted]
    return sorted(_read(ctx, tenant, customer_id, entries), key=lambda s: s["created"])


def of_order(ctx: Context, tenant: str, customer_id: str, order_id: str) -> list[Subscription]:
    """The records an order (or a product upgrade) made, in the order they were made."""
    if not indexed(ctx, tenant):
        return [s for s in list_for_customer(ctx, tenant, customer_id) if ids.same(s["order_id"], order_id)]
    return _read(ctx, tenant, customer_id, listed(ctx, tenant, customer_id, BY_ORDER, ids.key(order_id)))


def add_ons_of(ctx: Context, tenant: str, customer_id: str, base_id: str) -> list[Subscription]:
    """The records whose base subscription is `base_id`, oldest first."""
    if not indexed(ctx, tenant):
        return [s for s in list_for_customer(ctx, tenant, customer_id)
                if ids.same(s.get("parent_subscription_id"), base_id)]
    return sorted(_read(ctx, tenant, customer_id, listed(ctx, tenant, customer_id, BY_PARENT, ids.key(base_id))),
                  key=lambda s: s["created"])


# --- the billing calendar --------------------------------------------------------------------

def ensure_calendar(ctx: Context, tenant: str) -> billing_records.CalendarState:
    """The partner's calendar state ({"first": the first month marked, "version"}): a partner whose
    subscriptions were written before the calendar existed is marked now, once; one of version 1 (a
    document per pointer) has its pointers turned into pages once, each at its offset."""
    stored = billing_records.calendar_state(ctx, tenant)
    if stored is not None and stored.get("version") == billing_records.CALENDAR_VERSION:
        return stored
    first: int | None = None
    if stored is None:
        for sub in every(ctx, tenant):
            month, placed = calendar.put_marks(ctx, sub, {})
            ctx.store.put(SUBSCRIPTION, subscription_key(tenant, sub["customer_id"], sub["id"]),
                          {**sub, "marks": placed})
            first = month if first is None else min(first, month)
    else:
        first = stored.get("first")
        subs = list(every(ctx, tenant))
        latest = max((calendar.latest_month(s) for s in subs), default=first or 0)
        placed_by_id = billing_records.convert_marks(ctx, tenant, calendar.every_bucket(first, latest))
        for sub in subs:
            ctx.store.put(SUBSCRIPTION, subscription_key(tenant, sub["customer_id"], sub["id"]),
                          {**sub, "marks": placed_by_id.get(ids.key(sub["id"]), {})})
    state: billing_records.CalendarState = {"first": first, "version": billing_records.CALENDAR_VERSION}
    billing_records.save_calendar_state(ctx, tenant, state)
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
