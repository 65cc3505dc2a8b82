"""A subscription's life: the record made from an order line, and what time does to it. Terms are not
advanced by a background task: `current(ctx, sub, now)` returns the record as it stands at `now`
(renewed, expired, trial converted, an add-on ended with its base), and a write stores that; states
derived from stored moments (Azure entitlements, product upgrades) are read at `now` too. The records
themselves, their indexes and the store are the owner's (records.py); term dates are `dates`'.
Sources: subscription-resources.md, create-scheduled-changes.md (renewals run from 00:00 UTC
after the term's last day), purchase-new-commerce-license-based.md (7-day window after
purchase or renewal), change-the-quantity-of-a-subscription.md (seats added mid-term).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from simulator import ids, wire
from simulator.catalog.data import AZURE_PLAN, LEGACY_AZURE, LEGACY_LICENSE, NCE, SAAS, Availability, Sku
from simulator.context import Context
from simulator.subscriptions.dates import AUTO_RENEWING, iso_duration_days, midnight, renewal_moment, renews, term_end
from simulator.subscriptions.records import Event, Subscription, get, list_for_customer

# --- the record made from an order line ------------------------------------------------------

def new_subscription(ctx: Context, order: Mapping[str, Any], line: Mapping[str, Any], *, start: datetime,
                     parent_id: str | None = None) -> Subscription:
    kind, sub_id, at = line["kind"], ctx.ids.guid(), wire.iso(start)
    record: Subscription = {
        "key": sub_id, "id": sub_id, "tenant": order["tenant"], "customer_id": order["customer_id"],
        "order_id": order["id"], "kind": kind, "offer_id": line["catalog_item_id"],
        "offer_name": line.get("offer_name") or line.get("friendly_name"),
        "friendly_name": line.get("friendly_name") or line.get("offer_name"), "quantity": line["quantity"],
        "product_id": line.get("product_id"), "sku_id": line.get("sku_id"),
        "availability_id": line.get("availability_id"), "term_duration": line.get("term_duration"),
        "billing_cycle": line.get("billing_cycle"), "created": at, "visible_from": at,
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
                                   "created": at, "cancelled_at": None}]
    start_term(ctx, record, start)
    record["events"].append(event("purchase", start, quantity=line["quantity"], **price_facts(record)))
    return record


def start_term(ctx: Context, sub: Subscription, start: datetime) -> None:
    """A new term (purchase or renewal): its dates, its cancellation window and refund options."""
    term = sub["term_duration"] or ("P1Y" if sub["kind"] == LEGACY_LICENSE else None)
    end = term_end(start, term)
    custom = sub.get("custom_term_end_date")
    if custom and sub["kind"] == NCE and end is not None:
        end = midnight(wire.parse_time(custom))
    window = start + timedelta(days=ctx.settings.cancellation_window_days)
    sub.update({"start": wire.iso(start), "end": wire.iso(end), "custom_term_end_date": None})
    if sub["kind"] == NCE:
        until = wire.iso(window)
        sub["cancellation_allowed_until"] = until
        sub["seat_windows"] = [{"quantity": sub["quantity"], "until": until}]
        sub["refund_options"] = refund_options(ctx, sub, start)
    else:
        sub.update({"cancellation_allowed_until": None, "seat_windows": [], "refund_options": []})
        if sub["kind"] == SAAS and sub.get("activated"):
            open_refund_window(ctx, sub, start)


def open_refund_window(ctx: Context, sub: Subscription, start: datetime) -> None:
    """Marketplace SaaS follows its availability's cancellation policy from the moment it bills: its
    activation (S8), then each renewal. The refund options run from there (`expiresAfter`, P1D in the
    catalog), and the subscription can be cancelled until the last of them expires
    (cancel-an-azure-marketplace-subscription.md: `refundOptions[].expiresAt` one day after
    `effectiveStartDate`). A term whose policy offers no refund (a free trial) keeps no window."""
    sub["refund_options"] = refund_options(ctx, sub, start)
    ends = [o["expiresAt"] for o in sub["refund_options"]]
    sub["cancellation_allowed_until"] = max(ends, key=wire.parse_time) if ends else None
    sub["refund_window_days"] = max((wire.parse_time(e) - start).days for e in ends) if ends else None


def refund_options(ctx: Context, sub: Subscription, start: datetime) -> list[dict[str, Any]]:
    av = availability_of(ctx, sub)
    options = []
    for term in av.find_terms(sub["term_duration"], sub["billing_cycle"]) if av else []:
        for policy in term.get("cancellationPolicies") or []:
            for option in policy.get("refundOptions") or []:
                expires = start + timedelta(days=iso_duration_days(option.get("expiresAfter", "P7D")))
                options.append({"type": option.get("type", "Full"), "expiresAt": wire.iso(expires)})
    return options


def availability_of(ctx: Context, sub: Mapping[str, Any]) -> Availability | None:
    """The catalog availability the record was bought from (None for a legacy offer)."""
    product_id, sku_id, av_id = sub.get("product_id"), sub.get("sku_id"), sub.get("availability_id")
    if not (product_id and sku_id and av_id):
        return None
    return ctx.catalog.availability(product_id, sku_id, av_id)


def sku_of(ctx: Context, sub: Mapping[str, Any]) -> Sku | None:
    """The catalog SKU the record was bought from (None for a legacy offer)."""
    product_id, sku_id = sub.get("product_id"), sub.get("sku_id")
    return ctx.catalog.sku(product_id, sku_id) if product_id and sku_id else None


def price_facts(sub: Mapping[str, Any]) -> dict[str, Any]:
    """What a new term is billed by (billing prices each term from the catalog with these)."""
    return {"offer_id": sub["offer_id"], "product_id": sub.get("product_id"), "sku_id": sub.get("sku_id"),
            "availability_id": sub.get("availability_id"), "term": sub.get("term_duration"),
            "cycle": sub.get("billing_cycle"), "end": sub.get("end"), "trial": bool(sub.get("is_trial"))}


def event(kind: str, moment: datetime, **facts: Any) -> Event:
    """What happened to a subscription and when; billing reads these (issue 6)."""
    return cast(Event, {"type": kind, "at": wire.iso(moment), **facts})


def with_facts(entry: Event, **facts: Any) -> Event:
    """The event with more facts about it (what the caller learned after it was written)."""
    return cast(Event, {**entry, **facts})


def etag(sub: Mapping[str, Any]) -> str:
    """Changes with every write and with every renewal or expiry applied on read (both add events)."""
    return wire.etag(sub["id"], sub["version"] + len(sub["events"]))


def visible(sub: Mapping[str, Any], now: datetime) -> bool:
    return wire.parse_time(sub["visible_from"]) <= now


def standing(ctx: Context, tenant: str, customer_id: str, now: datetime) -> list[Subscription]:
    """A customer's subscriptions as they stand at `now`: those visible yet, each rolled forward."""
    return [current(ctx, s, now) for s in list_for_customer(ctx, tenant, customer_id) if visible(s, now)]


