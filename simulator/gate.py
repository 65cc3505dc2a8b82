"""Who may touch the store while a long request works on another thread.

On a real socket (simulator/serving.py) requests run on the server's event loop, one rule at a time
between their awaits, as asyncio does anyway; only a request that can run long (closing many invoice
periods, seeding, a snapshot, a large body) is moved to a thread, so that the loop keeps answering the
health check meanwhile. While it works there the gate is shut: every other piece of code that touches
the store on the loop (a request entering the app or resuming after it read its body or sent its
answer, the webhook worker before each of its rules) waits at the gate until the long request is done.
So the store still sees one writer at a time, and no two requests' work interleaves in it.

Without a server (tests calling the app in process) nobody shuts the gate and passing it costs a test
of one attribute."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Gate:
    def __init__(self) -> None:
        self.shut: asyncio.Future[None] | None = None  # set while a long request holds the store
        self.home: asyncio.AbstractEventLoop | None = None  # the loop requests run on, once a server says

    async def passing(self) -> None:
        """Returns when the gate is open (at once if it is, or if the caller is the long request itself,
        which runs on a loop other than the server's)."""
        while self.shut is not None and asyncio.get_running_loop() is self.home:
            await asyncio.shield(self.shut)

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """The store for one long request: waits for the gate, shuts it, opens it again afterwards."""
        await self.passing()
        self.shut = asyncio.get_running_loop().create_future()
        try:
            yield
        finally:
            shut, self.shut = self.shut, None
            shut.set_result(None)
