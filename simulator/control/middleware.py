"""The control API's side of every request, which the front (simulator/front.py) applies: who may use
/_simulator (--control-token), the console's redirect, and the state behind the fault rules, the
snapshots and the request journal (`State`); the request's body read once, and given again to the route.
"""
from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope, Send

from simulator.control import journal
from simulator.settings import Settings

if TYPE_CHECKING:
    from simulator.control.faults import Rules
    from simulator.control.snapshots import Shelf


class State:
    """What the control API keeps on the app (`app.state.control`); none of it is in the store. The
    fault rules and the snapshot shelf (and the modules with their request models) come on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.journal = journal.Journal(settings.journal_size, settings.journal_body_limit)
        self._faults: Rules | None = None
        self._snapshots: Shelf | None = None

    @property
    def faults(self) -> Rules:
        if self._faults is None:
            from simulator.control import faults

            self._faults = faults.Rules(self.settings.seed)
        return self._faults

    @property
    def snapshots(self) -> Shelf:
        if self._snapshots is None:
            from simulator.control import snapshots

            self._snapshots = snapshots.Shelf(self.settings.max_snapshots, self.settings.max_snapshot_bytes)
        return self._snapshots

    def armed(self) -> Rules | None:
        """The fault rules, when there are any."""
        return self._faults if self._faults is not None and self._faults.items else None


def is_control(path: str) -> bool:
    return path == "/_simulator" or path.startswith("/_simulator/")


CONSOLE = "/_simulator/console"


def is_console(path: str) -> bool:
    """The console's pages check their visitor themselves (a login form and a cookie: a browser sends
    no bearer token), so --control-token does not guard them here (simulator/console/access.py)."""
    return path == CONSOLE or path.startswith(CONSOLE + "/")


def wants_console(scope: Scope) -> bool:
    """A browser opening `/`: a GET that accepts HTML. API clients keep the 404 they had."""
    return scope["path"] == "/" and scope["method"] in ("GET", "HEAD") and \
        "text/html" in Headers(scope=scope).get("accept", "")


async def to_console(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", CONSOLE.encode()), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


def token_allowed(settings: Settings, scope: Scope) -> bool:
    """Whether a /_simulator request may pass: always, unless --control-token asks for that token."""
    if not settings.control_token:
        return True
    scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.control_token.encode())


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body already read, then whatever the server has next (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}
    return replay


class Seen:
    """The status and the first bytes of an answer, as it goes out."""

    def __init__(self, limit: int) -> None:
        self.status: int | None = None
        self.room = limit * 4  # a character is at most 4 bytes of UTF-8
        self.chunks: list[bytes] = []

    def see(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body" and self.room > 0:
            chunk = message.get("body", b"")[:self.room]
            self.chunks.append(chunk)
            self.room -= len(chunk)
