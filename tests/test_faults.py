"""Fault rules (POST/GET/DELETE /_simulator/faults): throttle, error, latency, drop and accepted,
matched on method, path glob and partner tenant, for some times or with a seeded probability."""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulator.auth import tenant_id
from simulator.control.faults import ConnectionDropped
from tests.helpers import Api, build_app, buy_subscription, customer_body, nce_line, read, serve, sub_path

THROTTLE_BODY = {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds."}


def add(api: Api, **rule: Any) -> dict[str, Any]:
    reply = api.post("/_simulator/faults", json=rule)
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def test_a_throttle_with_times_2_gives_two_429s_then_the_real_answer(api: Api) -> None:
    rule = add(api, method="GET", path="/v1/customers*", effect={"type": "throttle", "retryAfter": 57}, times=2)
    assert rule == {"id": "1", "method": "GET", "path": "/v1/customers*",
                    "effect": {"type": "throttle", "retryAfter": 57}, "times": 2, "remaining": 2, "fired": 0}
    for _ in range(2):
        reply = api.get("/v1/customers")
        assert reply.status_code == 429
        assert reply.headers["Retry-After"] == "57"
        assert reply.json() == THROTTLE_BODY
        assert "ms-requestid" in reply.headers
    assert api.get("/v1/customers").status_code == 200
    assert api.get("/_simulator/faults").json() == {"totalCount": 0, "items": [],
                                                    "attributes": {"objectType": "Collection"}}


def test_the_list_shows_the_times_left_and_rules_match_only_their_method_and_path(api: Api) -> None:
    add(api, method="post", path="/v1/customers", effect={"type": "throttle"}, times=3)
    add(api, path="/v1/customers/*/orders*", effect={"type": "error", "status": 503, "code": 1})
    assert api.get("/v1/customers").status_code == 200  # a GET: the POST rule does not match
    assert api.post("/v1/customers", json=customer_body()).status_code == 429
    assert api.get("/v1/CUSTOMERS/abc/Orders").status_code == 503  # any casing, like the routes
    assert api.get("/v1/customers/abc/subscriptions").status_code != 503
    assert api.get("/_simulator/faults").json()["items"] == [
        {"id": "1", "method": "POST", "path": "/v1/customers", "effect": {"type": "throttle", "retryAfter": 60},
         "times": 3, "remaining": 2, "fired": 1},
        {"id": "2", "method": "*", "path": "/v1/customers/*/orders*",
         "effect": {"type": "error", "status": 503, "code": 1, "description": "A fault injected by the simulator."},
         "fired": 1}]


def test_an_error_fault_answers_a_partner_center_body_and_leaves_the_store_alone(make_api: Any) -> None:
    api, untouched = make_api(), make_api()
    add(api, method="POST", path="/v1/customers", times=1,
        effect={"type": "error", "status": 500, "code": 800999, "description": "Try later."})
    reply = api.post("/v1/customers", json=customer_body())
    assert reply.status_code == 500
    assert reply.json() == {"code": 800999, "description": "Try later.", "data": [], "source": "PartnerFD"}
    assert api.get("/v1/customers").json()["totalCount"] == 0
    # Nothing was drawn from the id streams either: the next create gives the id a fresh simulator gives.
    assert api.new_customer(domain="a.onmicrosoft.com") == untouched.new_customer(domain="a.onmicrosoft.com")


def test_a_tenant_scoped_fault_spares_other_tenants(api: Api) -> None:
    mine, theirs = api.token_for("mine.onmicrosoft.com"), api.token_for("theirs.onmicrosoft.com")
    rule = add(api, tenant="mine.onmicrosoft.com", effect={"type": "throttle", "retryAfter": 5})
    assert rule["tenant"] == tenant_id(api.ctx, "mine.onmicrosoft.com")
    assert api.get("/v1/customers", token=mine).status_code == 429
    assert api.get("/v1/customers", token=theirs).status_code == 200
    assert api.get("/v1/customers").status_code == 200  # the default tenant of foreign tokens
    assert api.get("/v1/customers", token="").status_code == 401  # no token: no tenant to match
    api.delete("/_simulator/faults")
    add(api, tenant=rule["tenant"].upper(), effect={"type": "throttle"})  # GUIDs match in any case
    assert api.get("/v1/customers", token=mine).status_code == 429


def statuses(api: Api, count: int = 40) -> list[int]:
    return [api.get("/v1/customers").status_code for _ in range(count)]


def test_a_probability_fault_is_the_same_for_the_same_seed_and_never_shifts_ids(make_api: Any) -> None:
    runs = []
    for seed in (3, 3, 4):
        api = make_api(seed=seed)
        add(api, method="GET", path="/v1/customers", effect={"type": "throttle"}, probability=0.5)
        runs.append((statuses(api), api.new_customer(domain="p.onmicrosoft.com")))
    assert runs[0] == runs[1]
    assert runs[0][0] != runs[2][0]
    assert 5 < runs[0][0].count(429) < 35
    plain = make_api(seed=3)
    assert runs[0][1] == plain.new_customer(domain="p.onmicrosoft.com")


def test_probabilities_0_and_1(api: Api) -> None:
    add(api, effect={"type": "throttle"}, probability=0)
    assert set(statuses(api, 5)) == {200}
    add(api, effect={"type": "error", "status": 409, "code": 7}, probability=1)
    assert set(statuses(api, 5)) == {409}


def test_a_latency_fault_gives_the_real_answer(api: Api) -> None:
    plain = api.get("/v1/customers")
    add(api, effect={"type": "latency", "seconds": 0.01}, times=1)
    slow = api.get("/v1/customers")
    assert (slow.status_code, slow.json()) == (200, plain.json())


def test_an_accepted_fault_answers_patch_202_with_location_and_updates(make_api: Any) -> None:
    api = make_api(provisioning_delay=0)
    customer = api.new_customer()
    sub = buy_subscription(api, customer, nce_line())
    before = read(api, customer, sub)
    add(api, effect={"type": "accepted"}, times=1)
    assert api.get(sub_path(customer, sub)).status_code == 200  # only PATCH: a GET leaves the rule
    reply = api.patch(sub_path(customer, sub), json={**before, "friendlyName": "later"})
    assert reply.status_code == 202
    assert reply.headers["Location"] == f"/customers/{customer}/subscriptions/{sub}"
    assert reply.json() == read(api, customer, sub)
    assert reply.json()["friendlyName"] == "later"
    again = api.patch(sub_path(customer, sub), json={**read(api, customer, sub), "friendlyName": "now"})
    assert again.status_code == 200


def test_a_drop_in_process_raises_in_place_of_an_answer(api: Api) -> None:
    """Through httpx's ASGITransport there is no connection to close: the caller gets ConnectionDropped."""
    add(api, effect={"type": "drop"}, times=1)
    with pytest.raises(ConnectionDropped):
        api.get("/v1/customers")
    assert api.get("/v1/customers").status_code == 200


def test_a_drop_closes_a_real_connection_without_an_answer() -> None:
    app = build_app(wall="real")
    with serve(app) as live, httpx.Client(base_url=live.base_url, headers={"Authorization": "Bearer x"}) as http:
        assert http.post("/_simulator/faults", json={"path": "/v1/customers", "effect": {"type": "drop"},
                                                     "times": 1}).status_code == 201
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            http.get("/v1/customers")
        assert http.get("/v1/customers").status_code == 200
        journal = http.get("/_simulator/requests").json()["items"]
    assert [(entry["status"], entry.get("fault")) for entry in journal] == [(None, "1"), (200, None)]


def test_faults_never_apply_to_the_control_api(api: Api) -> None:
    add(api, effect={"type": "error", "status": 503, "code": 1})
    add(api, effect={"type": "drop"})
    assert api.get("/_simulator/clock").status_code == 200
    assert api.get("/_simulator/faults").json()["totalCount"] == 2
    assert api.get("/v1/customers").status_code == 503
    reply = api.delete("/_simulator/faults")
    assert (reply.status_code, reply.content) == (204, b"")
    assert api.get("/v1/customers").status_code == 200


def test_one_rule_is_removed_by_id(api: Api) -> None:
    first = add(api, effect={"type": "throttle"})
    second = add(api, effect={"type": "error", "status": 400, "code": 2})
    assert api.delete(f"/_simulator/faults/{first['id']}").status_code == 204
    assert [rule["id"] for rule in api.get("/_simulator/faults").json()["items"]] == [second["id"]]
    assert api.get("/v1/customers").status_code == 400
    reply = api.delete(f"/_simulator/faults/{first['id']}")
    assert reply.status_code == 404
    assert reply.json() == {"code": 1000, "description": "No fault rule has the id 1.", "data": [],
                            "source": "PartnerFD"}


def test_keys_in_any_casing(api: Api) -> None:
    rule = add(api, Path="/v1/customers", Effect={"Type": "throttle", "RetryAfter": 3}, Times=1)
    assert rule["effect"] == {"type": "throttle", "retryAfter": 3}
    assert api.get("/v1/customers").headers["retry-after"] == "3"


@pytest.mark.parametrize("rule", [
    {}, {"effect": None}, {"effect": {}}, {"effect": {"type": "explode"}}, {"effect": "drop"},
    {"effect": {"type": "error", "status": 200, "code": 1}}, {"effect": {"type": "error", "status": 503}},
    {"effect": {"type": "error", "status": "503", "code": 1}}, {"effect": {"type": "latency"}},
    {"effect": {"type": "latency", "seconds": -1}}, {"effect": {"type": "latency", "seconds": 301}},
    {"effect": {"type": "throttle", "retryAfter": -1}}, {"effect": {"type": "accepted"}, "method": "GET"},
    {"effect": {"type": "drop"}, "times": 0}, {"effect": {"type": "drop"}, "probability": 1.5},
    {"effect": {"type": "drop"}, "method": "GE T"}, {"effect": {"type": "drop"}, "path": ""},
    {"effect": {"type": "drop"}, "tenant": ""}, [], "drop",
])
def test_a_bad_rule_is_400_800002(api: Api, rule: Any) -> None:
    reply = api.post("/_simulator/faults", json=rule)
    assert (reply.status_code, reply.json()["code"]) == (400, 800002), reply.text
    assert api.get("/_simulator/faults").json()["totalCount"] == 0


def test_reset_keeps_the_rules_and_restarts_their_draws(api: Api) -> None:
    add(api, path="/v1/customers", effect={"type": "throttle"}, probability=0.5)
    first = statuses(api, 20)
    api.post("/_simulator/reset")
    assert statuses(api, 20) == first
