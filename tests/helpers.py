"""What the test files share, in one place: no test file imports another one (tests/test_suite_shape.py).

- Building apps: `build_app` is the one way a test builds an app in process (settings overrides, a store,
  a catalog, a clock, or the app `pcsim serve` builds); `open_api`/`close_api` put an `Api` on one, `fresh_api`
  does both for a generated example, and `serve` runs an app on a real socket.
- Talking to it: `Api` (a synchronous httpx face on the in-process app with purchase conveniences:
  tokens, customers, carts, checkout, advancing the clock) and the plain functions the areas' tests share.
- Catalog items and purchase lines of the fixture catalog the tests buy.

The fixtures (tests/conftest.py) are built from these.
"""
from __future__ import annotations

import asyncio
import functools
import importlib.metadata
import io
import json
import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from simulator import cli, persistence
from simulator.app import create_app
from simulator.catalog import data as catalog_data
from simulator.catalog.data import Catalog
from simulator.clock import Clock, ManualClock
from simulator.pytest_plugin import runners
from simulator.settings import Settings, from_env
from simulator.store import Store, open_store

if TYPE_CHECKING:
    from simulator.usage.rated import UsageRow

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}  # a `python -m simulator …` subprocess runs this clone
START = "2026-01-05T10:00:00Z"
BASE = "https://api.partnercenter.microsoft.com"
TENANT = "contoso-partner.onmicrosoft.com"
DAY = 86400
RECORDED = ROOT / "contracts" / "recorded"  # the documentation's examples the contracts are checked against


def recorded_example(name: str) -> dict[str, Any]:
    """One recorded example of contracts/recorded/ (request, response, source …)."""
    example: dict[str, Any] = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    return example


