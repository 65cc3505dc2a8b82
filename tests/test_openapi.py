"""GET /openapi.json: made from the app's own routes, models and contracts, and it covers them all."""
from __future__ import annotations

import re
from typing import Any

from starlette.routing import Route

from simulator import openapi
from simulator.carts.models import CartIn
from simulator.routes import all_routes, not_simulated
from tests.helpers import Api

METHODS = {"get", "post", "put", "patch", "delete"}


def documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), openapi.shape(path)) for path, ops in doc["paths"].items() for method in ops
            if method in METHODS}


def served() -> set[tuple[str, str]]:
    return {(method, openapi.shape(route.path)) for route in all_routes()
            if isinstance(route, Route) and route.include_in_schema for method in (route.methods or ()) - {"HEAD"}}


def test_the_document_and_the_routes_are_the_same_set(api: Api) -> None:
    reply = api.get("/openapi.json", token="")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    doc = reply.json()
    assert doc["openapi"] == "3.0.3"
    assert documented(doc) == served()


def test_every_simulated_partner_center_operation_has_its_contract_as_response(api: Api) -> None:
    doc = api.get("/openapi.json").json()
    stubs = {(m, openapi.shape(p)) for m, p in not_simulated()}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if not path.startswith("/v1"):
                continue
            if (method.upper(), openapi.shape(path)) in stubs:
                assert op["x-pcsim-simulated"] is False and set(op["responses"]) == {"401", "501"}
                continue
            assert re.fullmatch(r"[A-Z]\d+(_[A-Z]\d+)*", op["operationId"]), (method, path, op["operationId"])
            success = [s for s in op["responses"] if s.startswith("2")]
            assert success, (method, path)
            assert {"400", "401", "403", "404", "409"} <= set(op["responses"])
            assert op["security"] == [{"bearer": []}]


def test_paths_are_spelled_as_the_service_spells_them(api: Api) -> None:
    paths = set(api.get("/openapi.json").json()["paths"])
    assert "/v1/customers/{customer-id}/subscriptions/{subscription-id}/azureEntitlements" in paths
    assert "/v1/productUpgrades/eligibility" in paths
    assert "/v1/customers/{customer-id}/subscriptions/customTermEndDates" in paths
    assert not any("_" in name for p in paths for name in re.findall(r"\{([^}]+)\}", p))


def test_request_bodies_are_the_models_the_endpoints_parse_with(api: Api) -> None:
    doc = api.get("/openapi.json").json()
    op = doc["paths"]["/v1/customers/{customer-id}/carts"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/CartIn"}
    cart = doc["components"]["schemas"]["CartIn"]
    assert set(cart["properties"]) == {info.alias or name for name, info in CartIn.model_fields.items()}
    token = doc["paths"]["/{tenant}/oauth2/token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]


def test_query_parameters_are_those_the_endpoints_declare(api: Api) -> None:
    doc = api.get("/openapi.json").json()
    params = {p["name"]: p["required"] for p in doc["paths"]["/v1/products"]["get"]["parameters"]}
    assert params == {"country": True, "targetView": True, "targetSegment": False, "reservationScope": False}
    scoped = {p["name"] for p in doc["paths"]["/v1/customers/{customer-id}/products"]["get"]["parameters"]}
    assert scoped == {"customer-id", "targetView", "targetSegment", "reservationScope"}


def test_the_document_is_made_once_and_served_as_the_same_bytes(api: Api) -> None:
    assert api.get("/openapi.json").content == api.get("/openapi.json").content


def test_schemas_from_key_paths() -> None:
    schema = openapi.schema_from_paths({"totalCount": "number", "items": "array", "items[].id": "string",
                                        "items[].links.self.headers": "array"},
                                       {"items[].note": "string"})
    assert schema == {
        "type": "object", "required": ["items", "totalCount"],
        "properties": {
            "items": {"type": "array", "items": {
                "type": "object", "required": ["id", "links"],
                "properties": {"id": {"type": "string"},
                               "links": {"type": "object", "required": ["self"], "properties": {
                                   "self": {"type": "object", "required": ["headers"],
                                            "properties": {"headers": {"type": "array"}}}}},
                               "note": {"type": "string"}}}},
            "totalCount": {"type": "number"}}}
    assert openapi.schema_from_paths({"[].productId": "string"}) == {
        "type": "array", "items": {"type": "object", "required": ["productId"],
                                   "properties": {"productId": {"type": "string"}}}}


def test_a_method_a_path_does_not_serve_is_405_with_every_method_it_serves(api: Api) -> None:
    reply = api.request("PATCH", "/v1/customers/c1/subscriptions/overage")
    assert reply.status_code == 405
    assert reply.json()["code"] == 800002
    assert reply.headers["allow"] == "GET, HEAD, PUT"
    reply = api.request("DELETE", "/v1/customers/c1/subscriptions/s1")
    assert reply.status_code == 405 and reply.headers["allow"] == "GET, HEAD, PATCH"


def test_every_operation_of_the_api_reference_is_in_the_document_under_its_id(api: Api) -> None:
    from simulator.contracts.endpoints import ENDPOINTS

    doc = api.get("/openapi.json").json()
    ids = {op["operationId"]: (method.upper(), openapi.shape(path)) for path, ops in doc["paths"].items()
           for method, op in ops.items()}
    for endpoint in ENDPOINTS:
        if not endpoint.route.startswith("/v1/"):
            continue
        found = [op_id for op_id, key in ids.items() if key == (endpoint.method, openapi.shape(endpoint.route))]
        assert len(found) == 1 and endpoint.id in found[0].split("_"), (endpoint, found)


def test_the_routes_that_refuse_app_only_tokens_are_those_marked_app_user_only(api: Api) -> None:
    """App+User only is declared once (`@wire.operation(user_only=True)`): every /v1 operation that
    answers an App-only token 403 900329 is marked in the document, and every marked one does."""
    doc = api.get("/openapi.json").json()
    app_only = api.token_for()
    ids = {"customer_id": "11111111-2222-3333-4444-555555555555",
           "subscription_id": "22222222-3333-4444-5555-666666666666"}
    marked: set[tuple[str, str]] = set()
    refusing: set[tuple[str, str]] = set()
    for path, ops in doc["paths"].items():
        if not path.startswith("/v1/"):
            continue
        concrete = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "some-id"), path)
        for method, op in ops.items():
            if method not in METHODS:
                continue
            if op.get("x-pcsim-app-user-only"):
                marked.add((method, path))
            reply = api.request(method.upper(), concrete, token=app_only, json={})
            body = reply.json()  # D4 answers a bare array
            if (reply.status_code, body.get("code") if isinstance(body, dict) else None) == (403, 900329):
                refusing.add((method, path))
    assert marked == refusing
    assert len(marked) >= 17
