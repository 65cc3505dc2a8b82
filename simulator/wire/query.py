"""Query parameters: the one set of parsers every route reads its query with.

A parameter is found under any casing of its name (and of its other spellings: `seek_operation` /
`seekOperation`). Each kind of fault raises one error class (simulator/errors/base.py): a missing
required parameter `MissingQueryParameter`, a bad number `InvalidNumberParameter` (not digits,
negative, out of range, or too long to be a number at all: `size=9223372036854775808` is a 400, never
a 500), a bad boolean `NotABoolean`, a bad date-time `NotADateTime` (all 400 800002) and a value
outside an enum `UnparsableEnum` (400 900126).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import overload

from starlette.requests import Request

from simulator import errors, wire

MAX_DIGITS = 12  # beyond any page size or offset the simulator serves; longer is no number here


def text(request: Request, *names: str) -> str | None:
    """The raw value under any of the names, in any casing; None when absent."""
    return wire.query_param(request, *names)


def required(request: Request, *names: str) -> str:
    """The value, or 400 naming the parameter when it is absent or empty."""
    value = text(request, *names)
    if value is None or not value.strip():
        raise errors.MissingQueryParameter(names[0])
    return value


def whole_number(raw: str, name: str, low: int, high: int) -> int:
    """`raw` as a whole number in [low, high]: ASCII digits only, no sign, no fraction."""
    digits = raw.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > MAX_DIGITS or not low <= int(digits) <= high:
        raise errors.InvalidNumberParameter(name, f"a whole number from {low} to {high}")
    return int(digits)


@overload
def integer(request: Request, name: str, *, default: int, low: int = 0, high: int,
            aliases: Iterable[str] = ()) -> int: ...
@overload
def integer(request: Request, name: str, *, default: None = None, low: int = 0, high: int,
            aliases: Iterable[str] = ()) -> int | None: ...
def integer(request: Request, name: str, *, default: int | None = None, low: int = 0, high: int,
            aliases: Iterable[str] = ()) -> int | None:
    """A whole number from `low` to `high`; `default` when the parameter is absent. Sent empty
    (`size=`) it is a bad number, not an absent one."""
    raw = text(request, name, *aliases)
    if raw is None:
        return default
    return whole_number(raw, name, low, high)


@overload
def boolean(request: Request, name: str, default: bool) -> bool: ...
@overload
def boolean(request: Request, name: str, default: None = None) -> bool | None: ...
def boolean(request: Request, name: str, default: bool | None = None) -> bool | None:
    """`true` / `false` in any casing; `default` when absent or empty."""
    raw = text(request, name)
    if raw is None or not raw.strip():
        return default
    folded = raw.strip().lower()
    if folded not in ("true", "false"):
        raise errors.NotABoolean(name)
    return folded == "true"


def date_time(request: Request, name: str) -> datetime:
    """A required ISO-8601 date-time (UTC when it names no offset)."""
    raw = required(request, name)
    try:
        return wire.parse_time(raw.strip())
    except ValueError:
        raise errors.NotADateTime(name) from None


def enum_value(raw: str, name: str, options: Mapping[str, str] | Iterable[str]) -> str:
    """`raw` as one of `options` (matched without regard to case): the option's own spelling. A
    mapping maps folded spellings to the value to return."""
    known = options if isinstance(options, Mapping) else {o.lower(): o for o in options}
    found = known.get(raw.strip().lower())
    if found is None:
        raise errors.UnparsableEnum(name, raw, ", ".join(sorted(set(known.values()))))
    return found


@overload
def choice(request: Request, name: str, options: Mapping[str, str] | Iterable[str], default: str, *,
           aliases: Iterable[str] = ()) -> str: ...
@overload
def choice(request: Request, name: str, options: Mapping[str, str] | Iterable[str], default: None = None, *,
           aliases: Iterable[str] = ()) -> str | None: ...
def choice(request: Request, name: str, options: Mapping[str, str] | Iterable[str], default: str | None = None, *,
           aliases: Iterable[str] = ()) -> str | None:
    """One of `options`, in any casing; `default` when absent or empty."""
    raw = text(request, name, *aliases)
    if raw is None or not raw.strip():
        return default
    return enum_value(raw, name, options)


def seek_next(request: Request, *names: str) -> bool:
    """Whether the request continues a paged query (`seekOperation=Next`): only Next is a seek operation."""
    names = names or ("seekOperation",)
    raw = text(request, *names)
    if raw is None:
        return False
    return enum_value(raw, names[0], ("Next",)) == "Next"


def continuation(request: Request, *names: str) -> str | None:
    """The `MS-ContinuationToken` of a `seekOperation=Next` request (None without seekOperation: then
    the header is not read); seekOperation=Next without the header is a 400."""
    if not seek_next(request, *names):
        return None
    token = request.headers.get("ms-continuationtoken", "").strip()
    if not token:
        raise errors.ContinuationTokenMissing()
    return token
