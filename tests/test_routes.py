"""The router `create_app` builds from simulator/routetable.py without importing the areas: the table
is the composed route table (simulator/routes.py), each area comes with its first request, and the
first product list of a fresh process needs neither pydantic nor any other area."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from starlette.routing import Route

from simulator import app as app_module
from simulator import routes, routetable
from simulator.control import health
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[1]
PRODUCTS = "/v1/products?country=US&targetView=OnlineServices"
TOKEN = {"Authorization": "Bearer anything"}


def test_the_route_table_is_the_composed_one() -> None:
    assert routes.table() == routetable.TABLE, "simulator/routetable.py is stale: run python -m simulator.routes"
    # and the headers whose values the wire middleware checks are the ones the operations declare
    assert routes.text_headers() == routetable.TEXT_HEADERS, "simulator/routetable.py is stale"
    assert {"if-match", "ms-continuationtoken", "x-locale"} <= set(routetable.TEXT_HEADERS)


def test_every_route_of_the_router_is_its_areas_route() -> None:
    composed = routes.all_routes()
    built = app_module.router()
    assert [(r.path, r.methods) for r in built] == [(r.path, r.methods) for r in composed]  # type: ignore[attr-defined]
    lazy = [r for r in built if isinstance(r.endpoint, app_module.Lazy)]  # type: ignore[attr-defined]
    assert len(lazy) == sum(1 for row in routetable.TABLE if row[3][0] == "area") > 90
    assert all(routes.resolved(route) is real for route, real in zip(built, composed) if route in lazy)


def test_without_the_control_api_only_health_stays_under_simulator() -> None:
    paths = {r.path for r in app_module.router(no_control=True)}  # type: ignore[attr-defined]
    assert {p for p in paths if p.startswith("/_simulator")} == {health.HEALTH}
    assert "/v1/products" in paths


FIRST_PRODUCTS = """
import asyncio, json, sys
import httpx
from starlette.routing import Route
from simulator.app import create_app
from simulator.settings import from_env

async def main():
    transport = httpx.ASGITransport(app=create_app(from_env({})))
    async with httpx.AsyncClient(transport=transport, base_url="http://pcsim") as client:
        reply = await client.get(%r, headers=%r)
    loaded = sorted(m for m in sys.modules if m.startswith(("simulator.", "pydantic")))
    print(json.dumps({"status": reply.status_code, "total": reply.json()["totalCount"], "loaded": loaded}))

asyncio.run(main())
"""


def test_a_fresh_process_answers_the_product_list_without_loading_the_other_areas() -> None:
    script = FIRST_PRODUCTS % (PRODUCTS, TOKEN)
    out = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(out.stdout)
    assert seen["status"] == 200 and seen["total"] > 0
    assert not [m for m in seen["loaded"] if m.startswith("pydantic")]
    areas = {m for m in seen["loaded"] if m.split(".")[1] in (
        "customers", "carts", "orders", "subscriptions", "billing", "usage", "demo", "openapi", "contracts")}
    assert areas == set()
    assert "simulator.catalog.endpoints" in seen["loaded"]


def test_pcsim_serve_answers_the_health_check_and_then_the_api() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--port", str(port)], text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert "ready" in proc.stdout.readline()  # type: ignore[union-attr]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
            assert client.get("/_simulator/health").json() == {"status": "ok"}
            assert client.get(PRODUCTS, headers=TOKEN).json()["totalCount"] > 0
            assert client.post("/v1/customers/nobody/carts", headers=TOKEN, json={}).status_code in (400, 401, 404)
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_route_names_are_unique_in_each_module_and_name_the_table_rows() -> None:
    routes.all_routes()
    for module, held in routes.area_routes().items():
        names = [r.name for r in held if isinstance(r, Route)]
        assert len(names) == len(set(names)), f"{module}: route names repeat"
    assert all(isinstance(row[3][2], str) for row in routetable.TABLE if row[3][0] == "area")
