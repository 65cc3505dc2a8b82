"""The inventory check's endpoint (POST /v1/extensions/product/checkinventory). It is apart from
endpoints.py because its request body is a pydantic model (models.py), which the product routes
don't load."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, wire
from simulator.catalog import render, rules
from simulator.catalog.models import InventoryCheckRequest
from simulator.wire import query


@wire.operation(body=InventoryCheckRequest, query=["country!"])
async def check_inventory_endpoint(request: Request) -> Response:
    ctx, _ = auth.begin(request)
    market = rules.require_market(ctx, query.text(request, "country"))
    body = await wire.parse_body(request, InventoryCheckRequest)
    targets = [(t.product_id, t.sku_id) for t in body.target_items]
    return wire.respond(render.inventory_wire(rules.check_inventory(ctx, market, targets, body.inventory_context)))


routes = [Route("/v1/extensions/product/checkinventory", check_inventory_endpoint, methods=["POST"])]
