"""Simulated Entra ID: token endpoints, OpenID metadata, and who a `/v1` request speaks for.

Operations: POST /{tenant}/oauth2/token (v1, `resource`), POST /{tenant}/oauth2/v2.0/token
(v2, `scope`), GET /{tenant}/.well-known/openid-configuration and its v2.0 form, and the home
realm discovery GET /common/userrealm/{username} that MSAL and ADAL make before a password grant,
and the authority validation GET /common/discovery/instance.
`client_credentials` gives an App-only token; `password`, `refresh_token` and
`authorization_code` give App+User tokens (partner-center-authentication.md).

Tokens are JWTs signed RS256 with the simulator's key (simulator/keys.py), whose public half the
OpenID configuration's `jwks_uri` (GET /{tenant}/discovery/keys and /discovery/v2.0/keys) publishes, so
any JWT library can validate them; PyJWT signs them and verifies the ones `/v1` requests bring.
"""
from __future__ import annotations

import base64
import functools
import json
import re
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import clock, errors, keys, wire
from simulator.context import Caller, Context
from simulator.ids import name_guid, partner_id

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
LIFETIME = 3600
PARTNER_CENTER = "https://api.partnercenter.microsoft.com"
USER_GRANTS = ("password", "refresh_token", "authorization_code")
OIDC_SCOPES = ("openid", "profile", "email", "offline_access")


class OAuthError(Exception):
    """Entra ID answers token errors in OAuth form, not in the Partner Center envelope."""

    def __init__(self, error: str, description: str, status: int = 400, code: int = 900144) -> None:
        super().__init__(description)
        self.error, self.description, self.status, self.code = error, description, status, code


# --- tokens -------------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(ctx: Context, claims: dict[str, Any]) -> str:
    """A JWT of `claims`, signed RS256 with the simulator's key (simulator/keys.py), its kid in the header."""
    import jwt  # PyJWT loads cryptography's RSA: only when there is a token to sign
    key = keys.of(ctx)
    return jwt.encode(claims, key.private, algorithm=keys.ALGORITHM, headers={"kid": key.kid, "typ": "JWT"})


def _pcsim_header(token: str) -> dict[str, Any] | None:
    """The header of a token that says pcsim signed it (a JWT whose kid starts with `pcsim`), read
    without PyJWT, so that foreign bearer strings (non-strict mode) load nothing; None for others."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_unb64(parts[0]))
    except (ValueError, RecursionError):
        return None
    if isinstance(header, dict) and str(header.get("kid", "")).startswith(keys.KID_PREFIX):
        return header
    return None


def signed_claims(ctx: Context, token: str, *, access: bool = False) -> dict[str, Any] | None:
    """Claims of a token that says pcsim signed it (its kid); None if it is not one; raises if the
    simulator's key did not sign it, or, for an `access` token, if it is expired, a refresh token, or
    meant for another resource than Partner Center."""
    header = _pcsim_header(token)
    if header is None:
        return None
    import jwt
    key = keys.of(ctx)
    if header["kid"] != key.kid:
        raise errors.InvalidToken("the token is not signed with this simulator's key")
    options: dict[str, Any] = {"verify_aud": access, "verify_exp": access, "require": ["exp"] if access else [],
                               "verify_nbf": False, "verify_iat": False}
    # Lifetimes run on wall time: clients (MSAL, ADAL) cache tokens by wall time, and advancing the
    # simulated clock must not expire a token they still consider fresh. PyJWT judges `exp` by the
    # system clock; the simulator's wall clock (which tests may move) is the one that counts, so their
    # difference is the leeway: exp <= system time - leeway is exp <= the simulator's wall time.
    leeway = clock.system_seconds() - ctx.clock.wall().timestamp() if access else 0
    try:
        return jwt.decode(token, key.public, algorithms=[keys.ALGORITHM], options=options,  # type: ignore[arg-type]
                          audience=PARTNER_CENTER if access else None, leeway=leeway)
    except (jwt.ExpiredSignatureError, jwt.InvalidAudienceError, jwt.MissingRequiredClaimError) as exc:
        # PyJWT checks the signature before the claims: this token is pcsim's, but no access token now.
        claims = jwt.decode(token, options={"verify_signature": False})
        if claims.get("kind") == "refresh":
            raise errors.InvalidToken("a refresh token is not an access token") from None
        if isinstance(exc, jwt.ExpiredSignatureError):
            raise errors.InvalidToken("the token has expired") from None
        if isinstance(exc, jwt.MissingRequiredClaimError):  # absent, or null
            raise errors.InvalidToken(f"the token has no {exc.claim} claim") from None
        raise errors.InvalidToken(f"the token's audience {claims.get('aud')!r} is not {PARTNER_CENTER}") from None
    except jwt.InvalidSignatureError:
        raise errors.InvalidToken("the signature does not match") from None
    except jwt.InvalidAlgorithmError:
        raise errors.InvalidToken(f"the token is not signed with {keys.ALGORITHM}") from None
    except jwt.InvalidTokenError as exc:
        raise errors.InvalidToken(f"the token is malformed ({exc})") from None
    except (TypeError, OverflowError, RecursionError) as exc:  # claims PyJWT didn't expect (an exp of 1e999 ...)
        raise errors.InvalidToken(f"the token is malformed ({type(exc).__name__})") from None


def verify(ctx: Context, token: str) -> dict[str, Any] | None:
    """Claims of a simulator-issued access token; None if it is not one; raises if it is forged,
    expired, a refresh token, or meant for another resource.

    A token that passed is remembered with its claims (VERIFIED_MOST of them, by the key that signed
    it): a client sends the same token with every request for its hour, and checking an RSA signature
    costs more than most answers. A remembered token is taken again only while its `exp` is ahead of the
    simulator's wall time; past it, the whole check runs again and says why the token is refused."""
    known = _VERIFIED.get(token)
    if known is not None:
        kid, kept = known
        if isinstance(kept.get("exp"), int | float) and kept["exp"] > ctx.clock.wall().timestamp() \
                and kid == keys.of(ctx).kid:
            return kept
    claims = signed_claims(ctx, token, access=True)
    if claims is not None:
        if len(_VERIFIED) >= VERIFIED_MOST:
            _VERIFIED.clear()
        _VERIFIED[token] = (keys.of(ctx).kid, claims)
    return claims


