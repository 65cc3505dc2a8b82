"""Usage rules: spending (P1-P9, P11) and Azure utilization records (P10).

Spending: the current billing period's visible usage, totalled per customer, subscription, meter and
resource, and the customer's spending budget.

Sources: get-a-customer-usage-summary.md, get-a-customer-s-usage-spending-budget.md,
update-a-customer-s-usage-spending-budget.md, get-a-customer-subscription-s-usage-records.md,
get-a-customer-s-usage-records.md, get-a-customer-subscription-usage-summary.md,
get-a-customer-subscription-meter-usage-records.md, get-a-customer-subscription-resource-usage-records.md,
get-all-monthly-usage-records-for-a-subscription.md, get-a-partner-usage-summary.md,
customer-usage-resources.md. The billing period is the calendar month (UTC) of `now`, as the Azure
plan examples show it (billingStartDate the 1st, billingEndDate the 1st of the next month).
Every total is the sum of its rows' rounded amounts.

Azure utilization records (P10): unrated usage of an MS-AZR-0145P subscription, by report time.

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

from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, cast

import simulator.usage.records
from simulator import errors, wire
from simulator.billing.periods import Period, period_of
from simulator.catalog.data import AZURE_PLAN, LEGACY_AZURE
from simulator.context import Caller, Context
from simulator.customers.records import Customer, customer_country, get_customer, list_all
from simulator.subscriptions import dates, lifecycle, rules
from simulator.usage import meters
from simulator.usage.meters import Meter
from simulator.usage.rated import (
    AZURE_KINDS,
    REPORTED_AFTER,
    UsageRow,
    day_start,
    last_reported_day,
    rated_usage,
    reported_at,
)
from simulator.webhooks import events as webhook_events
from simulator.wire import tokens

ZERO = Decimal("0")
GRANULARITIES = ("daily", "hourly")
MAX_SIZE = 1000
HOURS = 24
HOURLY_STEP = Decimal("0.000001")
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Spend:
    total: Decimal      # in `currency`
    usd: Decimal
    currency: str
    locale: str         # the customer's culture: currencyLocale of MS-AZR-0145P answers
    modern: bool        # Azure plan answers: currencyCode + usdTotalCost instead of currencyLocale
    modified: datetime  # lastModifiedDate: the last daily report run


@dataclass(frozen=True)
class Group:
    """Rows that share a key (a meter, a resource): their quantity and money summed."""
    first: UsageRow
    quantity: Decimal
    total: Decimal
    usd: Decimal


@dataclass(frozen=True)
class CustomerUsage:
    customer: Customer
    azure: list[dict[str, Any]]   # the customer's Azure plans and MS-AZR-0145P subscriptions, as they stand
    spend: Spend
    budget: Decimal | None
    upgraded: bool                # has an Azure plan (isUpgraded)
    reported_days: int            # days of the period reported so far


def billing_period(now: datetime) -> Period:
    return period_of(now.astimezone(UTC))


def last_report_run(now: datetime) -> datetime:
    """Usage is reported once a day, at 00:00 UTC: the last run at or before `now`."""
    return dates.midnight(now.astimezone(UTC))


def spend(ctx: Context, customer: Customer, rows: list[UsageRow], modern: bool, now: datetime) -> Spend:
    market = ctx.catalog.market(customer_country(customer)) or ctx.catalog.market("US")
    currency = market.currency  # type: ignore[union-attr]
    return Spend(sum((r.amount for r in rows), ZERO), sum((r.usd_amount for r in rows), ZERO), currency,
                 customer["billing"]["culture"], modern, last_report_run(now))


def period_rows(ctx: Context, subs: list[dict[str, Any]], now: datetime) -> list[UsageRow]:
    period = billing_period(now)
    return [row for sub in subs for row in rated_usage(ctx, sub, period.first_day, period.last_day, now)]


def grouped(ctx: Context, rows: list[UsageRow], key: Callable[[UsageRow], Hashable]) -> list[Group]:
    """One group per key, in catalog order of the meters (then in the order the keys first appear)."""
    order = {m.id: n for n, m in enumerate(meters.catalog(ctx.settings.seed))}
    found: dict[Hashable, Group] = {}
    for row in rows:
        was = found.get(key(row))
        found[key(row)] = Group(row, row.quantity, row.amount, row.usd_amount) if was is None else Group(
            was.first, was.quantity + row.quantity, was.total + row.amount, was.usd + row.usd_amount)
    return sorted(found.values(), key=lambda g: order[g.first.meter.id])


# --- customers (P1, P5, P11) ----------------------------------------------------------------

def azure_subscriptions(ctx: Context, tenant: str, customer_id: str, now: datetime) -> list[dict[str, Any]]:
    return [dict(s) for s in lifecycle.standing(ctx, tenant, customer_id, now) if s["kind"] in AZURE_KINDS]


def customer_usage(ctx: Context, tenant: str, customer: Customer, now: datetime) -> CustomerUsage:
    azure = azure_subscriptions(ctx, tenant, customer["id"], now)
    upgraded = any(s["kind"] == AZURE_PLAN for s in azure)
    period = billing_period(now)
    reported = max(0, (min(last_reported_day(now), period.last_day) - period.first_day).days + 1)
    return CustomerUsage(customer, azure, spend(ctx, customer, period_rows(ctx, azure, now), upgraded, now),
                         stored_budget(ctx, tenant, customer["id"]), upgraded, reported)


def get_customer_usage_summary(ctx: Context, caller: Caller, customer_id: str) -> tuple[CustomerUsage, Period]:
    now = ctx.clock.now()
    customer = get_customer(ctx, caller.tenant, customer_id)
    return customer_usage(ctx, caller.tenant, customer, now), billing_period(now)


def get_customers_usage_records(ctx: Context, caller: Caller) -> list[CustomerUsage]:
    return usage_based_customers(ctx, caller.tenant, ctx.clock.now())


def usage_based_customers(ctx: Context, tenant: str, now: datetime) -> list[CustomerUsage]:
    """Every customer of the partner with a usage-based (Azure) subscription."""
    found = [customer_usage(ctx, tenant, c, now) for c in list_all(ctx, tenant)]
    return [usage for usage in found if usage.azure]


@dataclass(frozen=True)
class PartnerUsage:
    tenant: str
    customers: list[CustomerUsage]
    total: Decimal
    period: Period
    modified: datetime

    @property
    def over_budget(self) -> int:
        return sum(1 for c in self.customers if c.budget is not None and c.spend.total > c.budget)

    @property
    def trending_over(self) -> int:
        """Not over yet, but over at the period's end if the rest of it spends as the days so far did."""
        days = (self.period.last_day - self.period.first_day).days + 1
        return sum(1 for c in self.customers if c.budget is not None and c.spend.total <= c.budget
                   and c.reported_days and c.spend.total * days / c.reported_days > c.budget)


