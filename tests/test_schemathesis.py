"""schemathesis over every operation of GET /openapi.json, authenticated, in process."""
from __future__ import annotations

import asyncio

import httpx
import schemathesis
from hypothesis import HealthCheck, settings

from simulator.app import create_app
from simulator.settings import from_env

APP = create_app(from_env({"PCSIM_ORDER_LIST_DELAY": "0", "PCSIM_START_TIME": "2026-01-05T10:00:00Z",
                           "PCSIM_STRICT_AUTH": "1"}))


def _token() -> str:
    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://pcsim") as client:
            return await client.post("/contoso.onmicrosoft.com/oauth2/token",
                            data={"grant_type": "password", "username": "admin@contoso.example", "password": "pw",
                                      "client_id": "app", "resource": "https://api.partnercenter.microsoft.com"})
    return str(asyncio.run(fetch()).json()["access_token"])


AUTH = {"Authorization": f"Bearer {_token()}"}
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation(case: schemathesis.Case) -> None:
    # positive_data_acceptance is left out: Partner Center answers 400 to schema-valid input that breaks
    # a business rule (an unknown market, a product not sold there), as its docs say it does.
    excluded = [schemathesis.checks.positive_data_acceptance]
    if case.operation.definition.raw.get("x-pcsim-simulated") is False:
        # Documented as not simulated: the honest 501 is the answer, checked here instead.
        excluded.append(schemathesis.checks.not_a_server_error)
    reply = case.call_and_validate(headers=AUTH, excluded_checks=excluded)
    assert reply.status_code < 500 or reply.status_code == 501
