"""Legacy offer endpoints (L1-L6). App-only tokens are accepted (the docs say both kinds work; L5/L6
are SDK routes with no doc). `X-Locale` is echoed in the items (the general header doc: optional,
default en-US)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, wire
from simulator.catalog.data import Market
from simulator.offers import render, rules
from simulator.wire import query

MAX_PAGE = 1000


def locale(request: Request) -> str:
    return request.headers.get("x-locale") or rules.DEFAULT_LOCALE


def _paging(request: Request) -> tuple[int, int | None]:
    return query.integer(request, "offset", default=0, high=10**9), query.integer(request, "size", low=1,
                                                                                   high=MAX_PAGE)


def _list(request: Request, market: Market, base: str, country_in_link: bool) -> Response:
    ctx, _ = auth.begin(request)
    offset, size = _paging(request)
    category = query.text(request, "offer_category_id")
    offers = rules.list_offers(ctx, category)
    echoed = wire.query_string(country=market.country if country_in_link else None, offer_category_id=category,
                               offset=offset or None, size=size)
    return wire.respond(render.offers_wire(ctx, rules.page(offers, offset, size), market, locale(request),
                                           total=len(offers), base=base, offset=offset, size=size, echoed=echoed))


@wire.operation(query=["country!", "offset", "size", "offer_category_id"], headers=["X-Locale"])
async def list_offers_endpoint(request: Request) -> Response:
    ctx, _ = auth.begin(request)
    return _list(request, rules.market_of(ctx, query.text(request, "country")), "/v1/offers", True)


@wire.operation(query=["offset", "size", "offer_category_id"], headers=["X-Locale"])
async def customer_offers_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    customer_id = request.path_params["customer_id"]
    market = rules.customer_market_of(ctx, caller.tenant, customer_id)
    return _list(request, market, f"/v1/customers/{customer_id}/offers", False)


@wire.operation(query=["country!"], headers=["X-Locale"])
async def get_offer_endpoint(request: Request) -> Response:
    ctx, _ = auth.begin(request)
    market = rules.market_of(ctx, query.text(request, "country"))
    offer = rules.get_offer(ctx, request.path_params["offer_id"])
    return wire.respond(render.offer_wire(ctx, offer, market, locale(request)))


@wire.operation(query=["country!", "offset", "size"], headers=["X-Locale"])
async def offer_addons_endpoint(request: Request) -> Response:
    ctx, _ = auth.begin(request)
    market = rules.market_of(ctx, query.text(request, "country"))
    offset, size = _paging(request)
    addons = rules.page(rules.addons_of(ctx, request.path_params["offer_id"]), offset, size)
    return wire.respond(render.addons_wire(ctx, addons, market, locale(request)))


@wire.operation(query=["country!"], headers=["X-Locale"])
async def offer_categories_endpoint(request: Request) -> Response:
    ctx, _ = auth.begin(request)
    market = rules.market_of(ctx, query.text(request, "country"))
    return wire.respond(render.categories_wire(market, locale(request)))


@wire.operation(headers=["X-Locale"])
async def customer_offer_categories_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    market = rules.customer_market_of(ctx, caller.tenant, request.path_params["customer_id"])
    return wire.respond(render.categories_wire(market, locale(request)))


routes = [
    Route("/v1/offers", list_offers_endpoint, methods=["GET"]),
    Route("/v1/offers/{offer_id}", get_offer_endpoint, methods=["GET"]),
    Route("/v1/offers/{offer_id}/addons", offer_addons_endpoint, methods=["GET"]),
    Route("/v1/offercategories", offer_categories_endpoint, methods=["GET"]),
    Route("/v1/customers/{customer_id}/offers", customer_offers_endpoint, methods=["GET"]),
    Route("/v1/customers/{customer_id}/offercategories", customer_offer_categories_endpoint, methods=["GET"]),
]
