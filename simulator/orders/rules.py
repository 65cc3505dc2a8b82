"""Order rules (O1-O7): placing orders from purchase lines, the listing delay, provisioning,
the sandbox cancel and which lines show activation links.

Time-driven facts are stored as timestamps and derived on read:
* `list_after`: a new order shows in the customer's order list only after a delay of up to
  15 minutes (get-all-of-a-customer-s-orders.md); it is readable by id at once.
* `provision_at`: orders stay `pending` until provisioned, then `completed`; their subscriptions
  appear then (checkout-a-cart.md: subscription ids only once provisioned). The legacy
  MS-AZR-0145P order comes back `completed` at once in the checkout example.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import simulator.orders.records
import simulator.subscriptions.lifecycle
import simulator.subscriptions.records
from simulator import errors, wire
from simulator.agreements.rules import require_agreement
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
from simulator.customers.records import customer_country, get_customer, list_all
from simulator.orders import lines
from simulator.orders.records import Order
from simulator.subscriptions.kinds import HELD, EventType, OrderStatus, SubscriptionStatus
from simulator.subscriptions.rules import purchase_block
from simulator.subscriptions.rules_newcommerce import coterm_dates
from simulator.validation.rules import require_account_allowed

SANDBOX_CANCEL_DAYS = 60  # cancel-an-order-from-the-integration-sandbox.md
SANDBOX_PLANS_PER_CUSTOMER, SANDBOX_PLANS_PER_PARTNER = 1, 10  # create-azure-plan.md, sandbox section
CURRENCY_BOUND_KINDS = (AZURE_PLAN, SAAS, SOFTWARE_SUBSCRIPTION, SOFTWARE_PERPETUAL)
# Cancellation matrix (cancel-an-order-from-the-integration-sandbox.md, 2023): which kinds an order
# PATCH may cancel; new commerce, marketplace and Azure plan are cancelled by subscription PATCH.
ORDER_CANCELLABLE = (RESERVATION, SOFTWARE_PERPETUAL, SOFTWARE_SUBSCRIPTION, SAAS)
BLOCKS_CUSTOMER_DELETE = (RESERVATION, SOFTWARE_PERPETUAL, SOFTWARE_SUBSCRIPTION)
DUMMY_ACTIVATION = "https://activation.sandbox.pcsim.invalid/saas/{0}?token=sandbox-dummy"


def list_delay(ctx: Context) -> float:
    fixed = ctx.settings.order_list_delay
    return fixed if fixed is not None else ctx.ids.uniform(60, 900)


def new_order_id(ctx: Context, records: list[dict[str, Any]], legacy: bool) -> tuple[str, str]:
    if legacy:
        guid = ctx.ids.guid()
        return guid, guid
    if any(r["kind"] == NCE for r in records):
        short = ctx.ids.hex(12)
        return short, short
    return ctx.ids.opaque(32), ctx.ids.hex(12)


def place_order(ctx: Context, tenant: str, customer: Mapping[str, Any], records: list[dict[str, Any]], *,
                now: datetime, legacy: bool) -> Order:
    """One order for one order group; its subscriptions are written now and appear when provisioned."""
    order_id, alternate = new_order_id(ctx, records, legacy)
    market = ctx.catalog.market(customer_country(customer))
    provision_at = now if legacy else now + timedelta(seconds=ctx.settings.provisioning_delay)
    order: dict[str, Any] = {
        "key": order_id, "id": order_id, "alternate_id": alternate, "customer_id": customer["id"], "tenant": tenant,
        "billing_cycle": records[0]["billing_cycle"], "currency_code": market.currency if market else "USD",
        "currency_symbol": market.symbol if market else "$", "created": wire.iso(now),
        "list_after": wire.iso(now + timedelta(seconds=list_delay(ctx))), "provision_at": wire.iso(provision_at),
        "status": OrderStatus.ACTIVE, "legacy": legacy, "transaction_type": "UserPurchase", "lines": [], "version": 1,
        "blocks_customer_delete": any(r["kind"] in BLOCKS_CUSTOMER_DELETE for r in records),
    }
    for record in records:
        base = order_line(ctx, order, record, len(order["lines"]), provision_at, nce_base(ctx, order, record))
        order["lines"].append(base)
        for addon in record.get("addon_items") or []:
            order["lines"].append(order_line(ctx, order, addon, len(order["lines"]), provision_at,
                                             base["subscription_id"]))
    order["total_price"] = str(sum((Decimal(line.get("extended_price") or 0) for line in order["lines"]),
                                   Decimal("0")))
    placed = cast(Order, order)  # every field of an Order is set now
    simulator.orders.records.save(ctx, placed)
    return placed


def nce_base(ctx: Context, order: dict[str, Any], record: dict[str, Any]) -> str | None:
    """A new commerce add-on belongs to a base subscription of one of its prerequisite SKUs: one
    bought in the same order, else one the customer holds. It co-terms with that base."""
    if record["kind"] != NCE:
        return None
    sku = ctx.catalog.sku(record["product_id"], record["sku_id"])
    wanted = {p.upper() for p in (sku.attribute("prerequisiteSkus") or [])} if sku else set()
    if not wanted:
        return None
    in_order = [ln for ln in order["lines"] if f"{ln.get('product_id')}:{ln.get('sku_id')}".upper() in wanted]
    owned = [] if in_order else holdings_of_skus(ctx, order["tenant"], order["customer_id"], wanted)
    candidates = in_order or owned
    if not candidates:
        return None
    base = candidates[0]
    base_id = base.get("subscription_id") or base["id"]
    base_sub = simulator.subscriptions.records.get(ctx, order["tenant"], order["customer_id"], base_id)
    if base_sub and base_sub.get("end"):
        record["custom_term_end_date"] = base_sub["end"]
    return base_id


def order_line(ctx: Context, order: dict[str, Any], record: dict[str, Any], number: int, start: datetime,
               parent: str | None = None) -> dict[str, Any]:
    line = {k: v for k, v in record.items() if k not in ("error", "addon_items", "pricing")}
    line.update(line_item_number=number, transaction_type="New", cancelled=False)
    if parent:
        line["parent_subscription_id"] = parent
    if record.get("pricing"):
        line["pricing"] = {k: str(v) for k, v in record["pricing"].items()}
        line["extended_price"] = line["pricing"]["extendedPrice"]
    product = ctx.catalog.product(record["product_id"]) if record.get("product_id") else None
    if product is not None:
        line["publisher_name"] = product.wire.get("publisherName")
        sku = ctx.catalog.sku(record["product_id"], record["sku_id"])
        line["is_trial"] = bool(sku is not None and sku.wire.get("isTrial"))
    sub = simulator.subscriptions.lifecycle.new_subscription(ctx, order, line, start=start, parent_id=parent)
    simulator.subscriptions.records.save(ctx, sub)
    line["subscription_id"] = sub["id"]
    return line


def provisioned(order: Mapping[str, Any], now: datetime) -> bool:
    return wire.parse_time(order["provision_at"]) <= now


def order_status(order: Mapping[str, Any], now: datetime) -> str:
    if order["status"] == OrderStatus.CANCELLED:
        return OrderStatus.CANCELLED
    return OrderStatus.COMPLETED if provisioned(order, now) else OrderStatus.PENDING


def get_order(ctx: Context, tenant: str, customer_id: str, order_id: str) -> Order:
    customer = get_customer(ctx, tenant, customer_id)
    order = simulator.orders.records.get(ctx, tenant, customer["id"], order_id)
    if order is None:
        raise errors.OrderNotFound()
    return order


def list_orders(ctx: Context, tenant: str, customer_id: str, billing_type: str | None) -> list[Order]:
    """Only orders past their listing delay show; `billingType` filters by billing cycle."""
    customer = get_customer(ctx, tenant, customer_id)
    now = ctx.clock.now()
    orders = [o for o in simulator.orders.records.list_for_customer(ctx, tenant, customer["id"])
              if wire.parse_time(o["list_after"]) <= now]
    if billing_type:
        wanted = lines.CYCLES.get(billing_type.replace("_", "").replace("-", "").lower())
        if wanted is None:
            raise errors.InvalidRequestInput(f"the query parameter 'billingType' is not a billing cycle type: "
                                             f"{billing_type!r} (one of {', '.join(sorted(lines.CYCLES))})")
        orders = [o for o in orders if o["billing_cycle"] == wanted]
    return orders


def may_buy(ctx: Context, tenant: str, customer_id: str) -> None:
    """The customer-level rules of every new purchase (cart create/update, checkout, direct order): its
    account validation status must not block it (800073-800075) and the Microsoft Customer Agreement must
    be on file (13605). Renewals and changes to what it holds are not new purchases."""
    require_account_allowed(ctx, tenant, customer_id)
    require_agreement(ctx, tenant, customer_id)


def create_order(ctx: Context, tenant: str, customer_id: str, lines_in: list[lines.PurchaseLineIn],
                 billing_cycle: str | None) -> Order:
    """O1, the one-step purchase: every line is checked like a cart line; problems fail the call."""
    customer = get_customer(ctx, tenant, customer_id)
    country = customer_country(customer)
    market = ctx.catalog.market(country)
    if market is None:
        raise errors.CountryNotSupported(country)
    if not lines_in:
        raise errors.InvalidRequestInput("lineItems needs at least one line item")
    for line in lines_in:
        if line.billing_cycle is None and billing_cycle:
            line.billing_cycle = billing_cycle
    records = [lines.check_line(ctx, market, line) for line in lines_in]
    may_buy(ctx, tenant, customer["id"])
    check_against_holdings(ctx, tenant, customer, records)
    if ctx.settings.sandbox_limits:
        lines.check_subscription_limit(records, owned_subscription_count(ctx, tenant, customer),
                                       lines.SANDBOX_SUBSCRIPTIONS)
    problems = [f"line {n}: {r['error']['errorDescription']}" for n, r in enumerate(records) if r["error"]]
    if problems:
        raise errors.CartLineErrors(data=problems)
    legacy = all(r["kind"] in (LEGACY_LICENSE, LEGACY_AZURE) for r in records)
    order = place_order(ctx, tenant, customer, records, now=ctx.clock.now(), legacy=legacy)
    return order


def standing_now(ctx: Context, subs: list[Any]) -> list[dict[str, Any]]:
    """Records as they stand now, ended ones left out."""
    now = ctx.clock.now()
    rolled = (simulator.subscriptions.lifecycle.current(ctx, s, now) for s in subs)
    return [dict(s) for s in rolled if s["status"] not in simulator.subscriptions.records.ENDED]


def holdings(ctx: Context, tenant: str, customer_id: str,
             kinds: tuple[str, ...] = simulator.subscriptions.records.KINDS) -> list[dict[str, Any]]:
    """The customer's subscriptions of these kinds as they stand now, ended ones left out (reading
    only the records not written as ended, of those kinds)."""
    return standing_now(ctx, simulator.subscriptions.records.live(ctx, tenant, customer_id, kinds))


def holdings_of_skus(ctx: Context, tenant: str, customer_id: str, skus: set[str]) -> list[dict[str, Any]]:
    """The customer's subscriptions of these SKUs (PRODUCT:SKU) as they stand now, oldest first."""
    return standing_now(ctx, simulator.subscriptions.records.live_of_skus(ctx, tenant, customer_id, skus))


