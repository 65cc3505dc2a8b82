"""`pcsim serve --tls` and two real Entra ID client libraries, MSAL and ADAL, over real sockets.

Both libraries refuse an http:// authority, so they need the simulator on HTTPS; they are used
only through their public configuration (authority, validate_authority, instance_discovery, verify
and the REQUESTS_CA_BUNDLE variable that `requests` reads), never patched.

One trap, documented in docs/tls.md: `requests` lets REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE) win over a
session's own `verify`, so MSAL's `verify=<ca.pem>` is ignored where that variable names another
bundle. The `trusted` fixture points it at the simulator's CA.
"""
from __future__ import annotations

import base64
import json
import os
import select
import socket
import ssl
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import adal
import httpx
import msal
import pytest
import requests

from simulator import tls
from tests.helpers import Live, build_app, confirm_over_http, customer_body, nce_line, serve

# One worker runs this module: its tests share a module-scoped fixture (pytest-xdist, --dist loadgroup).
pytestmark = pytest.mark.xdist_group("tls-certs")

ROOT = Path(__file__).resolve().parents[1]
PARTNER_CENTER = "https://api.partnercenter.microsoft.com"
SCOPE = [f"{PARTNER_CENTER}/.default"]
CLIENT = "11111111-2222-3333-4444-555555555555"
SECRET = "s3cret"
TENANT_A = "contoso-partner.onmicrosoft.com"
TENANT_B = "9b1f8c2e-4d3a-4f6b-8e7d-1a2b3c4d5e6f"
USER = "admin@contoso-partner.onmicrosoft.com"


# --- fixtures and helpers -----------------------------------------------------------------

@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> tls.TlsFiles:
    return tls.ensure(tmp_path_factory.mktemp("tls"), "127.0.0.1")


