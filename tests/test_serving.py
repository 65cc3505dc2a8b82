"""pcsim on a real socket (simulator/serving.py): health answers while a long request works, slow and
idle connections are closed, a flood of descriptor errors is logged once, and a bind beyond loopback
without a control token is warned about loudly."""
from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from simulator import cli, serving
from simulator.settings import from_env
from tests.helpers import M365_BASIC, build_app, customer_body, nce_line, serve


def api_client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": "Bearer x"}, timeout=120)


@contextmanager
def a_buying_customer() -> Iterator[tuple[str, httpx.Client, str]]:
    """pcsim on a socket, a client of it and a customer that may buy: the base URL, the client, its id."""
    with serve(build_app(wall="real", sandbox_limits=False)) as live, api_client(live.base_url) as client:
        customer = client.post("/v1/customers", json=customer_body()).json()["id"]
        # the customer accepted the Customer Agreement itself, which every new purchase needs (13605)
        assert client.put(f"/_simulator/customers/{customer}/agreement", json={"isSigned": True}).status_code == 200
        yield live.base_url, client, customer


def test_health_answers_while_a_long_request_works() -> None:
    with a_buying_customer() as (base_url, client, customer):
        for term in ("P1M", "P1Y"):
            lines = [{**nce_line(item=M365_BASIC, term=term), "id": 0}]
            cart = client.post(f"/v1/customers/{customer}/carts", json={"lineItems": lines}).json()
            assert client.post(f"/v1/customers/{customer}/carts/{cart['id']}/checkout").status_code == 201
        client.post("/_simulator/clock/advance", json={"until": "2126-01-01T00:00:00Z"})
        answered: list[float] = []

        def invoices() -> None:
            started = time.monotonic()
            assert client.get("/v1/invoices").status_code == 200
            answered.append(time.monotonic() - started)

        worker = threading.Thread(target=invoices)
        worker.start()
        slowest, polls = 0.0, 0
        with httpx.Client(base_url=base_url, timeout=5) as health:
            while worker.is_alive() and polls < 200:
                started = time.monotonic()
                assert health.get("/_simulator/health").json() == {"status": "ok"}
                slowest, polls = max(slowest, time.monotonic() - started), polls + 1
                time.sleep(0.02)
        worker.join(timeout=120)
        assert answered, "the invoice list did not answer"
        if answered[0] > 1.0:  # long enough for health to have had to wait behind it
            assert polls >= 5 and slowest < 0.5, (polls, slowest, answered)


def test_requests_that_come_while_a_long_request_works_wait_and_all_land() -> None:
    # Long requests (clock moves and invoice lists, which close every period passed) run on a thread of
    # their own while purchases come on other connections: every purchase lands whole, none is lost or
    # mixed into another's transaction, and the invoices are listed each time.
    with a_buying_customer() as (base_url, setup, customer):
        statuses: list[int] = []
        checkouts: list[int] = []
        orders: list[str] = []
        long_answers: list[int] = []

        def buy() -> None:
            with api_client(base_url) as client:
                for _ in range(15):
                    lines = [{**nce_line(item=M365_BASIC, term="P1M"), "id": 0}]
                    cart = client.post(f"/v1/customers/{customer}/carts", json={"lineItems": lines})
                    statuses.append(cart.status_code)
                    if cart.status_code == 201:
                        checkout = client.post(f"/v1/customers/{customer}/carts/{cart.json()['id']}/checkout")
                        # 404 only for a cart the clock's move expired meanwhile (800008: carts live seven days)
                        checkouts.append(checkout.status_code if checkout.status_code != 404 else
                                         checkout.json()["code"])
                        if checkout.status_code == 201:
                            orders.extend(order["id"] for order in checkout.json()["orders"])

        def move_and_list() -> None:
            with api_client(base_url) as client:
                for _ in range(3):
                    moved = client.post("/_simulator/clock/advance", json={"seconds": 400 * 86400})
                    long_answers.append(moved.status_code)
                    long_answers.append(client.get("/v1/invoices").status_code)

        workers = [threading.Thread(target=buy), threading.Thread(target=buy), threading.Thread(target=move_and_list)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert long_answers == [200] * 6
        assert statuses == [201] * 30
        assert len(checkouts) == 30 and set(checkouts) <= {201, 800008}, checkouts
        assert len(orders) == checkouts.count(201)
        for order in orders:  # each purchase is there, whole
            got = setup.get(f"/v1/customers/{customer}/orders/{order}")
            assert got.status_code == 200 and got.json()["lineItems"][0]["quantity"] == 3
        assert setup.get("/v1/invoices").status_code == 200


@pytest.fixture
def short_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serving, "HEAD_TIMEOUT", 0.5)


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection within `seconds` (whatever it answered first)."""
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


@pytest.mark.usefixtures("short_deadlines")
def test_a_slow_request_head_and_an_idle_connection_are_closed() -> None:
    with serve(build_app(wall="real")) as live:
        host, port = live.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as idle, \
                socket.create_connection((host, int(port)), timeout=5) as slow:
            slow.sendall(b"GET /_simulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the rest
            assert closed_within(idle, 5) and closed_within(slow, 5)
        with socket.create_connection((host, int(port)), timeout=5) as quick:  # a whole head in time is served
            quick.sendall(b"GET /_simulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert quick.recv(65536).startswith(b"HTTP/1.1 200 ")
            # then half of the next head, well within the keep-alive: its deadline closes the connection
            quick.sendall(b"GET /_simulator/health HTTP/1.1\r\n")
            assert closed_within(quick, 3)


def test_a_flood_of_descriptor_errors_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    serving.quiet_floods()
    serving._FLOOD.quiet_until = 0.0
    logger = logging.getLogger("asyncio")
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        for _ in range(500):
            try:
                raise OSError(errno.EMFILE, "Too many open files")
            except OSError:
                logger.error("socket.accept() out of system resource", exc_info=True)
        logger.error("something else")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["socket.accept() out of system resource", "something else"]
    assert caplog.records[0].exc_info is None  # no traceback


@pytest.mark.parametrize(("overrides", "warned"), [
    ({"host": "0.0.0.0"}, True),
    ({"host": "::"}, True),
    ({"host": "0.0.0.0", "control_token": "t"}, False),
    ({"host": "0.0.0.0", "no_control": True}, False),
    ({"host": "127.0.0.1"}, False),
    ({"host": "localhost"}, False),
])
def test_a_bind_beyond_loopback_without_a_control_token_is_warned_about(
        capsys: pytest.CaptureFixture[str], overrides: dict[str, Any], warned: bool) -> None:
    cli.warn_if_open(from_env({}, **overrides))
    said = capsys.readouterr().err
    assert ("WARNING" in said and "--control-token" in said) is warned
