"""Domain and validation endpoints (D1-D5), and the control route that puts a customer's account into a
validation status (what D5 reads and what blocks its purchases)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, ids, wire
from simulator.context import Context
from simulator.profiles.rules import partner
from simulator.validation import render, rules
from simulator.validation.models import AccountStatusIn, PostalAddressIn
from simulator.wire import query


async def domain_availability_endpoint(request: Request) -> Response:
    """200 (taken) or 404 (free), no body either way (verify-domain-availability.md)."""
    ctx, caller = auth.begin(request)
    taken = rules.domain_taken(ctx, request.path_params["domain"])
    return Response(status_code=200 if taken else 404, headers={"Content-Length": "0"})


@wire.operation(body=PostalAddressIn)
async def validate_address_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, PostalAddressIn)
    return wire.respond(rules.validate_address(ctx, body))


async def country_rules_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    return wire.respond(render.country_rules_wire(rules.country_rules(ctx, request.path_params["country"])))


async def validation_codes_endpoint(request: Request) -> Response:
    """A bare JSON array, not a collection (get-a-partner-s-validation-codes.md)."""
    ctx, caller = auth.begin(request)
    return wire.respond(rules.validation_codes(ctx, caller.tenant, partner(ctx, caller.tenant).company))


@wire.operation(query=["type!"], user_only=True)
async def validation_status_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    kind = query.required(request, "type")
    status = rules.account_status(ctx, caller.tenant, request.path_params["customer_id"], kind)
    return wire.respond(render.account_status_wire(status))


STATUS_SCHEMA = {"type": "object", "required": ["type", "status", "lastUpdateDateTime"],
                 "properties": {"type": {"type": "string"}, "status": {"type": "string"},
                                "lastUpdateDateTime": {"type": "string"}}}


@wire.operation(summary="put the customer's account into a validation status (UnderReview, NotAllowed and Unknown "
                "block its purchases); status null removes it", body=AccountStatusIn, errors=[400, 401, 404],
                response={"type": "object", "nullable": True, **STATUS_SCHEMA})
async def set_validation_status_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    body = await wire.parse_body(request, AccountStatusIn)
    tenant = ids.partner_id(body.tenant, ctx.settings.default_tenant) if body.tenant else ctx.settings.default_tenant
    saved = ctx.run(rules.set_account_status, tenant, request.path_params["customer_id"], body.status)
    return wire.respond(render.account_status_wire(saved) if saved else None)


routes = [
    Route("/v1/domains/{domain}", domain_availability_endpoint, methods=["HEAD"]),
    Route("/v1/validations/address", validate_address_endpoint, methods=["POST"]),
    Route("/v1/countryvalidationrules/{country}", country_rules_endpoint, methods=["GET"]),
    Route("/v1/customers/all/validations", validation_codes_endpoint, methods=["GET"]),
    Route("/v1/customers/{customer_id}/validationstatus", validation_status_endpoint, methods=["GET"]),
    Route("/_simulator/customers/{customer_id}/validationstatus", set_validation_status_endpoint, methods=["PUT"]),
]