@pytest.fixture
def trusted(certs: tls.TlsFiles, monkeypatch: pytest.MonkeyPatch) -> str:
    """The CA bundle path, trusted by `requests` (ADAL, MSAL) through its environment variable."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certs.ca))
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    return str(certs.ca)


@pytest.fixture
def live(certs: tls.TlsFiles) -> Iterator[Live]:
    app = build_app(wall="real")
    with serve(app, ssl_certfile=str(certs.cert), ssl_keyfile=str(certs.key)) as server:
        yield server


def client(base: str, ca: str | Path, token: str | None = None) -> httpx.Client:
    headers = {"Accept": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    return httpx.Client(base_url=base, verify=ssl.create_default_context(cafile=str(ca)), headers=headers,
                        timeout=10)


def claims(jwt: str) -> dict[str, Any]:
    body = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def msal_app(base: str, ca: str, tenant: str = TENANT_A, **options: Any) -> msal.ConfidentialClientApplication:
    options = {"validate_authority": False, "instance_discovery": False, **options}
    return msal.ConfidentialClientApplication(CLIENT, client_credential=SECRET, authority=f"{base}/{tenant}",
                                              verify=ca, **options)


@pytest.fixture
def make_msal(live: Live, trusted: str) -> Iterator[Callable[..., msal.ConfidentialClientApplication]]:
    """MSAL apps on the live server, whose pooled connections are closed before the server stops (an
    idle TLS connection would hold up the server's shutdown, waiting for the client's close_notify)."""
    made: list[msal.ConfidentialClientApplication] = []

    def make(tenant: str = TENANT_A, **options: Any) -> msal.ConfidentialClientApplication:
        made.append(msal_app(live.base_url, trusted, tenant, **options))
        return made[-1]

    yield make
    for app in made:
        app.http_client.close()


def token_of(app: msal.ConfidentialClientApplication) -> str:
    result = app.acquire_token_for_client(scopes=SCOPE)
    assert "access_token" in result, result
    return str(result["access_token"])


def new_customer(http: httpx.Client) -> str:
    reply = http.post("/v1/customers", json=customer_body(f"c{time.monotonic_ns()}.onmicrosoft.com"))
    assert reply.status_code == 201, reply.text
    confirm_over_http(http, reply.json()["id"], {})  # so that it can buy (13605)
    return str(reply.json()["id"])


def new_order(http: httpx.Client, customer: str) -> str:
    cart = http.post(f"/v1/customers/{customer}/carts", json={"lineItems": [{"id": 0, **nce_line()}]})
    assert cart.status_code == 201, cart.text
    checkout = http.post(f"/v1/customers/{customer}/carts/{cart.json()['id']}/checkout")
    assert checkout.status_code == 201, checkout.text
    return str(checkout.json()["orders"][0]["id"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def pcsim_serve(port: int, tls_dir: Path) -> Iterator[tuple[str, str]]:
    """`python -m simulator serve --tls` as a process; yields (CA bundle path, base URL) from its output."""
    argv = [sys.executable, "-m", "simulator", "serve", "--tls", "--host", "127.0.0.1", "--port", str(port),
            "--tls-dir", str(tls_dir)]
    proc = subprocess.Popen(argv, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 20
        while not lines or "ready" not in lines[-1]:
            waiting, _, _ = select.select([proc.stdout], [], [], max(deadline - time.monotonic(), 0))
            assert waiting, f"no ready line within 20 s: {lines}"
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise ServeFailed(proc.stderr.read())  # type: ignore[union-attr]
            lines.append(line.strip())
        ca = next(line for line in lines if "CA bundle at" in line).split(" at ", 1)[1].split(" (", 1)[0]
        yield ca, lines[-1].split(" on ", 1)[1].split(" ", 1)[0]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            stream.close()  # type: ignore[union-attr]


class ServeFailed(Exception):
    pass


# --- pcsim serve --tls ----------------------------------------------------------------------

def test_serve_tls_prints_the_ca_bundle_and_an_https_ready_line(tmp_path: Path) -> None:
    port = free_port()

    with pcsim_serve(port, tmp_path / "tls") as (ca, base):
        assert ca == str(tmp_path / "tls" / "ca.pem")
        assert base == f"https://127.0.0.1:{port}"
        with client(base, ca) as http:
            reply = http.get("/_simulator/health")
        health = subprocess.run([sys.executable, "-m", "simulator", "health", "--tls", "--port", str(port),
                                 "--tls-dir", str(tmp_path / "tls")], capture_output=True, text=True, timeout=20,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})

    assert reply.status_code == 200 and reply.json() == {"status": "ok"}
    assert health.returncode == 0, health.stdout + health.stderr
    assert "ok" in health.stdout


def test_the_certificate_covers_localhost_and_loopback_names(live: Live, certs: tls.TlsFiles) -> None:
    port = live.base_url.rsplit(":", 1)[1]

    with client(f"https://localhost:{port}", certs.ca) as http:
        assert http.get("/_simulator/health").status_code == 200
    assert tls.names("127.0.0.1") == ["localhost", "127.0.0.1", "::1"]
    assert tls.names("0.0.0.0") == ["localhost", "127.0.0.1", "::1"]
    assert tls.names("pcsim.internal") == ["localhost", "127.0.0.1", "::1", "pcsim.internal"]


def test_the_certificate_covers_ipv6_loopback(certs: tls.TlsFiles) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    with serve(build_app(wall="real", start_time=None), ssl_certfile=str(certs.cert), ssl_keyfile=str(certs.key),
               host="::1") as server:
        port = server.base_url.rsplit(":", 1)[1]
        with client(f"https://[::1]:{port}", certs.ca) as http:
            assert http.get("/_simulator/health").status_code == 200


def test_the_ca_is_reused_when_the_tls_folder_is(tmp_path: Path) -> None:
    first = tls.ensure(tmp_path, "127.0.0.1")
    bundle = first.ca.read_bytes()
    second = tls.ensure(tmp_path, "127.0.0.1")  # a restart: same CA, a fresh server certificate

    assert second.ca.read_bytes() == bundle
    with serve(build_app(wall="real", start_time=None), ssl_certfile=str(second.cert), ssl_keyfile=str(second.key)) as server:
        with client(server.base_url, first.ca) as http:
            assert http.get("/_simulator/health").status_code == 200


def test_a_broken_ca_in_the_tls_folder_is_replaced(tmp_path: Path) -> None:
    bundle = tls.ensure(tmp_path).ca.read_bytes()
    (tmp_path / "ca-key.pem").write_text("not a key")

    fresh = tls.ensure(tmp_path)

    assert fresh.ca.read_bytes() != bundle
    with serve(build_app(wall="real", start_time=None), ssl_certfile=str(fresh.cert), ssl_keyfile=str(fresh.key)) as server:
        with client(server.base_url, fresh.ca) as http:
            assert http.get("/_simulator/health").status_code == 200


def test_a_client_without_the_ca_is_refused(live: Live) -> None:
    with httpx.Client(verify=ssl.create_default_context()) as http, pytest.raises(httpx.ConnectError):
        http.get(f"{live.base_url}/_simulator/health")


# --- MSAL ---------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    pytest.param(lambda url: msal.ConfidentialClientApplication(
        CLIENT, client_credential=SECRET, authority=url, validate_authority=False, instance_discovery=False), id="msal"),
    pytest.param(lambda url: adal.AuthenticationContext(url, validate_authority=False), id="adal"),
])
def test_msal_and_adal_refuse_an_http_authority(live: Live, make: Any) -> None:
    http_base = live.base_url.replace("https://", "http://")

    with pytest.raises(ValueError, match="https"):
        make(f"{http_base}/{TENANT_A}")


def test_msal_client_credentials_token_reads_partner_center(live: Live, trusted: str, make_msal: Any) -> None:
    app = make_msal()

    result = app.acquire_token_for_client(scopes=SCOPE)
    again = app.acquire_token_for_client(scopes=SCOPE)

    assert result["token_type"] == "Bearer" and result["expires_in"] == 3600, result
    assert again["access_token"] == result["access_token"] and again["token_source"] == "cache"
    with client(live.base_url, trusted, result["access_token"]) as http:
        reply = http.get("/v1/customers")
    assert reply.status_code == 200, reply.text
    assert reply.json()["totalCount"] == 0


def test_msal_tokens_speak_for_the_tenant_of_their_authority(live: Live, trusted: str, make_msal: Any) -> None:
    token_a, token_b = token_of(make_msal(TENANT_A)), token_of(make_msal(TENANT_B))
    with client(live.base_url, trusted) as anonymous:
        issuer = anonymous.get(f"/{TENANT_A}/v2.0/.well-known/openid-configuration").json()["issuer"]

    assert claims(token_b)["tid"] == TENANT_B
    assert claims(token_a)["tid"] == issuer.split("/")[-2]
    with client(live.base_url, trusted, token_a) as a, client(live.base_url, trusted, token_b) as b:
        customer = new_customer(a)
        assert a.get(f"/v1/customers/{customer}").status_code == 200
        assert b.get(f"/v1/customers/{customer}").status_code == 404
        assert b.get("/v1/customers").json()["totalCount"] == 0


def test_msal_validates_the_authority_against_the_simulators_instance_discovery(live: Live, make_msal: Any) -> None:
    app = make_msal(validate_authority=True, instance_discovery=f"{live.base_url}/common/discovery/instance")

    assert claims(token_of(app))["aud"] == PARTNER_CENTER


def test_msal_instance_discovery_rejects_an_instance_the_simulator_is_not(live: Live, trusted: str) -> None:
    port = live.base_url.rsplit(":", 1)[1]

    with requests.Session() as session, pytest.raises(ValueError, match="invalid_instance"):
        msal.ConfidentialClientApplication(
            CLIENT, client_credential=SECRET, authority=f"https://localhost:{port}/{TENANT_A}", http_client=session,
            instance_discovery=f"{live.base_url}/common/discovery/instance")


def test_msal_username_password_gives_an_app_and_user_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MSAL's home realm discovery calls https://<authority host>/common/userrealm/… without the
    authority's port, so its password grant works only with the simulator on port 443."""
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 443))
    except OSError as exc:
        pytest.skip(f"MSAL's password grant needs the simulator on port 443, which is not free here: {exc}")
    try:
        with pcsim_serve(443, tmp_path / "tls") as (ca, base):
            monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)
            monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
            app = msal_app(base.replace(":443", ""), ca)
            try:
                result = app.acquire_token_by_username_password(USER, "pw", scopes=SCOPE)
                assert "access_token" in result, result
                [account] = app.get_accounts(username=USER)
                silent = app.acquire_token_silent(SCOPE, account=account)
                refreshed = app.acquire_token_silent(SCOPE, account=account, force_refresh=True)
            finally:
                app.http_client.close()
            with client(base, ca, refreshed["access_token"]) as http:
                customer = new_customer(http)
                order = new_order(http, customer)
                reply = http.get(f"/v1/customers/{customer}/orders/{order}/provisioningstatus")
    except ServeFailed as exc:
        pytest.skip(f"port 443 was taken before pcsim bound it: {exc}")

    assert result["id_token_claims"]["preferred_username"] == USER
    assert silent["access_token"] == result["access_token"]
    assert refreshed["token_source"] == "identity_provider"
    assert claims(refreshed["access_token"])["oid"] == claims(result["access_token"])["oid"]
    assert reply.status_code == 200, reply.text


