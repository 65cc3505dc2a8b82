"""Webhook endpoints: the registration API under /webhooks/v1 (W1-W6), the signing certificate, and the
control API's webhook routes under /_simulator/webhooks.

Both App-only and App+User tokens are accepted (partner-center-webhooks.md). Bodies are PascalCase as
the docs' examples; any key casing is read.
"""
from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, ids, wire
from simulator.context import Context
from simulator.webhooks import delivery, events, render, rules, signing
from simulator.wire import query


class RegistrationIn(wire.WireModel):
    webhook_url: str = Field(min_length=1, max_length=2048)
    webhook_events: list[str] = Field(min_length=1, max_length=100)
    signature_token_to_ms_signature_header: bool | None = Field(None, strict=True)


class RaiseIn(wire.WireModel):
    event: str = Field(min_length=1, max_length=128)
    tenant: str | None = Field(None, min_length=1, max_length=256)
    resource_uri: str | None = Field(None, min_length=1, max_length=2048)
    customer_id: str | None = Field(None, min_length=1, max_length=128)
    subscription_id: str | None = Field(None, min_length=1, max_length=128)
    invoice_id: str | None = Field(None, min_length=1, max_length=128)


class FailuresIn(wire.WireModel):
    count: int = Field(ge=0, le=1000, strict=True)
    tenant: str | None = Field(None, min_length=1, max_length=256)


def base_of(request: Request) -> str:
    """The simulator's own URL as the caller reached it: ResourceUri and X-MS-Certificate-Url point there."""
    return str(request.base_url).rstrip("/")


REGISTRATION = {"type": "object", "required": ["WebhookUrl", "WebhookEvents"],
                "properties": {"SubscriberId": {"type": "string"}, "WebhookUrl": {"type": "string"},
                               "WebhookEvents": {"type": "array", "items": {"type": "string"}},
                               "SignatureTokenToMsSignatureHeader": {"type": "boolean"}}}
VALIDATION = {"type": "object", "required": ["correlationId", "partnerId", "status", "callbackUrl", "results"],
              "properties": {"correlationId": {"type": "string"}, "partnerId": {"type": "string"},
                             "status": {"type": "string"}, "callbackUrl": {"type": "string"},
                             "results": {"type": "array", "items": {
                                 "type": "object",
                                 "required": ["responseCode", "responseMessage", "systemError", "dateTimeUtc"],
                                 "properties": {"responseCode": {"type": "string"},
                                                "responseMessage": {"type": "string"},
                                                "systemError": {"type": "boolean"},
                                                "dateTimeUtc": {"type": "string"}}}}}}


# --- W1-W6 ----------------------------------------------------------------------------------------

@wire.operation(summary="W1: the events a registration can ask for (a bare array)",
                response={"type": "array", "items": {"type": "string"}}, errors=[401])
async def list_events_endpoint(request: Request) -> Response:
    auth.begin(request)
    return wire.respond(list(events.EVENTS))


@wire.operation(summary="W2: register to receive events (one registration per partner tenant)", body=RegistrationIn,
                response=REGISTRATION, errors=[400, 401, 409])
async def register_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, RegistrationIn)
    reg = ctx.run(rules.register, caller, body.webhook_url, body.webhook_events,
                  bool(body.signature_token_to_ms_signature_header), base_of(request))
    return wire.respond(render.registration_wire(reg))


@wire.operation(summary="W3: the partner's registration", response=REGISTRATION, errors=[401, 404])
async def get_registration_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    return wire.respond(render.registration_wire(rules.get_registration(ctx, caller)))


@wire.operation(summary="W4: update the partner's registration", body=RegistrationIn, response=REGISTRATION,
                errors=[400, 401, 404])
async def update_registration_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    body = await wire.parse_body(request, RegistrationIn)
    reg = ctx.run(rules.update_registration, caller, body.webhook_url, body.webhook_events,
                  body.signature_token_to_ms_signature_header, base_of(request))
    return wire.respond(render.registration_wire(reg))


@wire.operation(summary="W5: send a test event (test-created) to the registration; 2 a minute",
                response={"type": "object", "required": ["correlationId"],
                          "properties": {"correlationId": {"type": "string"}}}, errors=[400, 401, 404, 429])
async def send_test_event_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    correlation_id = ctx.run(rules.send_test_event, caller)
    return wire.respond({"correlationId": correlation_id})


@wire.operation(summary="W6: the delivery report of a test event, one result per attempt (kept 7 days)",
                response=VALIDATION, errors=[401, 404])