def holds_any(ctx: Context, tenant: str, customer_id: str, skus: set[str]) -> bool:
    return bool(skus) and bool(holdings_of_skus(ctx, tenant, customer_id, skus))


def owned_subscription_count(ctx: Context, tenant: str, customer: Mapping[str, Any]) -> int:
    return len(holdings(ctx, tenant, customer["id"]))


def check_against_holdings(ctx: Context, tenant: str, customer: Mapping[str, Any],
                           records: list[dict[str, Any]]) -> None:
    """Purchase rules that depend on what the customer (or the partner) already has; each reads only
    the holdings it needs, and only when a line calls for it."""
    check_azure_plan(ctx, tenant, customer, records)
    check_eu_restriction(ctx, tenant, customer, records)
    check_registration(ctx, tenant, customer, records)
    for record in records:
        if record["kind"] == NCE and record.get("custom_term_end_date"):
            check_custom_term_end_date(ctx, tenant, customer, record)


def check_azure_plan(ctx: Context, tenant: str, customer: Mapping[str, Any], records: list[dict[str, Any]]) -> None:
    """create-azure-plan.md: a 0145P customer upgrades instead; the sandbox allows 1 plan per
    customer (direct bill) and 10 per partner (900116)."""
    buying = sum(1 for r in records if r["kind"] == AZURE_PLAN)
    if not buying:
        return
    blocked = purchase_block(ctx, tenant, customer["id"])
    if blocked is not None:
        raise blocked
    owned = holdings(ctx, tenant, customer["id"], (LEGACY_AZURE, AZURE_PLAN))
    if any(s["kind"] == LEGACY_AZURE and s["status"] in HELD for s in owned):
        raise errors.AzurePlanNeedsUpgrade(customer["id"])
    if not ctx.settings.sandbox_limits:
        return
    if buying + sum(1 for s in owned if s["kind"] == AZURE_PLAN) > SANDBOX_PLANS_PER_CUSTOMER:
        raise errors.SandboxAzurePlanLimit(f"{SANDBOX_PLANS_PER_CUSTOMER} Azure plan per customer")
    if buying + partner_azure_plans(ctx, tenant) > SANDBOX_PLANS_PER_PARTNER:
        raise errors.SandboxAzurePlanLimit(f"{SANDBOX_PLANS_PER_PARTNER} Azure plans per partner")


