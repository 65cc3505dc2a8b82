"""Snapshots of the whole state (POST/GET /_simulator/snapshots, restore, delete) and the store
backends' dump()/load() they rest on."""
from __future__ import annotations

import asyncio
import json
from typing import Any, Iterator

import pytest

from simulator.store import BACKENDS, open_store
from tests.helpers import Api, close_api, customer_body, nce_line, open_api

DOMAINS = ("first.onmicrosoft.com", "second.onmicrosoft.com")


@pytest.fixture(params=BACKENDS)
def backend_api(request: pytest.FixtureRequest, loop: asyncio.AbstractEventLoop) -> Iterator[Api]:
    """An Api over an app on each store backend (the make_api fixture uses the memory store)."""
    store = open_store(request.param)
    api = open_api(loop, store=store, provisioning_delay=30)
    yield api
    close_api(api)


def create_customer(api: Api, domain: str) -> str:
    reply = api.post("/v1/customers", json=customer_body(domain))
    assert reply.status_code == 201, reply.text
    api.confirm_agreement(reply.json()["id"])  # so that it can buy (13605)
    return str(reply.json()["id"])


def customer_ids(api: Api) -> list[str]:
    return [c["id"] for c in api.get("/v1/customers").json()["items"]]


def test_a_restore_brings_back_documents_clock_and_ids(backend_api: Api) -> None:
    api = backend_api
    first = create_customer(api, DOMAINS[0])
    reply = api.post("/_simulator/snapshots", json={"name": "setup"})
    assert reply.status_code == 201
    assert reply.json() == {"name": "setup", "now": "2026-01-05T10:00:00Z", "takenAt": "2026-01-05T10:00:00Z"}

    api.advance(3600)
    second = create_customer(api, DOMAINS[1])
    api.buy(first, nce_line())
    assert customer_ids(api) == [first, second]

    reply = api.post("/_simulator/snapshots/setup/restore")
    assert (reply.status_code, reply.json()) == (200, {"name": "setup", "now": "2026-01-05T10:00:00Z"})
    assert api.get("/_simulator/clock").json() == {"now": "2026-01-05T10:00:00Z", "mode": "manual", "speed": 1}
    assert customer_ids(api) == [first]
    assert api.get(f"/v1/customers/{first}/orders").json()["totalCount"] == 0
    # The id streams went back too: the same request gives the same id again.
    assert create_customer(api, DOMAINS[1]) == second


def test_time_driven_state_follows_the_restored_clock(make_api: Any) -> None:
    api = make_api(provisioning_delay=30, order_list_delay=0)
    customer = api.new_customer(domain=DOMAINS[0])
    order = api.buy(customer, nce_line())["orders"][0]["id"]
    api.post("/_simulator/snapshots", json={"name": "bought"})
    api.advance(60)
    assert api.get(f"/v1/customers/{customer}/orders/{order}").json()["status"] == "completed"
    api.post("/_simulator/snapshots/bought/restore")
    assert api.get(f"/v1/customers/{customer}/orders/{order}").json()["status"] == "pending"


def test_a_restore_forgets_rendered_catalog_answers(api: Api) -> None:
    products = api.get("/v1/products?country=US&targetView=OnlineServices")
    assert products.status_code == 200 and api.ctx.catalog.rendered
    api.post("/_simulator/snapshots", json={"name": "s"})
    api.post("/_simulator/snapshots/s/restore")
    assert len(api.ctx.catalog.rendered) == 0
    assert api.get("/v1/products?country=US&targetView=OnlineServices").content == products.content


def test_the_list_shows_every_snapshot_oldest_first_and_the_same_name_replaces(api: Api) -> None:
    assert api.get("/_simulator/snapshots").json() == {"totalCount": 0, "items": [],
                                                       "attributes": {"objectType": "Collection"}}
    api.post("/_simulator/snapshots", json={"name": "a"})
    api.advance(60)
    api.post("/_simulator/snapshots", json={"name": "b.2_x-y"})
    api.advance(60)
    api.wall.advance(5)
    assert api.post("/_simulator/snapshots", json={"Name": "a"}).status_code == 201
    assert api.get("/_simulator/snapshots").json() == {
        "totalCount": 2,
        "items": [{"name": "b.2_x-y", "now": "2026-01-05T10:01:00Z", "takenAt": "2026-01-05T10:00:00Z"},
                  {"name": "a", "now": "2026-01-05T10:02:00Z", "takenAt": "2026-01-05T10:00:05Z"}],
        "attributes": {"objectType": "Collection"}}
    assert api.post("/_simulator/snapshots/a/restore").json() == {"name": "a", "now": "2026-01-05T10:02:00Z"}


