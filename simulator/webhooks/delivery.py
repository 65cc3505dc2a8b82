"""The delivery worker: POSTs the deliveries that are due to the partners' URLs, signed, off the request
path, and files each attempt.

One `Runtime` per app (`app.state.webhooks`). Its worker is an asyncio task of the loop that serves the
app, started after a request that queued a delivery or saved a registration (the front, simulator/front.py,
asks `kick`), with a context of its own (so it never reads a request's pinned instant). The receivers'
answers are awaited, never in a request: a slow or dead receiver slows no API call. Each round takes
the due deliveries in one transaction, POSTs them concurrently (timeout: --webhook-timeout), then files
the outcomes in another.

* Running clock: the worker looks every second (or sooner, when a delivery falls due) for what the clock
  brought (rules.catch_up: renewals, invoices, budgets) and for due deliveries, for as long as anything
  is registered or queued.
* Manual clock: simulated time stands still, so the worker sends what is due and stops; the clock's
  advance and POST /_simulator/webhooks/flush (which waits until every due delivery was attempted)
  start it again. Tests are deterministic that way.

Every attempt is also written to the request journal (GET /_simulator/requests), marked outgoing.
"""
from __future__ import annotations

import asyncio
import contextvars
import time
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

import httpx

from simulator.clock import MANUAL
from simulator.context import Context
from simulator.control import journal
from simulator.webhooks import records, rules, signing
from simulator.webhooks.rules import Attempt

LOOK_EVERY = 1.0  # wall seconds between two looks of the worker while the clock runs


def response_code(status: int | None) -> str:
    """The .NET HttpStatusCode name W6 shows (`OK`, `NotFound`, `InternalServerError`)."""
    if status is None:
        return "ServiceUnavailable"
    try:
        return "".join(part.capitalize() if part.upper() != "OK" else "OK"
                       for part in HTTPStatus(status).phrase.replace("-", " ").split())
    except ValueError:
        return str(status)


def signed_headers(ctx: Context, attempt: Attempt, body: bytes) -> dict[str, str]:
    token = f"Signature {signing.of(ctx).sign(body)}"
    return {"Content-Type": "application/json",
            ("x-ms-signature" if attempt.ms_header else "Authorization"): token,
            "X-MS-Certificate-Url": attempt.certificate_url,
            "X-MS-Signature-Algorithm": signing.ALGORITHM,
            "Accept-Encoding": "gzip, deflate"}


class Runtime:
    def __init__(self, ctx: Context, journal_of: journal.Journal | None) -> None:
        self.ctx, self.journal = ctx, journal_of
        self.loop: asyncio.AbstractEventLoop | None = None
        self.lock: asyncio.Lock | None = None
        self.task: asyncio.Task[None] | None = None
        self.recent: list[str] = []  # the deliveries the worker attempted since the last flush

    def _bind(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self.loop is not loop or self.lock is None:
            self.loop, self.lock, self.task = loop, asyncio.Lock(), None
        return self.lock

    def kick(self) -> None:
        """Starts the worker on the running loop unless it runs already; on the server's loop, when a
        request on another thread asks (simulator/gate.py: the loop the store's requests run on)."""
        home = self.ctx.gate.home
        if home is not None and home is not asyncio.get_running_loop():
            home.call_soon_threadsafe(self.kick)
            return
        self._bind()
        records.WANTED.discard(self.ctx.store)
        if self.task is None or self.task.done():
            assert self.loop is not None
            self.task = self.loop.create_task(self.work(), context=contextvars.Context())

    async def flush(self) -> list[str]:
        """Everything due now is attempted (what the clock brought first); the ids of the deliveries
        attempted since the last flush (by it, or by the worker before it)."""
        async with self._bind():
            await self.ctx.gate.passing()
            self.ctx.run(rules.catch_up)
            while await self.round():
                pass
            done, self.recent = list(dict.fromkeys(self.recent)), []
            return done

    async def work(self) -> None:
        lock = self._bind()
        while True:
            async with lock:
                await self.ctx.gate.passing()
                if self.ctx.clock.mode != MANUAL:
                    self.ctx.run(rules.catch_up)
                sent = await self.round()
            if sent:
                continue
            if self.ctx.clock.mode == MANUAL:
                return
            if not records.registered_tenants(self.ctx) and not records.has_queue(self.ctx):
                return
            await asyncio.sleep(self.pause())

    def pause(self) -> float:
        """Wall seconds until the next look: at most LOOK_EVERY, sooner when a delivery falls due."""
        coming = rules.next_due(self.ctx)
        if coming is None:
            return LOOK_EVERY
        ahead = (coming - self.ctx.clock.now()).total_seconds() / self.ctx.clock.speed
        return min(LOOK_EVERY, max(ahead, 0.01))

    async def round(self) -> list[str]:
        await self.ctx.gate.passing()
        attempts = self.ctx.run(rules.due)
        if not attempts:
            return []
        timeout = self.ctx.settings.webhook_timeout
        async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
            outcomes = await asyncio.gather(*(self.attempt(client, a) for a in attempts))
        await self.ctx.gate.passing()
        for attempt, outcome in zip(attempts, outcomes, strict=True):
            self.ctx.run(rules.record_attempt, attempt, *outcome)
        sent = [a.id for a in attempts]
        self.recent.extend(sent)
        del self.recent[:-10_000]  # bounded when nobody flushes (a running clock)
        return sent

    async def attempt(self, client: httpx.AsyncClient, attempt: Attempt
                      ) -> tuple[int | None, str, float, str | None, datetime, str]:
        body = attempt.body.encode()
        headers = signed_headers(self.ctx, attempt, body)
        wall = self.ctx.clock.wall()
        started = time.perf_counter()
        status: int | None = None
        answer = b""
        if attempt.fail:
            reason, error = "ServiceUnavailable", "failed on purpose (POST /_simulator/webhooks/failures)"
        else:
            try:
                reply = await client.post(attempt.url, content=body, headers=headers)
                status, answer = reply.status_code, reply.content
                reason, error = response_code(status), None
            except httpx.HTTPError as exc:
                reason, error = "ServiceUnavailable", f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        latency = (time.perf_counter() - started) * 1000
        self.journal_entry(attempt, headers, body, status, answer, latency)
        return status, reason, latency, error, wall, answer[:rules.ANSWER_KEPT * 4].decode("utf-8", "replace")

    def journal_entry(self, attempt: Attempt, headers: dict[str, str], body: bytes, status: int | None,
                      answer: bytes, latency_ms: float) -> None:
        kept = self.journal
        if kept is None or not kept.entries.maxlen:
            return
        raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        kept.entries.append(journal.Raw(
            self.ctx.clock.now(), "POST", attempt.url, b"", status, raw_headers, body[:kept.body_limit * 4],
            answer[:kept.body_limit * 4], timedelta(milliseconds=latency_ms),
            "webhook-failure" if attempt.fail else None, "outgoing", attempt.tenant))


def runtime_of(state: Any) -> Runtime:
    """The app's runtime (`app.state`), made on first need."""
    found = getattr(state, "webhooks", None)
    if found is None:
        control = getattr(state, "control", None)
        found = state.webhooks = Runtime(state.ctx, getattr(control, "journal", None))
    assert isinstance(found, Runtime)
    return found