def check_registration(ctx: Context, tenant: str, customer: Mapping[str, Any], records: list[dict[str, Any]]) -> None:
    """A SKU whose purchasePrerequisites hold `AzureSubscriptionRegistration` (Azure reservations) is
    bought for an Azure subscription (provisioningContext `subscriptionId`) that must be registered
    first (S12, register-a-subscription.md): while the customer's Azure plan or MS-AZR-0145P
    subscription that is or holds it is not `Registered`, the line gets cart error 10011. An id that
    names none of the customer's Azure subscriptions is left to the Azure side, which pcsim does not
    simulate (the documented examples buy for made-up subscription ids)."""
    wanting = [r for r in records if r["error"] is None and r.get("sku_id") and lines.REGISTRATION in (
        lines.prerequisites_of(ctx, r))]
    if not wanting:
        return
    azure = holdings(ctx, tenant, customer["id"], (LEGACY_AZURE, AZURE_PLAN))
    now = ctx.clock.now()
    for record in wanting:
        target = (record.get("provisioning_context") or {}).get("subscriptionId") or ""
        held = next((s for s in azure if simulator.subscriptions.lifecycle.names_azure_subscription(s, target)), None)
        if held is not None and simulator.subscriptions.lifecycle.registration_state(held, now) != "Registered":
            record["error"] = lines.line_error(lines.SUBSCRIPTION_NOT_REGISTERED,
                                               f"The subscription {target} isn't registered for Azure reservation "
                                               f"purchases; register it first (POST …/subscriptions/{held['id']}/"
                                               f"registrations).")


