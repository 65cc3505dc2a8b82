"""`--state PATH`: the documents, the clock, the seed and the id streams in one SQLite file.

The documents are the store's (simulator/store/sqlite.py, SQLiteStore: WAL with synchronous=NORMAL). Beside
them, in the store's meta table, this module keeps what else a restart needs, written by the store's
`before_commit` hook inside each transaction, so the file never holds a document without the id state
that made it, and an answered write is never lost to a kill -9:

* `clock`: the simulated time (ISO-8601), written with every transaction that writes, whenever the
  clock is moved (advanced, restored, paused or resumed, its speed changed) and at a clean stop. A
  running clock is not written on reads: after a kill -9 it resumes from the last of those, losing
  at most the time it ran since. Only the time is kept: the mode and speed are the restart's own
  (--clock, --clock-speed; running at 1x for `pcsim serve`), and a running clock runs on from the
  time the file recorded (the time the process was down does not count);
* `seed`: the --seed the file was first served with;
* `keys.signing`: the private key that signs the simulator's tokens (PEM), made on first need and filed
  in a transaction of its own, so tokens issued before a restart still validate (simulator/keys.py);
* `ids.seed`, `ids.random`, `ids.tracing`: the id generator (Ids): the seed of its last reset and its
  two Mersenne Twister streams, packed (3.4 KB each, written only when they changed).

On open, the file's values win over --start-time and --seed. The tracing stream (the MS-RequestId of
requests that send none) also moves on reads, which write nothing: its draws are saved with the next
write or on a clean stop, so after a kill -9 only those tracing ids may come again.

The memory store keeps nothing of this and is not touched.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import random
import sqlite3
import struct
import tempfile
from collections.abc import Callable
from datetime import datetime
from typing import Any

from simulator import clock
from simulator.context import Context
from simulator.settings import Settings, replace
from simulator.store import SCHEMA_VERSION, SQLiteStore, Store, StoreSchemaError, StoreUnavailable

try:
    import fcntl
except ImportError:  # not POSIX: no lock against a second pcsim on the same file
    fcntl = None  # type: ignore[assignment]


class StateFile(SQLiteStore):
    """The SQLite store of `--state`, locked while it is open: a second pcsim on the same file is
    refused rather than interleaving its writes and ids with the first one's. The lock is an flock on
    a descriptor of its own, released by the kernel when the process dies, even by kill -9."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        path = os.fspath(path)
        self._lock_fd = -1
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # an empty file is an empty database
            self.fresh = os.fstat(fd).st_size == 0
        except OSError as error:
            raise StoreUnavailable(f"cannot open {path}: {error.strerror}") from None
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise StoreUnavailable(f"{path} is in use by another pcsim (a state file serves one pcsim "
                                           f"at a time)") from None
            try:
                super().__init__(path)
            except (sqlite3.Error, StoreSchemaError) as error:
                folder = os.path.dirname(os.path.abspath(path))
                if not writable(folder):  # SQLite can't make the -wal and -shm files it keeps beside the file
                    raise StoreUnavailable(
                        f"cannot open {path}: its folder {folder} is read-only (the file itself is writable, but "
                        f"SQLite keeps its write-ahead log {os.path.basename(path)}-wal and -shm beside it); make "
                        f"the folder writable or give a path in a writable folder") from None
                if isinstance(error, StoreSchemaError):
                    raise
                raise StoreUnavailable(f"cannot open {path}: {error}") from None
            try:
                verify(self)
            except BaseException:
                super().close()
                raise
        except BaseException:
            os.close(fd)  # SQLite has let go of the file by now: closing can't drop its locks
            raise
        self._lock_fd = fd

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._lock_fd >= 0:
                os.close(self._lock_fd)
                self._lock_fd = -1


