"""pcsim's own control API under /_simulator; not part of the Partner Center API.

- health: the health check;
- basics: the simulated clock, reset;
- snapshots: the whole state kept under a name and restored;
- faults: rules that throttle, fail, slow down, drop or accept matching requests;
- journal: the last requests answered;
- azure: Azure subscriptions created under an Azure plan, as the Azure side would;
- middleware: what the front (simulator/front.py) needs of the control API for every request: the
  guard of /_simulator (--control-token, --no-control), the fault rules, the journal.

These are what make pcsim better to test with than the real sandbox. Importing the package loads only
what every request needs (the control side, the journal, the health check); the rest, with its request
models, comes with the first request that routes to it.
"""
from __future__ import annotations

from typing import Any

from simulator.control.health import HEALTH
from simulator.control.middleware import State, is_control

__all__ = ["HEALTH", "State", "is_control", "routes", "serves"]


def serves(path: str, no_control: bool) -> bool:
    """Whether a route of this path is there: with --no-control, /_simulator's are not (health stays)."""
    return not (no_control and is_control(path) and path != HEALTH)


def __getattr__(name: str) -> Any:
    if name == "routes":  # for simulator/routes.py, which composes the route table
        from simulator.control import azure, basics, faults, health, journal, snapshots

        return [*health.routes, *basics.routes, *snapshots.routes, *faults.routes, *journal.routes, *azure.routes]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
