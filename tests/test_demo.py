"""Demo data: POST /_simulator/seed and `pcsim serve --demo` (simulator/demo.py)."""
from __future__ import annotations

from collections import Counter
from typing import Any

from simulator import cli, demo
from simulator.catalog.data import AZURE_PLAN, NCE, RESERVATION, SAAS, SOFTWARE_PERPETUAL
from simulator.settings import DEFAULT_PARTNER_TENANT, from_env
from tests.conftest import Api, customer_body, nce_line

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


def test_seed_answers_what_it_made_and_buys_across_kinds(api: Api) -> None:
    made = seeded(api, customers=4)
    assert made["customers"] == 4
    api.advance(LISTED)
    customers = items(api, "/v1/customers")
    assert len(customers) == 4
    kinds: Counter[str] = Counter()
    orders = subscriptions = 0
    for customer in customers:
        cid = customer["id"]
        subs = items(api, f"/v1/customers/{cid}/subscriptions")
        subscriptions += len(subs)
        orders += len(items(api, f"/v1/customers/{cid}/orders"))
        mine = {kind_of(api, s["offerId"]) for s in subs}
        # every customer holds the five core kinds, and three more at most
        assert {NCE, AZURE_PLAN, RESERVATION, SOFTWARE_PERPETUAL, SAAS} <= mine, mine
        assert 5 <= len(subs) <= 8
        kinds.update(kind_of(api, s["offerId"]) for s in subs)
    assert (orders, subscriptions) == (made["orders"], made["subscriptions"])
    assert kinds[AZURE_PLAN] == 4


def test_subscriptions_per_customer_is_exact(api: Api) -> None:
    made = seeded(api, customers=3, subscriptionsPerCustomer=10)
    assert (made["customers"], made["subscriptions"]) == (3, 30)
    api.advance(LISTED)
    for customer in items(api, "/v1/customers"):
        assert len(items(api, f"/v1/customers/{customer['id']}/subscriptions")) == 10
    one = seeded(api, customers=2, subscriptionsPerCustomer=1)
    assert (one["customers"], one["subscriptions"]) == (2, 2)


def test_purchases_show_once_provisioned_and_listed(api: Api) -> None:
    """Seeding buys at the simulated time, like any API call: the clock has to move."""
    seeded(api, customers=1)
    cid = items(api, "/v1/customers")[0]["id"]
    assert items(api, f"/v1/customers/{cid}/subscriptions") == []
    assert items(api, f"/v1/customers/{cid}/orders") == []
    api.advance(LISTED)
    orders = items(api, f"/v1/customers/{cid}/orders")
    assert orders and all(o["status"] == "completed" for o in orders)
    subs = items(api, f"/v1/customers/{cid}/subscriptions")
    assert {s["status"] for s in subs if kind_of(api, s["offerId"]) != SAAS} == {"active"}
    assert {s["status"] for s in subs if kind_of(api, s["offerId"]) == SAAS} == {"pending"}  # until activated (S8)


def test_the_reservation_is_scoped_to_the_azure_plan_subscription(api: Api) -> None:
    seeded(api, customers=2)
    api.advance(LISTED)
    for customer in items(api, "/v1/customers"):
        cid = customer["id"]
        subs = items(api, f"/v1/customers/{cid}/subscriptions")
        plan = next(s for s in subs if kind_of(api, s["offerId"]) == AZURE_PLAN)
        entitlements = items(api, f"/v1/customers/{cid}/subscriptions/{plan['id']}/azureEntitlements")
        scoped = [line["provisioningContext"]["subscriptionId"]
                  for order in items(api, f"/v1/customers/{cid}/orders") for line in order["lineItems"]
                  if kind_of(api, line["offerId"]) == RESERVATION]
        assert scoped and set(scoped) == {entitlements[0]["id"]}


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


def test_seeding_ignores_the_sandbox_limits_which_still_apply_afterwards(api: Api) -> None:
    assert api.ctx.settings.sandbox_limits
    made = seeded(api, customers=76, subscriptionsPerCustomer=6)
    assert (made["customers"], made["subscriptions"]) == (76, 456)
    reply = api.post("/v1/customers", json=customer_body("one-more.onmicrosoft.com"))
    assert (reply.status_code, reply.json()["code"]) == (400, 800018)  # the 75-customer sandbox limit
    cid = items(api, "/v1/customers")[0]["id"]
    cart = api.new_cart(cid, nce_line()).json()
    assert cart["lineItems"][0]["error"]["errorCode"] == 10009  # 5 subscriptions per customer


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
    assert api.post("/_simulator/seed", content=b"{").status_code == 400
    assert items(api, "/v1/customers") == []


def test_load_demo_shows_its_purchases_at_once_and_only_into_an_empty_partner(api: Api) -> None:
    """`--demo` buys a day before the clock's start, so nothing waits for the clock."""
    now = api.get("/_simulator/clock").json()["now"]
    made = demo.load_demo(api.ctx)
    assert made is not None and made["customers"] == demo.DEMO_CUSTOMERS
    assert api.get("/_simulator/clock").json()["now"] == now
    customers = items(api, "/v1/customers")
    assert len(customers) == demo.DEMO_CUSTOMERS
    orders = sum(len(items(api, f"/v1/customers/{c['id']}/orders")) for c in customers)
    subs = sum(len(items(api, f"/v1/customers/{c['id']}/subscriptions")) for c in customers)
    assert (orders, subs) == (made["orders"], made["subscriptions"])
    assert demo.load_demo(api.ctx) is None  # a kept store with customers is left as it is
    assert len(items(api, "/v1/customers")) == demo.DEMO_CUSTOMERS


def test_demo_is_a_setting_and_a_serve_flag() -> None:
    assert from_env({}).demo is False
    assert from_env({"PCSIM_DEMO": "1"}).demo is True
    args = cli.build_parser().parse_args(["serve", "--demo"])
    assert args.demo is True
    assert from_env({}).default_tenant == DEFAULT_PARTNER_TENANT