def recorded_body(name: str) -> Any:
    """The response body of a recorded example."""
    return recorded_example(name)["response"]["body"]


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value, `[]` for array elements."""
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            found |= {f"{prefix}{k}"} | key_paths(v, f"{prefix}{k}.")
    elif isinstance(value, list):
        for v in value:
            found |= key_paths(v, f"{prefix[:-1]}[].")
    return found

# --- the fixture catalog's items --------------------------------------------------------------------
M365_BASIC = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
M365_PRODUCT = {"productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "CFQ7TTC0K971"}
AZURE_PLAN_PRODUCT = "DZH318Z0BPS6"
AZURE_PLAN = "DZH318Z0BPS6:0001:DZH318Z0BML6"
SAAS_PLAN = "DZH318Z0BXWC:0002:DZH318Z0BMRV"
SAAS_TRIAL = "DZH318Z0C0WF:0001:DZH318Z0BP69"
LEGACY_AZURE = "MS-AZR-0145P"
RESERVATION = "DZH318Z0BQ36:004G:DZH318Z08C0S"
SOFTWARE = "DG7GMGF0DWM3:0002:DG7GMGF0DT1M"
TEAMS_PHONE_ADDON = "CFQ7TTC0LH0T:0001:CFQ7TTC09FSD"
LEGACY_BASE = "91FD106F-4B2C-4938-95AC-F54F74E9A239"  # Office 365 E1, a legacy license offer
LEGACY_E1 = LEGACY_BASE
LEGACY_ADDONS = ("C94271D8-B431-4A25-A3C5-A57737A1C909", "43FCE491-76D1-4BCC-B709-8A288786DBAE")

# --- purchase lines and bodies ----------------------------------------------------------------------
PLAN_LINE = {"catalogItemId": AZURE_PLAN, "quantity": 1, "billingCycle": "one_time"}
LEGACY_AZURE_LINE = {"catalogItemId": LEGACY_AZURE, "quantity": 1, "billingCycle": "monthly"}


def nce_line(quantity: int = 3, term: str = "P1Y", cycle: str = "monthly", item: str = M365_BASIC) -> dict[str, Any]:
    return {"catalogItemId": item, "quantity": quantity, "billingCycle": cycle, "termDuration": term}


def reservation_line(scope: str = "shared") -> dict[str, Any]:
    return {"catalogItemId": RESERVATION, "quantity": 1, "billingCycle": "one_time", "termDuration": "P1Y",
            "provisioningContext": {"subscriptionId": "1c461a25-f729-4fa5-aadb-280947dd05e8", "scope": scope}}


def customer_body(domain: str = "contoso.onmicrosoft.com", country: str = "US", **extra: Any) -> dict[str, Any]:
    address = {"FirstName": "Ada", "LastName": "Lovelace", "AddressLine1": "One Microsoft Way", "City": "Redmond",
               "State": "WA", "PostalCode": "98052", "Country": country}
    body = {"CompanyProfile": {"Domain": domain},
            "BillingProfile": {"Culture": "EN-US", "Email": "ada@contoso.com", "Language": "en",
                               "CompanyName": "Contoso", "DefaultAddress": address}}
    body.update(extra)
    return body


# The Microsoft Customer Agreement's template (GET /v1/agreements?agreementType=MicrosoftCustomerAgreement).
MCA_TEMPLATE = "117a77b0-9360-443b-8795-c6dedc750cf9"


def agreement_body(first: str = "Ada", last: str = "Lovelace", email: str = "ada@contoso.com",
                   agreed: str = "2019-10-01T00:00:00.000Z") -> dict[str, Any]:
    """A partner's confirmation of the customer's acceptance of the Customer Agreement (G3)."""
    return {"primaryContact": {"firstName": first, "lastName": last, "email": email, "phoneNumber": "4255550100"},
            "templateId": MCA_TEMPLATE, "dateAgreed": agreed, "type": "MicrosoftCustomerAgreement"}


def token_claims(token: str) -> dict[str, Any]:
    """The claims of a pcsim token (read, not verified)."""
    import base64
    import json

    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def token_tenant(token: str) -> str:
    """The `tid` of a pcsim token."""
    return str(token_claims(token)["tid"])


def confirm_over_http(client: httpx.Client, customer: str, headers: dict[str, str]) -> None:
    """G3 through a plain httpx client, as a partner user of the partner `headers` (or the client's own
    headers) speak for: an App-only token is swapped for an App+User one from the token endpoint."""
    path = f"/v1/customers/{customer}/agreements"
    reply = client.post(path, json=agreement_body(), headers=headers)
    if reply.status_code == 403 and reply.json().get("code") == 900329:
        bearer = (headers.get("Authorization") or client.headers["Authorization"]).split()[-1]
        form = {"grant_type": "password", "username": "admin@partner.example", "password": "pw",
                "client_id": "tests", "resource": BASE}
        user = client.post(f"/{token_tenant(bearer)}/oauth2/token", data=form, headers={"Authorization": ""})
        reply = client.post(path, json=agreement_body(),
                            headers={**headers, "Authorization": f"Bearer {user.json()['access_token']}"})
    assert reply.status_code == 201, reply.text


# --- building apps ----------------------------------------------------------------------------------
class FakeWall:
    """Wall time for the few things that run on it (token lifetimes), moved by hand in tests."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@functools.cache
def shared_catalog() -> Catalog:
    """The fixture catalog, loaded once for tests that build many apps (generated examples)."""
    return catalog_data.load()


def with_tokens(api: Api, *, sending: str = "app") -> tuple[Api, str, str]:
    """The api with the partner's App-only and App+User tokens, sending one of them (`app` or `user`)
    by default: (api, app token, user token)."""
    app, user = api.token_for(), api.token_for(user=True)
    api.token = app if sending == "app" else user
    return api, app, user