def test_a_deleted_snapshot_is_gone(api: Api) -> None:
    api.post("/_simulator/snapshots", json={"name": "gone"})
    reply = api.delete("/_simulator/snapshots/gone")
    assert (reply.status_code, reply.content) == (204, b"")
    assert api.get("/_simulator/snapshots").json()["totalCount"] == 0
    for reply in (api.delete("/_simulator/snapshots/gone"), api.post("/_simulator/snapshots/gone/restore")):
        assert reply.status_code == 404
        assert reply.json() == {"code": 1000, "description": "No snapshot is named gone.", "data": [],
                                "source": "PartnerFD"}


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "a/b"}, {"name": "-a"}, {"name": 5}, {"name": "x" * 129},
                                  {"name": None}, [], "name"])
def test_a_bad_name_is_400_800002(api: Api, body: Any) -> None:
    reply = api.post("/_simulator/snapshots", json=body)
    assert (reply.status_code, reply.json()["code"]) == (400, 800002)


def test_a_body_that_is_not_json_is_400_800002(api: Api) -> None:
    reply = api.post("/_simulator/snapshots", content=b"{name", headers={"Content-Type": "application/json"})
    assert (reply.status_code, reply.json()["code"]) == (400, 800002)


def test_the_number_of_snapshots_is_bounded(make_api: Any) -> None:
    api = make_api(max_snapshots=2)
    assert [api.post("/_simulator/snapshots", json={"name": n}).status_code for n in ("a", "b")] == [201, 201]
    reply = api.post("/_simulator/snapshots", json={"name": "c"})
    assert reply.status_code == 409
    assert reply.json()["code"] == 800002
    assert api.post("/_simulator/snapshots", json={"name": "a"}).status_code == 201  # replacing is fine
    api.delete("/_simulator/snapshots/b")
    assert api.post("/_simulator/snapshots", json={"name": "c"}).status_code == 201


def test_reset_leaves_snapshots_so_a_restore_undoes_it(api: Api) -> None:
    customer = api.new_customer(domain=DOMAINS[0])
    api.post("/_simulator/snapshots", json={"name": "before-reset"})
    api.post("/_simulator/reset")
    assert customer_ids(api) == []
    api.post("/_simulator/snapshots/before-reset/restore")
    assert customer_ids(api) == [customer]


# --- Store.dump() / load() on every backend -------------------------------------------------

def fill(store: Any) -> None:
    with store.transaction():
        store.put("customer", ("t1", "c2"), {"id": "c2"})
        store.put("customer", ("t1", "c1"), {"id": "c1", "n": [1, "é"]})
        store.put("cart", ("t1", "c1", "k1"), {"id": "k1"})
        store.put("customer", ("t2", "c3"), {"id": "c3"})
        store.put("meta", ("only",), {"id": "only"})


@pytest.mark.parametrize("source", BACKENDS)
@pytest.mark.parametrize("target", BACKENDS)
def test_any_backend_loads_any_backends_dump(source: str, target: str) -> None:
    a, b = open_store(source), open_store(target)
    fill(a)
    b.put("customer", ("t9", "old"), {"id": "old"})
    with b.transaction():
        b.load(a.dump())
    assert b.scan("customer", ("t1",)) == [{"id": "c2"}, {"id": "c1", "n": [1, "é"]}]
    assert b.get("cart", ("t1", "c1", "k1")) == {"id": "k1"}
    assert b.get("meta", ("only",)) == {"id": "only"}
    assert b.scan("customer", ("t9",)) == []
    # The same documents; the order of a dump is each backend's own (both keep each parent's scan order).
    assert sorted(json.loads(b.dump())["docs"]) == sorted(json.loads(a.dump())["docs"])
    b.clear("t1")  # the tenant of loaded documents is known, as of put ones
    assert b.count("customer", ("t1",)) == 0 and b.count("customer", ("t2",)) == 1
    a.close()
    b.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_load_in_a_failed_transaction_is_undone(backend: str) -> None:
    store = open_store(backend)
    fill(store)
    before = store.dump()
    empty = open_store("memory").dump()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.load(empty)
            assert store.count("customer", ("t1",)) == 0
            raise RuntimeError("rolled back")
    assert store.dump() == before
    store.close()
