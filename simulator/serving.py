"""How pcsim runs on a real socket (`pcsim serve` and the pytest plugin's server): uvicorn's options,
a deadline for request heads, one log line for a flood of descriptor errors, and the health check
answered while the simulator works.

- Idle and slow connections are closed: a request's head must be whole within HEAD_TIMEOUT seconds
  of its first bytes or of the connection's start (slowloris), and a connection may idle KEEP_ALIVE
  seconds between requests. At most CONCURRENCY requests and
  connections are served at once (uvicorn answers 503 beyond).
- Requests run on the server's loop (`Served`), except those that can run long (`long_running`: the
  invoice and usage reads, which close every invoice period the clock passed since the last one, the
  control API's seed, reset, clock and snapshot routes, and any body over LONG_BODY bytes). Such a
  request runs on an event loop of its own in a thread, and its answer crosses back whole, in one hop;
  meanwhile the gate (simulator/gate.py) holds every other request back, but not GET
  /_simulator/health, which is answered on the server's loop, nor the server's reading, timeouts and
  connection limits. So a long request (the first invoice list after a 100-year advance closes 1,200
  periods) holds up other requests, not the health check; and the common request pays no crossing of
  threads (about half of a product list's CPU: bench/README.md).
- "Too many open files" (a descriptor limit reached by a flood of connections) is logged once a
  minute with a count, not once per connection.
"""
from __future__ import annotations

import asyncio
import errno
import logging
import threading
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulator.control.guard import OnCycle
from simulator.gate import Gate

HEAD_TIMEOUT = 10.0   # seconds to send a request's head, from the connection or the last answer
KEEP_ALIVE = 5.0      # seconds an idle keep-alive connection stays open
CONCURRENCY = 1000    # connections and requests served at once; 503 beyond
FLOOD_QUIET = 60.0    # seconds a repeated descriptor error stays quiet after it was logged

T = TypeVar("T")


async def awaited(awaitable: Awaitable[T]) -> T:
    """An awaitable as a coroutine, for run_coroutine_threadsafe."""
    return await awaitable


async def across(awaitable: Awaitable[T], loop: asyncio.AbstractEventLoop) -> T:
    """Awaits `awaitable` on another thread's `loop`."""
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(awaited(awaitable), loop))


class Served:
    """The app on the server's loop, but for long requests: those run on a loop of their own in a
    thread, the gate shut (simulator/gate.py). Health is answered on the server's loop, always."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.state = getattr(app, "state", None)
        self.ctx = getattr(app, "ctx", None)
        self.gate = getattr(self.ctx, "gate", None) or Gate()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gate = self.gate
        if gate.home is None:
            gate.home = asyncio.get_running_loop()
        if scope["type"] != "http" or not long_running(scope):  # health never is
            await self.app(scope, receive, send)  # the front passes the gate (simulator/front.py)
            return
        async with gate.held():
            bridge = Bridge(asyncio.get_running_loop(), receive, send)
            messages = await across(self.answer(scope, bridge), self.worker())
        for message in messages:
            await send(message)

    def worker(self) -> asyncio.AbstractEventLoop:
        """The long requests' loop, started on the first of them."""
        if self.loop is None:
            self.loop = new_loop()
            self.thread = threading.Thread(target=self.loop.run_forever, name="pcsim-long", daemon=True)
            self.thread.start()
        return self.loop

    async def answer(self, scope: Scope, bridge: Bridge) -> list[Message]:
        """The app's answer to a long request, run on the long requests' loop and handed back whole:
        one crossing of threads for the answer instead of one per message (pcsim's answers are never
        streamed; a request body is still read from the server's loop as the app asks for it)."""
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, bridge.receive, keep)
        return messages

    def close(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.loop.stop)
            if self.thread is not None:
                self.thread.join(timeout=10)


# Requests that can run long, so run on the long requests' thread (`Served`): path prefixes (in lower
# case; a trailing part is anything) by method, and bodies over LONG_BODY bytes or of no stated length.
# - invoices and usage: the first read after the clock moved closes every invoice period it passed
#   (billing/ledger.py close_periods; 1,200 periods after a 100-year advance);
# - the control API's seed, reset, clock, snapshot and restore: work on the whole store.
LONG_PATHS: dict[str, tuple[str, ...]] = {
    "GET": ("/v1/invoices", "/v1/usagesummary"),
    "POST": ("/_simulator/seed", "/_simulator/reset", "/_simulator/clock", "/_simulator/snapshots"),
    "PUT": ("/_simulator/clock",),
}
LONG_PARTS = ("usagesummary", "usagerecords", "/utilizations/", "/usagebudget")  # a customer's or a
# subscription's usage (meter and resource usage records too), which closes periods as well
LONG_BODY = 64 * 1024