def writable(folder: str) -> bool:
    """Whether a file can be made in `folder` (tried, not judged from its mode: root ignores the mode, not
    a read-only mount or an immutable folder)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


# What a file's meta values must be, when there (simulator/persistence.py writes them): checked at start.
def _int(raw: bytes) -> object:
    return int(raw.decode("ascii"))


def _clock(raw: bytes) -> object:
    return clock.bounded(datetime.fromisoformat(raw.decode("ascii")))


def _pem(raw: bytes) -> object:
    text = raw.decode("ascii")
    if not (text.startswith("-----BEGIN PRIVATE KEY-----") and text.rstrip().endswith("-----END PRIVATE KEY-----")):
        raise ValueError("not a PEM private key")
    return text


SIGNING_KEY = "keys.signing"   # the token signing key (simulator/keys.py)
WEBHOOK_KEY = "keys.webhooks"  # the webhook signing key (simulator/webhooks/signing.py)
META_CHECKS: dict[str, Callable[[bytes], object]] = {
    "clock": _clock, "seed": _int, "ids.seed": _int, "ids.random": lambda raw: unpack(raw),
    "ids.tracing": lambda raw: unpack(raw), SIGNING_KEY: _pem, WEBHOOK_KEY: _pem}
RESTORED = ("clock", "seed", "ids.seed", "ids.random", "ids.tracing")  # filed together, by the first commit

# The documents' rows: text keys, a JSON array of strings as the parent, a JSON object as the document.
# SQLite's JSON functions judge the JSON (fast: no document is decoded in Python at start).
BAD_DOCS = """
SELECT seq, kind, id FROM docs
WHERE typeof(kind) != 'text' OR typeof(id) != 'text' OR typeof(parent) != 'text'
   OR typeof(doc) NOT IN ('blob', 'text') OR NOT json_valid(parent) OR json_type(parent) != 'array'
   OR EXISTS (SELECT 1 FROM json_each(docs.parent) WHERE json_each.type != 'text')
   OR NOT json_valid(CAST(doc AS TEXT)) OR json_type(CAST(doc AS TEXT)) != 'object'
ORDER BY seq LIMIT 3"""


def verify(store: SQLiteStore) -> None:
    """Refuses (StoreSchemaError, saying what and where) a file whose pages, meta values or documents pcsim
    can't read, at start rather than as a 500 on every read of them later."""
    db = store.connection()
    try:
        problems = [row[0] for row in db.execute("PRAGMA quick_check(3)") if row[0] != "ok"]
        if problems:
            raise StoreSchemaError(f"{store.path} is damaged (SQLite's quick_check: {'; '.join(problems)}); restore "
                                   f"it from a copy or give another path")
        typed = db.execute("SELECT name, typeof(value), value FROM meta").fetchall()
        values = {}
        for name, kind, value in typed:
            if kind not in ("blob", "text"):
                raise StoreSchemaError(f"{store.path} has a meta value {name!r} of type {kind}; pcsim files them "
                                       f"as bytes (the file was edited by hand?)")
            values[name] = value.encode() if isinstance(value, str) else bytes(value)
        for name, check in META_CHECKS.items():
            if name in values:
                try:
                    check(values[name])
                except (ValueError, TypeError, UnicodeError, struct.error, binascii.Error) as error:
                    raise StoreSchemaError(f"{store.path} has a pcsim schema but its saved clock or ids are unreadable "
                                           f"(the meta value {name!r}: {error})") from None
        missing = [name for name in RESTORED if name not in values]
        if "clock" in values and missing:
            raise StoreSchemaError(f"{store.path} has a saved clock but no {', '.join(missing)}")
        bad = db.execute(BAD_DOCS).fetchall()
        if bad:
            listed = ", ".join(f"row {seq} ({kind!r} {doc_id!r})" for seq, kind, doc_id in bad)
            raise StoreSchemaError(f"{store.path} holds documents that are not pcsim's JSON: {listed}; restore it "
                                   f"from a copy or give another path")
    except sqlite3.DatabaseError as error:
        raise StoreSchemaError(f"{store.path} is damaged: {error}") from None


def open_state(settings: Settings, store: Store | None) -> Store | None:
    """The store to serve from: the one given, or the file that settings.state names, or None (memory)."""
    if settings.state is None:
        return store
    if store is not None:
        raise ValueError("give create_app a store or settings.state, not both")
    return StateFile(settings.state)


def seeded(settings: Settings, store: Store | None) -> Settings:
    """The settings a store serves with: a file's seed wins over --seed."""
    if isinstance(store, SQLiteStore) and (seed := store.meta().get("seed")) is not None:
        return replace(settings, seed=int(seed))
    return settings


# --- the id streams, packed -------------------------------------------------------------------------
def pack(stream: random.Random) -> bytes:
    """A Mersenne Twister state as 2.5 KB of words in base64, not the 5 KB of its tuple's text."""
    version, words, gauss = stream.getstate()
    return json.dumps([version, base64.b64encode(struct.pack(f"<{len(words)}I", *words)).decode(), gauss],
                      separators=(",", ":")).encode()


def unpack(raw: bytes) -> tuple[Any, ...]:
    version, text, gauss = json.loads(raw)
    words = base64.b64decode(text, validate=True)
    return version, struct.unpack(f"<{len(words) // 4}I", words), gauss


