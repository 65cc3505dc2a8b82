"""The frozen bundle every rule takes first, and the caller a request speaks for."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from simulator.catalog.data import Catalog
from simulator.clock import Clock
from simulator.ids import Ids
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

    def run(self, rule: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one rule as one transaction: everything it wrote, or nothing."""
        with self.store.transaction():
            return rule(self, *args, **kwargs)


@dataclass(frozen=True)
class Caller:
    tenant: str
    app_id: str
    user: str | None  # object id of the signed-in user; None for App-only tokens

    @property
    def app_only(self) -> bool:
        return self.user is None
