"""pcsim's pytest plugin, registered through the `pytest11` entry point `pcsim`: installing pcsim
is all it takes.

Fixtures (see docs/pytest.md):

- `pcsim` (function scope): a fresh simulator per test on a real uvicorn server on a free
  127.0.0.1 port, in a thread. Yields a `Simulator`: `base_url`, `token()`/`headers()`, `clock`,
  `reset()`, `snapshot()`/`restore()`/`snapshots()`, `faults`, `journal`, `clean()`, `client`,
  `tenant_id()`. Tokens are for the partner contoso.onmicrosoft.com unless a test names another;
  it is also the default partner that bearer tokens pcsim did not issue speak for. Wherever a
  helper takes a partner (`token(tenant=)`, `reset(tenant=)`, `faults.add(tenant=)`,
  `journal.list(tenant=)`), its name and its GUID (`tenant_id(name)`) are the same partner.
- `pcsim_session` (session scope): one server for the whole run. State, fault rules and the
  journal carry over between tests; isolate them with `clean()` (reset, no faults, empty journal;
  the clock stays) or, clock included, `clean("<snapshot>")` per test.
- `pcsim_webhook_receiver` (function scope): a small HTTP server on a free loopback port that collects
  the webhook events pcsim delivers (`url`, `events`, `wait(n)`, `answer(status, times)`, `verify(r)`:
  the signature checked with the certificate at X-MS-Certificate-Url). Deliveries of a manual clock go
  out when the simulator is flushed: `sim.webhooks.flush()`.
- `pcsim_asgi` (function scope): no server; the app behind `httpx.ASGITransport` (`transport`,
  `async_client`) and a synchronous face on it (`sync_transport`, `client`), same helpers.

Every simulator of these fixtures starts with a manual clock (it moves only when the test advances
it, so runs are reproducible), unlike `pcsim serve`, whose clock runs in real time by default; a
test that wants a running clock asks for it with `@pytest.mark.pcsim(clock="running")` or
`sim.clock.run()`.

Settings (fields of `simulator.settings.Settings`; PCSIM_* variables are not read, so runs are
reproducible): `--pcsim-seed N` or the ini option `pcsim_seed` set the seed of every simulator;
`@pytest.mark.pcsim(seed=..., start_time=..., order_list_delay=..., ...)` on a test, class or
module sets any field for `pcsim` and `pcsim_asgi`; the session simulator takes the dict the
`pcsim_session_settings` fixture returns (override it in a conftest.py).

This module imports nothing heavy itself: test runs that never ask for a pcsim fixture pay nothing.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from simulator.pytest_plugin.handle import AsgiSimulator, Simulator
    from simulator.pytest_plugin.receiver import Receiver

__all__ = ["AsgiSimulator", "ControlError", "Simulator"]

MARKER = ("pcsim(**settings): settings of the pcsim and pcsim_asgi simulators of this test, as fields of "
          "simulator.settings.Settings (seed=, start_time=, order_list_delay=, provisioning_delay=, ...)")


def __getattr__(name: str) -> Any:
    """`from simulator.pytest_plugin import Simulator` for annotations, without importing httpx
    when the plugin loads."""
    if name in __all__:
        from simulator.pytest_plugin import handle

        return getattr(handle, name)
    raise AttributeError(name)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pcsim", "pcsim (Partner Center simulator)")
    group.addoption("--pcsim-seed", dest="pcsim_seed", type=int, default=None, metavar="N",
                    help="seed of every pcsim simulator (default: the ini option pcsim_seed, else 0)")
    parser.addini("pcsim_seed", "seed of every pcsim simulator (--pcsim-seed wins)", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


def base_settings(config: pytest.Config) -> dict[str, Any]:
    """What the command line and the ini file say."""
    seed = config.getoption("pcsim_seed")
    if seed is None:
        raw = str(config.getini("pcsim_seed")).strip()
        if raw:
            try:
                seed = int(raw)
            except ValueError:
                raise pytest.UsageError(f"pcsim_seed must be an integer, not {raw!r}") from None
    return {} if seed is None else {"seed": seed}


def make_settings(overrides: dict[str, Any], where: str) -> Any:
    from simulator.settings import Settings, from_env

    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        pytest.fail(f"{where}: unknown pcsim setting(s) {', '.join(unknown)}; "
                    f"known: {', '.join(sorted(known))}", pytrace=False)
    values = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in overrides.items()}
    settings = from_env({}, **values)
    try:
        settings.start()
    except ValueError:
        pytest.fail(f"{where}: start_time {settings.start_time!r} is not an ISO-8601 time", pytrace=False)
    return settings


@pytest.fixture
def pcsim_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings of this test's `pcsim`/`pcsim_asgi`: --pcsim-seed / pcsim_seed, then every
    @pytest.mark.pcsim from the module inwards (the test's own wins)."""
    values = base_settings(request.config)
    for marker in reversed(list(request.node.iter_markers("pcsim"))):
        if marker.args:
            pytest.fail("@pytest.mark.pcsim takes settings as keywords only", pytrace=False)
        values.update(marker.kwargs)
    return values


@pytest.fixture(scope="session")
def pcsim_session_settings(pytestconfig: pytest.Config) -> dict[str, Any]:
    """Settings of `pcsim_session`; override this fixture (session scope) in a conftest.py to
    change them, e.g. `return {"seed": 7, "order_list_delay": 0}`."""
    return base_settings(pytestconfig)


def run_live(settings: Any) -> Iterator[Simulator]:
    import httpx

    from simulator.app import create_app
    from simulator.pytest_plugin.handle import Simulator
    from simulator.pytest_plugin.runners import serve

    app = create_app(settings)
    with serve(app) as base_url, httpx.Client(base_url=base_url) as client:
        yield Simulator(app, settings, base_url, client)


@pytest.fixture
def pcsim(pcsim_settings: dict[str, Any]) -> Iterator[Simulator]:
    """A fresh simulator for this test, on a real server on a free loopback port."""
    yield from run_live(make_settings(pcsim_settings, "pcsim"))


@pytest.fixture(scope="session")
def pcsim_session(pcsim_session_settings: dict[str, Any]) -> Iterator[Simulator]:
    """One simulator for the whole run: reset() or restore() a snapshot between tests."""
    yield from run_live(make_settings(dict(pcsim_session_settings), "pcsim_session_settings"))


@pytest.fixture
def pcsim_webhook_receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free loopback port: register `receiver.url`, read `receiver.events`."""
    from simulator.pytest_plugin.receiver import Receiver

    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def pcsim_asgi(pcsim_settings: dict[str, Any]) -> Iterator[AsgiSimulator]:
    """A fresh simulator for this test without a server: for code that takes an httpx transport."""
    import httpx

    from simulator.app import create_app
    from simulator.pytest_plugin.handle import AsgiSimulator
    from simulator.pytest_plugin.runners import LoopThread, SyncASGITransport

    settings = make_settings(pcsim_settings, "pcsim_asgi")
    app = create_app(settings)
    runner = LoopThread()
    try:
        transport = httpx.ASGITransport(app=app)
        sim = AsgiSimulator(app, settings, transport, SyncASGITransport(transport, runner))
        try:
            yield sim
        finally:
            sim.client.close()
            runner.run(sim.async_client.aclose())
    finally:
        runner.close()
