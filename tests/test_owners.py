"""Records with owners (issue 13): one module owns each stored kind, a customer delete asks every owner
to drop what it holds, ids match in any case, and a request reads what it touches, not the customer's
history."""
from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

import simulator.orders.records
import simulator.usage.records
from simulator.carts import records as cart_records
from simulator.carts.models import CartIn
from simulator.carts.rules import check_out, create_cart
from simulator.context import Caller
from simulator.ids import partner_id
from simulator.customers import records as customer_records
from simulator.store import BACKENDS, Doc, Key, Store, open_store
from simulator.subscriptions import records as subscription_records
from tests.helpers import LEGACY_AZURE, SOFTWARE, Api, customer_body, nce_line, open_api

SIMULATOR = Path(__file__).resolve().parent.parent / "simulator"
# The owners of stored kinds, and the modules that treat the store as a whole (the store itself, the
# --state file's meta values, snapshots and reset).
OWNERS = {"customers/records.py", "carts/records.py", "orders/records.py", "subscriptions/records.py",
          "billing/records.py", "usage/records.py", "users/records.py", "agreements/records.py",
          "validation/records.py", "webhooks/records.py"}
WHOLE_STORE = {"store/__init__.py", "store/documents.py", "store/memory.py", "store/sqlite.py", "persistence.py",
               "control/snapshots.py", "control/basics.py"}
RAW = re.compile(r"store\.(get|put|scan|delete|count)\(")
UPGRADES = "/v1/productUpgrades"
STANDARD = "CFQ7TTC0LDPB:0001:CFQ7TTC0LGNT"   # an upgrade target of Business Basic


def test_only_the_owners_touch_the_store() -> None:
    offenders = []
    for path in sorted(SIMULATOR.rglob("*.py")):
        name = path.relative_to(SIMULATOR).as_posix()
        if name in OWNERS or name in WHOLE_STORE:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if RAW.search(line):
                offenders.append(f"simulator/{name}:{number}: {line.strip()}")
    assert not offenders, "stored kinds are read and written through their owner (<area>/records.py):\n" + \
        "\n".join(offenders)


# --- a customer delete leaves nothing of the customer ---------------------------------------------

