"""State lives here and only here: a narrow document store.

Documents are JSON objects filed under a kind and a key tuple; the last part of the key is the
document's id and the parts before it are its parent (tenant, customer ...), so `scan` of a parent
costs what the parent holds, not what the store holds. Every request runs in one transaction: a
rule that raises leaves nothing behind.
"""
from __future__ import annotations

import json
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


class MemoryStore:
    """Documents kept as JSON bytes, so a reader never shares objects with the store."""

    def __init__(self) -> None:
        self._data: dict[str, dict[Key, dict[str, bytes]]] = {}
        self._undo: list[tuple[str, Key, bytes | None]] | None = None

    def get(self, kind: str, key: Key) -> Doc | None:
        raw = self._data.get(kind, {}).get(key[:-1], {}).get(key[-1])
        return None if raw is None else json.loads(raw)

    def put(self, kind: str, key: Key, doc: Doc) -> None:
        shelf = self._data.setdefault(kind, {}).setdefault(key[:-1], {})
        self._remember(kind, key, shelf.get(key[-1]))
        shelf[key[-1]] = json.dumps(doc, separators=(",", ":")).encode()

    def delete(self, kind: str, key: Key) -> None:
        shelf = self._data.get(kind, {}).get(key[:-1], {})
        if key[-1] in shelf:
            self._remember(kind, key, shelf[key[-1]])
            del shelf[key[-1]]

    def scan(self, kind: str, parent: Key) -> list[Doc]:
        return [json.loads(raw) for raw in self._data.get(kind, {}).get(parent, {}).values()]

    def count(self, kind: str, parent: Key) -> int:
        return len(self._data.get(kind, {}).get(parent, {}))

    def _remember(self, kind: str, key: Key, old: bytes | None) -> None:
        if self._undo is not None:
            self._undo.append((kind, key, old))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._undo is not None:  # nested: the outer transaction decides
            yield
            return
        self._undo = []
        try:
            yield
        except BaseException:
            for kind, key, old in reversed(self._undo):
                shelf = self._data.setdefault(kind, {}).setdefault(key[:-1], {})
                if old is None:
                    shelf.pop(key[-1], None)
                else:
                    shelf[key[-1]] = old
            raise
        finally:
            self._undo = None

    def clear(self, tenant: str | None = None) -> None:
        if tenant is None:
            self._data.clear()
            return
        for shelves in self._data.values():
            for parent in [p for p in shelves if p and p[0] == tenant]:
                del shelves[parent]
