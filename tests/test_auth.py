"""Simulated Entra ID tokens and who a `/v1` request speaks for (api.md 1.10 and 2.1)."""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any

import httpx
import pytest

from simulator.ids import partner_id
from simulator.settings import DEFAULT_PARTNER_TENANT
from tests.helpers import BASE, START, Api, nce_line

PARTNER_CENTER = "https://api.partnercenter.microsoft.com"
CLIENT = "11111111-2222-3333-4444-555555555555"
TENANT_A = "contoso-partner.onmicrosoft.com"
TENANT_B = "fabrikam-partner.onmicrosoft.com"
DEFAULT_TENANT = partner_id(DEFAULT_PARTNER_TENANT)  # the default partner's GUID
NOW = int(datetime.fromisoformat(START.replace("Z", "+00:00")).timestamp())
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

# The form fields each grant needs besides grant_type and client_id.
GRANT_FIELDS = {
    "client_credentials": {"client_secret": "secret"},
    "password": {"username": "admin@partner.example", "password": "pw"},
    "refresh_token": {"refresh_token": "stored-refresh-token"},
    "authorization_code": {"code": "auth-code", "redirect_uri": "http://localhost/callback"},
}
USER_GRANTS = ["password", "refresh_token", "authorization_code"]


# --- helpers ------------------------------------------------------------------------------

def token_reply(api: Api, grant: str, tenant: str = TENANT_A, *, v2: bool = False) -> httpx.Response:
    form = {"grant_type": grant, "client_id": CLIENT, **GRANT_FIELDS[grant]}
    if v2:
        form["scope"] = f"{PARTNER_CENTER}/.default"
        return api.post(f"/{tenant}/oauth2/v2.0/token", data=form, token="")
    form["resource"] = PARTNER_CENTER
    return api.post(f"/{tenant}/oauth2/token", data=form, token="")


def token(api: Api, grant: str = "client_credentials", tenant: str = TENANT_A, *, v2: bool = False) -> str:
    reply = token_reply(api, grant, tenant, v2=v2)
    assert reply.status_code == 200, reply.text
    return reply.json()["access_token"]


def claims(jwt: str) -> dict[str, Any]:
    body = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def tampered(jwt: str, **changes: Any) -> str:
    """The same token with its claims changed (or, without changes, its signature flipped)."""
    head, body, signature = jwt.split(".")
    if changes:
        raw = json.dumps({**claims(jwt), **changes}, separators=(",", ":")).encode()
        return f"{head}.{base64.urlsafe_b64encode(raw).rstrip(b'=').decode()}.{signature}"
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return f"{head}.{body}.{flipped}"


def assert_error(reply: httpx.Response, status: int, code: int) -> None:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert body == {"code": code, "description": body["description"], "data": [], "source": "PartnerFD"}
    assert isinstance(body["description"], str) and body["description"]


def assert_unauthorized(reply: httpx.Response) -> None:
    assert_error(reply, 401, 800001)
    assert reply.headers["www-authenticate"].startswith("OAuth realm=urn:cpsvc:cpid:")


def tenant_of(api: Api, jwt: str) -> str:
    return str(claims(jwt)["tid"])


def place_order(api: Api, jwt: str) -> tuple[str, str]:
    customer = api.new_customer(token=jwt)
    order = api.buy(customer, nce_line(), token=jwt)["orders"][0]["id"]
    return customer, order


# --- token endpoints ----------------------------------------------------------------------

def test_v1_client_credentials_token_has_the_documented_fields(api: Api) -> None:
    reply = token_reply(api, "client_credentials")

    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    assert "no-store" in reply.headers["cache-control"]
    body = reply.json()
    assert JWT.match(body["access_token"])
    assert body == {"token_type": "Bearer", "expires_in": "3600", "ext_expires_in": "3600",
                    "expires_on": str(NOW + 3600), "not_before": str(NOW), "resource": PARTNER_CENTER,
                    "access_token": body["access_token"]}


@pytest.mark.parametrize("grant", USER_GRANTS)
def test_v1_user_grants_also_return_a_refresh_token(api: Api, grant: str) -> None:
    reply = token_reply(api, grant)

    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert JWT.match(body["access_token"]) and JWT.match(body["refresh_token"])
    assert body == {"token_type": "Bearer", "expires_in": "3600", "ext_expires_in": "3600",
                    "expires_on": str(NOW + 3600), "not_before": str(NOW), "resource": PARTNER_CENTER,
                    "access_token": body["access_token"], "refresh_token": body["refresh_token"]}


