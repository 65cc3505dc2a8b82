"""The product list's hot path (simulator/app.py, simulator/wire): the shortcuts answer exactly as
the long way did. The router's shortcut by path shape picks the route Starlette's router picks
from the whole table; the query is read under any casing however often the same query comes; paths
in any casing are routed alike however often they come."""
from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import Match, Route

from simulator import app as app_module
from simulator import routetable
from tests.helpers import Api

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]
PRODUCTS = "/v1/products?country=US&targetView=OnlineServices"


def starlette_pick(routes: list[Any], scope: dict[str, Any]) -> Route | None:
    """The route Starlette's Router hands a request to: the first full match, else the first partial."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route  # type: ignore[no-any-return]
        if match is Match.PARTIAL and partial is None:
            partial = route
    return partial


@pytest.mark.parametrize("no_control", [False, True])
def test_the_shape_shortcut_picks_the_route_the_whole_table_picks(no_control: bool) -> None:
    routes = app_module.router(no_control)
    shortcut = app_module.ExactRouter(routes)
    assert shortcut.shaped
    # Every route's path with its parameters filled in: by ids, and by words other routes have
    # literally (a customer id "carts"), which give the path another shape.
    fillings = ["some-id", "carts", "subscriptions", "products", "x"]
    paths = sorted({re.sub(r"\{[^}]+\}", filling, path) for path, *_ in routetable.TABLE for filling in fillings})
    for path in paths:
        candidates = shortcut.candidates(path) or []
        for method in METHODS:
            scope = {"type": "http", "method": method, "path": path, "root_path": ""}
            assert starlette_pick(candidates, scope) is starlette_pick(routes, scope), (method, path)
    assert shortcut.candidates("/v2/nothing/here") is None  # the whole table, for its 404
    for n in range(app_module.SHAPES_MOST + 10):  # shapes of garbage paths are bounded
        shortcut.candidates("/" + "/".join(["v1"] + ["x"] * (n % 50) + ["customers"] * (n // 50)))
    assert len(shortcut.shapes) <= app_module.SHAPES_MOST


def test_a_product_list_is_the_same_in_any_casing_asked_again_and_again(api: Api) -> None:
    first = api.get(PRODUCTS)
    again = [api.get(path) for path in (PRODUCTS, "/V1/Products/?COUNTRY=us&TargetView=OnlineServices",
                                        "/v1/PRODUCTS?targetview=OnlineServices&Country=US", PRODUCTS)]

    assert first.status_code == 200
    assert [(r.status_code, r.content) for r in again] == [(200, first.content)] * 4


def test_a_literal_path_refuses_other_methods_in_any_casing(api: Api) -> None:
    for path in (PRODUCTS, "/V1/products?country=US", "/_simulator/HEALTH"):
        reply = api.post(path, json={})

        assert reply.status_code == 405
        assert reply.json()["code"] == 800002
        assert reply.headers["allow"] == "GET, HEAD"


def test_of_query_names_alike_but_for_case_the_last_counts_however_often_asked(api: Api) -> None:
    path = "/v1/products?country=US&targetView=OnlineServices&TargetView=Xbox"

    replies = [api.get(path) for _ in range(3)]

    assert [r.status_code for r in replies] == [403] * 3
