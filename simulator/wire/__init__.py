"""The wire format's one home: camelCase models, links, collections, dates, JSON rendering.

The pydantic models (`WireModel`, `Resource`) live in `simulator.wire.models` and load on first use
(`wire.WireModel` works as before): pydantic takes longer to import than the rest of the simulator
that the product list needs, so the first catalog answer doesn't wait for it."""
from __future__ import annotations

import base64
import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, overload

import orjson
from starlette.requests import Request
from starlette.responses import Response

from simulator import errors

if TYPE_CHECKING:
    from simulator.wire.models import Resource as Resource
    from simulator.wire.models import WireModel as WireModel

JSON = "application/json; charset=utf-8"
NO_DATE = "0001-01-01T00:00:00"


@dataclass(frozen=True)
class Operation:
    """What an endpoint accepts, for the OpenAPI document (simulator/openapi.py). The response
    schema comes from the operation's contract (contracts/*.json), which the suite checks against
    every answer; the request body schema comes from the very model the endpoint parses with."""

    body: type[WireModel] | None = None
    body_required: bool = True
    query: tuple[str, ...] = ()      # names; a trailing "!" marks a required one
    headers: tuple[str, ...] = ()    # request headers the operation reads (If-Match ...)
    statuses: tuple[int, ...] = ()   # success statuses besides the contract's (202 + Location ...)
    partial: bool = False            # some variants answer 501 (not simulated)
    summary: str | None = None
    response: dict[str, Any] | None = None  # JSON schema, for routes with no contract (/_simulator)
    form: bool = False               # an OAuth form body instead of JSON
    status: int = 200                # the success status of a route with no contract (201, 204 ...)
    errors: tuple[int, ...] = ()     # error statuses besides those every route of its kind documents
    oauth: bool = False              # errors come as Entra ID's OAuth body, not Partner Center's
    content: str | None = None       # the success body's media type when it isn't JSON (application/pdf)
    user_only: bool = False          # App+User tokens only: auth.begin answers App-only tokens 403 900329


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def operation(**declared: Any) -> Callable[[Endpoint], Endpoint]:
    """Marks an endpoint with what the OpenAPI document says of it: `@wire.operation(body=CartIn)`."""
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in declared.items()}
    described = Operation(**fields)

    def mark(endpoint: Endpoint) -> Endpoint:
        endpoint.operation = described  # type: ignore[attr-defined]
        return endpoint
    return mark


@functools.lru_cache(maxsize=1024)
def camel(name: str) -> str:
    """A stored field's name on the wire: `first_name` -> `firstName` (remembered: the names are few)."""
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def link(uri: str, method: str = "GET", headers: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"uri": uri, "method": method, "headers": headers or []}


def attributes(object_type: str, etag: str | None = None) -> dict[str, str]:
    return {"objectType": object_type, **({"etag": etag} if etag else {})}


def etag(record_id: str, version: int) -> str:
    """Opaque, changes with every write: base64 of {"id", "version"}, as the documented etags decode.
    (Written out by hand for the plain ids pcsim makes: a list of 100 subscriptions makes 100.)"""
    if PLAIN_ID.fullmatch(record_id) and type(version) is int:
        raw = f'{{"id":"{record_id}","version":{version}}}'.encode()
    else:
        raw = json.dumps({"id": record_id, "version": version}, separators=(",", ":")).encode()
    return base64.b64encode(raw).decode()


PLAIN_ID = re.compile(r"[0-9A-Za-z_.:-]*")  # what JSON writes as it is, between quotes


def collection(items: list[Any], self_uri: str | None = None, next_link: dict[str, Any] | None = None,
               **extra_links: dict[str, Any]) -> dict[str, Any]:
    links: dict[str, Any] = {}
    if self_uri is not None:
        links["self"] = link(self_uri)
    if next_link is not None:
        links["next"] = next_link
    links.update(extra_links)
    body: dict[str, Any] = {"totalCount": len(items), "items": items}
    if links:
        body["links"] = links
    body["attributes"] = attributes("Collection")
    return body