# --- ADAL ---------------------------------------------------------------------------------

def test_adal_client_credentials_token_reads_partner_center(live: Live, trusted: str) -> None:
    context = adal.AuthenticationContext(f"{live.base_url}/{TENANT_A}", validate_authority=False, verify_ssl=True)

    result = context.acquire_token_with_client_credentials(PARTNER_CENTER, CLIENT, SECRET)

    assert result["tokenType"] == "Bearer" and result["expiresIn"] == 3600 and result["resource"] == PARTNER_CENTER
    with client(live.base_url, trusted, result["accessToken"]) as http:
        customer = new_customer(http)
        assert http.get("/v1/customers").json()["totalCount"] == 1
        assert http.get(f"/v1/customers/{customer}").status_code == 200


def test_adal_username_password_token_reaches_an_app_and_user_route(live: Live, trusted: str) -> None:
    context = adal.AuthenticationContext(f"{live.base_url}/{TENANT_A}", validate_authority=False, verify_ssl=True)
    app_only = context.acquire_token_with_client_credentials(PARTNER_CENTER, CLIENT, SECRET)["accessToken"]

    result = context.acquire_token_with_username_password(PARTNER_CENTER, USER, "pw", CLIENT)

    assert result["userId"] == USER  # from the id_token the simulator adds for scope=openid
    with client(live.base_url, trusted, result["accessToken"]) as user, client(live.base_url, trusted, app_only) as app:
        customer = new_customer(user)
        order = new_order(user, customer)
        path = f"/v1/customers/{customer}/orders/{order}/provisioningstatus"
        assert user.get(path).status_code == 200
        refused = app.get(path)
    assert refused.status_code == 403 and refused.json()["code"] == 900329


