"""Test harness: every test talks HTTP to an in-process app through httpx's ASGITransport.

Every app `make_api` (and so `api`) builds runs each test once per storage backend
(simulator.store.BACKENDS): memory, and a SQLite `--state` file in the test's tmp_path. Its clock
is manual (it moves only when a test advances it, unlike `pcsim serve`'s running clock), so every
test is reproducible.
"""
from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta
from typing import Any, Iterator

import httpx
import pytest

from simulator.app import create_app
from simulator.clock import ManualClock
from simulator.settings import from_env
from simulator.store import BACKENDS

START = "2026-01-05T10:00:00Z"
BASE = "https://api.partnercenter.microsoft.com"
M365_BASIC = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
AZURE_PLAN_PRODUCT = "DZH318Z0BPS6"
SAAS_PLAN = "DZH318Z0BXWC:0002:DZH318Z0BMRV"
LEGACY_AZURE = "MS-AZR-0145P"

# The pcsim fixtures (simulator/pytest_plugin) reach other projects through the pytest11 entry point
# `pcsim` of an installed pcsim, loaded before any conftest. An uninstalled checkout (or one run with
# PYTEST_DISABLE_PLUGIN_AUTOLOAD) registers the plugin here; doing both would register the module
# twice under two names, which pytest refuses.
if "simulator.pytest_plugin" not in sys.modules:
    pytest_plugins = ["simulator.pytest_plugin"]


def customer_body(domain: str = "contoso.onmicrosoft.com", country: str = "US", **extra: Any) -> dict[str, Any]:
    address = {"FirstName": "Ada", "LastName": "Lovelace", "AddressLine1": "One Microsoft Way", "City": "Redmond",
               "State": "WA", "PostalCode": "98052", "Country": country}
    body = {"CompanyProfile": {"Domain": domain},
            "BillingProfile": {"Culture": "EN-US", "Email": "ada@contoso.com", "Language": "en",
                               "CompanyName": "Contoso", "DefaultAddress": address}}
    body.update(extra)
    return body


class FakeWall:
    """Wall time for the few things that run on it (token lifetimes), moved by hand in tests."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


class Api:
    """A synchronous face on httpx.AsyncClient(ASGITransport) with Partner Center conveniences."""

    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop, token: str = "any-bearer-string") -> None:
        self.app, self.loop, self.token = app, loop, token
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
        self.ctx = app.state.ctx

    def request(self, method: str, path: str, *, token: str | None = None, headers: dict[str, str] | None = None,
                **kwargs: Any) -> httpx.Response:
        sent = {"Accept": "application/json"}
        if token != "":
            sent["Authorization"] = f"Bearer {token or self.token}"
        sent.update(headers or {})
        return self.loop.run_until_complete(self.client.request(method, path, headers=sent, **kwargs))

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, **kw)

    # --- conveniences -----------------------------------------------------------------
    def token_for(self, tenant: str = "contoso-partner.onmicrosoft.com", *, user: bool = False) -> str:
        form = ({"grant_type": "password", "username": "admin@partner.example", "password": "pw"} if user
                else {"grant_type": "client_credentials", "client_secret": "secret"})
        form.update(client_id="11111111-2222-3333-4444-555555555555", resource="https://api.partnercenter.microsoft.com")
        reply = self.post(f"/{tenant}/oauth2/token", data=form, token="")
        assert reply.status_code == 200, reply.text
        return reply.json()["access_token"]

    def new_customer(self, domain: str | None = None, country: str = "US", **kw: Any) -> str:
        domain = domain or f"c{self.ctx.ids.request_guid()[:8]}.onmicrosoft.com"
        reply = self.post("/v1/customers", json=customer_body(domain, country), **kw)
        assert reply.status_code == 201, reply.text
        return reply.json()["id"]

    def new_cart(self, customer: str, *lines: dict[str, Any], **kw: Any) -> httpx.Response:
        items = [{"id": n, **line} for n, line in enumerate(lines)]
        return self.post(f"/v1/customers/{customer}/carts", json={"lineItems": items}, **kw)

    def buy(self, customer: str, *lines: dict[str, Any], **kw: Any) -> dict[str, Any]:
        cart = self.new_cart(customer, *lines, **kw)
        assert cart.status_code == 201, cart.text
        reply = self.post(f"/v1/customers/{customer}/carts/{cart.json()['id']}/checkout", **kw)
        assert reply.status_code == 201, reply.text
        return reply.json()

    def advance(self, seconds: float) -> str:
        reply = self.post("/_simulator/clock/advance", json={"seconds": seconds})
        assert reply.status_code == 200, reply.text
        return reply.json()["now"]


def nce_line(quantity: int = 3, term: str = "P1Y", cycle: str = "monthly", item: str = M365_BASIC) -> dict[str, Any]:
    return {"catalogItemId": item, "quantity": quantity, "billingCycle": cycle, "termDuration": term}


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> str:
    """The storage backend of the apps a test builds; each test that builds one runs on each."""
    return request.param


def state_overrides(request: pytest.FixtureRequest, backend: str, made: int) -> dict[str, Any]:
    """Settings that put an app on `backend`: a SQLite state file of its own in the test's tmp_path."""
    if backend == "memory":
        return {}
    if backend == "sqlite":
        return {"state": str(request.getfixturevalue("tmp_path") / f"pcsim-{made}.db")}
    raise ValueError(f"no test settings for the store backend {backend!r}")


@pytest.fixture
def make_api(loop: asyncio.AbstractEventLoop, store_backend: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    made: list[Api] = []

    def make(**overrides: Any) -> Api:
        overrides.setdefault("start_time", START)
        overrides = {**state_overrides(request, store_backend, len(made)), **overrides}
        settings = from_env({}, **overrides)
        wall = FakeWall(settings.start())  # type: ignore[arg-type]
        api = Api(create_app(settings, clock=ManualClock(settings.start(), wall=wall)), loop)
        api.wall = wall  # type: ignore[attr-defined]
        made.append(api)
        return api

    yield make
    for api in made:
        loop.run_until_complete(api.client.aclose())
        api.ctx.store.close()


@pytest.fixture
def api(make_api: Any) -> Api:
    return make_api()
