"""Cart rules (K1-K4): create, read, update and check out.

Sources: create-a-cart.md, create-a-cart-with-add-ons.md, update-a-cart.md, checkout-a-cart.md,
cart-resources.md. Lines are checked by `orders.lines`; this module adds order groups, the cart's
lifecycle (Active until checked out, then Ordered; gone after 7 days) and the idempotent checkout.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from simulator import errors, wire
from simulator.carts import records as cart_records
from simulator.carts.models import CartIn
from simulator.carts.records import Cart, Checkout
from simulator.catalog.data import SAAS
from simulator.catalog.rules import require_market
from simulator.context import Caller, Context
from simulator.customers.records import customer_country, get_customer
from simulator.orders import lines
from simulator.orders.records import Order
from simulator.orders.rules import (
    check_against_holdings,
    get_order,
    holds_any,
    may_buy,
    owned_subscription_count,
    place_order,
)

LEGACY_GROUP = "OMS-0"


def assign_order_groups(records: list[dict[str, Any]]) -> None:
    """The service assigns `orderGroup`: legacy offers go to OMS-0; Microsoft first-party items
    (new commerce, Azure plan, reservations, software) share one group; each marketplace SaaS line
    gets a group of its own. Derived from the documented examples (create-a-cart.md 2019: RIs and
    perpetual software in "0", a SaaS plan in "1", a SaaS trial in "2"; create-a-cart-with-add-ons.md:
    a new commerce base and add-on both in "0"); the docs state no rule."""
    numbers: dict[str, str] = {}
    for index, record in enumerate(records):
        family = lines.KIND_GROUPS.get(record["kind"], "ms")
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
    # A customer may live where nothing is sold (create-a-customer.md's registration countries).
    market = require_market(ctx, customer_country(customer))
    records = [lines.check_line(ctx, market, line) for line in body.line_items]
    may_buy(ctx, tenant, customer["id"])  # after the request itself is checked: a customer-level refusal
    if any(r.get("participants") for r in records) and body.partner_on_record_attestation_accepted is False:
        raise errors.PartnerAttestationMissing()
    check_against_holdings(ctx, tenant, customer, records)
    lines.check_prerequisites(records, lambda skus: holds_any(ctx, tenant, customer["id"], skus), ctx.catalog)
    if ctx.settings.sandbox_limits:
        lines.check_subscription_limit(records, owned_subscription_count(ctx, tenant, customer),
                                       lines.SANDBOX_SUBSCRIPTIONS)
    assign_order_groups(records)
    number_lines(records)
    return records


def create_cart(ctx: Context, caller: Caller, customer_id: str, body: CartIn) -> Cart:
    customer = get_customer(ctx, caller.tenant, customer_id)
    now = ctx.clock.now()
    records = check_cart_lines(ctx, caller.tenant, customer, body)
    cart_id, stamp = ctx.ids.guid(), wire.iso(now)
    cart: Cart = {"key": cart_id, "id": cart_id, "customer_id": customer["id"], "created": stamp,
                  "modified": stamp, "expires": wire.iso(now + timedelta(days=ctx.settings.cart_expiry_days)),
                  "modified_user": caller.principal, "status": "Active", "lines": records,
                  "attested": body.partner_on_record_attestation_accepted, "checkout": None}
    cart_records.save(ctx, caller.tenant, cart)
    return cart


def get_cart(ctx: Context, tenant: str, customer_id: str, cart_id: str) -> Cart:
    return live_cart(ctx, tenant, customer_id, cart_id, ctx.clock.now())


def live_cart(ctx: Context, tenant: str, customer_id: str, cart_id: str, now: datetime) -> Cart:
    return customer_cart(ctx, tenant, get_customer(ctx, tenant, customer_id), cart_id, now)


def customer_cart(ctx: Context, tenant: str, customer: Mapping[str, Any], cart_id: str, now: datetime) -> Cart:
    """Carts are gone once expired (create-a-cart.md, 2023: 7 days after creation)."""
    cart = cart_records.get(ctx, tenant, customer["id"], cart_id)
    if cart is None or wire.parse_time(cart["expires"]) <= now:
        raise errors.CartNotFound(cart_id)
    return cart


def update_cart(ctx: Context, caller: Caller, customer_id: str, cart_id: str, body: CartIn) -> Cart:
    now = ctx.clock.now()
    customer = get_customer(ctx, caller.tenant, customer_id)
    cart = customer_cart(ctx, caller.tenant, customer, cart_id, now)
    if cart["status"] != "Active":
        raise errors.CartAlreadySubmitted()
    cart["lines"] = check_cart_lines(ctx, caller.tenant, customer, body)
    cart["modified"] = wire.iso(now)
    cart["modified_user"] = caller.principal
    cart["attested"] = body.partner_on_record_attestation_accepted
    cart_records.save(ctx, caller.tenant, cart)
    return cart


class CheckedOut(NamedTuple):
    """A checkout's result, with the orders it placed and the customer's country (their links name it)."""
    checkout: Checkout
    orders: list[Order]
    country: str


def check_out(ctx: Context, caller: Caller, customer_id: str, cart_id: str) -> CheckedOut:
    """One order per order group; a group that fails goes to `orderErrors` while the others are
    ordered. Checking out again returns the first result and never buys twice (its orders read back)."""
    now = ctx.clock.now()
    customer = get_customer(ctx, caller.tenant, customer_id)
    cart = customer_cart(ctx, caller.tenant, customer, cart_id, now)
    country = customer_country(customer)
    if cart["checkout"] is not None:
        return CheckedOut(cart["checkout"], [get_order(ctx, caller.tenant, customer["id"], oid)
                                             for oid in cart["checkout"]["order_ids"]], country)
    problems = [f"line {r['id']}: {r['error']['errorDescription']}" for r in all_lines(cart) if r.get("error")]
    if problems:
        raise errors.CartLineErrors(data=problems)
    may_buy(ctx, caller.tenant, customer["id"])  # the account status may have changed since the cart was made
    placed: list[Order] = []
    failed: list[dict[str, Any]] = []
    for group, records in grouped(cart["lines"]).items():
        error = group_error(ctx, caller.tenant, customer, records)
        if error is not None:
            failed.append({"orderGroupId": group, "code": error.code, "description": error.text})
            continue
        placed.append(place_order(ctx, caller.tenant, customer, records, now=now, legacy=group == LEGACY_GROUP))
    checkout: Checkout = {"order_ids": [order["id"] for order in placed], "order_errors": failed}
    cart["status"] = "Ordered"
    cart["checkout"] = checkout
    cart["modified"] = wire.iso(now)
    cart_records.save(ctx, caller.tenant, cart)
    return CheckedOut(checkout, placed, country)


def group_error(ctx: Context, tenant: str, customer: Mapping[str, Any],
                records: list[dict[str, Any]]) -> errors.PartnerCenterError | None:
    """Re-checked at checkout: other orders may have used the sandbox's subscription quota since."""
    if not ctx.settings.sandbox_limits:
        return None
    owned = owned_subscription_count(ctx, tenant, customer)
    adding = sum(1 + len(r.get("addon_items") or []) for r in records)
    if owned + adding > lines.SANDBOX_SUBSCRIPTIONS:
        return errors.TooManySubscriptions(lines.SANDBOX_SUBSCRIPTIONS)
    return None


def grouped(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault(record["order_group"], []).append(record)
    return groups


def all_lines(cart: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [x for r in cart["lines"] for x in (r, *(r.get("addon_items") or []))]
