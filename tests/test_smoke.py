from tests.helpers import Api, nce_line


def test_health_answers_ok(api: Api) -> None:
    reply = api.get("/_simulator/health", token="")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}


def test_a_purchase_walks_from_cart_to_subscription(api: Api) -> None:
    customer = api.new_customer()
    result = api.buy(customer, nce_line())
    order = result["orders"][0]
    assert order["status"] == "pending"
    api.advance(60)
    subs = api.get(f"/v1/customers/{customer}/subscriptions").json()
    assert [s["orderId"] for s in subs["items"]] == [order["id"]]
