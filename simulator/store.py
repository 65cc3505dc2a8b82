"""State lives here and only here: a narrow document store.

Documents are JSON objects filed under a kind and a key tuple; the last part of the key is the
document's id and the parts before it are its parent (tenant, customer ...), so `scan` of a parent
costs what the parent holds, not what the store holds. Every request runs in one transaction: a
rule that raises leaves nothing behind.

Two backends with one contract (tests/test_store.py): MemoryStore, and SQLiteStore, a file that
survives the process. `scan` answers a parent's documents in the order they were first put.
"""
from __future__ import annotations

import functools
import itertools
import json
import os
import sqlite3
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import orjson

Key = tuple[str, ...]
Doc = dict[str, Any]


class Store(Protocol):
    def get(self, kind: str, key: Key) -> Doc | None: ...
    def put(self, kind: str, key: Key, doc: Doc) -> None: ...
    def delete(self, kind: str, key: Key) -> None: ...
    def scan(self, kind: str, parent: Key, offset: int = 0, limit: int | None = None) -> list[Doc]: ...
    def count(self, kind: str, parent: Key) -> int: ...
    def transaction(self) -> Any: ...
    def clear(self, tenant: str | None = None) -> None: ...
    def close(self) -> None: ...
    def dump(self) -> bytes: ...
    def load(self, data: bytes) -> None: ...


ABSENT = object()  # in an undo log: the document was not there
# A raw deflate stream with an 8 KiB window (a preset dictionary and a document both fit: carts, the
# largest documents, are about 4 KiB) and a small hash (memory level 5): zlib's defaults allocate
# some 270 KB per stream, which costs more than deflating a document.
DEFLATE_BITS = 13


def encode(doc: Doc) -> bytes:
    """A document's JSON, compact: orjson's (about ten times faster than the standard library's), or the
    standard library's for what orjson refuses (an integer beyond 64 bits)."""
    try:
        return orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(doc, separators=(",", ":")).encode()


def encode_text(doc: Doc) -> str:
    return encode(doc).decode()