def test_adal_finds_the_user_token_in_its_cache_and_refreshes_it(live: Live, trusted: str) -> None:
    context = adal.AuthenticationContext(f"{live.base_url}/{TENANT_A}", validate_authority=False, verify_ssl=trusted)
    first = context.acquire_token_with_username_password(PARTNER_CENTER, USER, "pw", CLIENT)

    cached = context.acquire_token(PARTNER_CENTER, USER, CLIENT)
    refreshed = context.acquire_token_with_refresh_token(first["refreshToken"], CLIENT, PARTNER_CENTER)

    assert cached["accessToken"] == first["accessToken"]
    assert claims(refreshed["accessToken"])["upn"] == USER
    assert claims(refreshed["accessToken"])["oid"] == claims(first["accessToken"])["oid"]


# --- the discovery endpoints both libraries call ------------------------------------------

def test_home_realm_discovery_answers_a_managed_user_in_any_casing(live: Live, trusted: str) -> None:
    with client(live.base_url, trusted) as http:
        replies = [http.get(f"{path}/{USER}", params={"api-version": "1.0"})
                   for path in ("/common/userrealm", "/common/UserRealm")]

    for reply in replies:
        assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/json")
        assert reply.json() == {"ver": "1.0", "account_type": "Managed", "domain_name": TENANT_A,
                                "cloud_instance_name": "microsoftonline.com",
                                "cloud_audience_urn": "urn:federation:MicrosoftOnline"}


@pytest.mark.parametrize("endpoint", ["", "https://[oops/t/oauth2/v2.0/authorize", "http://127.0.0.1/t/oauth2/authorize",
                                      "https://127.0.0.1/t/v2.0/.well-known/openid-configuration"])
def test_instance_discovery_refuses_what_is_no_authorization_endpoint_of_the_simulator(
        live: Live, trusted: str, endpoint: str) -> None:
    with client(live.base_url, trusted) as http:
        reply = http.get("/common/discovery/instance", params={"authorization_endpoint": endpoint, "api-version": "1.0"})

    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_instance" and reply.json()["error_codes"] == [50049]


def test_a_user_grant_with_openid_scopes_first_is_still_for_partner_center(live: Live, trusted: str) -> None:
    """MSAL sends `offline_access openid profile <api>/.default` in no fixed order, with client_info=1."""
    form = {"grant_type": "password", "client_id": CLIENT, "username": USER, "password": "pw", "client_info": "1",
            "scope": f"offline_access openid profile {SCOPE[0]}"}
    with client(live.base_url, trusted) as http:
        body = http.post(f"/{TENANT_A}/oauth2/v2.0/token", data=form).json()

    access, identity = claims(body["access_token"]), claims(body["id_token"])
    info = json.loads(base64.urlsafe_b64decode(body["client_info"] + "=" * (-len(body["client_info"]) % 4)))
    assert access["aud"] == PARTNER_CENTER
    assert identity["aud"] == CLIENT and identity["preferred_username"] == USER and identity["tid"] == access["tid"]
    assert info == {"uid": access["oid"], "utid": access["tid"]}
