"""The application factory: the router, the error handlers and the middleware.

The router is built from simulator/routetable.py (every route, in order, as data: see
simulator/routes.py) without importing the areas; each area is imported by the first request routed
to it. `pcsim` answers its first product list without loading pydantic or the other areas."""
from __future__ import annotations

import importlib
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulator import auth, control, errors, persistence, routetable
from simulator.catalog import data as catalog_data
from simulator.catalog.data import Catalog
from simulator.clock import MANUAL, Clock
from simulator.context import WRITES, Context, Writes
from simulator.control import guard
from simulator.control.health import HEALTH
from simulator.ids import Ids, partner_id
from simulator.settings import Settings, from_env, replace
from simulator.store import MemoryStore, Store, StoreFull


class Lazy:
    """A route's endpoint that imports its area on the first request routed to it, then hands every
    request to the area's own route (the one named `name` in `module.routes`)."""

    def __init__(self, module: str, name: str, path: str) -> None:
        self.module, self.name, self.path = module, name, path
        self.route: Route | None = None

    def real(self) -> Route:
        if self.route is None:
            held = importlib.import_module(self.module).routes
            route = next((r for r in held if isinstance(r, Route) and r.name == self.name), None)
            if route is None or route.path != self.path:
                raise RuntimeError(f"simulator/routetable.py is stale ({self.module} has no route {self.name} "
                                   f"at {self.path}): run python -m simulator.routes")
            self.route = route
        return self.route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.real()
        # The area's endpoint, not this stand-in, is what auth.begin reads the declaration of.
        await route.app({**scope, "endpoint": route.endpoint}, receive, send)


def stub(method: str, path: str) -> Any:
    """A documented operation no area implements: 501 with a Partner Center error body."""
    async def endpoint(request: Request) -> Response:
        auth.begin(request)
        raise errors.NotSimulated(f"{method} {path}")
    endpoint.stub = (method, path)  # type: ignore[attr-defined]
    return endpoint


def refuse(allow: str) -> Any:
    """A method the path does not serve: 405 with `Allow`."""
    async def endpoint(request: Request) -> Response:
        raise errors.MethodNotAllowed(request.method, request.url.path, allow)
    endpoint.allow = allow  # type: ignore[attr-defined]
    return endpoint


def router(no_control: bool = False) -> list[BaseRoute]:
    """The routes of simulator/routetable.py (simulator/routes.py composes them), areas imported lazily."""
    out: list[BaseRoute] = []
    for path, methods, in_schema, what in routetable.TABLE:
        if not control.serves(path, no_control):
            continue
        endpoint = (Lazy(what[1], what[2], path) if what[0] == "area" else
                    stub(what[1], what[2]) if what[0] == "stub" else refuse(what[1]))
        out.append(Route(path, endpoint, methods=list(methods), include_in_schema=in_schema))
    return out


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

    def __init__(self, app: ASGIApp, words: set[str], ctx: Context, state: State) -> None:
        self.app, self.words, self.ctx = app, words, ctx
        self.state = state  # the Starlette app's, for those who read app.state.ctx from the outside
        self.paths: dict[str, tuple[str, bytes]] = {}  # path as sent -> as routed (bounded, see below)

    def routed(self, path: str) -> tuple[str, bytes]:
        """The path the router sees (literal words in lower case, no trailing slash) and its bytes;
        remembered for the short paths of recent requests."""
        known = self.paths.get(path)
        if known is not None:
            return known
        words = self.words
        parts = []
        for part in path.split("/"):
            folded = part.lower()
            parts.append(folded if folded in words else part)
        new_path = "/".join(parts)
        if len(new_path) > 1:
            new_path = new_path.rstrip("/") or "/"
        known = (new_path, new_path.encode())
        if len(path) <= ROUTED_LONGEST:
            if len(self.paths) >= ROUTED_MOST:
                self.paths.clear()
            self.paths[path] = known
        return known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        invalid = invalid_text(scope)
        new_path, raw_path = self.routed(scope["path"])
        scope = {**scope, "path": new_path, "raw_path": raw_path}
        request_id = correlation_id = None
        for name, value in scope["headers"]:  # the last of each, as a dict of the headers keeps it
            if len(name) in TEXT_HEADER_LENGTHS:
                folded = name.lower()
                if folded == b"ms-correlationid":
                    correlation_id = value
                elif folded == b"ms-requestid":
                    request_id = value
                if folded in TEXT_HEADERS and invalid is None and not utf8(value):
                    invalid = f"the header {folded.decode()} is not UTF-8 text"
        ids = self.ctx.ids
        echo = [(b"ms-requestid", request_id or ids.request_guid().encode()),
                (b"ms-correlationid", correlation_id or ids.request_guid().encode())]

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *echo]}
            await send(message)

        if invalid is not None:  # refused before anything reads it, so nothing stores it
            await errors.render(errors.InvalidRequestInput(invalid))(scope, receive, send_with_ids)
            return
        await self.app(scope, receive, send_with_ids)