VERIFIED_MOST = 1024
_VERIFIED: dict[str, tuple[str, dict[str, Any]]] = {}  # token -> the kid of the key that signed it, its claims


def tenant_id(ctx: Context, tenant: str) -> str:
    """The partner a token URL names (simulator.ids.partner_id); `common` and the like stand for
    the default partner."""
    return partner_id(tenant, ctx.settings.default_tenant)


_MISSING = "AADSTS900144: The request body must contain the following parameter: "


def issue_token(ctx: Context, tenant: str, form: dict[str, str], v2: bool, base: str) -> dict[str, Any]:
    grant = form.get("grant_type", "")
    client = form.get("client_id", "")
    if not grant:
        raise OAuthError("invalid_request", f"{_MISSING}'grant_type'.")
    if grant not in ("client_credentials", *USER_GRANTS):
        raise OAuthError("unsupported_grant_type",
                         f"AADSTS70003: The app requested an unsupported grant type '{grant}'.", code=70003)
    if not client:
        raise OAuthError("invalid_request", f"{_MISSING}'client_id'.")
    if grant == "client_credentials" and not (form.get("client_secret") or form.get("client_assertion")):
        raise OAuthError("invalid_client",
                         "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the "
                         "'client_credentials' grant type.", 401, 7000216)
    if grant == "password" and not (form.get("username") and form.get("password")):
        raise OAuthError("invalid_request", f"{_MISSING}'username' and 'password'.")
    if grant in ("refresh_token", "authorization_code") and not (form.get("refresh_token") or form.get("code")):
        raise OAuthError("invalid_grant", "AADSTS9002313: Invalid request. Request is malformed or invalid.",
                         code=9002313)
    audience = form.get("resource") or _resource_of(form.get("scope", "")) or PARTNER_CENTER
    if v2 and not form.get("scope"):
        raise OAuthError("invalid_request", f"{_MISSING}'scope'.")
    return _token_response(ctx, tenant_id(ctx, tenant), client, grant, audience, form, base if v2 else None)


def _resource_of(scope: str) -> str:
    """The resource of the first API scope (`https://api.partnercenter.microsoft.com/.default`). MSAL
    adds the OpenID Connect scopes to user grants, in no fixed order; they name no resource."""
    for item in scope.split():
        if item.lower() not in OIDC_SCOPES:
            return item.rsplit("/", 1)[0] if "/" in item.replace("://", "") else item
    return ""


