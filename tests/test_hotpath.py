"""The product list's hot path (simulator/app.py, simulator/wire): the shortcuts answer exactly as
the long way did. The router's shortcut for literal paths picks the route Starlette's router picks
from the whole table; the query is read under any casing however often the same query comes; paths
in any casing are routed alike however often they come."""
from __future__ import annotations

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
def test_the_literal_paths_shortcut_picks_the_route_the_whole_table_picks(no_control: bool) -> None:
    routes = app_module.router(no_control)
    shortcut = app_module.ExactRouter(routes)
    literal = {path for path, *_ in routetable.TABLE if "{" not in path and any(
        getattr(r, "path", None) == path for r in routes)}

    assert shortcut.literal == literal
    assert shortcut.candidates("/v1/customers/some-id") is None
    for path in sorted(literal):
        candidates = shortcut.candidates(path)
        assert candidates
        for method in METHODS:
            scope = {"type": "http", "method": method, "path": path, "root_path": ""}
            assert starlette_pick(candidates, scope) is starlette_pick(routes, scope), (method, path)


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
