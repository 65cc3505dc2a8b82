"""Demo data: POST /_simulator/seed and `pcsim serve --demo` (simulator/demo.py)."""
from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from simulator import cli, demo
from simulator.catalog.data import AZURE_PLAN, NCE, RESERVATION, SAAS, SOFTWARE_PERPETUAL, SOFTWARE_SUBSCRIPTION
from simulator.settings import DEFAULT_PARTNER_TENANT, from_env
from tests.helpers import Api, customer_body, nce_line

PLAN = "DZH318Z0BPS6:0001:DZH318Z0BML6"  # Azure plan
E5 = "CFQ7TTC0LFLZ:0002:CFQ7TTC0LK59"  # Microsoft 365 E5
LISTED = 15 * 60 + 30  # the longest order-list delay and the provisioning delay have passed


def seeded(api: Api, **body: Any) -> dict[str, Any]:
    reply = api.post("/_simulator/seed", json=body)
    assert reply.status_code == 201, reply.text
    return reply.json()


def items(api: Api, path: str) -> list[dict[str, Any]]:
    reply = api.get(path)
    assert reply.status_code == 200, reply.text
    return reply.json()["items"]


def kind_of(api: Api, offer_id: str) -> str:
    return api.ctx.catalog.item(offer_id).sku.product.kind


def test_the_same_seed_makes_the_same_customers(make_api: Any) -> None:
    first, second, other = make_api(seed=7), make_api(seed=7), make_api(seed=8)
    for api in (first, second, other):
        seeded(api, customers=5)
        api.advance(LISTED)
    bodies = [api.get("/v1/customers").content for api in (first, second, other)]
    assert bodies[0] == bodies[1]
    assert bodies[0] != bodies[2]
    customer = first.get("/v1/customers").json()["items"][0]["id"]
    for path in (f"/v1/customers/{customer}", f"/v1/customers/{customer}/subscriptions",
                 f"/v1/customers/{customer}/orders"):
        assert first.get(path).content == second.get(path).content, path


def kinds_of(api: Api, cid: str) -> list[str]:
    return sorted(kind_of(api, s["offerId"]) for s in items(api, f"/v1/customers/{cid}/subscriptions"))


def totals(api: Api) -> tuple[int, int]:
    """Orders and subscriptions the partner's customers hold."""
    cids = [c["id"] for c in items(api, "/v1/customers")]
    return (sum(len(items(api, f"/v1/customers/{cid}/orders")) for cid in cids),
            sum(len(items(api, f"/v1/customers/{cid}/subscriptions")) for cid in cids))


def test_seed_keeps_to_the_sandbox_limits_and_answers_the_room_left(api: Api) -> None:
    """Three subscriptions each (two left of five), an Azure plan with a reservation or perpetual
    software with a SaaS plan in turn."""
    assert api.ctx.settings.sandbox_limits
    made = seeded(api, customers=4)
    api.advance(LISTED)
    orders, subscriptions = totals(api)
    assert made == {"customers": 4, "orders": orders, "subscriptions": 12,
                    "room": {"customers": 71, "subscriptionsPerCustomer": 2, "azurePlans": 8}}
    assert subscriptions == 12
    baskets = Counter(tuple(kinds_of(api, c["id"])) for c in items(api, "/v1/customers"))
    assert baskets == {tuple(sorted((NCE, AZURE_PLAN, RESERVATION))): 2,
                       tuple(sorted((NCE, SOFTWARE_PERPETUAL, SAAS))): 2}


def test_without_sandbox_limits_a_customer_buys_the_five_core_kinds_and_up_to_three_more(make_api: Any) -> None:
    api = make_api(sandbox_limits=False)
    made = seeded(api, customers=4)
    api.advance(LISTED)
    assert made == {"customers": 4, **dict(zip(("orders", "subscriptions"), totals(api)))}  # no room: no limits
    kinds: Counter[str] = Counter()
    for customer in items(api, "/v1/customers"):
        mine = kinds_of(api, customer["id"])
        assert {NCE, AZURE_PLAN, RESERVATION, SOFTWARE_PERPETUAL, SAAS} <= set(mine), mine
        assert 5 <= len(mine) <= 8
        kinds.update(mine)
    assert kinds[AZURE_PLAN] == 4


