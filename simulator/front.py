"""The one layer between the server and the routes: what every request goes through, in order, as one
ASGI callable with two wrappers of `send` (one for the way out, one for the transaction).

1. The wire. Literal path segments match in any casing, as the service's do (api.md: `azureEntitlements`
   and `azureentitlements` both work); a trailing slash is ignored; MS-RequestId and MS-CorrelationId
   are echoed, made up when absent; a path, query or read header that is no UTF-8 text is refused
   (400) before anything reads it, so nothing stores it.
2. The guard (simulator/control/guard.py): who may use /_simulator, and bodies no larger than
   --max-body-size (413).
3. The control API's side of every request (simulator/control/middleware.py): the console's redirect,
   --control-token; the fault rules and the request journal for Partner Center (and Entra ID) requests.
   Every rule of a request sees one instant of the simulated clock (Clock.pin).
4. The transaction (`Front.transaction`, `Committed`): a request's writes are kept when its answer is
   a success (below 400) and undone otherwise, whatever failed; inside the faults, so an injected
   fault's status changes nothing. Then the route, and the error handlers (simulator/errors) for whatever it raises.

A GET whose answer the route said is reusable (wire.reusable: the partner's catalog, the same for every
caller and whatever the store holds) is answered again from what the front kept, after the wire and the
guard, while no fault rule is in force: the caller's token is checked as the route checks it (a token
the route would refuse goes to the route, which says why), and the journal has it as any other.

On a real socket (simulator/serving.py) the gate (simulator/gate.py) is passed on entry, once the body
is in and after each message sent: while a long request works on the store on another thread, no
other request touches it.

It stands in for Starlette's own exception layers too: the app's router is called directly, and the
exception handlers are looked up here (as Starlette looks them up: by the exception's classes, nearest
first). An unexpected exception is answered 500 with a Partner Center body and raised on to the
server, which logs it, as Starlette's ServerErrorMiddleware does.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from simulator import auth, errors, routetable, wire
from simulator.context import WRITES, Context, Writes
from simulator.control import guard, journal, middleware
from simulator.control.health import HEALTH
from simulator.control.middleware import Seen, State, is_control
from simulator.store import StoreFull
from simulator.webhooks import records as webhook_records


class Front:
    """The app `create_app` returns: every request, then the routes of `star` (a Starlette app, whose
    `state` holds the context and the control API's state; it also answers the server's lifespan)."""

    def __init__(self, star: Any, ctx: Context, control: State, words: set[str]) -> None:
        self.app, self.state, self.ctx, self.control = star, star.state, ctx, control
        self.settings = ctx.settings
        self.router = star.router
        self.words = words
        self.paths: dict[str, tuple[str, bytes]] = {}  # path as sent -> as routed (bounded, see below)
        self.handlers: dict[Any, Any] = {**errors.HANDLERS, StoreFull: storage_full}
        self.looked = False  # whether the first request looked for webhook deliveries left by a --state file
        # Reusable answers (wire.reusable) by path and query string: their headers and body (`reusable`).
        self.answers: dict[tuple[str, bytes], tuple[list[tuple[bytes, bytes]], bytes]] = {}
        self.answers_size = 0

    def routed(self, path: str) -> tuple[str, bytes]:
        """The path the router sees (literal words in lower case, no trailing slash) and its bytes;
        remembered for the short paths of recent requests."""
        known = self.paths.get(path)
        if known is not None:
            return known
        words = self.words
        parts = []
        for part in path.split("/"):
            folded = part.lower()
            parts.append(folded if folded in words else part)
        new_path = "/".join(parts)
        if len(new_path) > 1:
            new_path = new_path.rstrip("/") or "/"
        known = (new_path, new_path.encode())
        if len(path) <= ROUTED_LONGEST:
            if len(self.paths) >= ROUTED_MOST:
                self.paths.clear()
            self.paths[path] = known
        return known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # 1. The wire.
        invalid = invalid_text(scope)
        path, raw_path = self.routed(scope["path"])
        scope = {**scope, "path": path, "raw_path": raw_path, "app": self.app}
        request_id = correlation_id = None
        length: bytes | None = None  # Content-Length (the first), chunked: whether Transfer-Encoding came
        chunked = False
        for name, value in scope["headers"]:  # the last of each, as a dict of the headers keeps it
            size = len(name)
            if size in TEXT_HEADER_LENGTHS:
                folded = name.lower()
                if folded == b"ms-correlationid":
                    correlation_id = value
                elif folded == b"ms-requestid":
                    request_id = value
                if folded in TEXT_HEADERS and invalid is None and not utf8(value):
                    invalid = f"the header {folded.decode()} is not UTF-8 text"
            if size == 14 and length is None and name.lower() == b"content-length":
                length = value
            elif size == 17 and name.lower() == b"transfer-encoding":
                chunked = True
        ids = self.ctx.ids
        # Health waits at no gate: it is answered even while a long request works on the store.
        out = Outgoing(send, [(b"ms-requestid", request_id or ids.request_guid().encode()),
                              (b"ms-correlationid", correlation_id or ids.request_guid().encode())],
                       None if path == HEALTH else self.ctx.gate)
        if invalid is not None:
            await errors.render(errors.InvalidRequestInput(invalid))(scope, receive, out.send)
            return
        # 2. The guard: /_simulator's callers (health aside), the body's size.
        settings = self.settings
        control_path = is_control(path)
        if control_path and path != HEALTH and not settings.no_control:
            refusal = guard.control_refusal(settings, scope)
            if refusal is not None:
                await errors.render(refusal)(scope, receive, out.send)
                return
        declared = declared_length(length, chunked)
        limit = settings.max_body_size
        if declared is not None and declared > limit:
            await errors.render(guard.BodyTooLarge(limit))(scope, receive, out.send)
            return
        # A reusable answer the front keeps (wire.reusable), given again as it is, journaled as any.
        if declared == 0 and not control_path and self.answers and scope["method"] == "GET":
            known = self.reusable(scope)
            if known is not None:
                started, seen = self.ctx.clock.wall(), Seen(self.control.journal.body_limit)
                out.seen = seen
                await out.send({"type": "http.response.start", "status": 200, "headers": known[0]})
                await out.send({"type": "http.response.body", "body": known[1]})
                self.record(scope, b"", seen, started, None)
                return
        # 3. The control API's side, at one instant of the clock.
        clock = self.ctx.clock
        pin = clock.pin()
        try:
            if declared is None:  # chunked: refused as soon as it grows past the limit (its bytes so far held)
                try:
                    await self.route(scope, guard.Capped(receive, limit).receive, receive, out, control_path)
                except guard.BodyTooLarge as exc:
                    if out.started:
                        raise
                    await errors.render(exc)(scope, receive, out.send)
            else:  # the server never passes more than `Content-Length` says
                await self.route(scope, receive, receive, out, control_path)
        finally:
            clock.unpin(pin)
        if path == HEALTH:  # touches no store: answered even while a long request works on it
            return
        if not self.looked:  # a restart on a --state file with registrations: the worker goes on
            self.looked = True
            if webhook_records.registered_tenants(self.ctx):
                webhook_records.WANTED.add(self.ctx.store)
        if self.ctx.store in webhook_records.WANTED:  # a webhook delivery queued: its worker (webhooks/delivery.py)
            from simulator.webhooks import delivery

            delivery.runtime_of(self.state).kick()

    async def route(self, scope: Scope, receive: Receive, raw_receive: Receive, out: Outgoing,
                    control_path: bool) -> None:
        """`receive` the body's (capped, for a chunked one); `raw_receive` the server's own (a `drop`
        fault closes its connection)."""
        settings, path = self.settings, scope["path"]
        if middleware.wants_console(scope) and not settings.no_control:
            await middleware.to_console(scope, receive, out.send)
            return
        started = self.ctx.clock.wall()
        body = await middleware.read_body(receive)
        gate = self.ctx.gate
        if gate.shut is not None and path != HEALTH:  # a long request started while the body came in
            await gate.passing()
        scope[wire.BODY] = body
        replay = middleware.replaying(body, receive)
        if settings.no_control:  # no control API: its routes are not even there, nothing is journaled
            await self.transaction(scope, replay, out.send)
        elif not control_path:
            await self.answer(scope, replay, raw_receive, out, body, started)
        elif path == HEALTH or middleware.is_console(path) or middleware.token_allowed(settings, scope):
            await self.transaction(scope, replay, out.send)
        else:
            await errors.render(errors.ControlTokenRequired())(scope, replay, out.send)

    async def answer(self, scope: Scope, receive: Receive, raw_receive: Receive, out: Outgoing, body: bytes,
                     started: Any) -> None:
        """A Partner Center (or Entra ID) request: faulted if a rule fires, journaled either way."""
        ctx, control = self.ctx, self.control
        rules, rule = control.armed(), None
        if rules is not None:
            from simulator.control import faults

            # The tenant costs a token check: only when a rule names one (the journal works it out on read).
            tenant = journal.tenant_of(ctx, scope["headers"]) if rules.tenanted else None
            rule = faults.pick(rules, scope["method"], scope["path"], tenant)
        seen = out.seen = Seen(control.journal.body_limit)
        try:
            if rule is not None:
                await faults.apply(rule, self.transaction, scope, receive, out.send, raw_receive)
            else:
                await self.transaction(scope, receive, out.send)
                self.remember(scope, out)
        finally:
            self.record(scope, body, seen, started, rule.id if rule else None)

    def record(self, scope: Scope, body: bytes, seen: Seen, started: Any, fault: str | None) -> None:
        """The request's entry in the journal: raw pieces only; redacting, decoding and the tenant wait
        for GET /_simulator/requests."""
        entries, limit = self.control.journal.entries, self.control.journal.body_limit
        if entries.maxlen:
            clock = self.ctx.clock
            entries.append(journal.Raw(
                clock.now(), scope["method"], scope["path"], scope.get("query_string", b""), seen.status,
                scope["headers"], body[:limit * 4], b"".join(seen.chunks), clock.wall() - started, fault))

    def reusable(self, scope: Scope) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
        """The answer the route gave this GET (its path and query string) if it said it is reusable
        (wire.reusable) and it is the answer again: no fault rule is in force, no long request works,
        and the caller's token passes. Otherwise (None) the route answers, and says why a token does not."""
        known = self.answers.get((scope["path"], scope.get("query_string", b"")))
        if known is None or self.control.armed() is not None or self.ctx.gate.shut is not None:
            return None
        try:
            auth.caller_of(self.ctx, auth.authorization(scope))
        except errors.PartnerCenterError:
            return None
        return known

    def remember(self, scope: Scope, out: Outgoing) -> None:
        """Keeps the route's answer for `reusable` if the route said it is reusable, it was a 200 to a GET,
        and the route is open to App-only callers (`reusable` checks a token, not its kind)."""
        payload = scope.get(wire.REUSABLE)
        if payload is None or out.seen is None or out.seen.status != 200 or scope["method"] != "GET" \
                or out.head is None or auth.declared_user_only(scope):
            return
        if len(self.answers) >= ANSWERS_MOST or self.answers_size + len(payload) > ANSWERS_LARGEST:
            self.answers.clear()  # forgotten all at once, like the other memos
            self.answers_size = 0
        key = (scope["path"], scope.get("query_string", b""))
        if key not in self.answers and len(payload) <= ANSWERS_LARGEST:
            self.answers[key] = (out.head, payload)
            self.answers_size += len(payload)

    async def transaction(self, scope: Scope, receive: Receive, send: Send) -> None:
        """4. The route, its writes one transaction (simulator/context.py, `Writes`): kept when the answer
        is a success (below 400), undone otherwise, whatever failed (a rule, the rendering after it, the
        commit itself). A commit the disk has no room for answers 503 + Retry-After instead of the answer
        the route made."""
        gate = self.ctx.gate
        if gate.shut is not None and scope["path"] != HEALTH:  # a long request works on the store
            await gate.passing()  # (simulator/gate.py); health touches none of it and always answers
        writes = Writes()
        token = WRITES.set(writes)
        committed = Committed(writes, scope, receive, send)
        try:
            try:
                await self.router.app(scope, receive, committed.send)
            except Exception as exc:
                await self.handle(exc, scope, receive, committed)
        finally:
            writes.end(keep=False)  # no answer started (a failure on the way): nothing is kept
            WRITES.reset(token)

    async def handle(self, exc: Exception, scope: Scope, receive: Receive, committed: Committed) -> None:
        """The error handler's answer to what the route raised, as Starlette's exception layers give it."""
        handler = next((self.handlers[cls] for cls in type(exc).__mro__ if cls in self.handlers), None)
        if handler is None or committed.started:
            raise exc
        response = await handler(Request(scope, receive), exc)
        await response(scope, receive, committed.send)
        if handler is errors.unexpected_error_handler:
            raise exc  # a bug: answered 500, and logged by the server
        exc.__traceback__ = None  # an exception instance used again would gather tracebacks