# Request headers whose values pcsim reads as text (stores, compares or echoes them); their bytes must be
# UTF-8, like the rest of a request's text (path, query, JSON bodies: simulator/wire read_json): the two
# this middleware echoes, and those the operations declare they read (simulator/routes.py text_headers).
TEXT_HEADERS = frozenset({b"ms-requestid", b"ms-correlationid", *(name.encode() for name in routetable.TEXT_HEADERS)})
TEXT_HEADER_LENGTHS = frozenset(len(name) for name in TEXT_HEADERS)


def utf8(raw: bytes) -> bool:
    if raw.isascii():
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def invalid_text(scope: Scope) -> str | None:
    """What of the request's path or query string is not text: percent-encoded (or raw) bytes that are no
    UTF-8, which servers decode into U+FFFD replacement characters rather than refuse. None if all is well."""
    raw_path = scope.get("raw_path")
    if raw_path and (b"%" in raw_path or not raw_path.isascii()) and not utf8(unquote_to_bytes(raw_path)):
        return "the path is not UTF-8 text (a percent-encoded byte sequence that is no UTF-8)"
    query = scope.get("query_string")
    if query and (b"%" in query or not query.isascii()) and not utf8(unquote_to_bytes(query)):
        return "the query string is not UTF-8 text (a percent-encoded byte sequence that is no UTF-8)"
    return None


# The routed form of up to ROUTED_MOST paths of up to ROUTED_LONGEST characters is remembered (then
# forgotten all at once): the literal paths and the ids clients are working with at the moment.
ROUTED_MOST, ROUTED_LONGEST = 4096, 512


