"""GET /_simulator/health: pcsim is up. Apart from the other control endpoints because a supervisor
polls it from the first moment, and answering it needs none of their request models."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import wire

HEALTH = "/_simulator/health"


@wire.operation(summary="pcsim is up", response={
    "type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["ok"]}}})
async def health_endpoint(request: Request) -> Response:
    return wire.respond({"status": "ok"})


routes = [Route(HEALTH, health_endpoint, methods=["GET"])]
