"""What `pcsim serve` runs without --state or --demo (simulator/boot.py): the health check answered
before the simulator is built, then the simulator itself, whose answers are those of create_app's."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulator import boot, cli
from simulator.app import create_app
from simulator.control import basics
from simulator.settings import from_args, from_env
from tests.conftest import START
from tests.test_packaging import free_port

ROOT = Path(__file__).resolve().parents[1]
PRODUCTS = "/v1/products?country=US&targetView=OnlineServices"
TOKEN = {"Authorization": "Bearer anything"}


def ask(app: Any, requests: list[tuple[str, dict[str, str]]]) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pcsim") as client:
            return [await client.get(path, headers=headers) for path, headers in requests]
    return asyncio.run(run())


def seen(reply: httpx.Response) -> tuple[int, bytes, dict[str, str]]:
    headers = {k: v for k, v in reply.headers.items() if k in ("content-type", "content-length", "ms-requestid",
                                                                 "ms-correlationid")}
    return reply.status_code, reply.content, headers


def settings() -> Any:
    return from_env({"PCSIM_SEED": "7", "PCSIM_START_TIME": START})


def test_health_is_answered_before_the_build_as_the_built_simulator_answers_it() -> None:
    requests = [("/_simulator/health", {}), ("/_Simulator/Health/", {"MS-CorrelationId": "given"}),
                (PRODUCTS, TOKEN), ("/_simulator/health", {})]
    booting = boot.Booting(settings())
    early = ask(booting, requests)
    assert booting.app is not None and booting.ctx is booting.app.ctx
    assert [seen(r) for r in early] == [seen(r) for r in ask(create_app(settings()), requests)]
    assert early[1].headers["ms-correlationid"] == "given"
    assert boot.HEALTH == basics.HEALTH


def test_a_first_request_that_is_not_the_health_check_builds_the_simulator_and_gets_its_answer() -> None:
    booting = boot.Booting(settings())
    assert booting.ctx is None
    reply, = ask(booting, [(PRODUCTS, TOKEN)])
    assert seen(reply) == seen(ask(create_app(settings()), [(PRODUCTS, TOKEN)])[0])
    assert reply.json()["totalCount"] > 0


@pytest.mark.parametrize("argv, built", [([], False), (["--demo"], True)])
def test_serve_builds_before_serving_only_when_it_has_something_to_report(argv: list[str], built: bool) -> None:
    app = cli.build(from_args(cli.build_parser().parse_args(["serve", *argv])))
    assert isinstance(app, boot.Booting) is not built
    assert (app.ctx is not None) is built


def test_pcsim_serve_answers_the_health_check_and_then_the_api() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", str(port)], text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert "ready" in proc.stdout.readline()  # type: ignore[union-attr]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
            assert client.get("/_simulator/health").json() == {"status": "ok"}
            assert client.get(PRODUCTS, headers=TOKEN).json()["totalCount"] > 0
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
