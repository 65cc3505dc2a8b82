"""Carts (K1-K4): create, read, update and check out.

Sources: create-a-cart.md, create-a-cart-with-add-ons.md, update-a-cart.md, checkout-a-cart.md,
cart-resources.md. Lines are checked by `orders.lines`; this module adds order groups, the cart's
lifecycle (Active until checked out, then Ordered; gone after 7 days) and the idempotent checkout.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, errors, wire
from simulator.carts import records as cart_records
from simulator.carts.records import Cart, Checkout
from simulator.catalog.data import SAAS
from simulator.context import Caller, Context
from simulator.customers.records import customer_country, get_customer
from simulator.orders.lines import (
    KIND_GROUPS,
    SANDBOX_SUBSCRIPTIONS,
    PurchaseLineIn,
    check_line,
    check_prerequisites,
    check_subscription_limit,
)
from simulator.orders.render import order_wire
from simulator.orders.rules import check_against_holdings, get_order, holds_any, owned_subscription_count, place_order

LEGACY_GROUP = "OMS-0"


class CartIn(wire.WireModel):
    line_items: list[PurchaseLineIn] = Field(default_factory=list)
    partner_on_record_attestation_accepted: bool | None = None


# --- rules --------------------------------------------------------------------------------

def assign_order_groups(records: list[dict[str, Any]]) -> None:
    """The service assigns `orderGroup`: legacy offers go to OMS-0; Microsoft first-party items
    (new commerce, Azure plan, reservations, software) share one group; each marketplace SaaS line
    gets a group of its own. Derived from the documented examples (create-a-cart.md 2019: RIs and
    perpetual software in "0", a SaaS plan in "1", a SaaS trial in "2"; create-a-cart-with-add-ons.md:
    a new commerce base and add-on both in "0"); the docs state no rule."""
    numbers: dict[str, str] = {}
    for index, record in enumerate(records):
        family = KIND_GROUPS.get(record["kind"], "ms")
        if record["kind"] == SAAS:
            family = f"saas-{index}"
        elif family == "ms":
            # An order has one billingCycle, so first-party lines of different cycles can't share one.
            family = f"ms-{record['billing_cycle']}"
        if family == "legacy":
            group = LEGACY_GROUP
        else:
            group = numbers.setdefault(family, str(len(numbers)))
        record["order_group"] = group
        for addon in record.get("addon_items") or []:
            addon["order_group"] = group


def number_lines(records: list[dict[str, Any]]) -> None:
    counter = 0
    for record in records:
        record["id"] = counter
        counter += 1
        for addon in record.get("addon_items") or []:
            addon["id"] = counter
            counter += 1


def check_cart_lines(ctx: Context, tenant: str, customer: Mapping[str, Any], body: CartIn) -> list[dict[str, Any]]:
    if not body.line_items:
        raise errors.CartEmpty()
    market = ctx.catalog.market(customer_country(customer))
    records = [check_line(ctx, market, line) for line in body.line_items]
    if any(r.get("participants") for r in records) and body.partner_on_record_attestation_accepted is False:
        raise errors.PartnerAttestationMissing()
    check_against_holdings(ctx, tenant, customer, records)
    check_prerequisites(records, lambda skus: holds_any(ctx, tenant, customer["id"], skus), ctx.catalog)
    if ctx.settings.sandbox_limits:
        check_subscription_limit(records, owned_subscription_count(ctx, tenant, customer), SANDBOX_SUBSCRIPTIONS)
    assign_order_groups(records)
    number_lines(records)
    return records


def create_cart(ctx: Context, caller: Caller, customer_id: str, body: CartIn) -> Cart:
    customer = get_customer(ctx, caller.tenant, customer_id)
    now = ctx.clock.now()
    records = check_cart_lines(ctx, caller.tenant, customer, body)
    cart_id = ctx.ids.guid()
    cart: Cart = {"key": cart_id, "id": cart_id, "customer_id": customer["id"], "created": wire.iso(now),
            "modified": wire.iso(now), "expires": wire.iso(now + timedelta(days=ctx.settings.cart_expiry_days)),
            "modified_user": caller.user or caller.app_id, "status": "Active", "lines": records,
            "attested": body.partner_on_record_attestation_accepted, "checkout": None}
    cart_records.save(ctx, caller.tenant, cart)
    return cart


def get_cart(ctx: Context, tenant: str, customer_id: str, cart_id: str) -> Cart:
    """Carts are gone once expired (create-a-cart.md, 2023: 7 days after creation)."""
    customer = get_customer(ctx, tenant, customer_id)
    cart = cart_records.get(ctx, tenant, customer["id"], cart_id)
    if cart is None or wire.parse_time(cart["expires"]) <= ctx.clock.now():
        raise errors.CartNotFound(cart_id)
    return cart


def update_cart(ctx: Context, caller: Caller, customer_id: str, cart_id: str, body: CartIn) -> Cart:
    cart = get_cart(ctx, caller.tenant, customer_id, cart_id)
    if cart["status"] != "Active":
        raise errors.CartAlreadySubmitted()
    customer = get_customer(ctx, caller.tenant, customer_id)
    cart.update(lines=check_cart_lines(ctx, caller.tenant, customer, body), modified=wire.iso(ctx.clock.now()),
                modified_user=caller.user or caller.app_id, attested=body.partner_on_record_attestation_accepted)
    cart_records.save(ctx, caller.tenant, cart)
    return cart


def checkout_cart(ctx: Context, caller: Caller, customer_id: str, cart_id: str) -> Checkout:
    """One order per order group; a group that fails goes to `orderErrors` while the others are
    ordered. Checking out again returns the first result and never buys twice."""
    cart = get_cart(ctx, caller.tenant, customer_id, cart_id)
    if cart["checkout"] is not None:
        return cart["checkout"]
    problems = [f"line {r['id']}: {r['error']['errorDescription']}" for r in all_lines(cart) if r.get("error")]
    if problems:
        raise errors.CartLineErrors(data=problems)
    customer = get_customer(ctx, caller.tenant, customer_id)
    now, placed, failed = ctx.clock.now(), [], []
    for group, records in grouped(cart["lines"]).items():
        error = group_error(ctx, caller.tenant, customer, records)
        if error is not None:
            failed.append({"orderGroupId": group, "code": error.code, "description": error.text})
            continue
        order = place_order(ctx, caller.tenant, customer, records, now=now, legacy=group == LEGACY_GROUP)
        placed.append(order["id"])
    cart.update(status="Ordered", checkout={"order_ids": placed, "order_errors": failed}, modified=wire.iso(now))
    cart_records.save(ctx, caller.tenant, cart)
    return cart["checkout"]


def group_error(ctx: Context, tenant: str, customer: Mapping[str, Any],
                records: list[dict[str, Any]]) -> errors.PartnerCenterError | None:
    """Re-checked at checkout: other orders may have used the sandbox's subscription quota since."""
    if not ctx.settings.sandbox_limits:
        return None
    owned = owned_subscription_count(ctx, tenant, customer)
    adding = sum(1 + len(r.get("addon_items") or []) for r in records)
    if owned + adding > SANDBOX_SUBSCRIPTIONS:
        return errors.TooManySubscriptions(SANDBOX_SUBSCRIPTIONS)
    return None


