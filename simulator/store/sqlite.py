"""The SQLite backend (`--state`): one table of documents, a table of named values, and the schema's
migrations."""
from __future__ import annotations

import functools
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from simulator.store.documents import Doc, Key, decode, dump_docs, encode, load_docs

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


