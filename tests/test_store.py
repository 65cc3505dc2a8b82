"""The store's contract, on every backend pcsim has (simulator.store.BACKENDS).

The storage layer itself is under test here, so most tests call the Store interface directly; the
last ones run the purchase path over HTTP on each backend, and read it back from a reopened file.
"""
from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from simulator import store as stores
from simulator.store import BACKENDS, SCHEMA_VERSION, MemoryStore, SQLiteStore, Store, StoreSchemaError, open_store
from tests.helpers import customer_body, nce_line, open_api, opened

ON_DISK = {"sqlite"}  # backends that keep a file; the others are handed no path


DEFLATED = "memory, all deflated"  # a memory store with no room for young documents: every one is deflated


@pytest.fixture(params=[*BACKENDS, DEFLATED])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = MemoryStore(young_bytes=0) if request.param == DEFLATED else opened(request.param, tmp_path)
    yield s
    s.close()


class Boom(Exception):
    pass


def ids(store: Store, kind: str, parent: tuple[str, ...]) -> list[str]:
    return [doc["id"] for doc in store.scan(kind, parent)]


# --- get, put, delete ---------------------------------------------------------------------------
def test_get_answers_what_put_filed_and_none_for_anything_else(store: Store) -> None:
    doc = {"id": "c1", "name": "Contoso", "tags": ["a", "b"], "n": 3, "x": None, "ok": True, "f": 1.5}
    store.put("customer", ("t1", "c1"), doc)
    assert store.get("customer", ("t1", "c1")) == doc
    assert store.get("customer", ("t1", "c2")) is None
    assert store.get("customer", ("t2", "c1")) is None
    assert store.get("order", ("t1", "c1")) is None


def test_documents_are_copies_both_ways(store: Store) -> None:
    doc = {"id": "c1", "items": [1]}
    store.put("customer", ("t1", "c1"), doc)
    doc["items"].append(2)
    read = store.get("customer", ("t1", "c1"))
    assert read == {"id": "c1", "items": [1]}
    read["items"].append(3)  # type: ignore[index]
    assert store.get("customer", ("t1", "c1")) == {"id": "c1", "items": [1]}
    assert store.scan("customer", ("t1",)) == [{"id": "c1", "items": [1]}]


def test_put_replaces_and_delete_removes(store: Store) -> None:
    store.put("customer", ("t1", "c1"), {"id": "c1", "v": 1})
    store.put("customer", ("t1", "c1"), {"id": "c1", "v": 2})
    assert store.get("customer", ("t1", "c1")) == {"id": "c1", "v": 2}
    assert store.count("customer", ("t1",)) == 1
    store.delete("customer", ("t1", "c1"))
    assert store.get("customer", ("t1", "c1")) is None
    store.delete("customer", ("t1", "c1"))  # deleting what isn't there is no error
    store.delete("customer", ("nobody", "nothing"))
    assert store.count("customer", ("t1",)) == 0


def test_a_document_that_is_not_json_is_refused_and_nothing_changes(store: Store) -> None:
    store.put("customer", ("t1", "c1"), {"id": "c1"})
    with pytest.raises(TypeError):
        store.put("customer", ("t1", "c1"), {"id": "c1", "when": object()})
    assert store.get("customer", ("t1", "c1")) == {"id": "c1"}


def test_keys_that_are_not_strings_and_integers_past_64_bits_are_filed_as_json_has_them(store: Store) -> None:
    # encode tries plain orjson first, then its non-string keys option, then the standard library
    store.put("customer", ("t1", "c1"), {"id": "c1", "by_month": {24301: ["s1"], "x": {2: True}}})
    store.put("customer", ("t1", "c2"), {"id": "c2", "big": 2**70, "by": {3: 2**70}})
    assert store.get("customer", ("t1", "c1")) == {"id": "c1", "by_month": {"24301": ["s1"], "x": {"2": True}}}
    assert store.get("customer", ("t1", "c2")) == {"id": "c2", "big": 2**70, "by": {"3": 2**70}}