def grouped(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(record["order_group"], []).append(record)
    return groups


def all_lines(cart: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [x for r in cart["lines"] for x in (r, *(r.get("addon_items") or []))]


# --- wire ---------------------------------------------------------------------------------

LINE_FIELDS = (("friendly_name", "friendlyName"), ("quantity", "quantity"), ("currency_code", "currencyCode"),
               ("billing_cycle", "billingCycle"), ("term_duration", "termDuration"),
               ("participants", "participants"), ("provisioning_context", "provisioningContext"),
               ("custom_term_end_date", "customTermEndDate"), ("promotion_id", "promotionId"),
               ("attestation_accepted", "attestationAccepted"), ("order_group", "orderGroup"))


def cart_line_wire(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record["id"], "catalogItemId": record["catalog_item_id"]}
    for name, key in LINE_FIELDS:
        if record.get(name) is not None:
            out[key] = record[name]
    if record.get("renews_to"):
        out["renewsTo"] = {"termDuration": record["renews_to"]}
    if record.get("addon_items"):
        out["addonItems"] = [cart_line_wire(a) for a in record["addon_items"]]
    if record.get("pricing"):
        out["pricing"] = {k: float(v) for k, v in record["pricing"].items()}
    if record.get("error"):
        out["error"] = record["error"]
    return out


def cart_wire(cart: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": cart["id"], "creationTimestamp": cart["created"],
                           "lastModifiedTimestamp": cart["modified"], "expirationTimestamp": cart["expires"],
                           "lastModifiedUser": cart["modified_user"], "status": cart["status"],
                           "lineItems": [cart_line_wire(r) for r in cart["lines"]]}
    if cart.get("attested") is not None:
        out["partnerOnRecordAttestationAccepted"] = cart["attested"]
    out["links"] = {"self": wire.link(f"/customers/{cart['customer_id']}/carts/{cart['id']}")}
    out["attributes"] = wire.attributes("Cart")
    return out


def checkout_wire(ctx: Context, tenant: str, customer_id: str, result: Mapping[str, Any]) -> dict[str, Any]:
    customer = get_customer(ctx, tenant, customer_id)
    country = customer_country(customer)
    placed = [get_order(ctx, tenant, customer["id"], oid) for oid in result["order_ids"]]
    return {"orders": [order_wire(ctx, o, country) for o in placed], "orderErrors": result["order_errors"],
            "attributes": wire.attributes("CartCheckoutResult")}


# --- endpoints ----------------------------------------------------------------------------

@wire.operation(body=CartIn)
async def create_cart_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, CartIn)
    cart = ctx.run(create_cart, caller, request.path_params["customer_id"], body)
    return wire.respond(cart_wire(cart), 201)


async def get_cart_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    return wire.respond(cart_wire(get_cart(ctx, caller.tenant, pp["customer_id"], pp["cart_id"])))


@wire.operation(body=CartIn)
async def update_cart_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    body = await wire.parse_body(request, CartIn)
    cart = ctx.run(update_cart, caller, pp["customer_id"], pp["cart_id"], body)
    return wire.respond(cart_wire(cart), 201)  # update-a-cart.md shows 201 for the update


async def checkout_cart_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    await wire.read_json(request, allow_empty=True)  # no body, or an empty JSON one, is fine
    result = ctx.run(checkout_cart, caller, pp["customer_id"], pp["cart_id"])
    return wire.respond(checkout_wire(ctx, caller.tenant, pp["customer_id"], result), 201)


CART = "/v1/customers/{customer_id}/carts/{cart_id}"
routes = [
    Route("/v1/customers/{customer_id}/carts", create_cart_endpoint, methods=["POST"]),
    Route(CART, get_cart_endpoint, methods=["GET"]),
    Route(CART, update_cart_endpoint, methods=["PUT"]),
    Route(CART + "/checkout", checkout_cart_endpoint, methods=["POST"]),
]
