"""The product list's hot path (simulator/app.py, simulator/front.py, simulator/wire): the shortcuts
answer exactly as the long way did. The router's shortcut by path shape picks the route Starlette's
router picks from the whole table; the query is read under any casing however often the same query
comes; paths in any casing are routed alike however often they come; a catalog answer the front gives
again (wire.reusable) is the route's answer, byte for byte, to callers the route would answer, and
the journal and the fault rules see it like any other."""
from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import Match, Route

from simulator import app as app_module
from simulator import routetable
from tests.helpers import Api, customer_body

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


def catalog_paths(api: Api) -> list[str]:
    """Partner-scoped catalog reads: lists in two countries, one product, its SKUs, one SKU, its
    availabilities and one availability."""
    product = api.get(PRODUCTS).json()["items"][0]["id"]
    sku = api.get(f"/v1/products/{product}/skus?country=US").json()["items"][0]["id"]
    availability = api.get(f"/v1/products/{product}/skus/{sku}/availabilities?country=US").json()["items"][0]["id"]
    return [PRODUCTS, "/v1/products?country=GB&targetView=OnlineServices", f"/v1/products/{product}?country=US",
            f"/v1/products/{product}/skus?country=US", f"/v1/products/{product}/skus/{sku}?country=US",
            f"/v1/products/{product}/skus/{sku}/availabilities?country=US",
            f"/v1/products/{product}/skus/{sku}/availabilities/{availability}?country=US"]


def answer(reply: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers (but the request's own ids) and body."""
    headers = [(k, v) for k, v in reply.headers.multi_items() if k not in ("ms-requestid", "ms-correlationid")]
    return reply.status_code, headers, reply.content


def test_a_catalog_answer_given_again_is_the_routes_answer_byte_for_byte(make_api: Any) -> None:
    api = make_api()
    paths = catalog_paths(api)

    again = [answer(api.get(path)) for path in paths for _ in range(3)]
    fresh = make_api()  # whose every answer comes from the route
    routed = [answer(fresh.get(path)) for path in paths for _ in range(1)]

    assert again == [reply for reply in routed for _ in range(3)]
    assert all(status == 200 for status, _, _ in routed)


def test_a_catalog_answer_is_given_again_only_to_a_token_the_route_would_take(make_api: Any) -> None:
    strict = make_api(strict_auth=True)
    issued = strict.token_for()
    assert strict.get(PRODUCTS, token=issued).status_code == 200

    missing, forged = strict.get(PRODUCTS, token=""), strict.get(PRODUCTS, token="x.y.z")
    strict.wall.advance(3600 + 60)
    expired = strict.get(PRODUCTS, token=issued)

    assert [(r.status_code, r.json()["code"]) for r in (missing, forged, expired)] == [(401, 800001)] * 3
    assert all(r.headers["www-authenticate"].startswith("OAuth realm=") for r in (missing, forged, expired))
    assert strict.get(PRODUCTS, token=strict.token_for()).status_code == 200


def test_a_catalog_answer_given_again_is_journaled_and_faulted_like_any(api: Api) -> None:
    first = api.get(PRODUCTS, headers={"MS-RequestId": "1c2f0a3e-0000-4000-8000-000000000001"})
    reply = api.post("/_simulator/faults", json={"method": "GET", "path": "/v1/products", "times": 1,
                                                 "effect": {"type": "error", "status": 503, "code": 7}})
    assert reply.status_code == 201
    faulted, again = api.get(PRODUCTS), api.get(PRODUCTS, headers={"MS-CorrelationId": "c0ffee"})

    assert (faulted.status_code, faulted.json()["code"]) == (503, 7)
    assert (again.status_code, again.content) == (200, first.content)
    assert again.headers["ms-correlationid"] == "c0ffee"
    assert first.headers["ms-requestid"] == "1c2f0a3e-0000-4000-8000-000000000001"
    journal = api.get("/_simulator/requests", params={"path": "/v1/products"}).json()["items"]
    assert [(e["method"], e["path"], e["status"], e.get("fault")) for e in journal] == [
        ("GET", "/v1/products", 200, None), ("GET", "/v1/products", 503, "1"), ("GET", "/v1/products", 200, None)]
    assert journal[-1]["responseBody"] == first.text[:len(journal[-1]["responseBody"])]


def test_a_customers_catalog_answer_is_never_given_again(api: Api) -> None:
    customer = api.post("/v1/customers", json=customer_body("hot.onmicrosoft.com")).json()["id"]
    path = f"/v1/customers/{customer}/products?targetView=OnlineServices"
    assert api.get(path).status_code == 200

    other = api.get(path, token=api.token_for("another.onmicrosoft.com"))

    assert (other.status_code, other.json()["code"]) == (404, 60003)