def test_key_parts_are_kept_apart_whatever_they_hold(store: Store) -> None:
    odd = ["a,b", "a", "b", '"', "[]", "'; DROP TABLE docs; --", "ünï", "a/b", "", " "]
    for n, part in enumerate(odd):
        store.put("k", ("t", part, str(n)), {"id": str(n)})
    store.put("k", ("t", "a", "b", "x"), {"id": "deeper"})
    for n, part in enumerate(odd):
        assert ids(store, "k", ("t", part)) == [str(n)], part
        assert store.get("k", ("t", part, str(n))) == {"id": str(n)}
    assert ids(store, "k", ("t", "a", "b")) == ["deeper"]
    assert store.count("k", ("t",)) == 0
    store.put("top", ("alone",), {"id": "alone"})  # a key of one part has the empty parent
    assert ids(store, "top", ()) == ["alone"] and store.count("top", ()) == 1


# --- scan and count -----------------------------------------------------------------------------
def test_scan_answers_one_parent_of_one_kind_in_first_put_order(store: Store) -> None:
    for sub in ["s3", "s1", "s2"]:
        store.put("subscription", ("t1", "c1", sub), {"id": sub})
    store.put("subscription", ("t1", "c2", "s9"), {"id": "s9"})
    store.put("subscription", ("t2", "c1", "s8"), {"id": "s8"})
    store.put("order", ("t1", "c1", "o1"), {"id": "o1"})
    store.put("transition", ("t1", "c1", "s1", "x1"), {"id": "x1"})
    assert ids(store, "subscription", ("t1", "c1")) == ["s3", "s1", "s2"]
    assert store.count("subscription", ("t1", "c1")) == 3
    store.put("subscription", ("t1", "c1", "s1"), {"id": "s1", "v": 2})  # a replacement keeps its place
    assert ids(store, "subscription", ("t1", "c1")) == ["s3", "s1", "s2"]
    store.delete("subscription", ("t1", "c1", "s3"))
    store.put("subscription", ("t1", "c1", "s3"), {"id": "s3"})  # put again after a delete: last
    assert ids(store, "subscription", ("t1", "c1")) == ["s1", "s2", "s3"]
    assert ids(store, "subscription", ("t1",)) == [] and store.count("subscription", ("t1",)) == 0
    assert store.scan("subscription", ("t9", "c1")) == [] and store.count("subscription", ("t9", "c1")) == 0
    assert ids(store, "order", ("t1", "c1")) == ["o1"]
    assert ids(store, "transition", ("t1", "c1", "s1")) == ["x1"]


def test_scan_pages_with_offset_and_limit_in_the_same_order(store: Store) -> None:
    for n in range(7):
        store.put("customer", ("t1", f"c{n}"), {"id": f"c{n}"})
    page = [[d["id"] for d in store.scan("customer", ("t1",), offset=o, limit=3)] for o in (0, 3, 6, 9)]
    assert page == [["c0", "c1", "c2"], ["c3", "c4", "c5"], ["c6"], []]
    assert [d["id"] for d in store.scan("customer", ("t1",), offset=5)] == ["c5", "c6"]


def test_scan_answers_a_list(store: Store) -> None:
    store.put("k", ("p", "1"), {"id": "1"})
    assert type(store.scan("k", ("p",))) is list and type(store.count("k", ("p",))) is int


# --- transactions -------------------------------------------------------------------------------
def seeded(store: Store) -> None:
    for sub in ["s1", "s2", "s3"]:
        store.put("subscription", ("t1", "c1", sub), {"id": sub, "v": 1})


def test_a_transaction_keeps_what_it_wrote(store: Store) -> None:
    seeded(store)
    with store.transaction():
        store.put("subscription", ("t1", "c1", "s4"), {"id": "s4"})
        store.delete("subscription", ("t1", "c1", "s1"))
        assert ids(store, "subscription", ("t1", "c1")) == ["s2", "s3", "s4"]  # reads see the transaction's writes
    assert ids(store, "subscription", ("t1", "c1")) == ["s2", "s3", "s4"]


def test_a_transaction_that_raises_leaves_nothing_behind_not_even_the_order(store: Store) -> None:
    seeded(store)
    before = store.scan("subscription", ("t1", "c1"))
    with pytest.raises(Boom), store.transaction():
        store.delete("subscription", ("t1", "c1", "s1"))
        store.put("subscription", ("t1", "c1", "s2"), {"id": "s2", "v": 2})
        store.put("subscription", ("t1", "c1", "s1"), {"id": "s1", "v": 3})
        store.put("subscription", ("t1", "c2", "s5"), {"id": "s5"})
        store.put("order", ("t1", "c1", "o1"), {"id": "o1"})
        raise Boom
    assert store.scan("subscription", ("t1", "c1")) == before
    assert store.count("subscription", ("t1", "c2")) == 0 and store.get("order", ("t1", "c1", "o1")) is None
    with store.transaction():  # and the store takes the next transaction as usual
        store.put("order", ("t1", "c1", "o1"), {"id": "o1"})
    assert ids(store, "order", ("t1", "c1")) == ["o1"]


