"""Subscription wire rendering and endpoints (S1-S9, S12, S13)."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, wire
from simulator.catalog.data import AZURE_PLAN, LEGACY_AZURE, LEGACY_LICENSE, NCE, RESERVATION, SAAS, \
    SOFTWARE_PERPETUAL, SOFTWARE_SUBSCRIPTION
from simulator.context import Context
from simulator.customers.records import country_of
from simulator.orders.rules import DUMMY_ACTIVATION
from simulator.subscriptions import dates, records, rules
from simulator.wire import query

UNIT_TYPES = {NCE: "Licenses", LEGACY_LICENSE: "Licenses", SAAS: "Licenses", LEGACY_AZURE: "Usage-based",
              AZURE_PLAN: "Usage-based", RESERVATION: "Benefit", SOFTWARE_PERPETUAL: "Licenses",
              SOFTWARE_SUBSCRIPTION: "Licenses"}
BILLING_TYPES = {NCE: "license", LEGACY_LICENSE: "license", SAAS: "license", LEGACY_AZURE: "usage",
                 AZURE_PLAN: "usage", RESERVATION: "benefit", SOFTWARE_PERPETUAL: "none",
                 SOFTWARE_SUBSCRIPTION: "license"}


def catalog_links(sub: dict[str, Any], country: str) -> dict[str, Any]:
    p, s, a = sub["product_id"], sub["sku_id"], sub["availability_id"]
    return {"product": wire.link(f"/products/{p}?country={country}"),
            "sku": wire.link(f"/products/{p}/skus/{s}?country={country}"),
            "availability": wire.link(f"/products/{p}/skus/{s}/availabilities/{a}?country={country}")}


def subscription_links(sub: dict[str, Any], country: str) -> dict[str, Any]:
    cid = sub["customer_id"]
    links = catalog_links(sub, country) if sub.get("product_id") else {
        "offer": wire.link(f"/offers/{sub['offer_id']}?country={country}")}
    if sub.get("parent_subscription_id"):
        links["parentSubscription"] = wire.link(f"/customers/{cid}/subscriptions/{sub['parent_subscription_id']}")
    if sub["kind"] == SAAS:
        links["activationLinks"] = wire.link(f"/customers/{cid}/subscriptions/{sub['id']}/activationlinks")
    links["self"] = wire.link(f"/customers/{cid}/subscriptions/{sub['id']}")
    return links


def refundable_quantity(sub: dict[str, Any], now: Any) -> dict[str, Any]:
    details = [{"quantity": w["quantity"], "allowedUntilDateTime": w["until"]}
               for w in sub.get("seat_windows", []) if wire.parse_time(w["until"]) >= now]
    return {"totalQuantity": sum(d["quantity"] for d in details), "details": details}


def has_addons(ctx: Context, sub: dict[str, Any]) -> bool:
    return f"{sub['product_id']}:{sub['sku_id']}".upper() in ctx.catalog.prerequisite_skus


def term_fields(sub: dict[str, Any]) -> dict[str, Any]:
    kind, out = sub["kind"], {}
    if kind in dates.OPEN_ENDED_KINDS:
        out["commitmentEndDate"] = dates.OPEN_ENDED
    elif sub.get("end"):
        out["commitmentEndDate"] = sub["end"][:10] + "T00:00:00Z"
        out["commitmentEndDateTime"] = sub["end"][:10] + "T23:59:59Z"
    if sub.get("cancellation_allowed_until"):
        out["cancellationAllowedUntilDate"] = sub["cancellation_allowed_until"]
    return out


def subscription_wire(ctx: Context, sub: dict[str, Any], country: str) -> dict[str, Any]:
    now, kind = ctx.clock.now(), sub["kind"]
    out: dict[str, Any] = {"id": sub["id"]}
    if sub.get("entitlement_id"):
        out["entitlementId"] = sub["entitlement_id"]
    out.update({"offerId": sub["offer_id"], "offerName": sub["offer_name"], "friendlyName": sub["friendly_name"]})
    if kind == NCE:
        out["productType"] = {"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"}
    out.update({"quantity": sub["quantity"], "unitType": UNIT_TYPES.get(kind, "none")})
    if sub.get("parent_subscription_id"):
        out["parentSubscriptionId"] = sub["parent_subscription_id"]
    out["hasPurchasableAddons"] = kind == NCE and has_addons(ctx, sub)
    out.update({"creationDate": sub["created"], "effectiveStartDate": sub["start"], **term_fields(sub)})
    out.update({"status": records.status(sub), "autoRenewEnabled": sub["auto_renew"], "isTrial": sub["is_trial"],
                "billingType": BILLING_TYPES.get(kind, "none")})
    if sub.get("scheduled"):
        out["scheduledNextTermInstructions"] = {k: v for k, v in sub["scheduled"].items() if v is not None}
    if sub.get("billing_cycle"):
        out["billingCycle"] = sub["billing_cycle"]
    if sub.get("term_duration"):
        out["termDuration"] = sub["term_duration"]
        out["renewalTermDuration"] = sub.get("renews_to") or ""
    if kind == NCE:
        out["refundOptions"] = sub["refund_options"]
    out.update({"isMicrosoftProduct": sub["is_microsoft_product"], "partnerId": sub["partner_id"],
                "attentionNeeded": False, "actionTaken": False,
                "contractType": "productKey" if kind == SOFTWARE_PERPETUAL else "subscription",
                "links": subscription_links(sub, country)})
    if sub.get("publisher_name"):
        out["publisherName"] = sub["publisher_name"]
    if kind == NCE:
        out["refundableQuantity"] = refundable_quantity(sub, now)
    out["orderId"] = sub["order_id"]
    out["attributes"] = wire.attributes("Subscription", records.etag(sub))
    return out


# --- endpoints ----------------------------------------------------------------------------

@wire.operation(query=["order_id", "mpn_id"])
async def list_subscriptions_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid = request.path_params["customer_id"]
    order_id, mpn_id = query.text(request, "order_id"), query.text(request, "mpn_id")
    subs = rules.list_subscriptions(ctx, caller.tenant, cid, order_id=order_id, mpn_id=mpn_id)
    country = country_of(ctx, caller.tenant, cid)
    query_string = wire.query_string(order_id=order_id, mpn_id=mpn_id)
    return wire.respond(wire.collection([subscription_wire(ctx, s, country) for s in subs],
                                        f"/customers/{cid}/subscriptions{query_string}"))


async def get_subscription_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    sub = rules.load(ctx, caller.tenant, cid, sid)
    return wire.respond(subscription_wire(ctx, sub, country_of(ctx, caller.tenant, cid)))


@wire.operation(body=rules.SubscriptionPatchIn, headers=["If-Match"], statuses=[202])
async def update_subscription_endpoint(request: Request) -> Response:
    """200 with the subscription; with --slow-patch the documented 202 + Location answer."""
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    body = await wire.parse_body(request, rules.SubscriptionPatchIn)
    sub = ctx.run(rules.update_subscription, caller, cid, sid, body, request.headers.get("if-match"))
    answer = subscription_wire(ctx, sub, country_of(ctx, caller.tenant, cid))
    if ctx.settings.slow_patch:
        return wire.respond(answer, 202, {"Location": f"/customers/{sub['customer_id']}/subscriptions/{sub['id']}"})
    return wire.respond(answer)


async def list_addons_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    country = country_of(ctx, caller.tenant, cid)
    return wire.respond(wire.collection([subscription_wire(ctx, s, country)
                                         for s in rules.list_addons(ctx, caller.tenant, cid, sid)]))


@wire.operation(user_only=True)
async def provisioning_status_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    return wire.respond(rules.provisioning_status(ctx, rules.load(ctx, caller.tenant, cid, sid)))


async def activate_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    await wire.read_json(request, allow_empty=True)
    return wire.respond(ctx.run(rules.activate_subscription, caller, cid, sid))


async def activation_links_endpoint(request: Request) -> Response:
    """The sandbox gives a dummy link that can never complete setup (activate with S8 instead)."""
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    sub = rules.load(ctx, caller.tenant, cid, sid)
    items = [{"lineItemNumber": sub.get("line_item_number") or 0, "link": wire.link(DUMMY_ACTIVATION.format(sub["id"]))}
             ] if sub["kind"] == SAAS else []
    return wire.respond(wire.collection(items, f"/customers/{sub['customer_id']}/subscriptions/{sub['id']}"
                                               f"/activationlinks"))


async def register_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    await wire.read_json(request, allow_empty=True)
    sub = ctx.run(rules.register_subscription, caller, cid, sid)
    location = f"/customers/{sub['customer_id']}/subscriptions/{sub['id']}/registrationstatus"
    return wire.empty(202, {"Location": location})


async def registration_status_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, sid = wire.subscription_ids(request)
    return wire.respond(rules.registration_status(ctx, rules.load(ctx, caller.tenant, cid, sid)))


SUB = "/v1/customers/{customer_id}/subscriptions/{subscription_id}"
routes = [
    Route("/v1/customers/{customer_id}/subscriptions", list_subscriptions_endpoint, methods=["GET"]),
    Route(SUB, get_subscription_endpoint, methods=["GET"]),
    Route(SUB, update_subscription_endpoint, methods=["PATCH"]),
    Route(SUB + "/addons", list_addons_endpoint, methods=["GET"]),
    Route(SUB + "/provisioningstatus", provisioning_status_endpoint, methods=["GET"]),
    Route(SUB + "/activate", activate_endpoint, methods=["POST"]),
    Route(SUB + "/activationlinks", activation_links_endpoint, methods=["GET"]),
    Route(SUB + "/registrations", register_endpoint, methods=["POST"]),
    Route(SUB + "/registrationstatus", registration_status_endpoint, methods=["GET"]),
]