def test_a_deleted_customer_leaves_nothing_behind_and_its_domain_is_free(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    tenant = "contoso-partner.onmicrosoft.com"
    app, user = api.token_for(tenant), api.token_for(tenant, user=True)
    customer = api.new_customer("gone.onmicrosoft.com", token=app, headers={"MS-RequestId": "req-gone-1"})
    other = api.new_customer("stays.onmicrosoft.com", token=app)
    api.buy(other, nce_line(), token=app)
    # Something of every kind for the customer: subscriptions with orders, a transition, a product upgrade
    # (with its Azure plan), an overage setting, a budget and a cart not checked out.
    legacy = api.buy(customer, {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"},
                     token=app)
    assert legacy["orders"]
    source = api.buy(customer, nce_line(quantity=3), token=app)["orders"][0]["lineItems"][0]["subscriptionId"]
    api.advance(3600)
    moved = api.post(f"/v1/customers/{customer}/subscriptions/{source}/transitions", token=app, json={
        "toCatalogItemId": STANDARD, "quantity": 1, "transitionType": "transition_only"})
    assert moved.status_code == 200, moved.text
    started = api.post(UPGRADES, token=user, json={"customerId": customer, "productFamily": "azure"})
    assert started.status_code == 202, started.text
    api.advance(3600)
    plans = [s for s in api.get(f"/v1/customers/{customer}/subscriptions", token=app).json()["items"]
             if s["offerId"].startswith("DZH318Z0BPS6")]
    entitlement = api.get(f"/v1/customers/{customer}/subscriptions/{plans[0]['id']}/azureEntitlements",
                          token=app).json()["items"][0]["id"]
    overage = api.put(f"/v1/customers/{customer}/subscriptions/overage", token=app,
                      json={"azureEntitlementId": entitlement, "overageEnabled": True})
    assert overage.status_code == 200, overage.text
    assert api.patch(f"/v1/customers/{customer}/usagebudget", json={"amount": 50}, token=app).status_code == 200
    assert api.new_cart(customer, nce_line(), token=app).status_code == 201
    member = api.post(f"/v1/customers/{customer}/users", token=user, json={  # a user holding a role
        "userPrincipalName": "ada@gone.onmicrosoft.com", "displayName": "Ada", "usageLocation": "US",
        "passwordProfile": {"password": "Passw0rd!x"}})
    assert member.status_code == 200, member.text
    role = f"/v1/customers/{customer}/directoryroles/729827e3-9c14-49f7-bb1b-9608f156bbb8/usermembers"
    assert api.post(role, token=user, json={"Id": member.json()["id"]}).status_code == 201
    for path, body in (("validationStatus", {"status": "Allowed"}), ("agreement", {"isSigned": True})):
        assert api.put(f"/_simulator/customers/{customer}/{path}", json={**body, "tenant": tenant}).status_code == 200

    ctx, partner = api.ctx, partner_id(tenant)
    subs = subscription_records.list_for_customer(ctx, partner, customer)
    assert subs and any(subscription_records.transitions_of(ctx, partner, customer, s["id"]) for s in subs)
    assert subscription_records.upgrades_of(ctx, partner, customer)
    assert api.delete(f"/v1/customers/{customer}", token=app).status_code == 204

    assert customer_records.get(ctx, partner, customer) is None
    assert customer_records.created_by_request(ctx, partner, "req-gone-1") is None
    assert not customer_records.domain_taken(ctx, "gone.onmicrosoft.com")
    assert cart_records.list_for_customer(ctx, partner, customer) == []
    assert simulator.orders.records.list_for_customer(ctx, partner, customer) == []
    assert subscription_records.list_for_customer(ctx, partner, customer) == []
    assert all(subscription_records.transitions_of(ctx, partner, customer, s["id"]) == [] for s in subs)
    assert subscription_records.live(ctx, partner, customer) == []
    assert subscription_records.get_overage(ctx, partner, customer) is None
    assert subscription_records.upgrades_of(ctx, partner, customer) == []
    assert simulator.usage.records.get(ctx, partner, customer) is None
    # Nothing is filed under the customer any more, whatever the kind (the billing calendar's pointers
    # name subscriptions, not customers, and are read as gone).
    left = [(kind, parent, id_) for kind, parent, id_, raw in json.loads(ctx.store.dump())["docs"]
            if customer.lower() in [*parent, id_] or (customer in raw and kind != "billing_marks")]
    assert left == []
    # The other customer keeps everything; a new customer may take the domain (and the request id).
    assert len(api.get(f"/v1/customers/{other}/subscriptions", token=app).json()["items"]) == 1
    again = api.post("/v1/customers", json=customer_body("gone.onmicrosoft.com"), token=app,
                     headers={"MS-RequestId": "req-gone-1"})
    assert again.status_code == 201, again.text
    assert again.json()["id"] != customer
    assert api.get("/v1/invoices", token=app).status_code == 200


# --- one id policy ---------------------------------------------------------------------------------

def test_ids_in_paths_match_in_any_case(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    bought = api.buy(customer, nce_line(), {"catalogItemId": SOFTWARE, "quantity": 2, "billingCycle": "one_time"})
    assert any(o["id"] != o["id"].lower() for o in bought["orders"])  # an order id in mixed case
    cart = api.new_cart(customer, nce_line()).json()["id"]
    for order in bought["orders"]:
        path = f"/v1/customers/{customer}/orders/{order['id']}"
        wanted = api.get(path).json()
        for spelled in (order["id"].upper(), order["id"].lower(), order["id"].swapcase()):
            reply = api.get(f"/v1/customers/{customer.upper()}/orders/{spelled}")
            assert (reply.status_code, reply.json()) == (200, wanted), spelled
        listed = api.get(f"/v1/customers/{customer}/subscriptions?order_id={order['id'].swapcase()}").json()
        assert [s["id"] for s in listed["items"]] == [ln["subscriptionId"] for ln in order["lineItems"]]
    sub = bought["orders"][0]["lineItems"][0]["subscriptionId"]
    wanted = api.get(f"/v1/customers/{customer}/subscriptions/{sub}").json()
    reply = api.get(f"/v1/customers/{customer.upper()}/subscriptions/{sub.upper()}")
    assert (reply.status_code, reply.json()) == (200, wanted)
    wanted = api.get(f"/v1/customers/{customer}/carts/{cart}").json()
    reply = api.get(f"/v1/customers/{customer.upper()}/carts/{cart.upper()}")
    assert (reply.status_code, reply.json()) == (200, wanted)
    wanted = api.get(f"/v1/customers/{customer}").json()
    reply = api.get(f"/v1/customers/{customer.upper()}")
    assert (reply.status_code, reply.json()) == (200, wanted)


# --- a request reads what it touches ---------------------------------------------------------------

class CountingStore:
    """A store that counts the documents read through it: one per `get`, one per document a `scan` answers."""

    def __init__(self, inner: Store) -> None:
        self.inner, self.reads = inner, 0

    def get(self, kind: str, key: Key) -> Doc | None:
        self.reads += 1
        return self.inner.get(kind, key)

    def scan(self, kind: str, parent: Key, offset: int = 0, limit: int | None = None) -> list[Doc]:
        found = self.inner.scan(kind, parent, offset, limit)
        self.reads += len(found)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture(params=BACKENDS)
def counted(request: pytest.FixtureRequest) -> Iterator[tuple[Api, CountingStore]]:
    loop = asyncio.new_event_loop()
    store = CountingStore(open_store(request.param))
    api = open_api(loop, store=store, sandbox_limits=False, provisioning_delay=0, order_list_delay=0)  # type: ignore[arg-type]
    yield api, store
    loop.run_until_complete(api.client.aclose())
    store.close()
    loop.close()


def grow(api: Api, customer: str, orders: int) -> None:
    """History for a customer through the rules, in-process: orders of one and two subscriptions, some of
    them cancelled or suspended since."""
    ctx = api.ctx
    caller = Caller(ctx.settings.default_tenant, "grow", None)
    for n in range(orders):
        lines = [nce_line(quantity=1 + n % 3)] + ([nce_line(cycle="annual")] if n % 2 else [])
        body = CartIn.model_validate({"lineItems": [{"id": i, **ln} for i, ln in enumerate(lines)]})
        cart = ctx.run(create_cart, caller, customer, body)
        ctx.run(check_out, caller, customer, cart["id"])
    for n, sub in enumerate(subscription_records.list_for_customer(ctx, ctx.settings.default_tenant, customer)):
        if n % 5 == 0:
            status = "suspended" if n % 10 else "deleted"
            assert api.patch(f"/v1/customers/{customer}/subscriptions/{sub['id']}",
                             json={**api.get(f"/v1/customers/{customer}/subscriptions/{sub['id']}").json(),
                                   "status": status}).status_code == 200


def costs(api: Api, store: CountingStore, customer: str) -> dict[str, int]:
    """The documents each request reads, for one customer (each request answered as it should be)."""
    found: dict[str, int] = {}

    def read(name: str, method: str, path: str, status: int, **kw: Any) -> Any:
        before = store.reads
        reply = api.request(method, path, **kw)
        assert reply.status_code == status, reply.text
        found[name] = store.reads - before
        return reply.json()

    base = f"/v1/customers/{customer}"
    cart = read("cart create", "POST", f"{base}/carts", 201, json={"lineItems": [{"id": 0, **nce_line()}]})
    checkout = read("checkout", "POST", f"{base}/carts/{cart['id']}/checkout", 201)
    order = checkout["orders"][0]
    sub = order["lineItems"][0]["subscriptionId"]
    read("order get", "GET", f"{base}/orders/{order['id']}", 200)
    body = read("subscription get", "GET", f"{base}/subscriptions/{sub}", 200)
    read("subscription patch", "PATCH", f"{base}/subscriptions/{sub}", 200, json={**body, "quantity": 5})
    read("subscription suspend", "PATCH", f"{base}/subscriptions/{sub}", 200,
         json={**body, "quantity": 5, "status": "suspended"})
    read("subscriptions of an order", "GET", f"{base}/subscriptions?order_id={order['id']}", 200)
    return found


def test_requests_read_the_same_documents_on_a_first_day_and_after_a_long_history(
        counted: tuple[Api, CountingStore]) -> None:
    api, store = counted
    fresh = api.new_customer()
    grown = api.new_customer()
    grow(api, grown, 60)
    assert len(subscription_records.list_for_customer(api.ctx, api.ctx.settings.default_tenant, grown)) == 90
    first_day = costs(api, store, fresh)
    assert costs(api, store, grown) == first_day
    assert max(first_day.values()) < 30, first_day


def test_index_lists_spread_over_pages_answer_what_a_scan_does(counted: tuple[Api, CountingStore],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The indexes file each customer's lists in pages of PAGE ids; with small pages a grown customer's
    lists span several, and every index answers what a scan of the customer's records does, through
    cancellations, suspensions and the customer's deletion (which leaves no page behind)."""
    api, store = counted
    monkeypatch.setattr(subscription_records, "PAGE", 3)
    ctx, tenant = api.ctx, api.ctx.settings.default_tenant
    customer = api.new_customer()
    grow(api, customer, 12)
    subs = subscription_records.list_for_customer(ctx, tenant, customer)
    assert len(subs) == 18 and any(s["status"] == "deleted" for s in subs)
    live = [s for s in subs if s["status"] not in subscription_records.ENDED]
    assert [s["id"] for s in subscription_records.live(ctx, tenant, customer)] == [s["id"] for s in live]
    skus = {subscription_records.sku_key(s["product_id"], s["sku_id"]) for s in live}
    assert ([s["id"] for s in subscription_records.live_of_skus(ctx, tenant, customer, skus)]
            == [s["id"] for s in sorted(live, key=lambda s: s["created"])])
    for order in {s["order_id"] for s in subs}:
        assert ([s["id"] for s in subscription_records.of_order(ctx, tenant, customer, order.upper())]
                == [s["id"] for s in subs if s["order_id"] == order])
        listed = api.get(f"/v1/customers/{customer}/subscriptions?order_id={order}")
        assert listed.status_code == 200
        assert sorted(s["id"] for s in listed.json()["items"]) == sorted(s["id"] for s in subs
                                                                          if s["order_id"] == order)
    assert api.delete(f"/v1/customers/{customer}").status_code == 204
    left = [(kind, parent, id_) for kind, parent, id_, _ in json.loads(store.dump())["docs"]
            if customer.lower() in parent]
    assert left == []


def test_a_store_with_the_version_1_pointers_is_indexed_again_by_its_first_write(
        counted: tuple[Api, CountingStore]) -> None:
    """A store written by a pcsim with one pointer document per subscription and index (a --state file,
    a snapshot) loses those at its first write, and its lists answer from then on."""
    api, store = counted
    ctx, tenant = api.ctx, api.ctx.settings.default_tenant
    customer = api.new_customer()
    grow(api, customer, 3)
    subs = subscription_records.list_for_customer(ctx, tenant, customer)
    with store.transaction():  # what version 1 had filed: its pointers and state, none of the lists
        for kind, parent, id_, _ in json.loads(store.dump())["docs"]:
            if kind == subscription_records.INDEX:
                store.delete(kind, (*parent, id_))
        for sub in subs:
            for kind, key in subscription_records.old_pointers(sub):
                store.put(kind, key, {"s": sub["id"]})
        store.put(subscription_records.INDEXED, (tenant, "indexes"), {"version": 1})
    assert not subscription_records.indexed(ctx, tenant)
    assert subscription_records.live(ctx, tenant, customer) == [s for s in subs if s["status"] == "active"
                                                                or s["status"] == "suspended"]
    api.buy(customer, nce_line())
    kinds = {kind for kind, *_ in json.loads(store.dump())["docs"]}
    assert subscription_records.indexed(ctx, tenant)
    assert not kinds & set(subscription_records.OLD_POINTERS.values())
    now = subscription_records.list_for_customer(ctx, tenant, customer)
    assert [s["id"] for s in subscription_records.live(ctx, tenant, customer)] == [
        s["id"] for s in now if s["status"] not in subscription_records.ENDED]
