"""The pytest plugin (simulator/pytest_plugin), through its own fixtures: pcsim (a real server per
test), pcsim_session (one server for the run), pcsim_asgi (httpx transports, no server), and, with
pytester, a test file of another project that only has pcsim installed."""
from __future__ import annotations

import asyncio
import os
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from simulator.pytest_plugin import AsgiSimulator, ControlError, Simulator
from tests.helpers import confirm_over_http, customer_body, nce_line

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
START = "2026-01-05T10:00:00Z"


def buy(client: httpx.Client, headers: dict[str, str], domain: str = "fabrikam.onmicrosoft.com") -> tuple[str, str]:
    customer = client.post("/v1/customers", json=customer_body(domain), headers=headers)
    assert customer.status_code == 201, customer.text
    cid = customer.json()["id"]
    confirm_over_http(client, cid, headers)  # the Customer Agreement, without which nothing is bought (13605)
    cart = client.post(f"/v1/customers/{cid}/carts", json={"lineItems": [{"id": 0, **nce_line()}]}, headers=headers)
    assert cart.status_code == 201, cart.text
    checkout = client.post(f"/v1/customers/{cid}/carts/{cart.json()['id']}/checkout", headers=headers)
    assert checkout.status_code == 201, checkout.text
    return cid, checkout.json()["orders"][0]["id"]


def customers(sim: Simulator, tenant: str = "contoso.onmicrosoft.com") -> int:
    return int(sim.client.get("/v1/customers", headers=sim.headers(tenant)).json()["totalCount"])


# --- pcsim: a real server per test ------------------------------------------------------------

@pytest.mark.pcsim(start_time=START)
def test_buy_over_http_advance_the_clock_and_see_the_order_listed(pcsim: Simulator) -> None:
    assert pcsim.base_url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=pcsim.base_url, headers=pcsim.headers("fabrikam-partner.onmicrosoft.com")) as api:
        cid, order = buy(api, {})
        assert api.get(f"/v1/customers/{cid}/orders").json()["totalCount"] == 0  # the listing delay
        assert pcsim.clock.advance(seconds=900) == datetime(2026, 1, 5, 10, 15, tzinfo=timezone.utc)
        listed = api.get(f"/v1/customers/{cid}/orders").json()
        assert [o["id"] for o in listed["items"]] == [order]
        assert listed["items"][0]["status"] == "completed"
        assert api.get(f"/v1/customers/{cid}/subscriptions").json()["totalCount"] == 1


def test_app_only_and_app_user_tokens_for_any_tenant(pcsim: Simulator) -> None:
    app_only, user = pcsim.headers("woodgrove.onmicrosoft.com"), pcsim.headers("woodgrove.onmicrosoft.com", user=True)
    cid, order = buy(pcsim.client, app_only)
    status = f"/v1/customers/{cid}/orders/{order}/provisioningstatus"
    refused = pcsim.client.get(status, headers=app_only)
    assert (refused.status_code, refused.json()["code"]) == (403, 900329)
    assert pcsim.client.get(status, headers=user).status_code == 200
    # Each partner tenant sees only its own customers; a GUID names a tenant as well as a domain.
    assert customers(pcsim, "woodgrove.onmicrosoft.com") == 1
    assert customers(pcsim, pcsim.tenant_id("woodgrove.onmicrosoft.com")) == 1
    assert customers(pcsim, "tailspin.onmicrosoft.com") == 0


@pytest.mark.parametrize("run", [1, 2])
def test_every_test_gets_a_simulator_of_its_own(pcsim: Simulator, run: int) -> None:
    buy(pcsim.client, pcsim.headers())
    assert customers(pcsim) == 1  # the other run's customer is not here


@pytest.mark.pcsim(seed=7, start_time=datetime(2026, 3, 1, tzinfo=timezone.utc), order_list_delay=0)
def test_the_marker_sets_any_setting(pcsim: Simulator) -> None:
    assert (pcsim.settings.seed, pcsim.settings.order_list_delay) == (7, 0)
    assert pcsim.clock.now() == datetime(2026, 3, 1, tzinfo=timezone.utc)
    cid, order = buy(pcsim.client, pcsim.headers())
    assert pcsim.client.get(f"/v1/customers/{cid}/orders", headers=pcsim.headers()).json()["totalCount"] == 1