def status(sub: Mapping[str, Any]) -> str:
    if sub["kind"] == SAAS and not sub["activated"] and sub["status"] == "active":
        return "pending"  # marketplace SaaS waits for activation (S8)
    return sub["status"]


# --- states derived from stored moments (Azure entitlements, product upgrades) -------------

ENTITLEMENT_CANCEL_TAKES = timedelta(minutes=10)
REGISTRATION_TAKES = timedelta(minutes=5)  # S12 -> S13 `Registered`
NOT_REGISTERED, REGISTERING, REGISTERED = "NotRegistered", "Registering", "Registered"


def registration_state(sub: Mapping[str, Any], now: datetime) -> str:
    """S13's status: registering takes REGISTRATION_TAKES after S12 (register-a-subscription.md)."""
    asked = sub.get("registered_at")
    if not asked:
        return NOT_REGISTERED
    return REGISTERED if now >= wire.parse_time(asked) + REGISTRATION_TAKES else REGISTERING


def names_azure_subscription(sub: Mapping[str, Any], azure_id: str) -> bool:
    """Whether an Azure plan or 0145P subscription is, or holds, the Azure subscription `azure_id` (its
    Partner Center id, its entitlement id, or one of a plan's Azure subscriptions)."""
    known = [sub["id"], sub.get("entitlement_id") or "", *(e["id"] for e in sub.get("entitlements") or [])]
    return any(ids.same(k, azure_id) for k in known if k)


UPGRADE_IN_PROGRESS, UPGRADE_COMPLETED = "InProgress", "Completed"


def entitlement_status(entitlement: Mapping[str, Any], now: datetime) -> str:
    """An Azure entitlement reads `inactive` once its cancellation has taken effect."""
    cancelled = entitlement.get("cancelled_at")
    if cancelled and wire.parse_time(cancelled) + ENTITLEMENT_CANCEL_TAKES <= now:
        return "inactive"
    return "active"


def upgrade_status(upgrade: Mapping[str, Any], now: datetime) -> str:
    """A product upgrade is `InProgress` until its completion moment, `Completed` after."""
    done = now >= wire.parse_time(upgrade["completes_at"])
    return UPGRADE_COMPLETED if done else UPGRADE_IN_PROGRESS


