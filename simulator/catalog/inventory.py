"""The inventory check (POST /v1/extensions/product/checkinventory): its request model and endpoint."""
from __future__ import annotations

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, wire
from simulator.catalog import rules
from simulator.wire import query


class InventoryTarget(wire.WireModel):
    product_id: str = Field(min_length=1)
    sku_id: str | None = None


class InventoryCheckRequest(wire.WireModel):
    target_items: list[InventoryTarget] = Field(min_length=1)
    inventory_context: dict[str, str] = Field(default_factory=dict)


@wire.operation(body=InventoryCheckRequest, query=["country!"])
async def check_inventory_endpoint(request: Request) -> Response:
    ctx, _ = auth.begin(request)
    market = rules.require_market(ctx, query.text(request, "country"))
    body = await wire.parse_body(request, InventoryCheckRequest)
    targets = [(t.product_id, t.sku_id) for t in body.target_items]
    return wire.respond(rules.check_inventory(ctx, market, targets, body.inventory_context))


routes = [Route("/v1/extensions/product/checkinventory", check_inventory_endpoint, methods=["POST"])]
