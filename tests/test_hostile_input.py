"""Hostile input never poisons state (issue 14): text that is no text, numbers and tokens out of range, a
clock moved past what the rules can represent, a full disk and damaged state files all get a 4xx (or 503,
or a refused start) with a Partner Center body, and a refused or failed request leaves nothing behind.

The probe walks every operation of the OpenAPI document (in process, both store backends, a few hundred
requests) with invalid text in each path parameter, query parameter, text header and string body field."""
from __future__ import annotations

import asyncio
import base64
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from simulator import keys
from simulator.store import SQLiteStore
from tests.helpers import (
    ENV,
    M365_BASIC,
    TENANT,
    Api,
    close_api,
    customer_body,
    free_port,
    nce_line,
    open_api,
)

SURROGATE = "\ud800"                 # in JSON: the escape \ud800, no character at all
BAD_PERCENT = "%ED%A0%80"            # the same, percent-encoded as (CESU) bytes that are no UTF-8
BAD_HEADER = b"\xff\xfe"             # header bytes that are no UTF-8
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def assert_refused(reply: httpx.Response, *, oauth: bool = False, statuses: range = range(400, 500)) -> None:
    assert reply.status_code in statuses, (reply.request.method, reply.request.url, reply.status_code, reply.text)
    body = reply.json()
    if oauth:
        assert body["error"] == "invalid_request", body
    else:
        assert isinstance(body["code"], int) and body["source"] == "PartnerFD", body


def raw_json(api: Api, method: str, path: str, body: Any, **kw: Any) -> httpx.Response:
    """`body` as JSON with its lone surrogates written as escapes (as any JSON encoder writes them)."""
    return api.request(method, path, content=json.dumps(body).encode(),
                       headers={"Content-Type": "application/json", **kw.pop("headers", {})}, **kw)


def dump(api: Api) -> bytes:
    return bytes(api.ctx.store.dump())


@pytest.fixture
def shop(make_api: Any) -> tuple[Api, dict[str, str]]:
    """An app with one of each thing the paths name: a customer, a cart, an order and its subscription."""
    api: Api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    cart = api.new_cart(customer, nce_line()).json()["id"]
    order = api.buy(customer, nce_line())["orders"][0]["id"]
    subscription = api.get(f"/v1/customers/{customer}/subscriptions").json()["items"][0]["id"]
    return api, {"customer-id": customer, "cart-id": cart, "order-id": order, "subscription-id": subscription,
                 "tenant": TENANT}


# --- the probe: every operation, every string it takes --------------------------------------------
def resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return resolve(options[0], components) if options else {}
    return schema


