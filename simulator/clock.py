"""The only reader of wall time.

The simulated clock starts at wall time (or a given start) and moves only when advanced,
so every time-driven rule is reproducible: state is derived from stored timestamps and
`now()` when it is read.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable


def wall_now() -> datetime:
    return datetime.now(timezone.utc)


class ManualClock:
    """Simulated time for every business rule, plus wall time for the few things that live in the
    caller's world rather than the simulation (token lifetimes, which clients judge by wall time)."""

    def __init__(self, start: datetime | None = None, wall: Callable[[], datetime] = wall_now) -> None:
        self._wall = wall
        self._now = (start or wall()).astimezone(timezone.utc)
        self.on_move: Callable[[], None] | None = None  # told after every move (a --state file keeps the time)

    def now(self) -> datetime:
        return self._now

    def wall(self) -> datetime:
        return self._wall()

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._now += timedelta(seconds=seconds)
        self._moved()
        return self._now

    def set(self, when: datetime) -> datetime:
        when = when.astimezone(timezone.utc)
        if when < self._now:
            raise ValueError("the clock only moves forward")
        self._now = when
        self._moved()
        return self._now

    def restore(self, when: datetime) -> None:
        """Puts the clock where a state file left it, earlier or later; no one is told."""
        self._now = when.astimezone(timezone.utc)

    def _moved(self) -> None:
        if self.on_move is not None:
            self.on_move()
