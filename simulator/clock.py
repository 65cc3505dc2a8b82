"""The only reader of wall time.

Every business rule reads simulated time from the one `Clock` of the app (`ctx.clock.now()`); state
is derived from stored timestamps and that time when it is read, never by background tasks. The
clock has two modes:

* `running`: simulated time = the time it was last put at (its start, an advance, a restore, a
  switch of mode or speed) + the wall time elapsed since then x `speed`. `pcsim serve` runs this
  by default, so an unmodified integration sees its orders provisioned as it polls.
* `manual`: simulated time moves only when advanced (or restored). Reproducible: `create_app`, the
  pytest plugin and the in-process test helpers use it unless told otherwise.

Advancing works in both modes (a running clock runs on from the new time); pausing a running clock
keeps the time it has reached, and resuming runs on from it.

One request sees one instant: `pin()` (by the front, simulator/front.py, around every request)
reads the clock once and `now()` answers that reading until the request ends, so two rules of the
same request never disagree about the time, however fast the clock runs. Moving the clock during a
request (advance, restore, a switch of mode) moves the pinned instant with it.

`wall()` stays wall time: tokens live by it, as clients judge them by their own clock.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from datetime import UTC, datetime, timedelta

RUNNING, MANUAL = "running", "manual"
MODES = (RUNNING, MANUAL)
MAX_SPEED = 1_000_000.0  # simulated seconds per wall second: about 11.6 days a second
# The simulated clock stays within [EARLIEST, LATEST], what every rule can represent: the furthest any
# rule reaches from now is a few years ahead (a 3-year term renewed for another, its billing periods and
# invoice due dates) or behind (past billing periods, usage windows), far from the years 1 and 9999 that
# a datetime holds; LATEST is also where usage windows end (simulator/usage/rules.py). Moving or
# starting the clock beyond is refused (OutOfRange); a running clock that reaches LATEST stays there.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class OutOfRange(ValueError):
    """A time the simulated clock can't be put at (before EARLIEST or after LATEST)."""


def bounded(when: datetime) -> datetime:
    """`when` (in UTC) if the clock may be put there; raises OutOfRange saying the bounds otherwise."""
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    if not EARLIEST <= when <= LATEST:
        raise OutOfRange(f"the simulated clock stays between {EARLIEST.isoformat()} and {LATEST.isoformat()}, "
                         f"the times every rule can represent; {when.isoformat()} is outside")
    return when


def system_seconds() -> float:
    """The system's own time in seconds, for libraries that judge time by it (PyJWT's `exp` check)."""
    return time.time()


def wall_now() -> datetime:
    return datetime.now(UTC)


def check(mode: str, speed: float) -> None:
    """Raises ValueError (saying what is wrong) unless `mode` and `speed` are a clock's."""
    if mode not in MODES:
        raise ValueError(f"the clock mode is running or manual, not {mode!r}")
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not math.isfinite(speed) \
            or not 0 < speed <= MAX_SPEED:
        raise ValueError(f"the clock speed is a number above 0 and at most {MAX_SPEED:g}, not {speed!r}")


class Clock:
    """Simulated time for every business rule, plus wall time for the few things that live in the
    caller's world rather than the simulation (token lifetimes, which clients judge by wall time).

    `wall` is the wall clock (tests give a fake one); `ticks` is the monotonic counter a running
    clock measures elapsed time with (so a wall clock stepped back by NTP never moves it back)."""

    def __init__(self, start: datetime | None = None, wall: Callable[[], datetime] = wall_now, *,
                 mode: str = MANUAL, speed: float = 1.0, ticks: Callable[[], float] = time.monotonic) -> None:
        check(mode, speed)
        self._wall, self._ticks = wall, ticks
        self._mode, self._speed = mode, float(speed)
        self._base = bounded(start or wall())  # the time at `_since`
        self._since = ticks()
        self._pin: ContextVar[datetime | None] = ContextVar(f"pcsim-clock-{id(self)}", default=None)
        self.moves = 0  # how often it was advanced, set, restored or switched (a --state file files the time)
        self.on_move: Callable[[], None] | None = None  # told after every move but restore

    # --- reading ----------------------------------------------------------------------------
    def now(self) -> datetime:
        """The simulated time: the request's pinned instant inside one, else a fresh reading."""
        pinned = self._pin.get()
        return pinned if pinned is not None else self.read()

    def read(self) -> datetime:
        """A fresh reading, pinned or not."""
        if self._mode == MANUAL:
            return self._base
        elapsed = max(self._ticks() - self._since, 0.0) * self._speed
        try:
            return min(self._base + timedelta(seconds=elapsed), LATEST)
        except OverflowError:
            return LATEST

    def wall(self) -> datetime:
        return self._wall()

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def speed(self) -> float:
        return self._speed

    def pin(self) -> Token[datetime | None]:
        """`now()` is one instant from here until `unpin` (already pinned: that instant stays)."""
        return self._pin.set(self.now())

    def unpin(self, token: Token[datetime | None]) -> None:
        self._pin.reset(token)

    # --- moving -----------------------------------------------------------------------------
    def advance(self, seconds: float) -> datetime:
        """Moves the clock `seconds` on; OutOfRange past LATEST (nothing moves then)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        reached = self.read()
        try:
            target = reached + timedelta(seconds=seconds)
        except OverflowError:
            target = LATEST + timedelta(seconds=1)  # beyond any datetime: beyond LATEST as well
        return self._put(bounded(target), told=True)

    def set(self, when: datetime) -> datetime:
        when = bounded(when)
        if when < self.read():
            raise ValueError("the clock only moves forward")
        return self._put(when, told=True)

    def restore(self, when: datetime) -> None:
        """Puts the clock where a state file or a snapshot left it, earlier or later (a running clock
        runs on from there); on_move is not told. OutOfRange outside the clock's bounds."""
        self._put(bounded(when), told=False)

    def configure(self, mode: str | None = None, speed: float | None = None) -> datetime:
        """Switches mode and/or speed from the time reached now: pausing keeps it, resuming runs on
        from it, a new speed counts from here."""
        mode = self._mode if mode is None else mode
        speed = self._speed if speed is None else speed
        check(mode, speed)
        reached = self.read()
        self._mode, self._speed = mode, float(speed)
        return self._put(reached, told=True)

    def _put(self, when: datetime, told: bool) -> datetime:
        self._base, self._since = when, self._ticks()
        if self._pin.get() is not None:  # the rest of this request sees the clock where it was put
            self._pin.set(when)
        self.moves += 1
        if told and self.on_move is not None:
            self.on_move()
        return when


# The name the clock had while it could only be advanced; a Clock is manual unless told otherwise.
ManualClock = Clock