def _user_of(ctx: Context, tid: str, grant: str, form: dict[str, str]) -> str:
    """The signed-in user's UPN: the password grant's username, the user a simulator refresh token
    was issued to, or a stand-in admin of the tenant (codes and foreign refresh tokens)."""
    if grant == "refresh_token":
        try:
            earlier = signed_claims(ctx, form.get("refresh_token", ""))
        except errors.InvalidToken:
            earlier = None
        if earlier and earlier.get("kind") == "refresh" and earlier.get("upn"):
            return str(earlier["upn"])
    return form.get("username") or f"admin@{tid[:8]}.onmicrosoft.com"


def _token_response(ctx: Context, tid: str, client: str, grant: str, audience: str,
                    form: dict[str, str], v2_base: str | None) -> dict[str, Any]:
    now, v2 = int(ctx.clock.wall().timestamp()), v2_base is not None
    user = grant in USER_GRANTS
    issuer = f"{v2_base}/{tid}/v2.0" if v2 else f"https://sts.windows.net/{tid}/"
    # Partner Center's resource however the client spelled it (a trailing slash, capitals): one `aud`
    # that a validator can name.
    resource = PARTNER_CENTER if audience.rstrip("/").lower() == PARTNER_CENTER else audience
    claims: dict[str, Any] = {
        "aud": resource, "iss": issuer, "iat": now, "nbf": now,
        "exp": now + LIFETIME, "appid": client, "tid": tid, "idtyp": "user" if user else "app",
        "ver": "2.0" if v2 else "1.0",
    }
    if user:
        upn = _user_of(ctx, tid, grant, form)
        oid = name_guid(f"{tid}:{upn}")
        claims.update({"oid": oid, "sub": name_guid(f"{client}:{oid}"), "upn": upn, "scp": "user_impersonation"})
    else:
        oid = name_guid(f"{tid}:app:{client}")
        claims.update({"oid": oid, "sub": oid})  # an app's subject is its service principal
    body: dict[str, Any] = {"token_type": "Bearer", "expires_in": LIFETIME, "ext_expires_in": LIFETIME}
    if v2:
        body["scope"] = form.get("scope", "")
    else:
        body.update({"expires_on": str(now + LIFETIME), "not_before": str(now), "resource": audience})
        body["expires_in"], body["ext_expires_in"] = str(LIFETIME), str(LIFETIME)
    body["access_token"] = sign(ctx, claims)
    if user:
        body["refresh_token"] = sign(ctx, {"kind": "refresh", "tid": tid, "upn": claims["upn"]})
        if "openid" in form.get("scope", "").split():
            body["id_token"] = sign(ctx, _id_claims(claims, client))
        if form.get("client_info") == "1":
            # MSAL asks for it and keys its account cache on it: {uid: user object id, utid: tenant id}.
            body["client_info"] = _b64(json.dumps({"uid": claims["oid"], "utid": tid}).encode())
    return body


def _id_claims(access: dict[str, Any], client: str) -> dict[str, Any]:
    """An OpenID Connect id_token, which Entra ID adds to user grants that ask for `openid` (ADAL
    always does; MSAL too): it names the user for the client's token cache, and its audience is the
    client, so it is no access token for Partner Center."""
    upn, v2 = access["upn"], access["ver"] == "2.0"
    claims = {key: access[key] for key in ("iss", "iat", "nbf", "exp", "oid", "sub", "tid", "ver")}
    claims.update({"aud": client, "name": upn})
    claims.update({"preferred_username": upn} if v2 else {"upn": upn, "unique_name": upn})
    return claims


def authorization(scope: Any) -> str:
    """The Authorization header of a request's ASGI scope, as `request.headers.get("authorization", "")`
    reads it (the first one; ASGI names headers in lower case), without building the request's Headers."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            return str(value.decode("latin-1"))
    return ""


def authenticate(ctx: Context, request: Request, *, user_only: bool = False) -> Caller:
    return caller_of(ctx, authorization(request.scope), user_only=user_only)


def caller_of(ctx: Context, header: str, *, user_only: bool = False) -> Caller:
    """The caller an `Authorization` header names; 401 without a bearer token, or with one refused."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise errors.PartnerTokenMissing()
    claims = verify(ctx, token)
    if claims is None or "tid" not in claims:
        if ctx.settings.strict_auth:
            raise errors.InvalidToken("only tokens issued by the simulator are accepted (--strict-auth)")
        caller = default_caller(ctx.settings.default_tenant)
    else:
        user = claims.get("oid") if claims.get("idtyp") == "user" else None
        caller = Caller(str(claims["tid"]), str(claims.get("appid", "")), user,
                        str(claims["oid"]) if claims.get("oid") else None)
    if user_only and caller.app_only:
        raise errors.AppOnlyNotSupported()
    return caller


