"""Fault rules: requests that match a rule get its effect instead of (or on top of) their answer.

A rule matches on method, path (a glob: `*` matches any characters, `/` included; compared without
regard to case, as ids and literal words are) and the partner tenant the request's token resolves
to. Rules are tried in the order they were added; the first that matches and wins its draw fires,
one per request. Effects:

- `throttle`: 429 with `Retry-After` and the throttling body of api.md 2.8;
- `error`: the given status with a Partner Center error body of the given code and description;
- `latency`: the real answer, after that many seconds of wall time;
- `drop`: the connection closes without an answer (see `drop` below);
- `accepted`: for PATCH, the real update and the documented 202 + `Location` answer.

Throttle, error and drop answer before the app runs, so the store never sees the request.
`probability` draws from a stream of its own (seeded like the ids, but apart from them), so faults
never shift business ids. Rules never apply to /_simulator.
"""
from __future__ import annotations

import asyncio
import fnmatch
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulator import errors, ids, wire
from simulator.context import Context


class ThrottleIn(wire.WireModel):
    type: Literal["throttle"]
    retry_after: int = Field(60, ge=0, le=86400, strict=True, description="seconds, for Retry-After")


class ErrorIn(wire.WireModel):
    type: Literal["error"]
    status: int = Field(ge=400, le=599, strict=True)
    code: int = Field(ge=-(2 ** 31), le=2 ** 31 - 1, strict=True)
    description: str = Field("A fault injected by the simulator.", max_length=1024)


class LatencyIn(wire.WireModel):
    type: Literal["latency"]
    seconds: float = Field(ge=0, le=300, strict=True, description="wall-clock delay before the real answer")


class DropIn(wire.WireModel):
    type: Literal["drop"]


class AcceptedIn(wire.WireModel):
    type: Literal["accepted"]


Effect = Annotated[ThrottleIn | ErrorIn | LatencyIn | DropIn | AcceptedIn, Field(discriminator="type")]


def _plain_union(schema: dict[str, Any]) -> None:
    """The effect's schema as a oneOf without its discriminator mapping, which schemathesis can't read."""
    schema["properties"]["effect"].pop("discriminator", None)


