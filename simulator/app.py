"""The application factory: the router and its error handlers, behind the front (simulator/front.py).

The router is built from simulator/routetable.py (every route, in order, as data: see
simulator/routes.py) without importing the areas; each area is imported by the first request routed
to it. `pcsim` answers its first product list without loading pydantic or the other areas."""
from __future__ import annotations

import importlib
import inspect
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

from simulator import auth, control, errors, front, paths, persistence, routetable
from simulator.catalog import data as catalog_data
from simulator.catalog.data import Catalog
from simulator.clock import MANUAL, Clock
from simulator.context import Context
from simulator.ids import Ids, partner_id
from simulator.settings import Settings, from_env, replace
from simulator.store import MemoryStore, Store, StoreFull


class Lazy:
    """A route's endpoint that imports its area on the first request routed to it, then hands every
    request to the area's own route (the one named `name` in `module.routes`)."""

    def __init__(self, module: str, name: str, path: str) -> None:
        self.module, self.name, self.path = module, name, path
        self.route: Route | None = None
        self.direct = False  # whether the endpoint is a coroutine function, answered without Starlette's wrapper

    def real(self) -> Route:
        if self.route is None:
            held = importlib.import_module(self.module).routes
            route = next((r for r in held if isinstance(r, Route) and r.name == self.name), None)
            if route is None or route.path != self.path:
                raise RuntimeError(f"simulator/routetable.py is stale ({self.module} has no route {self.name} "
                                   f"at {self.path}): run python -m simulator.routes")
            self.route = route
            self.direct = inspect.iscoroutinefunction(route.endpoint)
        return self.route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.real()
        endpoint = route.endpoint
        # The area's endpoint, not this stand-in, is what auth.begin reads the declaration of.
        scope["endpoint"] = endpoint
        if self.direct:  # what Starlette's request_response does, less its exception layer (simulator/front.py's)
            response = await endpoint(Request(scope, receive, send))
            await response(scope, receive, send)
        else:
            await route.app(scope, receive, send)


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
    """The routes of simulator/routetable.py (simulator/routes.py composes them), areas imported lazily,
    with each path's 405 guard."""
    out: list[BaseRoute] = []
    for path, methods, in_schema, what in routetable.TABLE:
        if not control.serves(path, no_control):
            continue
        endpoint = Lazy(what[1], what[2], path) if what[0] == "area" else stub(what[1], what[2])
        out.append(Route(path, endpoint, methods=list(methods), include_in_schema=in_schema))
    return method_guards(out)


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def method_guards(routes: list[BaseRoute]) -> list[BaseRoute]:
    """For each path, a route answering 405 (`Allow`: every method served there) to the methods the
    path does not serve. Where a later route would take the request (`PATCH …/subscriptions/overage`
    would reach `…/subscriptions/{subscription_id}` with the id "overage") it stands right after the
    path's last route; the others stand at the end, where requests that found their route never look."""
    served: dict[str, set[str]] = {}
    last: dict[str, int] = {}
    shapes = [paths.shape(getattr(route, "path", "")).split("/") for route in routes]
    by_depth: dict[int, list[int]] = {}  # only a path as deep can cover another
    for i, parts in enumerate(shapes):
        by_depth.setdefault(len(parts), []).append(i)
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
        later = any(j > i and paths.covers_parts(shapes[j], shapes[i]) for j in by_depth[len(shapes[i])])
        (inline if later else at_end).append(guard)
    return inline + at_end


def literal_segments(routes: list[BaseRoute]) -> set[str]:
    words: set[str] = set()
    for route in routes:
        for part in getattr(route, "path", "").split("/"):
            if part and "{" not in part:
                words.add(part.lower())
    return words


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
    app = Starlette(routes=routes, exception_handlers={**errors.HANDLERS, StoreFull: front.storage_full})
    app.router = ExactRouter(routes)  # before the first request builds the middleware stack around it
    app.state.ctx = ctx
    app.state.control = control.State(settings)  # snapshots, fault rules, the request journal
    return front.Front(app, ctx, app.state.control, literal_segments(routes))
