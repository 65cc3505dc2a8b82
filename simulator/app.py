"""The application factory: mounts every area's routes, the error handlers and the one middleware."""
from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Message, Receive, Scope, Send

from simulator import auth, carts, control, customers, errors, openapi, persistence, wire
from simulator import demo
from simulator.billing import invoices, lineitems
from simulator.catalog import data as catalog_data
from simulator.catalog import endpoints as catalog
from simulator.catalog.data import Catalog
from simulator.clock import ManualClock
from simulator.contracts.endpoints import ENDPOINTS
from simulator.context import Context
from simulator.ids import Ids
from simulator.orders import endpoints as orders
from simulator.settings import Settings, from_env
from simulator.subscriptions import azure, newcommerce, overage, productupgrades, transitions, upgrades
from simulator.subscriptions import endpoints as subscriptions
from simulator.store import MemoryStore, Store
from simulator import usage

# Every operation of the API reference (shared/reference/api.md, kept as data in
# simulator/contracts/endpoints.py). Those no area module implements answer 501 with a Partner Center
# error body, never a fake success.
DOCUMENTED = list(dict.fromkeys(
    (e.method, e.route.replace("-", "_")) for e in ENDPOINTS if e.route.startswith("/v1/")))


def not_simulated(implemented: list[BaseRoute] | None = None) -> list[tuple[str, str]]:
    """The documented operations no area module implements yet."""
    implemented = implemented if implemented is not None else implemented_routes()
    done = {(m, openapi.shape(r.path)) for r in implemented if isinstance(r, Route) for m in (r.methods or ())}
    return [(method, path) for method, path in DOCUMENTED if (method, openapi.shape(path)) not in done]


def not_simulated_routes(implemented: list[BaseRoute]) -> list[Route]:
    def make(method: str, path: str) -> Route:
        async def endpoint(request: Request) -> Response:
            auth.begin(request)
            raise errors.NotSimulated(f"{method} {path}")
        return Route(path, endpoint, methods=[method])
    # A literal word outranks an id in the same place (`invoices/unbilled` before `invoices/{id}`).
    ordered = sorted(not_simulated(implemented), key=lambda op: op[1].count("{"))
    return [make(method, path) for method, path in ordered]


def implemented_routes() -> list[BaseRoute]:
    # Literal-segment routes under /subscriptions (customTermEndDates, overage) precede the id routes;
    # usage's `customers/usagerecords` and `subscriptions/usagerecords` precede the customer routes.
    return [*usage.routes, *catalog.routes, *customers.routes, *carts.routes, *orders.routes,
            *newcommerce.routes, *overage.routes, *transitions.routes,
            *subscriptions.routes, *azure.routes, *upgrades.routes, *productupgrades.routes,
            *lineitems.routes, *invoices.routes,  # literal invoice paths before {invoice_id}
            *control.routes, *demo.routes, *auth.routes]


@wire.operation(summary="this document", response={"type": "object", "required": ["openapi", "paths"]})
async def openapi_endpoint(request: Request) -> Response:
    """Made on first use from the app's own routes (see simulator/openapi.py), then served as bytes."""
    state = request.app.state
    if getattr(state, "openapi", None) is None:
        stubs = {(m, openapi.shape(p)) for m, p in not_simulated(implemented_routes())}
        state.openapi = openapi.document_bytes(request.app.routes, stubs)
    return wire.respond_bytes(state.openapi)


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def method_guards(routes: list[BaseRoute]) -> list[BaseRoute]:
    """For each path, a route answering 405 (`Allow`: every method served there) to the methods the
    path does not serve. Where a later route would take the request (`PATCH …/subscriptions/overage`
    would reach `…/subscriptions/{subscription_id}` with the id "overage") it stands right after the
    path's last route; the others stand at the end, where requests that found their route never look."""
    served: dict[str, set[str]] = {}
    last: dict[str, int] = {}
    for i, route in enumerate(routes):
        if isinstance(route, Route):
            served.setdefault(route.path, set()).update(route.methods or ())
            last[route.path] = i
    inline: list[BaseRoute] = []
    at_end: list[BaseRoute] = []
    for i, route in enumerate(routes):
        inline.append(route)
        path = getattr(route, "path", None)
        if path is None or last.get(path) != i:
            continue
        guard = Route(path, refuse(", ".join(sorted(served[path]))),
                      methods=[m for m in METHODS if m not in served[path]], include_in_schema=False)
        later = any(openapi.covers(other, path) for r in routes[i + 1:]  # only a path as deep can cover it
                    if (other := getattr(r, "path", "")).count("/") == path.count("/"))
        (inline if later else at_end).append(guard)
    return inline + at_end


def refuse(allow: str) -> Any:
    async def endpoint(request: Request) -> Response:
        raise errors.MethodNotAllowed(request.method, request.url.path, allow)
    return endpoint


def all_routes() -> list[BaseRoute]:
    implemented = implemented_routes()
    # Routes with literal segments where an id could stand (overage, usagerecords ...) come before
    # the id routes, and each path's 405 guard right after its own routes.
    return method_guards([Route("/openapi.json", openapi_endpoint, methods=["GET"]),
                          *not_simulated_routes(implemented), *implemented])


def literal_segments(routes: list[BaseRoute]) -> set[str]:
    words: set[str] = set()
    for route in routes:
        for part in getattr(route, "path", "").split("/"):
            if part and "{" not in part:
                words.add(part.lower())
    return words


class WireMiddleware:
    """Literal path segments match in any casing, as the service's do (api.md: `azureEntitlements`
    and `azureentitlements` both work); a trailing slash is ignored; MS-RequestId and
    MS-CorrelationId are echoed, made up when absent."""

    def __init__(self, app: Starlette, words: set[str], ctx: Context) -> None:
        self.app, self.words, self.ctx = app, words, ctx
        self.state = app.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        parts = [p.lower() if p.lower() in self.words else p for p in path.split("/")]
        new_path = "/".join(parts)
        if len(new_path) > 1:
            new_path = new_path.rstrip("/") or "/"
        scope = {**scope, "path": new_path, "raw_path": new_path.encode()}
        headers = {k.lower(): v for k, v in scope["headers"]}
        echo = [(b"ms-requestid", headers.get(b"ms-requestid") or self.ctx.ids.request_guid().encode()),
                (b"ms-correlationid", headers.get(b"ms-correlationid") or self.ctx.ids.request_guid().encode())]

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *echo]}
            await send(message)

        await self.app(scope, receive, send_with_ids)


def create_app(settings: Settings | None = None, *, clock: ManualClock | None = None, store: Store | None = None,
               catalog: Catalog | None = None, ids: Ids | None = None) -> Any:
    settings = settings or from_env({})
    store = persistence.open_state(settings, store)  # the --state file, if the settings name one
    settings = persistence.seeded(settings, store)  # whose seed wins over --seed
    ctx = Context(store=store or MemoryStore(), clock=clock or ManualClock(settings.start()),
                  ids=ids or Ids(settings.seed), catalog=catalog or catalog_data.load(), settings=settings)
    persistence.attach(ctx)  # a SQLite store's clock and ids come back, and are kept there from now on
    routes = all_routes()
    if settings.no_control:
        routes = control.without_control(routes)
    app = Starlette(routes=routes, exception_handlers=dict(errors.HANDLERS))  # type: ignore[arg-type]
    app.state.ctx = ctx
    app.state.control = control.State(settings)  # snapshots, fault rules, the request journal
    guarded = control.ControlMiddleware(app, ctx, app.state.control)
    return WireMiddleware(guarded, literal_segments(routes), ctx)  # type: ignore[arg-type]