@pytest.mark.pcsim(start_time=START)
def test_the_clock_moves_by_seconds_a_timedelta_or_to_a_time(pcsim: Simulator) -> None:
    assert pcsim.clock.advance(seconds=30).isoformat() == "2026-01-05T10:00:30+00:00"
    assert pcsim.clock.advance(timedelta(hours=1)).isoformat() == "2026-01-05T11:00:30+00:00"
    assert pcsim.clock.advance(until="2026-02-01T00:00:00Z") == datetime(2026, 2, 1, tzinfo=timezone.utc)
    assert pcsim.clock.advance(until=datetime(2026, 3, 1)) == datetime(2026, 3, 1, tzinfo=timezone.utc)
    with pytest.raises(ControlError) as refused:
        pcsim.clock.advance(until="2020-01-01T00:00:00Z")
    assert refused.value.response.status_code == 400
    with pytest.raises(TypeError):
        pcsim.clock.advance()


def test_reset_of_everything_or_of_one_tenant(pcsim: Simulator) -> None:
    first = buy(pcsim.client, pcsim.headers())
    buy(pcsim.client, pcsim.headers("other.onmicrosoft.com"), domain="northwind.onmicrosoft.com")
    assert pcsim.reset(tenant="contoso.onmicrosoft.com")["status"] == "reset"
    assert (customers(pcsim), customers(pcsim, "other.onmicrosoft.com")) == (0, 1)
    pcsim.reset()
    assert customers(pcsim, "other.onmicrosoft.com") == 0
    assert buy(pcsim.client, pcsim.headers()) == first  # ids are reseeded


# --- pcsim_session: one server, isolated by reset() or by a snapshot ---------------------------

@pytest.fixture
def shared(pcsim_session: Simulator) -> Simulator:
    """docs/pytest.md's cheap pattern: one server for the run, emptied before each test."""
    pcsim_session.clean()
    return pcsim_session


@pytest.mark.parametrize("run", [1, 2])
def test_a_session_simulator_reset_per_test(shared: Simulator, run: int) -> None:
    assert customers(shared) == 0
    buy(shared.client, shared.headers())
    assert customers(shared) == 1


def test_the_session_simulator_is_another_server(shared: Simulator, pcsim: Simulator,
                                                 request: pytest.FixtureRequest) -> None:
    assert request.getfixturevalue("pcsim_session") is shared
    assert shared.base_url != pcsim.base_url
    buy(shared.client, shared.headers())
    assert (customers(shared), customers(pcsim)) == (1, 0)


@pytest.fixture
def restored(pcsim_session: Simulator) -> Iterator[Simulator]:
    """Isolation with the clock included: back to a snapshot taken once (the first time)."""
    if "clean" not in {snap["name"] for snap in pcsim_session.snapshots()}:
        pcsim_session.clean()
        pcsim_session.snapshot("clean")
    pcsim_session.clean("clean")
    yield pcsim_session


@pytest.mark.parametrize("run", [1, 2])
def test_a_session_simulator_restored_per_test(restored: Simulator, run: int) -> None:
    start = restored.clock.now()
    assert (restored.journal.list(path="/v1/*"), restored.faults.list(), customers(restored)) == ([], [], 0)
    first = buy(restored.client, restored.headers())
    restored.faults.add(path="/v1/customers", effect="throttle")
    restored.clock.advance(seconds=86400)
    assert restored.clock.now() == start + timedelta(days=1)
    restored.clean("clean")
    assert (restored.clock.now(), restored.faults.list(), customers(restored)) == (start, [], 0)
    assert buy(restored.client, restored.headers()) == first  # the id streams went back too


def test_snapshots_keep_state_and_clock(pcsim: Simulator) -> None:
    buy(pcsim.client, pcsim.headers())
    taken = pcsim.snapshot("one-customer")
    assert taken["name"] == "one-customer"
    assert [s["name"] for s in pcsim.snapshots()] == ["one-customer"]
    pcsim.clock.advance(seconds=3600)
    buy(pcsim.client, pcsim.headers(), domain="second.onmicrosoft.com")
    assert customers(pcsim) == 2
    back = pcsim.restore("one-customer")
    assert back["now"] == taken["now"]
    assert customers(pcsim) == 1
    assert pcsim.clock.now().isoformat().replace("+00:00", "Z").startswith(taken["now"][:19])
    pcsim.delete_snapshot("one-customer")
    assert pcsim.snapshots() == []
    with pytest.raises(ControlError):
        pcsim.restore("one-customer")


