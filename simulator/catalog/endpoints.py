"""Catalog endpoints (C1-C12; the inventory check's is in inventory.py). Answers are rendered once
and served as bytes. This module loads neither pydantic nor the other areas: a fresh process answers
its first product list quickly (tests/test_routes.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, wire
from simulator.catalog import render, rules
from simulator.catalog.data import Market
from simulator.context import Context
from simulator.wire import query


def cached(ctx: Context, request: Request, key: tuple[Any, ...], make: Callable[[], Any],
           scope: str | None = None) -> Response:
    """The answer rendered for `key`, made (`make`) on the first request that asks for it. An answer
    that echoes a `reservationScope` other than the known ones (free text: every value of it is an
    answer of its own) is made every time. The partner-scoped answers (no customer in the path) are the
    same for every caller: the front may give them again (wire.reusable)."""
    rendered = ctx.catalog.rendered
    payload = rendered.get(key)
    kept = scope is None or scope.lower() in rules.SCOPES
    if payload is None:
        payload = wire.dumps(make())
        if kept:
            rendered.put(key, payload)
    if kept and "customer_id" not in request.path_params:
        return wire.reusable(request, payload)
    return wire.respond_bytes(payload)


def _market_and_segment(ctx: Context, request: Request, customer_scoped: bool) -> tuple[Market, str | None]:
    if customer_scoped:
        _, caller = auth.begin(request)
        market = rules.customer_market(ctx, caller.tenant, request.path_params["customer_id"])
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
        return cached(ctx, request, ("products", base, market.country, view, segment, scope),
                      lambda: render.products_wire(
                          rules.list_products(ctx, market, view, segment, scope), rules.legacy_azure_offers(ctx, view),
                          market.country, base, view, segment, scope), scope)
    return endpoint


def get_product_endpoint(customer_scoped: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        market, _ = _market_and_segment(ctx, request, customer_scoped)
        product = rules.get_product(ctx, request.path_params["product_id"])
        return cached(ctx, request, ("product", product.id, market.country),
                      lambda: render.product_wire(product, market.country))
    return endpoint


def list_skus_endpoint(customer_scoped: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        market, segment = _market_and_segment(ctx, request, customer_scoped)
        pid, scope = request.path_params["product_id"], query.text(request, "reservationScope")
        skus = rules.list_skus(ctx, market, pid, segment, scope)
        product = rules.get_product(ctx, pid)
        base = _base(request, customer_scoped)
        return cached(ctx, request, ("skus", base, market.country, pid.upper(), segment, scope),
                      lambda: render.skus_wire(skus, product, market.country, base, segment, scope), scope)
    return endpoint


def get_sku_endpoint(customer_scoped: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        market, _ = _market_and_segment(ctx, request, customer_scoped)
        sku = rules.get_sku(ctx, request.path_params["product_id"], request.path_params["sku_id"])
        return cached(ctx, request, ("sku", sku.product.id, sku.id, market.country),
                      lambda: render.sku_wire(sku, market.country))
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
        return cached(ctx, request, ("avails", base, market.country, sku.product.id, sku.id, segment, scope),
                      lambda: render.availabilities_wire(found, sku, market, base, segment, scope), scope)
    return endpoint


def get_availability_endpoint(customer_scoped: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        ctx: Context = request.app.state.ctx
        market, _ = _market_and_segment(ctx, request, customer_scoped)
        pp = request.path_params
        av = rules.get_availability(ctx, pp["product_id"], pp["sku_id"], pp["availability_id"])
        return cached(ctx, request, ("avail", av.wire["catalogItemId"], market.country),
                      lambda: render.availability_wire(av, market))
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