def test_any_exception_rolls_back_even_one_that_is_not_an_error(store: Store) -> None:
    with pytest.raises(KeyboardInterrupt), store.transaction():
        store.put("k", ("p", "1"), {"id": "1"})
        raise KeyboardInterrupt
    assert store.get("k", ("p", "1")) is None


def test_a_nested_transaction_belongs_to_the_outer_one(store: Store) -> None:
    with store.transaction():
        store.put("k", ("p", "1"), {"id": "1"})
        with pytest.raises(Boom), store.transaction():
            store.put("k", ("p", "2"), {"id": "2"})
            raise Boom  # caught inside the outer transaction: the outer one decides
        with store.transaction():
            store.put("k", ("p", "3"), {"id": "3"})
    assert ids(store, "k", ("p",)) == ["1", "2", "3"]
    with pytest.raises(Boom), store.transaction():
        with store.transaction():
            store.put("k", ("p", "4"), {"id": "4"})
        raise Boom
    assert ids(store, "k", ("p",)) == ["1", "2", "3"]


# --- clear --------------------------------------------------------------------------------------
def filled(store: Store) -> None:
    for tenant in ["t1", "t2"]:
        store.put("customer", (tenant, "c1"), {"id": f"{tenant}c1"})
        store.put("subscription", (tenant, "c1", "s1"), {"id": f"{tenant}s1"})
        store.put("transition", (tenant, "c1", "s1", "x1"), {"id": f"{tenant}x1"})
    store.put("domain", ("domains", "contoso.example"), {"id": "d"})


def test_clear_empties_everything(store: Store) -> None:
    filled(store)
    store.clear()
    for kind, parent in [("customer", ("t1",)), ("customer", ("t2",)), ("subscription", ("t1", "c1")),
                         ("transition", ("t2", "c1", "s1")), ("domain", ("domains",))]:
        assert store.count(kind, parent) == 0 and store.scan(kind, parent) == []
    store.put("customer", ("t1", "c1"), {"id": "again"})
    assert ids(store, "customer", ("t1",)) == ["again"]


def test_clear_of_a_tenant_empties_what_is_filed_under_it_only(store: Store) -> None:
    filled(store)
    store.clear("t1")
    assert store.count("customer", ("t1",)) == 0 and store.get("subscription", ("t1", "c1", "s1")) is None
    assert store.scan("transition", ("t1", "c1", "s1")) == []
    assert ids(store, "customer", ("t2",)) == ["t2c1"] and ids(store, "transition", ("t2", "c1", "s1")) == ["t2x1"]
    assert ids(store, "domain", ("domains",)) == ["d"]  # filed under no tenant
    store.clear("T2")  # tenants are compared as given; callers lower-case them
    assert ids(store, "customer", ("t2",)) == ["t2c1"]


def test_a_clear_in_a_transaction_that_raises_is_undone(store: Store) -> None:
    filled(store)
    with pytest.raises(Boom), store.transaction():
        store.put("customer", ("t1", "c2"), {"id": "t1c2"})
        store.clear()
        store.put("customer", ("t1", "c3"), {"id": "t1c3"})
        raise Boom
    assert ids(store, "customer", ("t1",)) == ["t1c1"] and ids(store, "domain", ("domains",)) == ["d"]
    assert ids(store, "transition", ("t2", "c1", "s1")) == ["t2x1"]


# --- threads ------------------------------------------------------------------------------------
def test_threads_share_one_store(store: Store) -> None:
    """The event loop thread serves requests while test threads read and write the same store."""
    errors: list[Exception] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                with store.transaction():
                    store.put("k", (f"p{n}", str(i)), {"id": str(i)})
                    store.count("k", (f"p{n}",))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [store.count("k", (f"p{n}",)) for n in range(4)] == [20] * 4
    assert ids(store, "k", ("p3",)) == [str(i) for i in range(20)]


