"""Azure utilization records (P10): by report time, daily or hourly, with or without instance details,
paged through links.next, 204 + Retry-After before the window's data is reported.

Source: get-a-customer-s-utilization-record-for-azure.md; recorded
spending--get-a-customer-s-utilization-record-for-azure--2023--01.json.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.helpers import (DAY, Partner, legacy_customer, link, money, nce_line, new_partner, plan_customer, refused,
                           sub_path)

WINDOW = "start_time=2026-01-01T00:00:00Z&end_time=2026-02-01T00:00:00Z"


@pytest.fixture
def partner(make_api: Any) -> Partner:
    return new_partner(make_api)


def utilization(customer: str, sub: str, query: str = WINDOW) -> str:
    return f"{sub_path(customer, sub)}/utilizations/azure?{query}"


def test_daily_records_are_the_reported_days_usage_per_resource(partner: Partner) -> None:
    customer, sub = legacy_customer(partner)
    partner.api.advance(3 * DAY)  # 2026-01-08T10:00Z: January 5 and 6 are reported
    rows = partner.rows(customer, sub)
    body = partner.get(utilization(customer, sub), user=False)  # App-only is fine here
    assert body == {"totalCount": len(rows), "items": [{
        "usageStartTime": f"{row.day}T00:00:00Z", "usageEndTime": f"{date.fromordinal(row.day.toordinal() + 1)}"
                                                                  f"T00:00:00Z",
        "resource": {"id": row.meter.id, "name": row.meter.name, "category": row.meter.category,
                     "subcategory": row.meter.subcategory, "region": row.meter.region},
        "quantity": float(row.quantity), "unit": row.meter.unit, "infoFields": {},
        "instanceData": {"resourceUri": row.resource_uri, "location": row.resource_location, "partNumber": "",
                         "orderNumber": "", "additionalInfo": {}},
        "attributes": {"objectType": "AzureUtilizationRecord"}} for row in rows],
        "links": link(f"/customers/{customer}/subscriptions/{sub}/utilizations/azure?start_time=2026-01-01T00:00:00Z"
                      f"&end_time=2026-02-01T00:00:00Z&granularity=daily&show_details=true&size=1000"),
        "attributes": {"objectType": "Collection"}}
    assert {row.day for row in rows} == {date(2026, 1, 5), date(2026, 1, 6)}


def test_the_window_is_the_time_usage_was_reported_not_used(partner: Partner) -> None:
    customer, sub = legacy_customer(partner)
    partner.api.advance(5 * DAY)
    # January 6 was reported at January 8, 00:00 UTC: only that run falls in this window
    items = partner.get(utilization(customer, sub, "start_time=2026-01-07T12:00:00-08:00"
                                                   "&end_time=2026-01-08T01:00:00Z"))["items"]
    assert items and {i["usageStartTime"] for i in items} == {"2026-01-06T00:00:00Z"}


def test_hourly_records_spread_each_day_over_its_hours(partner: Partner) -> None:
    customer, sub = legacy_customer(partner)
    partner.api.advance(3 * DAY)
    daily = partner.get(utilization(customer, sub, WINDOW + "&show_details=false"))["items"]
    hourly = partner.get(utilization(customer, sub, WINDOW + "&granularity=Hourly&show_details=False"))["items"]
    assert len(hourly) == 24 * len(daily)
    assert all("instanceData" not in i for i in daily + hourly)
    summed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for item in hourly:
        summed[(item["usageStartTime"][:10], item["resource"]["id"])] += money(item["quantity"])
    assert summed == {(i["usageStartTime"][:10], i["resource"]["id"]): money(i["quantity"]) for i in daily}
    assert hourly[0]["usageStartTime"] == "2026-01-05T00:00:00Z" and hourly[0]["usageEndTime"] == "2026-01-05T01:00:00Z"


def test_pages_follow_links_next_with_the_continuation_token(partner: Partner) -> None:
    customer, sub = legacy_customer(partner)
    partner.api.advance(10 * DAY)
    everything = partner.get(utilization(customer, sub))["items"]
    assert len(everything) > 5
    seen: list[Any] = []
    page = partner.get(utilization(customer, sub, WINDOW + "&size=2"))
    while True:
        assert page["totalCount"] == len(page["items"]) <= 2
        seen += page["items"]
        following = page["links"].get("next")
        if following is None:
            break
        assert following["uri"] == f"/customers/{customer}/subscriptions/{sub}/utilizations/azure?seek_operation=Next"
        headers = {h["key"]: h["value"] for h in following["headers"]}
        reply = partner.api.get("/v1" + following["uri"], headers=headers)
        assert reply.status_code == 200, reply.text
        page = reply.json()
    assert seen == everything


def test_a_window_whose_reports_have_not_run_answers_204_with_retry_after(partner: Partner) -> None:
    customer, sub = legacy_customer(partner)  # 2026-01-05T10:00Z
    reply = partner.api.get(utilization(customer, sub, "start_time=2026-01-05T06:00:00Z&end_time=2026-01-09T00:00:00Z"))
    assert reply.status_code == 204 and reply.content == b""
    assert reply.headers["Retry-After"] == str(14 * 3600)  # the next daily run, 2026-01-06T00:00Z
    partner.api.advance(14 * 3600)
    assert partner.get(utilization(customer, sub, "start_time=2026-01-05T06:00:00Z&end_time=2026-01-09T00:00:00Z")
                       ) == {**partner.get(utilization(customer, sub, "start_time=2026-01-05T06:00:00Z"
                                                                        "&end_time=2026-01-09T00:00:00Z")),
                             "totalCount": 0, "items": []}  # the run happened; nothing used yet was reported


def test_a_past_window_without_usage_is_an_empty_collection(partner: Partner) -> None:
    customer, sub = legacy_customer(partner)
    body = partner.get(utilization(customer, sub, "start_time=2025-12-01T00:00:00Z&end_time=2026-01-01T00:00:00Z"))
    assert (body["totalCount"], body["items"]) == (0, [])


@pytest.mark.parametrize("query", [
    "end_time=2026-02-01T00:00:00Z", "start_time=2026-01-01T00:00:00Z", "start_time=yesterday&end_time=today",
    "start_time=2026-02-01T00:00:00Z&end_time=2026-01-01T00:00:00Z",
    WINDOW + "&show_details=maybe", WINDOW + "&size=1001", WINDOW + "&size=0", WINDOW + "&size=-3",
    "seek_operation=Next", "start_time=0001-01-01T00:00:00Z&end_time=2026-01-01T00:00:00Z",
    "start_time=9999-12-31T12:00:00Z&end_time=9999-12-31T13:00:00Z",
])
def test_invalid_queries_are_refused(partner: Partner, query: str) -> None:
    customer, sub = legacy_customer(partner)
    assert refused(partner.api.get(utilization(customer, sub, query))) == (400, 800002)


def test_an_unknown_granularity_is_an_unparsable_enum(partner: Partner) -> None:
    customer, sub = legacy_customer(partner)
    assert refused(partner.api.get(utilization(customer, sub, WINDOW + "&granularity=weekly"))) == (400, 900126)


def test_a_forged_continuation_token_is_refused(partner: Partner) -> None:
    customer, sub = legacy_customer(partner)
    reply = partner.api.get(utilization(customer, sub, "seek_operation=Next"), headers={"MS-ContinuationToken": "x"})
    assert refused(reply) == (400, 800002)


def test_utilization_is_not_for_azure_plans_or_other_subscriptions(partner: Partner) -> None:
    customer, plan = plan_customer(partner)
    assert refused(partner.api.get(utilization(customer, plan))) == (400, 900141)
    sub = partner.buy(customer, nce_line())
    assert refused(partner.api.get(utilization(customer, sub))) == (400, 800011)
