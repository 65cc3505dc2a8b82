"""Who may use the console, and which posts it takes.

Without --control-token anyone who reaches the port may, as with the rest of /_simulator. With it the
console asks for the token once (a login form) and keeps a cookie that proves it was given: an HMAC of
the token under a secret made when the process starts (so the cookie is not the token, and a restart
logs everyone out). An `Authorization: Bearer <token>` header is taken too, for scripts.

Every form of the console carries a token made from the same secret, and a post is taken only with
it, from the console's own origin (Origin, when the browser sends it, names this very host; a
Sec-Fetch-Site header, when sent, says same-origin): another site can't make a browser post to it.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

COOKIE = "pcsim-console"
HOME = "/_simulator/console"


def secret(request: Request) -> bytes:
    """The process's console secret, made on first use and kept on the app."""
    state = request.app.state
    found = getattr(state, "console_secret", None)
    if found is None:
        found = state.console_secret = secrets.token_bytes(32)
    return bytes(found)


def sign(request: Request, purpose: str, value: str = "") -> str:
    return hmac.new(secret(request), f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()


def control_token(request: Request) -> str | None:
    token: str | None = request.app.state.ctx.settings.control_token
    return token


def signed_in(request: Request) -> bool:
    """Whether the request may see the console: no token asked, or the cookie (or header) proves it."""
    token = control_token(request)
    if not token:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    cookie = request.cookies.get(COOKIE, "")
    return hmac.compare_digest(cookie.encode(), sign(request, "login", token).encode())


def token_matches(request: Request, given: str) -> bool:
    token = control_token(request) or ""
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def login_cookie(request: Request) -> str:
    return sign(request, "login", control_token(request) or "")


def form_token(request: Request) -> str:
    """The token every console form carries (the same for the whole process)."""
    return sign(request, "form")


def same_origin(request: Request) -> bool:
    """The post comes from a page of this host: Origin (when sent) names it, Sec-Fetch-Site (when
    sent) says same-origin or none (typed by the user)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:  # an older browser or a script: the form token decides
        return True
    host = request.headers.get("host", "")
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def post_allowed(request: Request, form: Any) -> bool:
    given = str(form.get("form_token", ""))
    return same_origin(request) and hmac.compare_digest(given.encode(), form_token(request).encode())


def local_target(target: str | None) -> str:
    """Where to go back to after a post: a console path, never another site."""
    if not target or not target.startswith(HOME) or "//" in target or "\\" in target:
        return HOME
    return target