class Saver:
    """The store's before_commit hook: files what changed, in the transaction about to commit. The
    clock's time is filed when the transaction wrote something or the clock was moved (a running
    clock's time changes on every read, and a read must not write). An id stream is packed only
    when it moved; the tracing stream (made-up request ids, which every request draws from) is filed
    at the start and at a clean stop only: after a kill -9 such ids may repeat."""

    def __init__(self, ctx: Context, store: SQLiteStore) -> None:
        self.ctx, self.store = ctx, store
        self.filed: dict[str, object] = {}
        self.moves = -1    # the clock's move count when its time was last filed
        self.changes = -1  # the store's change count when this hook last ended

    def __call__(self, stop: bool = False) -> None:
        ctx, store = self.ctx, self.store
        if stop or ctx.clock.moves != self.moves or store.changes != self.changes:
            store.put_meta("clock", ctx.clock.now().isoformat().encode())  # the request's instant, if in one
            self.moves = ctx.clock.moves
        for name, value in (("seed", ctx.settings.seed), ("ids.seed", ctx.ids.seed)):
            if stop or self.filed.get(name) != value:
                store.put_meta(name, str(value).encode())
                self.filed[name] = value
        streams = {"ids.random": ctx.ids.random}
        if stop or "ids.tracing" not in self.filed:
            streams["ids.tracing"] = ctx.ids.tracing
        for name, stream in streams.items():
            state = stream.getstate()
            if self.filed.get(name) != state:
                store.put_meta(name, pack(stream))
                self.filed[name] = state
        self.changes = store.changes


def sync(ctx: Context) -> None:
    """One transaction of its own, for a change that no rule made (the clock moved or switched)."""
    with ctx.store.transaction():
        pass  # before_commit writes


def attach(ctx: Context) -> bool:
    """Restores the clock and the id streams from a SQLite store that has them and keeps them there
    from now on; True if it had them. A memory store is left alone."""
    store = ctx.store
    if not isinstance(store, SQLiteStore):
        return False
    try:
        meta = store.meta()
        restored = "clock" in meta
        if restored:
            ctx.clock.restore(datetime.fromisoformat(meta["clock"].decode()))
            ctx.ids.restore((int(meta["ids.seed"]), unpack(meta["ids.random"]), unpack(meta["ids.tracing"])))
        store.before_commit = Saver(ctx, store)
        ctx.clock.on_move = lambda: sync(ctx)
        sync(ctx)
    except BaseException as error:
        store.before_commit = None
        ctx.clock.on_move = None
        if isinstance(store, StateFile):  # opened for these settings: let go of it and its lock
            store.close()
        if isinstance(error, clock.OutOfRange):
            raise StoreSchemaError(f"{store.path} has its clock at a time this pcsim refuses: {error}") from None
        if isinstance(error, (KeyError, ValueError, TypeError, struct.error)):
            raise StoreSchemaError(f"{store.path} has a pcsim schema but its saved clock or ids are unreadable "
                                   f"({type(error).__name__}: {error})") from None
        raise
    return restored


# --- the token signing key (and the webhook signing key, under its own name) ---------------------------


def keeps_signing_key(store: Store) -> bool:
    """Whether `store` keeps the token signing key: a SQLite store does, the memory store does not."""
    return isinstance(store, SQLiteStore)


def signing_key(store: Store, make: Callable[[], bytes], name: str = SIGNING_KEY) -> bytes:
    """The token signing key (PEM) that a SQLite store keeps; on first need, `make` makes it and it is
    filed at once, committed before any token it signs is out. The caller (simulator/keys.py) holds a
    lock, so two threads never make two keys for one file."""
    assert isinstance(store, SQLiteStore)
    pem = store.meta().get(name)
    if pem is None:
        pem = make()
        with store.transaction():
            store.put_meta(name, pem)
    return pem


def describe(ctx: Context) -> str:
    """What `pcsim serve --state` says on start."""
    store = ctx.store
    if not isinstance(store, SQLiteStore):
        return "pcsim: state in memory only"
    said = []
    if store.migrated_from is not None:
        said.append(f"pcsim: migrated {store.path} from store schema version {store.migrated_from} to "
                    f"{SCHEMA_VERSION}")
    if getattr(store, "fresh", False):
        said.append(f"pcsim: keeping state in {store.path} (a new file)")
    else:
        said.append(f"pcsim: state restored from {store.path}: clock at {ctx.clock.now().isoformat()}, seed "
                    f"{ctx.settings.seed} (the file's clock and seed win over --start-time and --seed)")
    return "\n".join(said)


def close(ctx: Context) -> None:
    """A clean stop: the clock's time and the tracing draws since the last write are saved, then the
    file is let go. Once."""
    if isinstance(ctx.store, SQLiteStore) and isinstance(saver := ctx.store.before_commit, Saver):
        with ctx.store.transaction():
            saver(stop=True)
        ctx.store.before_commit = None
        ctx.clock.on_move = None
    ctx.store.close()
