"""pcsim's own control API under /_simulator; not part of the Partner Center API.

- basics: health, the simulated clock, reset;
- snapshots: the whole state kept under a name and restored;
- faults: rules that throttle, fail, slow down, drop or accept matching requests;
- journal: the last requests answered;
- middleware: applies the fault rules, keeps the journal and guards /_simulator (--control-token,
  --no-control).

These are what make pcsim better to test with than the real sandbox.
"""
from __future__ import annotations

from starlette.routing import BaseRoute

from simulator.control import basics, faults, journal, snapshots
from simulator.control.basics import AdvanceIn, ResetIn, advance_clock, clock_body, move_clock, reset
from simulator.control.middleware import ControlMiddleware, State, is_control

__all__ = ["AdvanceIn", "ControlMiddleware", "ResetIn", "State", "advance_clock", "clock_body", "move_clock",
           "reset", "routes", "without_control"]

routes = [*basics.routes, *snapshots.routes, *faults.routes, *journal.routes]


def without_control(served: list[BaseRoute]) -> list[BaseRoute]:
    """The routes but /_simulator's (health stays), for --no-control: those paths are then unknown."""
    return [route for route in served if not is_control(getattr(route, "path", "")) or
            getattr(route, "path", "") == basics.HEALTH]
