"""The legacy offers' wire shapes: Offer, OfferCategory and their collections (offer-resources.md and
the examples of get-a-list-of-offers-for-a-market.md and get-an-offer-by-id.md)."""
from __future__ import annotations

from typing import Any

from simulator import ids, wire
from simulator.catalog.data import Market, Offer
from simulator.context import Context
from simulator.offers import rules
from simulator.offers.rules import Category


def category_wire(category: Category, market: Market, locale: str) -> dict[str, Any]:
    return {"id": category.id, "name": category.name, "rank": category.rank, "locale": locale,
            "country": market.country, "attributes": wire.attributes("OfferCategory")}


def product_id(offer: Offer) -> str:
    """MS-AZR-0145P's product is the catalog's (its productId); a license offer's, one made from its id."""
    known = {"MS-AZR-0145P": "9DEA7946-EC2C-441E-9FFD-E3B275F7E838"}
    return known.get(offer.id.upper(), ids.name_guid(f"legacy-offer-product:{offer.id.upper()}"))


def offer_wire(ctx: Context, offer: Offer, market: Market, locale: str) -> dict[str, Any]:
    usage = rules.is_usage_based(offer)
    rank = rules.rank(ctx, offer)
    catalog_id = ids.name_guid(f"legacy-offer-catalog:{market.country}")
    unit = "Usage-based" if usage else "Licenses"
    body: dict[str, Any] = {
        "id": offer.id, "name": offer.name, "description": offer.description,
        "minimumQuantity": offer.minimum, "maximumQuantity": offer.maximum, "rank": rank,
        "uri": f"/{catalog_id}/Offers/{offer.id}", "locale": locale, "country": market.country,
        "category": category_wire(rules.category_of(offer), market, locale),
        "prerequisiteOffers": [o.id for o in rules.base_offers_of(ctx, offer)] if offer.is_addon else [],
        "isAddOn": offer.is_addon, "hasAddOns": bool(offer.addon_offer_ids),
        "isAvailableForPurchase": True, "billing": "usage" if usage else "license",
        "supportedBillingCycles": list(offer.billing_cycles), "isAutoRenewable": not usage,
        "isTrial": False, "limitUnitOfMeasure": "None", "limit": 0,
        "product": {"id": product_id(offer), "name": offer.name, "unit": unit},
        "unitType": unit,
        "links": {"learnMore": wire.link(f"http://g.microsoftonline.com/0BXPS00en/{900 + rank}"),
                  "self": wire.link(f"/offers/{offer.id}?country={market.country}")},
        "attributes": wire.attributes("Offer"),
    }
    if offer.is_addon:
        body["salesGroupId"] = "1"  # add-ons are ordered apart from their base (get-addon-offers-by-offer-id.md)
    return body


def offers_wire(ctx: Context, offers: list[Offer], market: Market, locale: str, *, total: int, base: str,
                offset: int = 0, size: int | None = None, echoed: str = "") -> dict[str, Any]:
    """A page of offers. `totalCount` counts the whole list, not the page (the L1 example: 12 with one
    item shown); `links.self` repeats the query, `links.next`/`previous` page on by `offset` and `size`."""
    links: dict[str, Any] = {"self": wire.link(f"{base}{echoed}")}
    if size is not None and offset + size < total:
        links["next"] = wire.link(f"{base}{_paged(echoed, offset + size, size)}")
    if size is not None and offset > 0:
        links["previous"] = wire.link(f"{base}{_paged(echoed, max(offset - size, 0), size)}")
    return {"totalCount": total, "items": [offer_wire(ctx, o, market, locale) for o in offers],
            "links": links, "attributes": wire.attributes("Collection")}


def _paged(echoed: str, offset: int, size: int) -> str:
    kept = [p for p in echoed.lstrip("?").split("&") if p and not p.startswith(("offset=", "size="))]
    return "?" + "&".join([*kept, f"offset={offset}", f"size={size}"])


def addons_wire(ctx: Context, offers: list[Offer], market: Market, locale: str) -> dict[str, Any]:
    """L3's example collection has no links."""
    return {"totalCount": len(offers), "items": [offer_wire(ctx, o, market, locale) for o in offers],
            "attributes": wire.attributes("Collection")}


def categories_wire(market: Market, locale: str) -> dict[str, Any]:
    """L4's example collection has no links."""
    items = [category_wire(c, market, locale) for c in rules.CATEGORIES]
    return {"totalCount": len(items), "items": items, "attributes": wire.attributes("Collection")}
