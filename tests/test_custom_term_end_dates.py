"""Custom term end dates (N1): end dates a new purchase may take, aligned to a calendar month end or
co-termed with the customer's existing new commerce subscriptions.

Sources: custom-term-end-dates.md (the example query is `term_duration=P1M`; the self link repeats it;
dates have no zone: `2023-07-31T00:00:00`).
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import SAAS_PLAN, Api, buy_subscription, nce_line, refused, updated

SAAS_LINE = {"catalogItemId": SAAS_PLAN, "quantity": 1, "billingCycle": "monthly", "termDuration": "P1M"}


def dates_path(customer: str, query: str) -> str:
    return f"/v1/customers/{customer}/subscriptions/customTermEndDates{query}"


def month_end(date: str) -> dict[str, Any]:
    return {"allowedCustomTermEndDateType": "calendarMonthAligned", "allowedCustomTermEndDate": f"{date}T00:00:00"}


def coterm(date: str, *subs: str) -> dict[str, Any]:
    return {"allowedCustomTermEndDateType": "subscriptionAligned", "cotermSubscriptionIds": list(subs),
            "allowedCustomTermEndDate": f"{date}T00:00:00"}


def items(api: Api, customer: str, query: str) -> list[dict[str, Any]]:
    reply = api.get(dates_path(customer, query))
    assert reply.status_code == 200, reply.text
    return reply.json()["items"]


@pytest.fixture
def quick(make_api: Any) -> Api:
    return make_api(provisioning_delay=0)


def test_a_customer_without_subscriptions_gets_the_month_ends_of_the_term(quick: Api) -> None:
    customer = quick.new_customer()
    reply = quick.get(dates_path(customer, "?term_duration=P1M"))
    assert reply.status_code == 200
    assert reply.json() == {
        "totalCount": 1, "items": [month_end("2026-01-31")],
        "links": {"self": {"uri": f"/customers/{customer}/subscriptions/customTermEndDates?term_duration=P1M",
                           "method": "GET", "headers": []}},
        "attributes": {"objectType": "Collection"},
    }


def test_a_yearly_term_offers_every_month_end_before_it_ends(quick: Api) -> None:
    customer = quick.new_customer()
    ends = ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31",
            "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-30", "2026-12-31"]
    assert items(quick, customer, "?term_duration=P1Y") == [month_end(d) for d in ends]
    assert len(items(quick, customer, "?term_duration=P3Y")) == 36


def test_active_new_commerce_subscriptions_ending_within_the_term_are_coterm_dates(quick: Api) -> None:
    customer = quick.new_customer()
    monthly = buy_subscription(quick, customer, nce_line(term="P1M"))
    other_monthly = buy_subscription(quick, customer, nce_line(term="P1M", quantity=2))
    yearly = buy_subscription(quick, customer, nce_line(term="P1Y"))
    quick.advance(3600)
    assert items(quick, customer, "?term_duration=P1M") == [month_end("2026-01-31"),
                                                            coterm("2026-02-04", monthly, other_monthly)]
    yearly_dates = items(quick, customer, "?term_duration=P1Y")
    assert yearly_dates[:2] == [month_end("2026-01-31"), coterm("2026-02-04", monthly, other_monthly)]
    assert yearly_dates[-2:] == [month_end("2026-12-31"), coterm("2027-01-04", yearly)]
    assert len(yearly_dates) == 14


def test_only_active_new_commerce_subscriptions_are_coterm_targets(quick: Api) -> None:
    customer = quick.new_customer()
    kept, cancelled, suspended = (buy_subscription(quick, customer, nce_line(term="P1M")) for _ in range(3))
    saas = buy_subscription(quick, customer, SAAS_LINE)
    assert quick.post(f"/v1/customers/{customer}/subscriptions/{saas}/activate").status_code == 200
    updated(quick, customer, cancelled, status="deleted")
    updated(quick, customer, suspended, status="suspended")
    assert items(quick, customer, "?term_duration=P1M") == [month_end("2026-01-31"), coterm("2026-02-04", kept)]


def test_coterm_dates_follow_a_renewed_subscription(quick: Api) -> None:
    customer = quick.new_customer()
    monthly = buy_subscription(quick, customer, nce_line(term="P1M"))
    quick.advance(31 * 86400)  # 2026-02-05T10:00: renewed for a term ending 2026-03-04
    assert items(quick, customer, "?term_duration=P1M") == [month_end("2026-02-28"), coterm("2026-03-04", monthly)]


def test_an_expired_subscription_is_no_coterm_target(quick: Api) -> None:
    customer = quick.new_customer()
    monthly = buy_subscription(quick, customer, nce_line(term="P1M"))
    updated(quick, customer, monthly, autoRenewEnabled=False)
    quick.advance(31 * 86400)
    assert items(quick, customer, "?term_duration=P1M") == [month_end("2026-02-28")]


def test_a_term_start_date_and_a_target_subscription_narrow_the_dates(quick: Api) -> None:
    customer = quick.new_customer()
    first = buy_subscription(quick, customer, nce_line(term="P1Y"))
    second = buy_subscription(quick, customer, nce_line(term="P1M"))
    later = items(quick, customer, "?term_duration=P1M&term_start_date=2026-03-10T00:00:00Z")
    assert later == [month_end("2026-03-31")]
    only_first = items(quick, customer, f"?term_duration=P1Y&target_coterm_subscription_id={first}")
    assert only_first == [coterm("2027-01-04", first)]
    assert second not in str(only_first)


def test_the_self_link_repeats_the_whole_query(quick: Api) -> None:
    customer = quick.new_customer()
    query = "?term_duration=P1M&term_start_date=2026-03-10"
    reply = quick.get(dates_path(customer, query))
    assert reply.json()["links"]["self"]["uri"] == f"/customers/{customer}/subscriptions/customTermEndDates{query}"


def test_a_subscription_still_being_provisioned_is_no_coterm_target(make_api: Any) -> None:
    api = make_api()  # orders take 30 s to provision
    customer = api.new_customer()
    api.buy(customer, nce_line(term="P1M"))
    assert items(api, customer, "?term_duration=P1M") == [month_end("2026-01-31")]


@pytest.mark.parametrize("query", ["", "?term_duration=", "?term_duration=P2Y", "?termstartdate=2026-03-10"])
def test_a_missing_or_unsupported_term_duration_is_invalid_input(quick: Api, query: str) -> None:
    customer = quick.new_customer()
    assert refused(quick.get(dates_path(customer, query))) == (400, 800002)


def test_the_dates_of_an_unknown_customer_are_not_found(quick: Api) -> None:
    reply = quick.get(dates_path("3e8a7d2c-5b1f-4f6e-9a0d-2c4b6e8f0a1c", "?term_duration=P1M"))
    assert refused(reply) == (404, 60003)
