"""The request journal (GET/DELETE /_simulator/requests): the last requests answered, newest last."""
from __future__ import annotations

import json
from typing import Any

import pytest

from simulator.ids import partner_id
from simulator.settings import DEFAULT_PARTNER_TENANT
from tests.helpers import Api, customer_body


DEFAULT_PARTNER = partner_id(DEFAULT_PARTNER_TENANT)  # the GUID entries name the default partner by


def entries(api: Api, **query: Any) -> list[dict[str, Any]]:
    reply = api.get("/_simulator/requests", params=query)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["totalCount"] == len(body["items"]) and body["attributes"] == {"objectType": "Collection"}
    return list(body["items"])


def test_an_entry_holds_the_whole_exchange(api: Api) -> None:
    body = customer_body("journal.onmicrosoft.com")
    reply = api.post("/v1/customers?trace=1", json=body, headers={"MS-CorrelationId": "corr-1"})
    assert reply.status_code == 201
    [entry] = entries(api)
    headers = entry.pop("requestHeaders")
    assert entry == {"at": "2026-01-05T10:00:00Z", "method": "POST", "path": "/v1/customers", "query": "trace=1",
                     "status": 201, "tenant": DEFAULT_PARTNER,
                     "requestBody": json.dumps(body, separators=(",", ":")),
                     "responseBody": reply.text.replace(reply.json()["userCredentials"]["password"], "[redacted]"),
                     "durationMs": 0.0}  # the test's wall clock stands still
    assert headers["authorization"] == "Bearer [redacted]"
    assert headers["ms-correlationid"] == "corr-1"
    assert headers["content-type"] == "application/json"
    assert headers["host"] == "api.partnercenter.microsoft.com"


def test_entries_come_newest_last_at_the_simulated_time(api: Api) -> None:
    api.get("/v1/customers")
    api.advance(90)
    api.get("/v1/customers/nope")
    assert [(e["at"], e["path"], e["status"]) for e in entries(api)] == [
        ("2026-01-05T10:00:00Z", "/v1/customers", 200), ("2026-01-05T10:01:30Z", "/v1/customers/nope", 400)]


def test_the_control_api_is_not_journaled(api: Api) -> None:
    api.get("/_simulator/clock")
    api.post("/_simulator/faults", json={"path": "/nothing", "effect": {"type": "drop"}})
    api.get("/_simulator/requests")
    api.get("/_SIMULATOR/Clock/")
    assert entries(api) == []


def test_tokens_and_secrets_are_redacted(api: Api) -> None:
    token = api.token_for("mine.onmicrosoft.com")
    api.get("/v1/customers", token=token)
    issued, used = entries(api)
    assert "=secret" not in issued["requestBody"]
    assert "client_secret=[redacted]" in issued["requestBody"]
    assert json.loads(issued["responseBody"])["access_token"] == "[redacted]"
    assert token not in json.dumps(issued) and token not in json.dumps(used)
    assert used["requestHeaders"]["authorization"] == "Bearer [redacted]"
    assert "tenant" not in issued  # no token named one
    assert used["tenant"] != DEFAULT_PARTNER


def test_bodies_are_cut_to_the_limit(make_api: Any) -> None:
    api = make_api(journal_body_limit=10)
    body = customer_body("cut.onmicrosoft.com")
    reply = api.post("/v1/customers", json=body)
    [entry] = entries(api)
    assert entry["requestBody"] == json.dumps(body, separators=(",", ":"))[:10]
    assert entry["responseBody"] == reply.text[:10]


def test_the_journal_keeps_the_last_n(make_api: Any) -> None:
    api = make_api(journal_size=3)
    for n in range(5):
        api.get(f"/v1/customers?n={n}")
    assert [e["query"] for e in entries(api)] == ["n=2", "n=3", "n=4"]
    assert api.ctx.settings.journal_size == 3


def test_a_journal_of_size_0_keeps_nothing(make_api: Any) -> None:
    api = make_api(journal_size=0)
    api.get("/v1/customers")
    assert entries(api) == []


def test_filters_by_path_tenant_method_and_limit(api: Api) -> None:
    mine = api.token_for("mine.onmicrosoft.com")
    customer = api.new_customer(domain="f.onmicrosoft.com", token=mine, agreement=False)
    api.get(f"/v1/customers/{customer}", token=mine)
    api.get(f"/v1/customers/{customer}/orders", token=mine)
    api.get("/v1/customers")
    assert [e["path"] for e in entries(api, path="/v1/customers/*")] == [
        f"/v1/customers/{customer}", f"/v1/customers/{customer}/orders"]
    assert [e["path"] for e in entries(api, path="*/ORDERS")] == [f"/v1/customers/{customer}/orders"]
    assert [e["method"] for e in entries(api, tenant="mine.onmicrosoft.com")] == ["POST", "GET", "GET"]
    assert [e["path"] for e in entries(api, method="post")] == ["/mine.onmicrosoft.com/oauth2/token", "/v1/customers"]
    assert [e["path"] for e in entries(api, limit=2)] == [f"/v1/customers/{customer}/orders", "/v1/customers"]
    assert entries(api, limit=0) == []
    assert [e["path"] for e in entries(api, method="GET", tenant=DEFAULT_PARTNER.upper())] == ["/v1/customers"]


@pytest.mark.parametrize("limit", ["-1", "two", "1.5", "9999999999"])
def test_a_bad_limit_is_400_800002(api: Api, limit: str) -> None:
    reply = api.get("/_simulator/requests", params={"limit": limit})
    assert (reply.status_code, reply.json()["code"]) == (400, 800002)


def test_faulted_requests_are_journaled_with_their_faulted_status(api: Api) -> None:
    api.post("/_simulator/faults", json={"path": "/v1/customers", "effect": {"type": "throttle", "retryAfter": 9},
                                         "times": 1})
    api.get("/v1/customers")
    api.get("/v1/customers")
    faulted, normal = entries(api)
    assert (faulted["status"], faulted["fault"], json.loads(faulted["responseBody"])) == (
        429, "1", {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 9 seconds."})
    assert normal["status"] == 200 and "fault" not in normal


def test_delete_empties_the_journal(api: Api) -> None:
    api.get("/v1/customers")
    reply = api.delete("/_simulator/requests")
    assert (reply.status_code, reply.content) == (204, b"")
    assert entries(api) == []


@pytest.mark.parametrize(("sent", "kept"), [("Bearer abc.def", "Bearer [redacted]"),
                                            ("Basic dXNlcjpwdw==", "Basic [redacted]"), ("rawtoken", "[redacted]")])
def test_authorization_keeps_only_its_scheme(api: Api, sent: str, kept: str) -> None:
    api.get("/v1/customers", headers={"Authorization": sent})
    assert entries(api)[0]["requestHeaders"]["authorization"] == kept