# --- faults and the journal ---------------------------------------------------------------------

def test_faults_are_added_listed_removed_and_cleared(pcsim: Simulator) -> None:
    headers = pcsim.headers()
    fid = pcsim.faults.add("GET", "/v1/customers", effect={"type": "error", "status": 500, "code": 1}, times=1)
    assert [f["id"] for f in pcsim.faults.list()] == [fid]
    assert pcsim.client.get("/v1/customers", headers=headers).status_code == 500
    assert pcsim.client.get("/v1/customers", headers=headers).status_code == 200  # times=1
    throttled = pcsim.faults.add(path="/v1/*", effect="throttle", tenant="contoso.onmicrosoft.com")
    assert pcsim.client.get("/v1/customers", headers=headers).status_code == 429
    assert pcsim.client.get("/v1/customers", headers=pcsim.headers("other.onmicrosoft.com")).status_code == 200
    pcsim.faults.remove(throttled)
    assert pcsim.client.get("/v1/customers", headers=headers).status_code == 200
    pcsim.faults.add(path="/v1/customers", effect="drop")
    with pytest.raises(httpx.TransportError):  # a real connection, closed without an answer
        pcsim.client.get("/v1/customers", headers=headers)
    pcsim.faults.clear()
    assert pcsim.faults.list() == []
    assert pcsim.client.get("/v1/customers", headers=headers).status_code == 200


def test_the_journal_lists_and_forgets_requests(pcsim: Simulator) -> None:
    headers = pcsim.headers("journal.onmicrosoft.com")
    pcsim.journal.clear()
    buy(pcsim.client, headers)
    pcsim.client.get("/v1/customers", headers=headers)
    seen = pcsim.journal.list(tenant="journal.onmicrosoft.com")
    assert {(r["method"], r["status"]) for r in seen} >= {("POST", 201), ("GET", 200)}
    gets = pcsim.journal.list(method="GET", path="/v1/customers")
    assert [r["status"] for r in gets] == [200]
    assert len(pcsim.journal.list(limit=1)) == 1
    pcsim.journal.clear()
    assert pcsim.journal.list(path="/v1/*") == []


@pytest.mark.pcsim(control_token="s3cret", start_time=START)
def test_the_control_token_is_sent(pcsim: Simulator) -> None:
    assert pcsim.client.get("/_simulator/clock").status_code == 401
    assert pcsim.clock.advance(seconds=60).isoformat() == "2026-01-05T10:01:00+00:00"
    assert pcsim.reset()["status"] == "reset"


# --- pcsim_asgi: no server, httpx transports -----------------------------------------------------

@pytest.mark.pcsim(start_time=START)
def test_the_asgi_variant_for_code_that_takes_a_transport(pcsim_asgi: AsgiSimulator) -> None:
    sim = pcsim_asgi
    assert sim.base_url == "https://api.partnercenter.microsoft.com"
    # Synchronous code that takes a transport.
    with httpx.Client(transport=sim.sync_transport, base_url=sim.base_url, headers=sim.headers()) as api:
        cid, order = buy(api, {})
    assert sim.clock.advance(seconds=900).isoformat() == "2026-01-05T10:15:00+00:00"

    # Asynchronous code, on its own event loop, through the same app.
    async def listed() -> list[str]:
        reply = await sim.async_client.get(f"/v1/customers/{cid}/orders", headers=sim.headers())
        return [o["id"] for o in reply.json()["items"]]

    assert asyncio.run(listed()) == [order]
    assert customers(sim) == 1
    sim.reset()
    assert customers(sim) == 0


def test_the_asgi_sync_transport_streams_request_bodies(pcsim_asgi: AsgiSimulator) -> None:
    import json

    body = json.dumps(customer_body("streamed.onmicrosoft.com")).encode()
    reply = pcsim_asgi.client.post("/v1/customers", content=iter([body[:10], body[10:]]),
                                   headers={**pcsim_asgi.headers(), "Content-Type": "application/json"})
    assert reply.status_code == 201, reply.text
    assert reply.headers["MS-RequestId"]