def example(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A plain value of the schema: strings "x", numbers 1, one item per array, every property."""
    schema = resolve(schema, components)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return {}
        return {name: example(sub, components, depth + 1) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [] if depth > 3 else [example(schema.get("items", {}), components, depth + 1)]
    return {"string": "x", "integer": 1, "number": 1, "boolean": True}.get(kind or "string", "x")


def string_fields(value: Any, trail: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path to every string of an example (and to every object, for a string key of its own)."""
    if isinstance(value, str):
        yield trail
    elif isinstance(value, dict):
        yield (*trail, None)  # a key that is no text
        for name, sub in value.items():
            yield from string_fields(sub, (*trail, name))
    elif isinstance(value, list):
        for n, sub in enumerate(value):
            yield from string_fields(sub, (*trail, n))


def poisoned(value: Any, trail: tuple[Any, ...]) -> Any:
    """A copy of `value` with the string at `trail` made a lone surrogate (`None` at the end: a new key)."""
    if not trail:
        return SURROGATE
    head, rest = trail[0], trail[1:]
    if head is None:
        return {**value, SURROGATE: "x"}
    copy = list(value) if isinstance(value, list) else dict(value)
    copy[head] = poisoned(value[head], rest)
    return copy


def fill(path: str, ids: dict[str, str], bad: str | None = None) -> str:
    """The path with its parameters given (real ids where the shop has them), `bad` one made invalid text."""
    out = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            part = BAD_PERCENT if name == bad else ids.get(name, "x")
        out.append(part)
    return "/".join(out)


def probes(document: dict[str, Any], ids: dict[str, str]) -> Iterator[tuple[str, str, dict[str, Any], bool]]:
    """(method, path, request arguments, oauth) of every probe: one per string the operation takes."""
    components = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            oauth = "/oauth2/" in path
            params = op.get("parameters", [])
            for p in params:
                if p["in"] == "path":
                    yield method, fill(path, ids, p["name"]), {}, oauth
                elif p["in"] == "query":
                    yield method, f"{fill(path, ids)}?{p['name']}={BAD_PERCENT}", {}, oauth
                elif p["in"] == "header":
                    yield method, fill(path, ids), {"headers": [(p["name"].encode(), BAD_HEADER)]}, oauth
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = example(content["application/json"]["schema"], components)
                for trail in [()] if not isinstance(body, dict) else string_fields(body):
                    yield method, fill(path, ids), {"json_body": poisoned(body, trail)}, oauth
            if "application/x-www-form-urlencoded" in content:
                fields = content["application/x-www-form-urlencoded"]["schema"]["properties"]
                for name in fields:
                    form = "&".join(f"{f}={BAD_PERCENT if f == name else 'x'}" for f in fields)
                    yield method, fill(path, ids), {"form": form}, oauth


def test_every_operation_refuses_invalid_text_in_each_string_and_changes_nothing(shop: tuple[Api, dict[str, str]]
                                                                                ) -> None:
    api, ids = shop
    document = api.get("/openapi.json").json()
    before = dump(api)
    sent = 0
    for method, path, given, oauth in probes(document, ids):
        headers = [("Authorization", f"Bearer {api.token}"), ("Accept", "application/json"),
                   *given.get("headers", [])]
        if "json_body" in given:
            reply = api.loop.run_until_complete(api.client.request(
                method.upper(), path, content=json.dumps(given["json_body"]).encode(),
                headers=[*headers, ("Content-Type", "application/json")]))
        elif "form" in given:
            reply = api.loop.run_until_complete(api.client.request(
                method.upper(), path, content=given["form"].encode(),
                headers=[*headers, ("Content-Type", "application/x-www-form-urlencoded")]))
        else:
            reply = api.loop.run_until_complete(api.client.request(method.upper(), path, headers=headers))
        assert_refused(reply, oauth=oauth and reply.status_code == 400 and "error" in reply.json())
        sent += 1
    assert 300 < sent < 3000  # every operation was probed, and the probe stays bounded
    assert dump(api) == before


# --- the reported cases, one by one ----------------------------------------------------------------
def test_a_lone_surrogate_in_any_stored_field_is_refused_and_the_record_stays_readable(
        shop: tuple[Api, dict[str, str]]) -> None:
    api, ids = shop
    customer, subscription = ids["customer-id"], ids["subscription-id"]
    kept = {path: api.get(path).json() for path in (f"/v1/customers/{customer}", "/v1/customers",
                                                     f"/v1/customers/{customer}/subscriptions/{subscription}")}
    before = dump(api)
    body = customer_body("poison.onmicrosoft.com")
    body["BillingProfile"]["Culture"] = SURROGATE
    assert_refused(raw_json(api, "POST", "/v1/customers", body), statuses=range(400, 401))
    body = customer_body("poison.onmicrosoft.com")
    body["BillingProfile"]["DefaultAddress"]["State"] = SURROGATE
    assert_refused(raw_json(api, "POST", "/v1/customers", body), statuses=range(400, 401))
    line = {"id": 0, **nce_line(), "catalogItemId": SURROGATE}
    assert_refused(raw_json(api, "POST", f"/v1/customers/{customer}/carts", {"lineItems": [line]}),
                   statuses=range(400, 401))
    assert_refused(raw_json(api, "PATCH", f"/v1/customers/{customer}/subscriptions/{subscription}",
                            {"friendlyName": SURROGATE}), statuses=range(400, 401))
    assert dump(api) == before
    assert {path: api.get(path).json() for path in kept} == kept


def test_out_of_range_numbers_tokens_and_filters_are_400(api: Api) -> None:
    api.new_customer()
    for path, headers in [("/v1/customers?size=9223372036854775808", {}),
                          ("/v1/customers?size=1&seekOperation=Next",
                           {"MS-ContinuationToken": "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ=="}),
                          ("/v1/customers?filter=" + "[" * 3000 + "]" * 3000, {}),
                          ("/v1/customers?filter=" + "{\"a\":" * 3000 + "1" + "}" * 3000, {}),
                          ('/v1/customers?filter={"Field":"Domain","Value":"\\ud800","Operator":"starts_with"}', {})]:
        assert_refused(api.get(path, headers=headers), statuses=range(400, 401))
    for number in ("1e400", "-1e400"):  # no float can hold it: stored, it would render as null
        reply = api.post("/_simulator/clock/advance", content=f'{{"seconds": {number}}}'.encode(),
                         headers={"Content-Type": "application/json"})
        assert_refused(reply, statuses=range(400, 401))


def test_nested_add_ons_are_400_and_no_cart_is_saved(api: Api) -> None:
    customer = api.new_customer()
    before = dump(api)
    inner = {"catalogItemId": M365_BASIC, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1Y"}
    line = {"id": 0, **nce_line(), "addonItems": [{"id": 0, **inner, "addonItems": [inner]}]}
    reply = api.post(f"/v1/customers/{customer}/carts", json={"lineItems": [line]})
    assert_refused(reply, statuses=range(400, 401))
    assert reply.json()["code"] == 800002
    assert dump(api) == before


def test_a_request_that_fails_after_its_rule_succeeded_leaves_no_trace(api: Api,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever fails after a rule has written (here: rendering the answer), the request's writes go."""
    from simulator.carts import render

    customer = api.new_customer()
    before = dump(api)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("rendering failed")
    monkeypatch.setattr(render, "cart_wire", broken)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app, raise_app_exceptions=False),
                               base_url=str(api.client.base_url))
    try:
        reply = api.loop.run_until_complete(client.post(
            f"/v1/customers/{customer}/carts", json={"lineItems": [{"id": 0, **nce_line()}]},
            headers={"Authorization": f"Bearer {api.token}"}))
    finally:
        api.loop.run_until_complete(client.aclose())
    assert reply.status_code == 500 and reply.json()["source"] == "PartnerFD"
    assert dump(api) == before
    monkeypatch.undo()
    assert api.new_cart(customer, nce_line()).status_code == 201  # and the next request writes as usual


def signed(api: Api, payload: bytes) -> str:
    """A token with pcsim's kid and signature over exactly `payload` (claims as raw JSON)."""
    key = keys.of(api.ctx)
    return jwt.api_jws.encode(payload, key.private, algorithm=keys.ALGORITHM, headers={"kid": key.kid})


def test_a_bearer_with_an_unusable_exp_is_401_and_the_journal_keeps_answering(api: Api) -> None:
    claims = jwt.decode(api.token_for(), options={"verify_signature": False})
    for exp in ("null", '"abc"', "9" * 5000, "1e999", "[]", "{}"):
        text = json.dumps({**claims, "exp": 0}).replace('"exp": 0', f'"exp": {exp}')
        reply = api.get("/v1/customers", token=signed(api, text.encode()))
        assert_refused(reply, statuses=range(401, 402))
    header = base64.urlsafe_b64encode(b"[" * 3000 + b"]" * 3000).rstrip(b"=").decode()
    # A header too deep to parse is no pcsim token: a foreign bearer string, which non-strict mode lets in.
    assert api.get("/v1/customers", token=f"{header}.e30.x").status_code == 200
    reply = api.get("/_simulator/requests")
    assert reply.status_code == 200, reply.text
    assert reply.json()["totalCount"] >= 7


# --- the clock: bounded by what the rules can represent ----------------------------------------------
def test_the_clock_refuses_to_move_past_what_the_rules_can_represent(make_api: Any) -> None:
    api: Api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    for body in ({"until": "9999-12-31T00:00:00Z"}, {"until": "9000-01-01T00:00:01Z"},
                 {"seconds": 100 * 365 * 86400}):
        if "seconds" in body:  # from just below the bound, a step that would cross it
            assert api.post("/_simulator/clock/advance", json={"until": "8950-01-01T00:00:00Z"}).status_code == 200
        reply = api.post("/_simulator/clock/advance", json=body)
        assert_refused(reply, statuses=range(400, 401))
        assert "9000-01-01" in reply.json()["description"]
    # At the bound, everything is still answered: buy there (3-year terms end past it) and read it all.
    assert api.post("/_simulator/clock/advance", json={"until": "8999-12-01T00:00:00Z"}).status_code == 200
    api.buy(customer, nce_line(term="P3Y", cycle="annual"), nce_line(term="P1Y", cycle="monthly"))
    assert api.post("/_simulator/clock/advance", json={"until": "9000-01-01T00:00:00Z"}).status_code == 200
    assert api.get("/_simulator/clock").json()["now"] == "9000-01-01T00:00:00Z"
    for path in (f"/v1/customers/{customer}/subscriptions", "/v1/invoices", "/v1/invoices/summaries",
                 "/v1/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems"
                 "&currencycode=usd&period=current", f"/v1/customers/{customer}/orders"):
        reply = api.get(path)
        assert reply.status_code == 200, (path, reply.text)


def test_a_running_clock_stops_at_the_bound(make_api: Any) -> None:
    from datetime import datetime

    from simulator.clock import LATEST, RUNNING, Clock

    ticks = [0.0]
    clock = Clock(datetime(8999, 12, 31, tzinfo=LATEST.tzinfo), mode=RUNNING, speed=1_000_000,
                  ticks=lambda: ticks[0])
    api: Api = make_api(clock=clock)
    ticks[0] = 10_000.0  # 10^10 simulated seconds: some 300 years
    assert api.get("/_simulator/clock").json()["now"] == "9000-01-01T00:00:00Z"
    assert api.get("/v1/invoices").status_code == 200


# --- a full disk under --state -------------------------------------------------------------------
def test_a_full_disk_answers_503_with_retry_after_and_reads_go_on(tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    api = open_api(loop, state=str(tmp_path / "full.db"))
    try:
        customer = api.new_customer()
        store = api.ctx.store
        assert isinstance(store, SQLiteStore)
        db = store.connection()
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")  # a real SQLITE_FULL on the next page needed
        made = 1
        for n in range(500):  # until a write needs a page more (a few customers fit in the last pages' room)
            before = dump(api)
            reply = api.post("/v1/customers", json=customer_body(f"d{n}.onmicrosoft.com"))
            if reply.status_code != 201:
                break
            made += 1
        for n in range(3):
            assert reply.status_code == 503, reply.text
            assert reply.headers["Retry-After"].isdigit()
            assert reply.json()["source"] == "PartnerFD" and reply.json()["code"] == 503
            reply = api.post("/v1/customers", json=customer_body(f"again{n}.onmicrosoft.com"))
        assert api.get(f"/v1/customers/{customer}").status_code == 200
        assert api.get("/v1/customers").json()["totalCount"] == made
        assert dump(api) == before
        db.execute("PRAGMA max_page_count = 1073741823")  # room again: writes go on
        assert api.post("/v1/customers", json=customer_body("room.onmicrosoft.com")).status_code == 201
    finally:
        close_api(api, clean=True)
        loop.close()


# --- state files pcsim can't serve are refused at start --------------------------------------------
def state_file(path: Path) -> None:
    loop = asyncio.new_event_loop()
    api = open_api(loop, state=str(path))
    api.new_customer()
    api.token_for()  # files the signing key too
    close_api(api, clean=True)
    loop.close()


def edited(path: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    with sqlite3.connect(path) as raw:
        for sql, args in statements:
            raw.execute(sql, args)
    raw.close()


def serve(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "simulator", "serve", "--port", str(free_port()), *extra]
    if path.name:
        command += ["--state", str(path)]
    return subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("edit", "said"), [
    ([("UPDATE meta SET value = 42 WHERE name = 'seed'", ())], "has a meta value 'seed' of type integer"),
    ([("UPDATE meta SET value = ? WHERE name = 'seed'", (b"forty-two",))], "the meta value 'seed'"),
    ([("UPDATE meta SET value = ? WHERE name = 'clock'", (b"9999-12-31T00:00:00+00:00",))],
     "the simulated clock stays between"),
    ([("UPDATE meta SET value = ? WHERE name = 'keys.signing'", (b"not a key",))], "the meta value 'keys.signing'"),
    ([("UPDATE docs SET doc = ? WHERE kind = 'customer'", (b'{"id": "trunc',))],
     "holds documents that are not pcsim's JSON"),
    ([("UPDATE docs SET parent = ? WHERE kind = 'customer'", ("[1, 2]",))], "holds documents that are not pcsim's"),
], ids=["meta-integer", "meta-not-a-number", "clock-beyond-bound", "key-not-pem", "truncated-doc", "bad-parent"])
def test_serve_refuses_a_damaged_state_file_with_exit_2_and_a_message(tmp_path: Path, edit: list[Any],
                                                                     said: str) -> None:
    path = tmp_path / "state.db"
    state_file(path)
    edited(path, *edit)
    before = path.read_bytes()
    done = serve(path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(f"pcsim: --state: {path} ") and said in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before


def test_serve_refuses_a_start_time_beyond_the_bound(tmp_path: Path) -> None:
    done = serve(Path(""), "--start-time", "9999-01-01T00:00:00Z")
    assert done.returncode == 2 and "--start-time: the simulated clock stays between" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder no file can be made in, even by root: chmod for others, `chattr +i` for root."""
    folder = tmp_path / "ro"
    folder.mkdir()
    state_file(folder / "state.db")
    for leftover in folder.glob("state.db-*"):
        leftover.unlink()
    folder.chmod(0o555)
    immutable = False
    try:
        if os.access(folder, os.W_OK):  # root: the mode doesn't stop it
            immutable = subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
            if not immutable:
                pytest.skip("running as root where `chattr +i` is not available: no folder is read-only here")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_a_writable_file_in_a_read_only_folder_is_refused_with_a_message_that_says_so(read_only_folder: Path) -> None:
    path = read_only_folder / "state.db"
    done = serve(path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"its folder {read_only_folder} is read-only" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


# --- the second probe: values out of range in every query parameter and continuation token ---------------
ODD_VALUES = ("9223372036854775808", "-1", "1e400", "NaN", "", "9" * 5000, "[" * 1200 + "]" * 1200,
              "\\ud800", "99999-01-01T00:00:00Z", "0001-01-01T00:00:00Z")
ODD_TOKENS = ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ==", "", "%%%", "e30=", "x" * 5000,
              base64.urlsafe_b64encode(b'{"v":1,"s":"x","p":99999999999999999999999,"d":"0"}').decode())


def test_every_query_parameter_and_continuation_token_takes_any_value_without_a_server_error(
        shop: tuple[Api, dict[str, str]]) -> None:
    api, ids = shop
    document = api.get("/openapi.json").json()
    before = dump(api)
    sent = 0
    for path, operations in document["paths"].items():
        op = operations.get("get")
        if op is None or path.startswith("/_simulator/"):  # the control API's reads: the journal, faults ...
            continue
        names = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
        for name in names:
            for value in ODD_VALUES:
                reply = api.get(f"{fill(path, ids)}?{httpx.QueryParams({name: value})}")
                assert reply.status_code < 500 or reply.status_code == 501, (path, name, value[:20], reply.text)
                if reply.status_code >= 400:
                    assert_refused(reply, statuses=range(400, 502))
                sent += 1
        if any(h["name"] == "MS-ContinuationToken" for h in op.get("parameters", []) if h["in"] == "header"):
            for token in ODD_TOKENS:
                reply = api.get(f"{fill(path, ids)}?seekOperation=Next&seek_operation=Next&size=1",
                                headers={"MS-ContinuationToken": token})
                assert_refused(reply)
                sent += 1
    assert 100 < sent < 1500, sent
    assert dump(api) == before


def number_fields(value: Any, trail: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        yield trail
    elif isinstance(value, dict):
        for name, sub in value.items():
            yield from number_fields(sub, (*trail, name))
    elif isinstance(value, list):
        for n, sub in enumerate(value):
            yield from number_fields(sub, (*trail, n))


def replaced(value: Any, trail: tuple[Any, ...], new: Any) -> Any:
    if not trail:
        return new
    copy = list(value) if isinstance(value, list) else dict(value)
    copy[trail[0]] = replaced(value[trail[0]], trail[1:], new)
    return copy


def test_every_number_of_every_body_takes_any_value_without_a_server_error(shop: tuple[Api, dict[str, str]]) -> None:
    """Partner Center operations only: the control API's would reset or seed the shop the probe runs in."""
    api, ids = shop
    document = api.get("/openapi.json").json()
    components = document["components"]["schemas"]
    sent = 0
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            content = op.get("requestBody", {}).get("content", {}) if isinstance(op, dict) else {}
            if "application/json" not in content or not path.startswith("/v1/"):
                continue
            body = example(content["application/json"]["schema"], components)
            for trail in number_fields(body):
                for number in (10 ** 30, -(10 ** 30), 1e308, -1, 0):
                    reply = raw_json(api, method.upper(), fill(path, ids), replaced(body, trail, number))
                    assert reply.status_code < 500 or reply.status_code == 501, (method, path, trail, number,
                                                                                 reply.text)
                    sent += 1
    assert 20 < sent < 1500, sent
