"""A real uvicorn server on a free loopback port, in a thread, for tests where the network matters
(third-party clients that bring their own HTTP stack): the pytest plugin's own runner."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from simulator.pytest_plugin import runners


class Live:
    def __init__(self, app: Any, base_url: str) -> None:
        self.app, self.base_url = app, base_url
        self.ctx = app.state.ctx


@contextmanager
def serve(app: Any, *, ssl_certfile: str | None = None, ssl_keyfile: str | None = None,
          host: str = "127.0.0.1") -> Iterator[Live]:
    """Serve `app` on a free port of `host` until the block ends; yields it with its base URL."""
    with runners.serve(app, host, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile) as base_url:
        yield Live(app, base_url)