def long_running(scope: Scope) -> bool:
    method = scope["method"]
    path = scope["path"].lower()
    if method in ("GET", "HEAD"):
        if path.startswith(LONG_PATHS["GET"]) or (path.startswith("/v1/customers/") and any(
                part in path for part in LONG_PARTS)):
            return True
    elif path.startswith(LONG_PATHS.get(method, ())):
        return True
    if method in ("GET", "HEAD", "DELETE"):
        return False
    for name, value in scope["headers"]:  # in lower case (ASGI)
        if name == b"content-length":
            return not value.isdigit() or int(value) > LONG_BODY
        if name == b"transfer-encoding":
            return True
    return False


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # Windows
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class Bridge(OnCycle):
    """The server's receive and send, called from the long requests' loop (the transport's close too)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, receive: Receive, send: Send) -> None:
        super().__init__(receive)
        self.server_loop, self.inner_receive, self.inner_send = loop, receive, send

    async def receive(self) -> Message:
        return await across(self.inner_receive(), self.server_loop)

    async def send(self, message: Message) -> None:
        await across(self.inner_send(message), self.server_loop)

    @property
    def transport(self) -> Any:
        transport = super().transport
        return None if transport is None else Closer(transport, self.server_loop)


class Closer:
    """A transport's close, from another thread."""

    def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.transport, self.loop = transport, loop

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.transport.close)


class HeadDeadline:
    """Mixed into uvicorn's protocol: a request head must be whole within HEAD_TIMEOUT of the
    connection's start, or of its first bytes, else the connection is closed. Between requests an
    idle connection is uvicorn's keep-alive's to close (KEEP_ALIVE); the first bytes of a head stop
    that timer and start this one. A request whose head comes whole at once, as nearly every one
    does, sets no timer of its own."""

    cycle: Any
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self.deadline_cycle: Any = None
        self.deadline: asyncio.TimerHandle | None = None
        self.arm()

    def arm(self) -> None:
        self.disarm()
        self.deadline = self.loop.call_later(HEAD_TIMEOUT, self.expire)

    def disarm(self) -> None:
        if getattr(self, "deadline", None) is not None:
            assert self.deadline is not None
            self.deadline.cancel()
            self.deadline = None

    def expire(self) -> None:
        self.deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def noticed(self) -> bool:
        """Disarms the deadline when a new request's head is complete; whether it was."""
        if self.cycle is not None and self.cycle is not self.deadline_cycle:
            self.deadline_cycle = self.cycle
            self.disarm()
            return True
        return False

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # type: ignore[misc]
        if not self.noticed() and self.deadline is None and (self.cycle is None or self.cycle.response_complete):
            self.arm()  # the first bytes of a head that is not whole yet (none is in flight): its time runs

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        self.noticed()  # a head that came whole while the last request was in flight

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        super().connection_lost(exc)  # type: ignore[misc]


def protocol() -> type:
    """uvicorn's HTTP protocol (httptools where installed, else h11) with the head deadline."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as Base
    except ImportError:  # no httptools (Windows)
        from uvicorn.protocols.http.h11_impl import H11Protocol as Base  # type: ignore[assignment]
    return type("PcsimProtocol", (HeadDeadline, Base), {})


class FloodFilter(logging.Filter):
    """Lets one "Too many open files" record through a minute, with how many were kept quiet."""

    def __init__(self) -> None:
        super().__init__()
        self.quiet_until, self.kept = 0.0, 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not flood_record(record):
            return True
        now = time.monotonic()
        if now < self.quiet_until:
            self.kept += 1
            return False
        if self.kept:
            record.msg = f"{record.msg} ({self.kept} more like it in the last minute were not logged)"
        record.exc_info, record.exc_text = None, None  # the message says it; no traceback per connection
        self.quiet_until, self.kept = now + FLOOD_QUIET, 0
        return True


def flood_record(record: logging.LogRecord) -> bool:
    exc = record.exc_info[1] if record.exc_info else None
    if isinstance(exc, OSError) and exc.errno in (errno.EMFILE, errno.ENFILE):
        return True
    return "Too many open files" in record.getMessage()


_FLOOD = FloodFilter()


def quiet_floods() -> None:
    """Puts the flood filter on the loggers a descriptor flood writes to (once)."""
    for name in ("asyncio", "uvicorn.error", "uvicorn"):
        logger = logging.getLogger(name)
        if _FLOOD not in logger.filters:
            logger.addFilter(_FLOOD)


def options() -> dict[str, Any]:
    """uvicorn.Config's options for the limits above."""
    quiet_floods()
    return {"http": protocol(), "timeout_keep_alive": KEEP_ALIVE, "limit_concurrency": CONCURRENCY,
            "h11_max_incomplete_event_size": 64 * 1024}
