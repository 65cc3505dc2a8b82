"""Catalog rules (C1-C13): which products, SKUs and availabilities a market, view and segment see,
and the inventory check.

Sources: get-a-list-of-products.md (targetView values, reservationScope), get-a-list-of-
availabilities-for-a-sku.md (nonprofit only when asked for), check-inventory.md.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from simulator import errors
from simulator.catalog.data import LEGACY_AZURE, RESERVATION, Availability, Market, Offer, Product, Sku
from simulator.context import Context
from simulator.wire import query

TARGET_VIEWS = {v.lower(): v for v in (
    "Azure", "AzureReservations", "AzureReservationsVM", "AzureReservationsSQL", "AzureReservationsCosmosDb",
    "AzureAzureReservationsVM", "MicrosoftAzure", "OnlineServices", "Software", "SoftwareSUSELinux",
    "SoftwarePerpetual", "SoftwareSubscriptions", "SpecializedOffers", "MarketplaceSaaS",
)}
SEGMENTS = ("commercial", "education", "government", "nonprofit")
# The integration-sandbox partner is not authorised for the government segment: 403 400030.
SEGMENTS_NOT_ALLOWED = ("government",)


def require_market(ctx: Context, country: str | None) -> Market:
    if not country:
        raise errors.MissingQueryParameter("country")
    market = ctx.catalog.market(country)
    if market is None:
        raise errors.CountryNotSupported(country)
    return market


def customer_market(ctx: Context, tenant: str, customer_id: str) -> Market:
    """The market of the customer's country (the customer-scoped catalog routes sell in it)."""
    # Imported here: the partner-scoped product list never loads the customer area.
    from simulator.customers.records import customer_country, get_customer

    return require_market(ctx, customer_country(get_customer(ctx, tenant, customer_id)))


def require_view(view: str | None) -> str:
    if not view:
        raise errors.MissingQueryParameter("targetView")
    known = TARGET_VIEWS.get(view.lower())
    if known is None:
        raise errors.TargetViewNotAllowed()
    return known


def check_segment(segment: str | None) -> str | None:
    if segment is None or segment == "":
        return None
    lowered = query.enum_value(segment, "targetSegment", SEGMENTS)
    if lowered in SEGMENTS_NOT_ALLOWED:
        raise errors.TargetSegmentNotAllowed()
    return lowered


def segment_matches(availability: Availability, segment: str | None) -> bool:
    """Without targetSegment every segment but nonprofit is returned; nonprofit must be asked for."""
    if segment is None:
        return availability.segment not in ("nonprofit", *SEGMENTS_NOT_ALLOWED)
    return availability.segment == segment


SCOPES = frozenset({"azureplan", "microsoftazure"})  # the reservationScope values that mean something


def scope_matches(product: Product, scope: str | None) -> bool:
    """reservationScope=AzurePlan: reservations usable with an Azure plan; omitted: with MS-AZR-0145P."""
    if product.kind != RESERVATION:
        return True
    wanted = "AzurePlan" if (scope or "").lower() == "azureplan" else "MicrosoftAzure"
    return wanted in product.reservation_scopes


def sold_in(sku: Sku, market: Market) -> bool:
    countries = sku.sim.get("countries")
    return not countries or market.country in countries


def visible_availabilities(sku: Sku, market: Market, segment: str | None) -> list[Availability]:
    if not sold_in(sku, market):
        return []
    return [a for a in sku.availabilities.values() if segment_matches(a, segment)]


def visible_skus(product: Product, market: Market, segment: str | None) -> list[Sku]:
    return [s for s in product.skus.values() if visible_availabilities(s, market, segment)]


def list_products(ctx: Context, market: Market, view: str, segment: str | None, scope: str | None) -> list[Product]:
    return [p for p in ctx.catalog.products.values()
            if view in p.target_views and scope_matches(p, scope) and visible_skus(p, market, segment)]


def legacy_azure_offers(ctx: Context, view: str) -> list[Offer]:
    """targetView=MicrosoftAzure holds "MS-AZR-0145P offers and Azure plan" (get-a-list-of-products.md)."""
    if view != "MicrosoftAzure":
        return []
    return [o for o in ctx.catalog.offers.values() if o.kind == LEGACY_AZURE]


def get_product(ctx: Context, product_id: str) -> Product:
    product = ctx.catalog.product(product_id)
    if product is None:
        raise errors.ProductNotFound(product_id)
    return product


def list_skus(ctx: Context, market: Market, product_id: str, segment: str | None, scope: str | None) -> list[Sku]:
    product = get_product(ctx, product_id)
    return visible_skus(product, market, segment) if scope_matches(product, scope) else []


def get_sku(ctx: Context, product_id: str, sku_id: str) -> Sku:
    sku = get_product(ctx, product_id).skus.get(sku_id.upper())
    if sku is None:
        raise errors.SkuNotFound(sku_id)
    return sku


def list_availabilities(ctx: Context, market: Market, product_id: str, sku_id: str, segment: str | None,
                        scope: str | None) -> list[Availability]:
    sku = get_sku(ctx, product_id, sku_id)
    return visible_availabilities(sku, market, segment) if scope_matches(sku.product, scope) else []


def get_availability(ctx: Context, product_id: str, sku_id: str, availability_id: str) -> Availability:
    availability = get_sku(ctx, product_id, sku_id).availabilities.get(availability_id.upper())
    if availability is None:
        raise errors.AvailabilityNotFound(availability_id)
    return availability


@dataclass(frozen=True)
class Restriction:
    """Why a SKU can't be bought as asked (check-inventory.md: reasonCode, description, properties)."""
    reason_code: str
    description: str
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InventoryItem:
    sku: Sku
    restrictions: list[Restriction]


def check_inventory(ctx: Context, market: Market, targets: Iterable[tuple[str, str | None]],
                    context: dict[str, str]) -> list[InventoryItem]:
    """Only items found are returned; unknown items are left out silently (check-inventory.md)."""
    found: list[InventoryItem] = []
    given = {k.lower(): v for k, v in context.items()}
    for product_id, sku_id in targets:
        product = ctx.catalog.product(product_id)
        skus = [] if product is None else (
            [product.skus[sku_id.upper()]] if sku_id and sku_id.upper() in product.skus
            else [] if sku_id else list(product.skus.values()))
        for sku in skus:
            missing = [v for v in sku.wire.get("inventoryVariables") or [] if not given.get(v.lower())]
            if missing:
                raise errors.InventoryContextMissing(", ".join(missing))
            found.append(InventoryItem(sku, restrictions(sku, market, given)))
    return found


def restrictions(sku: Sku, market: Market, given: dict[str, str]) -> list[Restriction]:
    """check-inventory.md's example: a SKU that can't be had for the subscription in its location
    (restricted in the market, or another region asked for) is `NotAvailableForSubscription` with
    `properties` {type: Location, values: the SKU's region}."""
    region = str(sku.attribute("armRegionName") or "")
    asked = given.get("armregionname")
    restricted = market.country in sku.sim.get("restrictedCountries", ())
    if not restricted and not (region and asked and asked.lower() != region.lower()):
        return []
    return [Restriction("NotAvailableForSubscription",
                        f"Restriction identified of type 'Location' with values '{region}'.",
                        {"type": "Location", "values": region})]
