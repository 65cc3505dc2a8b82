"""One partner, two names: `contoso.onmicrosoft.com` and the GUID its token URL gives it are the same
partner in token URLs, --default-tenant, --demo, seeding, reset, the journal and fault filters, and
the pytest plugin's helpers."""
from __future__ import annotations

import asyncio
import json
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from simulator.ids import name_guid, partner_id
from simulator.pytest_plugin import Simulator
from simulator.settings import DEFAULT_PARTNER_TENANT, from_env
from tests.helpers import ROOT, Api, close_api, customer_body, free_port, nce_line, open_api

CONTOSO = "contoso.onmicrosoft.com"
CONTOSO_ID = "2b6d8627-79bd-5737-b194-7ee60e2c6ffc"  # what /contoso.onmicrosoft.com/oauth2/token gives
FABRIKAM = "fabrikam.onmicrosoft.com"
# Every way of naming the example partner.
CONTOSO_NAMES = [CONTOSO, "Contoso.OnMicrosoft.com", CONTOSO_ID, CONTOSO_ID.upper()]
FORM = {"grant_type": "client_credentials", "client_id": "pcsim-test", "client_secret": "secret",
        "resource": "https://api.partnercenter.microsoft.com"}


def token(api: Api, tenant: str, *, v2: bool = False) -> str:
    if v2:
        form = {**FORM, "scope": "https://api.partnercenter.microsoft.com/.default"}
        reply = api.post(f"/{tenant}/oauth2/v2.0/token", data=form, token="")
    else:
        reply = api.post(f"/{tenant}/oauth2/token", data=FORM, token="")
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


def customer_ids(api: Api, bearer: str) -> list[str]:
    reply = api.get("/v1/customers", token=bearer)
    assert reply.status_code == 200, reply.text
    return sorted(c["id"] for c in reply.json()["items"])


def test_the_example_partner_is_the_default_and_its_guid_is_what_its_token_url_gives() -> None:
    assert DEFAULT_PARTNER_TENANT == CONTOSO == from_env({}).default_tenant
    assert partner_id(CONTOSO) == name_guid(CONTOSO) == CONTOSO_ID
    assert {partner_id(name) for name in CONTOSO_NAMES} == {CONTOSO_ID}
    assert partner_id(" contoso.onmicrosoft.com ") == CONTOSO_ID
    assert partner_id("common", CONTOSO_ID) == partner_id("Organizations", CONTOSO_ID) == CONTOSO_ID


# --- --demo: what `pcsim serve --demo` builds ---------------------------------------------------

