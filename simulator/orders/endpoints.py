"""Order endpoints (O1-O7): the request models, then each endpoint reads the request, calls `rules` and
answers with `render`'s shapes."""
from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, errors, wire
from simulator.customers.records import country_of
from simulator.orders import lines, render, rules
from simulator.wire import query


class OrderIn(wire.WireModel):
    id: str | None = None
    reference_customer_id: str | None = None
    billing_cycle: str | None = None
    currency_code: str | None = None
    status: str | None = None
    line_items: list[lines.PurchaseLineIn] = Field(default_factory=list)


class OrderPatchLineIn(wire.WireModel):
    line_item_number: int
    offer_id: str | None = None


class OrderPatchIn(wire.WireModel):
    id: str | None = None
    status: str | None = None
    billing_cycle: str | None = None
    line_items: list[OrderPatchLineIn] | None = None



@wire.operation(body=OrderIn)
async def create_order_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid = request.path_params["customer_id"]
    body = await wire.parse_body(request, OrderIn)
    order = ctx.run(rules.create_order, caller.tenant, cid, body.line_items, body.billing_cycle)
    return wire.respond(render.order_wire(ctx, order, country_of(ctx, caller.tenant, cid)), 201)


@wire.operation(query=["billingType"])
async def list_orders_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, billing_type = request.path_params["customer_id"], query.text(request, "billingType")
    orders = rules.list_orders(ctx, caller.tenant, cid, billing_type)
    country = country_of(ctx, caller.tenant, cid)
    return wire.respond(wire.collection([render.order_wire(ctx, o, country) for o in orders],
                                        f"/customers/{cid}/orders" + wire.query_string(billingType=billing_type)))


async def get_order_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, oid = request.path_params["customer_id"], request.path_params["order_id"]
    order = rules.get_order(ctx, caller.tenant, cid, oid)
    return wire.respond(render.order_wire(ctx, order, country_of(ctx, caller.tenant, cid)))


@wire.operation(body=OrderPatchIn, partial=True)
async def patch_order_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, oid = request.path_params["customer_id"], request.path_params["order_id"]
    body = await wire.parse_body(request, OrderPatchIn)
    numbers = [ln.line_item_number for ln in body.line_items] if body.line_items else None
    order = ctx.run(rules.cancel_or_refuse, caller.tenant, cid, oid, body.status, numbers)
    return wire.respond(render.order_wire(ctx, order, country_of(ctx, caller.tenant, cid)))


@wire.operation(user_only=True)
async def order_provisioning_status_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    cid, oid = request.path_params["customer_id"], request.path_params["order_id"]
    order = rules.get_order(ctx, caller.tenant, cid, oid)
    return wire.respond(wire.collection(render.provisioning_status_wire(order, ctx.clock.now())))


def _line_number(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise errors.OrderLineItemNotFound(raw) from None


async def line_activation_links_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    order = rules.get_order(ctx, caller.tenant, pp["customer_id"], pp["order_id"])
    number = _line_number(pp["line_item_number"])
    items = render.activation_links_wire(rules.activated_lines(order, ctx.clock.now(), number))
    return wire.respond(wire.collection(items, f"/customers/{order['customer_id']}/orders/{order['id']}"
                                               f"/lineitems/{number}/activationlinks"))


async def order_activation_links_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    pp = request.path_params
    order = rules.get_order(ctx, caller.tenant, pp["customer_id"], pp["order_id"])
    items = render.activation_links_wire(rules.activated_lines(order, ctx.clock.now()))
    return wire.respond(wire.collection(items,
                                        f"/customers/{order['customer_id']}/orders/{order['id']}/activationlinks"))


ORDER = "/v1/customers/{customer_id}/orders/{order_id}"
routes = [
    Route("/v1/customers/{customer_id}/orders", create_order_endpoint, methods=["POST"]),
    Route("/v1/customers/{customer_id}/orders", list_orders_endpoint, methods=["GET"]),
    Route(ORDER, get_order_endpoint, methods=["GET"]),
    Route(ORDER, patch_order_endpoint, methods=["PATCH"]),
    Route(ORDER + "/provisioningstatus", order_provisioning_status_endpoint, methods=["GET"]),
    Route(ORDER + "/lineitems/{line_item_number}/activationlinks", line_activation_links_endpoint, methods=["GET"]),
    Route(ORDER + "/activationlinks", order_activation_links_endpoint, methods=["GET"]),
]
