"""Azure utilization records (P10): unrated usage of an MS-AZR-0145P subscription, by report time.

Source: get-a-customer-s-utilization-record-for-azure.md. The window (`start_time`, `end_time`, both
required) is the time the usage was reported to billing, not the time it was used; records are
grouped by the time of use (`usageStartTime`/`usageEndTime`): one per day (`granularity=daily`, the
default) or per hour (`hourly`, the day's quantity spread evenly), per resource (`show_details=true`,
the default, with `instanceData`) or per meter. Pages hold `size` records (default and at most 1000);
`links.next` carries the rest as `seek_operation=Next` with an `MS-ContinuationToken` header, as the
.NET SDK's SeekAzureUtilizationRecords route sends it. Not for Azure plans. Usage is reported by a daily
run at 00:00 UTC (see rated.py): a window whose runs have not happened yet answers 204 with
`Retry-After` (the seconds to its first run), as the doc says for data that isn't ready yet.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from simulator import errors, wire
from simulator.catalog.data import AZURE_PLAN
from simulator.context import Caller, Context
from simulator.subscriptions import dates
from simulator.usage.meters import Meter
from simulator.usage.rated import REPORTED_AFTER, UsageRow, day_start, rated_usage, reported_at
from simulator.usage.summaries import load_azure
from simulator.wire import tokens

GRANULARITIES = ("daily", "hourly")
MAX_SIZE = 1000
HOURS = 24
HOURLY_STEP = Decimal("0.000001")
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class UtilizationQuery:
    start: datetime
    end: datetime
    granularity: str = "daily"
    show_details: bool = True
    size: int = MAX_SIZE
    offset: int = 0

    def payload(self) -> dict[str, Any]:
        return {**asdict(self), "start": wire.iso(self.start), "end": wire.iso(self.end)}

    @classmethod
    def from_token(cls, scope: str, token: str) -> UtilizationQuery:
        """The query a `links.next` token of this subscription's utilization carries."""
        raw = tokens.decode(scope, token)
        try:
            query = cls(wire.parse_time(raw["start"]), wire.parse_time(raw["end"]), raw["granularity"],
                        raw["show_details"], int(raw["size"]), int(raw["offset"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise errors.ContinuationTokenInvalid() from None
        if query.offset < 0 or query.granularity not in GRANULARITIES or not isinstance(query.show_details, bool):
            raise errors.ContinuationTokenInvalid()
        query.check()
        return query

    def check(self) -> None:
        if not (self.start >= EARLIEST and self.end <= LATEST):
            raise errors.InvalidRequestInput(f"start_time and end_time must lie between {EARLIEST.year} and "
                                             f"{LATEST.year}")
        if self.end <= self.start:
            raise errors.InvalidRequestInput("end_time must be later than start_time")
        if not 1 <= self.size <= MAX_SIZE:
            raise errors.InvalidRequestInput(f"size must be a whole number from 1 to {MAX_SIZE}")


@dataclass(frozen=True)
class Utilization:
    start: datetime    # usageStartTime
    end: datetime      # usageEndTime
    meter: Meter
    quantity: Decimal
    row: UsageRow | None  # the resource, with show_details


@dataclass(frozen=True)
class UtilizationPage:
    sub: dict[str, Any]
    query: UtilizationQuery
    items: list[Utilization]
    next: UtilizationQuery | None
    retry_after: int | None  # not ready yet: 204 with Retry-After


def utilization_scope(customer_id: str, sub_id: str) -> str:
    """What a utilization token is bound to: the subscription whose records it pages."""
    return f"utilization/{customer_id.lower()}/{sub_id.lower()}"


def get_utilization_records(ctx: Context, caller: Caller, customer_id: str, sub_id: str,
                            query: UtilizationQuery) -> UtilizationPage:
    now = ctx.clock.now()
    _, sub = load_azure(ctx, caller, customer_id, sub_id, (AZURE_PLAN, errors.UtilizationNotForAzurePlan))
    first_run = next_run(query.start)
    if first_run < query.end and now < first_run:
        return UtilizationPage(sub, query, [], None, max(1, int((first_run - now).total_seconds())))
    first_day = (first_run - REPORTED_AFTER).date()
    last_day = (query.end - REPORTED_AFTER - timedelta(microseconds=1)).date()
    rows = [r for r in rated_usage(ctx, sub, first_day, last_day, now) if query.start <= reported_at(r.day) < query.end]
    found = utilizations(rows, query)
    more = query.offset + query.size < len(found)
    return UtilizationPage(sub, query, found[query.offset:query.offset + query.size],
                           replace(query, offset=query.offset + query.size) if more else None, None)


def next_run(moment: datetime) -> datetime:
    """The first daily report run (00:00 UTC) at or after `moment`."""
    moment = moment.astimezone(UTC)
    midnight = dates.midnight(moment)
    return midnight if midnight == moment else midnight + timedelta(days=1)


def utilizations(rows: list[UsageRow], query: UtilizationQuery) -> list[Utilization]:
    daily: dict[tuple[date, str, str], Utilization] = {}
    for row in rows:
        key = (row.day, row.meter.id, row.resource_uri if query.show_details else "")
        was = daily.get(key)
        quantity = row.quantity + (was.quantity if was else 0)
        daily[key] = Utilization(day_start(row.day), day_start(row.day) + timedelta(days=1), row.meter, quantity,
                                 row if query.show_details else None)
    found = list(daily.values())
    if query.granularity == "hourly":
        found = [hour for one in found for hour in hours(one)]
    return sorted(found, key=lambda u: u.start)  # stable: within a time, meters in catalog order


def hours(day: Utilization) -> list[Utilization]:
    """The day's quantity over its 24 hours; the last hour takes what rounding left, so they add up."""
    each = (day.quantity / HOURS).quantize(HOURLY_STEP, rounding=ROUND_DOWN)
    spread = []
    for hour in range(HOURS):
        quantity = each if hour < HOURS - 1 else day.quantity - each * (HOURS - 1)
        start = day.start + timedelta(hours=hour)
        spread.append(Utilization(start, start + timedelta(hours=1), day.meter, quantity, day.row))
    return spread


# --- wire ---------------------------------------------------------------------------------

def azure_utilization_record_wire(item: Utilization) -> dict[str, Any]:
    meter = item.meter
    out: dict[str, Any] = {
        "usageStartTime": wire.iso(item.start), "usageEndTime": wire.iso(item.end),
        "resource": {"id": meter.id, "name": meter.name, "category": meter.category,
                     "subcategory": meter.subcategory, "region": meter.region},
        "quantity": item.quantity, "unit": meter.unit, "infoFields": {}}
    if item.row is not None:
        out["instanceData"] = {"resourceUri": item.row.resource_uri, "location": item.row.resource_location,
                               "partNumber": "", "orderNumber": "", "additionalInfo": {}}
    out["attributes"] = wire.attributes("AzureUtilizationRecord")
    return out


def utilization_page_wire(page: UtilizationPage) -> dict[str, Any]:
    path = f"/customers/{page.sub['customer_id']}/subscriptions/{page.sub['id']}/utilizations/azure"
    q = page.query
    self_uri = path + wire.query_string(start_time=wire.iso(q.start), end_time=wire.iso(q.end),
                                        granularity=q.granularity, show_details=str(q.show_details).lower(),
                                        size=q.size)
    following = None if page.next is None else wire.link(path + "?seek_operation=Next", headers=[
        {"key": "MS-ContinuationToken",
         "value": tokens.encode(utilization_scope(page.sub["customer_id"], page.sub["id"]), page.next.payload())}])
    return wire.collection([azure_utilization_record_wire(i) for i in page.items], self_uri, following)