def build_app(settings: Settings | None = None, *, store: Store | None = None, catalog: Catalog | None = None,
              clock: Clock | None = None, wall: str = "fake", served: bool = False, **overrides: Any) -> Any:
    """The one way tests build an app in process.

    settings: the whole Settings; else from_env({}, start_time=START, **overrides) (`start_time=None`
    leaves the settings' own default, the time of the start). A `state=PATH` override is a --state file.
    clock: the app's clock; else a manual one at the settings' start whose wall time (token lifetimes) is
    a FakeWall when `wall` is "fake" (the app's is then `app.state.wall`), or whatever create_app picks,
    on the system's wall time, when `wall` is "real" (apps on a real socket, or tests of that default).
    served: the app `pcsim serve` builds instead (cli.build: a running clock, --state and --demo reports
    printed on stdout).
    """
    if settings is None:
        overrides.setdefault("start_time", START)
        settings = from_env({}, **overrides)
    elif overrides:
        raise TypeError(f"build_app takes settings or overrides, not both: {sorted(overrides)}")
    if served:
        if (store, catalog, clock) != (None, None, None):
            raise TypeError("the app `pcsim serve` builds takes its store, catalog and clock from the settings")
        return cli.build(settings)
    fake = None
    if clock is None and wall == "fake":
        start = settings.start() or datetime.now(UTC)
        fake = FakeWall(start)
        clock = ManualClock(start, wall=fake)
    elif wall not in ("fake", "real"):
        raise ValueError(f"wall is 'fake' or 'real', not {wall!r}")
    app = create_app(settings, clock=clock, store=store, catalog=catalog)
    app.state.wall = fake
    return app


def state_overrides(backend: str, folder: Path | None, made: int) -> dict[str, Any]:
    """Settings that put an app on `backend`: a SQLite state file of its own in `folder`."""
    if backend == "memory":
        return {}
    if backend == "sqlite":
        assert folder is not None
        return {"state": str(folder / f"pcsim-{made}.db")}
    raise ValueError(f"no test settings for the store backend {backend!r}")


ON_DISK = {"sqlite"}  # store backends that keep a file; the others are handed no path


def opened(backend: str, folder: Path) -> Store:
    """A store of `backend`, its file (if it keeps one) in `folder`."""
    return open_store(backend, folder / f"{backend}.db" if backend in ON_DISK else None)


class Api:
    """A synchronous face on httpx.AsyncClient(ASGITransport) with Partner Center conveniences."""

    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop, token: str = "any-bearer-string") -> None:
        self.app, self.loop, self.token = app, loop, token
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
        self.ctx = app.state.ctx
        self._wall: FakeWall | None = getattr(app.state, "wall", None)

    @property
    def wall(self) -> FakeWall:
        """The wall time of build_app's manual clock (token lifetimes), moved by hand: `api.wall.advance(s)`."""
        assert self._wall is not None, "this app runs on the system's wall time (built with wall='real')"
        return self._wall

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
    def token_for(self, tenant: str = TENANT, *, user: bool = False) -> str:
        form = ({"grant_type": "password", "username": "admin@partner.example", "password": "pw"} if user
                else {"grant_type": "client_credentials", "client_secret": "secret"})
        form.update(client_id="11111111-2222-3333-4444-555555555555", resource="https://api.partnercenter.microsoft.com")
        reply = self.post(f"/{tenant}/oauth2/token", data=form, token="")
        assert reply.status_code == 200, reply.text
        return str(reply.json()["access_token"])

    def new_customer(self, domain: str | None = None, country: str = "US", *, agreement: bool = True,
                     **kw: Any) -> str:
        """A customer, created as the partner `kw` speaks for; with `agreement` (the default) a partner user
        then confirms its acceptance of the Customer Agreement, which every new purchase needs (13605)."""
        domain = domain or f"c{self.ctx.ids.request_guid()[:8]}.onmicrosoft.com"
        reply = self.post("/v1/customers", json=customer_body(domain, country), **kw)
        assert reply.status_code == 201, reply.text
        customer = str(reply.json()["id"])
        if agreement:
            self.confirm_agreement(customer, **kw)
        return customer

    def confirm_agreement(self, customer: str, **kw: Any) -> None:
        """G3 as a partner user: an App-only `token` is swapped for an App+User one of the same partner."""
        reply = self.post(f"/v1/customers/{customer}/agreements", json=agreement_body(), **kw)
        if reply.status_code == 403 and reply.json().get("code") == 900329:
            user = self.token_for(token_tenant(kw.get("token") or self.token), user=True)
            reply = self.post(f"/v1/customers/{customer}/agreements", json=agreement_body(),
                              **{**kw, "token": user})
        assert reply.status_code == 201, reply.text

    def new_cart(self, customer: str, *lines: dict[str, Any], **kw: Any) -> httpx.Response:
        items = [{"id": n, **line} for n, line in enumerate(lines)]
        return self.post(f"/v1/customers/{customer}/carts", json={"lineItems": items}, **kw)

    def buy(self, customer: str, *lines: dict[str, Any], **kw: Any) -> dict[str, Any]:
        cart = self.new_cart(customer, *lines, **kw)
        assert cart.status_code == 201, cart.text
        reply = self.post(f"/v1/customers/{customer}/carts/{cart.json()['id']}/checkout", **kw)
        assert reply.status_code == 201, reply.text
        body: dict[str, Any] = reply.json()
        return body

    def advance(self, seconds: float) -> str:
        reply = self.post("/_simulator/clock/advance", json={"seconds": seconds})
        assert reply.status_code == 200, reply.text
        return str(reply.json()["now"])


