"""Subscriptions (S1-S4, S6): made from order lines when an order is provisioned; listed, filtered by
order and reseller, read by id.

A subscription record is written when its order is placed, with `visible_from` set to the order's
provisioning time: reads derive visibility and status from that timestamp and the clock, so
advancing the clock provisions without any background work.
Sources: get-all-of-a-customer-s-subscriptions.md, get-a-list-of-subscriptions-by-order.md,
get-all-subscriptions-by-partner.md, get-a-subscription-by-id.md, subscription-resources.md.
"""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, customers, errors, wire
from simulator.catalog.data import (AZURE_PLAN, LEGACY_AZURE, LEGACY_LICENSE, NCE, RESERVATION, SAAS,
                                    SOFTWARE_PERPETUAL, SOFTWARE_SUBSCRIPTION)
from simulator.context import Context

UNIT_TYPES = {NCE: "Licenses", LEGACY_LICENSE: "Licenses", SAAS: "Licenses", LEGACY_AZURE: "Usage-based",
              AZURE_PLAN: "Usage-based", RESERVATION: "Benefit", SOFTWARE_PERPETUAL: "Licenses",
              SOFTWARE_SUBSCRIPTION: "Licenses"}
BILLING_TYPES = {NCE: "license", LEGACY_LICENSE: "license", SAAS: "license", LEGACY_AZURE: "usage",
                 AZURE_PLAN: "usage", RESERVATION: "benefit", SOFTWARE_PERPETUAL: "none",
                 SOFTWARE_SUBSCRIPTION: "license"}
AUTO_RENEWING = (NCE, SAAS, SOFTWARE_SUBSCRIPTION)
OPEN_ENDED = "9999-12-10T00:00:00Z"  # legacy Azure (MS-AZR-0145P) example value


# --- dates --------------------------------------------------------------------------------

def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def term_end(start: datetime, term: str | None) -> datetime | None:
    """Last day of the term, at midnight: a P1Y term bought 2021-01-14 ends 2022-01-13."""
    months = {"P1M": 1, "P1Y": 12, "P3Y": 36}.get((term or "").upper())
    if months is None:
        return None
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    return add_months(midnight, months) - timedelta(days=1)


def iso_duration_days(text: str) -> int:
    """`P1D`, `P7D`, `P2W`, `P1M` as days (refund options' expiresAfter)."""
    text = text.upper().lstrip("P")
    unit, number = text[-1:], int(text[:-1] or 0)
    return number * {"D": 1, "W": 7, "M": 30, "Y": 365}.get(unit, 1)


# --- records ------------------------------------------------------------------------------

def new_subscription(ctx: Context, order: dict[str, Any], line: dict[str, Any], *, start: datetime,
                     parent_id: str | None = None) -> dict[str, Any]:
    kind = line["kind"]
    sub_id = ctx.ids.guid()
    # Legacy license offers run on a yearly commitment from purchase (their subscriptions show one).
    end = term_end(start, line.get("term_duration") or ("P1Y" if kind == LEGACY_LICENSE else None))
    window = start + timedelta(days=ctx.settings.cancellation_window_days)
    record = {
        "key": sub_id, "id": sub_id, "customer_id": order["customer_id"], "order_id": order["id"], "kind": kind,
        "offer_id": line["catalog_item_id"], "offer_name": line.get("offer_name") or line.get("friendly_name"),
        "friendly_name": line.get("friendly_name") or line.get("offer_name"), "quantity": line["quantity"],
        "product_id": line.get("product_id"), "sku_id": line.get("sku_id"),
        "availability_id": line.get("availability_id"), "term_duration": line.get("term_duration"),
        "billing_cycle": line.get("billing_cycle"), "created": wire.iso(start), "start": wire.iso(start),
        "end": wire.iso(end) if end else None, "visible_from": wire.iso(start), "status": "active",
        "auto_renew": kind in AUTO_RENEWING and line.get("billing_cycle") != "none" or bool(line.get("renews_to")),
        "renews_to": line.get("renews_to"), "is_trial": bool(line.get("is_trial")),
        "parent_subscription_id": parent_id or line.get("parent_subscription_id"),
        "partner_id": line.get("partner_id_on_record") or "", "activated": kind != SAAS,
        "entitlement_id": ctx.ids.guid() if kind in (LEGACY_AZURE, AZURE_PLAN) else None,
        "cancellation_allowed_until": wire.iso(window) if kind == NCE else None,
        "refund_options": refund_options(ctx, line, start) if kind == NCE else [],
        "seat_windows": [{"quantity": line["quantity"], "until": wire.iso(window)}] if kind == NCE else [],
        "version": 1, "publisher_name": line.get("publisher_name"), "is_microsoft_product": kind != SAAS,
    }
    return record


