"""Tokens a standard JWT library validates (docs/tokens.md): RS256 with the key that the OpenID
configuration's `jwks_uri` publishes, found and checked by PyJWT's PyJWKClient over real HTTP; forged
tokens refused; the key kept by `--state` across a restart of a real `pcsim serve`; made on first need."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.helpers import ENV, ROOT, Api, Live, build_app, free_port, serve

# One worker runs this module: its tests share a module-scoped fixture (pytest-xdist, --dist loadgroup).
pytestmark = pytest.mark.xdist_group("token-server")

PARTNER_CENTER = "https://api.partnercenter.microsoft.com"
CLIENT = "11111111-2222-3333-4444-555555555555"
TENANT = "contoso.onmicrosoft.com"
USER = "admin@contoso.onmicrosoft.com"
DEFAULT_TENANT = "7a3e2c41-2f4b-4e8e-9d3b-5c1f0a6b8e21"  # Settings.default_tenant
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
KINDS = ["app-only", "app+user", "id_token"]


# --- helpers ------------------------------------------------------------------------------

def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


def token_form(kind: str, v2: bool) -> dict[str, str]:
    form = {"client_id": CLIENT}
    if kind == "app-only":
        form.update(grant_type="client_credentials", client_secret="s3cret")
    else:
        form.update(grant_type="password", username=USER, password="pw")
    api_scope = f"{PARTNER_CENTER}/.default"
    if v2:
        form["scope"] = f"openid profile offline_access {api_scope}" if kind == "id_token" else api_scope
    else:
        form["resource"] = PARTNER_CENTER
        if kind == "id_token":
            form["scope"] = "openid"
    return form


def issue(http: httpx.Client | Api, kind: str, *, v2: bool = False, tenant: str = TENANT) -> str:
    """The access token (or id_token) of `kind` that the token endpoint answers."""
    path = f"/{tenant}/oauth2/v2.0/token" if v2 else f"/{tenant}/oauth2/token"
    reply = http.post(path, data=token_form(kind, v2), **({"token": ""} if isinstance(http, Api) else {}))
    assert reply.status_code == 200, reply.text
    return str(reply.json()["id_token" if kind == "id_token" else "access_token"])


def discovery(http: httpx.Client | Api, v2: bool, tenant: str = TENANT) -> dict[str, Any]:
    path = f"/{tenant}/v2.0/.well-known/openid-configuration" if v2 else f"/{tenant}/.well-known/openid-configuration"
    reply = http.get(path, **({"token": ""} if isinstance(http, Api) else {}))
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def validate(token: str, config: dict[str, Any], audience: str, *, leeway: float = 0,
             **options: Any) -> dict[str, Any]:
    """What a partner's service does with a token it receives: the key from the discovery document's
    jwks_uri that the token's kid names (PyJWKClient, over HTTP), then signature, issuer, audience, expiry."""
    key = jwt.PyJWKClient(config["jwks_uri"], cache_keys=False, cache_jwk_set=False).get_signing_key_from_jwt(token)
    return dict(jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, issuer=config["issuer"],
                           leeway=leeway, options={"require": ["exp", "iat", "nbf", "iss", "aud", "sub"], **options}))


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    """A strict pcsim on a real socket, on wall time (validators judge `exp` by the system clock)."""
    with serve(build_app(wall="real", start_time=None, strict_auth=True)) as server:
        yield server


@pytest.fixture
def http(live: Live) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.base_url, timeout=10) as client:
        yield client


