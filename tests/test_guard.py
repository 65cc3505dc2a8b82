"""The guard in front of every request (simulator/control/guard.py): request bodies over --max-body-size
are refused with 413 before they are read whole, and no web page can drive the control API (other
origins, DNS rebinding, text/plain bodies). Refused requests change nothing."""
from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from tests.helpers import Api, build_app, customer_body, serve

TOO_BIG = {"code": 800002, "description": "Invalid request input: the request body is larger than 1024 bytes "
           "(--max-body-size).", "data": [], "source": "PartnerFD"}


def clock_now(api: Api) -> str:
    now: str = api.get("/_simulator/clock").json()["now"]
    return now


# --- the body limit ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v1/customers", "/_simulator/seed", "/v1/customers/x/carts"])
def test_a_body_over_the_limit_is_refused_with_413_and_nothing_is_stored(make_api: Any, path: str) -> None:
    api = make_api(max_body_size=1024)
    big = customer_body(**{"companyProfile": {"domain": "x" * 2000}})
    reply = api.post(path, json=big)
    assert (reply.status_code, reply.json()) == (413, TOO_BIG)
    assert reply.headers["connection"] == "close"
    assert api.get("/v1/customers").json()["totalCount"] == 0


def test_a_body_within_the_limit_passes(make_api: Any) -> None:
    api = make_api(max_body_size=1024)
    assert api.post("/v1/customers", json=customer_body()).status_code == 201


def test_the_default_limit_is_a_mebibyte() -> None:
    app = build_app()
    assert app.state.ctx.settings.max_body_size == 1024 * 1024


def raw_exchange(base_url: str, request: bytes, then: list[bytes]) -> bytes:
    """Sends a request head, then chunks (as long as the server reads), and returns what came back."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        for chunk in then:
            try:
                sock.sendall(chunk)
            except OSError:  # the server answered and closed: the rest is never read
                break
        answer = b""
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                break
            if not data:
                break
            answer += data
        return answer


def test_a_chunked_body_is_cut_off_at_the_limit_on_a_real_socket() -> None:
    app = build_app(max_body_size=1024, wall="real")
    with serve(app) as live:
        head = (b"POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n"
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"400\r\n" + b" " * 1024 + b"\r\n"
        answer = raw_exchange(live.base_url, head, [chunk] * 8 + [b"0\r\n\r\n"])
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert b'"code":800002' in answer
        assert httpx.get(f"{live.base_url}/v1/customers", headers={"Authorization": "Bearer x"}
                         ).json()["totalCount"] == 0


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent() -> None:
    app = build_app(max_body_size=1024, wall="real")
    with serve(app) as live:
        head = (b"POST /v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n"
                b"Content-Type: application/json\r\nContent-Length: 20000000\r\n\r\n")
        answer = raw_exchange(live.base_url, head, [])  # not one byte of the body
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


# --- no web page can drive the control API ----------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost:3000"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_cross_origin_browser_requests_are_refused_and_change_nothing(api: Api, headers: dict[str, str]) -> None:
    before = clock_now(api)
    reply = api.post("/_simulator/clock/advance", json={"seconds": 3600}, headers=headers)
    assert reply.status_code == 403
    assert reply.json()["code"] == 800002 and reply.json()["source"] == "PartnerFD"
    assert api.post("/_simulator/reset", headers=headers).status_code == 403
    assert api.get("/_simulator/requests", headers=headers).status_code == 403
    assert clock_now(api) == before


def test_same_origin_requests_pass(api: Api) -> None:
    origin = "https://api.partnercenter.microsoft.com"  # the test client's own
    reply = api.post("/_simulator/clock/advance", json={"seconds": 1},
                     headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"})
    assert reply.status_code == 200
    assert api.get("/_simulator/clock", headers={"Sec-Fetch-Site": "none"}).status_code == 200


def test_health_answers_every_origin(api: Api) -> None:
    reply = api.get("/_simulator/health", headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert reply.json() == {"status": "ok"}


def test_partner_center_routes_are_not_origin_checked(api: Api) -> None:
    assert api.get("/v1/customers", headers={"Origin": "https://portal.example"}).status_code == 200


@pytest.mark.parametrize("kind", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; b=x"])
def test_json_control_routes_refuse_other_content_types_with_415(api: Api, kind: str) -> None:
    before = clock_now(api)
    reply = api.post("/_simulator/clock/advance", content=b'{"seconds": 3600}', headers={"Content-Type": kind})
    assert reply.status_code == 415
    assert reply.json()["code"] == 800002
    assert api.post("/_simulator/reset", content=b"", headers={"Content-Type": kind}).status_code == 415
    assert clock_now(api) == before


def test_a_control_body_without_a_content_type_is_refused(api: Api) -> None:
    assert api.post("/_simulator/clock/advance", content=b'{"seconds": 1}').status_code == 415
    assert api.post("/_simulator/reset").status_code == 200  # no body: nothing to type
    assert api.post("/_simulator/clock/advance", json={"seconds": 1},
                    headers={"Content-Type": "application/json; charset=utf-8"}).status_code == 200


def test_dns_rebinding_is_refused_on_a_loopback_bind() -> None:
    app = build_app(wall="real")
    with serve(app) as live:
        for host in ("evil.example", "evil.example:8080", "127.0.0.1.nip.io", "10.0.0.1"):
            reply = httpx.post(f"{live.base_url}/_simulator/reset", headers={"Host": host})
            assert reply.status_code == 403, host
            assert reply.json()["code"] == 800002
        port = live.base_url.rsplit(":", 1)[1]
        for host in ("localhost", f"localhost:{port}", f"127.0.0.1:{port}", "app.localhost", "[::1]:80"):
            assert httpx.get(f"{live.base_url}/_simulator/clock", headers={"Host": host}).status_code == 200, host
        assert httpx.get(f"{live.base_url}/_simulator/health", headers={"Host": "evil.example"}).status_code == 200


def test_a_bind_beyond_loopback_serves_any_host() -> None:
    app = build_app(host="0.0.0.0", wall="real")
    with serve(app, host="127.0.0.1") as live:
        assert httpx.get(f"{live.base_url}/_simulator/clock", headers={"Host": "pcsim:8080"}).status_code == 200