@pytest.fixture
def served_demo(loop: asyncio.AbstractEventLoop, capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """The app `pcsim serve --demo [--default-tenant X]` serves, with what it printed."""
    made: list[Api] = []

    def build(**overrides: Any) -> tuple[Api, str]:
        api = open_api(loop, served=True, demo=True, **overrides)
        made.append(api)
        return api, capsys.readouterr().out

    yield build
    for api in made:
        close_api(api)


@pytest.mark.parametrize("given", [None, *CONTOSO_NAMES])
def test_a_token_from_the_name_or_the_guid_lists_the_demo_customers(served_demo: Any, given: str | None) -> None:
    api, said = served_demo(**({} if given is None else {"default_tenant": given}))
    assert api.ctx.settings.default_tenant == CONTOSO_ID
    assert f"for partner {CONTOSO} (GUID {CONTOSO_ID})" in said or f"for partner {CONTOSO_ID};" in said
    demo = customer_ids(api, token(api, CONTOSO))
    assert len(demo) == 10
    for bearer in (token(api, CONTOSO_ID), token(api, CONTOSO_ID.upper()), token(api, "CONTOSO.onmicrosoft.com"),
                   token(api, CONTOSO, v2=True), token(api, "common"), "a-token-pcsim-did-not-issue"):
        assert customer_ids(api, bearer) == demo
    assert customer_ids(api, token(api, FABRIKAM)) == []


def test_another_default_partner_gets_the_demo_instead(served_demo: Any) -> None:
    api, said = served_demo(default_tenant=FABRIKAM)
    assert f"for partner {FABRIKAM} (GUID {partner_id(FABRIKAM)})" in said
    assert f"/{FABRIKAM}/oauth2/token" in said
    assert len(customer_ids(api, token(api, FABRIKAM))) == 10
    assert customer_ids(api, "a-token-pcsim-did-not-issue") == customer_ids(api, token(api, partner_id(FABRIKAM)))
    assert customer_ids(api, token(api, CONTOSO)) == []


def test_the_startup_lines_name_the_partner_and_how_to_get_a_token(served_demo: Any) -> None:
    _, said = served_demo(port=8123)
    lines = said.splitlines()
    assert re.fullmatch(
        rf"pcsim: --demo: 10 customers, \d+ orders and 30 subscriptions for partner {CONTOSO} \(GUID {CONTOSO_ID}\); "
        r"sandbox limits on, room left: 65 customers, 2 subscriptions per demo customer, 5 Azure plans", lines[0])
    assert lines[1:] == [
        "pcsim: --demo: a token for it: TOKEN=$(curl -s -d grant_type=client_credentials -d client_id=pcsim-demo "
        "-d client_secret=demo -d resource=https://api.partnercenter.microsoft.com "
        f"http://127.0.0.1:8123/{CONTOSO}/oauth2/token | "
        "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
        'pcsim: --demo: its customers: curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8123/v1/customers'
        "  (any bearer token pcsim did not issue speaks for it too)"]


# --- the control API: seed, reset, journal and fault filters -------------------------------------

@pytest.mark.parametrize("given", CONTOSO_NAMES)
def test_seed_and_reset_take_the_name_or_the_guid(api: Api, given: str) -> None:
    reply = api.post("/_simulator/seed", json={"tenant": given, "customers": 2})
    assert reply.status_code == 201, reply.text
    fabrikam = token(api, FABRIKAM)
    api.new_customer(token=fabrikam)
    seeded = customer_ids(api, token(api, CONTOSO))
    assert len(seeded) == 2 and customer_ids(api, token(api, CONTOSO_ID)) == seeded
    assert customer_ids(api, "a-token-pcsim-did-not-issue") == seeded  # the default partner
    assert api.post("/_simulator/reset", json={"tenant": given}).status_code == 200
    assert customer_ids(api, token(api, CONTOSO)) == []
    assert len(customer_ids(api, fabrikam)) == 1  # another partner's data stays


@pytest.mark.parametrize("given", CONTOSO_NAMES)
def test_the_journal_filter_takes_the_name_or_the_guid(api: Api, given: str) -> None:
    by_name, by_guid, other = token(api, CONTOSO), token(api, CONTOSO_ID), token(api, FABRIKAM)
    api.delete("/_simulator/requests")
    for bearer in (by_name, by_guid, "a-token-pcsim-did-not-issue", other):
        api.get("/v1/customers", token=bearer)
    reply = api.get("/_simulator/requests", params={"tenant": given})
    assert reply.status_code == 200, reply.text
    assert [(e["path"], e["tenant"]) for e in reply.json()["items"]] == [("/v1/customers", CONTOSO_ID)] * 3


@pytest.mark.parametrize("given", CONTOSO_NAMES)
def test_the_fault_filter_takes_the_name_or_the_guid(api: Api, given: str) -> None:
    by_name, by_guid, other = token(api, CONTOSO), token(api, CONTOSO_ID.upper()), token(api, FABRIKAM)
    reply = api.post("/_simulator/faults", json={"path": "/v1/customers", "tenant": given,
                                                 "effect": {"type": "error", "status": 503, "code": 1234}})
    assert (reply.status_code, reply.json()["tenant"]) == (201, CONTOSO_ID), reply.text
    for bearer in (by_name, by_guid, "a-token-pcsim-did-not-issue"):
        faulted = api.get("/v1/customers", token=bearer)
        assert (faulted.status_code, faulted.json()["code"]) == (503, 1234)
    assert api.get("/v1/customers", token=other).status_code == 200


def test_an_empty_partner_in_a_reset_is_refused_not_taken_for_all(api: Api) -> None:
    customer = api.new_customer()
    reply = api.post("/_simulator/reset", json={"tenant": ""})
    assert (reply.status_code, reply.json()["code"]) == (400, 800002)
    assert api.get(f"/v1/customers/{customer}").status_code == 200


# --- a real `pcsim serve --demo` ------------------------------------------------------------------

def pcsim_command() -> list[str]:
    script = Path(sys.executable).with_name("pcsim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "simulator"]


def test_pcsim_serve_demo_prints_a_token_line_that_works_as_pasted(tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed on this machine")
    port = free_port()
    proc = subprocess.Popen([*pcsim_command(), "serve", "--demo", "--port", str(port)], cwd=tmp_path, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    said: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not said or "ready" not in said[-1]:
            ready, _, _ = select.select([proc.stdout], [], [], max(deadline - time.monotonic(), 0))
            assert ready, f"no ready line within 60 s: {said}"
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line, proc.stderr.read()  # type: ignore[union-attr]
            said.append(line.rstrip("\n"))
        assert f"for partner {CONTOSO} (GUID {CONTOSO_ID})" in said[0]
        get_token = said[1].split("a token for it: ", 1)[1]
        list_them = said[2].split("its customers: ", 1)[1].split("  (", 1)[0]
        pasted = subprocess.run(["bash", "-c", f"{get_token}\n{list_them}"], capture_output=True, text=True,
                                timeout=60, cwd=tmp_path)
        assert pasted.returncode == 0, pasted.stderr
        listed = json.loads(pasted.stdout)
        assert listed["totalCount"] == 10

        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            by_guid = client.post(f"/{CONTOSO_ID}/oauth2/token", data=FORM).json()["access_token"]
            headers = {"Authorization": f"Bearer {by_guid}"}
            assert client.get("/v1/customers", headers=headers).json() == listed
            # The first purchase a presenter makes for a demo customer goes through.
            cid = listed["items"][0]["id"]
            cart = client.post(f"/v1/customers/{cid}/carts", headers=headers,
                               json={"lineItems": [{"id": 0, **nce_line(quantity=2)}]})
            assert cart.status_code == 201 and "error" not in cart.json()["lineItems"][0], cart.text
            done = client.post(f"/v1/customers/{cid}/carts/{cart.json()['id']}/checkout", headers=headers)
            assert done.status_code == 201 and done.json()["orderErrors"] == [], done.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        for stream in (proc.stdout, proc.stderr):
            stream.close()  # type: ignore[union-attr]


# --- the pytest plugin ----------------------------------------------------------------------------

def test_the_plugins_tokens_default_to_the_default_partner(pcsim: Simulator) -> None:
    made = pcsim.client.post("/v1/customers", json=customer_body("plugin.onmicrosoft.com"),
                             headers={"Authorization": "Bearer not-issued-by-pcsim"})
    assert made.status_code == 201, made.text
    for headers in (pcsim.headers(), pcsim.headers(CONTOSO_ID), pcsim.headers(user=True)):
        listed = pcsim.client.get("/v1/customers", headers=headers).json()
        assert [c["id"] for c in listed["items"]] == [made.json()["id"]]
    assert pcsim.tenant_id() == pcsim.tenant_id(CONTOSO) == pcsim.tenant_id(CONTOSO_ID.upper()) == CONTOSO_ID
    assert pcsim.tenant_id("common") == CONTOSO_ID


@pytest.mark.parametrize("given", [CONTOSO, CONTOSO_ID])
def test_the_plugins_helpers_take_the_name_or_the_guid(pcsim: Simulator, given: str) -> None:
    other = CONTOSO if given == CONTOSO_ID else CONTOSO_ID.upper()  # the other way of naming it
    buyer = pcsim.headers(other)
    cid = pcsim.client.post("/v1/customers", json=customer_body("helpers.onmicrosoft.com"), headers=buyer).json()["id"]
    assert [e["tenant"] for e in pcsim.journal.list(path="/v1/customers", tenant=given)] == [CONTOSO_ID]
    fault = pcsim.faults.add("GET", "/v1/customers/*", effect="throttle", tenant=given, times=1)
    assert pcsim.client.get(f"/v1/customers/{cid}", headers=buyer).status_code == 429
    assert pcsim.faults.list() == []  # it fired once and expired
    assert fault == "1"
    pcsim.reset(tenant=given)
    assert pcsim.client.get(f"/v1/customers/{cid}", headers=buyer).status_code == 404


@pytest.mark.pcsim(default_tenant=FABRIKAM)
def test_the_plugin_follows_another_default_partner(pcsim: Simulator) -> None:
    assert pcsim.tenant_id("common") == partner_id(FABRIKAM)
    made = pcsim.client.post("/v1/customers", json=customer_body("other-default.onmicrosoft.com"),
                             headers={"Authorization": "Bearer not-issued-by-pcsim"})
    listed = pcsim.client.get("/v1/customers", headers=pcsim.headers(FABRIKAM)).json()
    assert [c["id"] for c in listed["items"]] == [made.json()["id"]]
    assert pcsim.client.get("/v1/customers", headers=pcsim.headers()).json()["items"] == []
