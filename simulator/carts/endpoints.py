"""Cart endpoints (K1-K4): create, read, update and check out."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, wire
from simulator.carts import render, rules
from simulator.carts.models import CartIn


@wire.operation(body=CartIn)
async def create_cart_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, CartIn)
    cart = ctx.run(rules.create_cart, caller, request.path_params["customer_id"], body)
    return wire.respond(render.cart_wire(cart), 201)


async def get_cart_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    return wire.respond(render.cart_wire(rules.get_cart(ctx, caller.tenant, pp["customer_id"], pp["cart_id"])))


@wire.operation(body=CartIn)
async def update_cart_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    body = await wire.parse_body(request, CartIn)
    cart = ctx.run(rules.update_cart, caller, pp["customer_id"], pp["cart_id"], body)
    return wire.respond(render.cart_wire(cart), 201)  # update-a-cart.md shows 201 for the update


async def checkout_cart_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    await wire.read_json(request, allow_empty=True)  # no body, or an empty JSON one, is fine
    result = ctx.run(rules.check_out, caller, pp["customer_id"], pp["cart_id"])
    return wire.respond(render.checkout_wire(ctx, result.orders, result.country, result.checkout["order_errors"]), 201)


CART = "/v1/customers/{customer_id}/carts/{cart_id}"
routes = [
    Route("/v1/customers/{customer_id}/carts", create_cart_endpoint, methods=["POST"]),
    Route(CART, get_cart_endpoint, methods=["GET"]),
    Route(CART, update_cart_endpoint, methods=["PUT"]),
    Route(CART + "/checkout", checkout_cart_endpoint, methods=["POST"]),
]