@functools.lru_cache(maxsize=64)
def default_caller(tenant: str) -> Caller:
    """Who a request without a simulator token speaks for (unless --strict-auth): the partner's default
    user. Made once per partner (a Caller is frozen), not on every such request."""
    return Caller(tenant, "00000000-0000-0000-0000-000000000000", "default-user", name_guid(f"{tenant}:default-user"))


def declared_user_only(scope: Any) -> bool:
    """Whether the request's route's endpoint is declared App+User only (`@wire.operation(user_only=True)`):
    the one declaration this check, the front's reusable answers and GET /openapi.json read."""
    operation = getattr(scope.get("endpoint"), "operation", None)
    return bool(getattr(operation, "user_only", False))


def begin(request: Request) -> tuple[Context, Caller]:
    """The context and the caller; 403 900329 for an App-only token where the route is App+User only."""
    ctx: Context = request.app.state.ctx
    return ctx, authenticate(ctx, request, user_only=declared_user_only(request.scope))


# --- endpoints ----------------------------------------------------------------------------

def _oauth_error(exc: OAuthError, ctx: Context) -> Response:
    body = {"error": exc.error, "error_description": exc.description, "error_codes": [exc.code],
            "timestamp": wire.iso(ctx.clock.now()), "trace_id": name_guid(exc.description),
            "correlation_id": name_guid(exc.error)}
    return Response(json.dumps(body).encode(), status_code=exc.status, media_type=wire.JSON)


