"""Cross-cutting wire behaviour: error envelope, routing misses, JSON input, tracing headers (api.md 2)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest

from simulator import wire
from tests.helpers import M365_BASIC, Api, customer_body

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
UNKNOWN_CUSTOMER = "0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"


def assert_pc_error(reply: httpx.Response, status: int, code: int | None = None) -> dict[str, Any]:
    """The Partner Center error envelope: {code:int, description, data:[], source:"PartnerFD"} as JSON."""
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert body == {"code": body["code"], "description": body["description"], "data": [], "source": "PartnerFD"}
    assert isinstance(body["code"], int)
    assert isinstance(body["description"], str) and 0 < len(body["description"]) <= 1024
    if code is not None:
        assert body["code"] == code
    return body


def cart_line(**changes: Any) -> dict[str, Any]:
    return {"id": 0, "catalogItemId": M365_BASIC, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1M",
            **changes}


# --- routing misses -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/nothing-here", "/v1/customers/x/y/z/w", "/not-an-api-path", "/v2/customers"])
def test_an_unknown_route_is_404_with_a_partner_center_body(api: Api, path: str) -> None:
    assert_pc_error(api.get(path), 404)


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", "/v1/customers"),
    ("PATCH", f"/v1/customers/{UNKNOWN_CUSTOMER}"),
    ("POST", "/v1/products?country=US&targetView=OnlineServices"),
    ("DELETE", "/v1/products/CFQ7TTC0LH18?country=US"),
    ("GET", "/v1/extensions/product/checkinventory?country=US"),
    ("GET", "/common/oauth2/token"),
])
def test_a_wrong_method_is_405_with_a_partner_center_body(api: Api, method: str, path: str) -> None:
    assert_pc_error(api.request(method, path), 405)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/invoices?filter=x"),  # every operation is simulated; I1's `filter` is not (docs/simulated.md)
])
def test_a_route_that_is_not_simulated_is_501_900127(api: Api, method: str, path: str) -> None:
    assert_pc_error(api.request(method, path), 501, 900127)


def test_a_route_that_is_not_simulated_still_needs_a_token(api: Api) -> None:
    assert_pc_error(api.get("/v1/invoices?filter=x", token=""), 401, 800001)


# --- JSON input ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [b"{not json", b'{"CompanyProfile": ', b"\xff\xfe\x00", b"   "])
def test_malformed_json_is_400_800002(api: Api, raw: bytes) -> None:
    reply = api.post("/v1/customers", content=raw, headers={"Content-Type": "application/json"})

    assert_pc_error(reply, 400, 800002)


def test_a_missing_body_is_400_800002(api: Api) -> None:
    assert_pc_error(api.post("/v1/customers"), 400, 800002)


@pytest.mark.parametrize("body", [
    pytest.param([customer_body()], id="array-body"),
    pytest.param("a string", id="string-body"),
    pytest.param(42, id="number-body"),
    pytest.param(None, id="null-body"),
    pytest.param({"CompanyProfile": "contoso.onmicrosoft.com", "BillingProfile": {}}, id="object-field-a-string"),
    pytest.param(customer_body(BillingProfile=["not", "an", "object"]), id="object-field-a-list"),
])
def test_wrong_typed_customer_json_is_400_800002(api: Api, body: Any) -> None:
    assert_pc_error(api.post("/v1/customers", json=body), 400, 800002)
    assert api.get("/v1/customers").json()["items"] == []


@pytest.mark.parametrize("body", [
    pytest.param({"lineItems": [cart_line(quantity="abc")]}, id="quantity-not-a-number"),
    pytest.param({"lineItems": [cart_line(quantity=[1])]}, id="quantity-a-list"),
    pytest.param({"lineItems": {"id": 0, "catalogItemId": M365_BASIC}}, id="line-items-an-object"),
    pytest.param({"lineItems": "CFQ7TTC0LH18"}, id="line-items-a-string"),
    pytest.param({"lineItems": ["not an object"]}, id="line-item-a-string"),
    pytest.param([cart_line()], id="array-body"),
])
def test_wrong_typed_cart_json_is_400_800002(api: Api, body: Any) -> None:
    customer = api.new_customer()

    assert_pc_error(api.post(f"/v1/customers/{customer}/carts", json=body), 400, 800002)


def test_wrong_typed_inventory_check_json_is_400_800002(api: Api) -> None:
    reply = api.post("/v1/extensions/product/checkinventory?country=US",
                     json={"targetItems": "DZH318Z0BQ36", "inventoryContext": {}})

    assert_pc_error(reply, 400, 800002)


def raw_cart(**line: Any) -> bytes:
    """A cart body as ASCII JSON, so that escapes such as \ud800 reach the server as sent."""
    return json.dumps({"lineItems": [cart_line(**line)]}).encode()


@pytest.mark.parametrize("body", [
    pytest.param(raw_cart(friendlyName="Basic \ud800"), id="lone-high-surrogate-in-a-value"),
    pytest.param(raw_cart(friendlyName="\udc00 Basic"), id="lone-low-surrogate-in-a-value"),
    pytest.param(raw_cart(friendlyName="\ude00\ud83d"), id="a-pair-in-the-wrong-order"),
    pytest.param(raw_cart(provisioningContext={"key\ud800": "value"}), id="lone-surrogate-in-a-key"),
    pytest.param(raw_cart(provisioningContext={"k": "v"}).replace(b'"v"', b'"\\uDBFF"'), id="upper-case-escape"),
])
def test_a_lone_surrogate_in_a_json_string_is_400_800002(api: Api, body: bytes) -> None:
    customer = api.new_customer()

    reply = api.post(f"/v1/customers/{customer}/carts", content=body, headers={"Content-Type": "application/json"})

    assert_pc_error(reply, 400, 800002)


def test_an_escaped_surrogate_pair_is_one_character_and_comes_back_as_utf8(api: Api) -> None:
    customer = api.new_customer()

    reply = api.post(f"/v1/customers/{customer}/carts", content=raw_cart(friendlyName="Basic \U0001F600"),
                     headers={"Content-Type": "application/json"})

    assert reply.status_code == 201, reply.text
    assert reply.json()["lineItems"][0]["friendlyName"] == "Basic \U0001F600"
    assert '"friendlyName":"Basic \U0001F600"'.encode() in reply.content


# --- rendering (simulator.wire.dumps) -----------------------------------------------------
# Input that could not be rendered is refused above, so these values reach the renderer only from
# the simulator's own code: the renderer is checked directly here.

@pytest.mark.parametrize("value", [
    pytest.param({"name": "lone \ud800 surrogate"}, id="lone-surrogate"),
    pytest.param({"n": 2**70, "m": -(2**70)}, id="integers-beyond-64-bits"),
    pytest.param({1: "a", None: "b"}, id="keys-that-are-not-strings"),
    pytest.param(json.loads("[" * 300 + "]" * 300), id="nested-past-orjson-limit"),
])
def test_what_orjson_refuses_is_rendered_by_the_standard_library(value: Any) -> None:
    rendered = wire.dumps(value)

    assert json.loads(rendered) == json.loads(json.dumps(value))


def test_rendering_keeps_the_wire_spellings_of_datetimes_and_decimals() -> None:
    moment = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
    value = {"at": moment, "fine": moment.replace(microsecond=120000), "price": Decimal("12.50"), "text": "Zürich €"}

    assert wire.dumps(value) == ('{"at":"2026-01-05T10:00:00Z","fine":"2026-01-05T10:00:00.120000Z",'
                                 '"price":12.5,"text":"Zürich €"}').encode()


def test_a_value_that_is_not_json_is_still_an_error() -> None:
    with pytest.raises(TypeError):
        wire.dumps({"what": object()})


# --- tracing headers ----------------------------------------------------------------------

SENT = {"MS-RequestId": "3705fc6d-4127-4a87-bdba-9658f73fe019", "MS-CorrelationId": "b12260fb-82de-4701-a25f-dcd367690645"}


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/customers"),
    ("GET", "/v1/products?country=US&targetView=OnlineServices"),
    ("GET", f"/v1/customers/{UNKNOWN_CUSTOMER}"),
    ("GET", "/v1/nothing-here"),
    ("GET", "/v1/invoices"),
])
def test_request_and_correlation_ids_are_echoed(api: Api, method: str, path: str) -> None:
    reply = api.request(method, path, headers=SENT)

    assert reply.headers["ms-requestid"] == SENT["MS-RequestId"]
    assert reply.headers["ms-correlationid"] == SENT["MS-CorrelationId"]


def test_ids_are_echoed_on_creates_and_on_401s(api: Api) -> None:
    created = api.post("/v1/customers", json=customer_body(), headers=SENT)
    refused = api.get("/v1/customers", token="", headers=SENT)

    for reply in (created, refused):
        assert (reply.headers["ms-requestid"], reply.headers["ms-correlationid"]) == (
            SENT["MS-RequestId"], SENT["MS-CorrelationId"])


def test_request_and_correlation_ids_are_made_up_when_absent(api: Api) -> None:
    first, second = api.get("/v1/customers"), api.get("/v1/customers/not-a-guid")

    made_up = [first.headers["ms-requestid"], first.headers["ms-correlationid"],
               second.headers["ms-requestid"], second.headers["ms-correlationid"]]
    assert all(GUID.match(value) for value in made_up)
    assert len(set(made_up)) == 4


def test_only_the_missing_id_is_made_up(api: Api) -> None:
    reply = api.get("/v1/customers", headers={"MS-CorrelationId": SENT["MS-CorrelationId"]})

    assert reply.headers["ms-correlationid"] == SENT["MS-CorrelationId"]
    assert GUID.match(reply.headers["ms-requestid"])


# --- every error is JSON ------------------------------------------------------------------

ERRORS = [
    pytest.param("GET", "/v1/customers", {"token": ""}, 401, id="401-no-token"),
    pytest.param("GET", "/v1/customers", {"token": "a.b.c"}, 200, id="200-foreign-token-control"),
    pytest.param("GET", "/v1/products?country=US", {}, 400, id="400-missing-query"),
    pytest.param("GET", "/v1/products?country=US&targetView=Xbox", {}, 403, id="403-target-view"),
    pytest.param("GET", "/v1/products/NOSUCHPRODUCT?country=US", {}, 404, id="404-product"),
    pytest.param("GET", f"/v1/customers/{UNKNOWN_CUSTOMER}", {}, 404, id="404-customer"),
    pytest.param("GET", "/v1/nothing-here", {}, 404, id="404-route"),
    pytest.param("PUT", "/v1/customers", {}, 405, id="405"),
    pytest.param("POST", "/v1/customers", {"content": b"{"}, 400, id="400-malformed"),
    pytest.param("GET", "/v1/invoices/G000000000", {}, 404, id="404-invoice"),
    pytest.param("GET", "/v1/invoices?filter=x", {}, 501, id="501"),
]


@pytest.mark.parametrize(("method", "path", "kw", "status"), ERRORS)
def test_every_partner_center_error_is_json(api: Api, method: str, path: str, kw: dict[str, Any],
                                            status: int) -> None:
    reply = api.request(method, path, **kw)

    assert reply.status_code == status
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    if status >= 400:
        assert_pc_error(reply, status)


@pytest.mark.parametrize("form", [{}, {"grant_type": "client_credentials"}, {"grant_type": "nope", "client_id": "c"},
                                  {"grant_type": "client_credentials", "client_id": "c"}])
def test_token_endpoint_errors_are_json_too(api: Api, form: dict[str, str]) -> None:
    reply = api.post("/contoso.onmicrosoft.com/oauth2/token", data=form, token="")

    assert reply.status_code in (400, 401)
    assert reply.headers["content-type"].startswith("application/json")
    assert set(reply.json()) >= {"error", "error_description", "error_codes"}


def test_a_conflict_is_json(api: Api) -> None:
    api.new_customer("dup.onmicrosoft.com")

    reply = api.post("/v1/customers", json=customer_body("dup.onmicrosoft.com"))

    assert 400 <= reply.status_code < 500
    assert_pc_error(reply, reply.status_code)
