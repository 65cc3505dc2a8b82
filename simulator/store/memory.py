"""The memory backend: documents as JSON text, the older ones deflated, and an undo log per transaction."""
from __future__ import annotations

import itertools
import zlib
from collections import OrderedDict
from typing import Any

from simulator.store.documents import Doc, Key, decode, dump_docs, encode_text, load_docs

ABSENT = object()  # in an undo log: the document was not there
# A raw deflate stream with an 8 KiB window (a preset dictionary and a document both fit: carts, the
# largest documents, are about 4 KiB) and a small hash (memory level 5): zlib's defaults allocate
# some 270 KB per stream, which costs more than deflating a document.
DEFLATE_BITS = 13


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
        parent, id_ = key[:-1], key[-1]
        value = self._data.get(kind, {}).get(parent, {}).get(id_)
        if value is None:
            return None
        return decode(value if type(value) is str else self._text(kind, parent, id_, value))

    def put(self, kind: str, key: Key, doc: Doc) -> None:
        text = encode_text(doc)
        parent, id_ = key[:-1], key[-1]
        self._log(kind, parent, id_)
        self._data.setdefault(kind, {}).setdefault(parent, {})[id_] = text
        self._rejuvenate(kind, parent, id_, text)

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
        young, key, size = self._young, (kind, parent, id_), len(text)
        self._young_room += young.pop(key, 0) - size
        young[key] = size
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
        entry = self._undo.get((kind, parent))
        if entry is None:
            entry = self._undo[kind, parent] = [{}, False]
        elif entry[1]:
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

    def transaction(self) -> Transaction:
        """A context: what is written inside it is kept, or undone if it raises; nested in an open one,
        the outer one decides."""
        return Transaction(self)

    def _roll_back(self) -> None:
        """Puts back what the open transaction's log says each changed shelf held."""
        assert self._undo is not None
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




class Transaction:
    """`MemoryStore.transaction()`: a class rather than a generator, since every request opens two
    (its own and its rule's, nested) and a generator's context costs several times this one."""

    __slots__ = ("_store", "_outer")

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._outer = False

    def __enter__(self) -> None:
        if self._store._undo is None:  # else nested: the outer transaction decides
            self._store._undo = {}
            self._outer = True

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> None:
        if self._outer:
            try:
                if kind is not None:
                    self._store._roll_back()
            finally:
                self._store._undo = None
        # returns None: an error raised inside goes on