def basic_client(header: str) -> dict[str, str]:
    """client_secret_basic (RFC 6749 2.3.1): client id and secret in an HTTP Basic header."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return {}
    try:
        client, _, secret = base64.b64decode(value.strip()).decode().partition(":")
        return {"client_id": unquote_plus(client, errors="strict"),
                "client_secret": unquote_plus(secret, errors="strict")}
    except ValueError:  # not base64, or no UTF-8 text (raw or percent-encoded): no client given
        return {}


async def _token(request: Request, v2: bool) -> Response:
    ctx: Context = request.app.state.ctx
    try:
        # Text, as every other request's (simulator/front.py, invalid_text): no byte sequence that is no UTF-8,
        # raw or percent-encoded, becomes a replacement character in a token's claims.
        raw = (await request.body()).decode("utf-8")
        fields = parse_qs(raw, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return _oauth_error(OAuthError("invalid_request", "AADSTS90023: Invalid request: the request body is not "
                                       "UTF-8 form data.", code=90023), ctx)
    form = {**basic_client(request.headers.get("authorization", "")), **{k: v[0] for k, v in fields.items()}}
    try:
        body = issue_token(ctx, request.path_params["tenant"], form, v2, str(request.base_url).rstrip("/"))
    except OAuthError as exc:
        return _oauth_error(exc, ctx)
    return Response(json.dumps(body).encode(), media_type=wire.JSON,
                    headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@wire.operation(form=True, oauth=True, errors=[400, 401])
async def token_v1_endpoint(request: Request) -> Response:
    return await _token(request, v2=False)


@wire.operation(form=True, oauth=True, errors=[400, 401])
async def token_v2_endpoint(request: Request) -> Response:
    return await _token(request, v2=True)


def openid_configuration(base: str, tenant: str, tid: str, v2: bool) -> dict[str, Any]:
    prefix = f"{base}/{tenant}/oauth2" + ("/v2.0" if v2 else "")
    return {
        "token_endpoint": f"{prefix}/token",
        "authorization_endpoint": f"{prefix}/authorize",
        "device_authorization_endpoint": f"{prefix}/devicecode",
        "issuer": f"{base}/{tid}/v2.0" if v2 else f"https://sts.windows.net/{tid}/",
        "jwks_uri": f"{base}/{tenant}/discovery" + ("/v2.0/keys" if v2 else "/keys"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": [keys.ALGORITHM],
        "grant_types_supported": ["client_credentials", *USER_GRANTS],
        "tenant_region_scope": "NA",
        "cloud_instance_name": "microsoftonline.com",
    }


async def _openid(request: Request, v2: bool) -> Response:
    ctx: Context = request.app.state.ctx
    tenant = request.path_params["tenant"]
    base = str(request.base_url).rstrip("/")
    return Response(json.dumps(openid_configuration(base, tenant, tenant_id(ctx, tenant), v2)).encode(),
                    media_type=wire.JSON)


@wire.operation(oauth=True, errors=[400])
async def user_realm_endpoint(request: Request) -> Response:
    """Home realm discovery, which MSAL and ADAL call before a password grant: every simulated user
    is a cloud-only (Managed) account, so the client goes on to the token endpoint, not to WS-Trust."""
    username = request.path_params["username"]
    body = {"ver": "1.0", "account_type": "Managed", "domain_name": username.rpartition("@")[2].lower(),
            "cloud_instance_name": "microsoftonline.com", "cloud_audience_urn": "urn:federation:MicrosoftOnline"}
    return Response(json.dumps(body).encode(), media_type=wire.JSON)


@wire.operation(oauth=True, errors=[400])
async def instance_discovery_endpoint(request: Request) -> Response:
    """Authority validation (`?authorization_endpoint=https://host/{tenant}/oauth2/v2.0/authorize`):
    MSAL calls it when given `instance_discovery="<base>/common/discovery/instance"`. The simulator
    knows one instance, itself; the answer names the tenant's metadata at the address the request
    came in on (MSAL drops the port from the authorization endpoint it sends)."""
    ctx: Context = request.app.state.ctx
    try:
        endpoint = urlsplit(request.query_params.get("authorization_endpoint", ""))
    except ValueError:  # e.g. an unclosed IPv6 bracket
        endpoint = urlsplit("")
    parts = [part for part in endpoint.path.split("/") if part]
    if endpoint.scheme != "https" or endpoint.hostname != request.url.hostname or len(parts) < 3 \
            or parts[1].lower() != "oauth2":
        unknown = OAuthError("invalid_instance", "AADSTS50049: Unknown or invalid instance.", code=50049)
        return _oauth_error(unknown, ctx)
    version = "/v2.0" if "v2.0" in parts else ""
    base = str(request.base_url).rstrip("/")
    body = {"tenant_discovery_endpoint": f"{base}/{parts[0]}{version}/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [{"preferred_network": request.url.netloc, "preferred_cache": request.url.netloc,
                          "aliases": [request.url.netloc]}]}
    return Response(json.dumps(body).encode(), media_type=wire.JSON)


@wire.operation(oauth=True, errors=[400])
async def keys_endpoint(request: Request) -> Response:
    """The JWKS of the OpenID configuration's `jwks_uri`: the public key that signs every token of the
    simulator (one key for every tenant, as Entra ID's keys are), made on first need."""
    ctx: Context = request.app.state.ctx
    return Response(json.dumps({"keys": [keys.of(ctx).jwk]}).encode(), media_type=wire.JSON)


@wire.operation(oauth=True, errors=[400])
async def openid_v1_endpoint(request: Request) -> Response:
    return await _openid(request, v2=False)


@wire.operation(oauth=True, errors=[400])
async def openid_v2_endpoint(request: Request) -> Response:
    return await _openid(request, v2=True)


routes = [
    Route("/{tenant}/oauth2/token", token_v1_endpoint, methods=["POST"]),
    Route("/{tenant}/oauth2/v2.0/token", token_v2_endpoint, methods=["POST"]),
    Route("/{tenant}/.well-known/openid-configuration", openid_v1_endpoint, methods=["GET"]),
    Route("/{tenant}/v2.0/.well-known/openid-configuration", openid_v2_endpoint, methods=["GET"]),
    Route("/common/userrealm/{username}", user_realm_endpoint, methods=["GET"]),
    Route("/common/discovery/instance", instance_discovery_endpoint, methods=["GET"]),
    Route("/{tenant}/discovery/keys", keys_endpoint, methods=["GET"], name="keys_v1"),
    Route("/{tenant}/discovery/v2.0/keys", keys_endpoint, methods=["GET"], name="keys_v2"),
]
