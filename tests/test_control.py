from __future__ import annotations

from typing import Any

from tests.helpers import Api, customer_body, nce_line


def test_the_clock_starts_where_told_and_moves_only_when_advanced(api: Api) -> None:
    assert api.get("/_simulator/clock").json() == {"now": "2026-01-05T10:00:00Z", "mode": "manual", "speed": 1}
    assert api.post("/_simulator/clock/advance", json={"seconds": 90.5}).json() == {"now": "2026-01-05T10:01:30.500000Z"}
    assert api.post("/_simulator/clock/advance", json={"until": "2026-02-01T00:00:00Z"}).json() == {
        "now": "2026-02-01T00:00:00Z"}
    assert api.get("/_simulator/clock").json() == {"now": "2026-02-01T00:00:00Z", "mode": "manual", "speed": 1}


def test_the_clock_only_moves_forward(api: Api) -> None:
    for body in ({"seconds": -1}, {"until": "2020-01-01T00:00:00Z"}, {"until": "yesterday"}, {}):
        reply = api.post("/_simulator/clock/advance", json=body)
        assert (reply.status_code, reply.json()["code"]) == (400, 800002)


def walk(api: Api) -> list[str]:
    customer = api.new_customer(domain="same.onmicrosoft.com")
    result = api.buy(customer, nce_line())
    return [customer, result["orders"][0]["id"]]


def test_reset_empties_the_state_and_replays_the_same_ids(api: Api) -> None:
    first = walk(api)
    reply = api.post("/_simulator/reset")
    assert reply.status_code == 200
    assert api.get("/v1/customers").json()["totalCount"] == 0
    assert walk(api) == first


def test_the_same_seed_gives_the_same_ids_and_another_seed_others(make_api: Any) -> None:
    assert walk(make_api(seed=7)) == walk(make_api(seed=7))
    assert walk(make_api(seed=7)) != walk(make_api(seed=8))


def test_reset_of_one_tenant_leaves_the_others(api: Api) -> None:
    mine, theirs = api.token_for("mine.onmicrosoft.com"), api.token_for("theirs.onmicrosoft.com")
    api.new_customer(token=mine)
    api.new_customer(token=theirs)
    from simulator.auth import tenant_id
    api.post("/_simulator/reset", json={"tenant": tenant_id(api.ctx, "mine.onmicrosoft.com")})
    assert api.get("/v1/customers", token=mine).json()["totalCount"] == 0
    assert api.get("/v1/customers", token=theirs).json()["totalCount"] == 1


def test_reset_of_one_tenant_by_its_domain_frees_its_customers_domains(api: Api) -> None:
    mine = api.token_for("mine.onmicrosoft.com")
    api.new_customer("kept-domain.onmicrosoft.com", token=mine)
    assert api.post("/_simulator/reset", json={"tenant": "mine.onmicrosoft.com"}).status_code == 200
    assert api.get("/v1/customers", token=mine).json()["totalCount"] == 0
    again = api.post("/v1/customers", token=mine, json=customer_body("kept-domain.onmicrosoft.com"))
    assert again.status_code == 201, again.text
