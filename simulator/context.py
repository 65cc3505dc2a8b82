"""The frozen bundle every rule takes first, and the caller a request speaks for."""
from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from simulator.catalog.data import Catalog
from simulator.clock import Clock
from simulator.gate import Gate
from simulator.ids import Ids, name_guid
from simulator.settings import Settings
from simulator.store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    store: Store
    clock: Clock
    ids: Ids
    catalog: Catalog
    settings: Settings
    gate: Gate = field(default_factory=Gate, compare=False)  # simulator/gate.py

    def run(self, rule: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one rule as one transaction: everything it wrote, or nothing. Inside a request (see
        `Writes`), the request's transaction: kept only if the whole request succeeds."""
        writes = WRITES.get()
        if writes is not None:
            writes.join(self.store)
        try:
            with self.store.transaction():  # nested in the request's, if joined: that one decides
                return rule(self, *args, **kwargs)
        except BaseException:
            if writes is not None:
                writes.failed = True  # what the rule wrote before it failed is never kept
            raise


class Writes:
    """What one request writes, as one transaction: opened by its first rule (`Context.run`) and closed
    when its answer starts (simulator/front.py, `Front.transaction`), kept if that answer is a success and
    undone if it is an error or the request fails before answering. So a request that fails leaves no trace, even
    when its rule succeeded and what came after it (rendering the answer) did not.

    Between its first rule and its answer an endpoint awaits nothing (it reads its body before), so no
    other request of the event loop runs inside the transaction; one that did would be refused by `join`
    (a RuntimeError: a bug to fix, never two requests' writes mixed in one transaction)."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.open: AbstractContextManager[Any] | None = None
        self.store: Store | None = None
        self.failed = False  # a rule of the request raised: nothing it wrote may be kept

    def join(self, store: Store) -> None:
        """Opens the request's transaction on `store` (once; a rule run on another thread, or on
        another store, keeps a transaction of its own)."""
        global _holder
        if self.open is None and threading.get_ident() == self.thread:
            if _holder is not None and _holder.thread == self.thread and _holder is not self:
                raise RuntimeError("a request ran a rule while another request's transaction was open on its "
                                   "thread (an endpoint awaited between its first rule and its answer)")
            opened = store.transaction()
            opened.__enter__()
            self.open, self.store = opened, store
            _holder = self

    def end(self, keep: bool) -> None:
        """Commits (`keep`) or rolls back what the request wrote; a failed commit raises (StoreFull ...)."""
        global _holder
        opened, self.open, self.store = self.open, None, None
        if opened is None:
            return
        if _holder is self:
            _holder = None
        if keep and not self.failed:
            opened.__exit__(None, None, None)
            return
        with suppress(Undone):
            opened.__exit__(Undone, Undone(), None)


class Undone(Exception):
    """Thrown into a request's transaction to roll it back."""


# The request being answered on this task, if any (set by simulator/front.py around each request).
WRITES: ContextVar[Writes | None] = ContextVar("pcsim-request-writes", default=None)
_holder: Writes | None = None  # the request whose transaction is open (on its thread), if any


@dataclass(frozen=True)
class Caller:
    tenant: str
    app_id: str
    user: str | None  # object id of the signed-in user; None for App-only tokens
    object_id: str | None = None  # the token's `oid`: the signed-in user's, or the app's service principal's

    @property
    def app_only(self) -> bool:
        return self.user is None

    @property
    def principal(self) -> str:
        """The directory object id Partner Center records as the one who made a change (a cart's
        `lastModifiedUser`): the user's with App+User, the app's service principal's with App-only;
        never the client (application) id."""
        return self.object_id or name_guid(f"{self.tenant}:app:{self.app_id}")