# --- time ---------------------------------------------------------------------------------

def current(ctx: Context, sub: Subscription, now: datetime) -> Subscription:
    """The record as it stands at `now`: every term end passed since it was written is applied."""
    apply_transition(sub, now)
    follow_base(ctx, sub, now)
    moment = renewal_moment(sub)
    while moment is not None and moment <= now and sub["status"] in ("active", "suspended"):
        if sub["status"] == "suspended" or not renews(sub) or pending_trial(sub):
            sub.update({"status": "expired", "auto_renew": False})
            sub["events"].append(event("expire", moment))
            break
        renew(ctx, sub, moment)
        moment = renewal_moment(sub)
    return sub


def pending_trial(sub: Mapping[str, Any]) -> bool:
    """A marketplace SaaS free trial the publisher never activated does not roll into a paid term:
    no trial was ever used, so nothing converts; it ends with its trial term, unbilled."""
    return sub["kind"] == SAAS and bool(sub.get("is_trial")) and not sub.get("activated")


def apply_transition(sub: Subscription, now: datetime) -> Subscription:
    """A 0145P subscription moved by a completed upgrade is disabled from the completion moment."""
    moved = sub.get("transition")
    if moved and sub["status"] in ("active", "suspended") and wire.parse_time(moved["at"]) <= now:
        sub["status"] = "disabled"
        sub["events"].append(event("transition", wire.parse_time(moved["at"]), to=moved["to"]))
    return sub


def follow_base(ctx: Context, sub: Subscription, now: datetime) -> None:
    """A new commerce add-on ends when its base ends, and renews onto the base's new term."""
    if sub["kind"] != NCE or not sub.get("parent_subscription_id") or sub["status"] not in ("active", "suspended"):
        return
    base = get(ctx, sub["tenant"], sub["customer_id"], sub.get("parent_subscription_id") or "")
    if base is None:
        return
    base = current(ctx, base, now)
    if base["status"] in ("deleted", "expired"):
        # The add-on ends when its base ended (not when it is read), with the base's refund.
        last = next((e for e in reversed(base["events"]) if e["type"] in ("cancel", "expire", "transition_out")),
                    {"type": "expire", "at": wire.iso(now)})
        sub.update({"status": base["status"], "auto_renew": False})
        sub["events"].append(event("cancel" if base["status"] == "deleted" else "expire", wire.parse_time(last["at"]),
                                   quantity=sub["quantity"], refund=last.get("refund")))
    elif (mine := sub.get("end")) and (theirs := base.get("end")) and mine < theirs and renews(sub):
        sub["custom_term_end_date"] = theirs


def renew(ctx: Context, sub: Subscription, moment: datetime) -> None:
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
        sub.update({"product_id": product["productId"], "sku_id": product["skuId"], "offer_name": title,
                    "availability_id": product["availabilityId"],
                    "offer_id": f"{product['productId']}:{product['skuId']}:{product['availabilityId']}"})
    sub["term_duration"] = (product.get("termDuration") or sub.get("renews_to") or sub["term_duration"])
    sub["billing_cycle"] = (product.get("billingCycle") or sub["billing_cycle"] or "").lower()
    sub["quantity"] = plan.get("quantity") or sub["quantity"]
    sub["custom_term_end_date"] = plan.get("customTermEndDate") or sub.get("custom_term_end_date")
    sub.update({"scheduled": None, "renews_to": None})
    start_term(ctx, sub, moment)
    sub["events"].append(event("renew", moment, quantity=sub["quantity"], **price_facts(sub)))


def convert_trial(ctx: Context, sub: Subscription) -> None:
    """A trial converts to the SKU its availability's renewal instructions name."""
    av = availability_of(ctx, sub)
    instructions = (av.wire.get("renewalInstructions") or []) if av else []
    targets = [o.get("renewToId") for r in instructions for o in r.get("renewalOptions") or []]
    for target in filter(None, targets):
        product_id, _, sku_id = target.partition(":")
        sku = ctx.catalog.sku(product_id, sku_id)
        paid = next((a for a in sku.availabilities.values() if a.segment == "commercial"), None) if sku else None
        if sku is None or paid is None:
            continue
        cycle = "monthly" if "monthly" in sku.wire.get("supportedBillingCycles", []) else sub["billing_cycle"]
        sub.update({"product_id": sku.product.id, "sku_id": sku.id, "availability_id": paid.id,
                    "offer_id": paid.wire["catalogItemId"], "offer_name": sku.wire["title"], "is_trial": False,
                    "billing_cycle": cycle, "term_duration": sub.get("renews_to") or "P1M"})
        return
    sub["is_trial"] = False
