"""Where a plugin's simulator runs: a real uvicorn server on a free loopback port in a thread, or an
event loop in a thread that drives the ASGI app for synchronous callers (no socket at all)."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

T = TypeVar("T")
START_TIMEOUT = 20.0


@contextmanager
def serve(app: Any, host: str = "127.0.0.1", *, ssl_certfile: str | None = None,
          ssl_keyfile: str | None = None) -> Iterator[str]:
    """Serve `app` on a free port of `host` (HTTPS with the given files) until the block ends; yields
    its base URL."""
    import uvicorn

    class Server(uvicorn.Server):
        """Says when its socket is open (or when it gave up), so nobody polls for it."""

        def __init__(self, config: uvicorn.Config) -> None:
            super().__init__(config)
            self.ready = threading.Event()

        async def startup(self, sockets: list[Any] | None = None) -> None:
            try:
                await super().startup(sockets)
            finally:
                self.ready.set()

    # An idle keep-alive client is closed at once on stop; a busy one gets at most 3 s.
    from simulator import serving

    served = serving.Served(app)
    config = uvicorn.Config(served, host=host, port=0, log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=3, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                            **serving.options())
    server = Server(config)
    thread = threading.Thread(target=server.run, name="pcsim-server", daemon=True)
    thread.start()
    if not server.ready.wait(START_TIMEOUT) or not server.started:
        server.should_exit = True
        thread.join(timeout=10)
        served.close()
        raise RuntimeError(f"pcsim: the simulator did not start on {host}")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"{'https' if ssl_certfile else 'http'}://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        served.close()


class LoopThread:
    """An event loop of its own in a daemon thread, so synchronous code (and code already inside
    another event loop, such as an async test) can await the ASGI app."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="pcsim-asgi", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()


class SyncASGITransport(httpx.BaseTransport):
    """httpx.ASGITransport is async only; this is its synchronous face, for httpx.Client and for
    code that takes a `transport=`. Each request runs to completion on a LoopThread."""

    def __init__(self, transport: httpx.ASGITransport, runner: LoopThread) -> None:
        self.transport, self.runner = transport, runner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a body from a sync iterator becomes bytes the async transport can stream

        async def call() -> tuple[httpx.Response, bytes]:
            response = await self.transport.handle_async_request(request)
            return response, await response.aread()

        response, body = self.runner.run(call())
        return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(body),
                              extensions=response.extensions)
