"""The guard in front of every request (simulator/front.py applies it): bodies no larger than
--max-body-size, and a control API (/_simulator) that no web page can drive.

- A body over the limit is refused with 413 before it is read whole: at once when `Content-Length`
  says so, and as soon as a chunked body grows past it (the bytes received so far are all that was
  held). The answer closes the connection (the rest of the body is never read).
- /_simulator (health aside): a browser request from another origin (an `Origin` header that is not
  this server's, or `Sec-Fetch-Site` other than `same-origin`/`none`) gets 403; on a loopback bind, a
  `Host` that is not a loopback name gets 403 (DNS rebinding: a page of `evil.example` whose name
  comes to point at 127.0.0.1); a request with a body on a JSON route must say `application/json`
  (415). A page can send a cross-origin POST only as a form or text/plain, without a preflight: so
  these, not CORS, are what keep it out. The console (/_simulator/console) posts forms of its own, so
  the content type rule spares it; the origin rules do not.

A bind beyond loopback (0.0.0.0 in a container) serves any `Host`: CI reaches a service container by
its service name. There the network and --control-token are the guard (docs/control-api.md).
"""
from __future__ import annotations

import ipaddress
from typing import Any

from starlette.types import Message, Receive, Scope

from simulator import errors
from simulator.settings import Settings

CONSOLE = "/_simulator/console"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BodyTooLarge(errors.PartnerCenterError):
    status, code = 413, 800002
    description = "Invalid request input: the request body is larger than {0} bytes (--max-body-size)."
    headers = {"Connection": "close"}


class CrossOriginRefused(errors.PartnerCenterError):
    # No code is documented for the control API; 800002 as for its other refusals.
    status, code = 403, 800002
    description = "The simulator's control API does not answer requests from other origins: {0}."


class NotJson(errors.PartnerCenterError):
    status, code = 415, 800002
    description = "Invalid request input: the control API takes Content-Type: application/json, not {0}."


def is_loopback_name(host: str) -> bool:
    """Whether a host name (no port) names this machine's loopback."""
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_host(value: str) -> tuple[str, str | None]:
    """`host[:port]` (an IPv6 address in brackets) as host and port."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return value, None
        port = value[end + 1:]
        return value[:end + 1], port[1:] if port.startswith(":") else None
    host, colon, port = value.rpartition(":")
    return (host, port) if colon and port.isdigit() and ":" not in host else (value, None)


def loopback_bind(settings: Settings) -> bool:
    return is_loopback_name(settings.host)


def _real_socket(scope: Scope) -> bool:
    """Whether the request came over a socket (its server address is an IP), not an in-process
    transport (httpx's ASGITransport names the URL's host there)."""
    server = scope.get("server")
    if not server:
        return False
    try:
        ipaddress.ip_address(str(server[0]).strip("[]"))
    except ValueError:
        return False
    return True


def _origin(scheme: str, host_header: str) -> tuple[str, str, str]:
    host, port = split_host(host_header)
    default = "443" if scheme in ("https", "wss") else "80"
    return scheme, host.lower(), port or default


def same_origin(scope: Scope, origin: str, host_header: str) -> bool:
    scheme, sep, rest = origin.strip().partition("://")
    if not sep or not host_header or "/" in rest:
        return False  # "null" (a sandboxed frame, a file:// page), or not an origin at all
    ours = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return _origin(scheme.lower(), rest) == _origin(ours, host_header)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        found[name.lower()] = value
    return found


def control_refusal(settings: Settings, scope: Scope) -> errors.PartnerCenterError | None:
    """Why a /_simulator request may not pass the guard, if it may not."""
    headers = _headers(scope)
    host = headers.get(b"host", b"").decode("latin-1")
    if loopback_bind(settings) and _real_socket(scope) and not is_loopback_name(split_host(host)[0]):
        return CrossOriginRefused(f"the Host {host[:200]!r} is not a loopback name (pcsim listens on loopback)")
    origin = headers.get(b"origin")
    if origin is not None and not same_origin(scope, origin.decode("latin-1"), host):
        return CrossOriginRefused(f"the Origin {origin.decode('latin-1')[:200]!r} is not this server's")
    site = headers.get(b"sec-fetch-site", b"").decode("latin-1").strip().lower()
    navigation = scope["method"] in ("GET", "HEAD") and headers.get(b"sec-fetch-mode") == b"navigate"
    if site and site not in ("same-origin", "none") and not navigation:
        return CrossOriginRefused(f"Sec-Fetch-Site is {site[:50]}")
    if scope["method"] in UNSAFE and not scope["path"].startswith(CONSOLE):
        kind = headers.get(b"content-type")
        if kind is not None:
            media = kind.decode("latin-1").partition(";")[0].strip().lower()
            if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
                return NotJson(repr(media[:100]))
        elif _has_body(headers):
            return NotJson("a body without a Content-Type")
    return None


def _has_body(headers: dict[bytes, bytes]) -> bool:
    length = headers.get(b"content-length", b"0").strip()
    return b"transfer-encoding" in headers or (length.isdigit() and int(length) > 0)


class OnCycle:
    """A wrapper of the server's receive (its `receive` a bound method, as uvicorn's is) whose
    `transport` and `disconnected` are the server's request cycle's, for a `drop` fault
    (simulator/control/faults.py), however many wrappers stand between."""

    def __init__(self, receive: Receive) -> None:
        self.cycle = getattr(receive, "__self__", None)

    @property
    def transport(self) -> Any:
        return getattr(self.cycle, "transport", None)

    @property
    def disconnected(self) -> bool:
        return bool(getattr(self.cycle, "disconnected", True))


class Capped(OnCycle):
    """A server's receive that raises BodyTooLarge once the body passes the limit."""

    def __init__(self, receive: Receive, limit: int) -> None:
        super().__init__(receive)
        self.inner, self.limit, self.seen = receive, limit, 0

    async def receive(self) -> Message:
        message = await self.inner()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                raise BodyTooLarge(self.limit)
        return message