def get_partner_usage_summary(ctx: Context, caller: Caller) -> PartnerUsage:
    """The total leaves out customers with an Azure plan (get-a-partner-usage-summary.md); it is in USD,
    the one currency every customer's usage has (en-US)."""
    now = ctx.clock.now()
    found = usage_based_customers(ctx, caller.tenant, now)
    total = sum((c.spend.usd for c in found if not c.upgraded), ZERO)
    return PartnerUsage(caller.tenant, found, total, billing_period(now), last_report_run(now))


# --- subscriptions (P4, P6-P9) --------------------------------------------------------------

Refusal = tuple[str, type[errors.PartnerCenterError]]  # a kind the operation refuses, and how


def load_azure(ctx: Context, caller: Caller, customer_id: str, sub_id: str, refused: Refusal | None = None
               ) -> tuple[Customer, dict[str, Any]]:
    """The customer and the subscription, if it is an Azure plan or MS-AZR-0145P subscription (800011
    otherwise) and not of the kind the operation refuses."""
    customer = get_customer(ctx, caller.tenant, customer_id)
    sub = rules.load(ctx, caller.tenant, customer["id"], sub_id)
    if sub["kind"] not in AZURE_KINDS:
        raise errors.NotAnAzureSubscription(sub["id"])
    if refused is not None and sub["kind"] == refused[0]:
        raise refused[1]()
    return customer, cast(dict[str, Any], sub)


