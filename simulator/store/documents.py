"""A store's documents: their key and type, the contract every backend keeps (`Store`), their JSON, and
the dump every backend reads back (snapshots)."""
from __future__ import annotations

import json
from collections.abc import Iterator
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


def encode(doc: Doc) -> bytes:
    """A document's JSON, compact: orjson's (about ten times faster than the standard library's), or the
    standard library's for what orjson refuses (an integer beyond 64 bits). Keys that aren't strings take
    orjson's OPT_NON_STR_KEYS, which writes string keys alike but costs most documents (all keys strings)
    some 75 % more, so only a document that needs it is written with it."""
    try:
        return orjson.dumps(doc)
    except TypeError:  # orjson.JSONEncodeError is one: a key that isn't a string, an integer beyond 64 bits
        pass
    try:
        return orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
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


