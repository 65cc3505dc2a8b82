"""The first simulator-only endpoints: clock and reset (health is in health.py).

The clock (simulator/clock.py) runs or stands still: GET /_simulator/clock says its time, mode and
speed; PUT /_simulator/clock switches mode and speed; POST /_simulator/clock/advance moves it forward
in either mode. Reset leaves the clock as it is.

They are not part of the Partner Center API and need no Partner Center token (with
`--control-token`, every one but health needs that token; see simulator/control/access.py).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import errors, ids, wire
from simulator.clock import MAX_SPEED, MODES, OutOfRange
from simulator.context import Context
from simulator.customers import records as customer_records
from simulator.webhooks import records as webhook_records


class AdvanceIn(wire.WireModel):
    seconds: float | None = Field(None, ge=0, le=100 * 366 * 86400, strict=True)
    until: str | None = None


class ClockIn(wire.WireModel):
    """Either field may be left out (it stays as it is); neither may be null."""
    # A left-out field is None (pydantic does not validate defaults); an explicit null is refused by
    # `_not_null`; SkipJsonSchema keeps null out of the published schema.
    mode: Literal["running", "manual"] | SkipJsonSchema[None] = Field(
        None, description="running: follows wall time x speed; manual: moves only when advanced")
    # Above 0 (checked by configure_clock), said the OpenAPI 3.0 way: pydantic would write 2020-12's
    # numeric exclusiveMinimum.
    speed: Annotated[float, Field(le=MAX_SPEED, strict=True, allow_inf_nan=False)] | SkipJsonSchema[None] = Field(
        None, description="simulated seconds per wall second while running",
        json_schema_extra={"minimum": 0, "exclusiveMinimum": True})

    @field_validator("mode", "speed", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class ResetIn(wire.WireModel):
    tenant: str | None = Field(None, min_length=1, max_length=256)
    seed: int | None = Field(None, strict=True)


def clock_body(ctx: Context) -> dict[str, Any]:
    return {"now": wire.iso(ctx.clock.now())}


def clock_state(ctx: Context) -> dict[str, Any]:
    """What GET /_simulator/clock says: the time, and how it moves."""
    speed = ctx.clock.speed
    return {**clock_body(ctx), "mode": ctx.clock.mode, "speed": int(speed) if speed.is_integer() else speed}


def configure_clock(ctx: Context, body: ClockIn) -> None:
    if body.mode is None and body.speed is None:
        raise errors.InvalidRequestInput("give mode (running or manual) or speed")
    try:
        ctx.clock.configure(body.mode, body.speed)
    except ValueError as exc:  # a speed of 0 or less
        raise errors.InvalidRequestInput(str(exc)) from None


def advance_clock(ctx: Context, body: AdvanceIn) -> None:
    try:
        move_clock(ctx, body)
    except OutOfRange as exc:  # past what the rules can represent (simulator/clock.py, LATEST)
        raise errors.InvalidRequestInput(str(exc)) from None


def move_clock(ctx: Context, body: AdvanceIn) -> None:
    if body.until is not None:
        try:
            target = wire.parse_time(body.until)
        except ValueError:
            raise errors.InvalidRequestInput("until must be an ISO-8601 time") from None
        try:
            ctx.clock.set(target)
        except OutOfRange:
            raise
        except ValueError:  # before the clock's time (a running clock's, read now)
            raise errors.InvalidRequestInput("the clock only moves forward") from None
    elif body.seconds is not None:
        ctx.clock.advance(body.seconds)
    else:
        raise errors.InvalidRequestInput("give seconds or until")


def reset(ctx: Context, body: ResetIn) -> None:
    """Everything (or one partner tenant, by name or GUID) is emptied and the ids are reseeded."""
    tenant = ids.partner_id(body.tenant, ctx.settings.default_tenant) if body.tenant else None
    if tenant is not None:  # the domain index is filed across partners: free this partner's domains
        for customer in customer_records.list_all(ctx, tenant):
            customer_records.release_domain(ctx, customer)
    ctx.store.clear(tenant)
    ctx.ids.reseed(body.seed)
    ctx.catalog.rendered.clear()


CLOCK: dict[str, Any] = {"type": "object", "required": ["now"],
                         "properties": {"now": {"type": "string", "format": "date-time"}}}
CLOCK_STATE = {"type": "object", "required": ["now", "mode", "speed"],
               "properties": {**CLOCK["properties"], "mode": {"type": "string", "enum": list(MODES)},
                              "speed": {"type": "number", "minimum": 0, "exclusiveMinimum": True,
                                        "maximum": MAX_SPEED}}}


@wire.operation(summary="the simulated time, and whether it runs (and how fast) or moves only when advanced",
                response=CLOCK_STATE, errors=[401])
async def clock_endpoint(request: Request) -> Response:
    return wire.respond(clock_state(request.app.state.ctx))


@wire.operation(summary="run the clock (at a speed) or pause it: it keeps the time it has reached",
                body=ClockIn, response=CLOCK_STATE, errors=[401])
async def configure_clock_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    configure_clock(ctx, await wire.parse_body(request, ClockIn))
    return wire.respond(clock_state(ctx))


@wire.operation(summary="move the simulated time forward", body=AdvanceIn, response=CLOCK, errors=[401])
async def advance_clock_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    advance_clock(ctx, await wire.parse_body(request, AdvanceIn))
    if webhook_records.registered_tenants(ctx):  # webhook events the clock brought (renewals, invoices ...)
        from simulator.webhooks import rules as webhook_rules

        ctx.run(webhook_rules.catch_up)
    return wire.respond(clock_body(ctx))


@wire.operation(summary="empty everything, or one partner tenant, and reseed the ids", body=ResetIn,
                body_required=False, errors=[401],
                response={**CLOCK, "required": ["status", "now"],
                          "properties": {**CLOCK["properties"], "status": {"type": "string", "enum": ["reset"]}}})
async def reset_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    body = await wire.parse_optional_body(request, ResetIn)
    ctx.run(reset, body)
    request.app.state.control.faults.reseed(ctx.ids.seed)  # the fault draws start over too
    return wire.respond({"status": "reset", **clock_body(ctx)})


routes = [
    Route("/_simulator/clock", clock_endpoint, methods=["GET"]),
    Route("/_simulator/clock/advance", advance_clock_endpoint, methods=["POST"]),
    Route("/_simulator/reset", reset_endpoint, methods=["POST"]),
    Route("/_simulator/clock", configure_clock_endpoint, methods=["PUT"]),
]
