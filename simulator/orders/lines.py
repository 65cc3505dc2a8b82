"""Purchase lines: what a cart line or an order line may buy, checked against the catalog in the
customer's market. Shared by carts (K1-K4) and direct orders (O1).

Hard problems (term, billing cycle, quantity range, attestation) fail the request with their
documented service code; the others become the line's `error` (CartErrorCode, create-a-cart.md
and cart-resources.md) and block checkout with 800009.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import Field

from simulator import errors, wire
from simulator.catalog.data import (
    AZURE_PLAN,
    LEGACY_AZURE,
    LEGACY_LICENSE,
    NCE,
    RESERVATION,
    SAAS,
    SOFTWARE_PERPETUAL,
    SOFTWARE_SUBSCRIPTION,
    Availability,
    Market,
    Offer,
)
from simulator.context import Context
from simulator.subscriptions import dates

CYCLES = {"monthly": "monthly", "annual": "annual", "triennial": "triennial", "none": "none",
          "onetime": "one_time", "unknown": "unknown"}
LICENSE_KINDS = (NCE, LEGACY_LICENSE, SAAS)  # seat-based: the sandbox caps them at 25 per subscription
SANDBOX_SEATS = 25          # integration sandbox: 25 licenses per subscription
SANDBOX_SUBSCRIPTIONS = 5   # integration sandbox: 5 subscriptions per customer
PARTICIPANT_KEYS = ("transaction_reseller", "additional_transaction_reseller")
EU_EFTA = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
           "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "CH"}

# CartErrorCode values (cart-resources.md)
CURRENCY_NOT_SUPPORTED, CATALOG_ITEM_INVALID, PARTICIPANTS_NOT_SUPPORTED = 10000, 10001, 10004
INVALID_INPUT, SANDBOX_LIMIT_EXCEEDED, SEATS_EXCEED_LIMIT = 10010, 10009, 10015
INVENTORY_NOT_AVAILABLE, SUBSCRIPTION_NOT_REGISTERED = 10003, 10011
REGISTRATION, INVENTORY_CHECK = "AzureSubscriptionRegistration", "InventoryCheck"  # SKU purchasePrerequisites


class KeyValue(wire.WireModel):
    key: str
    value: str


class RenewsTo(wire.WireModel):
    term_duration: str


class PurchaseLineIn(wire.WireModel):
    """A cart line item (CartLineItem) or an order line item (OrderLineItem) as sent."""
    id: int | None = None
    line_item_number: int | None = None
    catalog_item_id: str | None = None
    offer_id: str | None = None
    quantity: int = Field(strict=False)
    billing_cycle: str | None = None
    term_duration: str | None = None
    friendly_name: str | None = None
    currency_code: str | None = None
    provisioning_context: dict[str, str] | None = None
    participants: list[KeyValue] | None = None
    partner_id_on_record: str | None = None
    renews_to: RenewsTo | None = None
    custom_term_end_date: str | None = None
    promotion_id: str | None = None
    attestation_accepted: bool | None = None
    parent_subscription_id: str | None = None
    addon_items: list[PurchaseLineIn] | None = None

    def item_id(self) -> str:
        return (self.catalog_item_id or self.offer_id or "").strip()


def normalize_cycle(raw: str | None, item: str) -> str | None:
    """The cycle asked for, or None when none is: absent, empty and `unknown` (BillingCycleType's default,
    which the .NET SDK sends when the caller sets none) all leave the cycle to the offer (`default_cycle`)."""
    if raw is None or raw == "":
        return None
    cycle = CYCLES.get(raw.replace("_", "").replace("-", "").lower())
    if cycle is None:
        raise errors.InvalidBillingCycle(raw, item)
    return None if cycle == "unknown" else cycle


def default_cycle(offered: set[str]) -> str | None:
    """create-an-order.md: the billing cycle "defaults to monthly or one-time"; an offer with one cycle
    bills in it."""
    if len(offered) == 1:
        return next(iter(offered))
    return next((c for c in ("monthly", "one_time") if c in offered), None)


def line_error(code: int, description: str, **info: Any) -> dict[str, Any]:
    err: dict[str, Any] = {"errorCode": code, "errorDescription": description}
    if info:
        err["additionalInformation"] = info
    return err


def check_term_and_cycle(av: Availability, line: PurchaseLineIn) -> tuple[str | None, str]:
    item = line.item_id()
    cycle = normalize_cycle(line.billing_cycle, item)
    term = line.term_duration.upper() if line.term_duration else None
    durations = av.durations
    if durations:
        if term is None and len(durations) == 1:
            term = durations[0]
        if term not in durations:
            raise errors.InvalidTerm(line.term_duration or "(none)", item)
        offered = {(t.get("billingCycle") or "").lower() for t in av.find_terms(term)}
        offered.discard("")
    else:
        offered = set()
    if not offered:
        offered = {normalize_cycle(c, item) or "" for c in av.sku.wire.get("supportedBillingCycles", [])}
    if cycle is None:
        cycle = default_cycle(offered)
        if cycle is None:
            raise errors.InvalidBillingCycle("(none)", item)
    if cycle not in offered:
        if term and dates.CYCLE_MONTHS.get(cycle, 0) > dates.TERM_MONTHS.get(term, 0):
            raise errors.BillingCycleLongerThanTerm(cycle, term)
        raise errors.InvalidBillingCycle(cycle, item)
    return term, cycle


def check_quantity(quantity: int, low: int, high: int, item: str) -> None:
    if quantity < low or quantity > high or quantity < 1:
        raise errors.QuantityOutOfRange(quantity, low, high, item)


def pricing(price: Decimal, quantity: int) -> dict[str, Any]:
    """A line's prices from its unit price in the market's currency."""
    unit = str(price)
    return {"listPrice": unit, "discountedPrice": unit, "proratedPrice": unit, "price": unit,
            "extendedPrice": str(price * Decimal(quantity))}


def check_catalog_line(ctx: Context, market: Market, line: PurchaseLineIn, av: Availability) -> dict[str, Any]:
    """A modern catalog line: hard errors raise; soft ones come back as `error`."""
    sku, item = av.sku, line.item_id()
    term, cycle = check_term_and_cycle(av, line)
    check_quantity(line.quantity, sku.minimum, sku.maximum, item)
    attestation = sku.wire.get("attestationProperties") or {}
    if attestation.get("enforceAttestation") and not line.attestation_accepted:
        raise errors.AttestationRequired(item)
    record = base_record(line, item, market, kind=sku.product.kind, term=term, cycle=cycle)
    record.update(product_id=sku.product.id, sku_id=sku.id, availability_id=av.id,
                  friendly_name=line.friendly_name or sku.wire.get("title"), offer_name=sku.wire.get("title"))
    price = market.price(av.price_usd(term, cycle))
    if sku.product.kind == NCE:
        record["pricing"] = pricing(price, line.quantity)
    record["unit_price"] = str(price)
    record["error"] = soft_error(ctx, market, line, sku.product.kind, sku.wire, record) or inventory_error(
        ctx, market, av)
    return record


def prerequisites_of(ctx: Context, record: dict[str, Any]) -> list[str]:
    sku = ctx.catalog.sku(record.get("product_id") or "", record.get("sku_id") or "")
    return list(sku.wire.get("purchasePrerequisites") or []) if sku else []


def inventory_error(ctx: Context, market: Market, av: Availability) -> dict[str, Any] | None:
    """A SKU with the `InventoryCheck` prerequisite is bought only while the inventory check (C13) finds
    it unrestricted where it is sold: else cart error 10003 (InventoryNotAvailable), as check-inventory.md
    warns partners to check first."""
    sku = av.sku
    if INVENTORY_CHECK not in (sku.wire.get("purchasePrerequisites") or []):
        return None
    if market.country not in sku.sim.get("restrictedCountries", ()):
        return None
    region = sku.attribute("armRegionName") or ""
    return line_error(INVENTORY_NOT_AVAILABLE, f"Inventory is not available: {sku.wire.get('title')} is restricted "
                                               f"in location '{region}' for {market.country}.")


def check_offer_line(ctx: Context, market: Market, line: PurchaseLineIn, offer: Offer) -> dict[str, Any]:
    """A legacy offer line (GUID offer or MS-AZR-0145P); its order group is OMS-0."""
    item = line.item_id()
    cycle = normalize_cycle(line.billing_cycle, item) or default_cycle(set(offer.billing_cycles)) \
        or offer.billing_cycles[0]
    if cycle not in offer.billing_cycles:
        raise errors.InvalidBillingCycle(cycle, item)
    check_quantity(line.quantity, offer.minimum, offer.maximum, item)
    term = line.term_duration.upper() if line.term_duration else None
    record = base_record(line, item, market, kind=offer.kind, term=term, cycle=cycle)
    record.update(offer_name=offer.name, friendly_name=line.friendly_name or offer.name,
                  unit_price=str(market.price(offer.prices.get(cycle, "0"))))
    record["error"] = soft_error(ctx, market, line, offer.kind, {"provisioningVariables": []}, record)
    return record


def base_record(line: PurchaseLineIn, item: str, market: Market, *, kind: str, term: str | None,
                cycle: str) -> dict[str, Any]:
    context = {k[:1].lower() + k[1:]: v for k, v in (line.provisioning_context or {}).items()}
    return {"catalog_item_id": item, "quantity": line.quantity, "currency_code": market.currency,
            "billing_cycle": cycle, "term_duration": term, "kind": kind,
            "provisioning_context": context or None,
            "participants": [p.model_dump() for p in line.participants] if line.participants else None,
            "partner_id_on_record": line.partner_id_on_record or reseller_of_record(line),
            "renews_to": line.renews_to.term_duration.upper() if line.renews_to else None,
            "custom_term_end_date": line.custom_term_end_date, "promotion_id": line.promotion_id,
            "attestation_accepted": line.attestation_accepted,
            "parent_subscription_id": line.parent_subscription_id, "friendly_name": line.friendly_name}


def reseller_of_record(line: PurchaseLineIn) -> str | None:
    """A cart line names its indirect reseller as the `transaction_reseller` participant."""
    return next((p.value for p in line.participants or [] if p.key.lower() == "transaction_reseller"), None)


def soft_error(ctx: Context, market: Market, line: PurchaseLineIn, kind: str, sku_wire: dict[str, Any],
               record: dict[str, Any]) -> dict[str, Any] | None:
    if line.currency_code and line.currency_code.upper() != market.currency:
        return line_error(CURRENCY_NOT_SUPPORTED, f"Currency {line.currency_code} is not supported in market "
                                                  f"{market.country}; use {market.currency}.")
    given = {k.lower(): v for k, v in (line.provisioning_context or {}).items()}
    # `Duration` follows from the SKU itself; the documented cart examples omit it.
    needed = [v for v in sku_wire.get("provisioningVariables") or [] if v.lower() not in given and v != "Duration"]
    if needed:
        return line_error(INVALID_INPUT, f"provisioningContext must carry {', '.join(needed)}.")
    scope = given.get("scope")
    if scope is not None and scope.lower() not in ("shared", "single"):
        return line_error(INVALID_INPUT, "provisioningContext scope must be Shared or Single.")
    if line.participants:
        if any(p.key.lower() not in PARTICIPANT_KEYS for p in line.participants):
            return line_error(PARTICIPANTS_NOT_SUPPORTED, "Participants keys must be transaction_reseller or "
                                                          "additional_transaction_reseller.")
        additional = [p for p in line.participants if p.key.lower() == "additional_transaction_reseller"]
        if additional and (len(additional) > 5 or ctx.settings.partner_country.upper() not in EU_EFTA):
            return line_error(PARTICIPANTS_NOT_SUPPORTED, "Additional transaction resellers are limited to five "
                                                          "and to partners in the EU/EFTA.")
    if ctx.settings.sandbox_limits and kind in LICENSE_KINDS and line.quantity > SANDBOX_SEATS:
        return line_error(SANDBOX_LIMIT_EXCEEDED, f"The integration sandbox allows {SANDBOX_SEATS} licenses per "
                                                  f"subscription.", availableQuantity=SANDBOX_SEATS,
                          purchasedQuantity=line.quantity)
    return None


def check_line(ctx: Context, market: Market, line: PurchaseLineIn) -> dict[str, Any]:
    item = ctx.catalog.item(line.item_id()) if line.item_id() else None
    if isinstance(item, Availability):
        record = check_catalog_line(ctx, market, line, item)
    elif isinstance(item, Offer):
        record = check_offer_line(ctx, market, line, item)
    else:
        cycle = (line.billing_cycle or "").lower() or None
        record = base_record(line, line.item_id(), market, kind="unknown", term=line.term_duration, cycle=cycle or "")
        record["billing_cycle"] = cycle or "unknown"  # BillingCycleType's default, as the service echoes it
        record["error"] = line_error(CATALOG_ITEM_INVALID, f"The catalog item ID {line.item_id()!r} is not valid.")
    if line.addon_items:
        record["addon_items"] = [check_addon(ctx, market, line, addon) for addon in line.addon_items]
    return record


def check_addon(ctx: Context, market: Market, parent: PurchaseLineIn, addon: PurchaseLineIn) -> dict[str, Any]:
    """Legacy add-ons ride on the parent line (`addonItems`); they must be add-ons of its offer, and
    have none of their own (one level, as the documented cart line has it)."""
    if addon.addon_items:
        raise errors.InvalidRequestInput("an add-on line (addonItems) can't have addonItems of its own")
    record = check_line(ctx, market, addon)
    parent_offer = ctx.catalog.item(parent.item_id())
    if record["error"] is None and (not isinstance(parent_offer, Offer)
                                    or addon.item_id().upper() not in parent_offer.addon_offer_ids):
        record["error"] = line_error(INVALID_INPUT, f"{addon.item_id()} is not an add-on of {parent.item_id()}.")
    return record


def check_prerequisites(records: list[dict[str, Any]], owns: Callable[[set[str]], bool], catalog: Any) -> None:
    """New commerce add-ons need a prerequisite SKU in the same cart or already owned (`owns`: whether
    the customer holds one of these PRODUCT:SKU, asked only when the cart has none of them)."""
    in_cart = {f"{r.get('product_id')}:{r.get('sku_id')}".upper() for r in records}
    for record in records:
        if record["error"] is not None or record["kind"] != NCE:
            continue
        sku = catalog.sku(record["product_id"], record["sku_id"])
        needed = {p.upper() for p in sku.attribute("prerequisiteSkus") or []}
        if needed and not needed & in_cart and not owns(needed):
            record["error"] = line_error(INVALID_INPUT, f"{record['catalog_item_id']} is an add-on and needs one of "
                                                        f"{', '.join(sorted(needed))} in the cart or owned.")


def creates_subscription(record: dict[str, Any]) -> bool:
    return record["kind"] not in ("unknown",)


def check_subscription_limit(records: list[dict[str, Any]], existing: int, limit: int) -> None:
    """Integration sandbox: at most five subscriptions per customer (SandboxLimitExceeded)."""
    count = existing
    for record in records:
        for line in [record, *(record.get("addon_items") or [])]:
            if line["error"] is None and creates_subscription(line):
                count += 1
                if count > limit:
                    line["error"] = line_error(SANDBOX_LIMIT_EXCEEDED, f"The integration sandbox allows {limit} "
                                                                       f"subscriptions per customer.")


KIND_GROUPS = {NCE: "ms", AZURE_PLAN: "ms", RESERVATION: "ms", SOFTWARE_PERPETUAL: "ms", SOFTWARE_SUBSCRIPTION: "ms",
               LEGACY_LICENSE: "legacy", LEGACY_AZURE: "legacy", "unknown": "ms"}
