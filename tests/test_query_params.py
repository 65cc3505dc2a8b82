"""One set of query-parameter parsers (simulator/wire/query.py) and one continuation-token codec
(simulator/wire/tokens.py): whatever the route, a bad number, boolean, date-time or token is a 400
with a Partner Center body, never a 500."""
from __future__ import annotations

import base64

import pytest

from tests.helpers import Api

HUGE = "9223372036854775808"
UNBILLED = "/v1/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=usd" \
           "&period=current"
PAGED = ["/v1/customers?", "/v1/invoices?", UNBILLED + "&", "/_simulator/requests?"]


def refused(reply: object) -> tuple[int, int]:
    body = reply.json()  # type: ignore[attr-defined]
    assert set(body) == {"code", "description", "data", "source"}, body
    return reply.status_code, body["code"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("base", PAGED)
@pytest.mark.parametrize("value", [HUGE, "-1", "ten", "1.5", "\u0663", "9" * 40])
def test_bad_page_numbers_are_400_800002_on_every_paged_route(api: Api, base: str, value: str) -> None:
    name = "limit" if base.startswith("/_simulator") else "size"
    assert refused(api.get(f"{base}{name}={value}")) == (400, 800002)


@pytest.mark.parametrize("base", ["/v1/invoices?", UNBILLED + "&"])
def test_a_huge_offset_is_400_800002(api: Api, base: str) -> None:
    assert refused(api.get(f"{base}offset={HUGE}")) == (400, 800002)


@pytest.mark.parametrize("token", ["OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ==", "@@not-a-token@@", "LTE=", "e30=",
                                   "\u00e9t\u00e9"])
def test_a_malformed_customer_token_is_400_800002(api: Api, token: str) -> None:
    reply = api.get("/v1/customers?size=1&seekOperation=Next",
                    headers={"MS-ContinuationToken": token.encode()})  # type: ignore[dict-item]
    assert refused(reply) == (400, 800002)


def test_a_customer_token_pages_on_and_is_bound_to_its_list(api: Api) -> None:
    for n in range(3):
        api.new_customer(f"page{n}.onmicrosoft.com")
    first = api.get("/v1/customers?size=1").json()
    token = first["links"]["next"]["headers"][0]["value"]
    second = api.get("/v1/customers?size=1&seekOperation=Next", headers={"MS-ContinuationToken": token})
    assert second.status_code == 200 and second.json()["items"][0]["id"] != first["items"][0]["id"]
    edited = base64.urlsafe_b64encode(base64.urlsafe_b64decode(token).replace(b":1", b":2")).decode()
    assert refused(api.get("/v1/customers?size=1&seekOperation=Next", headers={"MS-ContinuationToken": edited})) == (
        400, 800002)
    unbilled = api.get(UNBILLED + "&seekOperation=Next", headers={"MS-ContinuationToken": token})
    assert refused(unbilled) == (400, 800002)  # another route's token


def test_seek_operations_other_than_next_are_unparsable(api: Api) -> None:
    assert refused(api.get("/v1/customers?size=1&seekOperation=Previous")) == (400, 900126)
    assert refused(api.get("/v1/customers?size=1&seekOperation=Next")) == (400, 800002)  # no token


def test_a_bad_term_start_date_is_400_800002(api: Api) -> None:
    customer = api.new_customer()
    reply = api.get(f"/v1/customers/{customer}/subscriptions/customTermEndDates?term_duration=P1Y"
                    "&term_start_date=someday")
    assert refused(reply) == (400, 800002)
