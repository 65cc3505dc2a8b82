"""The catalog's wire shapes: products (and the legacy offers listed among them), SKUs,
availabilities, their collections, and the inventory check's answer. Catalog records carry their
wire parts (`wire`); these add the links of the market they are shown in."""
from __future__ import annotations

from typing import Any

from simulator import wire
from simulator.catalog.data import Availability, Market, Offer, Product, Sku
from simulator.catalog.rules import InventoryItem


def product_wire(product: Product, country: str) -> dict[str, Any]:
    pid = product.id
    return {**product.wire, "links": {"skus": wire.link(f"/products/{pid}/skus?country={country}"),
                                      "self": wire.link(f"/products/{pid}?country={country}")}}


def offer_product_wire(offer: Offer, country: str) -> dict[str, Any]:
    """A legacy offer listed among products; it has no SKUs of its own in the catalog routes."""
    return {"id": offer.id, "title": offer.name, "description": offer.description,
            "productType": {"id": "Azure", "displayName": "Azure"}, "isMicrosoftProduct": True,
            "publisherName": "Microsoft Corporation",
            "links": {"self": wire.link(f"/offers/{offer.id}?country={country}")}}


def sku_wire(sku: Sku, country: str) -> dict[str, Any]:
    base = f"/products/{sku.product.id}/skus/{sku.id}"
    return {**sku.wire, "links": {"availabilities": wire.link(f"{base}/availabilities?country={country}"),
                                  "self": wire.link(f"{base}?country={country}")}}


def availability_wire(av: Availability, market: Market) -> dict[str, Any]:
    sku, product = av.sku, av.sku.product
    out: dict[str, Any] = {
        "id": av.id, "productId": product.id, "skuId": sku.id, "catalogItemId": av.wire["catalogItemId"],
        "defaultCurrency": {"code": market.currency, "symbol": market.symbol},
        "segment": av.segment, "country": market.country,
    }
    out.update({k: v for k, v in av.wire.items() if k not in out})
    out["product"] = product_wire(product, market.country)
    out["sku"] = sku_wire(sku, market.country)
    out["links"] = {"self": wire.link(
        f"/products/{product.id}/skus/{sku.id}/availabilities/{av.id}?country={market.country}")}
    return out


def products_wire(products: list[Product], offers: list[Offer], country: str, base: str, view: str,
                  segment: str | None, scope: str | None) -> dict[str, Any]:
    """`base` is "" for the partner-scoped list (its link names the country) or `/customers/{id}`."""
    return wire.collection(
        [product_wire(p, country) for p in products] + [offer_product_wire(o, country) for o in offers],
        f"{base}/products" + wire.query_string(country=None if base else country, targetView=view,
                                               targetSegment=segment, reservationScope=scope))


def skus_wire(skus: list[Sku], product: Product, country: str, base: str, segment: str | None,
              scope: str | None) -> dict[str, Any]:
    return wire.collection(
        [sku_wire(s, country) for s in skus],
        f"{base}/products/{product.id}/skus" + wire.query_string(
            country=None if base else country, targetSegment=segment, reservationScope=scope))


def availabilities_wire(found: list[Availability], sku: Sku, market: Market, base: str, segment: str | None,
                        scope: str | None) -> dict[str, Any]:
    return wire.collection(
        [availability_wire(a, market) for a in found],
        f"{base}/products/{sku.product.id}/skus/{sku.id}/availabilities" + wire.query_string(
            country=None if base else market.country, targetSegment=segment, reservationScope=scope))


def inventory_wire(items: list[InventoryItem]) -> list[dict[str, Any]]:
    return [{"productId": item.sku.product.id, "skuId": item.sku.id, "isRestricted": bool(item.restrictions),
             "restrictions": [{"reasonCode": r.reason_code, "description": r.description,
                               "properties": r.properties} for r in item.restrictions]}
            for item in items]