# --- a standard validator, over HTTP --------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("v2", [False, True], ids=["v1", "v2"])
def test_pyjwkclient_validates_every_token_through_the_discovery_document(http: httpx.Client, live: Live,
                                                                          kind: str, v2: bool) -> None:
    config = discovery(http, v2)
    before = int(time.time())
    token = issue(http, kind, v2=v2)
    after = int(time.time())
    audience = CLIENT if kind == "id_token" else PARTNER_CENTER

    claims = validate(token, config, audience)

    tid = claims["tid"]
    assert GUID.match(tid) and before <= claims["iat"] <= after
    issuer = f"{live.base_url}/{tid}/v2.0" if v2 else f"https://sts.windows.net/{tid}/"
    assert config["issuer"] == issuer
    times = {"iat": claims["iat"], "nbf": claims["iat"], "exp": claims["iat"] + 3600}
    if kind == "app-only":
        expected = {"aud": PARTNER_CENTER, "iss": issuer, **times, "appid": CLIENT, "tid": tid, "idtyp": "app",
                    "ver": "2.0" if v2 else "1.0", "oid": claims["oid"], "sub": claims["oid"]}
    elif kind == "app+user":
        expected = {"aud": PARTNER_CENTER, "iss": issuer, **times, "appid": CLIENT, "tid": tid, "idtyp": "user",
                    "ver": "2.0" if v2 else "1.0", "oid": claims["oid"], "sub": claims["sub"], "upn": USER,
                    "scp": "user_impersonation"}
    else:
        names = {"preferred_username": USER} if v2 else {"upn": USER, "unique_name": USER}
        expected = {"aud": CLIENT, "iss": issuer, **times, "oid": claims["oid"], "sub": claims["sub"], "tid": tid,
                    "ver": "2.0" if v2 else "1.0", "name": USER, **names}
    assert claims == expected
    assert GUID.match(claims["oid"]) and GUID.match(claims["sub"])
    # The same validator refuses it for another audience, from the other version's issuer, and an hour on.
    with pytest.raises(jwt.InvalidAudienceError):
        validate(token, config, PARTNER_CENTER if kind == "id_token" else CLIENT)
    with pytest.raises(jwt.InvalidIssuerError):
        validate(token, discovery(http, not v2), audience)
    with pytest.raises(jwt.ExpiredSignatureError):  # a negative leeway: the check as if 3601 s later
        validate(token, config, audience, verify_iat=False, verify_nbf=False, leeway=-3601)


def test_a_user_token_and_its_id_token_name_the_same_user(http: httpx.Client) -> None:
    reply = http.post(f"/{TENANT}/oauth2/v2.0/token", data=token_form("id_token", v2=True))
    body = reply.json()

    access, identity = unverified(body["access_token"])[1], unverified(body["id_token"])[1]

    assert (access["oid"], access["sub"], access["tid"]) == (identity["oid"], identity["sub"], identity["tid"])


def test_both_discovery_documents_publish_the_key_that_signs_the_tokens(http: httpx.Client) -> None:
    v1, v2 = discovery(http, False), discovery(http, True)
    assert v1["id_token_signing_alg_values_supported"] == v2["id_token_signing_alg_values_supported"] == ["RS256"]
    key_sets = [httpx.get(config["jwks_uri"], timeout=10) for config in (v1, v2)]
    assert [reply.status_code for reply in key_sets] == [200, 200]
    assert key_sets[0].headers["content-type"].startswith("application/json")

    jwks = key_sets[0].json()

    assert key_sets[1].json() == jwks
    (key,) = jwks["keys"]
    assert key == {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": key["kid"], "x5t": key["x5t"],
                   "n": key["n"], "e": "AQAB", "x5c": key["x5c"]}
    assert re.fullmatch(r"pcsim-[A-Za-z0-9_-]{43}", key["kid"])
    for kind, v2_token in (("app-only", False), ("app+user", True), ("id_token", True)):
        header = unverified(issue(http, kind, v2=v2_token))[0]
        assert header == {"alg": "RS256", "kid": key["kid"], "typ": "JWT"}
    # x5c is a certificate of the same public key, x5t its SHA-1 thumbprint
    der = base64.b64decode(key["x5c"][0])
    numbers = x509.load_der_x509_certificate(der).public_key().public_numbers()  # type: ignore[union-attr]
    assert b64(numbers.n.to_bytes(256, "big")) == key["n"]
    assert key["x5t"] == b64(hashlib.sha1(der).digest())
    # the key set reads the same on every tenant's address, and again
    assert httpx.get(v1["jwks_uri"].replace(TENANT, "common"), timeout=10).json() == jwks
    assert httpx.get(v1["jwks_uri"], timeout=10).json() == jwks


