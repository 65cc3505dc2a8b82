"""`--state PATH`: restarts, kill -9 under load, schema migrations and refusals.

The restart tests compare a run that stops and starts again on its state file with one that never
stops (in memory): same answers, same ids, same clock. The kill -9 test runs a real `pcsim serve`
under concurrent load and kills it with requests in flight: every write it answered 2xx is back.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest

from simulator import persistence
from simulator import store as stores
from simulator.store import sqlite as sqlite_store
from simulator.store import SCHEMA, SCHEMA_VERSION, SQLiteStore, StoreSchemaError, StoreUnavailable
from tests.helpers import (
    ENV,
    START,
    Api,
    agreement_body,
    close_api,
    customer_body,
    free_port,
    nce_line,
    open_api,
    serve_process,
)

Transcript = list[tuple[int, str, str | None]]


def stop(api: Api, *, clean: bool = True) -> None:
    """A clean stop is what `pcsim serve` does on SIGINT/SIGTERM; the other one just lets go of the file."""
    close_api(api, clean=clean)


# --- restarts ---------------------------------------------------------------------------------
def first_half(api: Api, said: Transcript) -> str:
    def note(reply: httpx.Response) -> httpx.Response:
        said.append((reply.status_code, reply.text, reply.headers.get("ms-requestid")))
        return reply

    note(api.post("/_simulator/reset", json={"seed": 3}))
    customer = note(api.post("/v1/customers", json=customer_body("first.onmicrosoft.com"))).json()["id"]
    note(api.post(f"/v1/customers/{customer}/agreements", json=agreement_body()))
    cart = note(api.new_cart(customer, nce_line(2))).json()["id"]
    note(api.post(f"/v1/customers/{customer}/carts/{cart}/checkout"))
    note(api.post("/_simulator/clock/advance", json={"seconds": 3600.25}))
    note(api.get(f"/v1/customers/{customer}/subscriptions"))  # reads move the tracing stream only
    note(api.get(f"/v1/customers/{customer}/orders/nope"))
    return customer


def second_half(api: Api, customer: str, said: Transcript) -> None:
    def note(reply: httpx.Response) -> httpx.Response:
        said.append((reply.status_code, reply.text, reply.headers.get("ms-requestid")))
        return reply

    note(api.get("/_simulator/clock"))
    other = note(api.post("/v1/customers", json=customer_body("second.onmicrosoft.com"))).json()["id"]
    note(api.post(f"/v1/customers/{other}/agreements", json=agreement_body()))
    cart = note(api.new_cart(other, nce_line(3), nce_line(1, term="P1M"))).json()["id"]
    note(api.post(f"/v1/customers/{other}/carts/{cart}/checkout"))
    note(api.get("/v1/customers"))
    note(api.post("/_simulator/clock/advance", json={"seconds": 8 * 86400}))
    for who in (customer, other):
        note(api.get(f"/v1/customers/{who}/subscriptions"))
        note(api.get(f"/v1/customers/{who}/orders"))


def uninterrupted(loop: asyncio.AbstractEventLoop) -> Transcript:
    api = open_api(loop)
    said: Transcript = []
    second_half(api, first_half(api, said), said)
    stop(api)
    return said


@pytest.mark.parametrize("clean", [True, False], ids=["clean-stop", "abrupt-stop"])
def test_a_restart_on_the_same_file_answers_as_if_there_had_been_none(loop: asyncio.AbstractEventLoop,
                                                                        tmp_path: Path, clean: bool) -> None:
    path = str(tmp_path / "pcsim.db")
    said: Transcript = []
    first = open_api(loop, state=path)
    customer = first_half(first, said)
    stop(first, clean=clean)
    # another --start-time and --seed: the file's clock and seed win
    second = open_api(loop, state=path, start_time="2030-06-01T00:00:00Z", seed=99)
    assert second.ctx.settings.seed == 0 and second.ctx.ids.seed == 3
    second_half(second, customer, said)
    stop(second)
    expected = uninterrupted(loop)
    assert [(status, text) for status, text, _ in said] == [(status, text) for status, text, _ in expected]
    if clean:  # the tracing ids (MS-RequestId of requests that send none) too; after an abrupt stop, those
        assert said == expected  # drawn by the reads since the last write come again


def test_tokens_outlive_a_restart_and_the_clock_keeps_its_microseconds(loop: asyncio.AbstractEventLoop,
                                                                      tmp_path: Path) -> None:
    path = str(tmp_path / "pcsim.db")
    first = open_api(loop, state=path, strict_auth=True, seed=7)
    token = first.token_for()
    customer = first.new_customer(token=token)
    now = first.advance(0.125)
    stop(first, clean=False)
    second = open_api(loop, state=path, strict_auth=True, seed=8)
    try:
        assert second.get("/_simulator/clock").json() == {"now": now, "mode": "manual", "speed": 1}
        assert second.get(f"/v1/customers/{customer}", token=token).status_code == 200
        assert second.get("/v1/customers", token=second.token_for()).json()["totalCount"] == 1
    finally:
        stop(second)


def test_a_restored_snapshot_is_what_a_restart_finds(loop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    """A restore moves the clock back and the ids with it, in one transaction: the file keeps all of it."""
    path = str(tmp_path / "pcsim.db")
    api = open_api(loop, state=path)
    kept = api.new_customer("kept.onmicrosoft.com")
    assert api.post("/_simulator/snapshots", json={"name": "s"}).status_code == 201
    api.advance(86400)
    gone = api.new_customer("gone.onmicrosoft.com")
    assert api.post("/_simulator/snapshots/s/restore").status_code == 200
    stop(api, clean=False)
    again = open_api(loop, state=path)
    try:
        assert again.get("/_simulator/clock").json() == {"now": "2026-01-05T10:00:00Z", "mode": "manual", "speed": 1}
        assert [c["id"] for c in again.get("/v1/customers").json()["items"]] == [kept]
        assert again.new_customer("other.onmicrosoft.com") == gone  # the ids went back too
    finally:
        stop(again)


def test_a_state_file_serves_one_app_at_a_time(loop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    path = str(tmp_path / "pcsim.db")
    first = open_api(loop, state=path)
    with pytest.raises(StoreUnavailable, match="pcsim.db is in use by another pcsim"):
        open_api(loop, state=path)
    stop(first)
    stop(open_api(loop, state=path))
    with pytest.raises(StoreUnavailable, match="cannot open .*missing/pcsim.db: No such file or directory"):
        open_api(loop, state=str(tmp_path / "missing" / "pcsim.db"))


def test_each_write_files_the_clock_and_ids_in_its_own_transaction(tmp_path: Path,
                                                                    loop: asyncio.AbstractEventLoop) -> None:
    """White-box: a second connection (as after a crash) sees the meta values of the last commit."""
    path = tmp_path / "pcsim.db"
    api = open_api(loop, state=str(path))
    try:
        api.new_customer("one.onmicrosoft.com")
        random_state = persistence.pack(api.ctx.ids.random)
        api.advance(60)
        with sqlite3.connect(path) as raw:
            meta = dict(raw.execute("SELECT name, value FROM meta"))
        raw.close()
        assert meta["ids.random"] == random_state
        assert meta["clock"] == api.ctx.clock.now().isoformat().encode()
        assert set(meta) == {"clock", "seed", "ids.seed", "ids.random", "ids.tracing"}
        reply = api.post("/v1/customers", json=customer_body("one.onmicrosoft.com"))  # refused: nothing changes
        assert reply.status_code in (400, 409)
        with sqlite3.connect(path) as raw:
            assert dict(raw.execute("SELECT name, value FROM meta"))["ids.random"] == random_state
        raw.close()
    finally:
        stop(api)


def test_unreadable_saved_ids_are_refused_with_a_message(loop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    path = tmp_path / "pcsim.db"
    stop(open_api(loop, state=str(path)))
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE meta SET value = ? WHERE name = 'ids.random'", (b"[3, \"not base64!\", null]",))
    raw.close()
    with pytest.raises(StoreSchemaError, match="pcsim.db has a pcsim schema but its saved clock or ids are unreadable"):
        open_api(loop, state=str(path))
    stop(open_api(loop, state=str(tmp_path / "other.db")))  # and the refused file's lock was let go:
    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM meta")
    raw.close()
    stop(open_api(loop, state=str(path)))


# --- migrations and refusals ------------------------------------------------------------------
def version_1_file(path: Path) -> None:
    """A store as the first SQLite pcsim wrote it: the docs table, user_version 1, WAL."""
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA journal_mode=WAL")
        for statement in SCHEMA:
            raw.execute(statement)
        for n, (kind, parent, doc_id) in enumerate([("customer", ["t1"], "c2"), ("customer", ["t1"], "c1"),
                                                     ("cart", ["t1", "c1"], "k1")]):
            raw.execute("INSERT INTO docs (kind, parent, tenant, id, doc) VALUES (?, ?, ?, ?, ?)",
                        (kind, json.dumps(parent), parent[0], doc_id, json.dumps({"id": doc_id, "n": n}).encode()))
        raw.execute("PRAGMA user_version = 1")
    raw.close()


def test_a_version_1_file_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    version_1_file(path)
    store = SQLiteStore(path)
    try:
        assert store.migrated_from == 1
        assert [d["id"] for d in store.scan("customer", ("t1",))] == ["c2", "c1"]  # order kept
        assert store.get("cart", ("t1", "c1", "k1")) == {"id": "k1", "n": 2}
        assert store.meta() == {}
        store.put_meta("clock", b"x")
    finally:
        store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert raw.execute("SELECT value FROM meta").fetchall() == [(b"x",)]
    raw.close()
    again = SQLiteStore(path)
    assert again.migrated_from is None  # nothing left to do
    again.close()


def test_serving_a_version_1_file_migrates_it_and_says_so(loop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    version_1_file(path)
    api = open_api(loop, state=str(path), seed=4)
    try:  # a version 1 file kept no clock or ids: those of the settings start it
        assert persistence.describe(api.ctx).splitlines() == [
            f"pcsim: migrated {path} from store schema version 1 to {SCHEMA_VERSION}",
            f"pcsim: state restored from {path}: clock at 2026-01-05T10:00:00+00:00, seed 4 (the file's clock and "
            f"seed win over --start-time and --seed)"]
        assert api.ctx.store.meta()["seed"] == b"4"
    finally:
        stop(api)


def test_a_new_file_and_a_migrated_one_have_the_same_schema(tmp_path: Path) -> None:
    version_1_file(tmp_path / "old.db")
    for name in ("old.db", "new.db"):
        SQLiteStore(tmp_path / name).close()

    def schema(name: str) -> list[Any]:
        with sqlite3.connect(tmp_path / name) as raw:
            rows = raw.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        raw.close()
        return rows
    assert schema("old.db") == schema("new.db")


def test_a_migration_that_fails_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v1.db"
    version_1_file(path)

    def half_done(db: sqlite3.Connection) -> None:
        stores.add_meta(db)
        raise sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(sqlite_store, "MIGRATIONS", (half_done,))  # where SQLiteStore reads them
    with pytest.raises(sqlite3.OperationalError):
        SQLiteStore(path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
        assert [n for n, in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["docs"]
    raw.close()


def test_a_file_with_tables_but_no_docs_table_is_not_a_pcsim_store(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE things (x)")
        raw.execute("PRAGMA user_version = 1")
    raw.close()
    with pytest.raises(StoreSchemaError, match="other.db is a SQLite database but not a pcsim store"):
        SQLiteStore(path)


def serve_command(path: Path, port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "simulator", "serve", "--state", str(path), "--port", str(port), *extra]


def newer(path: Path) -> str:
    SQLiteStore(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    return (f"has pcsim store schema version {SCHEMA_VERSION + 1}; this pcsim reads version {SCHEMA_VERSION} only "
            f"(and migrates older files to it): the file was written by a newer pcsim")


def not_a_store(path: Path) -> str:
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE things (x)")
    raw.close()
    return "is a SQLite database but not a pcsim store"


def not_a_database(path: Path) -> str:
    path.write_text("notes, not a database " * 20)
    return "is not a SQLite database"


@pytest.mark.parametrize("make", [newer, not_a_store, not_a_database])
def test_serve_refuses_a_file_it_cannot_use_with_exit_code_2_and_a_message(tmp_path: Path,
                                                                         make: Callable[[Path], str]) -> None:
    path = tmp_path / "state.db"
    message = make(path)
    before = path.read_bytes()
    done = subprocess.run(serve_command(path, free_port()), env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(f"pcsim: --state: {path} ") and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before


# --- a real process ---------------------------------------------------------------------------
@contextmanager
def serving(path: Path, *extra: str) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    """`pcsim serve --state path` on a free loopback port, until the block ends (or it is killed)."""
    port = free_port()
    with serve_process(serve_command(path, port, "--no-sandbox-limits", *extra), port, ENV) as served:
        yield served


HEADERS = {"Authorization": "Bearer any-token", "Accept": "application/json"}
THREADS, ROUNDS, KILL_AFTER = 4, 40, 45  # bounded: the kill comes after 45 answered writes, long before 4 x 40 rounds


def shop(base: str, worker: int, acknowledged: list[tuple[str, str]], stop_now: threading.Event) -> None:
    """Customers, carts and checkouts until the server dies; every 2xx write goes to `acknowledged`
    as (what, path to read it back)."""
    with httpx.Client(base_url=base, headers=HEADERS, timeout=10) as http:
        for n in range(ROUNDS):
            if stop_now.is_set():
                return
            try:
                reply = http.post("/v1/customers", json=customer_body(f"w{worker}-{n}.onmicrosoft.com"))
                if reply.status_code != 201:
                    continue
                customer = reply.json()["id"]
                acknowledged.append(("customer", f"/v1/customers/{customer}"))
                reply = http.post(f"/v1/customers/{customer}/carts", json={"lineItems": [{"id": 0, **nce_line(2)}]})
                if reply.status_code != 201:
                    continue
                cart = reply.json()["id"]
                acknowledged.append(("cart", f"/v1/customers/{customer}/carts/{cart}"))
                reply = http.post(f"/v1/customers/{customer}/carts/{cart}/checkout")
                if reply.status_code == 201:
                    acknowledged += [("order", f"/v1/customers/{customer}/orders/{order['id']}")
                                     for order in reply.json()["orders"]]
                if worker == 0:
                    reply = http.post("/_simulator/clock/advance", json={"seconds": 61.5})
                    if reply.status_code == 200:
                        acknowledged.append(("clock", reply.json()["now"]))
            except httpx.TransportError:  # killed
                return


def test_kill_9_under_concurrent_load_loses_no_answered_write(tmp_path: Path) -> None:
    path = tmp_path / "pcsim.db"
    acknowledged: list[tuple[str, str]] = []
    stop_now = threading.Event()
    # A manual clock, so that where it stands is where the advances put it (tests/test_clock.py kills a
    # running one).
    with serving(path, "--start-time", START, "--clock", "manual") as (proc, base, said):
        assert said[0].startswith(f"pcsim: keeping state in {path} (a new file)")
        moved = httpx.post(f"{base}/_simulator/clock/advance", json={"seconds": 86400.5}).json()["now"]
        acknowledged.append(("clock", moved))
        workers = [threading.Thread(target=shop, args=(base, n, acknowledged, stop_now)) for n in range(THREADS)]
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < KILL_AFTER and any(w.is_alive() for w in workers) and time.monotonic() < deadline:
            time.sleep(0.005)  # watching real requests come back, not driving simulated time
        os.kill(proc.pid, signal.SIGKILL)  # with requests in flight on every thread
        proc.wait(timeout=20)
        stop_now.set()
        for worker in workers:
            worker.join(timeout=30)
        assert proc.returncode == -signal.SIGKILL
    writes = [(what, where) for what, where in acknowledged if what != "clock"]
    assert len(writes) >= KILL_AFTER - 10, acknowledged
    last_clock = max(datetime.fromisoformat(now) for what, now in acknowledged if what == "clock")
    with serving(path, "--start-time", "2030-01-01T00:00:00Z", "--clock", "manual") as (_, base, said):
        assert said[0].startswith(f"pcsim: state restored from {path}"), said
        with httpx.Client(base_url=base, headers=HEADERS, timeout=10) as http:
            missing = [(what, where) for what, where in writes if http.get(where).status_code != 200]
            assert missing == []
            now = datetime.fromisoformat(http.get("/_simulator/clock").json()["now"])
            # the clock is where the last answered advance left it (or one unanswered advance further)
            assert last_clock <= now <= last_clock + timedelta(seconds=61.5), (last_clock, now)
            # and the ids go on from where the file left them: nothing is handed out twice
            reply = http.post("/v1/customers", json=customer_body("after.onmicrosoft.com"))
            assert reply.status_code == 201, reply.text
            assert f"/v1/customers/{reply.json()['id']}" not in {where for _, where in writes}
