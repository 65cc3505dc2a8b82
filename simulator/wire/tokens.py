"""Continuation tokens: the one codec behind every `MS-ContinuationToken` the simulator hands out.

A token is opaque to clients: base64url of a short JSON document naming the scope it belongs to (the
query it continues: which route, which selection, which window ...), the position to resume at, and a
check digest over both. `decode` answers only a token `encode` made for the same scope: a malformed,
edited or foreign token (another query's, another route's) is 400 `ContinuationTokenInvalid`, never
a 500. The digest is no secret (the simulator signs nothing here); it makes a token edited by hand or
cut short fail cleanly rather than resume somewhere else.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from simulator import errors

VERSION = 1
MAX_LENGTH = 4096


def _digest(scope: str, payload: Any) -> str:
    canonical = json.dumps([VERSION, scope, payload], separators=(",", ":"), sort_keys=True)
    return hashlib.blake2b(canonical.encode(), digest_size=8, person=b"pcsim-token").hexdigest()


def encode(scope: str, payload: Any) -> str:
    """A token for `payload` (JSON: numbers, strings, lists, objects) within `scope`."""
    body = {"v": VERSION, "s": scope, "p": payload, "d": _digest(scope, payload)}
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()


def decode(scope: str, token: str) -> Any:
    """The payload `encode(scope, payload)` put in `token`; 400 for any other token."""
    if not token or len(token) > MAX_LENGTH:
        raise errors.ContinuationTokenInvalid()
    try:
        raw = base64.urlsafe_b64decode(token.strip().encode("ascii") + b"=" * (-len(token.strip()) % 4))
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeError, binascii.Error, RecursionError):
        raise errors.ContinuationTokenInvalid() from None
    if (not isinstance(body, dict) or body.get("v") != VERSION or body.get("s") != scope or "p" not in body
            or body.get("d") != _digest(scope, body["p"])):
        raise errors.ContinuationTokenInvalid()
    return body["p"]


def decode_int(scope: str, token: str, *, low: int = 0, high: int = 2 ** 62) -> int:
    """A token whose payload is one whole number in [low, high] (an offset)."""
    value = decode(scope, token)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise errors.ContinuationTokenInvalid()
    return value