def test_subscriptions_per_customer_is_exact(api: Api) -> None:
    made = seeded(api, customers=3, subscriptionsPerCustomer=5)
    assert (made["customers"], made["subscriptions"]) == (3, 15)
    assert made["room"] == {"customers": 72, "subscriptionsPerCustomer": 0, "azurePlans": 7}
    api.advance(LISTED)
    for customer in items(api, "/v1/customers"):
        assert kinds_of(api, customer["id"]) == sorted((NCE, AZURE_PLAN, RESERVATION, SOFTWARE_PERPETUAL, SAAS))
    one = seeded(api, customers=2, subscriptionsPerCustomer=1)
    assert (one["customers"], one["subscriptions"], one["room"]["subscriptionsPerCustomer"]) == (2, 2, 4)


def test_without_sandbox_limits_subscriptions_per_customer_goes_to_ten(make_api: Any) -> None:
    api = make_api(sandbox_limits=False)
    made = seeded(api, customers=3, subscriptionsPerCustomer=10)
    assert made == {"customers": 3, "orders": made["orders"], "subscriptions": 30}
    api.advance(LISTED)
    for customer in items(api, "/v1/customers"):
        assert len(items(api, f"/v1/customers/{customer['id']}/subscriptions")) == 10


def test_purchases_show_once_provisioned_and_listed(api: Api) -> None:
    """Seeding buys at the simulated time, like any API call: the clock has to move."""
    seeded(api, customers=2)  # the second buys the SaaS plan
    cids = [c["id"] for c in items(api, "/v1/customers")]
    for cid in cids:
        assert items(api, f"/v1/customers/{cid}/subscriptions") == []
        assert items(api, f"/v1/customers/{cid}/orders") == []
    api.advance(LISTED)
    orders = [o for cid in cids for o in items(api, f"/v1/customers/{cid}/orders")]
    assert orders and all(o["status"] == "completed" for o in orders)
    subs = [s for cid in cids for s in items(api, f"/v1/customers/{cid}/subscriptions")]
    assert {s["status"] for s in subs if kind_of(api, s["offerId"]) != SAAS} == {"active"}
    assert {s["status"] for s in subs if kind_of(api, s["offerId"]) == SAAS} == {"pending"}  # until activated (S8)


@pytest.mark.parametrize("limits", [True, False])
def test_the_reservation_is_scoped_to_the_azure_plan_subscription(make_api: Any, limits: bool) -> None:
    api = make_api(sandbox_limits=limits)
    seeded(api, customers=2)
    api.advance(LISTED)
    planned = 0
    for customer in items(api, "/v1/customers"):
        cid = customer["id"]
        subs = items(api, f"/v1/customers/{cid}/subscriptions")
        plan = next((s for s in subs if kind_of(api, s["offerId"]) == AZURE_PLAN), None)
        scoped = [line["provisioningContext"]["subscriptionId"]
                  for order in items(api, f"/v1/customers/{cid}/orders") for line in order["lineItems"]
                  if kind_of(api, line["offerId"]) == RESERVATION]
        if plan is None:  # with the limits on, every other customer has no Azure plan, and so no reservation
            assert limits and scoped == []
            continue
        planned += 1
        entitlements = items(api, f"/v1/customers/{cid}/subscriptions/{plan['id']}/azureEntitlements")
        assert scoped and set(scoped) == {entitlements[0]["id"]}
    assert planned == (1 if limits else 2)


