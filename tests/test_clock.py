"""The simulated clock: manual or running, its speed, switching at runtime, one instant per request,
snapshots, reset and --state restarts; and, as a partner's integration runs it, an unmodified client
against `pcsim serve` that sees its order provisioned while it polls (no /_simulator calls)."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from simulator import cli, wire
from simulator.clock import Clock, ManualClock
from simulator.pytest_plugin import AsgiSimulator
from simulator.settings import from_env
from simulator.wire import parse_time
from tests.helpers import (
    ROOT,
    START,
    Api,
    agreement_body,
    build_app,
    close_api,
    customer_body,
    free_port,
    nce_line,
    open_api,
    serve_process,
)

T0 = parse_time(START)


class Ticks:
    """A monotonic counter moved by hand (`wait`), or by `step` on every read: a clock that runs."""

    def __init__(self, step: float = 0.0) -> None:
        self.at, self.step = 1000.0, step

    def __call__(self) -> float:
        self.at += self.step
        return self.at

    def wait(self, seconds: float) -> None:
        self.at += seconds


@pytest.fixture
def make(loop: asyncio.AbstractEventLoop) -> Iterator[Any]:
    """Apps on a running clock whose wall time is `ticks` (in memory, or on a --state file)."""
    made: list[Api] = []

    def build(ticks: Ticks, speed: float = 1.0, mode: str = "running", **settings: Any) -> Api:
        api = open_api(loop, clock=Clock(T0, mode=mode, speed=speed, ticks=ticks), **settings)
        made.append(api)
        return api

    yield build
    for api in made:
        close_api(api)


def clock(api: Api) -> dict[str, Any]:
    reply = api.get("/_simulator/clock")
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def put_clock(api: Api, body: Any) -> httpx.Response:
    return api.put("/_simulator/clock", json=body)


def at(seconds: float) -> str:
    """The time `seconds` after START, as the wire writes it."""
    return wire.iso(T0 + timedelta(seconds=seconds)) or ""


# --- in process, wall time by hand ------------------------------------------------------------------

def test_a_running_clock_follows_wall_time_times_its_speed_and_advances_too(make: Any) -> None:
    ticks = Ticks()
    api = make(ticks, speed=60)
    assert clock(api) == {"now": START, "mode": "running", "speed": 60}
    ticks.wait(1.5)
    assert clock(api)["now"] == at(90)
    assert api.post("/_simulator/clock/advance", json={"seconds": 3600}).json() == {"now": at(3690)}
    ticks.wait(1)
    assert clock(api)["now"] == at(3750)  # it runs on from where the advance put it
    assert api.post("/_simulator/clock/advance", json={"until": "2026-02-01T00:00:00Z"}).json() == {
        "now": "2026-02-01T00:00:00Z"}
    reply = api.post("/_simulator/clock/advance", json={"until": at(3750)})  # behind the running clock
    assert (reply.status_code, reply.json()["code"]) == (400, 800002)


def test_pausing_keeps_the_time_reached_and_resuming_runs_on_from_it(make: Any) -> None:
    ticks = Ticks()
    api = make(ticks, speed=10)
    ticks.wait(6)
    paused = put_clock(api, {"mode": "manual"})
    assert paused.json() == {"now": at(60), "mode": "manual", "speed": 10}
    ticks.wait(100)
    assert clock(api) == {"now": at(60), "mode": "manual", "speed": 10}
    assert api.post("/_simulator/clock/advance", json={"seconds": 40}).json() == {"now": at(100)}
    assert put_clock(api, {"mode": "running", "speed": 2}).json() == {"now": at(100), "mode": "running", "speed": 2}
    ticks.wait(5)
    assert clock(api) == {"now": at(110), "mode": "running", "speed": 2}
    assert put_clock(api, {"speed": 0.5}).json() == {"now": at(110), "mode": "running", "speed": 0.5}
    ticks.wait(4)
    assert clock(api)["now"] == at(112)


@pytest.mark.parametrize("body", [
    {}, {"mode": "paused"}, {"mode": "Running"}, {"mode": 1}, {"speed": 0}, {"speed": -1}, {"speed": "60"},
    {"speed": True}, {"speed": 1e7}, {"mode": "running", "speed": 0}, {"mode": None}, {"speed": None},
    {"mode": "manual", "speed": None}, [], "manual", None])
def test_bad_clock_settings_are_400_with_the_control_apis_error_body(make: Any, body: Any) -> None:
    ticks = Ticks()
    api = make(ticks, speed=3)
    reply = put_clock(api, body)
    assert reply.status_code == 400, reply.text
    assert set(reply.json()) == {"code", "description", "data", "source"}
    assert reply.json()["code"] == 800002
    assert clock(api) == {"now": START, "mode": "running", "speed": 3}  # nothing changed


def test_a_body_that_is_not_json_is_400_too(make: Any) -> None:
    api = make(Ticks())
    reply = api.put("/_simulator/clock", content=b"{mode: running", headers={"Content-Type": "application/json"})
    assert (reply.status_code, reply.json()["code"]) == (400, 800002)


def test_one_request_sees_one_instant_even_when_the_clock_runs_fast(make: Any) -> None:
    """Every read of this clock's wall time is an hour later, and an order takes half an hour to
    provision. A checkout reads the time in several rules (the cart's expiry, the order, its
    subscriptions, the answer's status): all of them see one instant, so the order it answers is
    pending; read apart, the answer would be rendered an hour after the order was placed."""
    ticks = Ticks(step=1.0)
    api = make(ticks, speed=3600, provisioning_delay=1800, order_list_delay=0)
    first, second = clock(api)["now"], clock(api)["now"]
    assert parse_time(second) - parse_time(first) >= timedelta(hours=1)  # it does run, and fast
    customer = api.new_customer()
    order = api.buy(customer, nce_line(quantity=2), nce_line(quantity=1, term="P1M"))["orders"][0]
    assert order["status"] == "pending"
    assert [line.get("subscriptionId") for line in order["lineItems"]] == [None, None]
    created = parse_time(order["creationDate"])
    # the next request is an hour later: provisioned, its subscriptions dated when it was (30 minutes in)
    read = api.get(f"/v1/customers/{customer}/orders/{order['id']}").json()
    assert read["status"] == "completed" and all("subscriptionId" in line for line in read["lineItems"])
    subs = api.get(f"/v1/customers/{customer}/subscriptions").json()["items"]
    provisioned = created + timedelta(minutes=30)
    assert [parse_time(sub["creationDate"]) for sub in subs] == [provisioned, provisioned]
    assert {parse_time(sub["cancellationAllowedUntilDate"]) for sub in subs} == {provisioned + timedelta(days=7)}


def test_a_snapshot_brings_the_time_back_and_a_running_clock_runs_on_from_it(make: Any) -> None:
    ticks = Ticks()
    api = make(ticks, speed=60)
    ticks.wait(1)
    assert api.post("/_simulator/snapshots", json={"name": "start"}).json()["now"] == at(60)
    api.advance(86400)
    ticks.wait(1)
    assert api.post("/_simulator/snapshots/start/restore").json() == {"name": "start", "now": at(60)}
    assert clock(api) == {"now": at(60), "mode": "running", "speed": 60}
    ticks.wait(2)
    assert clock(api)["now"] == at(180)
    put_clock(api, {"mode": "manual"})
    api.advance(600)
    assert api.post("/_simulator/snapshots/start/restore").json()["now"] == at(60)
    assert clock(api) == {"now": at(60), "mode": "manual", "speed": 60}  # the mode is not part of the state


def test_reset_leaves_the_clock_as_it_is(make: Any) -> None:
    ticks = Ticks()
    api = make(ticks, speed=5)
    api.new_customer()
    ticks.wait(2)
    assert api.post("/_simulator/reset").json() == {"status": "reset", "now": at(10)}
    assert clock(api) == {"now": at(10), "mode": "running", "speed": 5}


def test_the_journal_times_a_request_at_its_instant(make: Any) -> None:
    ticks = Ticks(step=1.0)
    api = make(ticks, speed=60, order_list_delay=0)
    customer = api.post("/v1/customers", json=customer_body("timed.onmicrosoft.com"))
    entry = [e for e in api.get("/_simulator/requests").json()["items"] if e["path"] == "/v1/customers"][-1]
    stored = api.ctx.store.get("customer", (api.ctx.settings.default_tenant, customer.json()["id"]))
    assert entry["at"] == stored["created"]


# --- where the defaults live ------------------------------------------------------------------------

def test_create_app_keeps_a_manual_clock_and_pcsim_serve_runs_one() -> None:
    assert from_env({}).clock is None  # unset: whoever runs the app decides
    app = build_app(wall="real")  # no clock handed in: create_app's own
    assert (app.state.ctx.clock.mode, app.state.ctx.clock.speed) == ("manual", 1.0)
    served = build_app(served=True)  # cli.build
    assert (served.state.ctx.clock.mode, served.state.ctx.clock.speed) == ("running", 1.0)
    slow = build_app(from_env({"PCSIM_CLOCK": "manual", "PCSIM_CLOCK_SPEED": "60"}), served=True)
    assert (slow.state.ctx.clock.mode, slow.state.ctx.clock.speed) == ("manual", 60.0)
    args = cli.build_parser().parse_args(["serve", "--clock", "running", "--clock-speed", "2.5"])
    assert (args.clock, args.clock_speed) == ("running", 2.5)
    assert ManualClock is Clock and Clock(T0).mode == "manual"  # the old name still builds a manual clock


@pytest.mark.parametrize("flags, said", [
    (["--clock", "paused"], "the clock mode is running or manual, not 'paused'"),
    (["--clock-speed", "0"], "the clock speed is a number above 0"),
    (["--clock-speed", "nan"], "the clock speed is a number above 0"),
])
def test_serve_refuses_a_bad_clock_with_exit_code_2(flags: list[str], said: str) -> None:
    done = subprocess.run([sys.executable, "-m", "simulator", "serve", "--port", str(free_port()), *flags],
                          env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("pcsim: --clock / --clock-speed: ") and said in done.stderr, done.stderr


def test_the_pytest_plugins_simulators_keep_a_manual_clock(pcsim_asgi: AsgiSimulator) -> None:
    assert pcsim_asgi.clock.state()["mode"] == "manual"
    now = pcsim_asgi.clock.now()
    assert pcsim_asgi.clock.now() == now
    assert pcsim_asgi.clock.run(speed=3600) >= now
    assert pcsim_asgi.clock.state()["mode"] == "running"
    paused = pcsim_asgi.clock.pause()
    assert pcsim_asgi.clock.state() == {"now": wire.iso(paused), "mode": "manual", "speed": 3600}


# --- a real `pcsim serve` ---------------------------------------------------------------------------

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
TENANT = "contoso.onmicrosoft.com"


@contextmanager
def serving(*flags: str) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    """`pcsim serve` as a user starts it, on a free loopback port, until the block ends (or it is killed)."""
    port = free_port()
    with serve_process([sys.executable, "-m", "simulator", "serve", "--port", str(port), *flags], port, ENV) as served:
        yield served


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None,
         form: dict[str, str] | None = None) -> Any:
    """One request with nothing but urllib, as an integration with no pcsim in it would send it."""
    headers = {"Accept": "application/json"}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=20) as reply:
        return json.loads(reply.read() or b"null")


def test_an_unmodified_integration_sees_its_order_completed_while_it_polls() -> None:
    delay = 2.0
    with serving("--provisioning-delay", str(delay)) as (_, base, _said):
        token = call(base, "POST", f"/{TENANT}/oauth2/token", form={
            "grant_type": "client_credentials", "client_id": "11111111-2222-3333-4444-555555555555",
            "client_secret": "secret", "resource": "https://api.partnercenter.microsoft.com"})["access_token"]
        customer = call(base, "POST", "/v1/customers", customer_body("polling.onmicrosoft.com"), token)["id"]
        # A partner user confirms the customer's acceptance of the Customer Agreement, as an integration does.
        user = call(base, "POST", f"/{TENANT}/oauth2/token", form={
            "grant_type": "password", "client_id": "11111111-2222-3333-4444-555555555555", "username": "admin@x.example",
            "password": "pw", "resource": "https://api.partnercenter.microsoft.com"})["access_token"]
        call(base, "POST", f"/v1/customers/{customer}/agreements", agreement_body(), user)
        cart = call(base, "POST", f"/v1/customers/{customer}/carts",
                    {"lineItems": [{"id": 0, **nce_line(quantity=3)}]}, token)
        started = time.monotonic()
        order = call(base, "POST", f"/v1/customers/{customer}/carts/{cart['id']}/checkout", None, token)["orders"][0]
        assert order["status"] == "pending"
        polled = order
        while polled["status"] != "completed" and time.monotonic() - started < delay + 15:  # bounded
            time.sleep(0.1)  # an integration's polling interval, in wall time
            polled = call(base, "GET", f"/v1/customers/{customer}/orders/{order['id']}", token=token)
        took = time.monotonic() - started
        assert polled["status"] == "completed", polled
        assert delay * 0.9 <= took <= delay + 5, took  # it took the provisioning delay, in wall time
        subs = call(base, "GET", f"/v1/customers/{customer}/subscriptions", token=token)
        assert [(s["orderId"], s["quantity"], s["status"]) for s in subs["items"]] == [(order["id"], 3, "active")]
        assert polled["lineItems"][0]["subscriptionId"] == subs["items"][0]["id"]


def sim_time(http: httpx.Client) -> tuple[datetime, dict[str, Any], float, float]:
    """The clock as GET /_simulator/clock says it, with the wall times (monotonic) around the call."""
    before = time.monotonic()
    body = http.get("/_simulator/clock").json()
    return parse_time(body["now"]), body, before, time.monotonic()


def test_clock_speed_runs_simulated_time_that_many_times_faster() -> None:
    with serving("--clock-speed", "3600") as (_, base, _said), httpx.Client(base_url=base, timeout=20) as http:
        first, body, start1, end1 = sim_time(http)
        assert (body["mode"], body["speed"]) == ("running", 3600)
        time.sleep(0.5)  # the test is about wall time
        second, _, start2, end2 = sim_time(http)
        moved = (second - first).total_seconds()
        assert (start2 - end1) * 3600 <= moved <= (end2 - start1) * 3600, (moved, end2 - start1)


def test_the_mode_switches_at_runtime_on_a_real_process() -> None:
    with serving() as (_, base, _said), httpx.Client(base_url=base, timeout=20) as http:
        _, body, _, _ = sim_time(http)
        assert (body["mode"], body["speed"]) == ("running", 1)
        paused = http.put("/_simulator/clock", json={"mode": "manual"})
        assert paused.status_code == 200 and paused.json()["mode"] == "manual"
        still = parse_time(paused.json()["now"])
        time.sleep(0.3)  # the test is about wall time
        assert sim_time(http)[0] == still
        moved = http.post("/_simulator/clock/advance", json={"seconds": 60}).json()["now"]
        assert parse_time(moved) == still + timedelta(seconds=60)
        resumed = http.put("/_simulator/clock", json={"mode": "running", "speed": 7200})
        assert resumed.json()["mode"] == "running" and parse_time(resumed.json()["now"]) == parse_time(moved)
        after = time.monotonic()
        time.sleep(0.3)
        now, body, start, _ = sim_time(http)
        assert body["speed"] == 7200 and (now - parse_time(moved)).total_seconds() >= (start - after) * 7200
        refused = http.put("/_simulator/clock", json={"mode": "fast"})
        assert (refused.status_code, refused.json()["code"]) == (400, 800002)


def test_a_restart_on_a_state_file_resumes_from_the_time_the_file_last_recorded(tmp_path: Path) -> None:
    path = str(tmp_path / "pcsim.db")
    state = ("--state", path, "--start-time", START)
    # Running at an hour a second: an advance is recorded; reads are not; a kill -9 loses what ran since.
    with serving(*state, "--clock-speed", "3600") as (proc, base, _), httpx.Client(base_url=base, timeout=20) as http:
        recorded = parse_time(http.post("/_simulator/clock/advance", json={"seconds": 60}).json()["now"])
        time.sleep(0.2)  # the clock runs on (wall time)
        assert sim_time(http)[0] > recorded + timedelta(seconds=60)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=20)
    # A manual restart shows exactly what the file recorded, then runs at the speed it is switched to;
    # a write records the time of its request.
    with serving(*state, "--clock", "manual") as (proc, base, said), httpx.Client(base_url=base, timeout=20) as http:
        assert said[0].startswith(f"pcsim: state restored from {path}: clock at {recorded.isoformat()}"), said
        assert sim_time(http)[1] == {"now": wire.iso(recorded), "mode": "manual", "speed": 1}
        http.put("/_simulator/clock", json={"mode": "running", "speed": 3600})
        before = sim_time(http)[0]
        written = http.post("/v1/customers", json=customer_body("kept.onmicrosoft.com"),
                            headers={"Authorization": "Bearer any"})
        assert written.status_code == 201, written.text
        after = sim_time(http)[0]
        time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=20)
    with serving(*state, "--clock", "manual") as (proc, base, _), httpx.Client(base_url=base, timeout=20) as http:
        kept = sim_time(http)[0]
        assert before <= kept <= after, (before, kept, after)  # the customer's write recorded it
    # A clean stop records the running clock's time (it ran on from the file's); a restart resumes from it.
    with serving(*state, "--clock-speed", "3600") as (proc, base, _), httpx.Client(base_url=base, timeout=20) as http:
        assert sim_time(http)[0] >= kept
        time.sleep(0.2)
        last_seen, _, _, seen_at = sim_time(http)
        proc.terminate()
        proc.wait(timeout=20)
        stopped_by = time.monotonic()
    with serving(*state, "--clock", "manual") as (proc, base, _), httpx.Client(base_url=base, timeout=20) as http:
        now = sim_time(http)[0]
        assert last_seen <= now <= last_seen + timedelta(seconds=(stopped_by - seen_at) * 3600), (last_seen, now)


@pytest.mark.pcsim(clock="running", clock_speed=60)
def test_a_plugin_test_may_ask_for_a_running_clock(pcsim_asgi: AsgiSimulator) -> None:
    assert {k: v for k, v in pcsim_asgi.clock.state().items() if k != "now"} == {"mode": "running", "speed": 60}
