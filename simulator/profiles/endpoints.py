"""Partner profile endpoints (R1-R5). Only the legal business profile (R3) takes App-only tokens."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, wire
from simulator.profiles import render, rules
from simulator.wire import query


@wire.operation(user_only=True)
async def organization_profile_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    return wire.respond(render.organization_wire(rules.partner(ctx, caller.tenant)))


@wire.operation(user_only=True)
async def billing_profile_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    return wire.respond(render.billing_wire(rules.partner(ctx, caller.tenant)))


@wire.operation(query=["vettingVersion"])
async def legal_business_profile_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    rules.vetting_version(query.text(request, "vettingVersion"))  # both versions read the same (authorized) profile
    return wire.respond(render.legal_business_wire(rules.partner(ctx, caller.tenant)))


@wire.operation(query=["mpnId"], user_only=True)
async def mpn_profile_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    return wire.respond(render.mpn_wire(rules.mpn_profile(ctx, caller.tenant, query.text(request, "mpnId"))))


@wire.operation(user_only=True)
async def support_profile_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    return wire.respond(render.support_wire(rules.partner(ctx, caller.tenant)))


routes = [
    Route("/v1/profiles/organization", organization_profile_endpoint, methods=["GET"]),
    Route("/v1/profiles/billing", billing_profile_endpoint, methods=["GET"]),
    Route("/v1/profiles/legalbusiness", legal_business_profile_endpoint, methods=["GET"]),
    Route("/v1/profiles/mpn", mpn_profile_endpoint, methods=["GET"]),
    Route("/v1/profiles/support", support_profile_endpoint, methods=["GET"]),
]