def test_seeded_customers_are_real_customers(api: Api) -> None:
    """They read like any other, and the API's rules go on applying to them."""
    seeded(api, customers=1, subscriptionsPerCustomer=1)
    api.advance(LISTED)
    cid = items(api, "/v1/customers")[0]["id"]
    customer = api.get(f"/v1/customers/{cid}").json()
    assert customer["companyProfile"]["domain"].endswith(".onmicrosoft.com")
    assert customer["billingProfile"]["defaultAddress"]["country"] in {m[0] for m in demo.MARKETS}
    assert api.buy(cid, nce_line(quantity=2))["orderErrors"] == []
    reply = api.post("/v1/customers", json=customer_body(customer["companyProfile"]["domain"]))
    assert reply.status_code == 409  # the domain is taken


def refused(api: Api, body: dict[str, Any]) -> str:
    reply = api.post("/_simulator/seed", json=body)
    assert (reply.status_code, reply.json()["code"]) == (400, 800002), reply.text
    return str(reply.json()["description"])


def test_a_seed_over_the_sandbox_limits_is_refused_and_writes_nothing(api: Api, make_api: Any) -> None:
    assert refused(api, {"customers": 76}) == (
        "Invalid request input: customers is 76, but the integration sandbox allows 75 customers per partner and "
        f"partner {api.ctx.settings.default_tenant} has 0: room for 75 more (serve with --no-sandbox-limits to "
        "seed more)")
    assert refused(api, {"customers": 1, "subscriptionsPerCustomer": 6}) == (
        "Invalid request input: subscriptionsPerCustomer is 6, but the integration sandbox allows 5 subscriptions "
        "per customer (serve with --no-sandbox-limits to seed more)")
    assert items(api, "/v1/customers") == []
    # Nothing was drawn either: the next seed makes what a fresh simulator's first seed makes.
    fresh = make_api()
    assert seeded(api, customers=70) == seeded(fresh, customers=70)
    assert api.get("/v1/customers").content == fresh.get("/v1/customers").content
    assert "has 70: room for 5 more" in refused(api, {"customers": 6})
    assert len(items(api, "/v1/customers")) == 70
    assert seeded(api, customers=5, subscriptionsPerCustomer=1)["room"] == {
        "customers": 0, "subscriptionsPerCustomer": 4, "azurePlans": 5}
    assert "has 75: room for 0 more" in refused(api, {"customers": 1})
    reply = api.post("/v1/customers", json=customer_body("one-more.onmicrosoft.com"))
    assert (reply.status_code, reply.json()["code"]) == (400, 800018)  # the API's own 75-customer limit


def test_seeds_leave_the_partner_five_azure_plans_to_buy(api: Api) -> None:
    """Seeding takes no Azure plan past the fifth: the customers after that buy other kinds."""
    made = seeded(api, customers=7, subscriptionsPerCustomer=3)
    assert (made["subscriptions"], made["room"]["azurePlans"]) == (21, 5)
    api.advance(LISTED)
    baskets = Counter(tuple(kinds_of(api, c["id"])) for c in items(api, "/v1/customers"))
    assert baskets == {tuple(sorted((NCE, AZURE_PLAN, RESERVATION))): 5,
                       tuple(sorted((NCE, SOFTWARE_SUBSCRIPTION, SAAS))): 2}
    fresh = api.new_customer()
    order = api.buy(fresh, {"catalogItemId": PLAN, "quantity": 1, "billingCycle": "one_time"})
    assert order["orderErrors"] == [] and len(order["orders"]) == 1


def test_without_sandbox_limits_larger_seeds_work_as_before(make_api: Any) -> None:
    api = make_api(sandbox_limits=False)
    made = seeded(api, customers=76, subscriptionsPerCustomer=6)
    assert made == {"customers": 76, "orders": made["orders"], "subscriptions": 456}
    assert len(items(api, "/v1/customers")) == 76