def refund_options(ctx: Context, line: dict[str, Any], start: datetime) -> list[dict[str, Any]]:
    av = ctx.catalog.availability(line["product_id"], line["sku_id"], line["availability_id"])
    options = []
    for term in av.terms() if av else []:
        if (term.get("duration") or "").upper() != line.get("term_duration") or (
                (term.get("billingCycle") or line["billing_cycle"]).lower() != line["billing_cycle"]):
            continue
        for policy in term.get("cancellationPolicies") or []:
            for option in policy.get("refundOptions") or []:
                expires = start + timedelta(days=iso_duration_days(option.get("expiresAfter", "P7D")))
                options.append({"type": option.get("type", "Full"), "expiresAt": wire.iso(expires)})
    return options


def subscription_key(tenant: str, customer_id: str, sub_id: str) -> tuple[str, str, str]:
    return (tenant, customer_id.lower(), sub_id.lower())


def visible(sub: dict[str, Any], now: datetime) -> bool:
    return wire.parse_time(sub["visible_from"]) <= now


def status(sub: dict[str, Any], now: datetime) -> str:
    if sub["kind"] == SAAS and not sub["activated"] and sub["status"] == "active":
        return "pending"  # marketplace SaaS waits for activation (S8)
    return sub["status"]


# --- rules --------------------------------------------------------------------------------

def list_subscriptions(ctx: Context, tenant: str, customer_id: str, *, order_id: str | None = None,
                       mpn_id: str | None = None) -> list[dict[str, Any]]:
    customer = customers.get_customer(ctx, tenant, customer_id)
    now = ctx.clock.now()
    subs = [s for s in ctx.store.scan("subscription", (tenant, customer["id"].lower())) if visible(s, now)]
    if order_id is not None:
        subs = [s for s in subs if s["order_id"].lower() == order_id.lower()]
    if mpn_id is not None:
        subs = [s for s in subs if s["partner_id"] == mpn_id]
    return subs


def get_subscription(ctx: Context, tenant: str, customer_id: str, sub_id: str) -> dict[str, Any]:
    customer = customers.get_customer(ctx, tenant, customer_id)
    sub = ctx.store.get("subscription", subscription_key(tenant, customer["id"], sub_id))
    if sub is None or not visible(sub, ctx.clock.now()):
        raise errors.SubscriptionNotFound()
    return sub


def list_addons(ctx: Context, tenant: str, customer_id: str, sub_id: str) -> list[dict[str, Any]]:
    parent = get_subscription(ctx, tenant, customer_id, sub_id)
    return [s for s in list_subscriptions(ctx, tenant, customer_id)
            if (s.get("parent_subscription_id") or "").lower() == parent["id"].lower()]


# --- wire ---------------------------------------------------------------------------------

def _date_only(text: str | None) -> str | None:
    return None if text is None else text[:10] + "T00:00:00Z"


def catalog_links(sub: dict[str, Any], country: str) -> dict[str, Any]:
    p, s, a = sub["product_id"], sub["sku_id"], sub["availability_id"]
    return {"product": wire.link(f"/products/{p}?country={country}"),
            "sku": wire.link(f"/products/{p}/skus/{s}?country={country}"),
            "availability": wire.link(f"/products/{p}/skus/{s}/availabilities/{a}?country={country}")}