def test_v2_token_answers_with_the_scope_and_numeric_lifetimes(api: Api) -> None:
    reply = token_reply(api, "client_credentials", v2=True)

    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert JWT.match(body["access_token"])
    assert body == {"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600,
                    "scope": f"{PARTNER_CENTER}/.default", "access_token": body["access_token"]}


def test_v2_token_needs_a_scope(api: Api) -> None:
    form = {"grant_type": "client_credentials", "client_id": CLIENT, "client_secret": "secret"}
    reply = api.post(f"/{TENANT_A}/oauth2/v2.0/token", data=form, token="")

    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_request"
    assert reply.json()["error_codes"] == [900144]


@pytest.mark.parametrize(("grant", "kind"), [("client_credentials", "app"), *[(g, "user") for g in USER_GRANTS]])
@pytest.mark.parametrize("v2", [False, True])
def test_client_credentials_give_app_only_tokens_and_user_grants_app_plus_user(
        api: Api, grant: str, kind: str, v2: bool) -> None:
    issued = claims(token(api, grant, v2=v2))

    assert issued["idtyp"] == kind
    assert issued["appid"] == CLIENT
    assert GUID.match(issued["tid"]) and GUID.match(issued["oid"])
    assert issued["aud"] == PARTNER_CENTER
    assert (issued["iat"], issued["nbf"], issued["exp"]) == (NOW, NOW, NOW + 3600)


def test_tokens_of_one_tenant_name_the_same_tenant_id(api: Api) -> None:
    first, second = tenant_of(api, token(api)), tenant_of(api, token(api, "password", v2=True))
    other = tenant_of(api, token(api, tenant=TENANT_B))

    assert first == second
    assert other != first


def test_a_guid_tenant_in_the_token_url_is_the_token_tenant(api: Api) -> None:
    tenant = "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE"

    assert tenant_of(api, token(api, tenant=tenant)) == tenant.lower()


# --- OpenID metadata ----------------------------------------------------------------------

@pytest.mark.parametrize("base", [BASE, "http://localhost:8080"])
def test_v1_openid_configuration_points_at_the_base_url_used(api: Api, base: str) -> None:
    reply = api.get(f"{base}/{TENANT_A}/.well-known/openid-configuration", token="")

    assert reply.status_code == 200
    doc = reply.json()
    assert doc["token_endpoint"] == f"{base}/{TENANT_A}/oauth2/token"
    assert doc["authorization_endpoint"] == f"{base}/{TENANT_A}/oauth2/authorize"
    # The v1 issuer is Entra's sts.windows.net form, the same string as the `iss` of v1 tokens.
    assert doc["issuer"] == claims(token(api))["iss"] == f"https://sts.windows.net/{tenant_of(api, token(api))}/"


@pytest.mark.parametrize("base", [BASE, "http://localhost:8080"])
def test_v2_openid_configuration_points_at_the_base_url_used(api: Api, base: str) -> None:
    reply = api.get(f"{base}/{TENANT_A}/v2.0/.well-known/openid-configuration", token="")

    assert reply.status_code == 200
    doc = reply.json()
    assert doc["token_endpoint"] == f"{base}/{TENANT_A}/oauth2/v2.0/token"
    assert doc["authorization_endpoint"] == f"{base}/{TENANT_A}/oauth2/v2.0/authorize"
    assert doc["issuer"] == f"{base}/{tenant_of(api, token(api))}/v2.0"
    assert "client_credentials" in doc["grant_types_supported"]


def test_the_token_endpoint_named_by_the_metadata_issues_tokens(api: Api) -> None:
    doc = api.get(f"/{TENANT_A}/v2.0/.well-known/openid-configuration", token="").json()
    form = {"grant_type": "client_credentials", "client_id": CLIENT, "client_secret": "s",
            "scope": f"{PARTNER_CENTER}/.default"}

    reply = api.post(doc["token_endpoint"], data=form, token="")

    assert reply.status_code == 200
    assert JWT.match(reply.json()["access_token"])


def test_client_secret_basic_advertised_by_the_metadata_is_accepted(api: Api) -> None:
    doc = api.get(f"/{TENANT_A}/.well-known/openid-configuration", token="").json()
    assert "client_secret_basic" in doc["token_endpoint_auth_methods_supported"]
    basic = base64.b64encode(f"{CLIENT}:secret".encode()).decode()

    reply = api.post(doc["token_endpoint"], data={"grant_type": "client_credentials", "resource": PARTNER_CENTER},
                     token="", headers={"Authorization": f"Basic {basic}"})

    assert reply.status_code == 200, reply.text
    assert claims(reply.json()["access_token"])["appid"] == CLIENT