def test_seed_goes_to_the_partner_tenant_asked_for(api: Api) -> None:
    seeded(api, customers=2, tenant="fabrikam-partner.onmicrosoft.com")
    assert items(api, "/v1/customers") == []  # the default partner has none
    token = api.token_for("fabrikam-partner.onmicrosoft.com")
    assert len(api.get("/v1/customers", token=token).json()["items"]) == 2


def test_an_empty_body_seeds_ten_customers(api: Api) -> None:
    reply = api.post("/_simulator/seed")
    assert reply.status_code == 201, reply.text
    assert reply.json()["customers"] == demo.DEMO_CUSTOMERS


def test_bad_seed_requests_are_refused_whole(api: Api) -> None:
    for body in ({"customers": 0}, {"customers": demo.API_MAX_CUSTOMERS + 1}, {"customers": "5"},
                 {"subscriptionsPerCustomer": 0}, {"subscriptionsPerCustomer": demo.API_MAX_SUBSCRIPTIONS + 1},
                 {"tenant": ""}, [1]):
        reply = api.post("/_simulator/seed", json=body)
        assert reply.status_code == 400, (body, reply.text)
        assert reply.json()["code"]
    assert api.post("/_simulator/seed", content=b"{", headers={"Content-Type": "application/json"}).status_code == 400
    assert items(api, "/v1/customers") == []


def test_load_demo_shows_its_purchases_at_once_and_only_into_an_empty_partner(api: Api) -> None:
    """`--demo` buys a day before the clock's start, so nothing waits for the clock."""
    now = api.get("/_simulator/clock").json()["now"]
    made = demo.load_demo(api.ctx)
    assert made is not None and made["customers"] == demo.DEMO_CUSTOMERS
    assert made["room"] == {"customers": 65, "subscriptionsPerCustomer": 2, "azurePlans": 5}
    assert api.get("/_simulator/clock").json()["now"] == now
    customers = items(api, "/v1/customers")
    assert len(customers) == demo.DEMO_CUSTOMERS
    assert totals(api) == (made["orders"], made["subscriptions"]) == (made["orders"], 30)
    assert demo.load_demo(api.ctx) is None  # a kept store with customers is left as it is
    assert len(items(api, "/v1/customers")) == demo.DEMO_CUSTOMERS


def test_a_demo_customer_can_buy_at_once(api: Api) -> None:
    """The first purchase a presenter makes (here two subscriptions in one cart) goes through."""
    demo.load_demo(api.ctx)
    for customer in items(api, "/v1/customers"):
        order = api.buy(customer["id"], nce_line(quantity=2),
                        nce_line(quantity=1, item=E5))
        assert order["orderErrors"] == [] and len(order["orders"]) >= 1, order
        cart = api.new_cart(customer["id"], nce_line()).json()  # five now: the sandbox's limit is reached
        assert cart["lineItems"][0]["error"]["errorCode"] == 10009


def test_with_no_sandbox_limits_the_demo_is_as_large_as_before(make_api: Any) -> None:
    api = make_api(sandbox_limits=False)
    made = demo.load_demo(api.ctx)
    assert made is not None and "room" not in made
    for customer in items(api, "/v1/customers"):
        assert 5 <= len(items(api, f"/v1/customers/{customer['id']}/subscriptions")) <= 8


def test_demo_is_a_setting_and_a_serve_flag() -> None:
    assert from_env({}).demo is False
    assert from_env({"PCSIM_DEMO": "1"}).demo is True
    args = cli.build_parser().parse_args(["serve", "--demo"])
    assert args.demo is True
    assert from_env({}).default_tenant == DEFAULT_PARTNER_TENANT == "contoso.onmicrosoft.com"


def test_the_sandbox_limits_flag_says_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert ("--no-sandbox-limits lift the integration sandbox's limits, which apply by default: 75 customers per "
            "partner, 5 subscriptions per customer, 25 licenses per subscription, 1 Azure plan per customer and 10 "
            "per partner (lift them for load tests and large seeds)") in shown
