"""The frozen bundle every rule takes first, and the caller a request speaks for."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from simulator.catalog.data import Catalog
from simulator.clock import Clock
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

    def run(self, rule: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one rule as one transaction: everything it wrote, or nothing."""
        with self.store.transaction():
            return rule(self, *args, **kwargs)


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