class FaultIn(wire.WireModel):
    model_config = ConfigDict(json_schema_extra=_plain_union)

    method: str = Field("*", pattern=r"^(\*|[A-Za-z]{1,16})$", description="an HTTP method, or * for any")
    path: str = Field("*", min_length=1, max_length=1000,
                      description="a glob over the path, e.g. /v1/customers/*/orders*")
    tenant: str | None = Field(None, min_length=1, max_length=256,
                               description="only requests whose token speaks for this partner (its name or GUID)")
    effect: Effect
    times: int | None = Field(None, ge=1, le=1_000_000, strict=True, description="fire this often, then expire")
    probability: float | None = Field(None, ge=0, le=1, strict=True, description="chance to fire on a match")

    @field_validator("effect", mode="before")
    @classmethod
    def _type_in_any_case(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {"type" if isinstance(k, str) and k.lower() == "type" else k: v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _accepted_is_for_patch(self) -> FaultIn:
        if isinstance(self.effect, AcceptedIn) and self.method.upper() not in ("*", "PATCH"):
            raise ValueError("the accepted effect is for PATCH requests")
        return self


@dataclass
class Rule:
    id: str
    method: str
    path: str
    tenant: str | None
    effect: dict[str, Any]
    times: int | None
    remaining: int | None
    probability: float | None
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule is for this method and path (its tenant aside)."""
        if self.effect["type"] == "accepted" and method != "PATCH":
            return False
        return self.method in ("*", method) and fnmatch.fnmatchcase(path.lower(), self.path.lower())

    def wire(self) -> dict[str, Any]:
        body = {"id": self.id, "method": self.method, "path": self.path, "tenant": self.tenant, "effect": self.effect,
                "times": self.times, "remaining": self.remaining, "probability": self.probability, "fired": self.fired}
        return {key: value for key, value in body.items() if value is not None}


MOST = 256  # fault rules in force at most (POST /_simulator/faults answers 409 beyond)


class Rules:
    """The app's fault rules and the random stream their probabilities draw from.

    A request is matched against the rules whose method and path glob match its own: those are worked
    out once per method and path (`candidates`) and kept until the rules change, so a request whose
    path was seen before costs a lookup, not a glob per rule."""

    def __init__(self, seed: int) -> None:
        self.items: list[Rule] = []
        self.count = 0
        self.by_path: dict[tuple[str, str], tuple[Rule, ...]] = {}
        self.tenanted = False  # whether some rule names a tenant (the tenant costs a token check)
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        self.random = ids.stream("faults", seed)

    def changed(self) -> None:
        self.by_path.clear()
        self.tenanted = any(rule.tenant for rule in self.items)

    def candidates(self, method: str, path: str) -> tuple[Rule, ...]:
        key = (method, path)
        found = self.by_path.get(key)
        if found is None:
            found = tuple(rule for rule in self.items if rule.matches(method, path))
            if len(self.by_path) >= CANDIDATES_MOST:
                self.by_path.clear()
            self.by_path[key] = found
        return found


CANDIDATES_MOST = 4096  # method and path pairs whose candidate rules are remembered (then forgotten at once)


def add(ctx: Context, rules: Rules, body: FaultIn) -> Rule:
    if len(rules.items) >= MOST:
        raise errors.TooManyFaultRules(MOST)
    rules.count += 1
    tenant = ids.partner_id(body.tenant, ctx.settings.default_tenant) if body.tenant else None
    rule = Rule(id=str(rules.count), method=body.method.upper(), path=body.path, tenant=tenant,
                effect=body.effect.wire(), times=body.times, remaining=body.times, probability=body.probability)
    rules.items.append(rule)
    rules.changed()
    return rule


def remove(rules: Rules, rule_id: str) -> None:
    found = [rule for rule in rules.items if rule.id == rule_id]
    if not found:
        raise errors.FaultNotFound(rule_id)
    rules.items.remove(found[0])
    rules.changed()


def clear(rules: Rules) -> None:
    rules.items.clear()
    rules.changed()


def pick(rules: Rules, method: str, path: str, tenant: str | None) -> Rule | None:
    """The rule that fires for this request, if one does; a rule that has fired its times expires."""
    for rule in rules.candidates(method, path):
        if rule.tenant is not None and rule.tenant != tenant:
            continue
        if rule.probability is not None and rules.random.random() >= rule.probability:
            continue
        rule.fired += 1
        if rule.remaining is not None:
            rule.remaining -= 1
            if rule.remaining <= 0:
                rules.items.remove(rule)
                rules.changed()
        return rule
    return None


# --- effects (ASGI) -------------------------------------------------------------------------

class ConnectionDropped(Exception):
    """A `drop` fault where no server connection is at hand (in process, through httpx's
    ASGITransport): the exception reaches the caller in place of an answer."""


async def drop(receive: Receive) -> None:
    """Closes the connection without writing a byte. uvicorn hands the app its request cycle's bound
    `receive`, whose cycle holds the transport; once the server has seen the connection go, it sends
    nothing more (an app that just returned or raised would get a 500 from it instead)."""
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "close"):
        raise ConnectionDropped("a drop fault closed the connection without an answer")
    transport.close()
    for _ in range(100):  # connection_lost runs on the loop's next turns
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)


async def apply(rule: Rule, app: ASGIApp, scope: Scope, receive: Receive, send: Send, raw_receive: Receive) -> None:
    """Answers the request as the rule says; `raw_receive` is the server's own, for `drop`."""
    effect = rule.effect
    kind = effect["type"]
    if kind == "throttle":
        await errors.render(errors.Throttled(effect["retryAfter"]))(scope, receive, send)
    elif kind == "error":
        await errors.render(errors.InjectedFault(effect["status"], effect["code"], effect["description"]))(
            scope, receive, send)
    elif kind == "drop":
        await drop(raw_receive)
    elif kind == "latency":
        await asyncio.sleep(effect["seconds"])
        await app(scope, receive, send)
    else:  # accepted
        await app(scope, receive, accepted(scope, send))


def accepted(scope: Scope, send: Send) -> Send:
    """A 200 answer becomes the documented 202 + Location (the resource's path without /v1), as
    --slow-patch answers subscription PATCH; anything else passes as it is."""
    path = scope["path"]
    location = path[3:] if path.lower().startswith("/v1/") else path

    async def send_accepted(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 200:
            message = {**message, "status": 202,
                       "headers": [*message.get("headers", []), (b"location", location.encode())]}
        await send(message)
    return send_accepted


# --- endpoints ----------------------------------------------------------------------------

RULE = {"type": "object", "required": ["id", "method", "path", "effect", "fired"],
        "properties": {"id": {"type": "string"}, "method": {"type": "string"}, "path": {"type": "string"},
                       "tenant": {"type": "string"},
                       "effect": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}},
                       "times": {"type": "integer"}, "remaining": {"type": "integer"},
                       "probability": {"type": "number"}, "fired": {"type": "integer"}}}
RULES = wire.collection_schema(RULE)


def rules_of(request: Request) -> Rules:
    rules: Rules = request.app.state.control.faults
    return rules


@wire.operation(summary="add a fault rule", body=FaultIn, status=201, response=RULE, errors=[401, 409])
async def add_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    body = await wire.parse_body(request, FaultIn)
    return wire.respond(add(ctx, rules_of(request), body).wire(), 201)


@wire.operation(summary="the fault rules in force, with the times each has left", response=RULES, errors=[401])
async def list_endpoint(request: Request) -> Response:
    items = [rule.wire() for rule in rules_of(request).items]
    return wire.respond(wire.collection(items))


@wire.operation(summary="remove every fault rule", status=204, errors=[401])
async def clear_endpoint(request: Request) -> Response:
    clear(rules_of(request))
    return wire.empty()


@wire.operation(summary="remove one fault rule", status=204, errors=[401, 404])
async def remove_endpoint(request: Request) -> Response:
    remove(rules_of(request), request.path_params["id"])
    return wire.empty()


routes = [
    Route("/_simulator/faults", add_endpoint, methods=["POST"]),
    Route("/_simulator/faults", list_endpoint, methods=["GET"]),
    Route("/_simulator/faults", clear_endpoint, methods=["DELETE"]),
    Route("/_simulator/faults/{id}", remove_endpoint, methods=["DELETE"]),
]