def subscription_wire(ctx: Context, sub: dict[str, Any], country: str) -> dict[str, Any]:
    now, kind, cid = ctx.clock.now(), sub["kind"], sub["customer_id"]
    out: dict[str, Any] = {"id": sub["id"]}
    if sub.get("entitlement_id"):
        out["entitlementId"] = sub["entitlement_id"]
    out.update({"offerId": sub["offer_id"], "offerName": sub["offer_name"], "friendlyName": sub["friendly_name"]})
    if kind == NCE:
        out["productType"] = {"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"}
    out.update({"quantity": sub["quantity"], "unitType": UNIT_TYPES.get(kind, "none")})
    if sub.get("parent_subscription_id"):
        out["parentSubscriptionId"] = sub["parent_subscription_id"]
    out["hasPurchasableAddons"] = kind == NCE and bool(addon_skus(ctx, sub))
    out.update({"creationDate": sub["created"], "effectiveStartDate": sub["start"]})
    if kind in (LEGACY_AZURE, AZURE_PLAN, SOFTWARE_PERPETUAL):
        out["commitmentEndDate"] = OPEN_ENDED
    elif sub.get("end"):
        out["commitmentEndDate"] = _date_only(sub["end"])
        out["commitmentEndDateTime"] = sub["end"][:10] + "T23:59:59Z"
    if sub.get("cancellation_allowed_until"):
        out["cancellationAllowedUntilDate"] = sub["cancellation_allowed_until"]
    out.update({"status": status(sub, now), "autoRenewEnabled": sub["auto_renew"], "isTrial": sub["is_trial"],
                "billingType": BILLING_TYPES.get(kind, "none")})
    if sub.get("billing_cycle"):
        out["billingCycle"] = sub["billing_cycle"]
    if sub.get("term_duration"):
        out["termDuration"] = sub["term_duration"]
        out["renewalTermDuration"] = sub.get("renews_to") or ""
    if kind == NCE:
        out["refundOptions"] = sub["refund_options"]
    out.update({"isMicrosoftProduct": sub["is_microsoft_product"], "partnerId": sub["partner_id"],
                "attentionNeeded": False, "actionTaken": False,
                "contractType": "productKey" if kind == SOFTWARE_PERPETUAL else "subscription"})
    out["links"] = subscription_links(sub, cid, country)
    if sub.get("publisher_name"):
        out["publisherName"] = sub["publisher_name"]
    if kind == NCE:
        out["refundableQuantity"] = refundable_quantity(sub, now)
    out["orderId"] = sub["order_id"]
    out["attributes"] = wire.attributes("Subscription", wire.etag(sub["id"], sub["version"]))
    return out


def subscription_links(sub: dict[str, Any], customer_id: str, country: str) -> dict[str, Any]:
    links = catalog_links(sub, country) if sub.get("product_id") else {
        "offer": wire.link(f"/offers/{sub['offer_id']}?country={country}")}
    if sub.get("parent_subscription_id"):
        links["parentSubscription"] = wire.link(f"/customers/{customer_id}/subscriptions/{sub['parent_subscription_id']}")
    if sub["kind"] == SAAS:
        links["activationLinks"] = wire.link(f"/customers/{customer_id}/subscriptions/{sub['id']}/activationlinks")
    links["self"] = wire.link(f"/customers/{customer_id}/subscriptions/{sub['id']}")
    return links


def refundable_quantity(sub: dict[str, Any], now: datetime) -> dict[str, Any]:
    details = [{"quantity": w["quantity"], "allowedUntilDateTime": w["until"]}
               for w in sub.get("seat_windows", []) if wire.parse_time(w["until"]) > now]
    return {"totalQuantity": sum(d["quantity"] for d in details), "details": details}


def addon_skus(ctx: Context, sub: dict[str, Any]) -> list[Any]:
    wanted = f"{sub['product_id']}:{sub['sku_id']}".upper()
    return [s for p in ctx.catalog.products.values() for s in p.skus.values()
            if wanted in {x.upper() for x in s.attribute("prerequisiteSkus") or []}]


# --- endpoints ----------------------------------------------------------------------------

def _country(ctx: Context, tenant: str, customer_id: str) -> str:
    return customers.customer_country(customers.get_customer(ctx, tenant, customer_id))


async def list_subscriptions_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, q = request.path_params["customer_id"], request.query_params
    subs = list_subscriptions(ctx, caller.tenant, cid, order_id=q.get("order_id"), mpn_id=q.get("mpn_id"))
    country = _country(ctx, caller.tenant, cid)
    query = wire.query_string(order_id=q.get("order_id"), mpn_id=q.get("mpn_id"))
    return wire.respond(wire.collection([subscription_wire(ctx, s, country) for s in subs],
                                        f"/customers/{cid}/subscriptions{query}"))


async def get_subscription_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = request.path_params["customer_id"], request.path_params["subscription_id"]
    sub = get_subscription(ctx, caller.tenant, cid, sid)
    return wire.respond(subscription_wire(ctx, sub, _country(ctx, caller.tenant, cid)))


async def list_addons_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = request.path_params["customer_id"], request.path_params["subscription_id"]
    country = _country(ctx, caller.tenant, cid)
    return wire.respond(wire.collection([subscription_wire(ctx, s, country)
                                         for s in list_addons(ctx, caller.tenant, cid, sid)]))


routes = [
    Route("/v1/customers/{customer_id}/subscriptions", list_subscriptions_endpoint, methods=["GET"]),
    Route("/v1/customers/{customer_id}/subscriptions/{subscription_id}", get_subscription_endpoint, methods=["GET"]),
    Route("/v1/customers/{customer_id}/subscriptions/{subscription_id}/addons", list_addons_endpoint,
          methods=["GET"]),
]
