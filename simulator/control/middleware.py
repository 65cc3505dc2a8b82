"""The control layer around the app: who may use /_simulator, fault rules and the request journal;
and the one instant of the simulated clock that every rule of a request sees (Clock.pinned).

It sits inside WireMiddleware (simulator/app.py), so it sees the path as the router will (literal
words in lower case, no trailing slash) and its own answers get MS-RequestId and MS-CorrelationId
like any other.
"""
from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulator import errors
from simulator.context import Context
from simulator.control import journal
from simulator.control.health import HEALTH
from simulator.settings import Settings
from simulator.webhooks import records as webhook_records

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


class ControlMiddleware:
    def __init__(self, app: ASGIApp, ctx: Context, control: State) -> None:
        self.app, self.ctx, self.control = app, ctx, control
        self.state = getattr(app, "state", None)
        self.looked = False  # whether the first request looked for webhook deliveries left by a --state file

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self.ctx.clock.pinned():  # every rule of one request sees one instant (simulator/clock.py)
            await self.route(scope, receive, send)
        if scope["path"] == HEALTH:  # touches no store: answered even while a long request works on it
            return
        if not self.looked:  # a restart on a --state file with registrations: the worker goes on
            self.looked = True
            if webhook_records.registered_tenants(self.ctx):
                webhook_records.WANTED.add(self.ctx.store)
        if self.ctx.store in webhook_records.WANTED:  # a webhook delivery queued: its worker (webhooks/delivery.py)
            from simulator.webhooks import delivery

            delivery.runtime_of(self.state).kick()

    async def route(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings = self.ctx.settings
        if settings.no_control:
            await self.app(scope, receive, send)  # no control API: its routes are not even there
        elif wants_console(scope):
            await to_console(scope, receive, send)
        elif not is_control(scope["path"]):
            await self.answer(scope, receive, send)
        elif scope["path"] == HEALTH or is_console(scope["path"]) or token_allowed(settings, scope):
            await self.app(scope, receive, send)
        else:
            await errors.render(errors.ControlTokenRequired())(scope, receive, send)

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A Partner Center (or Entra ID) request: faulted if a rule fires, journaled either way."""
        ctx, control = self.ctx, self.control
        at, started = ctx.clock.now(), ctx.clock.wall()
        body = await read_body(receive)
        replay = replaying(body, receive)
        rules, rule = control.armed(), None
        if rules is not None:
            from simulator.control import faults

            # The tenant costs a token check: only when a rule names one (the journal works it out on read).
            tenant = journal.tenant_of(ctx, scope["headers"]) if rules.tenanted else None
            rule = faults.pick(rules, scope["method"], scope["path"], tenant)
        seen = Seen(control.journal.body_limit)

        async def send_seen(message: Message) -> None:
            seen.see(message)
            await send(message)
        try:
            if rule is None:
                await self.app(scope, replay, send_seen)
            else:
                await faults.apply(rule, self.app, scope, replay, send_seen, receive)
        finally:
            if control.journal.entries.maxlen:
                # Raw pieces only; redacting, decoding and the tenant wait for GET /_simulator/requests.
                control.journal.entries.append(journal.Raw(
                    at, scope["method"], scope["path"], scope.get("query_string", b""), seen.status,
                    scope["headers"], body[:control.journal.body_limit * 4], b"".join(seen.chunks),
                    ctx.clock.wall() - started, rule.id if rule else None))
