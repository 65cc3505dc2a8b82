"""The route table: every area's routes in the order they must be tried, the 501 answers of the
documented operations no area implements, and the 405 answers of the methods a path does not serve.

Composing it imports every area. `pcsim` does not do that at start: it builds its router from
`simulator/routetable.py`, this table written out as data (`python -m simulator.routes` writes it;
tests/test_routes.py fails while it is stale), and imports an area on the first request routed to
it (simulator/app.py). So the first product list waits for the catalog only, not for pydantic and
the other areas.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

import simulator.billing.endpoints
import simulator.orders.endpoints
from simulator import auth, control, demo, openapi, usage, wire
from simulator.agreements import endpoints as agreements
from simulator.app import method_guards, stub
from simulator.billing import lineitems
from simulator.carts import endpoints as carts
from simulator.catalog import endpoints as catalog
from simulator.catalog import inventory
from simulator.console import endpoints as console
from simulator.contracts.endpoints import ENDPOINTS
from simulator.customers import endpoints as customers
from simulator.offers import endpoints as offers
from simulator.profiles import endpoints as profiles
from simulator.subscriptions import endpoints as subscriptions
from simulator.users import endpoints as users
from simulator.validation import endpoints as validation
from simulator.webhooks import endpoints as webhooks

# Every documented operation (simulator/contracts/endpoints.py; docs/coverage.md lists them). Those no area
# module implements answer 501 with a Partner Center
# error body, never a fake success.
DOCUMENTED = list(dict.fromkeys(
    (e.method, e.route.replace("-", "_")) for e in ENDPOINTS if e.route.startswith("/v1/")))


# Routes outside the reference that pcsim's own answers link to: a legacy license subscription's
# `links.entitlement` (`/entitlements?key=…`, as the recorded subscription examples write it). Following
# the link gets the same 501 as a documented operation no area implements, never a 404.
LINKED = [("GET", "/v1/entitlements")]


def not_simulated(implemented: list[BaseRoute] | None = None) -> list[tuple[str, str]]:
    """The documented operations no area module implements yet, and the linked routes of `LINKED`."""
    implemented = implemented if implemented is not None else implemented_routes()
    done = {(m, openapi.shape(r.path)) for r in implemented if isinstance(r, Route) for m in (r.methods or ())}
    return [(method, path) for method, path in [*DOCUMENTED, *LINKED] if (method, openapi.shape(path)) not in done]


def not_simulated_routes(implemented: list[BaseRoute]) -> list[Route]:
    def make(method: str, path: str) -> Route:
        return Route(path, stub(method, path), methods=[method])
    # A literal word outranks an id in the same place (`invoices/unbilled` before `invoices/{id}`).
    ordered = sorted(not_simulated(implemented), key=lambda op: op[1].count("{"))
    return [make(method, path) for method, path in ordered]


def implemented_routes() -> list[BaseRoute]:
    # Literal-segment routes under /subscriptions (customTermEndDates, overage) precede the id routes;
    # usage's `customers/usagerecords` and `subscriptions/usagerecords` precede the customer routes.
    return [*usage.routes, *catalog.routes, *inventory.routes, *validation.routes, *agreements.routes,
            *profiles.routes, *customers.routes, *offers.routes, *users.routes, *carts.routes,
            *simulator.orders.endpoints.routes, *subscriptions.routes,
            *lineitems.routes, *simulator.billing.endpoints.routes,  # literal invoice paths before {invoice_id}
            *webhooks.routes, *control.routes, *demo.routes, *console.routes, *auth.routes]


@wire.operation(summary="this document", response={"type": "object", "required": ["openapi", "paths"]})
async def openapi_endpoint(request: Request) -> Response:
    """Made on first use from the app's own routes (see simulator/openapi.py), then served as bytes."""
    state = request.app.state
    if getattr(state, "openapi", None) is None:
        stubs = {(m, openapi.shape(p)) for m, p in not_simulated(implemented_routes())}
        state.openapi = openapi.document_bytes([resolved(r) for r in request.app.routes], stubs)
    return wire.respond_bytes(state.openapi)


routes = [Route("/openapi.json", openapi_endpoint, methods=["GET"])]


