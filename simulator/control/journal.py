"""The request journal: the last `--journal-size` requests the simulator answered, newest last.

Each entry: simulated time, method, path, query, status (null for a dropped connection), the
partner tenant the token resolves to, request headers, both bodies cut to `--journal-body-limit`
characters, the wall-clock duration and, for a faulted request, the id of the fault rule that fired.
/_simulator requests are not journaled. Webhook deliveries pcsim POSTs to partners' URLs are journaled
too, with `direction: "outgoing"` (the whole URL as path; `fault: "webhook-failure"` for an attempt the
control API made fail).

Secrets are redacted when an entry is read: the headers of SECRET_HEADERS (the scheme of
`Authorization` and `Proxy-Authorization` stays); form fields and query parameters whose name,
percent-decoded (`client%5Fsecret` is `client_secret`, as the token endpoint reads it), is one of
SECRET_FIELDS; JSON string members of SECRET_MEMBERS, by their unescaped name (`pass\u0077ord`), in
both bodies (a token answer's tokens, a new customer's admin password).
"""
from __future__ import annotations

import fnmatch
import json
import re
from collections import deque
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import unquote_plus

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import auth, errors, ids, wire
from simulator.context import Context
from simulator.wire import query

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key",
                            "ocp-apim-subscription-key", "x-functions-key", "x-auth-token"})
SECRET_FIELDS = frozenset({"client_secret", "client_assertion", "password", "refresh_token", "access_token",
                           "id_token", "code", "code_verifier", "assertion", "token", "api_key", "apikey",
                           "secret", "sig", "signature"})