# --- the factory --------------------------------------------------------------------------------
def test_the_factory_knows_every_backend_and_refuses_others(tmp_path: Path) -> None:
    assert BACKENDS == stores.BACKENDS and len(set(BACKENDS)) == len(BACKENDS)
    for backend in BACKENDS:
        s = opened(backend, tmp_path)
        s.close()
    with pytest.raises(ValueError, match="unknown store backend 'redis'; pcsim has memory, sqlite"):
        open_store("redis")
    with pytest.raises(ValueError, match="memory store keeps nothing on disk"):
        open_store("memory", tmp_path / "x.db")


def test_sqlite_in_memory_stores_are_private() -> None:
    first, second = open_store("sqlite"), open_store("sqlite")
    try:
        first.put("k", ("p", "1"), {"id": "1"})
        assert second.get("k", ("p", "1")) is None and first.get("k", ("p", "1")) == {"id": "1"}
    finally:
        first.close()
        second.close()


# --- SQLite files -------------------------------------------------------------------------------
def test_a_sqlite_file_keeps_its_data_when_reopened(tmp_path: Path) -> None:
    path = tmp_path / "pcsim.db"
    s = SQLiteStore(path)
    filled(s)
    for sub in ["s9", "s2", "s5"]:
        s.put("subscription", ("t1", "c1", sub), {"id": sub})
    s.close()
    s = SQLiteStore(path)
    try:
        assert ids(s, "subscription", ("t1", "c1")) == ["t1s1", "s9", "s2", "s5"]
        assert s.get("domain", ("domains", "contoso.example")) == {"id": "d"}
        s.put("subscription", ("t1", "c1", "s0"), {"id": "s0"})  # and new documents still come last
        assert ids(s, "subscription", ("t1", "c1"))[-1] == "s0"
    finally:
        s.close()


def test_a_committed_write_is_in_the_file_before_the_store_is_closed(tmp_path: Path) -> None:
    path = tmp_path / "pcsim.db"
    writer = SQLiteStore(path)
    try:
        with writer.transaction():
            writer.put("k", ("p", "1"), {"id": "1"})
        reader = SQLiteStore(path)  # another connection, as after a crash
        try:
            assert reader.get("k", ("p", "1")) == {"id": "1"}
        finally:
            reader.close()
    finally:
        writer.close()


def test_a_sqlite_file_is_in_wal_mode_with_normal_sync(tmp_path: Path) -> None:
    path = tmp_path / "pcsim.db"
    s = SQLiteStore(path)
    try:
        # white-box (the setting is per connection): NORMAL, in WAL mode, loses nothing a kill -9 could
        assert s._db.execute("PRAGMA synchronous").fetchone()[0] == 1
    finally:
        s.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()


