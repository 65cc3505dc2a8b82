"""Extra panels: where areas that the console does not know by name plug in.

HOOK for the agreements, users and licenses, and webhooks areas (being built at the same time as the
console): each adds one `Panel` to CUSTOMER_PANELS (shown on a customer's page) or CONTROL_PANELS
(shown on the journal page) here, with a `read` function over its own rules. A panel is a title and
a table (columns, rows of plain values), so adding one needs no template. Until an area is there, its
panel says so ("not in this build") instead of guessing at its data.

A panel's `read` gets the context, the partner id and (for a customer panel) the customer id, and
returns the rows; it may raise a PartnerCenterError (shown as the panel's message). `module` names
the module the panel needs: while it can't be imported the panel shows as not available.
"""
from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator import errors
from simulator.context import Context

Reader = Callable[..., list[list[Any]]]


@dataclass(frozen=True)
class Panel:
    key: str                 # the panel's id in the page (an HTML id)
    title: str
    module: str              # the area module it reads through
    columns: tuple[str, ...]
    read: Reader | None      # None: the area exists in no build yet (a placeholder)


@dataclass
class Shown:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[list[Any]]
    message: str | None      # instead of rows: not available, or the area's refusal


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


# HOOK: replace a placeholder's `read=None` with a function over the area's rules once it is merged.
CUSTOMER_PANELS: list[Panel] = [
    Panel("agreements", "Agreements", "simulator.agreements", ("Type", "Signed by", "Date"), None),
    Panel("users", "Users and licenses", "simulator.users", ("User", "Licenses"), None),
]
CONTROL_PANELS: list[Panel] = [
    Panel("webhooks", "Webhook deliveries", "simulator.webhooks", ("When", "Event", "URL", "Status"), None),
]


def show(panels: list[Panel], ctx: Context, *args: Any) -> list[Shown]:
    out = []
    for panel in panels:
        if panel.read is None or not available(panel.module):
            out.append(Shown(panel.key, panel.title, panel.columns, [], "Not in this build of pcsim."))
            continue
        try:
            out.append(Shown(panel.key, panel.title, panel.columns, panel.read(ctx, *args), None))
        except errors.PartnerCenterError as exc:
            out.append(Shown(panel.key, panel.title, panel.columns, [], str(exc)))
    return out
