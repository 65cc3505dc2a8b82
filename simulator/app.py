"""The application factory: mounts every area's routes, the error handlers and the one middleware."""
from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Message, Receive, Scope, Send

from simulator import auth, carts, control, customers, errors
from simulator.catalog import data as catalog_data
from simulator.catalog import endpoints as catalog
from simulator.catalog.data import Catalog
from simulator.clock import ManualClock
from simulator.context import Context
from simulator.ids import Ids
from simulator.orders import endpoints as orders
from simulator.settings import Settings, from_env
from simulator.subscriptions import azure, newcommerce, overage, productupgrades, transitions, upgrades
from simulator.subscriptions import endpoints as subscriptions
from simulator.store import MemoryStore, Store

# Every operation of the API reference (shared/reference/api.md, 1.5-1.9) past the purchase path.
# Those no area module implements answer 501 with a Partner Center error body, never a fake success.
C, S = "/v1/customers/{customer_id}", "/v1/customers/{customer_id}/subscriptions/{subscription_id}"
DOCUMENTED = [
    ("GET", C + "/subscriptions/customtermenddates"), ("GET", C + "/subscriptions/overage"),
    ("PUT", C + "/subscriptions/overage"), ("GET", C + "/subscriptions/usagerecords"),
    ("GET", "/v1/customers/usagerecords"), ("GET", C + "/usagesummary"), ("GET", C + "/usagebudget"),
    ("PATCH", C + "/usagebudget"), ("GET", "/v1/usagesummary"),
    ("PATCH", S), ("GET", S + "/provisioningstatus"), ("POST", S + "/activate"), ("GET", S + "/activationlinks"),
    ("GET", S + "/conversions"), ("POST", S + "/conversions"), ("POST", S + "/registrations"),
    ("GET", S + "/registrationstatus"), ("GET", S + "/upgrades"), ("POST", S + "/upgrades"),
    ("GET", S + "/transitioneligibilities"), ("POST", S + "/transitions"), ("GET", S + "/transitions"),
    ("GET", S + "/azureentitlements"), ("GET", S + "/azureentitlements/{entitlement_id}"),
    ("POST", S + "/azureentitlements/{entitlement_id}/cancel"),
    ("POST", S + "/azureentitlements/{entitlement_id}/reactivate"),
    ("GET", S + "/usagesummary"), ("GET", S + "/meterusagerecords"), ("GET", S + "/resourceusagerecords"),
    ("GET", S + "/usagerecords/resources"), ("GET", S + "/utilizations/azure"),
    ("POST", "/v1/productupgrades/eligibility"), ("POST", "/v1/productupgrades"),
    ("POST", "/v1/productupgrades/{upgrade_id}/status"),
    ("GET", "/v1/invoices"), ("GET", "/v1/invoices/summaries"), ("GET", "/v1/invoices/estimates/links"),
    ("GET", "/v1/invoices/unbilled/lineitems"), ("GET", "/v1/invoices/{invoice_id}"),
    ("GET", "/v1/invoices/{invoice_id}/lineitems"),
    ("GET", "/v1/invoices/{invoice_id}/lineitems/{provider}/{line_item_type}"),
    ("GET", "/v1/invoices/{invoice_id}/documents/statement"),
]


def shape(path: str) -> str:
    """A path with its parameter names blanked, so `{id}` and `{subscription_id}` compare equal."""
    return "/".join("{}" if part.startswith("{") else part.lower() for part in path.split("/"))


def not_simulated(implemented: list[BaseRoute] | None = None) -> list[tuple[str, str]]:
    """The documented operations no area module implements yet."""
    implemented = implemented if implemented is not None else implemented_routes()
    done = {(m, shape(r.path)) for r in implemented if isinstance(r, Route) for m in (r.methods or ())}
    return [(method, path) for method, path in DOCUMENTED if (method, shape(path)) not in done]


def not_simulated_routes(implemented: list[BaseRoute]) -> list[Route]:
    def make(method: str, path: str) -> Route:
        async def endpoint(request: Request) -> Response:
            auth.begin(request)
            raise errors.NotSimulated(f"{method} {path}")
        return Route(path, endpoint, methods=[method])
    return [make(method, path) for method, path in not_simulated(implemented)]


def implemented_routes() -> list[BaseRoute]:
    # Literal-segment routes under /subscriptions (customTermEndDates, overage) precede the id routes.
    return [*control.routes, *auth.routes, *catalog.routes, *customers.routes, *carts.routes, *orders.routes,
            *newcommerce.routes, *overage.routes, *transitions.routes,
            *subscriptions.routes, *azure.routes, *upgrades.routes, *productupgrades.routes]


def all_routes() -> list[BaseRoute]:
    implemented = implemented_routes()
    # Routes with literal segments where an id could stand (overage, usagerecords ...) must come
    # before the id routes; a method mismatch falls through to a later route of the same path.
    return [*not_simulated_routes(implemented), *implemented]


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
               catalog: Catalog | None = None) -> Any:
    settings = settings or from_env({})
    ctx = Context(store=store or MemoryStore(), clock=clock or ManualClock(settings.start()),
                  ids=Ids(settings.seed), catalog=catalog or catalog_data.load(), settings=settings)
    routes = all_routes()
    app = Starlette(routes=routes, exception_handlers=dict(errors.HANDLERS))  # type: ignore[arg-type]
    app.state.ctx = ctx
    return WireMiddleware(app, literal_segments(routes), ctx)