# --- the plugin as another project meets it ----------------------------------------------------

OUTSIDE = '''
import httpx
import pytest


def test_the_seed_comes_from_the_command_line(pcsim):
    assert pcsim.settings.seed == 5


@pytest.mark.pcsim(start_time="2026-03-01T00:00:00Z")
def test_the_clock(pcsim):
    assert pcsim.clock.now().isoformat() == "2026-03-01T00:00:00+00:00"
    assert pcsim.clock.advance(seconds=60).isoformat() == "2026-03-01T00:01:00+00:00"


def test_a_token_and_the_api(pcsim):
    with httpx.Client(base_url=pcsim.base_url, headers=pcsim.headers(user=True)) as api:
        assert api.get("/v1/customers").json()["totalCount"] == 0
'''


def entry_point() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return str(project["entry-points"]["pytest11"]["pcsim"])


def test_pyproject_declares_the_entry_point_and_ships_the_plugin() -> None:
    assert entry_point() == "simulator.pytest_plugin"
    assert "simulator.pytest_plugin" in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]


def test_an_installed_pcsim_brings_the_fixtures_through_its_entry_point(pytester: pytest.Pytester,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # A distribution on the path with pyproject's pytest11 entry point, as `pip install pcsim`
    # leaves one, and a fresh interpreter: nothing registers the plugin but pytest's autoload.
    site = pytester.mkdir("site")
    info = site / "pcsim_probe-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pcsim-probe\nVersion: 0\n")
    (info / "entry_points.txt").write_text(f"[pytest11]\npcsim = {entry_point()}\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), str(ROOT)]))
    # Nothing of the running suite's pytest leaks in: PYTEST_XDIST_WORKER, set on an xdist worker, makes
    # an installed pytest-benchmark warn, and `-W error` turns that warning into an internal error.
    for name in [k for k in os.environ if k.startswith("PYTEST_")]:
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(test_outside=OUTSIDE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", "--strict-markers",
                                           "--pcsim-seed", "5")
    result.assert_outcomes(passed=3)


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """An in-process run with only this plugin (and no autoloaded one, which would register it twice)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    return pytester


def run_inner(pytester: pytest.Pytester, *args: str) -> Any:
    return pytester.runpytest("-p", "simulator.pytest_plugin", "-p", "no:cacheprovider", "--strict-markers", *args)


def test_the_ini_option_and_a_session_settings_override(inner: pytest.Pytester) -> None:
    inner.makeini("[pytest]\npcsim_seed = 11\n")
    inner.makeconftest('''
import pytest

@pytest.fixture(scope="session")
def pcsim_session_settings(pcsim_session_settings):
    return {**pcsim_session_settings, "order_list_delay": 0}
''')
    inner.makepyfile('''
def test_function(pcsim):
    assert pcsim.settings.seed == 11

def test_session(pcsim_session):
    assert (pcsim_session.settings.seed, pcsim_session.settings.order_list_delay) == (11, 0)

def test_asgi(pcsim_asgi):
    assert pcsim_asgi.settings.seed == 11
''')
    run_inner(inner).assert_outcomes(passed=3)
    run_inner(inner, "--pcsim-seed=12", "-k", "function or asgi").assert_outcomes(passed=0, failed=2)


def test_settings_mistakes_are_told_plainly(inner: pytest.Pytester) -> None:
    inner.makepyfile('''
import pytest

@pytest.mark.pcsim(sead=1)
def test_typo(pcsim):
    pass

@pytest.mark.pcsim(start_time="soon")
def test_bad_time(pcsim_asgi):
    pass
''')
    result = run_inner(inner)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*unknown pcsim setting(s) sead; known:*", "*start_time 'soon' is not an ISO-8601 time*"])


def test_a_run_that_uses_no_pcsim_fixture_starts_nothing(inner: pytest.Pytester) -> None:
    inner.makepyfile("def test_plain():\n    assert True\n")
    result = run_inner(inner, "--pcsim-seed=3")
    result.assert_outcomes(passed=1)
