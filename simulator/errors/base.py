"""The error every other derives from, the generic and control API errors, and the one handler
that renders them all as the Partner Center error body."""
from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "PartnerCenterError", "InvalidRequestInput", "RouteNotFound", "MethodNotAllowed", "NotSimulated",
    "PartnerTokenMissing", "InvalidToken", "AppOnlyNotSupported", "SandboxOnlyOperation",
    "ControlTokenRequired", "SnapshotNotFound", "TooManySnapshots", "TooManySnapshotBytes", "FaultNotFound",
    "TooManyFaultRules", "InjectedFault",
    "Throttled", "StorageFull", "MissingQueryParameter", "InvalidNumberParameter", "NotABoolean", "NotADateTime",
    "UnparsableEnum", "ContinuationTokenMissing", "ContinuationTokenInvalid", "error_body", "render",
    "partner_center_error_handler", "http_exception_handler",
    "unexpected_error_handler", "HANDLERS",
]


class PartnerCenterError(Exception):
    # Class-wide defaults a subclass sets; an instance may answer otherwise (headers of its own, or an
    # injected fault's status and code).
    status: int = 400
    code: int = 800002
    description: str = "Invalid request input."
    headers: dict[str, str] = {}

    def __init__(self, *args: object, data: list[str] | None = None) -> None:
        self.text = self.description.format(*args) if args else self.description
        self.data = data or []
        super().__init__(self.text)

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "description": self.text[:1024], "data": self.data, "source": "PartnerFD"}


# --- generic ------------------------------------------------------------------------------

class InvalidRequestInput(PartnerCenterError):
    """800002 is the generic validation code; its description names the field (error-codes.md)."""
    description = "Invalid request input: {0}"


class RouteNotFound(PartnerCenterError):
    # error-codes.md: 1000 is the legacy "not found" code; no code is documented for unknown routes.
    status, code, description = 404, 1000, "The requested resource {0} was not found."


class MethodNotAllowed(PartnerCenterError):
    status, code, description = 405, 800002, "The method {0} is not allowed on {1}."

    def __init__(self, method: str, path: str, allow: str) -> None:
        super().__init__(method, path)
        self.headers = {"Allow": allow}


class NotSimulated(PartnerCenterError):
    # 900127 "This operation isn't supported in this environment" (error-codes.md), served as 501.
    status, code, description = 501, 900127, "This operation isn't supported in this environment: {0}"


class PartnerTokenMissing(PartnerCenterError):
    status, code, description = 401, 800001, "Partner Token missing in request context."
    headers = {"WWW-Authenticate": "OAuth realm=urn:cpsvc:cpid:pcsim"}


class InvalidToken(PartnerCenterError):
    status, code, description = 401, 800001, "The access token is invalid: {0}"
    headers = {"WWW-Authenticate": 'OAuth realm=urn:cpsvc:cpid:pcsim, error="invalid_token"'}


class AppOnlyNotSupported(PartnerCenterError):
    status, code, description = 403, 900329, "This resource does not support application-only authentication."


class SandboxOnlyOperation(PartnerCenterError):
    code, description = 900127, "This operation isn't supported in this environment."


# --- query parameters and continuation tokens (simulator/wire/query.py, simulator/wire/tokens.py) --
# One class per kind of fault, whatever the route. The pages document no code for a bad query value
# (they point at error-codes.md), so 800002 "Invalid request input" naming the parameter, except an
# enum value: error-codes.md's 400 900126 "Unable to parse enum".

class MissingQueryParameter(PartnerCenterError):
    description = "Invalid request input: the query parameter '{0}' is required."


class InvalidNumberParameter(PartnerCenterError):
    # Not a number, negative, out of the range, or too long to be one (size=9223372036854775808).
    description = "Invalid request input: the query parameter '{0}' must be {1}."


class NotABoolean(PartnerCenterError):
    description = "Invalid request input: the query parameter '{0}' must be true or false."


class NotADateTime(PartnerCenterError):
    description = "Invalid request input: the query parameter '{0}' is not an ISO-8601 date-time."


class UnparsableEnum(PartnerCenterError):
    # error-codes.md: 400 900126 "Unable to parse enum: {0}" (provider, invoicelineitemtype, period ...).
    code, description = 900126, "Unable to parse enum: the {0} '{1}' is not one of {2}."