def test_the_tokens_pass_the_simulators_own_strict_check(http: httpx.Client) -> None:
    for kind, v2 in (("app-only", False), ("app+user", True)):
        reply = http.get("/v1/customers", headers={"Authorization": f"Bearer {issue(http, kind, v2=v2)}"})
        assert reply.status_code == 200, reply.text


def test_the_validation_snippet_of_docs_tokens_md_runs(live: Live) -> None:
    text = (ROOT / "docs" / "tokens.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1, "docs/tokens.md has one Python snippet"

    done = subprocess.run([sys.executable, "-c", blocks[0]], env={**os.environ, "PCSIM_URL": live.base_url},
                          capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    tid, kind, user = done.stdout.split()
    assert GUID.match(tid) and (kind, user) == ("user", USER)


# --- forged tokens --------------------------------------------------------------------------------

def hs256(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    """An HS256 JWT, made by hand: PyJWT refuses to use a PEM public key as an HMAC secret."""
    head = b64(json.dumps({"alg": "HS256", "kid": kid, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    return f"{head}.{body}.{b64(hmac.new(secret, f'{head}.{body}'.encode(), hashlib.sha256).digest())}"


def alg_none(claims: dict[str, Any], kid: str) -> str:
    return f"{b64(json.dumps({'alg': 'none', 'kid': kid, 'typ': 'JWT'}).encode())}.{b64(json.dumps(claims).encode())}."


def another_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(api: Api) -> bytes:
    """The simulator's public key as PEM, from its JWKS."""
    (key,) = api.get(f"/{TENANT}/discovery/keys", token="").json()["keys"]
    public: rsa.RSAPublicKey = jwt.PyJWK(key).key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


# Each forgery takes the claims of a genuine token and this simulator's kid, and signs them otherwise.
FORGERIES: dict[str, Callable[[Api, dict[str, Any], str], str]] = {
    # the key pcsim used to derive from the seed: anyone could compute it
    "hs256-seed-key": lambda api, claims, kid: hs256(claims, hashlib.sha256(b"pcsim-token-key:0").digest(), kid),
    "hs256-old-kid": lambda api, claims, kid: hs256(claims, hashlib.sha256(b"pcsim-token-key:0").digest(), "pcsim"),
    # the public key as an HMAC secret (algorithm confusion)
    "hs256-public-key": lambda api, claims, kid: hs256(claims, public_pem(api), kid),
    "alg-none": lambda api, claims, kid: alg_none(claims, kid),
    "rs256-other-key": lambda api, claims, kid: jwt.encode(claims, another_rsa_key(), "RS256", headers={"kid": kid}),
    "rs256-other-pcsim-kid": lambda api, claims, kid: jwt.encode(claims, another_rsa_key(), "RS256",
                                                                 headers={"kid": "pcsim-" + "A" * 43}),
}


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "default"])
@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_token_not_signed_with_the_simulators_key_is_refused(make_api: Any, forgery: str, strict: bool) -> None:
    api = make_api(strict_auth=strict)
    genuine = issue(api, "app+user", v2=True)
    header, claims = unverified(genuine)
    assert api.get("/v1/customers", token=genuine).status_code == 200

    forged = FORGERIES[forgery](api, {**claims, "tid": DEFAULT_TENANT}, header["kid"])
    reply = api.get("/v1/customers", token=forged)

    assert reply.status_code == 401, reply.text
    assert reply.json()["code"] == 800001
    assert reply.headers["www-authenticate"].startswith("OAuth realm=urn:cpsvc:cpid:")


def test_a_token_of_another_issuer_speaks_for_the_default_partner_only_in_default_mode(make_api: Any) -> None:
    # A JWT that does not say pcsim signed it (as a real Entra ID token does not): in the default mode
    # any such bearer is the default partner; --strict-auth refuses it.
    lenient, strict = make_api(), make_api(strict_auth=True)
    claims = unverified(issue(lenient, "app-only"))[1]
    entra_like = jwt.encode(claims, another_rsa_key(), "RS256", headers={"kid": "nOo3ZDrODXEK1jKWhXslHR_KXEg"})
    customer = lenient.new_customer(token="any-bearer-string")  # the default partner's

    assert lenient.get(f"/v1/customers/{customer}", token=entra_like).status_code == 200
    reply = strict.get("/v1/customers", token=entra_like)
    assert reply.status_code == 401 and reply.json()["code"] == 800001


# --- the key: kept by --state, made on first need -----------------------------------------------

def saved_key(path: Path) -> bytes | None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        row = db.execute("SELECT value FROM meta WHERE name = 'keys.signing'").fetchone()
    db.close()
    return None if row is None else bytes(row[0])


@contextmanager
def pcsim_serve(*args: str) -> Iterator[None]:
    """`pcsim serve ARGS` as a process, until the block ends (stopped as Ctrl-C stops it)."""
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", *args], env=ENV, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        line = ""
        while "ready" not in line:
            ready, _, _ = select.select([proc.stdout], [], [], max(deadline - time.monotonic(), 0))
            assert ready, "no ready line within 30 s"
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line, proc.stderr.read()  # type: ignore[union-attr]
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
        for stream in (proc.stdout, proc.stderr):
            stream.close()  # type: ignore[union-attr]


def test_a_token_issued_before_a_restart_on_the_same_state_file_validates_after(tmp_path: Path) -> None:
    path, port = tmp_path / "pcsim.db", free_port()
    base = f"http://127.0.0.1:{port}"  # the same address after the restart: the v2 issuer names it
    serve_args = ("--state", str(path), "--port", str(port), "--strict-auth")
    with pcsim_serve(*serve_args):
        with httpx.Client(base_url=base, timeout=10) as http:
            assert http.get("/_simulator/health").status_code == 200
            assert http.get("/v1/customers", headers={"Authorization": "Bearer x.y.z"}).status_code == 401
            assert saved_key(path) is None  # nothing needed a key yet
            tokens = {(kind, v2): issue(http, kind, v2=v2) for kind in KINDS for v2 in (False, True)}
            jwks = http.get(f"/{TENANT}/discovery/keys").json()
            assert saved_key(path) is not None

    with pcsim_serve(*serve_args):
        with httpx.Client(base_url=base, timeout=10) as http:
            assert http.get(f"/{TENANT}/discovery/v2.0/keys").json() == jwks
            for (kind, v2), token in tokens.items():
                validate(token, discovery(http, v2), CLIENT if kind == "id_token" else PARTNER_CENTER)
                if kind != "id_token":
                    reply = http.get("/v1/customers", headers={"Authorization": f"Bearer {token}"})
                    assert reply.status_code == 200, reply.text


def test_another_state_file_has_another_key_whatever_the_seed(make_api: Any, tmp_path: Path) -> None:
    first = make_api(seed=3, state=str(tmp_path / "first.db"))
    second = make_api(seed=3, state=str(tmp_path / "second.db"))

    kids = [api.get(f"/{TENANT}/discovery/keys", token="").json()["keys"][0]["kid"] for api in (first, second)]

    assert kids[0] != kids[1]


def test_a_fresh_process_makes_no_key_until_one_is_needed(tmp_path: Path) -> None:
    """Startup cost: building the app and answering foreign bearers loads no JWT library and makes no key."""
    script = """
import asyncio
import sys

import httpx

from simulator import keys
from simulator.app import create_app


async def main():
    app = create_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://pcsim") as http:
        said = [(await http.get("/v1/products?country=US&targetView=OnlineServices",
                                headers={"Authorization": "Bearer bench"})).status_code]
        said += ["jwt" in sys.modules, keys.TOKENS.process is not None]
        said += [(await http.get("/contoso.onmicrosoft.com/discovery/keys")).status_code, keys.TOKENS.process is not None]
    print(said)

asyncio.run(main())
"""
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[200, False, False, 200, True]"
