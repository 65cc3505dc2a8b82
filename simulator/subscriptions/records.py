"""Subscription records and time: dates of terms, the record made from an order line, and the
roll-forward that derives renewals and expiries from stored dates and `now`.

A subscription is written when its order is placed, with `visible_from` set to the order's
provisioning time. Terms are not advanced by a background task: `current(ctx, sub, now)` returns
the record as it stands at `now` (renewed, expired, trial converted), and a write stores that.
Sources: subscription-resources.md, create-scheduled-changes.md (renewals run from 00:00 UTC
after the term's last day), purchase-new-commerce-license-based.md (7-day window after
purchase or renewal), change-the-quantity-of-a-subscription.md (seats added mid-term).
"""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any

from simulator import wire
from simulator.catalog.data import (AZURE_PLAN, LEGACY_AZURE, LEGACY_LICENSE, NCE, SAAS, SOFTWARE_PERPETUAL,
                                    SOFTWARE_SUBSCRIPTION)
from simulator.context import Context

AUTO_RENEWING = (NCE, SAAS, SOFTWARE_SUBSCRIPTION)
OPEN_ENDED_KINDS = (LEGACY_AZURE, AZURE_PLAN, SOFTWARE_PERPETUAL)
OPEN_ENDED = "9999-12-10T00:00:00Z"  # the legacy Azure (MS-AZR-0145P) example's commitmentEndDate
TERM_MONTHS = {"P1M": 1, "P1Y": 12, "P3Y": 36}
CYCLE_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36}  # none / one_time: the whole term at once


# --- dates --------------------------------------------------------------------------------

def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def term_end(start: datetime, term: str | None) -> datetime | None:
    """Last day of the term, at midnight: a P1Y term bought 2021-01-14 ends 2022-01-13."""
    months = TERM_MONTHS.get((term or "").upper())
    if months is None:
        return None
    return add_months(midnight(start), months) - timedelta(days=1)


def iso_duration_days(text: str) -> int:
    """`P1D`, `P7D`, `P2W`, `P1M` as days (refund options' expiresAfter)."""
    text = text.upper().lstrip("P")
    unit, number = text[-1:], int(text[:-1] or 0)
    return number * {"D": 1, "W": 7, "M": 30, "Y": 365}.get(unit, 1)


def at(sub: dict[str, Any], name: str) -> datetime | None:
    return wire.parse_time(sub[name]) if sub.get(name) else None


def renewal_moment(sub: dict[str, Any]) -> datetime | None:
    """Renewals run from 00:00 UTC after the term's last day (create-scheduled-changes.md)."""
    end = at(sub, "end")
    return None if end is None else midnight(end) + timedelta(days=1)


# --- records ------------------------------------------------------------------------------

def subscription_key(tenant: str, customer_id: str, sub_id: str) -> tuple[str, str, str]:
    return (tenant, customer_id.lower(), sub_id.lower())


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
    return [current(ctx, s, now) for s in ctx.store.scan("subscription", (tenant, customer_id.lower()))
            if visible(s, now)]


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
    base = ctx.store.get("subscription", subscription_key(sub["tenant"], sub["customer_id"],
                                                          sub["parent_subscription_id"]))
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


def renews(sub: dict[str, Any]) -> bool:
    # Legacy license-based subscriptions roll their yearly commitment on; the others need auto-renew.
    return sub["kind"] == LEGACY_LICENSE or bool(sub["auto_renew"])


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
