"""Secrets stay out of the request journal whatever their spelling: form fields by their decoded
name, credential headers, query strings, JSON members (a new customer's admin password); the journal
is read per tenant, and with --control-token it needs the token like the rest of /_simulator.
(That a token signed with the seed-derived key of old gets nowhere, in strict mode or not, is
tests/test_tokens.py::test_a_token_not_signed_with_the_simulators_key_is_refused.)"""
from __future__ import annotations

import json
from typing import Any

from tests.helpers import TENANT, Api, customer_body

SECRET = "s3cr3t-VALUE"


def entries(api: Api, **query: Any) -> list[dict[str, Any]]:
    reply = api.get("/_simulator/requests", params=query)
    assert reply.status_code == 200, reply.text
    return list(reply.json()["items"])


def test_form_fields_are_redacted_by_their_decoded_name(api: Api) -> None:
    form = (f"grant_type=password&client_id=app&client%5Fsecret={SECRET}&username=u%40contoso.com"
            f"&pass%77ord={SECRET}&Client_Secret={SECRET}&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com")
    reply = api.post(f"/{TENANT}/oauth2/token", content=form.encode(), token="",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 200, reply.text  # the token endpoint reads those names decoded
    [entry] = entries(api)
    assert SECRET not in json.dumps(entry)
    assert entry["requestBody"] == ("grant_type=password&client_id=app&client%5Fsecret=[redacted]"
                                    "&username=u%40contoso.com&pass%77ord=[redacted]&Client_Secret=[redacted]"
                                    "&resource=https%3A%2F%2Fapi.partnercenter.microsoft.com")
    answer = json.loads(entry["responseBody"])
    assert answer["access_token"] == answer["refresh_token"] == "[redacted]"


def test_credential_headers_are_redacted(api: Api) -> None:
    api.get("/v1/customers", headers={"Cookie": f"session={SECRET}", "Proxy-Authorization": f"Basic {SECRET}",
                                      "X-Api-Key": SECRET, "Ocp-Apim-Subscription-Key": SECRET, "X-Other": "kept"})
    [entry] = entries(api)
    headers = entry["requestHeaders"]
    assert SECRET not in json.dumps(entry)
    assert headers["cookie"] == headers["x-api-key"] == headers["ocp-apim-subscription-key"] == "[redacted]"
    assert headers["proxy-authorization"] == "Basic [redacted]"
    assert headers["authorization"] == "Bearer [redacted]"
    assert headers["x-other"] == "kept"


def test_secrets_in_query_strings_are_redacted(api: Api) -> None:
    api.get(f"/v1/customers?size=5&client_secret={SECRET}&access%5Ftoken={SECRET}&code={SECRET}")
    [entry] = entries(api)
    assert entry["query"] == "size=5&client_secret=[redacted]&access%5Ftoken=[redacted]&code=[redacted]"


def test_the_admin_password_of_a_new_customer_is_redacted(api: Api) -> None:
    reply = api.post("/v1/customers", json=customer_body("pw.onmicrosoft.com"))
    assert reply.status_code == 201
    password = reply.json()["userCredentials"]["password"]
    [entry] = entries(api)
    assert password not in json.dumps(entry)
    assert json.loads(entry["responseBody"])["userCredentials"] == {**reply.json()["userCredentials"],
                                                                    "password": "[redacted]"}


def test_json_members_are_redacted_by_their_unescaped_name(api: Api) -> None:
    body = '{"companyProfile": {"domain": "x"}, "pass\\u0077ord": "SECRET", "client_secret": "SECRET"}'
    body = body.replace("SECRET", SECRET)
    api.post("/v1/customers", content=body.encode(), headers={"Content-Type": "application/json"})
    [entry] = entries(api)
    assert SECRET not in json.dumps(entry)


def test_the_journal_is_read_per_tenant(api: Api) -> None:
    mine, theirs = api.token_for("mine.onmicrosoft.com"), api.token_for("theirs.onmicrosoft.com")
    api.delete("/_simulator/requests")
    api.get("/v1/customers", token=mine)
    api.get("/v1/customers?size=2", token=theirs)
    [entry] = entries(api, tenant="theirs.onmicrosoft.com")
    assert entry["query"] == "size=2"
    assert [e["query"] for e in entries(api, tenant="mine.onmicrosoft.com")] == [""]


def test_with_a_control_token_the_journal_needs_it(make_api: Any) -> None:
    api = make_api(control_token="ctl")
    api.get("/v1/customers")
    assert api.get("/_simulator/requests", token="").status_code == 401
    assert api.get("/_simulator/requests", token="wrong").status_code == 401
    assert api.delete("/_simulator/requests", token="").status_code == 401
    reply = api.get("/_simulator/requests", token="ctl")
    assert reply.status_code == 200 and reply.json()["totalCount"] == 1
