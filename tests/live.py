"""A real uvicorn server on a free loopback port, in a thread, for tests where the network matters
(third-party clients that bring their own HTTP stack)."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

import uvicorn


class Live:
    def __init__(self, app: Any, base_url: str) -> None:
        self.app, self.base_url = app, base_url
        self.ctx = app.state.ctx


@contextmanager
def serve(app: Any, *, ssl_certfile: str | None = None, ssl_keyfile: str | None = None,
          host: str = "127.0.0.1") -> Iterator[Live]:
    """Serve `app` on a free port of `host` until the block ends; yields its base URL."""
    config = uvicorn.Config(app, host=host, port=0, log_level="warning", lifespan="off",
                            ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.01)  # waiting for a real socket to open, not for simulated time
    port = server.servers[0].sockets[0].getsockname()[1]
    scheme = "https" if ssl_certfile else "http"
    try:
        yield Live(app, f"{scheme}://{host}:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