def decode(raw: str | bytes) -> Any:
    """A document from its JSON (what `encode` wrote, or an older pcsim's standard-library JSON)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


# dump() of every backend: {"pcsimStore": 1, "docs": [[kind, parent parts, id, document JSON], ...]} in
# first-put order, so that any backend load()s any backend's dump (the control API's snapshots).
def dump_docs(rows: Iterator[tuple[str, Key, str, str | bytes]]) -> bytes:  # JSON as text or bytes
    docs = [[kind, list(parent), id_, raw if isinstance(raw, str) else raw.decode()] for kind, parent, id_, raw in rows]
    return json.dumps({"pcsimStore": 1, "docs": docs}).encode()


def load_docs(data: bytes) -> list[tuple[str, Key, str, bytes]]:
    return [(kind, tuple(parent), id_, raw.encode()) for kind, parent, id_, raw in json.loads(data)["docs"]]


class MemoryStore:
    """Documents kept as JSON, so a reader never shares objects with the store.

    The documents written last, up to `young_bytes` of JSON, are kept as text; older ones are
    deflated against a preset dictionary, the first document of their kind. Documents of a kind
    repeat their keys and most of their values, so they shrink to about a fifth (10,000 customers
    with 100,000 subscriptions: some 65 MB instead of 325 MB), for about 15 µs once per document
    and 3 µs per read; a store smaller than `young_bytes` never deflates anything. The old documents
    read last, up to `read_bytes` of JSON, are also kept inflated, so that a page read again and
    again (the first customers) is not inflated each time.

    A transaction keeps, per shelf (one parent's documents of one kind), the first old value of each
    document it changes, and puts them back if it fails, so a rollback restores the scan order too.
    """

    def __init__(self, young_bytes: int = 32 << 20, read_bytes: int = 8 << 20) -> None:
        # kind -> parent -> id -> the document: JSON text (young) or deflated JSON bytes (old)
        self._data: dict[str, dict[Key, dict[str, str | bytes]]] = {}
        # Per shelf changed in the open transaction: [the first old value of each document changed
        # (ABSENT: it was not there), False], or [the whole shelf as it was (None: none), True] once a
        # delete or clear touched it. A write logs one document, not a copy of its shelf.
        self._undo: dict[tuple[str, Key], list[Any]] | None = None
        self._young: OrderedDict[tuple[str, Key, str], int] = OrderedDict()  # oldest first: its length
        self._young_room = young_bytes  # less what the young documents take; below 0, the oldest are deflated
        self._zdicts: dict[str, bytes] = {}  # per kind, for good: what its old documents are deflated against
        # Old documents read lately, oldest first: (the deflated bytes read, their JSON). Valid while the
        # store holds that very bytes object for the document, so no write needs to tell it anything.
        self._read: OrderedDict[tuple[str, Key, str], tuple[bytes, str]] = OrderedDict()
        self._read_room = read_bytes

    def get(self, kind: str, key: Key) -> Doc | None:
        value = self._data.get(kind, {}).get(key[:-1], {}).get(key[-1])
        return None if value is None else decode(self._text(kind, key[:-1], key[-1], value))

    def put(self, kind: str, key: Key, doc: Doc) -> None:
        text = encode_text(doc)
        self._log(kind, key[:-1], key[-1])
        self._data.setdefault(kind, {}).setdefault(key[:-1], {})[key[-1]] = text
        self._rejuvenate(kind, key[:-1], key[-1], text)

    def delete(self, kind: str, key: Key) -> None:
        shelf = self._data.get(kind, {}).get(key[:-1], {})
        if key[-1] in shelf:
            self._log(kind, key[:-1], None)
            del shelf[key[-1]]

    def scan(self, kind: str, parent: Key, offset: int = 0, limit: int | None = None) -> list[Doc]:
        """In the order first put; `offset`/`limit` page without decoding what they skip."""
        shelf = self._data.get(kind, {}).get(parent, {}).items()
        stop = None if limit is None else offset + limit
        return [decode(self._text(kind, parent, id_, value))
                for id_, value in itertools.islice(shelf, offset, stop)]

    def count(self, kind: str, parent: Key) -> int:
        return len(self._data.get(kind, {}).get(parent, {}))

    # --- young and old documents --------------------------------------------------------------------
    def _text(self, kind: str, parent: Key, id_: str, value: str | bytes) -> str:
        """A document's JSON: a young one's text, an old one inflated (or as it was inflated lately)."""
        if isinstance(value, str):
            return value
        key, read = (kind, parent, id_), self._read
        seen = read.get(key)
        if seen is not None:
            read.move_to_end(key)
            if seen[0] is value:  # the very bytes inflated then
                return seen[1]
            self._read_room += len(seen[1])
        text = self._inflate(kind, value)
        read[key] = (value, text)
        self._read_room -= len(text)
        while self._read_room < 0:
            self._read_room += len(read.popitem(last=False)[1][1])
        return text

    def _inflate(self, kind: str, value: str | bytes) -> str:
        if isinstance(value, str):
            return value
        return zlib.decompressobj(-DEFLATE_BITS, self._zdicts[kind]).decompress(value).decode()

    def _rejuvenate(self, kind: str, parent: Key, id_: str, text: str) -> None:
        """Files a document just written (or put back) as the youngest, and deflates the oldest ones
        while the young take more than their room: one or two per write, once the room is full."""
        if kind not in self._zdicts:
            self._zdicts[kind] = text.encode()
        young = self._young
        self._young_room += young.pop((kind, parent, id_), 0) - len(text)
        young[kind, parent, id_] = len(text)
        while self._young_room < 0:
            (old_kind, old_parent, old_id), size = young.popitem(last=False)
            self._young_room += size
            shelf = self._data.get(old_kind, {}).get(old_parent, {})
            value = shelf.get(old_id)
            if isinstance(value, str):  # not deleted nor deflated since (a rollback may put text back)
                deflate = zlib.compressobj(1, zlib.DEFLATED, -DEFLATE_BITS, 5, zdict=self._zdicts[old_kind])
                shelf[old_id] = deflate.compress(value.encode()) + deflate.flush()

    def _log(self, kind: str, parent: Key, id_: str | None, detach: bool = False) -> None:
        """Remembers, in an open transaction, what a change is about to overwrite: one document (`id_`),
        or the whole shelf (`None`: a delete, which moves the order, or a clear; `detach`: the shelf
        object itself is about to leave the store, so it needs no copy)."""
        if self._undo is None:
            return
        entry = self._undo.setdefault((kind, parent), [{}, False])
        if entry[1]:
            return
        shelf = self._data.get(kind, {}).get(parent)
        olds: dict[str, Any] = entry[0]
        if id_ is not None:
            if id_ not in olds:
                olds[id_] = shelf[id_] if shelf is not None and id_ in shelf else ABSENT
            return
        if shelf is None:
            entry[:] = [None, True]
        elif detach and not olds:
            entry[:] = [shelf, True]
        else:  # the shelf before this transaction: its documents' first old values, in its order
            entry[:] = [{k: olds.get(k, v) for k, v in shelf.items() if olds.get(k, v) is not ABSENT}, True]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._undo is not None:  # nested: the outer transaction decides
            yield
            return
        self._undo = {}
        try:
            yield
        except BaseException:
            for (kind, parent), (old, whole) in self._undo.items():
                shelves = self._data.setdefault(kind, {})
                if whole:
                    if old is None:
                        shelves.pop(parent, None)
                    else:
                        shelves[parent] = old
                    self._restored(kind, parent, old or {})
                    continue
                shelf = shelves.get(parent, {})
                for id_, value in old.items():  # a replaced document keeps its place in the order
                    if value is ABSENT:
                        shelf.pop(id_, None)
                    else:
                        shelf[id_] = value
                if not shelf:
                    shelves.pop(parent, None)
                self._restored(kind, parent, {k: v for k, v in old.items() if v is not ABSENT})
            raise
        finally:
            self._undo = None

    def _restored(self, kind: str, parent: Key, docs: dict[str, Any]) -> None:
        """Text put back by a rollback is young again, so that it is deflated in its turn."""
        for id_, value in docs.items():
            if isinstance(value, str):
                self._rejuvenate(kind, parent, id_, value)

    def clear(self, tenant: str | None = None) -> None:
        """Everything, or what is filed under the tenant; undone like any write if the transaction fails."""
        for kind, shelves in self._data.items():
            for parent in [p for p in shelves if tenant is None or p and p[0] == tenant]:
                self._log(kind, parent, None, detach=True)
                del shelves[parent]

    def dump(self) -> bytes:
        """Every document, as bytes that load() (of any backend) puts back."""
        return dump_docs((kind, parent, id_, self._inflate(kind, value)) for kind, shelves in self._data.items()
                         for parent, shelf in shelves.items() for id_, value in shelf.items())

    def load(self, data: bytes) -> None:
        """Everything becomes what dump() gave; undone like any write if the transaction fails."""
        rows = load_docs(data)
        self.clear()
        for kind, parent, id_, raw in rows:
            self._log(kind, parent, id_)
            text = raw.decode()
            self._data.setdefault(kind, {}).setdefault(parent, {})[id_] = text
            self._rejuvenate(kind, parent, id_, text)

    def close(self) -> None:
        """Nothing to let go of; here so that every backend can be closed alike."""


# The version 1 schema; a new file gets it and then every migration (so new and migrated files are alike)
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


def add_meta(db: sqlite3.Connection) -> None:
    """1 → 2: named values beside the documents (the clock, seed and id streams of `--state`)."""
    db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL)")


# MIGRATIONS[n - 1] takes a version n file to version n + 1; they run in the transaction that opens it,
# so a file is migrated all the way or not at all. Append only: a released step never changes.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (add_meta,)
SCHEMA_VERSION = 1 + len(MIGRATIONS)  # PRAGMA user_version of a SQLite store; a newer file is refused


class StoreSchemaError(RuntimeError):
    """A SQLite file this pcsim can't use: not a database, not a pcsim store, or another schema version."""


class StoreUnavailable(StoreSchemaError):
    """A store file that can't be opened now: a missing folder, no permission, another pcsim serving it."""


class StoreFull(RuntimeError):
    """A write the disk had no room for (SQLITE_FULL: the disk, or the database's max_page_count). The
    transaction is rolled back; reads go on, and a write may succeed once there is room again."""


SQLITE_FULL = 13


def full(error: sqlite3.Error) -> bool:
    """Whether SQLite failed for want of room (its primary result code is SQLITE_FULL)."""
    return (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF == SQLITE_FULL or "disk is full" in str(error)


def no_room(path: str, error: sqlite3.Error) -> StoreFull:
    return StoreFull(f"{path}: {error}")


@functools.lru_cache(maxsize=8192)
def parent_text(parent: Key) -> str:
    """A parent key as the SQLite store files it (the standard library's JSON of its parts, as files
    have always had it); remembered, since a request asks for the same few parents again and again."""
    return json.dumps(list(parent))


class SQLiteStore:
    """Documents in one SQLite table: WAL with synchronous=NORMAL, so a committed write survives kill -9
    and any crash of pcsim (it is in the WAL file, handed to the system, before the answer goes out); a
    power cut or a crash of the machine itself may lose the last commits (not yet synced to the disk),
    never the file's consistency.

    One connection, shared by the event loop thread and any test thread under a lock; a transaction
    holds the lock from BEGIN to COMMIT, so threads take turns. `":memory:"` gives a private database.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        self._depth = 0  # transactions open on the lock holder's thread; only the outermost commits
        self._meta: dict[str, bytes] | None = None  # the meta table as this connection last wrote or read it
        # Called inside every outermost transaction just before COMMIT, so what it writes (the clock and
        # id streams, see simulator/persistence.py) commits with the documents or not at all.
        self.before_commit: Callable[[], None] | None = None
        self.migrated_from: int | None = None  # the version this open migrated the file from, if it did
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
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self.transaction():
            version = self._check()
            if version == 0:
                for statement in SCHEMA:  # not executescript: it would commit the transaction
                    self._db.execute(statement)
            for migrate in MIGRATIONS[max(version, 1) - 1:]:
                migrate(self._db)
            if version != SCHEMA_VERSION:
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                self.migrated_from = version or None

    def _check(self) -> int:
        """The file's schema version: 0 for a new, empty database, 1 to ours for a pcsim store (older ones
        are migrated); a newer version or a database that is not a pcsim store is refused."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        tables = {name for name, in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version == 0 and not tables:
            return 0
        if version <= 0 or "docs" not in tables:
            raise StoreSchemaError(f"{self.path} is a SQLite database but not a pcsim store (it has tables and "
                                   f"no pcsim schema version)")
        if version > SCHEMA_VERSION:
            raise StoreSchemaError(f"{self.path} has pcsim store schema version {version}; this pcsim reads version "
                                   f"{SCHEMA_VERSION} only (and migrates older files to it): the file was written by "
                                   f"a newer pcsim; serve it with that one, or give another path")
        return version

    @staticmethod
    def _parent(parent: Key) -> str:
        return parent_text(parent)

    def _where(self, kind: str, key: Key) -> tuple[str, str, str]:
        return kind, self._parent(key[:-1]), key[-1]

    def get(self, kind: str, key: Key) -> Doc | None:
        with self._lock:
            row = self._db.execute("SELECT doc FROM docs WHERE kind = ? AND parent = ? AND id = ?",
                                   self._where(kind, key)).fetchone()
        return None if row is None else decode(row[0])

    def put(self, kind: str, key: Key, doc: Doc) -> None:
        raw = encode(doc)
        with self._lock:
            try:
                self._db.execute("INSERT INTO docs (kind, parent, id, tenant, doc) VALUES (?, ?, ?, ?, ?) "
                                 "ON CONFLICT (kind, parent, id) DO UPDATE SET doc = excluded.doc",
                                 (*self._where(kind, key), key[0] if len(key) > 1 else None, raw))
            except sqlite3.OperationalError as error:
                if full(error):
                    raise no_room(self.path, error) from None
                raise

    def delete(self, kind: str, key: Key) -> None:
        with self._lock:
            try:
                self._db.execute("DELETE FROM docs WHERE kind = ? AND parent = ? AND id = ?", self._where(kind, key))
            except sqlite3.OperationalError as error:
                if full(error):
                    raise no_room(self.path, error) from None
                raise

    def scan(self, kind: str, parent: Key, offset: int = 0, limit: int | None = None) -> list[Doc]:
        with self._lock:
            rows = self._db.execute("SELECT doc FROM docs WHERE kind = ? AND parent = ? ORDER BY seq LIMIT ? OFFSET ?",
                                    (kind, self._parent(parent), -1 if limit is None else limit, offset)).fetchall()
        return [decode(raw) for raw, in rows]

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
                if self.before_commit is not None:
                    self.before_commit()
            except BaseException as error:
                self._meta = None  # it may hold what is being rolled back
                if self._db.in_transaction:  # SQLite may have rolled back already (a full disk, say)
                    self._db.execute("ROLLBACK")
                if isinstance(error, sqlite3.OperationalError) and full(error):  # clear() or load() had no room
                    raise no_room(self.path, error) from None
                raise
            else:
                try:
                    self._db.execute("COMMIT")
                except BaseException as error:
                    self._meta = None
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    if isinstance(error, sqlite3.OperationalError) and full(error):
                        raise no_room(self.path, error) from None
                    raise
            finally:
                self._depth = 0

    def clear(self, tenant: str | None = None) -> None:
        with self._lock:
            if tenant is None:
                self._db.execute("DELETE FROM docs")
            else:
                self._db.execute("DELETE FROM docs WHERE tenant = ?", (tenant,))

    def dump(self) -> bytes:
        """Every document (not the meta values), as bytes that load() (of any backend) puts back."""
        with self._lock:
            rows = self._db.execute("SELECT kind, parent, id, doc FROM docs ORDER BY seq").fetchall()
        return dump_docs((kind, tuple(json.loads(parent)), id_, bytes(raw)) for kind, parent, id_, raw in rows)

    def load(self, data: bytes) -> None:
        """Every document becomes what dump() gave, in one transaction."""
        rows = load_docs(data)
        with self.transaction():
            self._db.execute("DELETE FROM docs")
            self._db.executemany("INSERT INTO docs (kind, parent, id, tenant, doc) VALUES (?, ?, ?, ?, ?)",
                                 [(kind, self._parent(parent), id_, parent[0] if parent else None, raw)
                                  for kind, parent, id_, raw in rows])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def connection(self) -> sqlite3.Connection:
        """The connection itself, for checks of a whole file (simulator/persistence.py, at start)."""
        return self._db

    @property
    def changes(self) -> int:
        """Rows this connection has written since it opened (SQLite's total_changes)."""
        return self._db.total_changes

    # --- meta: a few named values beside the documents (schema version 2) --------------------------
    def meta(self) -> dict[str, bytes]:
        """Every named value; clear() leaves them."""
        with self._lock:
            return dict(self._read_meta())

    def _read_meta(self) -> dict[str, bytes]:
        """The meta table, read once per connection state (the caller holds the lock)."""
        if self._meta is None:
            self._meta = {name: value.encode() if isinstance(value, str) else bytes(value)
                          for name, value in self._db.execute("SELECT name, value FROM meta")}
        return self._meta

    def put_meta(self, name: str, value: bytes) -> None:
        """Files a named value, writing only when it differs from what the file holds."""
        with self._lock:
            meta = self._read_meta()
            if meta.get(name) == value:
                return
            try:
                self._db.execute("INSERT INTO meta (name, value) VALUES (?, ?) "
                                 "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, value))
            except sqlite3.OperationalError as error:
                if full(error):
                    raise no_room(self.path, error) from None
                raise
            meta[name] = value


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