def partner_azure_plans(ctx: Context, tenant: str) -> int:
    """The Azure plans the partner's customers hold (the sandbox allows 10)."""
    return sum(len(holdings(ctx, tenant, c["id"], (AZURE_PLAN,))) for c in list_all(ctx, tenant))


def check_eu_restriction(ctx: Context, tenant: str, customer: Mapping[str, Any],
                         records: list[dict[str, Any]]) -> None:
    partner = ctx.catalog.market(ctx.settings.partner_country)
    if partner is None or not partner.eu_member or not any(r["kind"] == NCE for r in records):
        return
    currency = ctx.catalog.market(customer_country(customer))
    if currency is None or currency.currency == partner.currency:
        return
    if holdings(ctx, tenant, customer["id"], CURRENCY_BOUND_KINDS):
        raise errors.EuNewCommerceRestriction(customer["id"], currency.currency, partner.currency)


def check_custom_term_end_date(ctx: Context, tenant: str, customer: Mapping[str, Any], record: dict[str, Any]) -> None:
    """A cart line's customTermEndDate must be one of the co-term dates (custom-term-end-dates.md)."""
    raw = record["custom_term_end_date"]
    try:
        wanted = wire.parse_time(raw).date()
    except ValueError:
        raise errors.CustomTermEndDateInvalid(raw) from None
    now = ctx.clock.now()
    allowed = coterm_dates(ctx, tenant, customer["id"], now, record["term_duration"], now)
    if wanted not in {d.date() for d, _ in allowed}:
        raise errors.CustomTermEndDateInvalid(raw)