async def get_validation_event_endpoint(request: Request) -> Response:
    ctx, caller = auth.begin(request)
    found = rules.get_validation_event(ctx, caller, request.path_params["correlation_id"])
    return wire.respond(render.validation_event_wire(found))


@wire.operation(summary="the certificate webhook deliveries are signed with (DER), as X-MS-Certificate-Url says",
                content="application/pkix-cert")
async def certificate_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    return Response(signing.of(ctx).certificate, media_type="application/pkix-cert")


# --- control -------------------------------------------------------------------------------------

def tenant_of(ctx: Context, raw: str | None) -> str:
    return ids.partner_id(raw, ctx.settings.default_tenant) if raw else ctx.settings.default_tenant


def optional_tenant(ctx: Context, raw: str | None) -> str | None:
    return ids.partner_id(raw, ctx.settings.default_tenant) if raw else None


DELIVERIES = wire.collection_schema(render.DELIVERY_SCHEMA)


@wire.operation(summary="webhook deliveries, oldest first: event, target, state and every attempt",
                query=["tenant", "event", "state"], response=DELIVERIES, errors=[400, 401])
async def list_deliveries_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    found = rules.list_deliveries(ctx, optional_tenant(ctx, query.text(request, "tenant")),
                                  query.text(request, "event") or None, query.text(request, "state") or None)
    return wire.respond(wire.collection([render.delivery_wire(d) for d in found]))


@wire.operation(summary="one webhook delivery", query=["tenant"], response=render.DELIVERY_SCHEMA, errors=[401, 404])
async def get_delivery_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    found = rules.get_delivery(ctx, optional_tenant(ctx, query.text(request, "tenant")),
                               request.path_params["delivery_id"])
    return wire.respond(render.delivery_wire(found))


@wire.operation(summary="attempt every webhook delivery due now (after what the clock brought), and wait for "
                        "the answers", response=DELIVERIES, errors=[401])
async def flush_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    attempted = set(await delivery.runtime_of(request.app.state).flush())
    found = [d for d in rules.list_deliveries(ctx, None, None, None) if d["id"] in attempted]
    return wire.respond(wire.collection([render.delivery_wire(d) for d in found]))


@wire.operation(summary="raise any webhook event by hand for a resource (sent whether or not the registration "
                        "asks for it)", body=RaiseIn, response=render.DELIVERY_SCHEMA, status=201,
                errors=[400, 401, 404])
async def raise_event_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    body = await wire.parse_body(request, RaiseIn)
    given: dict[str, Any] = {"resourceUri": body.resource_uri, "customerId": body.customer_id,
                             "subscriptionId": body.subscription_id, "invoiceId": body.invoice_id}
    doc = ctx.run(rules.raise_by_hand, tenant_of(ctx, body.tenant), body.event, given)
    return wire.respond(render.delivery_wire(doc), status=201)


@wire.operation(summary="make the partner's next N webhook delivery attempts fail (0: none)", body=FailuresIn,
                response={"type": "object", "required": ["tenant", "failNext"],
                          "properties": {"tenant": {"type": "string"}, "failNext": {"type": "integer"}}},
                errors=[400, 401, 404])
async def failures_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    body = await wire.parse_body(request, FailuresIn)
    tenant = tenant_of(ctx, body.tenant)
    reg = ctx.run(rules.fail_next, tenant, body.count)
    return wire.respond({"tenant": tenant, "failNext": reg["failNext"]})


W = "/webhooks/v1/registration"
routes = [
    Route(W + "/events", list_events_endpoint, methods=["GET"]),
    Route(W + "/validationevents", send_test_event_endpoint, methods=["POST"]),
    Route(W + "/validationevents/{correlation_id}", get_validation_event_endpoint, methods=["GET"]),
    Route(W, register_endpoint, methods=["POST"]),
    Route(W, get_registration_endpoint, methods=["GET"]),
    Route(W, update_registration_endpoint, methods=["PUT"]),
    Route(signing.CERTIFICATE_PATH, certificate_endpoint, methods=["GET"]),
    Route("/_simulator/webhooks/deliveries", list_deliveries_endpoint, methods=["GET"]),
    Route("/_simulator/webhooks/deliveries/{delivery_id}", get_delivery_endpoint, methods=["GET"]),
    Route("/_simulator/webhooks/flush", flush_endpoint, methods=["POST"]),
    Route("/_simulator/webhooks/events", raise_event_endpoint, methods=["POST"]),
    Route("/_simulator/webhooks/failures", failures_endpoint, methods=["POST"]),
]