class Outgoing:
    """The way out: the echoed ids on the answer's start, what the journal keeps of it (`seen`, for a
    journaled request), and the gate after each message."""

    __slots__ = ("inner", "echo", "gate", "seen", "started", "head")

    def __init__(self, send: Send, echo: list[tuple[bytes, bytes]], gate: Any) -> None:
        self.inner, self.echo, self.gate = send, echo, gate
        self.seen: Seen | None = None
        self.started = False
        self.head: list[tuple[bytes, bytes]] | None = None  # the answer's own headers

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.head = message.get("headers", [])
            message = {**message, "headers": [*self.head, *self.echo]}
        if self.seen is not None:
            self.seen.see(message)
        await self.inner(message)
        if self.gate is not None and self.gate.shut is not None:  # a long request started meanwhile
            await self.gate.passing()


class Committed:
    """The transaction's end on the answer's start: kept for a success, undone otherwise; a commit the
    disk has no room for becomes 503 (and the rest of the route's answer is dropped)."""

    __slots__ = ("writes", "scope", "receive", "inner", "started", "replaced")

    def __init__(self, writes: Writes, scope: Scope, receive: Receive, send: Send) -> None:
        self.writes, self.scope, self.receive, self.inner = writes, scope, receive, send
        self.started = self.replaced = False

    async def send(self, message: Message) -> None:
        if self.replaced:
            return
        if message["type"] == "http.response.start":
            self.started = True
            if self.writes.open is not None:
                try:
                    self.writes.end(keep=message["status"] < 400)
                except StoreFull:
                    self.replaced = True
                    await errors.render(errors.StorageFull())(self.scope, self.receive, self.inner)
                    return
        await self.inner(message)