class Atomic:
    """Every request's writes are one transaction (simulator/context.py, `Writes`), kept when its answer
    is a success (below 400) and undone otherwise, whatever failed: a rule, the rendering after it, or
    the commit itself. A commit the disk has no room for answers 503 + Retry-After instead of the answer
    the endpoint made. Inside the control middleware, so an injected fault's status changes nothing."""

    def __init__(self, app: Any, ctx: Context) -> None:
        self.app = app
        self.state = app.state
        self.gate = ctx.gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.gate.shut is not None and scope["path"] != HEALTH:  # a long request works on the store
            await self.gate.passing()  # (simulator/gate.py); health touches none of it and always answers
        writes = Writes()
        token = WRITES.set(writes)
        replaced = False

        async def send_committed(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return
            if message["type"] == "http.response.start" and writes.open is not None:
                try:
                    writes.end(keep=message["status"] < 400)
                except StoreFull:
                    replaced = True
                    await errors.render(errors.StorageFull())(scope, receive, send)
                    return
            await send(message)
        try:
            await self.app(scope, receive, send_committed)
        finally:
            writes.end(keep=False)  # no answer started (a failure on the way): nothing is kept
            WRITES.reset(token)


async def storage_full(request: Request, exc: Exception) -> Response:
    """A write SQLite had no room for (simulator/store/sqlite.py, StoreFull): 503, and nothing was kept."""
    return errors.render(errors.StorageFull())


class ExactRouter(Router):
    """Starlette's router, with a shortcut: instead of trying every route's pattern in order (300 of
    them), it tries only the routes that can match the path, in the same order. Which those are depends
    only on the path's shape: its literal words (the routes' literal segments, in the lower case the
    wire middleware folds them to) where they are, and parameters elsewhere, since every parameter is a
    plain `{name}` (any text but a slash). The candidates of a shape are found on its first path, so a
    start costs nothing more. The same route answers (and a 405 comes from the same guard) as with the
    whole list; a shape nothing matches takes the whole list (for its 404)."""

    def __init__(self, routes: list[BaseRoute]) -> None:
        super().__init__(routes)
        plain = [route for route in routes if isinstance(route, Route)]
        # Only over a table of plain routes with plain parameters (a Mount matches on prefixes; a `path`
        # convertor takes slashes): pcsim's always is.
        self.shaped = len(plain) == len(routes) and all(
            type(c).__name__ == "StringConvertor" for r in plain for c in r.param_convertors.values())
        self.words = literal_segments(routes)
        self.shapes: dict[str, list[Route]] = {}

    def shape(self, path: str) -> str:
        words = self.words
        return "/".join(part if not part or part in words else "{}" for part in path.split("/"))

    def candidates(self, path: str) -> list[Route] | None:
        """The routes, in order, whose pattern matches a path of this one's shape; None if none does."""
        key = self.shape(path)
        found = self.shapes.get(key)
        if found is None:
            found = [r for r in self.routes if isinstance(r, Route) and r.path_regex.match(path)]
            if len(self.shapes) >= SHAPES_MOST:  # garbage paths make shapes without end: forget them all
                self.shapes.clear()
            self.shapes[key] = found
        return found or None

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        candidates = self.candidates(scope["path"]) if scope["type"] == "http" and not scope.get("root_path") \
            and self.shaped else None
        if candidates is None:
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        partial: Route | None = None
        partial_scope: Scope = {}
        for route in candidates:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is None:  # not expected (the path's own route matches it): the whole list decides
            await super().app(scope, receive, send)
            return
        scope["route"] = partial
        scope.update(partial_scope)
        await partial.handle(scope, receive, send)


SHAPES_MOST = 4096  # the shapes whose candidates are remembered (then forgotten all at once)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, store: Store | None = None,
               catalog: Catalog | None = None, ids: Ids | None = None) -> Any:
    """The app. Its clock is manual unless settings.clock says otherwise: tests, the pytest plugin and
    the contract checks that build apps here stay reproducible (`pcsim serve` asks for a running one)."""
    settings = settings or from_env({})
    store = persistence.open_state(settings, store)  # the --state file, if the settings name one
    settings = persistence.seeded(settings, store)  # whose seed wins over --seed
    # Once, here: every rule, token and filter takes the default partner by its id, not its name.
    settings = replace(settings, default_tenant=partner_id(settings.default_tenant))
    clock = clock or Clock(settings.start(), mode=settings.clock or MANUAL, speed=settings.clock_speed)
    ctx = Context(store=store or MemoryStore(), clock=clock,
                  ids=ids or Ids(settings.seed), catalog=catalog or catalog_data.load(), settings=settings)
    persistence.attach(ctx)  # a SQLite store's clock and ids come back, and are kept there from now on
    routes = router(settings.no_control)
    app = Starlette(routes=routes, exception_handlers={**errors.HANDLERS, StoreFull: storage_full})
    app.router = ExactRouter(routes)  # before the first request builds the middleware stack around it
    app.state.ctx = ctx
    app.state.control = control.State(settings)  # snapshots, fault rules, the request journal
    guarded = guard.Guard(control.ControlMiddleware(Atomic(app, ctx), ctx, app.state.control), settings)
    return WireMiddleware(guarded, literal_segments(routes), ctx, app.state)