def open_api(loop: asyncio.AbstractEventLoop, **build: Any) -> Api:
    """An Api on build_app(**build), driven by `loop`."""
    return Api(build_app(**build), loop)


def close_api(api: Api, *, clean: bool = False) -> None:
    """Close the client and let go of the store; a clean stop is what `pcsim serve` does on SIGINT/SIGTERM
    (a --state file gets its last words)."""
    api.loop.run_until_complete(api.client.aclose())
    if clean:
        persistence.close(api.ctx)
    else:
        api.ctx.store.close()


def fresh_api(**build: Any) -> Iterator[Api]:
    """One Api on its own loop, for one generated example: `for api in fresh_api(...)` (the fixture catalog
    loaded once, on the system's wall time unless said otherwise)."""
    build.setdefault("catalog", shared_catalog())
    build.setdefault("wall", "real")
    loop = asyncio.new_event_loop()
    api = open_api(loop, **build)
    try:
        yield api
    finally:
        loop.run_until_complete(api.client.aclose())
        loop.close()


# --- a fresh venv -----------------------------------------------------------------------------------

def pip_command(venv: Path) -> list[str]:
    """pip acting on `venv`: this test's own pip with --python (pip 22.3+) spares the fresh venv a pip
    of its own (ensurepip is a third of the install's time); the venv's own pip otherwise. For the tests
    that install pcsim in a fresh venv (tests/test_container.py, tests/test_readme.py)."""
    try:
        major, minor = (int(n) for n in importlib.metadata.version("pip").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        major, minor = 0, 0
    if (major, minor) >= (22, 3):
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
        return [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    return [str(venv / "bin" / "python"), "-m", "pip"]


# --- a real socket ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Live:
    def __init__(self, app: Any, base_url: str) -> None:
        self.app, self.base_url = app, base_url
        self.ctx = app.state.ctx


@contextmanager
def serve(app: Any, *, ssl_certfile: str | None = None, ssl_keyfile: str | None = None,
          host: str = "127.0.0.1") -> Iterator[Live]:
    """A real uvicorn server (the pytest plugin's runner) on a free port of `host`, in a thread, until the
    block ends, for tests where the network matters (clients that bring their own HTTP stack); yields it
    with its base URL. Build the app with wall="real": those clients judge token lifetimes by the system clock."""
    with runners.serve(app, host, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile) as base_url:
        yield Live(app, base_url)


# --- shared steps of the areas' tests -------------------------------------------------------------
def move_to(api: Api, moment: str) -> None:
    reply = api.post("/_simulator/clock/advance", json={"until": moment})
    assert reply.status_code == 200, reply.text


def every_page(api: Api, path: str) -> tuple[list[dict[str, Any]], int]:
    """The items of a page and of every page its `next` links lead to, and how many pages there were."""
    found, pages, reply = [], 0, api.get(path)
    while True:
        assert reply.status_code == 200, reply.text
        body, pages = reply.json(), pages + 1
        found += body["items"]
        follow = body["links"].get("next")
        if follow is None:
            return found, pages
        assert body["totalCount"] == len(body["items"])
        headers = {h["key"]: h["value"] for h in follow["headers"]}
        reply = api.get("/v1" + follow["uri"], headers=headers)


UNBILLED = "/v1/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype={}&currencycode={}&period={}"


def unbilled(api: Api, period: str = "current", line_type: str = "billinglineitems", currency: str = "usd",
             extra: str = "") -> list[dict[str, Any]]:
    reply = api.get(UNBILLED.format(line_type, currency, period) + extra)
    assert reply.status_code == 200, reply.text
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def sub_path(customer: str, sub: str) -> str:
    return f"/v1/customers/{customer}/subscriptions/{sub}"


def buy_subscription(api: Api, customer: str, line: dict[str, Any], **kw: Any) -> str:
    """The id of the one subscription a purchase makes (needs provisioning_delay=0 or a legacy offer)."""
    return str(api.buy(customer, line, **kw)["orders"][0]["lineItems"][0]["subscriptionId"])


def read(api: Api, customer: str, sub: str, **kw: Any) -> dict[str, Any]:
    reply = api.get(sub_path(customer, sub), **kw)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def update(api: Api, customer: str, sub: str, **changes: Any) -> httpx.Response:
    """PATCH the subscription as read, with some fields changed (the documented way to update)."""
    body = {**read(api, customer, sub), **changes}
    return api.patch(sub_path(customer, sub), json=body)


def updated(api: Api, customer: str, sub: str, **changes: Any) -> dict[str, Any]:
    reply = update(api, customer, sub, **changes)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def refused(reply: httpx.Response) -> tuple[int, int | None]:
    """Status and Partner Center error code (None when the answer is not an error body)."""
    return reply.status_code, reply.json().get("code")


ELIGIBILITY, UPGRADES = "/v1/productUpgrades/eligibility", "/v1/productUpgrades"


# --- Azure spending -----------------------------------------------------------------------------
def link(uri: str) -> dict[str, Any]:
    return {"self": {"uri": uri, "method": "GET", "headers": []}}


def money(value: Any) -> Decimal:
    return Decimal(str(value))


@dataclass
class Partner:
    """A partner buying Azure: an App-only token for purchases, an App+User one (sent by default)."""
    api: Api
    app: str   # App-only token
    user: str  # App+User token

    def customer(self, country: str = "US") -> str:
        return self.api.new_customer(country=country, token=self.app)

    def buy(self, customer: str, line: dict[str, Any]) -> str:
        return buy_subscription(self.api, customer, line, token=self.app)

    def get(self, path: str, *, user: bool = True) -> Any:
        reply = self.api.get(path, token=self.user if user else self.app)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def rows(self, customer: str, sub: str, first: date = date(2026, 1, 1), last: date = date(2026, 1, 31)
             ) -> list[UsageRow]:
        """The rated rows of the subscription as it stands now, through billing's interface (rated.py)."""
        from simulator.ids import name_guid
        from simulator.subscriptions import lifecycle, records
        from simulator.usage.rated import rated_usage

        ctx, now = self.api.ctx, self.api.ctx.clock.now()
        record = ctx.store.get("subscription", records.subscription_key(name_guid(TENANT), customer, sub))
        assert record is not None
        return rated_usage(ctx, lifecycle.current(ctx, record, now), first, last, now)


def new_partner(make_api: Any) -> Partner:
    api = make_api(provisioning_delay=0)
    api.token = api.token_for(user=True)  # what a call without token= sends
    return Partner(api, api.token_for(), api.token)


def plan_customer(partner: Partner, country: str = "GB") -> tuple[str, str]:
    customer = partner.customer(country)
    return customer, partner.buy(customer, PLAN_LINE)


def legacy_customer(partner: Partner, country: str = "US") -> tuple[str, str]:
    customer = partner.customer(country)
    return customer, partner.buy(customer, LEGACY_AZURE_LINE)


def summary(partner: Partner, customer: str, sub: str) -> dict[str, Any]:
    body: dict[str, Any] = partner.get(sub_path(customer, sub) + "/usagesummary")
    return body


@contextmanager
def serve_process(command: list[str], port: int, env: dict[str, str]
                  ) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    """A real `pcsim serve` process (`command`, listening on `port`) until the block ends (or the test
    kills it): yields the process, its base URL and the lines it said up to its ready line."""
    proc = subprocess.Popen(command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    said: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while not said or "ready" not in said[-1]:
            ready, _, _ = select.select([proc.stdout], [], [], max(deadline - time.monotonic(), 0))
            assert ready, "no ready line within 30 s"
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            said.append(line)
        yield proc, f"http://127.0.0.1:{port}", said
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()
        proc.stderr.close()


# --- a real browser (the console's tests) -------------------------------------------------------------
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def chromium_missing() -> str | None:
    """Why Debian's chromium can't be driven here (.ci/run installs it), or None."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    return f"{' and '.join(missing)} missing: apt-get install chromium chromium-driver" if missing else None


def chromium(width: int = 1280, height: int = 900) -> Any:
    """Headless chromium driven by selenium through Debian's chromedriver: nothing is downloaded."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--lang=en-US"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


# --- invoices (test_billing_invoices, test_billing_credit_notes) --------------------------------

ROW = re.compile(r"^(OneTime|Office|Azure) (BillingLineItems|UsageLineItems) (-?[\d,]+(?:\.\d+)?) ([A-Z]{3})$")


def uri_link(uri: str) -> dict[str, Any]:
    """A link object as invoices carry them."""
    return {"uri": uri, "method": "GET", "headers": []}


def until(api: Api, moment: str) -> None:
    assert api.post("/_simulator/clock/advance", json={"until": moment}).status_code == 200


def users(api: Api) -> Api:
    """The partner's App+User token for every call (I2, I7 and I8 take no other), App-only kept aside."""
    api.app_token = api.token_for()  # type: ignore[attr-defined]
    api.token = api.token_for(user=True)
    return api


def invoices(api: Api, query: str = "") -> dict[str, Any]:
    reply = api.get(f"/v1/invoices{query}")
    assert reply.status_code == 200, reply.text
    return reply.json()


def listed_invoice(invoice_id: str, total: Decimal, currency: str = "USD", month: str = "01",
                   last_day: str = "31") -> dict[str, Any]:
    """A OneTime invoice of a 2026 month as I1 lists it (the example's shape)."""
    next_month = f"{int(month) + 1:02d}"
    return {
        "id": invoice_id, "invoiceDate": f"2026-{next_month}-02T00:00:00Z",
        "billingPeriodStartDate": f"2026-{month}-01T00:00:00Z",
        "billingPeriodEndDate": f"2026-{month}-{last_day}T00:00:00Z",
        "totalCharges": float(total), "paidAmount": 0, "currencyCode": currency, "currencySymbol": "$", "taxReceipts": [],
        "invoiceDetails": [{"invoiceLineItemType": "billing_line_items", "billingProvider": "one_time",
                            "links": {"self": uri_link(f"/invoices/OneTime-{invoice_id}/lineitems/OneTime/BillingLineItems")},
                            "attributes": {"objectType": "InvoiceDetail"}}],
        "amendments": [], "documentType": "invoice", "invoiceType": "OneTime",
        "links": {"self": uri_link(f"/invoices/OneTime-{invoice_id}")}, "attributes": {"objectType": "Invoice"}}


def statement_text(api: Api, invoice_id: str) -> str:
    reply = api.get(f"/v1/invoices/{invoice_id}/documents/statement")
    assert reply.status_code == 200, reply.text
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(reply.content)).pages)


def statement_rows(text: str) -> list[Decimal]:
    return [Decimal(m.group(3).replace(",", "")) for line in text.splitlines() if (m := ROW.match(line.strip()))]


def invoice_summary(balance: Decimal, currency: str, first: str, latest: str) -> dict[str, Any]:
    return {"balanceAmount": float(balance), "currencyCode": currency, "currencySymbol": "$", "accountingDate": latest,
            "firstInvoiceCreationDate": first, "lastPaymentDate": "0001-01-01T00:00:00", "lastPaymentAmount": 0,
            "latestInvoiceDate": latest, "attributes": {"objectType": "InvoiceSummary"}}