def test_a_file_of_another_schema_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "pcsim.db"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StoreSchemaError, match=rf"pcsim.db has pcsim store schema version {SCHEMA_VERSION + 1}; "
                                               rf"this pcsim reads version {SCHEMA_VERSION} only"):
        SQLiteStore(path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    raw.close()


def test_a_sqlite_database_that_is_not_a_pcsim_store_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE things (x)")
    raw.close()
    with pytest.raises(StoreSchemaError, match="other.db is a SQLite database but not a pcsim store"):
        SQLiteStore(path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    raw.close()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just some notes that are long enough to fill a header " * 4)
    with pytest.raises(StoreSchemaError, match="notes.txt is not a SQLite database"):
        SQLiteStore(path)
    assert path.read_text().startswith("not a database")


# --- over HTTP ----------------------------------------------------------------------------------
QUICK = {"provisioning_delay": 0, "order_list_delay": 0}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_purchase_path_over_http_on_every_backend(backend: str, loop: asyncio.AbstractEventLoop,
                                                      tmp_path: Path) -> None:
    s = opened(backend, tmp_path)
    api = open_api(loop, store=s, wall="real", **QUICK)
    try:
        assert api.ctx.store is s
        customer = api.new_customer("fabrikam.onmicrosoft.com")
        order = api.buy(customer, nce_line(5))["orders"][0]
        sub = order["lineItems"][0]["subscriptionId"]
        api.advance(60)
        listed = api.get(f"/v1/customers/{customer}/subscriptions").json()
        assert [(x["id"], x["quantity"], x["status"]) for x in listed["items"]] == [(sub, 5, "active")]
        assert api.get(f"/v1/customers/{customer}/orders/{order['id']}").json()["id"] == order["id"]
        reply = api.patch(f"/v1/customers/{customer}/subscriptions/{sub}",
                          json={**api.get(f"/v1/customers/{customer}/subscriptions/{sub}").json(), "quantity": 7})
        assert reply.status_code == 200, reply.text
        assert api.get(f"/v1/customers/{customer}/subscriptions/{sub}").json()["quantity"] == 7
        again = api.post("/v1/customers", json=customer_body("fabrikam.onmicrosoft.com"))
        assert again.status_code in (400, 409), again.text  # a refused request leaves nothing behind
        assert [c["id"] for c in api.get("/v1/customers").json()["items"]] == [customer]
    finally:
        loop.run_until_complete(api.client.aclose())
        s.close()


def test_a_reopened_sqlite_file_serves_what_an_earlier_app_wrote(loop: asyncio.AbstractEventLoop,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "pcsim.db"
    first = open_api(loop, store=SQLiteStore(path), wall="real", **QUICK)
    try:
        customer = first.new_customer()
        sub = first.buy(customer, nce_line(4))["orders"][0]["lineItems"][0]["subscriptionId"]
        seen: Any = first.get(f"/v1/customers/{customer}/subscriptions/{sub}").json()
    finally:
        loop.run_until_complete(first.client.aclose())
        first.ctx.store.close()
    second = open_api(loop, store=SQLiteStore(path), wall="real", **QUICK)
    try:
        assert [c["id"] for c in second.get("/v1/customers").json()["items"]] == [customer]
        assert second.get(f"/v1/customers/{customer}/subscriptions/{sub}").json() == seen
    finally:
        loop.run_until_complete(second.client.aclose())
        second.ctx.store.close()


def test_a_failed_transaction_undoes_a_load_and_a_clear_of_a_busy_shelf(store: Store) -> None:
    store.put("customer", ("t1", "c1"), {"id": "c1"})
    store.put("customer", ("t1", "c2"), {"id": "c2"})
    before = store.dump()
    other = MemoryStore()
    other.put("order", ("t9", "o1"), {"id": "o1"})
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put("customer", ("t1", "c1"), {"id": "c1", "v": 2})  # a document first, then its shelf
            store.delete("customer", ("t1", "c2"))
            store.load(other.dump())
            raise RuntimeError("boom")
    assert store.dump() == before
    assert ids(store, "customer", ("t1",)) == ["c1", "c2"] and store.get("customer", ("t1", "c1")) == {"id": "c1"}


def test_a_memory_store_deflates_its_oldest_documents_and_reads_them_back_alike() -> None:
    store = MemoryStore(young_bytes=300)  # room for a few of these documents
    docs = {f"s{n}": {"id": f"s{n}", "offerName": "Microsoft 365 E3", "quantity": n, "tags": ["a", n]}
            for n in range(20)}
    for id_, doc in docs.items():
        store.put("subscription", ("t1", "c1", id_), doc)
    assert store.scan("subscription", ("t1", "c1")) == list(docs.values())
    assert store.get("subscription", ("t1", "c1", "s0")) == docs["s0"]
    with pytest.raises(Boom), store.transaction():  # s1's new value is deflated before the rollback
        store.put("subscription", ("t1", "c1", "s1"), {"id": "s1", "quantity": 99})
        for n in range(20, 30):
            store.put("subscription", ("t1", "c1", f"s{n}"), {"id": f"s{n}", "offerName": "Office 365 E1"})
        raise Boom()
    assert store.scan("subscription", ("t1", "c1")) == list(docs.values())
    again = MemoryStore()
    again.load(store.dump())
    assert again.scan("subscription", ("t1", "c1")) == list(docs.values())


def test_an_old_document_read_again_is_what_was_last_written_or_put_back() -> None:
    store = MemoryStore(young_bytes=0)  # every document deflated; the ones read are kept inflated
    store.put("customer", ("t1", "c1"), {"id": "c1", "v": 1})
    assert store.get("customer", ("t1", "c1")) == store.get("customer", ("t1", "c1")) == {"id": "c1", "v": 1}
    store.put("customer", ("t1", "c1"), {"id": "c1", "v": 2})
    assert store.scan("customer", ("t1",)) == [{"id": "c1", "v": 2}]
    with pytest.raises(Boom), store.transaction():
        store.put("customer", ("t1", "c1"), {"id": "c1", "v": 3})
        assert store.get("customer", ("t1", "c1")) == {"id": "c1", "v": 3}
        raise Boom()
    assert store.get("customer", ("t1", "c1")) == {"id": "c1", "v": 2}