def collection_schema(item: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of `collection(items)` for items of the given schema."""
    return {"type": "object", "required": ["totalCount", "items", "attributes"],
            "properties": {"totalCount": {"type": "integer"}, "items": {"type": "array", "items": item},
                           "attributes": {"type": "object"}}}


def query_string(**params: Any) -> str:
    """`?a=1&b=2` for the params that have a value (links repeat the caller's query)."""
    pairs = [f"{k}={v}" for k, v in params.items() if v not in (None, "")]
    return "?" + "&".join(pairs) if pairs else ""


@functools.lru_cache(maxsize=1024)
def _iso(moment: datetime | None) -> str | None:
    """ISO-8601 UTC with `Z`; fractional seconds only when there are any.

    Remembered for the instants written lately: a checkout writes its `now` some six times (the order,
    its subscription's creation, term start and purchase event, the cart) and a term's dates twice, and
    isoformat costs several lookups. Datetimes are immutable, and equal ones (one instant in two time
    zones) have one text."""
    if moment is None:
        return None
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    # isoformat writes the fraction only when there is one, as strftime("%S.%f") did when asked to, and
    # "+00:00" for UTC, which becomes "Z".
    return moment.isoformat()[:-6] + "Z"


if TYPE_CHECKING:
    @overload
    def iso(moment: datetime) -> str: ...
    @overload
    def iso(moment: None) -> None: ...
    @overload
    def iso(moment: datetime | None) -> str | None: ...
    def iso(moment: datetime | None) -> str | None: ...
else:
    iso = _iso  # the remembered function itself: finding an instant runs no Python code at all


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return iso(value)
    if hasattr(value, "model_dump"):  # a pydantic model
        return value.model_dump(by_alias=True, exclude_none=True, mode="json")
    raise TypeError(f"not JSON: {type(value).__name__}")


# Datetimes go through `_default` (iso(): `Z`, fractional seconds only when there are any) and so do
# dataclasses (not JSON, as for the standard library), not through orjson's own renderings.
_ORJSON = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(body: Any) -> bytes:
    """Compact UTF-8 JSON. orjson renders it (the 10 KB product list in about 2 µs, against some
    40 µs for the standard library); what orjson refuses (a lone surrogate, a dict key that isn't a
    string, an integer beyond 64 bits, nesting past 254 levels) is rendered by the standard library
    as before, with a lone surrogate written as its `\\udXXX` escape rather than failing to encode.
    Floats may be spelled differently (`1e-05` vs `0.00001`), never valued differently."""
    try:
        return orjson.dumps(body, default=_default, option=_ORJSON)
    except TypeError:  # orjson.JSONEncodeError
        pass
    try:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=_default).encode()
    except UnicodeEncodeError:  # a lone surrogate: JSON can carry it escaped, UTF-8 cannot
        return json.dumps(body, separators=(",", ":"), default=_default).encode()


def respond(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if hasattr(body, "model_dump"):  # a WireModel
        body = body.wire()
    return Response(dumps(body), status_code=status, headers=headers, media_type=JSON)


def respond_bytes(payload: bytes, status: int = 200) -> Response:
    return Response(payload, status_code=status, media_type=JSON)


# The scope's key for an answer the front (simulator/front.py) may give again (`reusable`).
REUSABLE = "pcsim.reusable"


def reusable(request: Request, payload: bytes) -> Response:
    """`payload` as a 200, which the front may give again, byte for byte, to the same GET (the same
    path and query string) from any caller whose token passes: for an answer that depends on nothing
    else (the partner's catalog, which is the same for every partner, whatever the store holds)."""
    request.scope[REUSABLE] = payload
    return respond_bytes(payload)


def respond_document(payload: bytes, media_type: str, filename: str) -> Response:
    """A file to download (I8's invoice PDF): its bytes, media type and an attachment file name."""
    return Response(payload, media_type=media_type,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def empty(status: int = 204, headers: dict[str, str] | None = None) -> Response:
    return Response(b"", status_code=status, headers=headers, media_type=JSON)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    """A JSON number with a fraction or exponent; one beyond a float's range (1e400) has no value JSON
    can render back (it would be stored as infinity), so it is refused like NaN."""
    value = float(text)
    if value in (math.inf, -math.inf):
        raise ValueError(f"{text[:40]} is beyond a number's range")
    return value


def query_param(request: Request, *names: str) -> str | None:
    """A query parameter under any of its spellings, in any casing."""
    folded = folded_query(request)
    for name in names:
        value = folded.get(name.lower())
        if value is not None:
            return value
    return None


def folded_query(request: Request) -> dict[str, str]:
    """The query's parameters by their lower-cased names (the last value of a name, as Starlette's
    `query_params` has it; of names alike but for case, the one seen last). Parsed once per distinct
    query string: a request reads several parameters, and clients send the same few queries again and
    again. Shared between requests: read it, never change it."""
    raw: bytes = request.scope.get("query_string", b"")
    folded = _FOLDED.get(raw)
    if folded is None:
        folded = {k.lower(): v for k, v in request.query_params.items()}
        if len(raw) <= _FOLDED_LONGEST:
            if len(_FOLDED) >= _FOLDED_MOST:
                _FOLDED.clear()
            _FOLDED[raw] = folded
    return folded


# Bounded: a few hundred short query strings (longer ones are parsed on every request).
_FOLDED: dict[bytes, dict[str, str]] = {}
_FOLDED_MOST, _FOLDED_LONGEST = 512, 512


def subscription_ids(request: Request) -> tuple[str, str]:
    return request.path_params["customer_id"], request.path_params["subscription_id"]


# The scope's key for the request's body, which the front (simulator/front.py) reads whole before the route.
BODY = "pcsim.body"


async def body(request: Request) -> bytes:
    """The request's body: as the front read it (no second reading through Starlette's stream, an async
    generator per request that cost some 10 µs of every cart create), else as `request.body()` reads it."""
    known = request.scope.get(BODY)
    return known if known is not None else await request.body()


async def read_json(request: Request, *, allow_empty: bool = False) -> Any:
    raw = await body(request)
    if not raw.strip():
        if allow_empty:
            return None
        raise errors.InvalidRequestInput("the request body is required")
    if not _LONG_NUMBER.search(raw):  # orjson reads a number past 64 bits as a float: the standard library's
        try:                           # way then (which keeps it an integer)
            return orjson.loads(raw)   # it refuses what the way below refuses (NaN, 1e400, lone surrogates)
        except orjson.JSONDecodeError:
            pass  # the way below says why (or reads what only it reads: a BOM, UTF-16, nesting past 1,024)
    try:
        data = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise errors.InvalidRequestInput(f"the request body is not valid JSON ({exc})") from None
    if _SURROGATE_ESCAPE.search(raw) and _lone_surrogate(data):  # the search: a few µs per KB
        raise errors.InvalidRequestInput("the request body is not valid JSON (a lone UTF-16 surrogate "
                                         "in a string: \\ud800-\\udfff not part of a pair)")
    return data


_LONG_NUMBER = re.compile(rb"\d{19}")  # at least 19 digits in a row: maybe an integer past 64 bits

# `\uD83D\uDE00` (a pair, one character) is fine; `\uD800` alone is no Unicode character at all.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _lone_surrogate(value: Any) -> bool:
    """Whether a string anywhere in parsed JSON (key or value) holds an unpaired surrogate (a body
    nested too deeply to look through counts as holding one)."""
    try:
        return _holds_lone_surrogate(value)
    except RecursionError:
        return True


def _holds_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_holds_lone_surrogate(k) or _holds_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_lone_surrogate(v) for v in value)
    return False


def load_json_text(text: str, what: str) -> Any:
    """JSON that a query value or header carries (`filter`): parsed as a body is, so that text no body
    could bring in (a lone surrogate, nesting too deep to parse) comes in no other way; 400 naming `what`."""
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, RecursionError) as exc:
        raise errors.InvalidRequestInput(f"{what} is not valid JSON ({str(exc)[:200]})") from None
    if "\\u" in text and _lone_surrogate(data):
        raise errors.InvalidRequestInput(f"{what} is not valid JSON (a lone UTF-16 surrogate in a string)")
    return data


def parse_model(model: type[WireModel], data: Any) -> Any:
    if not isinstance(data, dict):
        raise errors.InvalidRequestInput(f"a JSON object is expected for {model.__name__}")
    return model.from_body(data)


async def parse_optional_body(request: Request, model: type[WireModel]) -> Any:
    """The model from the body, or its defaults when there is no body at all (`null` is no object)."""
    if not (await body(request)).strip():
        return model()
    return parse_model(model, await read_json(request))


async def parse_body(request: Request, model: type[WireModel]) -> Any:
    return parse_model(model, await read_json(request))


def __getattr__(name: str) -> Any:
    if name in ("WireModel", "Resource"):
        from simulator.wire import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
