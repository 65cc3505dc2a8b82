"""Legacy offer rules (L1-L6): which offers a market lists, in which category, their add-ons, and the
pages of a list.

Sources: get-a-list-of-offers-for-a-market.md, get-an-offer-by-id.md, get-addon-offers-by-offer-id.md,
get-a-list-of-offer-categories-by-country-and-locale.md, offer-resources.md, error-codes.md (2100). The
offers are the catalog fixture's legacy offers (fixtures/catalog.json `offers`): the license offers
(Office 365 E1/E3 and their add-ons) and MS-AZR-0145P, which targetView=MicrosoftAzure lists among the
products with a link to GET /offers/MS-AZR-0145P.
"""
from __future__ import annotations

from dataclasses import dataclass

from simulator import errors
from simulator.catalog.data import LEGACY_AZURE, Market, Offer
from simulator.catalog.rules import customer_market, require_market
from simulator.context import Context


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    rank: int


# The categories of get-a-list-of-offer-categories-by-country-and-locale.md's example, in every market.
CATEGORIES = (Category("Enterprise_Key", "Enterprise", 20), Category("SmallBusiness_Key", "SmallBusiness", 30),
              Category("Government_Key", "Government", 40), Category("Internal_Key", "Internal", 100))
ENTERPRISE = CATEGORIES[0]
NO_CATEGORY = Category("", "", 0)  # add-ons have an empty category (get-addon-offers-by-offer-id.md)
DEFAULT_LOCALE = "en-us"


def market_of(ctx: Context, country: str | None) -> Market:
    """The market of `country=` (required; accepted in any case, as the L3 example sends `us`)."""
    return require_market(ctx, country.upper() if country else country)


def customer_market_of(ctx: Context, tenant: str, customer_id: str) -> Market:
    return customer_market(ctx, tenant, customer_id)


def all_offers(ctx: Context) -> list[Offer]:
    """Every legacy offer, in the catalog's order (which is also their rank)."""
    return list(ctx.catalog.offers.values())


def rank(ctx: Context, offer: Offer) -> int:
    return [o.id.upper() for o in all_offers(ctx)].index(offer.id.upper()) + 1


def category_of(offer: Offer) -> Category:
    return NO_CATEGORY if offer.is_addon else ENTERPRISE


def base_offers_of(ctx: Context, addon: Offer) -> list[Offer]:
    """The base offers an add-on attaches to (its `prerequisiteOffers`)."""
    return [o for o in all_offers(ctx) if addon.id.upper() in o.addon_offer_ids]


def get_offer(ctx: Context, offer_id: str) -> Offer:
    """A legacy offer by id in any case; any other id (a product, a SKU, an unknown GUID) is 400 2100."""
    offer = ctx.catalog.offers.get(offer_id.upper())
    if offer is None:
        raise errors.OfferNotSupported(offer_id)
    return offer


def addons_of(ctx: Context, offer_id: str) -> list[Offer]:
    offer = get_offer(ctx, offer_id)
    return [ctx.catalog.offers[a] for a in offer.addon_offer_ids if a in ctx.catalog.offers]


def list_offers(ctx: Context, category_id: str | None) -> list[Offer]:
    """The market's offers (every market sells every legacy offer), of one category when asked."""
    offers = all_offers(ctx)
    if category_id:
        offers = [o for o in offers if category_of(o).id.lower() == category_id.lower()]
    return offers


def page(items: list[Offer], offset: int, size: int | None) -> list[Offer]:
    return items[offset:] if size is None else items[offset:offset + size]


def is_usage_based(offer: Offer) -> bool:
    return offer.kind == LEGACY_AZURE