def cancel_order(ctx: Context, tenant: str, customer_id: str, order_id: str,
                 line_numbers: list[int] | None) -> Order:
    """Sandbox order cancel (PATCH with status cancelled), following the cancellation matrix."""
    order = get_order(ctx, tenant, customer_id, order_id)
    now = ctx.clock.now()
    if order["status"] == OrderStatus.CANCELLED:
        raise errors.OrderCannotBeCancelled("the order is already cancelled")
    if now - wire.parse_time(order["created"]) > timedelta(days=SANDBOX_CANCEL_DAYS):
        raise errors.OrderCannotBeCancelled(f"orders older than {SANDBOX_CANCEL_DAYS} days can't be cancelled")
    chosen = [ln for ln in order["lines"] if line_numbers is None or ln["line_item_number"] in line_numbers]
    if line_numbers is not None and len(chosen) != len(set(line_numbers)):
        raise errors.OrderLineItemNotFound(",".join(map(str, line_numbers)))
    for line in chosen:
        if line["kind"] == SAAS and seat_based(ctx, line):
            raise errors.SeatBasedSaasCancel()
        if line["kind"] not in ORDER_CANCELLABLE:
            raise errors.UseSubscriptionPatch()
    window = timedelta(days=ctx.settings.cancellation_window_days)
    if line_numbers is not None and now > wire.parse_time(order["created"]) + window:
        # cancel-software-purchases.md: line cancels only inside the cancellation window.
        raise errors.CancellationWindowPassed(ctx.settings.cancellation_window_days)
    for line in chosen:
        line["cancelled"] = True
        cancel_subscription(ctx, tenant, order, line["subscription_id"], now)
    if all(ln["cancelled"] for ln in order["lines"]):
        order["status"] = OrderStatus.CANCELLED
    order["version"] = order.get("version", 1) + 1
    simulator.orders.records.save(ctx, order)
    return order


def seat_based(ctx: Context, line: dict[str, Any]) -> bool:
    """Seat-based SaaS (more than one seat possible) is cancelled by subscription PATCH (800077);
    flat-rate SaaS orders can be cancelled in the sandbox (cancel-an-order-from-the-integration-sandbox.md)."""
    sku = ctx.catalog.sku(line["product_id"], line["sku_id"])
    return sku is None or sku.maximum > 1


def cancel_subscription(ctx: Context, tenant: str, order: Mapping[str, Any], sub_id: str, now: datetime) -> None:
    sub = simulator.subscriptions.records.get(ctx, tenant, order["customer_id"], sub_id)
    if sub is not None:
        # A sandbox order cancel refunds the purchase in full (billing reads the event).
        cancel = simulator.subscriptions.lifecycle.event(EventType.CANCEL, now, quantity=sub["quantity"], refund="Full")
        sub["events"].append(cancel)
        sub["status"] = SubscriptionStatus.DELETED
        sub["version"] = sub["version"] + 1
        simulator.subscriptions.records.save(ctx, sub)


def activated_lines(order: Mapping[str, Any], now: datetime,
                    line_number: int | None = None) -> list[dict[str, Any]]:
    """The SaaS lines whose activation link the order shows (all of them, or the one numbered): none
    before the order is provisioned. In the integration sandbox the link is a dummy that can't complete
    setup (activate with S8)."""
    chosen = order["lines"] if line_number is None else [ln for ln in order["lines"]
                                                          if ln["line_item_number"] == line_number]
    if line_number is not None and not chosen:
        raise errors.OrderLineItemNotFound(line_number)
    if not provisioned(order, now):
        return []
    return [ln for ln in chosen if ln["kind"] == SAAS]


def cancel_or_refuse(ctx: Context, tenant: str, customer_id: str, order_id: str, status: str | None,
                     line_numbers: list[int] | None) -> Order:
    """An order PATCH: the sandbox cancel is simulated, any other change is refused once the order is found."""
    if (status or "").lower() != "cancelled":
        get_order(ctx, tenant, customer_id, order_id)
        raise errors.NotSimulated("order PATCH other than the sandbox cancel (add-on purchase, billing cycle "
                                  "change) is not simulated yet")
    return cancel_order(ctx, tenant, customer_id, order_id, line_numbers)