# --- OAuth-style errors -------------------------------------------------------------------

@pytest.mark.parametrize(("form", "status", "error", "code"), [
    pytest.param({"client_id": CLIENT, "client_secret": "s"}, 400, "invalid_request", 900144, id="no-grant-type"),
    pytest.param({"grant_type": "client_credentials", "client_secret": "s"}, 400, "invalid_request", 900144,
                 id="no-client-id"),
    pytest.param({"grant_type": "client_credentials", "client_id": CLIENT}, 401, "invalid_client", 7000216,
                 id="no-client-secret"),
    pytest.param({"grant_type": "device_code", "client_id": CLIENT}, 400, "unsupported_grant_type", 70003,
                 id="unsupported-grant"),
    pytest.param({"grant_type": "password", "client_id": CLIENT}, 400, "invalid_request", 900144,
                 id="password-without-username"),
    pytest.param({"grant_type": "refresh_token", "client_id": CLIENT}, 400, "invalid_grant", 9002313,
                 id="refresh-without-token"),
])
def test_token_errors_answer_in_oauth_form(api: Api, form: dict[str, str], status: int, error: str,
                                           code: int) -> None:
    reply = api.post(f"/{TENANT_A}/oauth2/token", data={**form, "resource": PARTNER_CENTER}, token="")

    assert reply.status_code == status
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert body == {"error": error, "error_description": body["error_description"], "error_codes": [code],
                    "timestamp": body["timestamp"], "trace_id": body["trace_id"],
                    "correlation_id": body["correlation_id"]}
    assert body["error_description"].startswith(f"AADSTS{code}:")
    assert ISO_Z.match(body["timestamp"])
    assert GUID.match(body["trace_id"]) and GUID.match(body["correlation_id"])


# --- who a /v1 request speaks for ---------------------------------------------------------

def test_a_request_without_authorization_is_401_with_800001(api: Api) -> None:
    assert_unauthorized(api.get("/v1/customers", token=""))


@pytest.mark.parametrize("header", ["Basic dXNlcjpwdw==", "Bearer", "Bearer    ", "token-without-scheme"])
def test_an_authorization_header_without_a_bearer_token_is_401(api: Api, header: str) -> None:
    reply = api.get("/v1/customers", token="", headers={"Authorization": header})

    assert_unauthorized(reply)


def test_a_simulator_token_with_a_tampered_signature_is_refused(api: Api) -> None:
    issued = token(api)
    assert api.get("/v1/customers", token=issued).status_code == 200

    assert_unauthorized(api.get("/v1/customers", token=tampered(issued)))


def test_a_simulator_token_with_tampered_claims_is_refused(api: Api) -> None:
    forged = tampered(token(api), tid=DEFAULT_TENANT, idtyp="user")

    assert_unauthorized(api.get("/v1/customers", token=forged))


@pytest.mark.parametrize("bearer", ["any-bearer-string", "eyJhbGciOi.not.a-real-jwt", "x.y.z"])
def test_any_other_bearer_string_works_in_default_mode(api: Api, bearer: str) -> None:
    reply = api.get("/v1/customers", token=bearer)

    assert reply.status_code == 200
    assert reply.json()["items"] == []


def test_foreign_bearer_strings_speak_for_the_default_partner_tenant(api: Api) -> None:
    customer = api.new_customer(token="some-token-from-elsewhere")

    for bearer in ("another-foreign-token", token(api, tenant="common"), token(api, tenant=DEFAULT_TENANT)):
        assert api.get(f"/v1/customers/{customer}", token=bearer).status_code == 200
    assert_error(api.get(f"/v1/customers/{customer}", token=token(api, tenant=TENANT_A)), 404, 60003)


def test_strict_auth_refuses_tokens_the_simulator_did_not_issue(make_api: Any) -> None:
    strict = make_api(strict_auth=True)

    assert_unauthorized(strict.get("/v1/customers"))
    assert_unauthorized(strict.get("/v1/products?country=US&targetView=OnlineServices", token="x.y.z"))


@pytest.mark.parametrize("grant", ["client_credentials", "password"])
def test_strict_auth_accepts_tokens_the_simulator_issued(make_api: Any, grant: str) -> None:
    strict = make_api(strict_auth=True)
    issued = token(strict, grant)

    assert strict.get("/v1/customers", token=issued).status_code == 200
    assert strict.post("/v1/customers", token=issued, json={}).status_code == 400  # authenticated, then validated