class ContinuationTokenMissing(PartnerCenterError):
    description = "Invalid request input: seekOperation=Next needs the MS-ContinuationToken header of links.next."


class ContinuationTokenInvalid(PartnerCenterError):
    description = ("Invalid request input: the MS-ContinuationToken isn't one this query's links.next gave; "
                   "start again without seekOperation.")


# --- the control API (/_simulator) and its fault rules ----------------------------------
# Not Partner Center operations, so no code is documented for them: 1000 (the legacy "not found",
# as for unknown routes), 800001 (no token) and 800002 (invalid request input) are the nearest.

class ControlTokenRequired(PartnerCenterError):
    status, code = 401, 800001
    description = "The simulator's control API needs its token (--control-token) as Authorization: Bearer."
    headers = {"WWW-Authenticate": 'Bearer realm="pcsim-control"'}


class SnapshotNotFound(PartnerCenterError):
    status, code, description = 404, 1000, "No snapshot is named {0}."


class TooManySnapshots(PartnerCenterError):
    status, code = 409, 800002
    description = ("Invalid request input: the simulator keeps at most {0} snapshots (--max-snapshots); "
                   "delete one first.")


class TooManyFaultRules(PartnerCenterError):
    status, code = 409, 800002
    description = "Invalid request input: the simulator keeps at most {0} fault rules; remove one first."


class TooManySnapshotBytes(PartnerCenterError):
    status, code = 409, 800002
    description = ("Invalid request input: the snapshots would take {0} bytes, over --max-snapshot-bytes ({1}); "
                   "delete one first.")


class FaultNotFound(PartnerCenterError):
    status, code, description = 404, 1000, "No fault rule has the id {0}."


class InjectedFault(PartnerCenterError):
    """The answer of an `error` fault rule: its status, code and description."""

    def __init__(self, status: int, code: int, description: str) -> None:
        super().__init__()
        self.status, self.code, self.text = status, code, description


class Throttled(PartnerCenterError):
    """The answer of a `throttle` fault rule, as api.md 2.8 and the recorded example show it: 429,
    `Retry-After`, and a body of another shape than the usual error body."""
    status, code, description = 429, 429, "Rate limit is exceeded. Try again in {0} seconds."

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.headers = {"Retry-After": str(retry_after)}

    def body(self) -> dict[str, Any]:
        return {"statusCode": 429, "message": self.text}


class StorageFull(PartnerCenterError):
    """A write the --state file's disk had no room for: 503 with `Retry-After` (api.md 2.7 lists 503
    among the statuses the service answers), the same error body with the status as its code, as the
    500 of an unexpected error has; nothing of the request is kept, and reads go on being answered."""
    status, code = 503, 503
    description = ("The simulator's state file has no room for this write (the disk is full); nothing was "
                   "saved. Reads still work; retry the write once there is room.")
    headers = {"Retry-After": "30"}


# --- rendering ----------------------------------------------------------------------------

def error_body(exc: PartnerCenterError) -> bytes:
    return json.dumps(exc.body(), separators=(",", ":")).encode()


def render(exc: PartnerCenterError) -> Response:
    return Response(error_body(exc), status_code=exc.status, headers=dict(exc.headers),
                    media_type="application/json; charset=utf-8")


async def partner_center_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PartnerCenterError)
    return render(exc)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:  # the guards answer every other method (app.method_guards)
        return render(MethodNotAllowed(request.method, request.url.path, (exc.headers or {}).get("Allow", "")))
    if exc.status_code == 404:
        return render(RouteNotFound(request.url.path))
    return render(InvalidRequestInput(exc.detail))


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    """A 500 is always a bug; it still answers with a Partner Center body."""
    body = {"code": 500, "description": f"Internal simulator error: {type(exc).__name__}: {exc}",
            "data": [], "source": "PartnerFD"}
    return Response(json.dumps(body).encode(), status_code=500, media_type="application/json; charset=utf-8")


HANDLERS = {
    PartnerCenterError: partner_center_error_handler,
    HTTPException: http_exception_handler,
    Exception: unexpected_error_handler,
}