def table_routes() -> list[BaseRoute]:
    """The routes the table holds: the areas' and the 501s, in order. Routes with literal segments where
    an id could stand (overage, usagerecords ...) come before the id routes."""
    implemented = implemented_routes()
    return [*routes, *not_simulated_routes(implemented), *implemented]


def all_routes() -> list[BaseRoute]:
    """The table's routes with each path's 405 guard (simulator/app.py, method_guards)."""
    return method_guards(table_routes())


def resolved(route: BaseRoute) -> BaseRoute:
    """The area's own route behind a route of the lazy router (simulator/app.py), else the route."""
    real = getattr(getattr(route, "endpoint", None), "real", None)
    return real() if real is not None else route


# --- the table as data ----------------------------------------------------------------------

Row = tuple[Any, ...]


def area_routes() -> dict[str, list[BaseRoute]]:
    """Every loaded simulator module's `routes` list, by module name, shorter names first."""
    found: dict[str, list[BaseRoute]] = {}
    for name, module in sorted(sys.modules.items(), key=lambda item: len(item[0])):
        held = vars(module).get("routes") if name.startswith("simulator") and module is not None else None
        if isinstance(held, list):
            found[name] = held
    return found


def table() -> list[Row]:
    """`table_routes()` as data, in order. Each row is (path, methods, include_in_schema, what), what
    being ("area", module, name) for the route of that name in `module.routes` (the most specific
    module whose `routes` holds it; names are unique in a module) or ("stub", method, path) for a 501.
    The 405 guards are not rows: the router derives them from these (simulator/app.py, method_guards)."""
    ordered = table_routes()  # first: it imports the modules that load on first use
    where: dict[int, tuple[str, str]] = {}
    for name, held in area_routes().items():  # shorter module names first: deeper modules win
        where.update({id(route): (name, route.name) for route in held if isinstance(route, Route)})
    rows: list[Row] = []
    for route in ordered:
        assert isinstance(route, Route), route
        endpoint = route.endpoint
        if id(route) in where:
            what: tuple[Any, ...] = ("area", *where[id(route)])
        elif hasattr(endpoint, "stub"):
            what = ("stub", *endpoint.stub)
        else:
            raise AssertionError(f"{route.path}: in no module's `routes`")
        rows.append((route.path, tuple(sorted(route.methods or ())), route.include_in_schema, what))
    return rows


def text_headers() -> tuple[str, ...]:
    """The request headers the operations declare they read (`@wire.operation(headers=...)`), in lower
    case: the wire middleware refuses their values when they are not UTF-8 text (simulator/app.py)."""
    names: set[str] = set()
    for route in all_routes():
        operation = getattr(getattr(route, "endpoint", None), "operation", None)
        names.update(name.lower() for name in getattr(operation, "headers", ()))
    return tuple(sorted(names))


TABLE_FILE = Path(__file__).with_name("routetable.py")


WIDTH = 120  # ruff's line-length (pyproject.toml): the written table passes `ruff check` as it is


def render_row(row: Row) -> str:
    """A row on one line, or wrapped after its path, or one element a line: whichever fits first."""
    path, methods, listed, what = row
    for text in (f"    {row!r},\n",
                 f"    ({path!r},\n     {methods!r}, {listed!r}, {what!r}),\n",
                 "    (" + ",\n     ".join(repr(part) for part in row) + "),\n"):
        if max(len(line) for line in text.splitlines()) <= WIDTH:
            break
    return text


def render_table(rows: list[Row], headers: tuple[str, ...]) -> str:
    lines = "".join(render_row(row) for row in rows)
    return ('"""Written by `python -m simulator.routes` (see simulator/routes.py); do not edit.\n\n'
            'Each row: (path, methods, in the OpenAPI document, what): what is ("area", module, name) for\n'
            'the route named so in `module.routes`, or ("stub", method, path) for a 501; the router adds each\n'
            "path's 405 (simulator/app.py, method_guards). TEXT_HEADERS: the request headers the operations\n"
            'declare they read, in lower case."""\n\n'
            f"TABLE = [\n{lines}]\n\nTEXT_HEADERS = {headers!r}\n")


def main() -> int:
    TABLE_FILE.write_text(render_table(table(), text_headers()))
    print(f"wrote {TABLE_FILE}")
    return 0


if __name__ == "__main__":
    from simulator import routes as this  # the module under its own name, whose `routes` the table names

    sys.exit(this.main())
