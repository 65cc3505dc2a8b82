"""State lives here and only here: a narrow document store.

Documents are JSON objects filed under a kind and a key tuple; the last part of the key is the
document's id and the parts before it are its parent (tenant, customer ...), so `scan` of a parent
costs what the parent holds, not what the store holds. Every request runs in one transaction: a
rule that raises leaves nothing behind.

Two backends with one contract (tests/test_store.py): MemoryStore, and SQLiteStore, a file that
survives the process. `scan` answers a parent's documents in the order they were first put.
"""
from __future__ import annotations

import os

from simulator.store.documents import Doc, Key, Store, decode, dump_docs, encode, encode_text, load_docs
from simulator.store.memory import MemoryStore
from simulator.store.sqlite import (
    MIGRATIONS,
    SCHEMA,
    SCHEMA_VERSION,
    SQLiteStore,
    StoreFull,
    StoreSchemaError,
    StoreUnavailable,
    add_meta,
    full,
    no_room,
)

__all__ = ["BACKENDS", "MIGRATIONS", "SCHEMA", "SCHEMA_VERSION", "Doc", "Key", "MemoryStore", "SQLiteStore", "Store",
           "StoreFull", "StoreSchemaError", "StoreUnavailable", "add_meta", "decode", "dump_docs", "encode",
           "encode_text", "full", "load_docs", "no_room", "open_store"]

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