SECRET_MEMBERS = SECRET_FIELDS - {"code", "token", "sig", "signature"}  # JSON names ("code" is an error's)
FORM_FIELD = re.compile(r"(^|&)([^=&]*)=([^&]*)")
# A JSON string member; the value may be cut short by the body limit (then it runs to the end).
JSON_MEMBER = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:\s*)"(?:[^"\\]|\\.)*("|\\?$)')


class Raw(NamedTuple):
    """One answered request as the middleware saw it; rendered into an entry only when read."""
    at: datetime
    method: str
    path: str
    query: bytes
    status: int | None
    headers: list[tuple[bytes, bytes]]
    request_body: bytes
    response_body: bytes
    duration: timedelta
    fault: str | None
    direction: str | None = None  # "outgoing": a webhook delivery pcsim POSTed to a partner's URL
    tenant: str | None = None     # the partner, when known without a token (webhook deliveries)


class Journal:
    def __init__(self, size: int, body_limit: int) -> None:
        self.entries: deque[Raw] = deque(maxlen=max(size, 0))
        self.body_limit = max(body_limit, 0)


def render(ctx: Context, raw: Raw, limit: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "at": wire.iso(raw.at), "method": raw.method, "path": raw.path,
        "query": redact_form(raw.query.decode("latin-1")),
        "status": raw.status, "tenant": raw.tenant or tenant_of(ctx, raw.headers),
        "requestHeaders": redact_headers(raw.headers),
        "requestBody": text(raw.request_body, limit), "responseBody": text(raw.response_body, limit),
        "durationMs": round(raw.duration.total_seconds() * 1000, 3), "fault": raw.fault, "direction": raw.direction}
    return {k: v for k, v in entry.items() if v is not None or k == "status"}


def tenant_of(ctx: Context, headers: list[tuple[bytes, bytes]]) -> str | None:
    """The partner tenant the request's token resolves to, as auth resolves it; None without one."""
    if not any(name.lower() == b"authorization" for name, _ in headers):
        return None
    try:
        return auth.authenticate(ctx, Request({"type": "http", "headers": headers})).tenant.lower()
    except (errors.PartnerCenterError, ValueError, TypeError, OverflowError, RecursionError):
        # no usable token, whatever its claims hold: the endpoint said so, and the journal keeps answering
        return None


def redact_headers(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        if name in SECRET_HEADERS:
            scheme, space, _ = value.strip().partition(" ")
            # The scheme of a credential stays ("Bearer [redacted]"); a cookie or a key goes whole.
            value = f"{scheme} {REDACTED}" if space and name.endswith("authorization") else REDACTED
        found[name] = f"{found[name]}, {value}" if name in found else value
    return found


def secret_field(name: str) -> bool:
    """Whether a form field or query parameter, named as sent, holds a secret (by its decoded name)."""
    return unquote_plus(name).strip().lower() in SECRET_FIELDS


def redact_form(text: str) -> str:
    """A form body or a query string with the values of secret fields redacted."""
    return FORM_FIELD.sub(lambda m: f"{m[1]}{m[2]}={REDACTED}" if secret_field(m[2]) else m[0], text)


def _member_name(escaped: str) -> str:
    try:
        name = json.loads(f'"{escaped}"')
    except ValueError:
        return escaped
    return name if isinstance(name, str) else escaped


def redact_json(text: str) -> str:
    return JSON_MEMBER.sub(lambda m: f'"{m[1]}"{m[2]}"{REDACTED}"'
                           if _member_name(m[1]).lower() in SECRET_MEMBERS else m[0], text)


def text(body: bytes, limit: int) -> str:
    """The body as text without secrets, cut to `limit` characters."""
    # Cut first (a body can be a whole catalog): a secret cut short is still matched, since both
    # patterns run to the end of the text, and one whose name was cut off has no value left.
    decoded = body[:limit * 4].decode("utf-8", "replace")[:limit]
    if decoded.lstrip()[:1] in ("{", "["):
        decoded = redact_json(decoded)
    else:
        decoded = redact_form(decoded)
    return decoded[:limit]


def matching(ctx: Context, journal: Journal, path: str | None, tenant: str | None, method: str | None,
             limit: int | None) -> list[dict[str, Any]]:
    """The entries that pass the filters, the cheap ones first; only those are rendered."""
    tenant_id = ids.partner_id(tenant, ctx.settings.default_tenant) if tenant else None
    raws = [raw for raw in journal.entries
            if (path is None or fnmatch.fnmatchcase(raw.path.lower(), path.lower()))
            and (method is None or raw.method == method.upper())
            and (tenant_id is None or (raw.tenant or tenant_of(ctx, raw.headers)) == tenant_id)]
    if limit is not None:
        raws = raws[max(len(raws) - limit, 0):]
    return [render(ctx, raw, journal.body_limit) for raw in raws]


MAX_LIMIT = 999_999_999


# --- endpoints ----------------------------------------------------------------------------

ENTRY = {"type": "object",
         "required": ["at", "method", "path", "query", "status", "requestHeaders", "requestBody", "responseBody",
                      "durationMs"],
         "properties": {"at": {"type": "string", "format": "date-time"}, "method": {"type": "string"},
                        "path": {"type": "string"}, "query": {"type": "string"},
                        "status": {"type": "integer", "nullable": True}, "tenant": {"type": "string"},
                        "requestHeaders": {"type": "object", "additionalProperties": {"type": "string"}},
                        "requestBody": {"type": "string"}, "responseBody": {"type": "string"},
                        "durationMs": {"type": "number"}, "fault": {"type": "string"},
                        "direction": {"type": "string", "enum": ["outgoing"]}}}
ENTRIES = wire.collection_schema(ENTRY)


def journal_of(request: Request) -> Journal:
    journal: Journal = request.app.state.control.journal
    return journal


@wire.operation(summary="the last requests answered, newest last (path is a glob)",
                query=["path", "tenant", "method", "limit"], response=ENTRIES, errors=[400, 401])
async def list_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    items = matching(ctx, journal_of(request), query.text(request, "path") or None,
                     query.text(request, "tenant") or None, query.text(request, "method") or None,
                     query.integer(request, "limit", high=MAX_LIMIT))
    return wire.respond(wire.collection(items))


@wire.operation(summary="empty the request journal", status=204, errors=[401])
async def clear_endpoint(request: Request) -> Response:
    journal_of(request).entries.clear()
    return wire.empty()


routes = [
    Route("/_simulator/requests", list_endpoint, methods=["GET"]),
    Route("/_simulator/requests", clear_endpoint, methods=["DELETE"]),
]