def subscription_spend(ctx: Context, customer: Customer, sub: dict[str, Any], now: datetime
                       ) -> tuple[list[UsageRow], Spend]:
    rows = period_rows(ctx, [sub], now)
    return rows, spend(ctx, customer, rows, sub["kind"] == AZURE_PLAN, now)


def get_subscription_usage_records(ctx: Context, caller: Caller, customer_id: str
                                   ) -> list[tuple[dict[str, Any], Spend]]:
    """One record per Azure plan (not per Azure subscription under it) and per 0145P subscription."""
    now = ctx.clock.now()
    customer = get_customer(ctx, caller.tenant, customer_id)
    subs = azure_subscriptions(ctx, caller.tenant, customer["id"], now)
    return [(sub, subscription_spend(ctx, customer, sub, now)[1]) for sub in subs]


def get_subscription_usage_summary(ctx: Context, caller: Caller, customer_id: str, sub_id: str
                                   ) -> tuple[dict[str, Any], Spend, Period]:
    now = ctx.clock.now()
    customer, sub = load_azure(ctx, caller, customer_id, sub_id)
    return sub, subscription_spend(ctx, customer, sub, now)[1], billing_period(now)


def get_meter_usage_records(ctx: Context, caller: Caller, customer_id: str, sub_id: str,
                            refused: Refusal | None = None) -> tuple[dict[str, Any], Spend, list[Group]]:
    """Per meter across the whole plan or the 0145P subscription (P7; P9 refuses Azure plans)."""
    now = ctx.clock.now()
    customer, sub = load_azure(ctx, caller, customer_id, sub_id, refused)
    rows, total = subscription_spend(ctx, customer, sub, now)
    return sub, total, grouped(ctx, rows, lambda r: r.meter.id)


def get_resource_usage_records(ctx: Context, caller: Caller, customer_id: str, sub_id: str
                               ) -> tuple[dict[str, Any], Spend, list[Group]]:
    """Per resource of every Azure subscription under an Azure plan (not for MS-AZR-0145P)."""
    now = ctx.clock.now()
    customer, sub = load_azure(ctx, caller, customer_id, sub_id, (LEGACY_AZURE, errors.ResourceUsageNotForLegacyAzure))
    rows, total = subscription_spend(ctx, customer, sub, now)
    return sub, total, grouped(ctx, rows, lambda r: (r.entitlement_id, r.resource_uri))


# --- budgets (P2, P3) -------------------------------------------------------------------

def stored_budget(ctx: Context, tenant: str, customer_id: str) -> Decimal | None:
    found = simulator.usage.records.get(ctx, tenant, customer_id)
    amount = None if found is None else found.get("amount")
    return None if amount is None else Decimal(amount)


def get_usage_budget(ctx: Context, caller: Caller, customer_id: str) -> tuple[Customer, Decimal | None]:
    customer = get_customer(ctx, caller.tenant, customer_id)
    return customer, stored_budget(ctx, caller.tenant, customer["id"])


def update_usage_budget(ctx: Context, caller: Caller, customer_id: str, amount: Decimal | None
                        ) -> tuple[Customer, Decimal | None]:
    """Set the budget (None: no budget)."""
    customer = get_customer(ctx, caller.tenant, customer_id)
    updated = wire.iso(ctx.clock.now())
    assert updated is not None
    simulator.usage.records.save(ctx, caller.tenant, customer["id"],
                                 {"amount": None if amount is None else str(amount), "updated": updated})
    if amount is not None:  # watched by the clock for usagerecords-thresholdExceeded (webhooks.rules.catch_up)
        webhook_events.watch_budget(ctx, caller.tenant, customer["id"])
    return customer, amount


# --- utilization (P10) ----------------------------------------------------------------------

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
