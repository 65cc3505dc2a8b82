"""Catalog wire rendering and endpoints (C1-C12; the inventory check is in inventory.py). Answers are
rendered once and served as bytes."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, wire
from simulator.catalog import rules
from simulator.catalog.data import Availability, Market, Offer, Product, Sku
from simulator.context import Context
from simulator.wire import query

# --- wire ---------------------------------------------------------------------------------

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


def cached(ctx: Context, key: tuple[Any, ...], render: Callable[[], Any]) -> Response:
    payload = ctx.catalog.rendered.get(key)
    if payload is None:
        payload = ctx.catalog.rendered[key] = wire.dumps(render())
    return wire.respond_bytes(payload)


# --- endpoints ----------------------------------------------------------------------------

def _market_and_segment(ctx: Context, request: Request, customer_scoped: bool) -> tuple[Market, str | None]:
    if customer_scoped:
        from simulator.customers.records import customer_country, get_customer

        _, caller = auth.begin(request)
        customer = get_customer(ctx, caller.tenant, request.path_params["customer_id"])
        market = rules.require_market(ctx, customer_country(customer))
    else:
        auth.begin(request)
        market = rules.require_market(ctx, query.text(request, "country"))
    return market, rules.check_segment(query.text(request, "targetSegment"))


def _base(request: Request, customer_scoped: bool) -> str:
    return f"/customers/{request.path_params['customer_id']}" if customer_scoped else ""


def list_products_endpoint(customer_scoped: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        market, segment = _market_and_segment(ctx, request, customer_scoped)
        view = rules.require_view(query.text(request, "targetView"))
        scope = query.text(request, "reservationScope")
        base = _base(request, customer_scoped)
        return cached(ctx, ("products", base, market.country, view, segment, scope), lambda: wire.collection(
            [product_wire(p, market.country) for p in rules.list_products(ctx, market, view, segment, scope)]
            + [offer_product_wire(o, market.country) for o in rules.legacy_azure_offers(ctx, view)],
            f"{base}/products" + wire.query_string(country=None if base else market.country, targetView=view,
                                        targetSegment=segment, reservationScope=scope)))
    return endpoint


def get_product_endpoint(customer_scoped: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        market, _ = _market_and_segment(ctx, request, customer_scoped)
        product = rules.get_product(ctx, request.path_params["product_id"])
        return cached(ctx, ("product", product.id, market.country), lambda: product_wire(product, market.country))
    return endpoint


def list_skus_endpoint(customer_scoped: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        market, segment = _market_and_segment(ctx, request, customer_scoped)
        pid, scope = request.path_params["product_id"], query.text(request, "reservationScope")
        skus = rules.list_skus(ctx, market, pid, segment, scope)
        base = _base(request, customer_scoped)
        return cached(ctx, ("skus", base, market.country, pid.upper(), segment, scope), lambda: wire.collection(
            [sku_wire(s, market.country) for s in skus],
            f"{base}/products/{rules.get_product(ctx, pid).id}/skus" + wire.query_string(
                country=None if base else market.country, targetSegment=segment, reservationScope=scope)))
    return endpoint


def get_sku_endpoint(customer_scoped: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        market, _ = _market_and_segment(ctx, request, customer_scoped)
        sku = rules.get_sku(ctx, request.path_params["product_id"], request.path_params["sku_id"])
        return cached(ctx, ("sku", sku.product.id, sku.id, market.country), lambda: sku_wire(sku, market.country))
    return endpoint


def list_availabilities_endpoint(customer_scoped: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        market, segment = _market_and_segment(ctx, request, customer_scoped)
        p, s = request.path_params["product_id"], request.path_params["sku_id"]
        scope = query.text(request, "reservationScope")
        found = rules.list_availabilities(ctx, market, p, s, segment, scope)
        base = _base(request, customer_scoped)
        sku = rules.get_sku(ctx, p, s)
        return cached(ctx, ("avails", base, market.country, sku.product.id, sku.id, segment, scope),
                      lambda: wire.collection(
                          [availability_wire(a, market) for a in found],
                          f"{base}/products/{sku.product.id}/skus/{sku.id}/availabilities" + wire.query_string(
                              country=None if base else market.country, targetSegment=segment,
                              reservationScope=scope)))
    return endpoint


def get_availability_endpoint(customer_scoped: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        market, _ = _market_and_segment(ctx, request, customer_scoped)
        pp = request.path_params
        av = rules.get_availability(ctx, pp["product_id"], pp["sku_id"], pp["availability_id"])
        return cached(ctx, ("avail", av.wire["catalogItemId"], market.country), lambda: availability_wire(av, market))
    return endpoint


def _both(path: str, factory: Callable[[bool], Any], *query: str) -> list[Route]:
    """The partner-scoped route (which takes `country`) and the customer-scoped one (the customer's)."""
    name = factory.__name__.removesuffix("_endpoint")
    return [Route(f"/v1{path}", wire.operation(query=("country!", *query))(factory(False)), methods=["GET"],
                  name=name),
            Route(f"/v1/customers/{{customer_id}}{path}", wire.operation(query=query)(factory(True)),
                  methods=["GET"], name=f"customer_{name}")]


SCOPED = ("targetSegment", "reservationScope")
routes = [
    *_both("/products", list_products_endpoint, "targetView!", *SCOPED),
    *_both("/products/{product_id}", get_product_endpoint, "reservationScope"),
    *_both("/products/{product_id}/skus", list_skus_endpoint, *SCOPED),
    *_both("/products/{product_id}/skus/{sku_id}", get_sku_endpoint),
    *_both("/products/{product_id}/skus/{sku_id}/availabilities", list_availabilities_endpoint, *SCOPED),
    *_both("/products/{product_id}/skus/{sku_id}/availabilities/{availability_id}", get_availability_endpoint),
]
