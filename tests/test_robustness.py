"""Bad input of every kind gets a 4xx with a Partner Center body; a 5xx (other than the honest 501 of an
operation not simulated yet) is always a bug."""
from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import M365_BASIC, Api, fresh_api, nce_line

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=12)
LINE_KEYS = ["id", "catalogItemId", "CatalogItemId", "quantity", "billingCycle", "termDuration", "provisioningContext",
             "participants", "renewsTo", "addonItems", "currencyCode", "lineItemNumber", "offerId", "attestationAccepted"]
LINE = st.fixed_dictionaries({}, optional={k: JSON | st.just(M365_BASIC) | st.just(3) | st.just("monthly")
                                           for k in LINE_KEYS})
BODIES = JSON | st.fixed_dictionaries({"lineItems": st.lists(LINE, max_size=3)}) | st.fixed_dictionaries(
    {"status": st.sampled_from(["cancelled", "Cancelled", "active"]) | JSON, "lineItems": JSON | st.lists(LINE)})
ROUTES = [("POST", "/v1/customers"), ("POST", "/v1/customers/{c}/carts"), ("PUT", "/v1/customers/{c}/carts/{k}"),
          ("POST", "/v1/customers/{c}/carts/{k}/checkout"), ("POST", "/v1/customers/{c}/orders"),
          ("PATCH", "/v1/customers/{c}/orders/{o}"), ("POST", "/v1/extensions/product/checkinventory?country=US"),
          ("POST", "/_simulator/clock/advance"), ("GET", "/v1/customers?filter={j}&size=2"),
          ("GET", "/v1/customers/{c}/orders?billingType={j}"), ("GET", "/v1/products?country=US&targetView={j}")]
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


def assert_partner_center_answer(reply: Any) -> None:
    assert reply.status_code < 500 or reply.status_code == 501, (reply.status_code, reply.text)
    if reply.status_code >= 400:
        body = reply.json()
        assert isinstance(body["code"], int) and body["source"] == "PartnerFD", body


@SLOW
@given(st.sampled_from(ROUTES), BODIES)
def test_arbitrary_json_never_gets_a_server_error(route: tuple[str, str], body: Any) -> None:
    for api in fresh_api(provisioning_delay=0):
        customer = api.new_customer()
        cart = api.new_cart(customer, nce_line()).json()["id"]
        order = api.buy(customer, nce_line())["orders"][0]["id"]
        method, path = route
        import json
        path = path.format(c=customer, k=cart, o=order, j=json.dumps(body)[:200].replace("&", "%26").replace("#", ""))
        assert_partner_center_answer(api.request(method, path, json=body))


@SLOW
@given(st.binary(max_size=64))
def test_undecodable_bodies_are_refused_with_400(raw: bytes) -> None:
    for api in fresh_api():
        reply = api.post("/v1/customers", content=raw, headers={"Content-Type": "application/json"})
        assert_partner_center_answer(reply)
        assert reply.status_code == 400


def test_non_standard_json_constants_are_refused(api: Api) -> None:
    raw = b'{"seconds": NaN}'
    reply = api.post("/_simulator/clock/advance", content=raw, headers={"Content-Type": "application/json"})
    assert (reply.status_code, reply.json()["code"]) == (400, 800002)


def test_the_clock_refuses_to_run_past_the_calendar(api: Api) -> None:
    # Up to what every rule can represent (simulator/clock.py, LATEST), not to the calendar's last day.
    assert api.post("/_simulator/clock/advance", json={"until": "9000-01-01T00:00:00Z"}).status_code == 200
    reply = api.post("/_simulator/clock/advance", json={"seconds": 86400})
    assert (reply.status_code, reply.json()["code"]) == (400, 800002)


def test_two_racing_checkouts_buy_once_and_agree(api: Api) -> None:
    customer = api.new_customer()
    cart = api.new_cart(customer, nce_line()).json()
    path = f"/v1/customers/{customer}/carts/{cart['id']}/checkout"
    headers = {"Authorization": "Bearer racer"}

    async def race() -> list[Any]:
        return list(await asyncio.gather(*(api.client.post(path, headers=headers) for _ in range(4))))

    replies = api.loop.run_until_complete(race())
    assert {r.status_code for r in replies} == {201}
    assert len({r.text for r in replies}) == 1
    api.advance(3600)
    assert api.get(f"/v1/customers/{customer}/subscriptions").json()["totalCount"] == 1
