"""State lives here and only here: a narrow document store.

Documents are JSON objects filed under a kind and a key tuple; the last part of the key is the
document's id and the parts before it are its parent (tenant, customer ...), so `scan` of a parent
costs what the parent holds, not what the store holds. Every request runs in one transaction: a
rule that raises leaves nothing behind.

Two backends with one contract (tests/test_store.py): MemoryStore, and SQLiteStore, a file that
survives the process. `scan` answers a parent's documents in the order they were first put.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Protocol

Key = tuple[str, ...]
Doc = dict[str, Any]


class Store(Protocol):
    def get(self, kind: str, key: Key) -> Doc | None: ...
    def put(self, kind: str, key: Key, doc: Doc) -> None: ...
    def delete(self, kind: str, key: Key) -> None: ...
    def scan(self, kind: str, parent: Key) -> list[Doc]: ...
    def count(self, kind: str, parent: Key) -> int: ...
    def transaction(self) -> Any: ...
    def clear(self, tenant: str | None = None) -> None: ...
    def close(self) -> None: ...


def encode(doc: Doc) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


class MemoryStore:
    """Documents kept as JSON bytes, so a reader never shares objects with the store.

    A transaction keeps a copy of each shelf (one parent's documents of one kind) before its first
    change and puts the copies back if it fails, so a rollback restores the scan order too.
    """

    def __init__(self) -> None:
        self._data: dict[str, dict[Key, dict[str, bytes]]] = {}
        self._undo: dict[tuple[str, Key], dict[str, bytes] | None] | None = None

    def get(self, kind: str, key: Key) -> Doc | None:
        raw = self._data.get(kind, {}).get(key[:-1], {}).get(key[-1])
        return None if raw is None else json.loads(raw)

    def put(self, kind: str, key: Key, doc: Doc) -> None:
        raw = encode(doc)
        self._shelf(kind, key[:-1])[key[-1]] = raw

    def delete(self, kind: str, key: Key) -> None:
        if key[-1] in self._data.get(kind, {}).get(key[:-1], {}):
            del self._shelf(kind, key[:-1])[key[-1]]

    def scan(self, kind: str, parent: Key) -> list[Doc]:
        return [json.loads(raw) for raw in self._data.get(kind, {}).get(parent, {}).values()]

    def count(self, kind: str, parent: Key) -> int:
        return len(self._data.get(kind, {}).get(parent, {}))

    def _shelf(self, kind: str, parent: Key) -> dict[str, bytes]:
        """The shelf about to change, remembered as it was if a transaction is open."""
        shelves = self._data.setdefault(kind, {})
        if self._undo is not None and (kind, parent) not in self._undo:
            old = shelves.get(parent)
            self._undo[kind, parent] = None if old is None else dict(old)
        return shelves.setdefault(parent, {})

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._undo is not None:  # nested: the outer transaction decides
            yield
            return
        self._undo = {}
        try:
            yield
        except BaseException:
            for (kind, parent), old in self._undo.items():
                if old is None:
                    self._data[kind].pop(parent, None)
                else:
                    self._data[kind][parent] = old
            raise
        finally:
            self._undo = None

    def clear(self, tenant: str | None = None) -> None:
        """Everything, or what is filed under the tenant; undone like any write if the transaction fails."""
        for kind, shelves in self._data.items():
            for parent in [p for p in shelves if tenant is None or p and p[0] == tenant]:
                self._shelf(kind, parent)
                del shelves[parent]

    def close(self) -> None:
        """Nothing to let go of; here so that every backend can be closed alike."""


SCHEMA_VERSION = 1  # PRAGMA user_version of a SQLite store; a file with another one is refused
SCHEMA = ("""
CREATE TABLE docs (
    seq    INTEGER PRIMARY KEY,  -- first-put order, which scan answers in
    kind   TEXT NOT NULL,
    parent TEXT NOT NULL,        -- the key's parts before the id, as a JSON array
    tenant TEXT,                 -- the parent's first part, for clear(tenant)
    id     TEXT NOT NULL,
    doc    BLOB NOT NULL,        -- the document's JSON bytes
    UNIQUE (kind, parent, id)
)""", "CREATE INDEX docs_by_parent ON docs (kind, parent, seq)")


class StoreSchemaError(RuntimeError):
    """A SQLite file this pcsim can't use: not a database, not a pcsim store, or another schema version."""


class SQLiteStore:
    """Documents in one SQLite table: WAL with synchronous=FULL, so a committed write survives kill -9.

    One connection, shared by the event loop thread and any test thread under a lock; a transaction
    holds the lock from BEGIN to COMMIT, so threads take turns. `":memory:"` gives a private database.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        self._depth = 0  # transactions open on the lock holder's thread; only the outermost commits
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            self._open()
        except BaseException:
            self._db.close()
            raise

    def _open(self) -> None:
        try:
            self._check()  # before anything is written to a file that may not be ours
        except sqlite3.DatabaseError as error:
            raise StoreSchemaError(f"{self.path} is not a SQLite database: {error}") from None
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        with self.transaction():
            if self._check() == 0:
                for statement in SCHEMA:  # not executescript: it would commit the transaction
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _check(self) -> int:
        """The file's schema version: 0 for a new, empty database; anything else but ours is refused."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        tables = self._db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if version == 0 and tables == 0:
            return 0
        if version == 0:
            raise StoreSchemaError(f"{self.path} is a SQLite database but not a pcsim store (it has tables and "
                                   f"no schema version)")
        if version != SCHEMA_VERSION:
            raise StoreSchemaError(f"{self.path} has pcsim store schema version {version}; this pcsim reads version "
                                   f"{SCHEMA_VERSION} only and does not migrate stores yet")
        return version

    @staticmethod
    def _parent(parent: Key) -> str:
        return json.dumps(list(parent))

    def _where(self, kind: str, key: Key) -> tuple[str, str, str]:
        return kind, self._parent(key[:-1]), key[-1]

    def get(self, kind: str, key: Key) -> Doc | None:
        with self._lock:
            row = self._db.execute("SELECT doc FROM docs WHERE kind = ? AND parent = ? AND id = ?",
                                   self._where(kind, key)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, kind: str, key: Key, doc: Doc) -> None:
        raw = encode(doc)
        with self._lock:
            self._db.execute("INSERT INTO docs (kind, parent, id, tenant, doc) VALUES (?, ?, ?, ?, ?) "
                             "ON CONFLICT (kind, parent, id) DO UPDATE SET doc = excluded.doc",
                             (*self._where(kind, key), key[0] if len(key) > 1 else None, raw))

    def delete(self, kind: str, key: Key) -> None:
        with self._lock:
            self._db.execute("DELETE FROM docs WHERE kind = ? AND parent = ? AND id = ?", self._where(kind, key))

    def scan(self, kind: str, parent: Key) -> list[Doc]:
        with self._lock:
            rows = self._db.execute("SELECT doc FROM docs WHERE kind = ? AND parent = ? ORDER BY seq",
                                    (kind, self._parent(parent))).fetchall()
        return [json.loads(raw) for raw, in rows]

    def count(self, kind: str, parent: Key) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM docs WHERE kind = ? AND parent = ?",
                                    (kind, self._parent(parent))).fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._depth:  # nested: the outer transaction decides
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                if self._db.in_transaction:  # SQLite may have rolled back already (a full disk, say)
                    self._db.execute("ROLLBACK")
                raise
            else:
                try:
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            finally:
                self._depth = 0

    def clear(self, tenant: str | None = None) -> None:
        with self._lock:
            if tenant is None:
                self._db.execute("DELETE FROM docs")
            else:
                self._db.execute("DELETE FROM docs WHERE tenant = ?", (tenant,))

    def close(self) -> None:
        with self._lock:
            self._db.close()


BACKENDS = ("memory", "sqlite")  # every storage backend pcsim has; tests run on each


def open_store(backend: str, path: str | os.PathLike[str] | None = None) -> Store:
    """A store of `backend`; a SQLite store without a path is a private in-memory database."""
    if backend == "memory":
        if path is not None:
            raise ValueError("the memory store keeps nothing on disk; give no path")
        return MemoryStore()
    if backend == "sqlite":
        return SQLiteStore(":memory:" if path is None else path)
    raise ValueError(f"unknown store backend {backend!r}; pcsim has {', '.join(BACKENDS)}")