def test_a_token_signed_by_another_simulator_is_refused_even_with_the_same_seed(make_api: Any,
                                                                                tmp_path: Any) -> None:
    # Keys are random, not derived from the seed: another simulator's token, one of the same seed
    # included, says pcsim signed it but this simulator's key did not.
    issued = token(make_api(seed=1, state=str(tmp_path / "other.db")))

    assert_unauthorized(make_api(seed=1).get("/v1/customers", token=issued))
    assert_unauthorized(make_api(seed=1, strict_auth=True).get("/v1/customers", token=issued))


def test_an_expired_simulator_token_is_refused(api: Api) -> None:
    issued = token(api)
    assert api.get("/v1/customers", token=issued).status_code == 200

    api.wall.advance(3600 + 60)

    reply = api.get("/v1/customers", token=issued)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"].startswith("OAuth realm=urn:cpsvc:cpid:")


def test_advancing_the_simulated_clock_does_not_expire_tokens(api: Api) -> None:
    # Clients cache tokens by wall time; the simulated clock must not expire a token they hold.
    issued = token(api)
    api.advance(90 * 86400)
    assert api.get("/v1/customers", token=issued).status_code == 200


def test_refresh_tokens_and_tokens_for_other_resources_are_not_access_tokens(api: Api) -> None:
    form = {"grant_type": "password", "client_id": "app", "username": "u@x.example", "password": "pw",
            "resource": "https://graph.windows.net"}
    graph = api.post("/contoso.onmicrosoft.com/oauth2/token", data=form, token="").json()
    assert_unauthorized(api.get("/v1/customers", token=graph["access_token"]))
    assert_unauthorized(api.get("/v1/customers", token=graph["refresh_token"]))


# --- App-only versus App+User -------------------------------------------------------------

@pytest.mark.parametrize("v2", [False, True])
def test_an_app_only_token_on_an_app_plus_user_route_is_403_900329(api: Api, v2: bool) -> None:
    app = token(api, "client_credentials", v2=v2)
    customer, order = place_order(api, app)  # customers, carts and checkout accept App-only

    reply = api.get(f"/v1/customers/{customer}/orders/{order}/provisioningstatus", token=app)

    assert_error(reply, 403, 900329)


@pytest.mark.parametrize("grant", USER_GRANTS)
@pytest.mark.parametrize("v2", [False, True])
def test_app_plus_user_tokens_reach_app_plus_user_routes(api: Api, grant: str, v2: bool) -> None:
    customer, order = place_order(api, token(api, "client_credentials"))
    user = token(api, grant, v2=v2)

    reply = api.get(f"/v1/customers/{customer}/orders/{order}/provisioningstatus", token=user)

    assert reply.status_code == 200, reply.text
    assert reply.json()["attributes"] == {"objectType": "Collection"}


# --- tenant isolation ---------------------------------------------------------------------

def test_a_customer_of_one_partner_tenant_is_invisible_to_another(api: Api) -> None:
    a, b = token(api, tenant=TENANT_A), token(api, tenant=TENANT_B)
    customer = api.new_customer(token=a)

    assert api.get(f"/v1/customers/{customer}", token=a).status_code == 200
    assert_error(api.get(f"/v1/customers/{customer}", token=b), 404, 60003)
    assert [c["id"] for c in api.get("/v1/customers", token=a).json()["items"]] == [customer]
    assert api.get("/v1/customers", token=b).json()["items"] == []


def test_another_partner_tenant_cannot_delete_or_shop_for_a_foreign_customer(api: Api) -> None:
    a, b = token(api, tenant=TENANT_A), token(api, tenant=TENANT_B)
    customer = api.new_customer(token=a)

    assert_error(api.delete(f"/v1/customers/{customer}", token=b), 404, 60003)
    assert_error(api.get(f"/v1/customers/{customer}/products?targetView=OnlineServices", token=b), 404, 60003)
    assert api.get(f"/v1/customers/{customer}", token=a).status_code == 200


def test_the_catalog_is_the_same_for_every_partner_tenant(api: Api) -> None:
    a, b = token(api, tenant=TENANT_A), token(api, tenant=TENANT_B)

    for path in ("/v1/products?country=US&targetView=OnlineServices",
                 "/v1/products/CFQ7TTC0LH18/skus/0001/availabilities?country=GB"):
        seen_by_a, seen_by_b = api.get(path, token=a), api.get(path, token=b)
        assert seen_by_a.status_code == seen_by_b.status_code == 200
        assert seen_by_a.json() == seen_by_b.json()