async def storage_full(request: Request, exc: Exception) -> Any:
    """A write SQLite had no room for (simulator/store/sqlite.py, StoreFull): 503, and nothing was kept."""
    return errors.render(errors.StorageFull())


def declared_length(length: bytes | None, chunked: bool) -> int | None:
    """The body's length as `Content-Length` declares it; 0 for a request with no body at all; None for
    a body of no declared length (chunked)."""
    if length is None:
        return None if chunked else 0
    length = length.strip()
    return int(length) if length.isdigit() and len(length) < 20 else None


# Request headers whose values pcsim reads as text (stores, compares or echoes them); their bytes must be
# UTF-8, like the rest of a request's text (path, query, JSON bodies: simulator/wire read_json): the two
# the wire echoes, and those the operations declare they read (simulator/routes.py text_headers).
TEXT_HEADERS = frozenset({b"ms-requestid", b"ms-correlationid", *(name.encode() for name in routetable.TEXT_HEADERS)})
TEXT_HEADER_LENGTHS = frozenset(len(name) for name in TEXT_HEADERS)


def utf8(raw: bytes) -> bool:
    if raw.isascii():
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def invalid_text(scope: Scope) -> str | None:
    """What of the request's path or query string is not text: percent-encoded (or raw) bytes that are no
    UTF-8, which servers decode into U+FFFD replacement characters rather than refuse. None if all is well."""
    raw_path = scope.get("raw_path")
    if raw_path and (b"%" in raw_path or not raw_path.isascii()) and not utf8(unquote_to_bytes(raw_path)):
        return "the path is not UTF-8 text (a percent-encoded byte sequence that is no UTF-8)"
    query = scope.get("query_string")
    if query and (b"%" in query or not query.isascii()) and not utf8(unquote_to_bytes(query)):
        return "the query string is not UTF-8 text (a percent-encoded byte sequence that is no UTF-8)"
    return None


# At most ANSWERS_MOST reusable answers of ANSWERS_LARGEST bytes together are kept (then forgotten all at
# once): the catalog answers a client asks for again and again.
ANSWERS_MOST, ANSWERS_LARGEST = 256, 16 * 1024 * 1024

# The routed form of up to ROUTED_MOST paths of up to ROUTED_LONGEST characters is remembered (then
# forgotten all at once): the literal paths and the ids clients are working with at the moment.
ROUTED_MOST, ROUTED_LONGEST = 4096, 512
